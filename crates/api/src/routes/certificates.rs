//! Certificates as their holders, firms and programme staff see them: a holder's certificates,
//! one certificate, its PDF and credential, its history, revocation and name correction.
//! Public verification is in `verification`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use certify_certificates::{Certificate, EventKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Staff};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::problem_responses::{Conflict, Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::certificates::{CertificateView, certificate_view, pdf_attachment, render_pdf};

/// The signed-in consultant's certificates, newest first.
#[utoipa::path(get, path = "/api/v1/me/certificates", tag = "certificates", responses((status = OK, body = Vec<CertificateView>)))]
pub async fn my_certificates(
    State(state): State<AppState>,
    Caller(me): Caller,
) -> Result<Json<Vec<CertificateView>>, ApiError> {
    let now = state.clock.now();
    let certificates = certify_certificates::certificates_of(&state.db, me.account_id).await?;
    Ok(Json(
        certificates
            .into_iter()
            .map(|c| certificate_view(c, &state.issuer, now))
            .collect(),
    ))
}

/// A certificate its holder, the admin of the holder's current firm, or programme staff may read;
/// anyone else gets 404.
pub async fn readable_certificate(
    state: &AppState,
    caller: &certify_accounts::Principal,
    id: Uuid,
) -> Result<Certificate, ApiError> {
    let certificate = certify_certificates::get_certificate(&state.db, id).await?;
    // A firm admin reads the certificates of their firm's current members, wherever earned.
    let allowed = certify_firms::may_see_records_of(&state.db, caller, certificate.account_id)
        .await
        .map_err(ApiError::internal)?;
    if allowed {
        Ok(certificate)
    } else {
        Err(ApiError::not_found(format!("no certificate with id {id}")))
    }
}

/// The certificate as a PDF: A4 landscape with a QR code to its verification page and the signed
/// credential attached as `credential.json`, so the file alone can be verified (its holder, their firm admin or
/// programme staff). The same certificate always gives the same bytes.
#[utoipa::path(get, path = "/api/v1/certificates/{certificate_id}/pdf", tag = "certificates", params(("certificate_id" = Uuid, Path)),
    responses((status = OK, description = "The certificate PDF", content_type = "application/pdf", body = Vec<u8>),
        NotFound))]
pub async fn download_pdf(
    State(state): State<AppState>,
    Caller(me): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let certificate = readable_certificate(&state, &me, id).await?;
    let bytes = render_pdf(certificate).await.map_err(ApiError::internal)?;
    Ok(pdf_attachment(id, bytes))
}

/// One certificate (its holder, their firm admin or programme staff).
#[utoipa::path(get, path = "/api/v1/certificates/{certificate_id}", tag = "certificates", params(("certificate_id" = Uuid, Path)),
    responses((status = OK, body = CertificateView), NotFound))]
pub async fn get_certificate(
    State(state): State<AppState>,
    Caller(me): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<CertificateView>, ApiError> {
    let certificate = readable_certificate(&state, &me, id).await?;
    Ok(Json(certificate_view(certificate, &state.issuer, state.clock.now())))
}

/// The signed Open Badges 3.0 credential, exactly as issued (its holder, their firm admin or
/// programme staff).
#[utoipa::path(get, path = "/api/v1/certificates/{certificate_id}/credential", tag = "certificates", params(("certificate_id" = Uuid, Path)),
    responses((status = OK, description = "OpenBadgeCredential with its proofs (eddsa-jcs-2022 and eddsa-rdfc-2022; one eddsa-jcs-2022 proof before proof sets)", body = Object), NotFound))]
pub async fn get_credential(
    State(state): State<AppState>,
    Caller(me): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(readable_certificate(&state, &me, id).await?.credential))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevocationRequest {
    /// Shown to anyone who verifies the certificate.
    pub reason: String,
}

/// Revoke a certificate (programme staff). The reason and date are shown to verifiers.
#[utoipa::path(post, path = "/api/v1/certificates/{certificate_id}/revocation", tag = "certificates", params(("certificate_id" = Uuid, Path)), request_body = RevocationRequest,
    responses((status = OK, body = CertificateView), Forbidden,
        NotFound, Conflict,
        Invalid))]
pub async fn revoke_certificate(
    State(state): State<AppState>,
    Staff(staff): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<RevocationRequest>,
) -> Result<Json<CertificateView>, ApiError> {
    let reason = certify_core::text::parse_display_text(&request.reason, 500)
        .map_err(|err| ApiError::invalid_field("reason", err))?;
    let now = state.clock.now();
    let certificate = certify_certificates::revoke_certificate(&state.db, now, id, staff.account_id, &reason).await?;
    state.refresh_verification_answers().await;
    Ok(Json(certificate_view(certificate, &state.issuer, now)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameCorrectionRequest {
    /// The holder's name as it should be printed.
    pub holder_name: String,
}

/// Correct the holder's name (programme staff): reissues the certificate with the original
/// dates; the new certificate supersedes the old one.
#[utoipa::path(post, path = "/api/v1/certificates/{certificate_id}/name-correction", tag = "certificates", params(("certificate_id" = Uuid, Path)), request_body = NameCorrectionRequest,
    responses((status = CREATED, body = CertificateView), Forbidden,
        NotFound, Conflict,
        Invalid))]
pub async fn correct_name(
    State(state): State<AppState>,
    Staff(staff): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<NameCorrectionRequest>,
) -> Result<(axum::http::StatusCode, Json<CertificateView>), ApiError> {
    let name = certify_core::DisplayName::parse(&request.holder_name)
        .map_err(|err| ApiError::invalid_field("holder_name", err))?;
    let now = state.clock.now();
    let reissued =
        certify_certificates::correct_holder_name(&state.db, now, &state.issuer, id, staff.account_id, name.as_str())
            .await?;
    state.refresh_verification_answers().await;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(certificate_view(reissued, &state.issuer, now)),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateEventView {
    /// `issued`, `reissued` (in place of one whose holder name was corrected), `revoked` or
    /// `superseded`.
    pub kind: String,
    /// Who did it; absent when the platform did (issuance on a pass).
    pub actor_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub detail: Option<String>,
}

/// The wire name of a history entry's kind.
const fn event_kind(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Issued => "issued",
        EventKind::Reissued => "reissued",
        EventKind::Superseded => "superseded",
        EventKind::Revoked => "revoked",
    }
}

/// Every change of a certificate, with who made it and when (programme staff).
#[utoipa::path(get, path = "/api/v1/certificates/{certificate_id}/history", tag = "certificates", params(("certificate_id" = Uuid, Path)),
    responses((status = OK, body = Vec<CertificateEventView>), Forbidden,
        NotFound))]
pub async fn certificate_history(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<CertificateEventView>>, ApiError> {
    certify_certificates::get_certificate(&state.db, id).await?;
    let events = certify_certificates::history_of(&state.db, id).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| CertificateEventView {
                kind: event_kind(e.kind).to_owned(),
                actor_id: e.actor_id,
                at: e.at,
                detail: e.detail,
            })
            .collect(),
    ))
}
