//! Certificates as the certificate, firm and export routes show them, and their PDF.

use axum::http::header;
use axum::response::{IntoResponse as _, Response};
use certify_certificates::export::StandingKind;
use certify_certificates::pdf;
use certify_certificates::{Certificate, IssuerSettings};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

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

pub fn certificate_view(certificate: Certificate, issuer: &IssuerSettings, now: OffsetDateTime) -> CertificateView {
    let status = StandingKind::of(&certificate.standing_at(now)).name().to_owned();
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

/// Renders off the async runtime: a page takes a few milliseconds of CPU.
pub async fn render_pdf(certificate: Certificate) -> anyhow::Result<Vec<u8>> {
    Ok(tokio::task::spawn_blocking(move || pdf::render_certificate(&certificate)).await??)
}

/// A certificate's PDF as a download named after the certificate.
pub fn pdf_attachment(id: Uuid, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"certificate-{id}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
