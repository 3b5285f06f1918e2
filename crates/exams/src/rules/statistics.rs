//! Classical item analysis for staff: the p-value (proportion correct) and the point-biserial
//! discrimination of each item, and the flags that mark an item for review.

/// One finished attempt that served the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    pub correct: bool,
    /// The attempt's raw score, this item included.
    pub raw_score: u32,
}

/// The fewest finished attempts that served an item before it is flagged: below this a p-value
/// or a correlation is mostly chance (with 5 sittings, one lucky guess moves p by 0.2), and
/// flagging would send staff rewriting good items.
pub const MIN_SITTINGS_FOR_FLAGS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemFlag {
    /// p > 0.95: nearly everyone gets it right; it tells candidates apart poorly.
    TooEasy,
    /// p < 0.20: nearly everyone gets it wrong; often a wrong key or an ambiguous stem.
    TooHard,
    /// Discrimination < 0.10: strong candidates do no better on it than weak ones.
    LowDiscrimination,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemStatistics {
    pub attempts: usize,
    pub p_value: Option<f64>,
    /// Point-biserial correlation between the item and the rest of the form (the raw score less
    /// this item), so an item is not correlated with itself. `None` when undefined: no
    /// attempts, everyone right or everyone wrong, or identical rest scores.
    pub discrimination: Option<f64>,
    pub flags: Vec<ItemFlag>,
}

#[allow(clippy::cast_precision_loss)] // reason: counts and scores are far below 2^52
pub fn item_statistics(observations: &[Observation]) -> ItemStatistics {
    let n = observations.len();
    if n == 0 {
        return ItemStatistics {
            attempts: 0,
            p_value: None,
            discrimination: None,
            flags: Vec::new(),
        };
    }
    let right = observations.iter().filter(|o| o.correct).count();
    let p = right as f64 / n as f64;
    let rest = |o: &Observation| f64::from(o.raw_score - u32::from(o.correct));
    let mean = observations.iter().map(rest).sum::<f64>() / n as f64;
    let sd = (observations.iter().map(|o| (rest(o) - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let mean_of = |correct: bool| {
        let group: Vec<f64> = observations.iter().filter(|o| o.correct == correct).map(rest).collect();
        group.iter().sum::<f64>() / group.len() as f64
    };
    let discrimination =
        (right > 0 && right < n && sd > 0.0).then(|| (mean_of(true) - mean_of(false)) / sd * (p * (1.0 - p)).sqrt());
    let mut flags = Vec::new();
    if n < MIN_SITTINGS_FOR_FLAGS {
        return ItemStatistics {
            attempts: n,
            p_value: Some(p),
            discrimination,
            flags,
        };
    }
    if p > 0.95 {
        flags.push(ItemFlag::TooEasy);
    }
    if p < 0.20 {
        flags.push(ItemFlag::TooHard);
    }
    if discrimination.is_some_and(|d| d < 0.10) {
        flags.push(ItemFlag::LowDiscrimination);
    }
    ItemStatistics {
        attempts: n,
        p_value: Some(p),
        discrimination,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pairs`, repeated until there are enough sittings to flag.
    fn obs(pairs: &[(bool, u32)]) -> Vec<Observation> {
        let once = pairs.iter().map(|(correct, raw_score)| Observation {
            correct: *correct,
            raw_score: *raw_score,
        });
        let times = MIN_SITTINGS_FOR_FLAGS.div_ceil(pairs.len());
        std::iter::repeat_n(once, times).flatten().collect()
    }

    #[test]
    fn a_good_item_discriminates() {
        // The strong candidates (high rest scores) get it right, the weak ones wrong.
        let stats = item_statistics(&obs(&[
            (true, 9),
            (true, 8),
            (true, 7),
            (false, 3),
            (false, 2),
            (false, 4),
        ]));
        assert_eq!(stats.p_value, Some(0.5));
        let d = stats.discrimination.expect("defined");
        assert!(d > 0.9, "{d}");
        assert!(stats.flags.is_empty());
    }

    #[test]
    fn a_miskeyed_item_is_hard_and_discriminates_negatively() {
        let mut pairs = vec![
            (false, 9),
            (false, 9),
            (false, 8),
            (false, 8),
            (false, 7),
            (false, 7),
            (false, 6),
            (false, 6),
        ];
        pairs.extend([(true, 2), (false, 3)]);
        let stats = item_statistics(&obs(&pairs));
        assert_eq!(stats.p_value, Some(0.1));
        assert!(stats.discrimination.expect("defined") < 0.0);
        assert_eq!(stats.flags, [ItemFlag::TooHard, ItemFlag::LowDiscrimination]);
    }

    #[test]
    fn an_item_everyone_gets_right_is_too_easy_with_undefined_discrimination() {
        let stats = item_statistics(&obs(&[(true, 5), (true, 7), (true, 9)]));
        assert_eq!(stats.p_value, Some(1.0));
        assert_eq!(stats.discrimination, None);
        assert_eq!(stats.flags, [ItemFlag::TooEasy]);
    }

    #[test]
    fn too_few_sittings_are_measured_but_never_flagged() {
        let few: Vec<Observation> = obs(&[(true, 5), (true, 7), (true, 9)])
            .into_iter()
            .take(MIN_SITTINGS_FOR_FLAGS - 1)
            .collect();
        let stats = item_statistics(&few);
        assert_eq!(stats.p_value, Some(1.0));
        assert!(stats.flags.is_empty(), "{:?}", stats.flags);
        let enough = obs(&[(true, 5), (true, 7), (true, 9)]);
        assert_eq!(item_statistics(&enough).flags, [ItemFlag::TooEasy]);
    }

    #[test]
    fn no_attempts_no_statistics() {
        assert_eq!(item_statistics(&[]).p_value, None);
    }
}
