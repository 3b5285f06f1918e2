//! Partner firms. Firm admins reach only their own firm, through [`FirmScope`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_core::text::parse_display_text;
use certify_firms::{CountryCode, Firm, FirmError, FirmKind, NewFirm, Website};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{FirmScope, Staff, firm_not_found};
use crate::error::{ApiError, Problem, Validation};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FirmKindName {
    ConsultingFirm,
    SystemsIntegrator,
    TechnologyProvider,
    DeploymentSpecialist,
}

impl From<FirmKindName> for FirmKind {
    fn from(name: FirmKindName) -> Self {
        match name {
            FirmKindName::ConsultingFirm => Self::ConsultingFirm,
            FirmKindName::SystemsIntegrator => Self::SystemsIntegrator,
            FirmKindName::TechnologyProvider => Self::TechnologyProvider,
            FirmKindName::DeploymentSpecialist => Self::DeploymentSpecialist,
        }
    }
}

impl From<FirmKind> for FirmKindName {
    fn from(kind: FirmKind) -> Self {
        match kind {
            FirmKind::ConsultingFirm => Self::ConsultingFirm,
            FirmKind::SystemsIntegrator => Self::SystemsIntegrator,
            FirmKind::TechnologyProvider => Self::TechnologyProvider,
            FirmKind::DeploymentSpecialist => Self::DeploymentSpecialist,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirmView {
    pub id: Uuid,
    pub name: String,
    pub kind: FirmKindName,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Firm> for FirmView {
    fn from(firm: Firm) -> Self {
        Self {
            id: firm.id,
            name: firm.name,
            kind: firm.kind.into(),
            country: firm.country,
            website: firm.website,
            created_at: firm.created_at,
        }
    }
}

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

fn firm_error(err: FirmError) -> ApiError {
    match err {
        FirmError::NotFound(id) => firm_not_found(id),
        FirmError::Unexpected(cause) => ApiError::internal(cause),
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
        (status = FORBIDDEN, body = Problem, content_type = "application/problem+json"),
        (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_firm(
    State(state): State<AppState>,
    _staff: Staff,
    ApiJson(request): ApiJson<CreateFirmRequest>,
) -> Result<(StatusCode, Json<FirmView>), ApiError> {
    let new = request.parse()?;
    let firm = certify_firms::create_firm(&state.db, state.clock.now(), new)
        .await
        .map_err(firm_error)?;
    Ok((StatusCode::CREATED, Json(firm.into())))
}

/// One firm: programme staff see any, a firm admin only their own.
#[utoipa::path(
    get,
    path = "/api/v1/firms/{firm_id}",
    tag = "firms",
    params(("firm_id" = Uuid, Path, description = "The firm's id")),
    responses(
        (status = OK, body = FirmView),
        (status = FORBIDDEN, body = Problem, content_type = "application/problem+json"),
        (status = NOT_FOUND, description = "no such firm, or not the caller's firm", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_firm(State(state): State<AppState>, scope: FirmScope) -> Result<Json<FirmView>, ApiError> {
    let firm = certify_firms::find_firm(&state.db, scope.firm_id)
        .await
        .map_err(firm_error)?;
    Ok(Json(firm.into()))
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
        (status = FORBIDDEN, body = Problem, content_type = "application/problem+json"),
        (status = NOT_FOUND, body = Problem, content_type = "application/problem+json"),
        (status = UNPROCESSABLE_ENTITY, description = "the account is not a consultant", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_member(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(path): ApiPath<MemberPath>,
) -> Result<StatusCode, ApiError> {
    let account = certify_accounts::find_account(&state.db, path.account_id)
        .await
        .map_err(crate::routes::accounts::account_error)?;
    if account.role != certify_accounts::Role::Consultant {
        return Err(ApiError::invalid_field(
            "account_id",
            "only consultants are members of a firm",
        ));
    }
    certify_firms::join_firm(&state.db, state.clock.now(), path.firm_id, path.account_id)
        .await
        .map_err(firm_error)?;
    Ok(StatusCode::NO_CONTENT)
}
