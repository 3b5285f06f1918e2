//! Scoring a finished attempt. Every item is all-or-nothing: the selected options must be
//! exactly the keyed ones. The result reports the scaled score, pass or fail and, per domain,
//! only "meets" or "below" — never which items were wrong.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::scaling::{ScaledScore, raw_cut, scale};

/// True when `selected` is exactly the key. An unanswered item is wrong.
pub fn is_correct(selected: &BTreeSet<String>, key: &BTreeSet<String>) -> bool {
    !selected.is_empty() && selected == key
}

/// One served item after the attempt: its domain and whether it was answered correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marked {
    pub domain_id: Uuid,
    pub correct: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainResult {
    pub domain_id: Uuid,
    /// The domain's share of correct answers reached the cut percentage.
    pub meets: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub raw: u32,
    pub max_raw: u32,
    pub raw_cut: u32,
    pub scaled: ScaledScore,
    pub passed: bool,
    pub domains: Vec<DomainResult>,
}

/// Scores a form. `domain_order` fixes the order of the per-domain feedback.
pub fn score(marked: &[Marked], cut_percent: u8, cut: ScaledScore, domain_order: &[Uuid]) -> Score {
    let count = |items: &mut dyn Iterator<Item = &Marked>| {
        items.fold((0_u32, 0_u32), |(right, all), m| {
            (right + u32::from(m.correct), all + 1)
        })
    };
    let (raw, max_raw) = count(&mut marked.iter());
    let cut_raw = raw_cut(max_raw, cut_percent);
    let scaled = scale(raw, max_raw, cut_raw, cut);
    let domains = domain_order
        .iter()
        .map(|domain_id| {
            let (right, all) = count(&mut marked.iter().filter(|m| m.domain_id == *domain_id));
            DomainResult {
                domain_id: *domain_id,
                meets: all > 0 && right * 100 >= all * u32::from(cut_percent),
            }
        })
        .collect();
    Score {
        raw,
        max_raw,
        raw_cut: cut_raw,
        scaled,
        passed: scaled >= cut,
        domains,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn all_or_nothing() {
        assert!(is_correct(&set(&["a", "c"]), &set(&["c", "a"])));
        assert!(!is_correct(&set(&["a"]), &set(&["a", "c"])), "partly right is wrong");
        assert!(
            !is_correct(&set(&["a", "b", "c"]), &set(&["a", "c"])),
            "too many is wrong"
        );
        assert!(!is_correct(&set(&[]), &set(&[])), "unanswered is wrong");
    }

    #[test]
    fn pass_exactly_at_the_raw_cut_with_domain_feedback() {
        let (d1, d2) = (Uuid::from_u128(1), Uuid::from_u128(2));
        // 10 items, 70 % → raw cut 7. Domain 1: 6 of 6 right; domain 2: 1 of 4 right.
        let mut marked: Vec<Marked> = (0..6)
            .map(|_| Marked {
                domain_id: d1,
                correct: true,
            })
            .collect();
        marked.push(Marked {
            domain_id: d2,
            correct: true,
        });
        marked.extend((0..3).map(|_| Marked {
            domain_id: d2,
            correct: false,
        }));
        let result = score(&marked, 70, ScaledScore::DEFAULT_CUT, &[d1, d2]);
        assert_eq!((result.raw, result.max_raw, result.raw_cut), (7, 10, 7));
        assert_eq!(result.scaled, ScaledScore::DEFAULT_CUT);
        assert!(result.passed);
        assert_eq!(
            result.domains,
            [
                DomainResult {
                    domain_id: d1,
                    meets: true
                },
                DomainResult {
                    domain_id: d2,
                    meets: false
                }
            ]
        );

        marked[0].correct = false;
        let failed = score(&marked, 70, ScaledScore::DEFAULT_CUT, &[d1, d2]);
        assert!(!failed.passed && failed.scaled < ScaledScore::DEFAULT_CUT);
    }
}
