//! Will the programme reach its target by its deadline?
//!
//! **Method.** Take the net daily change of the certified count over the trailing window (the
//! [`WINDOW_DAYS`] complete days before today; new certifications minus expiries and
//! revocations, so lost certificates count against the rate). Treat future days as independent
//! draws from that window: after `n` days the count has grown by a sum with mean `n·μ` and
//! standard deviation `σ·√n` (μ, σ the window's mean and sample standard deviation). By the normal
//! approximation the target, `R` away, is reached within `n` days with probability `p` where
//! `n·μ + z·σ·√n = R` and `z` is the `p` quantile of the standard normal, i.e.
//! `√n = (−z·σ + √(z²σ² + 4μR)) / 2μ`. P10 (optimistic, z = 1.2816) and P90 (cautious,
//! z = −1.2816) bracket P50 (`n = R/μ`). A window that does not grow (μ ≤ 0), or that would take
//! more than a century, gives no date.
//!
//! The rate still needed is what remains, spread over the days left up to and including the
//! deadline.

use time::{Date, Duration};

/// Days the forecast learns from.
pub const WINDOW_DAYS: u16 = 28;

/// The standard normal's 90 % quantile.
const Z90: f64 = 1.281_551_565_545;

/// The programme's promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Goal {
    pub target: u64,
    /// The last day on which reaching the target keeps the promise.
    pub deadline: Date,
}

/// When the target is reached, as a range; a date more than a century away is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Projection {
    pub p10: Option<Date>,
    pub p50: Option<Date>,
    pub p90: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outlook {
    /// The target is reached.
    Reached,
    /// Even the cautious date (P90) is on or before the deadline.
    OnTrack,
    /// The central date (P50) makes the deadline, the cautious one does not.
    AtRisk,
    /// The central date is after the deadline, or the count is not growing.
    OffTrack,
}

impl Outlook {
    pub fn name(self) -> &'static str {
        match self {
            Self::Reached => "reached",
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::OffTrack => "off_track",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub current: i64,
    pub remaining: u64,
    /// Mean and sample standard deviation of the window's net daily change.
    pub mean_daily: f64,
    pub sd_daily: f64,
    pub projection: Option<Projection>,
    pub outlook: Outlook,
    /// Days left from today to the deadline, both included; zero once it has passed.
    pub days_left: i64,
    /// What must be added per day and per week, on average, to make the deadline; `None` once
    /// the deadline has passed with the target unmet.
    pub needed_per_day: Option<u64>,
    pub needed_per_week: Option<u64>,
}

/// The forecast count on one day: the 10th, 50th and 90th percentiles of the certified count,
/// under the same model as the projected dates (each day adds a normal draw with the window's
/// mean and standard deviation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandPoint {
    pub date: Date,
    pub low: f64,
    pub central: f64,
    pub high: f64,
}

impl Forecast {
    /// The forecast band from `today` (where it is the current count) to `until`, one point every
    /// `step` days and one on `until` itself.
    pub fn band(&self, today: Date, until: Date, step: i64) -> Vec<BandPoint> {
        let current = self.current as f64;
        let mut points = Vec::new();
        let mut days = 0;
        loop {
            let date = (today + Duration::days(days)).min(until);
            let t = (date - today).whole_days().max(0) as f64;
            let central = current + self.mean_daily * t;
            let spread = Z90 * self.sd_daily * t.sqrt();
            points.push(BandPoint {
                date,
                low: (central - spread).max(0.0),
                central: central.max(0.0),
                high: (central + spread).max(0.0),
            });
            if date >= until {
                return points;
            }
            days += step.max(1);
        }
    }
}

/// Forecasts from `window`, the net daily changes of the days before `today`, oldest first.
pub fn forecast(goal: Goal, current: i64, today: Date, window: &[i64]) -> Forecast {
    let remaining = u64::try_from(i64::try_from(goal.target).unwrap_or(i64::MAX).saturating_sub(current)).unwrap_or(0);
    let (mean_daily, sd_daily) = mean_and_sd(window);
    let days_left = ((goal.deadline - today).whole_days() + 1).max(0);
    let projection = project(remaining, mean_daily, sd_daily, today);
    let by_deadline = |date: Option<Date>| date.is_some_and(|d| d <= goal.deadline);
    let outlook = match projection {
        _ if remaining == 0 => Outlook::Reached,
        Some(p) if by_deadline(p.p90) => Outlook::OnTrack,
        Some(p) if by_deadline(p.p50) => Outlook::AtRisk,
        _ => Outlook::OffTrack,
    };
    let needed = |days: u64| (days_left > 0).then(|| (remaining * days).div_ceil(days_left.unsigned_abs()));
    Forecast {
        current,
        remaining,
        mean_daily,
        sd_daily,
        projection,
        outlook,
        days_left,
        needed_per_day: needed(1),
        needed_per_week: needed(7),
    }
}

fn mean_and_sd(window: &[i64]) -> (f64, f64) {
    if window.is_empty() {
        return (0.0, 0.0);
    }
    let n = window.len() as f64;
    let mean = window.iter().map(|&d| d as f64).sum::<f64>() / n;
    if window.len() < 2 {
        return (mean, 0.0);
    }
    let variance = window.iter().map(|&d| (d as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance.sqrt())
}

fn project(remaining: u64, mean: f64, sd: f64, today: Date) -> Option<Projection> {
    if remaining == 0 {
        return Some(Projection {
            p10: Some(today),
            p50: Some(today),
            p90: Some(today),
        });
    }
    if mean <= 0.0 {
        return None;
    }
    let r = remaining as f64;
    let days_at = |z: f64| {
        let root = (-z * sd + (z * z * sd * sd + 4.0 * mean * r).sqrt()) / (2.0 * mean);
        root * root
    };
    let date_after = |days: f64| -> Option<Date> {
        // Reached during day n counts from today: the target is met by the end of that day.
        let whole = days.ceil();
        (whole.is_finite() && whole < 36_500.0).then(|| today + Duration::days(whole as i64 - 1).max(Duration::ZERO))
    };
    Some(Projection {
        p10: date_after(days_at(Z90)),
        p50: date_after(r / mean),
        p90: date_after(days_at(-Z90)),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const GOAL: Goal = Goal {
        target: 10_000,
        deadline: date!(2026 - 12 - 31),
    };

    #[test]
    fn the_band_starts_at_todays_count_and_widens_with_time() {
        let window: Vec<i64> = (0..28).map(|i| if i % 2 == 0 { 80 } else { 120 }).collect();
        let forecast = forecast(GOAL, 1_000, date!(2026 - 12 - 01), &window);
        let band = forecast.band(date!(2026 - 12 - 01), date!(2026 - 12 - 31), 7);
        let dates: Vec<Date> = band.iter().map(|p| p.date).collect();
        assert_eq!(dates.first(), Some(&date!(2026 - 12 - 01)));
        assert_eq!(dates.last(), Some(&date!(2026 - 12 - 31)), "the last point is the end");
        assert_eq!(band.len(), 6, "every 7 days, then the end: {dates:?}");
        assert_eq!(
            (band[0].low, band[0].central, band[0].high),
            (1_000.0, 1_000.0, 1_000.0)
        );
        let last = band[band.len() - 1];
        assert_eq!(last.central, 1_000.0 + 100.0 * 30.0);
        assert!(last.low < last.central && last.central < last.high);
        assert!(last.high - last.low > band[1].high - band[1].low, "wider further out");
    }

    #[test]
    fn a_steady_rate_gives_one_date() {
        // 100 a day, 9,000 to go: 90 more days, the 90th being today + 89.
        let forecast = forecast(GOAL, 1_000, date!(2026 - 12 - 01), &[100; 28]);
        let expected = Some(date!(2026 - 12 - 01) + Duration::days(89));
        assert_eq!(
            forecast.projection,
            Some(Projection {
                p10: expected,
                p50: expected,
                p90: expected
            })
        );
        assert_eq!(forecast.outlook, Outlook::OffTrack);
        assert_eq!(forecast.days_left, 31);
        assert_eq!(forecast.needed_per_day, Some(291), "9,000 over 31 days, rounded up");
        assert_eq!(forecast.needed_per_week, Some(2033));
    }

    #[test]
    fn a_noisy_rate_gives_a_range_around_its_mean() {
        // Alternating 50 and 150: mean 100, sd about 50.9.
        let window: Vec<i64> = (0..28).map(|i| if i % 2 == 0 { 50 } else { 150 }).collect();
        let forecast = forecast(GOAL, 7_000, date!(2026 - 12 - 01), &window);
        let p = forecast.projection.expect("growing");
        assert_eq!(p.p50, Some(date!(2026 - 12 - 30)), "3,000 at 100 a day: 30 days");
        // z·σ·√n ≈ 1.28 · 50.9 · √30 ≈ 357 people, about 3.6 days either way.
        assert_eq!(p.p10, Some(date!(2026 - 12 - 27)));
        assert_eq!(p.p90, Some(date!(2027 - 01 - 03)));
        assert_eq!(forecast.outlook, Outlook::AtRisk);
    }

    #[test]
    fn a_fast_rate_is_on_track_and_a_flat_one_has_no_date() {
        let fast = forecast(GOAL, 7_000, date!(2026 - 12 - 01), &[500; 28]);
        assert_eq!(fast.outlook, Outlook::OnTrack);
        let flat = forecast(GOAL, 7_000, date!(2026 - 12 - 01), &[0; 28]);
        assert_eq!(flat.projection, None);
        assert_eq!(flat.outlook, Outlook::OffTrack);
        let shrinking = forecast(GOAL, 7_000, date!(2026 - 12 - 01), &[-3; 28]);
        assert_eq!(shrinking.projection, None);
    }

    #[test]
    fn a_cautious_date_beyond_a_century_keeps_the_others() {
        // One a day on average with wild swings: P50 in 100 days, P90 out of sight.
        let window: Vec<i64> = (0..28).map(|i| if i % 2 == 0 { 1_001 } else { -999 }).collect();
        let goal = Goal {
            target: 200,
            deadline: date!(2027 - 12 - 31),
        };
        let forecast = forecast(goal, 100, date!(2026 - 12 - 01), &window);
        let p = forecast.projection.expect("growing");
        assert_eq!(p.p50, Some(date!(2026 - 12 - 01) + Duration::days(99)));
        assert_eq!(p.p90, None);
        assert_eq!(p.p10, Some(date!(2026 - 12 - 01)));
        assert_eq!(forecast.outlook, Outlook::AtRisk);
    }

    #[test]
    fn a_reached_target_and_a_passed_deadline() {
        let reached = forecast(GOAL, 10_500, date!(2026 - 12 - 01), &[10; 28]);
        assert_eq!(reached.outlook, Outlook::Reached);
        assert_eq!(reached.remaining, 0);
        assert_eq!(reached.needed_per_day, Some(0));
        let late = forecast(GOAL, 9_000, date!(2027 - 01 - 05), &[10; 28]);
        assert_eq!(late.days_left, 0);
        assert_eq!(late.needed_per_day, None);
        assert_eq!(late.outlook, Outlook::OffTrack);
    }
}
