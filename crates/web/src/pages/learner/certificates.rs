//! "My certificates": each certificate as a card with its status, dates, downloads, a link to
//! share, and LinkedIn's add-to-profile. The downloads are the API's, behind the session cookie.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_api::views::certificates::{certificate_view, pdf_attachment, render_pdf};
use certify_certificates::{Certificate, Standing};
use uuid::Uuid;

use crate::access::LearnerPage;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::everyone::verify::Tone;
use crate::pages::{Chrome, chrome_for, long_date};
use crate::session::SignedIn;

/// One certificate as its holder sees it.
#[derive(Debug, Clone)]
pub struct CertificateCard {
    pub id: Uuid,
    pub achievement: String,
    pub holder: String,
    pub tone: Tone,
    /// What the status means, in a sentence.
    pub status: String,
    pub issued: String,
    pub expires: String,
    pub verify_url: String,
    pub linkedin_url: String,
    /// The certificate that replaced this one.
    pub superseded_by: Option<Uuid>,
    pub hash: String,
}

/// The card of a certificate, as of `now`.
pub fn card(state: &AppState, certificate: Certificate, now: time::OffsetDateTime) -> CertificateCard {
    let standing = certificate.standing_at(now);
    let expires = long_date(certificate.expires_at.date());
    let (tone, status) = match &standing {
        Standing::Valid => (Tone::Valid, format!("Valid until {expires}.")),
        Standing::Expired => (Tone::Expired, format!("Expired on {expires}.")),
        Standing::Revoked { at, reason } => (
            Tone::Revoked,
            format!("Revoked on {}. Reason: {reason}", long_date(at.date())),
        ),
        Standing::Superseded { at, .. } => (
            Tone::Superseded,
            format!("Replaced by a newer certificate on {}.", long_date(at.date())),
        ),
    };
    let superseded_by = certificate.superseded.map(|(by, _)| by);
    let view = certificate_view(certificate, &state.issuer, now);
    CertificateCard {
        id: view.id,
        achievement: view.achievement,
        holder: view.holder_name,
        tone,
        status,
        issued: long_date(view.issued_at.date()),
        expires,
        verify_url: view.verify_url,
        linkedin_url: view.linkedin_add_url,
        superseded_by,
        hash: view.hash,
    }
}

/// The cards of every certificate an account holds, newest first.
pub async fn cards_of(state: &AppState, account_id: Uuid) -> Result<Vec<CertificateCard>, PageError> {
    let now = state.clock.now();
    let certificates = certify_certificates::certificates_of(&state.db, account_id).await?;
    Ok(certificates.into_iter().map(|c| card(state, c, now)).collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "my_certificates.html")]
pub struct MyCertificates {
    chrome: Chrome,
    certificates: Vec<CertificateCard>,
}

pub async fn my_certificates(
    State(state): State<AppState>,
    jar: CookieJar,
    LearnerPage(visitor): LearnerPage,
) -> Result<(CookieJar, MyCertificates), PageError> {
    let certificates = cards_of(&state, visitor.account.id).await?;
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    Ok((jar, MyCertificates { chrome, certificates }))
}

/// The certificate's PDF, for whoever may read the certificate.
pub async fn download_pdf(
    State(state): State<AppState>,
    SignedIn(visitor): SignedIn,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let certificate = certify_api::routes::certificates::readable_certificate(&state, &visitor.principal, id).await?;
    let bytes = render_pdf(certificate).await.map_err(PageError::internal)?;
    Ok(pdf_attachment(id, bytes))
}

/// The signed credential exactly as issued, as a file to keep.
pub async fn download_credential(
    State(state): State<AppState>,
    SignedIn(visitor): SignedIn,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let certificate = certify_api::routes::certificates::readable_certificate(&state, &visitor.principal, id).await?;
    let body = serde_json::to_vec(&certificate.credential).map_err(PageError::internal)?;
    let disposition = format!("attachment; filename=\"credential-{id}.json\"");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
