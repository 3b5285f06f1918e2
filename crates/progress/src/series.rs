//! The daily series: for each UTC day, what changed and the certified count at its end.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use time::{Date, Duration};

use crate::ProgressError;
use crate::entity::day;
use crate::ledger::day_key;

/// The longest range one series request covers.
pub const MAX_SERIES_DAYS: i64 = 731;

/// A range of whole days, both ends included: `from` ≤ `to`, at most [`MAX_SERIES_DAYS`] long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    from: Date,
    to: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayRangeError {
    #[error("the range ends ({to}) before it starts ({from})")]
    EndsBeforeStart { from: Date, to: Date },
    #[error("the range covers {days} days; at most {MAX_SERIES_DAYS} (two years) are served at once")]
    TooLong { days: i64 },
    #[error("the range starts before the first representable date")]
    OutOfRange,
}

impl DayRange {
    pub fn new(from: Date, to: Date) -> Result<Self, DayRangeError> {
        if to < from {
            return Err(DayRangeError::EndsBeforeStart { from, to });
        }
        let days = (to - from).whole_days() + 1;
        if days > MAX_SERIES_DAYS {
            return Err(DayRangeError::TooLong { days });
        }
        Ok(Self { from, to })
    }

    /// The `days` days that end with `last`.
    pub fn ending(last: Date, days: u16) -> Result<Self, DayRangeError> {
        let first = last
            .checked_sub(Duration::days(i64::from(days.max(1)) - 1))
            .ok_or(DayRangeError::OutOfRange)?;
        Self::new(first, last)
    }

    pub fn from(&self) -> Date {
        self.from
    }

    pub fn to(&self) -> Date {
        self.to
    }

    pub fn days(&self) -> impl Iterator<Item = Date> + use<> {
        let (from, to) = (self.from, self.to);
        std::iter::successors(Some(from), move |d| d.next_day().filter(|next| *next <= to))
    }
}

/// One day of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayPoint {
    pub date: Date,
    /// Certified consultants at the end of the day.
    pub certified: i64,
    /// The day's net change of that count.
    pub net_change: i64,
    /// Consultants certified for the first time.
    pub newly_certified: i64,
    /// Certificates earned (first certifications and recertifications).
    pub certifications: i64,
}

/// Every day of `range`, days without a change included.
pub async fn daily_series(db: &impl ConnectionTrait, range: DayRange) -> Result<Vec<DayPoint>, ProgressError> {
    // One row per day that changed anything: a few thousand at most over a programme's life.
    let rows = day::Entity::find()
        .filter(day::Column::Day.lte(day_key(range.to)))
        .order_by_asc(day::Column::Day)
        .all(db)
        .await?;
    let start = day_key(range.from);
    let mut certified: i64 = rows.iter().filter(|r| r.day < start).map(|r| r.certified_delta).sum();
    let mut changed = rows.into_iter().filter(|r| r.day >= start).peekable();
    Ok(range
        .days()
        .map(|date| {
            let mut point = DayPoint {
                date,
                certified,
                net_change: 0,
                newly_certified: 0,
                certifications: 0,
            };
            if let Some(row) = changed.next_if(|r| r.day == day_key(date)) {
                point.net_change = row.certified_delta;
                point.newly_certified = row.newly_certified;
                point.certifications = row.certifications;
            }
            certified += point.net_change;
            point.certified = certified;
            point
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn ranges_are_checked_once() {
        assert!(DayRange::new(date!(2026 - 01 - 01), date!(2026 - 01 - 01)).is_ok());
        assert_eq!(
            DayRange::new(date!(2026 - 01 - 02), date!(2026 - 01 - 01)),
            Err(DayRangeError::EndsBeforeStart {
                from: date!(2026 - 01 - 02),
                to: date!(2026 - 01 - 01)
            })
        );
        assert!(
            DayRange::new(date!(2025 - 01 - 01), date!(2027 - 01 - 01)).is_ok(),
            "731 days: two years, one more for a leap day"
        );
        assert_eq!(
            DayRange::new(date!(2025 - 01 - 01), date!(2027 - 01 - 02)),
            Err(DayRangeError::TooLong { days: 732 })
        );
        assert_eq!(DayRange::ending(Date::MIN, 2), Err(DayRangeError::OutOfRange));
        let week = DayRange::ending(date!(2026 - 12 - 01), 7).expect("a week");
        assert_eq!(week.from(), date!(2026 - 11 - 25));
        assert_eq!(week.days().count(), 7);
    }
}
