//! Certificates: public verification without an account (by hash, by credential id, or by the
//! credential document), the issuer's published keys, holders' certificates, and revocation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse as _, Response};
use certify_accounts::Role;
use certify_certificates::export::StandingKind;
use certify_certificates::pdf;
use certify_certificates::{Certificate, Check, EventKind, IssuerSettings, Standing, Verdict, Verification};
use certify_core::Sha256Hex;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Staff};
use crate::error::{ApiError, Problem, ProblemType};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

const JSON_PROBLEM: &str = "application/problem+json";

fn parse_hash(raw: &str) -> Result<Sha256Hex, ApiError> {
    Sha256Hex::parse(raw).map_err(|err| ApiError::invalid_field("hash", err))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// `hash_known`, `signature`, `not_revoked`, `not_superseded` or `not_expired`.
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationView {
    /// `valid`, `expired`, `revoked`, `superseded` or `unknown`.
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
    responses((status = OK, body = VerificationView), (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
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
    responses((status = OK, body = VerificationView), (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
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
/// (`Content-Type: application/pdf`; its attached `credential.json` is checked) or the signed
/// credential JSON itself. Checks its hash, its signature, and the standing of the certificate.
#[utoipa::path(post, path = "/api/v1/verify", tag = "verification",
    request_body(description = "A certificate PDF or a signed credential", content(("application/pdf"), (std::collections::HashMap<String, serde_json::Value> = "application/json"))),
    responses((status = OK, body = VerificationView), (status = BAD_REQUEST, body = Problem, content_type = JSON_PROBLEM),
        (status = PAYLOAD_TOO_LARGE, body = Problem, content_type = JSON_PROBLEM),
        (status = UNSUPPORTED_MEDIA_TYPE, body = Problem, content_type = JSON_PROBLEM),
        (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn verify_upload(
    State(state): State<AppState>,
    upload: CertificateUpload,
) -> Result<Json<VerificationView>, ApiError> {
    let document = match upload {
        CertificateUpload::Pdf(bytes) => credential_in_pdf(bytes).await?,
        CertificateUpload::Credential(document) => document,
    };
    if !document.is_object() {
        return Err(ApiError::invalid_field("body", "a credential is a JSON object"));
    }
    let verification = certify_certificates::verify_document(&state.db, state.clock.now(), &document).await?;
    Ok(Json(verification_view(&state, verification)))
}

/// Reads the credential attached to an uploaded PDF, off the async runtime: parsing is CPU work,
/// and a malformed file that makes the parser panic must cost only this request.
async fn credential_in_pdf(bytes: Bytes) -> Result<serde_json::Value, ApiError> {
    let unreadable = |detail: String| ApiError::new(ProblemType::UnreadableDocument, detail);
    tokio::task::spawn_blocking(move || pdf::extract_credential(&bytes))
        .await
        .map_err(|_| unreadable("the upload is not a readable PDF".to_owned()))?
        .map_err(|err| unreadable(err.to_string()))
}

/// The verification page for people: what the QR code on a certificate opens.
pub async fn verify_page(
    State(state): State<AppState>,
    axum::extract::Path(hash): axum::extract::Path<String>,
) -> Result<(StatusCode, Html<String>), ApiError> {
    let (status, view) = match verify_hash_view(&state, &hash).await {
        Ok(view) => (StatusCode::OK, view),
        // The API answers a malformed hash with 422; so does the page, saying what a hash is.
        Err(err) if err.kind() == ProblemType::ValidationFailed => (
            StatusCode::UNPROCESSABLE_ENTITY,
            VerificationView {
                status: "unknown".into(),
                hash: None,
                checks: vec![CheckView {
                    name: "hash".into(),
                    passed: false,
                    detail: "this is not a certificate hash: a hash is 64 characters, each 0 to 9 or a to f, \
                         as printed on the certificate under its QR code"
                        .into(),
                }],
                holder_name: None,
                achievement: None,
                issuer: None,
                issued_at: None,
                expires_at: None,
                credential_id: None,
                revocation_reason: None,
                revoked_at: None,
                superseded_by: None,
            },
        ),
        Err(err) => return Err(err),
    };
    Ok((status, Html(render_page(&view))))
}

fn render_page(view: &VerificationView) -> String {
    let e = |text: &str| html_escape::encode_text(text).into_owned();
    let headline = match view.status.as_str() {
        "valid" => "Valid certificate",
        "expired" => "Expired certificate",
        "revoked" => "Revoked certificate",
        "superseded" => "Superseded certificate",
        _ => "Not a certificate issued here",
    };
    let date = |d: Option<OffsetDateTime>| d.map(|d| d.date().to_string()).unwrap_or_default();
    let mut facts = String::new();
    for (label, value) in [
        ("Holder", view.holder_name.clone().unwrap_or_default()),
        ("Achievement", view.achievement.clone().unwrap_or_default()),
        ("Issuer", view.issuer.clone().unwrap_or_default()),
        ("Issued", date(view.issued_at)),
        ("Expires", date(view.expires_at)),
        ("Credential", view.credential_id.clone().unwrap_or_default()),
        ("Hash", view.hash.clone().unwrap_or_default()),
        ("Revocation reason", view.revocation_reason.clone().unwrap_or_default()),
    ] {
        if !value.is_empty() {
            facts.push_str(&format!("<dt>{}</dt><dd>{}</dd>", e(label), e(&value)));
        }
    }
    if let Some(newer) = &view.superseded_by {
        facts.push_str(&format!(
            "<dt>Replaced by</dt><dd><a href=\"{0}\">{0}</a></dd>",
            html_escape::encode_double_quoted_attribute(newer)
        ));
    }
    let checks: String = view
        .checks
        .iter()
        .map(|c| {
            format!(
                "<li class=\"{}\">{} {}</li>",
                if c.passed { "ok" } else { "fail" },
                if c.passed { "✔" } else { "✘" },
                e(&c.detail)
            )
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{headline}</title><style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d2433}}\
         .valid{{color:#11703c}}.expired,.superseded{{color:#8a5a00}}.revoked,.unknown{{color:#a11d1d}}dt{{font-weight:600;margin-top:.5rem}}\
         dd{{margin:0;word-break:break-all}}li.ok{{color:#11703c}}li.fail{{color:#a11d1d}}</style></head><body>\
         <h1 class=\"{status}\">{headline}</h1><dl>{facts}</dl><h2>Checks</h2><ul>{checks}</ul>\
         <p>Machine-readable: <code>GET /api/v1/verify/{{hash}}</code>. Signed with eddsa-jcs-2022; issuer keys at <a href=\"/.well-known/jwks.json\">/.well-known/jwks.json</a>.</p></body></html>",
        status = e(&view.status),
    )
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

/// The issuer's profile with its keys as Multikey verification methods (no account needed).
#[utoipa::path(get, path = "/issuer", tag = "verification", responses((status = OK, description = "Issuer profile (JSON-LD)", body = Object)))]
pub async fn issuer_profile(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let keys = certify_certificates::key_store::published_keys(&state.db)
        .await
        .map_err(ApiError::internal)?;
    let issuer_id = state.issuer.issuer_id();
    let methods: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| serde_json::json!({"id": format!("{issuer_id}#{}", k.id), "type": "Multikey", "controller": issuer_id, "publicKeyMultibase": k.id}))
        .collect();
    let ids: Vec<String> = keys.iter().map(|k| format!("{issuer_id}#{}", k.id)).collect();
    Ok(Json(serde_json::json!({
        "@context": [certify_certificates::credential::VC_CONTEXT, "https://w3id.org/security/multikey/v1"],
        "id": issuer_id,
        "type": ["Profile"],
        "name": state.issuer.issuer_name,
        "verificationMethod": methods,
        "assertionMethod": ids,
    })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub id: Uuid,
    /// `urn:uuid:…`
    pub credential_id: String,
    /// The holder's account.
    pub holder_id: Uuid,
    pub holder_name: String,
    pub achievement: String,
    pub track_id: Uuid,
    /// The holder's firm when the certificate was issued.
    pub firm_id_at_issuance: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// `valid`, `expired`, `revoked` or `superseded`.
    pub status: String,
    /// Lowercase hex SHA-256 of the canonical credential without its proof.
    pub hash: String,
    pub verify_url: String,
    /// Opens LinkedIn's add-certification form, prefilled.
    pub linkedin_add_url: String,
}

fn linkedin_url(certificate: &Certificate, issuer: &IssuerSettings) -> String {
    let (issued, expires) = (certificate.issued_at, certificate.expires_at);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("startTask", "CERTIFICATION_NAME")
        .append_pair("name", &certificate.achievement_name)
        .append_pair("organizationName", &issuer.issuer_name)
        .append_pair("issueYear", &issued.year().to_string())
        .append_pair("issueMonth", &u8::from(issued.month()).to_string())
        .append_pair("expirationYear", &expires.year().to_string())
        .append_pair("expirationMonth", &u8::from(expires.month()).to_string())
        .append_pair("certUrl", &issuer.verify_url(&certificate.hash))
        .append_pair("certId", &certificate.credential_id)
        .finish();
    format!("https://www.linkedin.com/profile/add?{query}")
}

pub(crate) fn certificate_view(
    certificate: Certificate,
    issuer: &IssuerSettings,
    now: OffsetDateTime,
) -> CertificateView {
    let status = status_name(&Verdict::Known(certificate.standing_at(now))).to_owned();
    CertificateView {
        id: certificate.id,
        credential_id: certificate.credential_id.clone(),
        holder_id: certificate.account_id,
        holder_name: certificate.holder_name.clone(),
        achievement: certificate.achievement_name.clone(),
        track_id: certificate.track_id,
        firm_id_at_issuance: certificate.firm_id_at_issuance,
        issued_at: certificate.issued_at,
        expires_at: certificate.expires_at,
        status,
        hash: certificate.hash.to_string(),
        verify_url: issuer.verify_url(&certificate.hash),
        linkedin_add_url: linkedin_url(&certificate, issuer),
    }
}

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
async fn readable_certificate(
    state: &AppState,
    caller: &certify_accounts::Principal,
    id: Uuid,
) -> Result<Certificate, ApiError> {
    let certificate = certify_certificates::get_certificate(&state.db, id).await?;
    let allowed = match caller.role {
        Role::ProgrammeStaff => true,
        Role::Consultant => certificate.account_id == caller.account_id,
        // A firm admin reads the certificates of their firm's current members, wherever earned.
        Role::FirmAdmin { firm_id } => {
            certify_firms::current_firm_of(&state.db, certificate.account_id)
                .await
                .map_err(ApiError::internal)?
                == Some(firm_id)
        }
    };
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
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn download_pdf(
    State(state): State<AppState>,
    Caller(me): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let certificate = readable_certificate(&state, &me, id).await?;
    let bytes = render_pdf(certificate, state.issuer.clone())
        .await
        .map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"certificate-{id}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Renders off the async runtime: a page takes a few milliseconds of CPU.
pub(crate) async fn render_pdf(certificate: Certificate, issuer: IssuerSettings) -> anyhow::Result<Vec<u8>> {
    Ok(tokio::task::spawn_blocking(move || pdf::render_certificate(&certificate, &issuer)).await??)
}

/// One certificate (its holder, their firm admin or programme staff).
#[utoipa::path(get, path = "/api/v1/certificates/{certificate_id}", tag = "certificates", params(("certificate_id" = Uuid, Path)),
    responses((status = OK, body = CertificateView), (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
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
    responses((status = OK, description = "OpenBadgeCredential with an eddsa-jcs-2022 proof", body = Object), (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
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
    responses((status = OK, body = CertificateView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM), (status = CONFLICT, body = Problem, content_type = JSON_PROBLEM),
        (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
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
    responses((status = CREATED, body = CertificateView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM), (status = CONFLICT, body = Problem, content_type = JSON_PROBLEM),
        (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
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
    responses((status = OK, body = Vec<CertificateEventView>), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
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
