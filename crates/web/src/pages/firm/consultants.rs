//! A firm's certified staff: the table of consultants (filters in the address, so a view can be
//! bookmarked and shared; search; sort; keyset pages both ways), its CSV export of exactly the
//! filtered set, and each consultant's own page. Tenancy is the firm home's: another firm's
//! address is the not-found page.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_api::routes::rosters::consultants_csv;
use certify_api::views::downloads::streamed_attachment;
use certify_certificates::firm_view::{MemberStanding, StandingFilter, TrackStatus, member_standing};
use certify_certificates::staff_table::{
    StaffCursor, StaffOrder, StaffPageAt, soonest_active_expiry, staff_in_order, staff_table,
};
use certify_courses::{Audience, PublicationStatus};
use certify_firms::{CountryCode, MemberQuery};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::FirmPage;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::learner::certificates::{CertificateCard, cards_of};
use crate::pages::{Choice, Chrome, choices, chrome_for, long_date, thousands};

/// Rows on one page of the table.
const PAGE_ROWS: usize = 25;

/// The table's address, as its filter form sends it; every value is text so that a wrong one
/// is shown beside its field instead of refusing the whole request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StaffQuery {
    #[serde(default)]
    pub track: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub q: String,
    /// Days within which an active certificate ends: 30, 60 or 90.
    #[serde(default)]
    pub expiring: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub before: String,
}

/// What a filter field says is wrong with its value.
#[derive(Debug, Clone, Default)]
pub struct FilterErrors {
    pub track: Option<&'static str>,
    pub status: Option<&'static str>,
    pub country: Option<&'static str>,
    pub q: Option<&'static str>,
    pub expiring: Option<&'static str>,
    pub sort: Option<&'static str>,
    pub page: Option<&'static str>,
}

impl FilterErrors {
    fn any(&self) -> bool {
        [
            &self.track,
            &self.status,
            &self.country,
            &self.q,
            &self.expiring,
            &self.sort,
            &self.page,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

/// The table's query, parsed once.
struct ParsedQuery {
    filter: StandingFilter,
    order: StaffOrder,
    at: StaffPageAt,
}

/// The windows the "expiring" filter offers, in days.
const EXPIRING_WINDOWS: [i64; 3] = [30, 60, 90];

fn parse(query: &StaffQuery, now: OffsetDateTime) -> Result<ParsedQuery, FilterErrors> {
    let mut errors = FilterErrors::default();
    let blank = |s: &str| s.trim().is_empty();
    let track_id = if blank(&query.track) {
        None
    } else {
        Uuid::parse_str(query.track.trim())
            .map_err(|_| errors.track = Some("Choose a track from the list."))
            .ok()
    };
    let status = if blank(&query.status) {
        None
    } else {
        TrackStatus::parse(query.status.trim())
            .ok_or_else(|| errors.status = Some("Choose a status from the list."))
            .ok()
    };
    let country = if blank(&query.country) {
        None
    } else {
        CountryCode::parse(query.country.trim())
            .map_err(|_| errors.country = Some("Choose a country from the list."))
            .ok()
    };
    let expiring_before = if blank(&query.expiring) {
        None
    } else {
        match query.expiring.trim().parse::<i64>() {
            Ok(days) if EXPIRING_WINDOWS.contains(&days) => Some(now + time::Duration::days(days)),
            _ => {
                errors.expiring = Some("Choose a period from the list.");
                None
            }
        }
    };
    let search = crate::pages::search_field(&query.q).unwrap_or_else(|problem| {
        errors.q = Some(problem);
        None
    });
    let order = if blank(&query.sort) {
        StaffOrder::default()
    } else {
        StaffOrder::parse(query.sort.trim()).unwrap_or_else(|| {
            errors.sort = Some("Choose an order from the list.");
            StaffOrder::default()
        })
    };
    let cursor = |text: &str| {
        StaffCursor::parse(order, text)
            .map_err(|_| "This page link is not a position in this table: follow the table's own links.")
    };
    let at = match (blank(&query.after), blank(&query.before)) {
        (true, true) => Ok(StaffPageAt::First),
        (false, _) => cursor(&query.after).map(StaffPageAt::After),
        (true, false) => cursor(&query.before).map(StaffPageAt::Before),
    }
    .unwrap_or_else(|err| {
        errors.page = Some(err);
        StaffPageAt::First
    });
    if errors.any() {
        return Err(errors);
    }
    Ok(ParsedQuery {
        filter: StandingFilter {
            members: MemberQuery { country, search },
            track_id,
            status,
            expiring_before,
        },
        order,
        at,
    })
}

/// A query string with these filters (blank ones left out) and `extra` pairs.
fn query_string(query: &StaffQuery, extra: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    let filters = [
        ("track", &query.track),
        ("status", &query.status),
        ("country", &query.country),
        ("q", &query.q),
        ("expiring", &query.expiring),
        ("sort", &query.sort),
    ];
    for (name, value) in filters {
        if !value.trim().is_empty() {
            out.append_pair(name, value.trim());
        }
    }
    for (name, value) in extra {
        out.append_pair(name, value);
    }
    out.finish()
}

/// One certification in a row: "Applied AI Consultant — active until 14 March 2027".
#[derive(Debug, Clone)]
pub struct CertificationCell {
    pub achievement: String,
    pub status: &'static str,
    /// The status's colour, as the certificate cards name it.
    pub class: &'static str,
    pub until: String,
}

#[derive(Debug, Clone)]
pub struct StaffRow {
    pub account_id: Uuid,
    pub name: String,
    pub email: String,
    pub country: String,
    pub certifications: Vec<CertificationCell>,
}

fn status_label(status: TrackStatus) -> &'static str {
    match status {
        TrackStatus::Active => "Active",
        TrackStatus::Expired => "Expired",
        TrackStatus::Revoked => "Revoked",
        TrackStatus::None => "Not certified",
    }
}

fn status_class(status: TrackStatus) -> &'static str {
    match status {
        TrackStatus::Active => "valid",
        TrackStatus::Expired => "expired",
        TrackStatus::Revoked => "revoked",
        TrackStatus::None => "none",
    }
}

fn row(standing: MemberStanding) -> StaffRow {
    let member = standing.member;
    StaffRow {
        account_id: member.account_id,
        name: member.display_name,
        email: member.email.to_string(),
        country: member.country.unwrap_or_default(),
        certifications: standing
            .tracks
            .into_iter()
            .map(|track| CertificationCell {
                achievement: track.achievement_name,
                status: status_label(track.status),
                class: status_class(track.status),
                until: long_date(track.expires_at.date()),
            })
            .collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "firm_staff.html")]
pub struct StaffTable {
    chrome: Chrome,
    firm_id: Uuid,
    firm_name: String,
    query: StaffQuery,
    errors: FilterErrors,
    tracks: Vec<Choice>,
    statuses: Vec<Choice>,
    countries: Vec<Choice>,
    windows: Vec<Choice>,
    orders: Vec<Choice>,
    rows: Vec<StaffRow>,
    /// "124 consultants match", or nothing when the filter is wrong.
    matching: Option<String>,
    previous_url: Option<String>,
    next_url: Option<String>,
    export_url: String,
    filtered: bool,
}

/// The choices of each filter's list, the current ones marked.
struct FilterChoices {
    tracks: Vec<Choice>,
    statuses: Vec<Choice>,
    countries: Vec<Choice>,
    windows: Vec<Choice>,
    orders: Vec<Choice>,
}

async fn filter_choices(state: &AppState, firm_id: Uuid, query: &StaffQuery) -> Result<FilterChoices, PageError> {
    let page = certify_core::PageRequest {
        after: None,
        size: certify_core::PageSize::parse(certify_core::PageSize::MAX).map_err(PageError::internal)?,
    };
    let tracks = certify_courses::list_tracks(&state.db, Audience::Staff, None, page).await?;
    let tracks = tracks
        .items
        .into_iter()
        .filter(|t| t.status != PublicationStatus::Draft)
        .map(|t| (t.id.to_string(), t.title));
    let statuses = TrackStatus::ALL
        .into_iter()
        .map(|s| (s.name().to_owned(), status_label(s).to_owned()));
    let countries = certify_firms::member_countries(&state.db, firm_id).await?;
    let orders = [
        (StaffOrder::Name, "Name (A to Z)"),
        (StaffOrder::ExpiringSoonest, "Expiring soonest"),
    ]
    .map(|(order, label)| (order.name().to_owned(), label.to_owned()));
    let windows = EXPIRING_WINDOWS.map(|days| (days.to_string(), format!("Within {days} days")));
    Ok(FilterChoices {
        tracks: choices(tracks, &query.track),
        statuses: choices(statuses, &query.status),
        countries: choices(countries.into_iter().map(|c| (c.clone(), c)), &query.country),
        windows: choices(windows, &query.expiring),
        orders: choices(orders, &query.sort),
    })
}

/// The certified-staff table.
pub async fn staff(
    State(state): State<AppState>,
    jar: CookieJar,
    FirmPage { visitor, firm }: FirmPage,
    Query(query): Query<StaffQuery>,
) -> Result<Response, PageError> {
    let firm_id = firm.id;
    let FilterChoices {
        tracks,
        statuses,
        countries,
        windows,
        orders,
    } = filter_choices(&state, firm_id, &query).await?;
    let base = format!("/firms/{firm_id}/consultants");
    let (rows, matching, previous_url, next_url, errors) = match parse(&query, state.clock.now()) {
        Ok(parsed) => {
            let page = staff_table(
                &state.db,
                state.clock.now(),
                firm_id,
                &parsed.filter,
                parsed.order,
                &parsed.at,
                PAGE_ROWS,
            )
            .await?;
            let link = |name: &str, cursor: StaffCursor| {
                format!("{base}?{}", query_string(&query, &[(name, &cursor.to_string())]))
            };
            let who = if page.matching == 1 {
                "consultant matches"
            } else {
                "consultants match"
            };
            (
                page.rows.into_iter().map(row).collect(),
                Some(format!("{} {who}", thousands(page.matching as i64))),
                page.previous.map(|c| link("before", c)),
                page.next.map(|c| link("after", c)),
                FilterErrors::default(),
            )
        }
        Err(errors) => (Vec::new(), None, None, None, errors),
    };
    let filtered = [&query.track, &query.status, &query.country, &query.q, &query.expiring]
        .iter()
        .any(|v| !v.trim().is_empty());
    let status = if matching.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = StaffTable {
        chrome,
        firm_id,
        firm_name: firm.name,
        export_url: format!("{base}.csv?{}", query_string(&query, &[])),
        query,
        errors,
        tracks,
        statuses,
        countries,
        windows,
        orders,
        rows,
        matching,
        previous_url,
        next_url,
        filtered,
    };
    Ok((status, jar, page).into_response())
}

/// Exactly the filtered set, in the table's order, as the API's consultants CSV.
pub async fn export(
    State(state): State<AppState>,
    FirmPage { firm, .. }: FirmPage,
    Query(query): Query<StaffQuery>,
) -> Result<Response, PageError> {
    let firm_id = firm.id;
    let parsed = parse(&query, state.clock.now()).map_err(|_| {
        PageError::Api(certify_api::ApiError::new(
            certify_api::ProblemType::ValidationFailed,
            "the table's filters are not valid; correct them on the table's page, then export again",
        ))
    })?;
    let standings = staff_in_order(&state.db, state.clock.now(), firm_id, &parsed.filter, parsed.order).await?;
    let csv = consultants_csv(&standings, true).map_err(PageError::internal)?;
    Ok(streamed_attachment(
        "text/csv; charset=utf-8",
        "consultants.csv",
        Body::from(csv),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "firm_consultant.html")]
pub struct ConsultantPage {
    chrome: Chrome,
    firm_id: Uuid,
    firm_name: String,
    name: String,
    email: String,
    country: String,
    employee_id: String,
    joined: String,
    /// When the first active certificate ends.
    soonest: Option<String>,
    tracks: Vec<crate::pages::learner::learning::TrackCard>,
    certificates: Vec<CertificateCard>,
}

#[derive(Deserialize)]
pub struct AccountParam {
    account_id: Uuid,
}

/// One consultant of the firm: who they are, their learning and exam eligibility, their
/// certificates with status and PDF. A consultant who is not a current member of this firm is
/// the not-found page, exactly as one who does not exist.
pub async fn consultant(
    State(state): State<AppState>,
    jar: CookieJar,
    FirmPage { visitor, firm }: FirmPage,
    PagePath(AccountParam { account_id }): PagePath<AccountParam>,
) -> Result<Response, PageError> {
    let firm_id = firm.id;
    let not_found = || PageError::not_found(format!("no consultant with id {account_id} in this firm"));
    let standing = member_standing(&state.db, state.clock.now(), firm_id, account_id)
        .await?
        .ok_or_else(not_found)?;
    let overview = certify_courses::learning_overview(&state.db, account_id).await?;
    let mut tracks = Vec::with_capacity(overview.tracks.len());
    for track in &overview.tracks {
        tracks.push(crate::pages::learner::learning::track_card(&state, track).await?);
    }
    let certificates = cards_of(&state, account_id).await?;
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let soonest = soonest_active_expiry(&standing).map(|at| long_date(at.date()));
    let member = standing.member;
    let page = ConsultantPage {
        chrome,
        firm_id,
        firm_name: firm.name,
        name: member.display_name,
        email: member.email.to_string(),
        country: member.country.unwrap_or_default(),
        employee_id: member.employee_id.unwrap_or_default(),
        joined: long_date(member.joined_at.date()),
        soonest,
        tracks,
        certificates,
    };
    Ok((jar, page).into_response())
}
