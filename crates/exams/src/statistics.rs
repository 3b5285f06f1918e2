//! Item and exam statistics for staff, over finished attempts.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context as _;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::bank::{active_key_positions, content_from, export_bank};
use crate::blueprint::get_exam;
use crate::entity::{attempt, attempt_item, item_version};
use crate::error::ExamError;
use crate::rules::key_balance::KeyPositions;
use crate::rules::scoring::is_correct;
use crate::rules::statistics::{ItemFlag, Observation, item_statistics};

#[derive(Debug, Clone, PartialEq)]
pub struct ItemReport {
    pub item_id: Uuid,
    pub domain_id: Uuid,
    pub stem: String,
    pub attempts: usize,
    pub p_value: Option<f64>,
    pub discrimination: Option<f64>,
    pub flags: Vec<ItemFlag>,
}

/// How many finished attempts scored within `[from, to]` on the scaled score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreBucket {
    pub from: u16,
    pub to: u16,
    pub attempts: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExamStatistics {
    pub finished_attempts: usize,
    pub passed_attempts: usize,
    /// Passed over finished; `None` before any attempt finishes.
    pub pass_rate: Option<f64>,
    /// Scaled scores in buckets of 100 points: 100–199, …, 900–1000.
    pub score_distribution: Vec<ScoreBucket>,
    /// Every item of the bank, in creation order.
    pub items: Vec<ItemReport>,
    /// Where the active items' keys sit, per kind.
    pub key_positions: Vec<KeyPositions>,
}

fn bucket_index(scaled: i32) -> usize {
    usize::try_from((scaled.clamp(100, 1000) - 100) / 100)
        .unwrap_or(0)
        .min(8)
}

#[allow(clippy::cast_precision_loss)] // reason: attempt counts are far below 2^52
pub async fn exam_statistics(db: &impl ConnectionTrait, exam_id: Uuid) -> Result<ExamStatistics, ExamError> {
    get_exam(db, exam_id).await?;
    let finished: Vec<attempt::Model> = attempt::Entity::find()
        .filter(attempt::Column::ExamId.eq(exam_id))
        .filter(attempt::Column::FinishedAt.is_not_null())
        .all(db)
        .await?;
    let raw_by_attempt: HashMap<Uuid, u32> = finished
        .iter()
        .map(|a| {
            Ok((
                a.id,
                u32::try_from(a.raw_score.unwrap_or_default()).context("raw score")?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let served = attempt_item::Entity::find()
        .filter(attempt_item::Column::AttemptId.is_in(raw_by_attempt.keys().copied()))
        .all(db)
        .await?;
    let versions = item_version::Entity::find()
        .filter(item_version::Column::ItemId.is_in(served.iter().map(|s| s.item_id)))
        .all(db)
        .await?;
    let keys: HashMap<(Uuid, i32), BTreeSet<String>> = versions
        .iter()
        .map(|v| Ok(((v.item_id, v.version), content_from(Uuid::nil(), v)?.key)))
        .collect::<Result<_, ExamError>>()?;
    let mut observations: HashMap<Uuid, Vec<Observation>> = HashMap::new();
    for item in served {
        let key = keys
            .get(&(item.item_id, item.item_version))
            .context("served version missing")?;
        let selected: BTreeSet<String> = match &item.response {
            Some(json) => serde_json::from_str(json).context("stored response")?,
            None => BTreeSet::new(),
        };
        let raw_score = raw_by_attempt.get(&item.attempt_id).copied().unwrap_or_default();
        observations.entry(item.item_id).or_default().push(Observation {
            correct: is_correct(&selected, key),
            raw_score,
        });
    }
    let bank = export_bank(db, exam_id).await?;
    let key_positions = active_key_positions(&bank);
    let items = bank
        .into_iter()
        .map(|item| {
            let stats = item_statistics(observations.get(&item.id).map(Vec::as_slice).unwrap_or_default());
            ItemReport {
                item_id: item.id,
                domain_id: item.content.domain_id,
                stem: item.content.stem,
                attempts: stats.attempts,
                p_value: stats.p_value,
                discrimination: stats.discrimination,
                flags: stats.flags,
            }
        })
        .collect();
    let mut score_distribution: Vec<ScoreBucket> = (0..9_u16)
        .map(|i| ScoreBucket {
            from: 100 + i * 100,
            to: if i == 8 { 1000 } else { 199 + i * 100 },
            attempts: 0,
        })
        .collect();
    for attempt in &finished {
        if let Some(scaled) = attempt.scaled_score {
            score_distribution[bucket_index(scaled)].attempts += 1;
        }
    }
    let passed_attempts = finished.iter().filter(|a| a.passed == Some(true)).count();
    Ok(ExamStatistics {
        finished_attempts: finished.len(),
        passed_attempts,
        pass_rate: (!finished.is_empty()).then(|| passed_attempts as f64 / finished.len() as f64),
        score_distribution,
        items,
        key_positions,
    })
}

#[cfg(test)]
mod tests {
    use super::bucket_index;

    #[test]
    fn buckets_cover_the_scale() {
        assert_eq!(bucket_index(100), 0);
        assert_eq!(bucket_index(199), 0);
        assert_eq!(bucket_index(720), 6);
        assert_eq!(bucket_index(999), 8);
        assert_eq!(bucket_index(1000), 8);
    }
}

/// Attempts on any exam that finished within a window, and how many of them passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PassRate {
    pub finished: u64,
    pub passed: u64,
}

impl PassRate {
    /// Passed over finished; `None` when nothing finished.
    #[allow(clippy::cast_precision_loss)] // reason: attempt counts are far below 2^52
    pub fn rate(&self) -> Option<f64> {
        (self.finished > 0).then(|| self.passed as f64 / self.finished as f64)
    }
}

/// The programme-wide pass rate of attempts finished in `[from, to)`.
pub async fn pass_rate_between(
    db: &impl ConnectionTrait,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
) -> Result<PassRate, ExamError> {
    use sea_orm::QuerySelect as _;
    // SQLite keeps instants as text, so the database narrows by a day's margin and the exact
    // window is applied here.
    let margin = time::Duration::days(1);
    let finished: Vec<(Option<time::OffsetDateTime>, Option<bool>)> = attempt::Entity::find()
        .select_only()
        .columns([attempt::Column::FinishedAt, attempt::Column::Passed])
        .filter(attempt::Column::FinishedAt.gte(from - margin))
        .filter(attempt::Column::FinishedAt.lt(to + margin))
        .into_tuple()
        .all(db)
        .await?;
    Ok(finished
        .into_iter()
        .filter_map(|(at, passed)| Some((at?, passed?)))
        .filter(|(at, _)| (from..to).contains(at))
        .fold(PassRate::default(), |rate, (_, passed)| PassRate {
            finished: rate.finished + 1,
            passed: rate.passed + u64::from(passed),
        }))
}
