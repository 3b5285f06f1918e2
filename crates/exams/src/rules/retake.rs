//! When a consultant may start an attempt. The defaults follow the large certification vendors:
//! wait 24 hours after a first fail and 14 days after each later one, and sit at most 5 attempts
//! in any rolling 12 months (365 days).

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetakePolicy {
    pub wait_after_first_fail: Duration,
    pub wait_after_later_fails: Duration,
    pub max_attempts_in_window: u32,
    pub window: Duration,
}

impl Default for RetakePolicy {
    fn default() -> Self {
        Self {
            wait_after_first_fail: Duration::hours(24),
            wait_after_later_fails: Duration::days(14),
            max_attempts_in_window: 5,
            window: Duration::days(365),
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

impl RetakePolicy {
    /// `Ok` when an attempt may start at `now`, else the block that ends latest. `history` may
    /// be in any order; an open attempt is the caller's concern (one open attempt at a time).
    pub fn check(&self, history: &[PastAttempt], now: OffsetDateTime) -> Result<(), RetakeBlock> {
        let mut blocks = Vec::new();
        if let Some(until) = self.wait_until(history).filter(|until| *until > now) {
            blocks.push(RetakeBlock::Waiting { until });
        }
        let window_start = now - self.window;
        let mut in_window: Vec<OffsetDateTime> = history
            .iter()
            .map(|a| a.started_at)
            .filter(|started| *started > window_start)
            .collect();
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
