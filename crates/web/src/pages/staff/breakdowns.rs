//! Programme staff's breakdowns of the certified count: by firm kind, country, track or firm,
//! as tables with an inline bar per group, sortable by size or name, and as CSV. The numbers
//! come from [`certify_progress::BreakdownCache`], so keeping the page open costs one read of
//! the counters per view.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_progress::{Dimension, Group};
use serde::Deserialize;

use crate::access::StaffPage;
use crate::error::PageError;
use crate::pages::{Chrome, chrome_for, thousands};

#[derive(Debug, Default, Deserialize)]
pub struct BreakdownQuery {
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub sort: String,
}

/// One group as a row.
#[derive(Debug, Clone)]
pub struct GroupRow {
    pub label: String,
    pub certified: String,
    /// Of all certified consultants, "12.5 %".
    pub share: String,
    /// The bar's width against the largest group, 0–100.
    pub bar: u8,
}

#[derive(Template, WebTemplate)]
#[template(path = "breakdowns.html")]
pub struct BreakdownPage {
    chrome: Chrome,
    /// (query value, tab label, current).
    dimensions: Vec<(&'static str, &'static str, bool)>,
    by: &'static str,
    heading: &'static str,
    by_name: bool,
    rows: Vec<GroupRow>,
    certified: String,
    /// A track breakdown counts a consultant once per track.
    per_track_note: bool,
}

fn dimension_label(by: Dimension) -> (&'static str, &'static str) {
    match by {
        Dimension::FirmKind => ("Kind of firm", "Certified consultants by kind of firm"),
        Dimension::Country => ("Country", "Certified consultants by country"),
        Dimension::Track => ("Track", "Certified consultants by track"),
        Dimension::Firm => ("Firm", "Certified consultants by firm"),
    }
}

fn group_label(by: Dimension, group: &Group) -> String {
    match (by, group.label.as_deref()) {
        (Dimension::FirmKind, Some("consulting_firm")) => "Consulting firms".to_owned(),
        (Dimension::FirmKind, Some("systems_integrator")) => "Systems integrators".to_owned(),
        (Dimension::FirmKind, Some("technology_provider")) => "Technology providers".to_owned(),
        (Dimension::FirmKind, Some("deployment_specialist")) => "Deployment specialists".to_owned(),
        (Dimension::Country, None) => "No country recorded".to_owned(),
        (Dimension::Track, None) => "A track that no longer exists".to_owned(),
        (_, None) => "Not at a partner firm".to_owned(),
        (_, Some(label)) => label.to_owned(),
    }
}

fn parse(query: &BreakdownQuery) -> Result<(Dimension, bool), PageError> {
    let by = match query.by.trim() {
        "" => Dimension::FirmKind,
        raw => Dimension::parse(raw).ok_or_else(|| PageError::not_found("no such breakdown"))?,
    };
    Ok((by, query.sort.trim() == "name"))
}

async fn rows(state: &AppState, by: Dimension, by_name: bool) -> Result<(i64, Vec<(String, i64)>), PageError> {
    let (headline, groups) = state
        .breakdowns
        .breakdown(&state.db, state.clock.now(), by)
        .await
        .map_err(PageError::internal)?;
    let mut rows: Vec<(String, i64)> = groups.iter().map(|g| (group_label(by, g), g.certified)).collect();
    if by_name {
        rows.sort_by_key(|(label, _)| label.to_lowercase());
    }
    Ok((headline.certified, rows))
}

pub async fn breakdowns(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    Query(query): Query<BreakdownQuery>,
) -> Result<Response, PageError> {
    let (by, by_name) = parse(&query)?;
    let (certified, groups) = rows(&state, by, by_name).await?;
    let largest = groups.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let rows = groups
        .into_iter()
        .map(|(label, n)| GroupRow {
            label,
            certified: thousands(n),
            share: format!("{:.1} %", 100.0 * n as f64 / certified.max(1) as f64),
            bar: u8::try_from((n * 100 / largest).clamp(0, 100)).unwrap_or(100),
        })
        .collect();
    let (_, heading) = dimension_label(by);
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = BreakdownPage {
        chrome,
        dimensions: Dimension::ALL
            .into_iter()
            .map(|d| (d.name(), dimension_label(d).0, d == by))
            .collect(),
        by: by.name(),
        heading,
        by_name,
        rows,
        certified: thousands(certified),
        per_track_note: by == Dimension::Track,
    };
    Ok((jar, page).into_response())
}

/// The same table as CSV.
pub async fn export(
    State(state): State<AppState>,
    _: StaffPage,
    Query(query): Query<BreakdownQuery>,
) -> Result<Response, PageError> {
    let (by, by_name) = parse(&query)?;
    let (_, groups) = rows(&state, by, by_name).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let (column, _) = dimension_label(by);
    out.write_record([column, "Certified consultants"])
        .map_err(PageError::internal)?;
    for (label, n) in groups {
        out.write_record([
            certify_core::text::spreadsheet_safe(&label).as_ref(),
            n.to_string().as_str(),
        ])
        .map_err(PageError::internal)?;
    }
    let body = out.into_inner().map_err(PageError::internal)?;
    let disposition = format!("attachment; filename=\"certified-by-{}.csv\"", by.name());
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
