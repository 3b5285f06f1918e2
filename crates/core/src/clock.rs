//! Time is a parameter. Deadlines, retake waits, expiry, token lifetimes and forecasts all ask an
//! injected [`Clock`], so tests move a [`TestClock`] instead of sleeping. `clippy.toml` bans the
//! wall-clock calls everywhere else.

use std::sync::{Arc, Mutex, PoisonError};
use time::{Duration, OffsetDateTime};

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// The clock every component receives.
pub type SharedClock = Arc<dyn Clock>;

/// The real wall clock, in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

/// An instant as RFC 3339 text (`2026-11-22T09:00:00Z`), the form every message and export uses.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // reason: this is the one place that reads the wall clock
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until a test moves it. Clones share the same time.
#[derive(Debug, Clone)]
pub struct TestClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl TestClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    pub fn advance(&self, by: Duration) {
        *self.lock() += by;
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self.lock() = to;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OffsetDateTime> {
        // A panic while holding this lock cannot leave a half-written OffsetDateTime behind.
        self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn test_clock_moves_only_when_told_and_clones_share_time() {
        let clock = TestClock::new(datetime!(2026-01-01 00:00 UTC));
        let shared = clock.clone();
        assert_eq!(shared.now(), datetime!(2026-01-01 00:00 UTC));
        clock.advance(Duration::hours(25));
        assert_eq!(shared.now(), datetime!(2026-01-02 01:00 UTC));
        clock.set(datetime!(2027-06-30 12:00 UTC));
        assert_eq!(shared.now(), datetime!(2027-06-30 12:00 UTC));
    }
}
