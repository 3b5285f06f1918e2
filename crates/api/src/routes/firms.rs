//! Partner firms. Firm admins reach only their own firm, through [`FirmScope`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_accounts::Role;
use certify_certificates::firm_view::{active_certifications, tier_forecast};
use certify_core::SearchText;
use certify_core::text::parse_display_text;
use certify_firms::{CountryCode, FirmChanges, FirmKind, FirmQuery, NewFirm, Website};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::scopes::FirmRead;
use crate::auth::{ConsultantScope, FirmScope, Staff};
use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem, Validation};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::paging::{PageView, page_request};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::firms::TierName;
use crate::views::firms::{FirmKindName, FirmView};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFirmRequest {
    #[schema(example = "Northwind Consulting")]
    pub name: String,
    pub kind: FirmKindName,
    #[schema(example = "DE")]
    pub country: String,
    #[schema(example = "https://northwind.example")]
    pub website: Option<String>,
}

impl CreateFirmRequest {
    fn parse(self) -> Result<NewFirm, ApiError> {
        let mut v = Validation::default();
        let name = v.check("name", parse_display_text(&self.name, 200));
        let country = v.check("country", CountryCode::parse(&self.country));
        let website = v.check_optional("website", self.website.as_deref().map(Website::parse));
        let parsed = (|| {
            Some(NewFirm {
                name: name?,
                kind: self.kind.into(),
                country: country?,
                website: website?,
            })
        })();
        v.finish(parsed)
    }
}

/// Register a partner firm (programme staff).
#[utoipa::path(
    post,
    path = "/api/v1/firms",
    tag = "firms",
    request_body = CreateFirmRequest,
    responses(
        (status = CREATED, body = FirmView),
        Forbidden,
        Invalid,
    )
)]
pub async fn create_firm(
    State(state): State<AppState>,
    _staff: Staff,
    ApiJson(request): ApiJson<CreateFirmRequest>,
) -> Result<(StatusCode, Json<FirmView>), ApiError> {
    let new = request.parse()?;
    let firm = certify_firms::create_firm(&state.db, state.clock.now(), new).await?;
    Ok((StatusCode::CREATED, Json(firm.into())))
}

/// One firm: programme staff see any, a firm admin only their own.
#[utoipa::path(
    get,
    path = "/api/v1/firms/{firm_id}", security(("firm_client" = ["firm:read"])),
    tag = "firms",
    params(("firm_id" = Uuid, Path, description = "The firm's id")),
    responses(
        (status = OK, body = FirmView),
        Forbidden,
        (status = NOT_FOUND, description = "no such firm, or not the caller's firm", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub async fn get_firm(scope: FirmScope<FirmRead>) -> Result<Json<FirmView>, ApiError> {
    Ok(Json(scope.firm.into()))
}

#[derive(Debug, Deserialize)]
pub struct MemberPath {
    pub firm_id: Uuid,
    pub account_id: Uuid,
}

/// Make a consultant a member of a firm from now on, ending any other membership (programme
/// staff). Joining the current firm again changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/firms/{firm_id}/members/{account_id}",
    tag = "firms",
    params(("firm_id" = Uuid, Path), ("account_id" = Uuid, Path)),
    responses(
        (status = NO_CONTENT, description = "the consultant is a member of the firm"),
        Forbidden,
        NotFound,
        (status = UNPROCESSABLE_ENTITY, description = "the account is not a consultant", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub async fn add_member(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(path): ApiPath<MemberPath>,
) -> Result<StatusCode, ApiError> {
    let account = certify_accounts::find_account(&state.db, path.account_id).await?;
    if account.role != certify_accounts::Role::Consultant {
        return Err(ApiError::invalid_field(
            "account_id",
            "only consultants are members of a firm",
        ));
    }
    certify_firms::join_firm(&state.db, state.clock.now(), path.firm_id, path.account_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListFirmsQuery {
    /// Part of the firm's name, any case.
    pub q: Option<String>,
    pub kind: Option<FirmKindName>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// A firm in the staff list, with its tier now.
#[derive(Debug, Serialize, ToSchema)]
pub struct FirmListItem {
    #[serde(flatten)]
    pub firm: FirmView,
    pub tier: TierName,
    /// Current members holding at least one active certificate.
    pub active_consultants: u32,
}

/// List and search partner firms with their tiers (programme staff), in registration order.
#[utoipa::path(
    get,
    path = "/api/v1/firms",
    tag = "firms",
    params(ListFirmsQuery),
    responses(
        (status = OK, description = "one page of firms", body = PageView<FirmListItem>),
        Forbidden,
        Invalid,
    )
)]
pub async fn list_firms(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(query): ApiQuery<ListFirmsQuery>,
) -> Result<Json<PageView<FirmListItem>>, ApiError> {
    let page = page_request(query.after, query.limit)?;
    let mut v = Validation::default();
    let country = v.check_optional("country", query.country.as_deref().map(CountryCode::parse));
    let search = v.check("q", SearchText::parse(query.q.as_deref().unwrap_or_default()));
    let (country, search) = v.finish(country.zip(search))?;
    let filter = FirmQuery {
        search,
        kind: query.kind.map(FirmKind::from),
        country,
    };
    let firms = certify_firms::list_firms(&state.db, &filter, page).await?;
    let ids: Vec<Uuid> = firms.items.iter().map(|f| f.id).collect();
    let thresholds = certify_firms::thresholds::tier_thresholds(&state.db).await?.thresholds;
    let active = active_certifications(&state.db, state.clock.now(), Some(&ids))
        .await
        .map_err(ApiError::internal)?;
    let items = firms
        .items
        .into_iter()
        .map(|firm| {
            let own: Vec<_> = active.iter().filter(|a| a.firm_id == firm.id).cloned().collect();
            let forecast = tier_forecast(&thresholds, &own);
            FirmListItem {
                firm: firm.into(),
                tier: forecast.tier.into(),
                active_consultants: forecast.active,
            }
        })
        .collect();
    Ok(Json(PageView {
        items,
        next_cursor: firms.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFirmRequest {
    pub name: Option<String>,
    /// Programme staff only: the kind decides which breakdowns a firm counts in.
    pub kind: Option<FirmKindName>,
    pub country: Option<String>,
    /// An absolute http(s) URL; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
}

/// Tells a `null` apart from a missing member: `Some(None)` is an explicit `null`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Change a firm's profile (firm admin or programme staff); fields left out stay as they are.
#[utoipa::path(
    patch,
    path = "/api/v1/firms/{firm_id}",
    tag = "firms",
    params(("firm_id" = Uuid, Path)),
    request_body = UpdateFirmRequest,
    responses(
        (status = OK, body = FirmView),
        Forbidden,
        NotFound,
        Invalid,
    )
)]
pub async fn update_firm(
    State(state): State<AppState>,
    scope: FirmScope,
    ApiJson(request): ApiJson<UpdateFirmRequest>,
) -> Result<Json<FirmView>, ApiError> {
    if request.kind.is_some() && scope.principal.role != Role::ProgrammeStaff {
        return Err(ApiError::forbidden("only programme staff change a firm's kind"));
    }
    let mut v = Validation::default();
    let name = v.check_optional("name", request.name.as_deref().map(|n| parse_display_text(n, 200)));
    let country = v.check_optional("country", request.country.as_deref().map(CountryCode::parse));
    let website = match request.website {
        None => Some(None),
        Some(None) => Some(Some(None)),
        Some(Some(raw)) => v.check("website", Website::parse(&raw)).map(|w| Some(Some(w))),
    };
    let changes = (|| {
        Some(FirmChanges {
            name: name?,
            kind: request.kind.map(FirmKind::from),
            country: country?,
            website: website?,
        })
    })();
    let changes = v.finish(changes)?;
    let firm = certify_firms::update_firm(&state.db, scope.firm_id, changes).await?;
    Ok(Json(firm.into()))
}

/// One stretch of a consultant's time at a firm.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    /// Absent for a firm admin asking about a firm other than their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firm_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Absent for the current firm.
    #[serde(with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub left_at: Option<OffsetDateTime>,
}

/// A consultant's firms over time, oldest first (programme staff, the consultant, or the admin of
/// their current firm).
#[utoipa::path(
    get,
    path = "/api/v1/consultants/{account_id}/memberships",
    tag = "firms",
    params(("account_id" = Uuid, Path)),
    responses(
        (status = OK, body = Vec<MembershipView>),
        NotFound,
    )
)]
pub async fn membership_history(
    State(state): State<AppState>,
    scope: ConsultantScope,
) -> Result<Json<Vec<MembershipView>>, ApiError> {
    let history = certify_firms::membership_history(&state.db, scope.account_id).await?;
    // A firm admin must not learn which other firms exist.
    let visible = |firm_id: Uuid| match scope.principal.role {
        Role::FirmAdmin { firm_id: own } => (own == firm_id).then_some(firm_id),
        Role::ProgrammeStaff | Role::Consultant => Some(firm_id),
    };
    Ok(Json(
        history
            .into_iter()
            .map(|m| MembershipView {
                firm_id: visible(m.firm_id),
                joined_at: m.joined_at,
                left_at: m.left_at,
            })
            .collect(),
    ))
}
