//! Public verification as JSON: by hash, by credential id, or from an uploaded PDF or
//! credential; the issuer's keys and profile. None needs an account; the look-ups are rate
//! limited per client address (see `routes::verification()`). The pages people see are the web
//! edge's.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use certify_certificates::credential::{self, IssuerKey};
use certify_certificates::export::StandingKind;
use certify_certificates::{Check, Standing, Verdict, Verification};
use certify_core::Sha256Hex;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem, ProblemType};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::problem_responses::Invalid;
use crate::state::AppState;

fn parse_hash(raw: &str) -> Result<Sha256Hex, ApiError> {
    Sha256Hex::parse(raw).map_err(|err| ApiError::invalid_field("hash", err))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// `hash_known`, `signature`, `not_revoked`, `not_superseded`, `not_expired`, or for a PDF
    /// `document_as_issued`.
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationView {
    /// `valid`, `expired`, `revoked`, `superseded` or `unknown`; for a PDF whose attached
    /// credential is genuine but whose page was changed, `altered` (the fields below then say what
    /// the genuine certificate says).
    pub status: String,
    pub hash: Option<String>,
    pub checks: Vec<CheckView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub issued_at: Option<OffsetDateTime>,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub revoked_at: Option<OffsetDateTime>,
    /// For a superseded certificate: where its successor is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
}

fn status_name(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Known(standing) => StandingKind::of(standing).name(),
        Verdict::Altered => "altered",
        Verdict::Unknown => "unknown",
    }
}

fn verification_view(state: &AppState, verification: Verification) -> VerificationView {
    let certificate = verification.certificate.as_deref();
    let superseded_by = certificate
        .and_then(|c| c.superseded.as_ref())
        .map(|(_, newer_hash, _)| state.issuer.verify_url(newer_hash));
    let (revoked_at, revocation_reason) = match &verification.verdict {
        Verdict::Known(Standing::Revoked { at, reason }) => (Some(*at), Some(reason.clone())),
        _ => (None, None),
    };
    VerificationView {
        status: status_name(&verification.verdict).to_owned(),
        hash: verification.hash.as_ref().map(ToString::to_string),
        checks: verification
            .checks
            .into_iter()
            .map(|c: Check| CheckView {
                name: c.name.to_owned(),
                passed: c.passed,
                detail: c.detail,
            })
            .collect(),
        holder_name: certificate.map(|c| c.holder_name.clone()),
        achievement: certificate.map(|c| c.achievement_name.clone()),
        issuer: certificate.map(|c| c.issuer_name.clone()),
        issued_at: certificate.map(|c| c.issued_at),
        expires_at: certificate.map(|c| c.expires_at),
        credential_id: certificate.map(|c| c.credential_id.clone()),
        revocation_reason,
        revoked_at,
        superseded_by,
    }
}

async fn verify_hash_view(state: &AppState, raw: &str) -> Result<VerificationView, ApiError> {
    let hash = parse_hash(raw)?;
    let verification =
        certify_certificates::verify_hash(&state.db, &state.certificate_cache, state.clock.now(), &hash).await?;
    Ok(verification_view(state, verification))
}

/// Verify a certificate by its hash (no account needed).
#[utoipa::path(get, path = "/api/v1/verify/{hash}", tag = "verification", params(("hash" = String, Path, description = "64 hex characters", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = OK, body = VerificationView), Invalid))]
pub async fn verify_by_hash(
    State(state): State<AppState>,
    ApiPath(hash): ApiPath<String>,
) -> Result<Json<VerificationView>, ApiError> {
    Ok(Json(verify_hash_view(&state, &hash).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CredentialIdQuery {
    /// The credential's id, `urn:uuid:…` (the bare UUID is accepted too).
    #[param(pattern = "^(urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub credential_id: String,
}

/// Verify a certificate by its credential id (no account needed).
#[utoipa::path(get, path = "/api/v1/verify", tag = "verification", params(CredentialIdQuery),
    responses((status = OK, body = VerificationView), Invalid))]
pub async fn verify_by_credential_id(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CredentialIdQuery>,
) -> Result<Json<VerificationView>, ApiError> {
    let raw = query.credential_id.trim();
    let id = Uuid::parse_str(raw.strip_prefix("urn:uuid:").unwrap_or(raw))
        .map_err(|_| ApiError::invalid_field("credential_id", "a credential id is `urn:uuid:` followed by a UUID"))?;
    let verification =
        certify_certificates::verify_credential_id(&state.db, &state.certificate_cache, state.clock.now(), id).await?;
    Ok(Json(verification_view(&state, verification)))
}

/// Verify an uploaded certificate (no account needed): the PDF as downloaded
/// (`Content-Type: application/pdf`; its attached `credential.json` is checked, and then its page
/// against the one issued with that credential: a changed page is `altered`) or the signed
/// credential JSON itself. Checks its hash, its signature, and the standing of the certificate.
#[utoipa::path(post, path = "/api/v1/verify", tag = "verification",
    request_body(description = "A certificate PDF or a signed credential", content(("application/pdf"), (std::collections::HashMap<String, serde_json::Value> = "application/json"))),
    responses((status = OK, body = VerificationView), (status = BAD_REQUEST, body = Problem, content_type = PROBLEM_JSON),
        (status = PAYLOAD_TOO_LARGE, body = Problem, content_type = PROBLEM_JSON),
        (status = UNSUPPORTED_MEDIA_TYPE, body = Problem, content_type = PROBLEM_JSON),
        Invalid))]
pub async fn verify_upload(
    State(state): State<AppState>,
    upload: CertificateUpload,
) -> Result<Json<VerificationView>, ApiError> {
    let now = state.clock.now();
    let verification = match upload {
        CertificateUpload::Pdf(bytes) => certify_certificates::verify_pdf(&state.db, now, bytes.to_vec()).await?,
        CertificateUpload::Credential(document) if document.is_object() => {
            certify_certificates::verify_document(&state.db, now, &document).await?
        }
        CertificateUpload::Credential(_) => {
            return Err(ApiError::invalid_field("body", "a credential is a JSON object"));
        }
    };
    Ok(Json(verification_view(&state, verification)))
}

/// The issuer's public keys, current and retired, as a JSON Web Key Set (no account needed).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "verification", responses((status = OK, description = "JWK Set of Ed25519 keys", body = Object)))]
pub async fn jwks(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let keys = certify_certificates::key_store::published_keys(&state.db)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        serde_json::json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}),
    ))
}

/// The issuer's profile with its keys as Multikey verification methods (no account needed);
/// valid JSON-LD under the credentials v2, Open Badges 3.0.3 and Controlled Identifiers contexts.
#[utoipa::path(get, path = "/issuer", tag = "verification", responses((status = OK, description = "Issuer profile (JSON-LD)", body = Object)))]
pub async fn issuer_profile(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let keys = certify_certificates::key_store::published_keys(&state.db)
        .await
        .map_err(ApiError::internal)?;
    let keys: Vec<IssuerKey> = keys
        .iter()
        .map(|key| IssuerKey {
            public_key_multibase: key.id.clone(),
        })
        .collect();
    Ok(Json(credential::issuer_profile(
        &state.issuer.issuer_id(),
        &state.issuer.issuer_name,
        &keys,
    )))
}

/// What `POST /api/v1/verify` accepts: a PDF, or a credential as JSON.
pub enum CertificateUpload {
    Pdf(Bytes),
    Credential(serde_json::Value),
}

impl<S: Send + Sync> FromRequest<S> for CertificateUpload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match crate::extract::media_type(&req).as_str() {
            "application/pdf" => Ok(Self::Pdf(crate::extract::body_bytes(req, state).await?)),
            _ => {
                let ApiJson(document) = ApiJson::from_request(req, state).await.map_err(|err| {
                    if err.kind() == ProblemType::UnsupportedMediaType {
                        ApiError::new(
                            ProblemType::UnsupportedMediaType,
                            "send a certificate PDF as `application/pdf` or a credential as `application/json`",
                        )
                    } else {
                        err
                    }
                })?;
                Ok(Self::Credential(document))
            }
        }
    }
}
