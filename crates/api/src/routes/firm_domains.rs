//! E-mail domains firms claim, staff verify, and consultants join by.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_firms::{EmailDomain, FirmDomain};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Consultant, FirmScope, Staff, firm_not_found};
use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::firms::FirmView;

#[derive(Debug, Serialize, ToSchema)]
pub struct FirmDomainView {
    #[schema(example = "northwind.example")]
    pub domain: String,
    pub verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub claimed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<OffsetDateTime>,
}

impl From<FirmDomain> for FirmDomainView {
    fn from(domain: FirmDomain) -> Self {
        Self {
            domain: domain.domain,
            verified: domain.verified_at.is_some(),
            claimed_at: domain.claimed_at,
            verified_at: domain.verified_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimDomainRequest {
    #[schema(example = "northwind.example")]
    pub domain: String,
}

#[derive(Debug, Deserialize)]
pub struct DomainPath {
    pub firm_id: Uuid,
    pub domain: String,
}

/// A domain in a path: one that does not parse cannot be claimed, so it is a 404.
fn domain_in_path(raw: &str) -> Result<EmailDomain, ApiError> {
    EmailDomain::parse(raw)
        .map_err(|_| ApiError::not_found(format!("the firm has not claimed {}", certify_core::text::quoted(raw))))
}

/// The firm's claimed domains, verified or not (firm admin or programme staff).
#[utoipa::path(get, path = "/api/v1/firms/{firm_id}/domains", tag = "firms", params(("firm_id" = Uuid, Path)),
    responses((status = OK, body = Vec<FirmDomainView>),
        Forbidden,
        NotFound))]
pub async fn list_domains(
    State(state): State<AppState>,
    scope: FirmScope,
) -> Result<Json<Vec<FirmDomainView>>, ApiError> {
    let domains = certify_firms::domains_of(&state.db, scope.firm_id).await?;
    Ok(Json(domains.into_iter().map(FirmDomainView::from).collect()))
}

/// Claim an e-mail domain for the firm (firm admin or programme staff). The claim counts once
/// programme staff verify it. Claiming a domain the firm holds again returns the claim; a domain
/// another firm holds is a 409.
#[utoipa::path(post, path = "/api/v1/firms/{firm_id}/domains", tag = "firms", params(("firm_id" = Uuid, Path)),
    request_body = ClaimDomainRequest,
    responses((status = CREATED, body = FirmDomainView),
        Forbidden,
        NotFound,
        (status = CONFLICT, description = "`domain-taken`: another firm holds the domain", body = Problem, content_type = PROBLEM_JSON),
        Invalid))]
pub async fn claim_domain(
    State(state): State<AppState>,
    scope: FirmScope,
    ApiJson(request): ApiJson<ClaimDomainRequest>,
) -> Result<(StatusCode, Json<FirmDomainView>), ApiError> {
    let domain = EmailDomain::parse(&request.domain).map_err(|err| ApiError::invalid_field("domain", err))?;
    let claim = certify_firms::claim_domain(
        &state.db,
        state.clock.now(),
        scope.firm_id,
        &domain,
        scope.principal.account_id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(claim.into())))
}

/// Withdraw a claim (firm admin or programme staff). Consultants who joined through it stay.
#[utoipa::path(delete, path = "/api/v1/firms/{firm_id}/domains/{domain}", tag = "firms",
    params(("firm_id" = Uuid, Path), ("domain" = String, Path)),
    responses((status = NO_CONTENT, description = "the claim is withdrawn"),
        Forbidden,
        NotFound))]
pub async fn release_domain(
    State(state): State<AppState>,
    scope: FirmScope,
    ApiPath(path): ApiPath<DomainPath>,
) -> Result<StatusCode, ApiError> {
    let domain = domain_in_path(&path.domain)?;
    certify_firms::release_domain(&state.db, scope.firm_id, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Verify a firm's claim (programme staff), after checking the firm owns the domain.
#[utoipa::path(post, path = "/api/v1/firms/{firm_id}/domains/{domain}/verification", tag = "firms",
    params(("firm_id" = Uuid, Path), ("domain" = String, Path)),
    responses((status = OK, body = FirmDomainView),
        Forbidden,
        NotFound))]
pub async fn verify_domain(
    State(state): State<AppState>,
    Staff(staff): Staff,
    ApiPath(path): ApiPath<DomainPath>,
) -> Result<Json<FirmDomainView>, ApiError> {
    let domain = domain_in_path(&path.domain)?;
    let verified =
        certify_firms::verify_domain(&state.db, state.clock.now(), path.firm_id, &domain, staff.account_id).await?;
    Ok(Json(verified.into()))
}

/// The firm the signed-in consultant belongs to now.
#[utoipa::path(get, path = "/api/v1/me/firm", tag = "firms",
    responses((status = OK, body = FirmView),
        Forbidden,
        (status = NOT_FOUND, description = "the consultant belongs to no firm", body = Problem, content_type = PROBLEM_JSON)))]
pub async fn my_firm(State(state): State<AppState>, Consultant(me): Consultant) -> Result<Json<FirmView>, ApiError> {
    let firm_id = certify_firms::current_firm_of(&state.db, me.account_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("you do not belong to a firm"))?;
    let firm = certify_firms::find_firm(&state.db, firm_id).await?;
    Ok(Json(firm.into()))
}

/// Join the firm that verified the signed-in consultant's e-mail domain, leaving any other firm.
/// Certificates stay with the consultant.
#[utoipa::path(put, path = "/api/v1/me/firm", tag = "firms",
    responses((status = OK, body = FirmView),
        Forbidden,
        (status = NOT_FOUND, description = "no firm has verified the consultant's e-mail domain", body = Problem, content_type = PROBLEM_JSON)))]
pub async fn join_my_firm(
    State(state): State<AppState>,
    Consultant(me): Consultant,
) -> Result<Json<FirmView>, ApiError> {
    let account = certify_accounts::find_account(&state.db, me.account_id).await?;
    let firm_id = certify_firms::join_by_domain(&state.db, state.clock.now(), me.account_id, &account.email).await?;
    let firm = certify_firms::find_firm(&state.db, firm_id)
        .await
        .map_err(|_| firm_not_found(firm_id))?;
    Ok(Json(firm.into()))
}
