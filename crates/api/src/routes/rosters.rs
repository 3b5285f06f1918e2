//! What a firm admin manages day to day: the roster import, the consultants with their status per
//! track (filtered, searched, paged, exported), the headcount summary and the certificates their
//! consultants hold. Every route is firm-scoped through [`FirmScope`].

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use certify_accounts::Role;
use certify_certificates::firm_view::{
    MemberStanding, StandingFilter, TrackStatus, active_certifications, member_standings, summarise,
};
use certify_core::text::spreadsheet_safe;
use certify_core::{PageRequest, PageSize, SearchText, rfc3339};
use certify_firms::roster::{Importer, RejectedRoster, RosterError, RosterReport, import_roster};
use certify_firms::{CountryCode, MemberQuery};
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::FirmScope;
use crate::auth::scopes::{CertificatesRead, ConsultantsRead, FirmRead, RosterWrite};
use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem, ProblemType, Validation};
use crate::extract::{ApiQuery, media_type_of};
use crate::paging::{PageQuery, PageView, page_request};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::certificates::{CertificateView, certificate_view};
use crate::views::downloads::streamed_attachment;

/// Largest roster accepted: about a million rows.
pub const MAX_ROSTER_BYTES: u64 = 64 * 1024 * 1024;

/// What an import changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterReportView {
    pub import_id: Uuid,
    /// Data rows in the file.
    pub rows: u64,
    /// Consultants new to the firm's roster (with a new account if they had none).
    pub created: u64,
    /// Consultants already on the roster whose name, country or employee id changed.
    pub updated: u64,
    pub unchanged: u64,
    /// Rows whose address is not at a domain the firm has verified: the person is invited and
    /// joins when they accept. The same whether or not the address already had an account.
    pub invited: u64,
    /// The row numbers of the first 100 invited rows (the header is row 1).
    pub invited_rows: Vec<u64>,
}

impl From<RosterReport> for RosterReportView {
    fn from(report: RosterReport) -> Self {
        Self {
            import_id: report.import_id,
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            invited: report.invited,
            invited_rows: report.invited_rows,
        }
    }
}

/// One wrong row of a rejected roster, as listed in the `row_errors` member of an
/// `invalid-roster` problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterRowError {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: u64,
    /// The column's name; absent when the whole row is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

fn rejected(rejected: RejectedRoster) -> ApiError {
    let listed = rejected.errors.len();
    let detail = if rejected.error_count as usize > listed {
        format!(
            "the roster has {} errors (the first {listed} are listed); nothing was imported",
            rejected.error_count
        )
    } else {
        format!("the roster has {} error(s); nothing was imported", rejected.error_count)
    };
    let rows: Vec<RosterRowError> = rejected
        .errors
        .into_iter()
        .map(|e| RosterRowError {
            row: e.row,
            column: e.column,
            message: e.message,
        })
        .collect();
    ApiError::new(ProblemType::InvalidRoster, detail)
        .with_extension("error_count", rejected.error_count.into())
        .with_extension("row_errors", serde_json::to_value(rows).unwrap_or_default())
}

fn too_large() -> ApiError {
    ApiError::new(
        ProblemType::PayloadTooLarge,
        format!("a roster may be at most {} MiB", MAX_ROSTER_BYTES / (1024 * 1024)),
    )
}

/// Import a roster (firm admin or programme staff): CSV with the columns `email`, `full_name` and
/// optionally `country` (ISO 3166-1 alpha-2) and `employee_id`, comma-separated, UTF-8. All or
/// nothing: any invalid row rejects the whole file with an error per row. Idempotent: rows are
/// matched to consultants by e-mail.
#[utoipa::path(
    post,
    path = "/api/v1/firms/{firm_id}/roster", security(("firm_client" = ["roster:write"])),
    tag = "firms",
    params(("firm_id" = Uuid, Path)),
    request_body(content = String, content_type = "text/csv", description = "email,full_name,country,employee_id"),
    responses(
        (status = OK, body = RosterReportView),
        Forbidden,
        NotFound,
        (status = PAYLOAD_TOO_LARGE, body = Problem, content_type = PROBLEM_JSON),
        (status = UNSUPPORTED_MEDIA_TYPE, body = Problem, content_type = PROBLEM_JSON),
        (status = UNPROCESSABLE_ENTITY, description = "`invalid-roster`: `row_errors` lists each wrong row and column", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    scope: FirmScope<RosterWrite>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<RosterReportView>, ApiError> {
    if !matches!(media_type_of(&headers).as_str(), "text/csv" | "application/csv") {
        return Err(ApiError::new(
            ProblemType::UnsupportedMediaType,
            "send the roster as CSV with `Content-Type: text/csv`",
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_ROSTER_BYTES) {
        return Err(too_large());
    }
    let overflowed = Arc::new(AtomicBool::new(false));
    let source = limited_reader(body, overflowed.clone());
    let imported = import_roster(
        &state.db,
        state.clock.now(),
        scope.firm_id,
        Importer {
            account_id: scope.principal.account_id,
            sees_reasons: scope.principal.role == Role::ProgrammeStaff,
        },
        source,
    )
    .await;
    match imported {
        Ok(report) => Ok(Json(report.into())),
        Err(_) if overflowed.load(Ordering::Relaxed) => Err(too_large()),
        Err(RosterError::Rejected(rejection)) => Err(rejected(rejection)),
        Err(RosterError::Firm(err)) => Err(ApiError::from(err)),
    }
}

/// The body as a blocking reader for the CSV parser, cut off past [`MAX_ROSTER_BYTES`].
fn limited_reader(body: Body, overflowed: Arc<AtomicBool>) -> impl io::Read + Send + 'static {
    let mut seen = 0u64;
    let chunks = body
        .into_data_stream()
        .map_err(io::Error::other)
        .and_then(move |chunk: Bytes| {
            seen += chunk.len() as u64;
            let over = seen > MAX_ROSTER_BYTES;
            if over {
                overflowed.store(true, Ordering::Relaxed);
            }
            async move {
                if over {
                    Err(io::Error::other("the roster is too large"))
                } else {
                    Ok(chunk)
                }
            }
        });
    SyncIoBridge::new(StreamReader::new(Box::pin(chunks)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsultantsQuery {
    /// Only consultants with a certificate on this track (with `status`: that status on it).
    pub track_id: Option<Uuid>,
    /// `active`, `expired`, `revoked` or `none`; on `track_id` if given, else on any track.
    pub status: Option<String>,
    /// ISO 3166-1 alpha-2, as the roster recorded it.
    pub country: Option<String>,
    /// Part of the name or e-mail address, any case.
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The filters of [`ConsultantsQuery`] without its paging: an export holds every match.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportConsultantsQuery {
    /// Only consultants with a certificate on this track (with `status`: that status on it).
    pub track_id: Option<Uuid>,
    /// `active`, `expired`, `revoked` or `none`; on `track_id` if given, else on any track.
    pub status: Option<String>,
    /// ISO 3166-1 alpha-2, as the roster recorded it.
    pub country: Option<String>,
    /// Part of the name or e-mail address, any case.
    pub q: Option<String>,
}

impl From<ExportConsultantsQuery> for ConsultantsQuery {
    fn from(q: ExportConsultantsQuery) -> Self {
        Self {
            track_id: q.track_id,
            status: q.status,
            country: q.country,
            q: q.q,
            ..Self::default()
        }
    }
}

impl ConsultantsQuery {
    fn filter(&self) -> Result<StandingFilter, ApiError> {
        let mut v = Validation::default();
        let status = v.check_optional(
            "status",
            self.status
                .as_deref()
                .map(|name| TrackStatus::parse(name).ok_or("must be `active`, `expired`, `revoked` or `none`")),
        );
        let country = v.check_optional("country", self.country.as_deref().map(CountryCode::parse));
        let search = v.check("q", SearchText::parse(self.q.as_deref().unwrap_or_default()));
        let parsed = (|| {
            Some(StandingFilter {
                members: MemberQuery {
                    country: country?,
                    search: search?,
                },
                track_id: self.track_id,
                status: status?,
                expiring_before: None,
            })
        })();
        v.finish(parsed)
    }
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrackStatusName {
    Active,
    Expired,
    Revoked,
    None,
}

impl From<TrackStatus> for TrackStatusName {
    fn from(status: TrackStatus) -> Self {
        match status {
            TrackStatus::Active => Self::Active,
            TrackStatus::Expired => Self::Expired,
            TrackStatus::Revoked => Self::Revoked,
            TrackStatus::None => Self::None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackStandingView {
    pub track_id: Uuid,
    pub achievement: String,
    pub status: TrackStatusName,
    /// The certificate that decides the status.
    pub certificate_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultantView {
    pub account_id: Uuid,
    pub email: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// One entry per track the consultant holds a certificate on; tracks not listed are `none`.
    pub tracks: Vec<TrackStandingView>,
}

impl From<MemberStanding> for ConsultantView {
    fn from(standing: MemberStanding) -> Self {
        let member = standing.member;
        Self {
            account_id: member.account_id,
            email: member.email.to_string(),
            name: member.display_name,
            country: member.country,
            employee_id: member.employee_id,
            joined_at: member.joined_at,
            tracks: standing
                .tracks
                .into_iter()
                .map(|t| TrackStandingView {
                    track_id: t.track_id,
                    achievement: t.achievement_name,
                    status: t.status.into(),
                    certificate_id: t.certificate_id,
                    expires_at: t.expires_at,
                })
                .collect(),
        }
    }
}

/// A firm's current consultants with their certification status per track (firm admin or
/// programme staff), keyset-paginated in account order.
#[utoipa::path(
    get,
    path = "/api/v1/firms/{firm_id}/consultants", security(("firm_client" = ["consultants:read"])),
    tag = "firms",
    params(("firm_id" = Uuid, Path), ConsultantsQuery),
    responses(
        (status = OK, description = "one page of the firm's consultants", body = PageView<ConsultantView>),
        Forbidden,
        NotFound,
        Invalid,
    )
)]
pub async fn list_consultants(
    State(state): State<AppState>,
    scope: FirmScope<ConsultantsRead>,
    ApiQuery(query): ApiQuery<ConsultantsQuery>,
) -> Result<Json<PageView<ConsultantView>>, ApiError> {
    let filter = query.filter()?;
    let page = page_request(query.after, query.limit)?;
    let found = member_standings(&state.db, state.clock.now(), scope.firm_id, &filter, page)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(PageView {
        next_cursor: found.next_cursor,
        items: found.items.into_iter().map(ConsultantView::from).collect(),
    }))
}

/// The same consultants as CSV, one row per consultant and track (a row with an empty track for
/// consultants without certificates), streamed page by page.
#[utoipa::path(
    get,
    path = "/api/v1/firms/{firm_id}/consultants/export.csv", security(("firm_client" = ["consultants:read"])),
    tag = "firms",
    params(("firm_id" = Uuid, Path), ExportConsultantsQuery),
    responses(
        (status = OK, description = "text/csv, streamed", content_type = "text/csv", body = String),
        Forbidden,
        NotFound,
        Invalid,
    )
)]
pub async fn export_consultants(
    State(state): State<AppState>,
    scope: FirmScope<ConsultantsRead>,
    ApiQuery(query): ApiQuery<ExportConsultantsQuery>,
) -> Result<Response, ApiError> {
    let filter = ConsultantsQuery::from(query).filter()?;
    let now = state.clock.now();
    let firm_id = scope.firm_id;
    let page = PageRequest {
        after: None,
        size: PageSize::parse(PageSize::MAX).map_err(ApiError::internal)?,
    };
    let first = member_standings(&state.db, now, firm_id, &filter, page)
        .await
        .map_err(ApiError::internal)?;
    let header = consultants_csv(&[], true).map_err(ApiError::internal)?;
    let pages = stream::unfold(Some(first), move |current| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let current = current?;
            let chunk = consultants_csv(&current.items, false).map_err(io::Error::other);
            let next = match current.next_cursor {
                None => None,
                Some(after) => {
                    let request = PageRequest {
                        after: Some(after),
                        ..page
                    };
                    match member_standings(&state.db, now, firm_id, &filter, request).await {
                        Ok(next) => Some(next),
                        Err(err) => return Some((Err(io::Error::other(err.to_string())), None)),
                    }
                }
            };
            Some((chunk, next))
        }
    });
    let body = stream::once(async move { Ok::<_, io::Error>(header) }).chain(pages);
    Ok(streamed_attachment(
        "text/csv; charset=utf-8",
        "consultants.csv",
        Body::from_stream(body),
    ))
}

pub fn consultants_csv(standings: &[MemberStanding], header: bool) -> anyhow::Result<Bytes> {
    let mut out = csv::Writer::from_writer(Vec::new());
    if header {
        out.write_record([
            "email",
            "full_name",
            "country",
            "employee_id",
            "track_id",
            "achievement",
            "status",
            "expires_at",
        ])?;
    }
    for standing in standings {
        let m = &standing.member;
        let person = [
            m.email.as_str(),
            m.display_name.as_str(),
            m.country.as_deref().unwrap_or(""),
            m.employee_id.as_deref().unwrap_or(""),
        ];
        let person = person.map(spreadsheet_safe);
        if standing.tracks.is_empty() {
            out.write_record(
                person
                    .iter()
                    .map(AsRef::as_ref)
                    .chain(["", "", TrackStatus::None.name(), ""]),
            )?;
        }
        for track in &standing.tracks {
            let (track_id, expires) = (track.track_id.to_string(), rfc3339(track.expires_at));
            let rest = [
                track_id.as_str(),
                &spreadsheet_safe(&track.achievement_name),
                track.status.name(),
                expires.as_str(),
            ];
            out.write_record(person.iter().map(AsRef::as_ref).chain(rest))?;
        }
    }
    Ok(Bytes::from(out.into_inner()?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackHeadcount {
    pub track_id: Uuid,
    /// Consultants holding an active certificate on this track.
    pub active_consultants: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirmSummaryView {
    /// Current members holding at least one active certificate.
    pub active_consultants: u32,
    pub by_track: Vec<TrackHeadcount>,
}

/// A firm's active certified headcount, in all and by track (firm admin or programme staff).
#[utoipa::path(
    get,
    path = "/api/v1/firms/{firm_id}/summary", security(("firm_client" = ["firm:read"])),
    tag = "firms",
    params(("firm_id" = Uuid, Path)),
    responses(
        (status = OK, body = FirmSummaryView),
        Forbidden,
        NotFound,
    )
)]
pub async fn summary(
    State(state): State<AppState>,
    scope: FirmScope<FirmRead>,
) -> Result<Json<FirmSummaryView>, ApiError> {
    let active = active_certifications(&state.db, state.clock.now(), Some(&[scope.firm_id]))
        .await
        .map_err(ApiError::internal)?;
    let summary = summarise(&active);
    Ok(Json(FirmSummaryView {
        active_consultants: summary.active_consultants,
        by_track: summary
            .by_track
            .into_iter()
            .map(|(track_id, active_consultants)| TrackHeadcount {
                track_id,
                active_consultants,
            })
            .collect(),
    }))
}

/// Certificates held by the firm's current consultants, wherever they were earned, in issue order
/// (firm admin or programme staff).
#[utoipa::path(
    get,
    path = "/api/v1/firms/{firm_id}/certificates", security(("firm_client" = ["certificates:read"])),
    tag = "firms",
    params(("firm_id" = Uuid, Path), PageQuery),
    responses(
        (status = OK, description = "one page of the firm's members' certificates", body = PageView<CertificateView>),
        Forbidden,
        NotFound,
        Invalid,
    )
)]
pub async fn firm_certificates(
    State(state): State<AppState>,
    scope: FirmScope<CertificatesRead>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageView<CertificateView>>, ApiError> {
    let page = page_request(query.after, query.limit)?;
    let found = certify_certificates::firm_view::firm_certificates(&state.db, scope.firm_id, page)
        .await
        .map_err(ApiError::internal)?;
    let now = state.clock.now();
    Ok(Json(PageView {
        next_cursor: found.next_cursor,
        items: found
            .items
            .into_iter()
            .map(|c| certificate_view(c, &state.issuer, now))
            .collect(),
    }))
}
