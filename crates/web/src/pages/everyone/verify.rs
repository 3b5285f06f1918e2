//! Public verification for people, without an account: a form taking the code printed on a
//! certificate (its hash, or its credential id), and the result page a certificate's QR code
//! opens. The result leads with one sentence a client understands; each check follows in plain
//! words, and the technical detail is folded away.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_api::{ApiError, AppState};
use certify_certificates::{CertificateError, Check, Standing, Verdict, Verification};
use certify_core::{Sha256Hex, rfc3339};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::PageError;
use crate::pages::{Chrome, chrome, long_date};

#[derive(Template, WebTemplate)]
#[template(path = "verify_form.html")]
pub struct VerifyForm {
    chrome: Chrome,
    code: String,
    code_error: Option<String>,
    file_error: Option<String>,
}

impl VerifyForm {
    fn new(chrome: Chrome) -> Self {
        Self {
            chrome,
            code: String::new(),
            code_error: None,
            file_error: None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    pub code: Option<String>,
}

/// What a code typed by a person names.
pub(crate) enum Code {
    Hash(Sha256Hex),
    CredentialId(Uuid),
}

pub(crate) fn parse_code(raw: &str) -> Option<Code> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if let Ok(hash) = Sha256Hex::parse(&compact) {
        return Some(Code::Hash(hash));
    }
    let id = compact.strip_prefix("urn:uuid:").unwrap_or(&compact);
    Uuid::parse_str(id).ok().map(Code::CredentialId)
}

/// The form, or with `?code=` the certificate it names.
pub async fn form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<CodeQuery>,
) -> Result<Response, PageError> {
    let Some(raw) = query.code.filter(|c| !c.trim().is_empty()) else {
        let (jar, chrome) = chrome(&state, jar).await?;
        return Ok((jar, VerifyForm::new(chrome)).into_response());
    };
    let code = parse_code(&raw);
    let hash = match &code {
        Some(Code::Hash(hash)) => Some(hash.clone()),
        Some(Code::CredentialId(id)) => {
            let verification =
                certify_certificates::verify_credential_id(&state.db, &state.certificate_cache, state.clock.now(), *id)
                    .await
                    .map_err(ApiError::from)?;
            verification.hash.filter(|_| verification.certificate.is_some())
        }
        None => None,
    };
    if let Some(hash) = hash {
        return Ok(Redirect::to(&format!("/verify/{hash}")).into_response());
    }
    let code_error = match code {
        Some(_) => "We have no certificate with this code. Check that it was typed in full.",
        None => {
            "This is not a certificate code. Enter the 64 characters (0–9 and a–f) printed after \u{201c}SHA-256\u{201d} \
                 at the bottom left of the certificate, or the credential id printed after \u{201c}Credential\u{201d} \
                 (urn:uuid:…)."
        }
    };
    let (jar, chrome) = chrome(&state, jar).await?;
    let page = VerifyForm {
        code: raw,
        code_error: Some(code_error.to_owned()),
        ..VerifyForm::new(chrome)
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
}

/// How the result page looks and what it says first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Valid,
    Expired,
    Revoked,
    Superseded,
    Unknown,
    /// An uploaded file whose content no longer matches what was issued.
    Altered,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Superseded => "superseded",
            Self::Unknown => "unknown",
            Self::Altered => "altered",
        }
    }

    pub fn badge(self) -> &'static str {
        match self {
            Self::Valid => "✔ Valid",
            Self::Expired => "⌛ Expired",
            Self::Revoked => "✖ Revoked",
            Self::Superseded => "↻ Superseded",
            Self::Unknown => "? Unknown",
            Self::Altered => "✖ Altered",
        }
    }
}

/// One check, in the reader's words.
#[derive(Debug, Clone)]
pub struct CheckLine {
    pub passed: bool,
    pub text: String,
    pub technical: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "verify_result.html")]
pub struct VerifyResult {
    chrome: Chrome,
    tone: Tone,
    headline: String,
    summary: Option<String>,
    reason: Option<String>,
    newer: Option<String>,
    facts: Vec<(&'static str, String)>,
    checks: Vec<CheckLine>,
    technical: Vec<(&'static str, String)>,
    /// The certificate's code, when it is one we could compute or were given.
    hash: Option<String>,
}

/// The result page a certificate's QR code opens. A malformed hash is a 422 page saying what a
/// hash looks like.
pub async fn result(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let Ok(hash) = Sha256Hex::parse(&raw) else {
        let (jar, chrome) = chrome(&state, jar).await?;
        let code_error = "This address does not hold a certificate code. A code is 64 characters, each 0–9 or a–f, \
                          as printed on the certificate under its QR code."
            .to_owned();
        let page = VerifyForm {
            code: raw,
            code_error: Some(code_error),
            ..VerifyForm::new(chrome)
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response());
    };
    let now = state.clock.now();
    let verification = certify_certificates::verify_hash(&state.db, &state.certificate_cache, now, &hash)
        .await
        .map_err(ApiError::from)?;
    let (jar, chrome) = chrome(&state, jar).await?;
    let page = result_view(chrome, &state, &verification, now);
    Ok((jar, page).into_response())
}

/// Largest upload the form takes: a certificate PDF is a few tens of kilobytes.
const MAX_UPLOAD_BYTES: usize = certify_api::MAX_BODY_BYTES;

/// What an uploaded file turned out to be.
enum Upload {
    Pdf(axum::body::Bytes),
    Credential(serde_json::Value),
}

/// Why an upload cannot be checked, as the form says it beside the file field.
fn upload_problem(status: StatusCode, message: &str) -> (StatusCode, String) {
    (status, message.to_owned())
}

/// Reads the `file` field of the upload form and tells a PDF from a credential by its content,
/// not by its name.
async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> Result<Upload, (StatusCode, String)> {
    let not_a_form = || {
        upload_problem(
            StatusCode::BAD_REQUEST,
            "Choose a file to upload, then press “Check the file”.",
        )
    };
    let mut multipart = multipart.map_err(|_| not_a_form())?;
    while let Some(field) = multipart.next_field().await.map_err(|err| too_large_or(err.status()))? {
        if field.name() != Some("file") {
            continue;
        }
        let bytes = field.bytes().await.map_err(|err| too_large_or(err.status()))?;
        if bytes.is_empty() {
            return Err(not_a_form());
        }
        if bytes.starts_with(b"%PDF-") {
            return Ok(Upload::Pdf(bytes));
        }
        return match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(document) if document.is_object() => Ok(Upload::Credential(document)),
            _ => Err(upload_problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This file is neither a certificate PDF nor a credential JSON file. Upload the PDF as it was \
                 downloaded, or its credential.json.",
            )),
        };
    }
    Err(not_a_form())
}

fn too_large_or(status: StatusCode) -> (StatusCode, String) {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let limit = MAX_UPLOAD_BYTES / (1024 * 1024);
        let message = format!(
            "This file is larger than {limit} MB. A certificate PDF is far smaller: upload the PDF as it was downloaded."
        );
        (status, message)
    } else {
        upload_problem(
            StatusCode::BAD_REQUEST,
            "The upload did not arrive whole. Please try again.",
        )
    }
}

/// Checks an uploaded certificate PDF or credential JSON, and shows the result; a file that
/// cannot be checked is shown beside the form's file field.
pub async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let verified = match read_upload(multipart).await {
        Ok(Upload::Credential(document)) => certify_certificates::verify_document(&state.db, now, &document).await,
        Ok(Upload::Pdf(bytes)) => certify_certificates::verify_pdf(&state.db, now, bytes.to_vec()).await,
        Err(problem) => {
            return file_problem(&state, jar, problem).await;
        }
    };
    let verification = match verified {
        Ok(verification) => verification,
        Err(CertificateError::UnreadableDocument(_)) => {
            let problem = upload_problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "We could not find a certificate inside this PDF. Upload the PDF exactly as it was downloaded \
                 from Certify; a printed or re-saved copy loses what we check.",
            );
            return file_problem(&state, jar, problem).await;
        }
        Err(other) => return Err(ApiError::from(other).into()),
    };
    let (jar, chrome) = chrome(&state, jar).await?;
    let mut page = result_view(chrome, &state, &verification, now);
    if page.tone == Tone::Unknown {
        page.tone = Tone::Altered;
        page.headline = "This file has been changed since it was issued; it does not prove anything.".to_owned();
        page.summary = Some("The checks below show which part no longer matches what we issued.".to_owned());
    }
    Ok((jar, page).into_response())
}

/// The form again, with why the file cannot be checked beside its field.
async fn file_problem(
    state: &AppState,
    jar: CookieJar,
    (status, message): (StatusCode, String),
) -> Result<Response, PageError> {
    let (jar, chrome) = chrome(state, jar).await?;
    let page = VerifyForm {
        file_error: Some(message),
        ..VerifyForm::new(chrome)
    };
    Ok((status, jar, page).into_response())
}

fn result_view(chrome: Chrome, state: &AppState, verification: &Verification, now: OffsetDateTime) -> VerifyResult {
    let hash = verification.hash.as_ref().map(ToString::to_string);
    let checks = verification.checks.iter().map(check_line).collect();
    let mut page = VerifyResult {
        chrome,
        tone: Tone::Unknown,
        headline: "We have no certificate with this code.".to_owned(),
        summary: Some(
            "Check that it was typed in full. A certificate that was altered also has a code we do not know."
                .to_owned(),
        ),
        reason: None,
        newer: None,
        facts: Vec::new(),
        checks,
        technical: hash.iter().map(|h| ("Code (SHA-256 hash)", h.clone())).collect(),
        hash,
    };
    let Some(certificate) = verification.certificate.as_deref() else {
        return page;
    };
    let holds = format!(
        "{} holds {}, issued {}",
        certificate.holder_name,
        certificate.achievement_name,
        long_date(certificate.issued_at.date())
    );
    let until = long_date(certificate.expires_at.date());
    let standing = match &verification.verdict {
        Verdict::Known(standing) => Some(standing),
        Verdict::Altered => None,
        Verdict::Unknown => return page,
    };
    (page.tone, page.headline, page.summary) = match standing {
        None => (
            Tone::Altered,
            "This document was altered: do not rely on what it shows.".to_owned(),
            Some(format!(
                "The certificate inside it is genuine, but its printed page was changed. The genuine certificate \
                 says: {holds}, valid until {until}. Compare that with what the document shows."
            )),
        ),
        Some(standing) => match standing {
            Standing::Valid => (
                Tone::Valid,
                "This certificate is genuine and valid.".to_owned(),
                Some(format!("{holds}, valid until {until}.")),
            ),
            Standing::Expired => (
                Tone::Expired,
                format!("This certificate was genuine but expired on {until}."),
                Some(format!("{holds}.")),
            ),
            Standing::Revoked { at, reason } => {
                page.reason = Some(reason.clone());
                (
                    Tone::Revoked,
                    format!("This certificate was revoked on {}.", long_date(at.date())),
                    Some(format!("It said: {holds}. It no longer proves anything.")),
                )
            }
            Standing::Superseded { .. } => {
                page.newer = certificate
                    .superseded
                    .as_ref()
                    .map(|(_, newer, _)| format!("/verify/{newer}"));
                (
                    Tone::Superseded,
                    "This certificate was replaced by a newer one.".to_owned(),
                    Some(format!("{holds}. The newer certificate is the one that counts.")),
                )
            }
        },
    };
    page.facts = vec![
        ("Holder", certificate.holder_name.clone()),
        ("Achievement", certificate.achievement_name.clone()),
        ("Issued by", certificate.issuer_name.clone()),
        ("Issued", long_date(certificate.issued_at.date())),
        ("Valid until", until),
    ];
    page.technical.extend([
        ("Credential id", certificate.credential_id.clone()),
        ("Signing key", certificate.key_id.clone()),
        ("Proofs checked (Ed25519)", certificate.suites.clone()),
        ("Issued (UTC)", rfc3339(certificate.issued_at)),
        ("Valid until (UTC)", rfc3339(certificate.expires_at)),
        ("Checked at (UTC)", rfc3339(now)),
        ("Issuer", state.issuer.issuer_id()),
    ]);
    page
}

/// A check as a person reads it; the engine's own wording stays in the technical detail.
fn check_line(check: &Check) -> CheckLine {
    let text = match (check.name, check.passed) {
        ("hash_known", true) => "We issued a certificate with exactly this code.",
        ("hash_known", false) => "We issued no certificate with exactly this content.",
        ("signature", true) => "Our digital signature on it is intact: nothing in it was changed.",
        ("signature", false) => "Its digital signature does not match: it was changed after it was issued.",
        ("not_revoked", true) => "It has not been revoked.",
        ("not_revoked", false) => "It has been revoked.",
        ("not_superseded", true) => "It is the holder's current certificate for this achievement.",
        ("not_superseded", false) => "A newer certificate replaced it.",
        ("not_expired", true) => "It has not expired.",
        ("not_expired", false) => "It has expired.",
        ("document_as_issued", true) => "This PDF is exactly the document we issued.",
        ("document_as_issued", false) => {
            "Its printed page is not the one we issued with this certificate: what it shows was changed."
        }
        (_, true) => "Passed.",
        (_, false) => "Failed.",
    };
    CheckLine {
        passed: check.passed,
        text: text.to_owned(),
        technical: format!("{}: {}", check.name, check.detail),
    }
}
