//! When a consultant may start an attempt. The defaults follow the large certification vendors:
//! wait 24 hours after a first fail and 14 days after each later one, sit at most 5 attempts in
//! any rolling 12 months (365 days), and, while holding a valid certificate for the track, sit
//! again only to recertify, in the 90 days before it expires.

use std::ops::RangeInclusive;

use time::{Duration, OffsetDateTime};

use crate::error::FieldProblem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetakePolicy {
    pub wait_after_first_fail: Duration,
    pub wait_after_later_fails: Duration,
    pub max_attempts_in_window: u32,
    pub window: Duration,
    /// How long before a held certificate expires its holder may sit the exam again.
    pub recertification_window: Duration,
}

impl Default for RetakePolicy {
    fn default() -> Self {
        Self {
            wait_after_first_fail: Duration::hours(24),
            wait_after_later_fails: Duration::days(14),
            max_attempts_in_window: 5,
            window: Duration::days(365),
            recertification_window: Duration::days(90),
        }
    }
}

/// A retake policy in the whole minutes and days a request states it, not yet range-checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetakeInput {
    pub wait_after_first_fail_minutes: i64,
    pub wait_after_later_fails_minutes: i64,
    pub max_attempts_in_window: i64,
    pub window_days: i64,
    pub recertification_window_days: i64,
}

impl RetakePolicy {
    /// The accepted range of each number of a [`RetakeInput`]; the API documents the same.
    pub const WAIT_MINUTES: RangeInclusive<i64> = 0..=525_600;
    pub const MAX_ATTEMPTS: RangeInclusive<i64> = 1..=100;
    pub const WINDOW_DAYS: RangeInclusive<i64> = 1..=3_650;
    /// Up to the longest validity (120 months): a window as long as the validity lets a holder
    /// sit again at any time.
    pub const RECERTIFICATION_WINDOW_DAYS: RangeInclusive<i64> = 0..=3_650;

    /// Checks every number against its range (fields named `<prefix>.<field>`), so no duration
    /// is ever built from an out-of-range number.
    pub fn parse(input: RetakeInput, prefix: &str) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut within = |field: &str, value: i64, range: RangeInclusive<i64>, unit: &str| {
            if range.contains(&value) {
                value
            } else {
                problems.push(FieldProblem::new(
                    format!("{prefix}.{field}"),
                    format!("must be between {} and {} {unit}", range.start(), range.end()),
                ));
                *range.start()
            }
        };
        let first = within(
            "wait_after_first_fail_minutes",
            input.wait_after_first_fail_minutes,
            Self::WAIT_MINUTES,
            "minutes",
        );
        let later = within(
            "wait_after_later_fails_minutes",
            input.wait_after_later_fails_minutes,
            Self::WAIT_MINUTES,
            "minutes",
        );
        let attempts = within(
            "max_attempts_in_window",
            input.max_attempts_in_window,
            Self::MAX_ATTEMPTS,
            "attempts",
        );
        let window = within("window_days", input.window_days, Self::WINDOW_DAYS, "days");
        let recertification = within(
            "recertification_window_days",
            input.recertification_window_days,
            Self::RECERTIFICATION_WINDOW_DAYS,
            "days",
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            wait_after_first_fail: Duration::minutes(first),
            wait_after_later_fails: Duration::minutes(later),
            max_attempts_in_window: u32::try_from(attempts).unwrap_or(1),
            window: Duration::days(window),
            recertification_window: Duration::days(recertification),
        })
    }

    /// The policy in the numbers [`RetakePolicy::parse`] takes.
    pub fn input(&self) -> RetakeInput {
        RetakeInput {
            wait_after_first_fail_minutes: self.wait_after_first_fail.whole_minutes(),
            wait_after_later_fails_minutes: self.wait_after_later_fails.whole_minutes(),
            max_attempts_in_window: self.max_attempts_in_window.into(),
            window_days: self.window.whole_days(),
            recertification_window_days: self.recertification_window.whole_days(),
        }
    }

    /// A holder of a valid certificate for the track may sit again only to recertify: from
    /// `recertification_window` before it expires.
    pub fn check_holding(&self, held_until: Option<OffsetDateTime>, now: OffsetDateTime) -> Result<(), Certified> {
        match held_until {
            Some(expires_at) if now < expires_at - self.recertification_window => Err(Certified {
                expires_at,
                recertify_from: expires_at - self.recertification_window,
            }),
            _ => Ok(()),
        }
    }
}

/// A past attempt as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastAttempt {
    pub started_at: OffsetDateTime,
    /// `None` while the attempt is still open.
    pub finished: Option<Finished>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    pub at: OffsetDateTime,
    pub passed: bool,
}

/// Why an attempt may not start yet, and when it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetakeBlock {
    /// Waiting out the pause after a fail.
    Waiting { until: OffsetDateTime },
    /// The window's quota is used up; the oldest attempt in it ages out at `until`.
    QuotaReached { until: OffsetDateTime },
}

impl RetakeBlock {
    pub fn until(self) -> OffsetDateTime {
        match self {
            Self::Waiting { until } | Self::QuotaReached { until } => until,
        }
    }
}

/// A valid certificate for the track is held; recertification opens at `recertify_from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certified {
    pub expires_at: OffsetDateTime,
    pub recertify_from: OffsetDateTime,
}

impl RetakePolicy {
    /// `Ok` when an attempt may start at `now`, else the block that ends latest. `history` may
    /// be in any order; an open attempt is the caller's concern (one open attempt at a time).
    pub fn check(&self, history: &[PastAttempt], now: OffsetDateTime) -> Result<(), RetakeBlock> {
        let mut blocks = Vec::new();
        if let Some(until) = self.wait_until(history).filter(|until| *until > now) {
            blocks.push(RetakeBlock::Waiting { until });
        }
        let mut in_window = self.started_in_window(history, now);
        if in_window.len() >= usize::try_from(self.max_attempts_in_window).unwrap_or(usize::MAX) {
            in_window.sort_unstable();
            // The attempt that must age out for the count to drop below the quota.
            let excess = in_window.len() - usize::try_from(self.max_attempts_in_window).unwrap_or(0);
            if let Some(oldest) = in_window.get(excess) {
                blocks.push(RetakeBlock::QuotaReached {
                    until: *oldest + self.window,
                });
            }
        }
        blocks.into_iter().max_by_key(|block| block.until()).map_or(Ok(()), Err)
    }

    /// How many attempts count against the quota at `now`.
    pub fn attempts_in_window(&self, history: &[PastAttempt], now: OffsetDateTime) -> u32 {
        u32::try_from(self.started_in_window(history, now).len()).unwrap_or(u32::MAX)
    }

    fn started_in_window(&self, history: &[PastAttempt], now: OffsetDateTime) -> Vec<OffsetDateTime> {
        let window_start = now - self.window;
        history
            .iter()
            .map(|a| a.started_at)
            .filter(|started| *started > window_start)
            .collect()
    }

    /// The end of the pause owed for the fails since the last pass, if any.
    fn wait_until(&self, history: &[PastAttempt]) -> Option<OffsetDateTime> {
        let mut finished: Vec<Finished> = history.iter().filter_map(|a| a.finished).collect();
        finished.sort_by_key(|f| f.at);
        let since_pass: Vec<&Finished> = finished.iter().rev().take_while(|f| !f.passed).collect();
        let last_fail = since_pass.first()?;
        let wait = if since_pass.len() == 1 {
            self.wait_after_first_fail
        } else {
            self.wait_after_later_fails
        };
        Some(last_fail.at + wait)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const T0: OffsetDateTime = datetime!(2026-01-01 09:00 UTC);

    fn failed(at: OffsetDateTime) -> PastAttempt {
        PastAttempt {
            started_at: at - Duration::hours(2),
            finished: Some(Finished { at, passed: false }),
        }
    }

    fn passed(at: OffsetDateTime) -> PastAttempt {
        PastAttempt {
            started_at: at - Duration::hours(2),
            finished: Some(Finished { at, passed: true }),
        }
    }

    #[test]
    fn a_holder_may_sit_again_only_inside_the_recertification_window() {
        let policy = RetakePolicy::default();
        let expires_at = T0 + Duration::days(730);
        let recertify_from = expires_at - Duration::days(90);
        assert_eq!(
            policy.check_holding(Some(expires_at), T0),
            Err(Certified {
                expires_at,
                recertify_from
            }),
            "just passed"
        );
        assert!(
            policy
                .check_holding(Some(expires_at), recertify_from - Duration::seconds(1))
                .is_err()
        );
        assert_eq!(policy.check_holding(Some(expires_at), recertify_from), Ok(()));
        assert_eq!(policy.check_holding(Some(expires_at), expires_at), Ok(()), "expired");
        assert_eq!(
            policy.check_holding(None, T0),
            Ok(()),
            "not certified, revoked or expired"
        );
        let no_window = RetakePolicy {
            recertification_window: Duration::ZERO,
            ..policy
        };
        assert!(
            no_window
                .check_holding(Some(expires_at), expires_at - Duration::seconds(1))
                .is_err()
        );
    }

    #[test]
    fn every_number_of_a_policy_is_range_checked_before_it_becomes_a_duration() {
        let good = RetakePolicy::default().input();
        assert_eq!(RetakePolicy::parse(good, "p"), Ok(RetakePolicy::default()));
        let extreme = RetakeInput {
            wait_after_first_fail_minutes: i64::MAX,
            wait_after_later_fails_minutes: i64::MIN,
            max_attempts_in_window: 0,
            window_days: 106_751_991_167_301,
            recertification_window_days: -1,
        };
        let fields: Vec<String> = RetakePolicy::parse(extreme, "retake_policy")
            .expect_err("out of range")
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "retake_policy.wait_after_first_fail_minutes",
                "retake_policy.wait_after_later_fails_minutes",
                "retake_policy.max_attempts_in_window",
                "retake_policy.window_days",
                "retake_policy.recertification_window_days"
            ]
        );
    }

    #[test]
    fn a_first_attempt_may_always_start() {
        assert_eq!(RetakePolicy::default().check(&[], T0), Ok(()));
    }

    #[test]
    fn after_a_first_fail_wait_24_hours() {
        let policy = RetakePolicy::default();
        let history = [failed(T0)];
        let until = T0 + Duration::hours(24);
        assert_eq!(
            policy.check(&history, until - Duration::seconds(1)),
            Err(RetakeBlock::Waiting { until })
        );
        assert_eq!(policy.check(&history, until), Ok(()));
    }

    #[test]
    fn after_each_later_fail_wait_14_days() {
        let policy = RetakePolicy::default();
        let second_fail = T0 + Duration::days(2);
        let history = [failed(T0), failed(second_fail)];
        let until = second_fail + Duration::days(14);
        assert_eq!(
            policy.check(&history, until - Duration::minutes(1)),
            Err(RetakeBlock::Waiting { until })
        );
        assert_eq!(policy.check(&history, until), Ok(()));

        let third_fail = until + Duration::days(1);
        let history = [failed(T0), failed(second_fail), failed(third_fail)];
        let until = third_fail + Duration::days(14);
        assert_eq!(
            policy.check(&history, until - Duration::minutes(1)),
            Err(RetakeBlock::Waiting { until })
        );
    }

    #[test]
    fn a_pass_resets_the_fail_count() {
        let policy = RetakePolicy::default();
        let pass = T0 + Duration::days(20);
        let fail_after_pass = pass + Duration::days(300);
        let history = [
            failed(T0),
            failed(T0 + Duration::days(2)),
            passed(pass),
            failed(fail_after_pass),
        ];
        let until = fail_after_pass + Duration::hours(24);
        assert_eq!(
            policy.check(&history, fail_after_pass + Duration::hours(1)),
            Err(RetakeBlock::Waiting { until })
        );
    }

    #[test]
    fn at_most_five_attempts_in_any_rolling_12_months() {
        let policy = RetakePolicy {
            wait_after_first_fail: Duration::ZERO,
            wait_after_later_fails: Duration::ZERO,
            ..RetakePolicy::default()
        };
        let history: Vec<PastAttempt> = (0..5).map(|n| failed(T0 + Duration::days(30 * n))).collect();
        let oldest_start = T0 - Duration::hours(2);
        let until = oldest_start + Duration::days(365);
        let now = T0 + Duration::days(150);
        assert_eq!(policy.check(&history, now), Err(RetakeBlock::QuotaReached { until }));
        assert_eq!(
            policy.check(&history, until - Duration::seconds(1)),
            Err(RetakeBlock::QuotaReached { until })
        );
        assert_eq!(
            policy.check(&history, until),
            Ok(()),
            "the oldest attempt has left the window"
        );
        assert_eq!(
            policy.check(&history[1..], now),
            Ok(()),
            "four attempts leave room for a fifth"
        );
    }

    #[test]
    fn the_block_that_ends_latest_is_reported() {
        let policy = RetakePolicy::default();
        let history: Vec<PastAttempt> = (0..5).map(|n| failed(T0 + Duration::days(15 * n))).collect();
        let last_fail = T0 + Duration::days(60);
        let now = last_fail + Duration::days(1);
        let quota_until = T0 - Duration::hours(2) + Duration::days(365);
        assert_eq!(
            policy.check(&history, now),
            Err(RetakeBlock::QuotaReached { until: quota_until })
        );
        assert!(quota_until > last_fail + Duration::days(14));
    }
}
