//! Programme staff's home: progress toward the target as a burn-up chart (certified per day so
//! far, the target line to the deadline, the forecast band and its central line), a sentence
//! that states the conclusion, the headline numbers with the exam pass rate beside the count, and
//! the rate still needed. The numbers are the API's forecast, computed by the same functions.

use askama::Template;
use askama_web::WebTemplate;
use certify_api::AppState;
use certify_progress::{DayPoint, DayRange, Forecast, Outlook};
use time::{Date, Duration};

use crate::chart::{Band, Line, TimeChart};
use crate::error::PageError;
use crate::pages::{Chrome, long_date, thousands};

/// Days of history the chart shows.
const HISTORY_DAYS: i64 = 180;
/// How far past today the chart looks when the deadline is further away or already past.
const HORIZON_DAYS: i64 = 365;

/// One row of the table beside the chart.
#[derive(Debug, Clone)]
pub struct SeriesRow {
    /// `YYYY-MM-DD`, as the series endpoint writes it.
    pub day: String,
    pub date: String,
    pub certified: String,
    pub net_change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct Dashboard {
    pub chrome: Chrome,
    /// "On track: the forecast reaches 300,000 on 14 December 2026."
    pub conclusion: String,
    /// The outlook's colour: `valid`, `expired` or `revoked`.
    pub tone: &'static str,
    pub outlook: &'static str,
    pub certified: String,
    pub ever_certified: String,
    pub remaining: String,
    pub target: String,
    pub deadline: String,
    /// "91 %" and "1,204 of 1,323 exams passed"; `None` when no exam finished in the window.
    pub pass_rate: Option<(String, String)>,
    pub window: String,
    /// "5,432 a week (776 a day) to make 31 December 2026".
    pub needed: Option<String>,
    /// "The last 28 days added 1,234 a week on average."
    pub pace: String,
    pub chart: String,
    /// The history scaled to itself, when it is tiny against the target ([`close_up`]).
    pub close_up: Option<String>,
    pub rows: Vec<SeriesRow>,
}

fn outlook_words(outlook: Outlook) -> (&'static str, &'static str) {
    match outlook {
        Outlook::Reached => ("Reached", "valid"),
        Outlook::OnTrack => ("On track", "valid"),
        Outlook::AtRisk => ("At risk", "expired"),
        Outlook::OffTrack => ("Off track", "revoked"),
    }
}

fn conclusion(forecast: &Forecast, target: &str, deadline: Date) -> String {
    let deadline = long_date(deadline);
    let p50 = forecast.projection.and_then(|p| p.p50).map(long_date);
    let p90 = forecast.projection.and_then(|p| p.p90).map(long_date);
    match (forecast.outlook, p50, p90) {
        (Outlook::Reached, _, _) => format!("{target} consultants are certified."),
        (Outlook::OnTrack, Some(p50), Some(p90)) => {
            format!("The forecast reaches {target} on {p50}, and by {p90} with 9 chances in 10 — before {deadline}.")
        }
        (Outlook::AtRisk, Some(p50), p90) => format!(
            "The central forecast reaches {target} on {p50}, but the cautious one ({}) is after {deadline}.",
            p90.unwrap_or_else(|| "more than a century away".to_owned())
        ),
        (_, Some(p50), _) => format!("At this pace {target} is reached on {p50}, after the deadline of {deadline}."),
        _ => format!("The count is not growing, so {target} will not be reached at this pace."),
    }
}

/// The recent pace in words: "The last 28 days added 1,234 a week on average."
fn pace(mean_daily: f64) -> String {
    let weekly = (mean_daily * 7.0).round() as i64;
    let days = certify_progress::WINDOW_DAYS;
    match weekly {
        0 => format!("The count has held steady over the last {days} days."),
        w if w > 0 => format!("The last {days} days added {} a week on average.", thousands(w)),
        w => format!("The last {days} days lost {} a week on average.", thousands(-w)),
    }
}

/// The chart: history, the target line, the band and its central line.
fn burn_up(days: &[DayPoint], forecast: &Forecast, target: f64, today: Date, deadline: Date) -> TimeChart {
    let end = if deadline >= today && deadline <= today + Duration::days(HORIZON_DAYS) {
        deadline
    } else {
        today + Duration::days(HORIZON_DAYS.min(90))
    };
    let band = forecast.band(today, end, 7);
    let actual: Vec<(Date, f64)> = days.iter().map(|d| (d.date, d.certified as f64)).collect();
    let mut lines = vec![Line {
        points: actual,
        class: "actual",
        dashed: false,
    }];
    if deadline >= today {
        lines.push(Line {
            points: vec![(today, forecast.current as f64), (deadline, target)],
            class: "target",
            dashed: true,
        });
    }
    lines.push(Line {
        points: band.iter().map(|p| (p.date, p.central)).collect(),
        class: "forecast",
        dashed: true,
    });
    TimeChart {
        title: "Certified consultants: history, target line and forecast".to_owned(),
        description: format!(
            "Certified consultants per day over the last {HISTORY_DAYS} days, {} today; a dashed target line to {} on \
             {}; the forecast's 10th to 90th percentile band and its central line.",
            thousands(forecast.current),
            thousands(target as i64),
            long_date(deadline)
        ),
        from: days.first().map_or(today, |d| d.date),
        to: end,
        bands: vec![Band {
            lower: band.iter().map(|p| (p.date, p.low)).collect(),
            upper: band.iter().map(|p| (p.date, p.high)).collect(),
            class: "forecast",
        }],
        lines,
        levels: Vec::new(),
        today: Some(today),
        id: "burn-up",
    }
}

/// The same history and forecast without the target line, scaled to themselves: drawn when the
/// count is under a twentieth of the target, where the burn-up shows it lying flat on zero.
fn close_up(burn_up: &TimeChart, days: &[DayPoint], target: f64) -> Option<TimeChart> {
    let highest = days.iter().map(|d| d.certified as f64).fold(0.0_f64, f64::max);
    (highest * 20.0 < target).then(|| TimeChart {
        title: "Certified consultants, scaled to the count so far".to_owned(),
        description: format!(
            "The same history and forecast as the burn-up, without the target line, on an axis \
             scaled to them: at most {} certified on one day.",
            thousands(highest as i64)
        ),
        lines: burn_up
            .lines
            .iter()
            .filter(|line| line.class != "target")
            .cloned()
            .collect(),
        id: "close-up",
        ..burn_up.clone()
    })
}

/// The dashboard's view as of the state's clock.
pub async fn dashboard(state: &AppState, chrome: Chrome) -> Result<Dashboard, PageError> {
    let now = state.clock.now();
    let today = certify_progress::utc_day(now);
    let goal = state.goal;
    let headline = certify_progress::headline(&state.db)
        .await
        .map_err(PageError::internal)?;
    let (window, net) = certify_progress::trailing_window(&state.db, today)
        .await
        .map_err(PageError::internal)?;
    let forecast = certify_progress::forecast(goal, headline.certified, today, &net);
    let start_of = |day: Date| day.midnight().assume_utc();
    let pass_rate = certify_exams::pass_rate_between(&state.db, start_of(window.from()), start_of(today)).await?;
    let range = DayRange::new(today - Duration::days(HISTORY_DAYS - 1), today).map_err(PageError::internal)?;
    let days = certify_progress::daily_series(&state.db, range)
        .await
        .map_err(PageError::internal)?;
    let target = thousands(i64::try_from(goal.target).unwrap_or(i64::MAX));
    let (outlook, tone) = outlook_words(forecast.outlook);
    let count = |n: u64| thousands(i64::try_from(n).unwrap_or(i64::MAX));
    let burn_up = burn_up(&days, &forecast, goal.target as f64, today, goal.deadline);
    let chart = burn_up.svg();
    let close_up = close_up(&burn_up, &days, goal.target as f64).map(|chart| chart.svg());
    Ok(Dashboard {
        chrome,
        conclusion: conclusion(&forecast, &target, goal.deadline),
        tone,
        outlook,
        certified: thousands(headline.certified),
        ever_certified: thousands(headline.ever_certified),
        remaining: count(forecast.remaining),
        deadline: long_date(goal.deadline),
        pass_rate: pass_rate.rate().map(|rate| {
            let passed = format!(
                "{} of {} exams passed",
                count(pass_rate.passed),
                count(pass_rate.finished)
            );
            (format!("{:.0} %", rate * 100.0), passed)
        }),
        window: format!("from {} to {}", long_date(window.from()), long_date(window.to())),
        needed: forecast
            .needed_per_week
            .zip(forecast.needed_per_day)
            .filter(|_| forecast.remaining > 0)
            .map(|(week, day)| format!("{} a week ({} a day)", count(week), count(day))),
        pace: pace(forecast.mean_daily),
        target,
        chart,
        close_up,
        rows: days
            .iter()
            .rev()
            .map(|d| SeriesRow {
                day: d.date.to_string(),
                date: long_date(d.date),
                certified: thousands(d.certified),
                net_change: format!("{:+}", d.net_change),
            })
            .collect(),
    })
}
