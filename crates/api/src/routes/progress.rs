//! Programme progress: the public headline toward the target and its live stream; breakdowns,
//! the daily series and the forecast for programme staff.

use std::convert::Infallible;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use certify_progress::{DayRange, DayRangeError, Dimension, Forecast, Goal, Headline};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::auth::Staff;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::problem_responses::{Forbidden, Invalid};
use crate::state::AppState;

fn day_string(day: Date) -> String {
    day.to_string()
}

fn parse_day(field: &str, raw: &str) -> Result<Date, ApiError> {
    let format = time::macros::format_description!("[year repr:full sign:automatic]-[month]-[day]");
    Date::parse(raw.trim(), format)
        .ok()
        .filter(|day| (2000..=9999).contains(&day.year()))
        .ok_or_else(|| ApiError::invalid_field(field, "a date is written YYYY-MM-DD, from the year 2000 on"))
}

/// The promise and how far along it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeadlineView {
    /// Distinct consultants holding at least one active certificate.
    #[schema(example = 212_480)]
    pub certified: i64,
    /// Distinct consultants ever certified.
    pub ever_certified: i64,
    #[schema(example = 300_000)]
    pub target: u64,
    /// The last day of the promise, `YYYY-MM-DD`.
    #[schema(example = "2026-12-31")]
    pub deadline: String,
    /// How many more certified consultants reach the target (0 once reached).
    pub remaining: u64,
    /// Moves with every change of the counters.
    pub version: i64,
}

fn headline_view(headline: Headline, goal: Goal) -> HeadlineView {
    HeadlineView {
        certified: headline.certified,
        ever_certified: headline.ever_certified,
        target: goal.target,
        deadline: day_string(goal.deadline),
        remaining: goal
            .target
            .saturating_sub(u64::try_from(headline.certified).unwrap_or(0)),
        version: headline.version,
    }
}

/// The headline: certified consultants toward the target (no account needed). Read in O(1):
/// the counters are kept in the transactions that change certificates.
#[utoipa::path(get, path = "/api/v1/progress", tag = "progress", responses((status = OK, body = HeadlineView)))]
pub async fn headline(State(state): State<AppState>) -> Result<Json<HeadlineView>, ApiError> {
    let headline = certify_progress::headline(&state.db).await?;
    Ok(Json(headline_view(headline, state.goal)))
}

/// The headline as server-sent events (no account needed): a `headline` event at once, then one
/// whenever the numbers change, whichever instance changed them.
#[utoipa::path(get, path = "/api/v1/progress/stream", tag = "progress",
    responses((status = OK, description = "`text/event-stream` of `headline` events, each carrying a HeadlineView", content_type = "text/event-stream")))]
pub async fn stream(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let goal = state.goal;
    let updates = futures_util::stream::unfold(state.live_headline.subscribe(), move |mut updates| async move {
        let headline = updates.next().await?;
        let data = serde_json::to_string(&headline_view(headline, goal)).unwrap_or_default();
        let event = Event::default()
            .event("headline")
            .id(headline.version.to_string())
            .data(data);
        Some((Ok(event), updates))
    });
    Sse::new(updates).keep_alive(KeepAlive::default())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BreakdownQuery {
    /// `firm_kind`, `firm`, `country` or `track`.
    pub by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    /// The firm or track id, the firm kind, or the country code; `null` for consultants without
    /// a firm (or a country).
    pub key: Option<String>,
    /// The firm's or track's name, the kind or the country.
    pub label: Option<String>,
    pub certified: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownView {
    pub by: String,
    /// Certified consultants in all groups (for `track`, a consultant certified in two tracks
    /// counts in both groups, once in this total).
    pub certified: i64,
    /// Largest first.
    pub groups: Vec<GroupView>,
}

/// Certified consultants by firm kind, firm, country or track (programme staff). Firm and
/// country follow each consultant's current membership.
#[utoipa::path(get, path = "/api/v1/progress/breakdown", tag = "progress", params(BreakdownQuery),
    responses((status = OK, body = BreakdownView),
        Forbidden,
        Invalid))]
pub async fn breakdown(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(query): ApiQuery<BreakdownQuery>,
) -> Result<Json<BreakdownView>, ApiError> {
    let by = Dimension::parse(query.by.trim()).ok_or_else(|| {
        let known: Vec<&str> = Dimension::ALL.iter().map(|d| d.name()).collect();
        ApiError::invalid_field("by", format!("unknown dimension; use one of {}", known.join(", ")))
    })?;
    let (headline, groups) = state.breakdowns.breakdown(&state.db, state.clock.now(), by).await?;
    Ok(Json(BreakdownView {
        by: by.name().to_owned(),
        certified: headline.certified,
        groups: groups
            .iter()
            .map(|g| GroupView {
                key: g.key.clone(),
                label: g.label.clone(),
                certified: g.certified,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeriesQuery {
    /// First day, `YYYY-MM-DD` (default: 89 days before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today, UTC). At most two years after `from`.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayView {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Certified consultants at the end of the day.
    pub certified: i64,
    /// The day's net change of that count (certifications less expiries and revocations).
    pub net_change: i64,
    /// Consultants certified for the first time.
    pub newly_certified: i64,
    /// Certificates earned that day (first certifications and recertifications).
    pub new_certifications: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesView {
    pub from: String,
    pub to: String,
    /// Every day of the range, oldest first.
    pub days: Vec<DayView>,
}

/// The daily series of new certifications and of the certified count (programme staff).
#[utoipa::path(get, path = "/api/v1/progress/series", tag = "progress", params(SeriesQuery),
    responses((status = OK, body = SeriesView),
        Forbidden,
        Invalid))]
pub async fn series(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(query): ApiQuery<SeriesQuery>,
) -> Result<Json<SeriesView>, ApiError> {
    let to = match &query.to {
        Some(raw) => parse_day("to", raw)?,
        None => certify_progress::utc_day(state.clock.now()),
    };
    let range = match &query.from {
        Some(raw) => DayRange::new(parse_day("from", raw)?, to),
        None => DayRange::ending(to, 90),
    }
    .map_err(|err| {
        let field = match err {
            DayRangeError::EndsBeforeStart { .. } => "to",
            DayRangeError::TooLong { .. } | DayRangeError::OutOfRange => "from",
        };
        ApiError::invalid_field(field, err)
    })?;
    let days = certify_progress::daily_series(&state.db, range).await?;
    Ok(Json(SeriesView {
        from: day_string(range.from()),
        to: day_string(range.to()),
        days: days
            .into_iter()
            .map(|d| DayView {
                date: day_string(d.date),
                certified: d.certified,
                net_change: d.net_change,
                newly_certified: d.newly_certified,
                new_certifications: d.certifications,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WindowView {
    pub from: String,
    pub to: String,
    pub days: u16,
    /// Mean and sample standard deviation of the net daily change.
    pub mean_daily_net: f64,
    pub sd_daily_net: f64,
}

/// Each date is `null` when it is more than a century away.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectionView {
    /// Optimistic: one chance in ten of reaching the target sooner.
    pub p10: Option<String>,
    pub p50: Option<String>,
    /// Cautious: nine chances in ten of reaching it by then.
    pub p90: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassRateView {
    /// Exam attempts finished in the window, and how many passed.
    pub finished: u64,
    pub passed: u64,
    /// Passed over finished; `null` when none finished.
    pub rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastView {
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
    pub certified: i64,
    pub target: u64,
    pub remaining: u64,
    pub deadline: String,
    /// Days from today to the deadline, both included.
    pub days_left: i64,
    pub window: WindowView,
    /// When the target is reached at the window's pace; `null` when the count is not growing.
    pub projected: Option<ProjectionView>,
    /// `reached`, `on_track` (P90 by the deadline), `at_risk` (P50 by it, P90 after) or
    /// `off_track`.
    pub outlook: String,
    /// Whether the central projection (P50) makes the deadline.
    pub on_track: bool,
    /// The average still needed to make the deadline; `null` once it has passed.
    pub needed_per_day: Option<u64>,
    pub needed_per_week: Option<u64>,
    /// The exam pass rate over the same window, so the count is read beside the bar it took.
    pub pass_rate: PassRateView,
}

/// The projected date of reaching the target, from the trailing 28 days (programme staff).
#[utoipa::path(get, path = "/api/v1/progress/forecast", tag = "progress",
    responses((status = OK, body = ForecastView), Forbidden))]
pub async fn forecast(State(state): State<AppState>, _staff: Staff) -> Result<Json<ForecastView>, ApiError> {
    let now = state.clock.now();
    let today = certify_progress::utc_day(now);
    let headline = certify_progress::headline(&state.db).await?;
    let (window, net) = certify_progress::trailing_window(&state.db, today).await?;
    let start_of = |day: Date| day.midnight().assume_utc();
    let pass_rate = certify_exams::pass_rate_between(&state.db, start_of(window.from()), start_of(today))
        .await
        .map_err(ApiError::internal)?;
    let forecast: Forecast = certify_progress::forecast(state.goal, headline.certified, today, &net);
    Ok(Json(ForecastView {
        as_of: now,
        certified: forecast.current,
        target: state.goal.target,
        remaining: forecast.remaining,
        deadline: day_string(state.goal.deadline),
        days_left: forecast.days_left,
        window: WindowView {
            from: day_string(window.from()),
            to: day_string(window.to()),
            days: certify_progress::WINDOW_DAYS,
            mean_daily_net: forecast.mean_daily,
            sd_daily_net: forecast.sd_daily,
        },
        projected: forecast.projection.map(|p| ProjectionView {
            p10: p.p10.map(day_string),
            p50: p.p50.map(day_string),
            p90: p.p90.map(day_string),
        }),
        outlook: forecast.outlook.name().to_owned(),
        on_track: forecast
            .projection
            .and_then(|p| p.p50)
            .is_some_and(|p50| p50 <= state.goal.deadline),
        needed_per_day: forecast.needed_per_day,
        needed_per_week: forecast.needed_per_week,
        pass_rate: PassRateView {
            finished: pass_rate.finished,
            passed: pass_rate.passed,
            rate: pass_rate.rate(),
        },
    }))
}
