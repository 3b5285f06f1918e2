//! Staff exports of certificates: a CSV of a filtered set, and a ZIP of their PDFs. Both are
//! streamed a page at a time, so an export of the whole programme holds one page (and, for the
//! ZIP, one PDF) in memory, and a slow client slows the export down instead of filling memory.

use std::io::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::Response;
use certify_certificates::export::{ExportFilter, ExportPage, StandingKind, export_page};
use certify_certificates::{Certificate, IssuerSettings};
use certify_core::rfc3339;
use certify_core::text::spreadsheet_safe;
use futures_util::StreamExt as _;
use futures_util::stream;
use serde::Deserialize;
use time::{Date, OffsetDateTime};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::auth::Staff;
use crate::error::{ApiError, FieldError};
use crate::extract::ApiQuery;
use crate::problem_responses::{Forbidden, Invalid};
use crate::state::AppState;
use crate::views::certificates::render_pdf;
use crate::views::downloads::streamed_attachment;

/// Certificates read from the database per step of an export.
const PAGE: u64 = 500;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Only certificates of this track.
    pub track_id: Option<Uuid>,
    /// Only certificates issued while the holder belonged to this firm.
    pub firm_id: Option<Uuid>,
    /// `valid`, `expired`, `revoked` or `superseded`.
    pub status: Option<String>,
    /// Issued on or after this day (`YYYY-MM-DD`, UTC).
    pub issued_from: Option<String>,
    /// Issued on or before this day (`YYYY-MM-DD`, UTC).
    pub issued_until: Option<String>,
}

impl ExportQuery {
    /// The filter, or every invalid parameter at once.
    fn parse(self) -> Result<ExportFilter, ApiError> {
        let mut errors = Vec::new();
        let mut invalid = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            });
        };
        let standing = self.status.as_deref().and_then(|name| {
            let kind = StandingKind::parse(name);
            if kind.is_none() {
                invalid("status", "must be `valid`, `expired`, `revoked` or `superseded`");
            }
            kind
        });
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let mut date = |field: &str, raw: Option<&str>| {
            raw.and_then(|raw| {
                let parsed = Date::parse(raw, format).ok();
                if parsed.is_none() {
                    invalid(field, "must be a date as YYYY-MM-DD");
                }
                parsed
            })
        };
        let issued_from = date("issued_from", self.issued_from.as_deref());
        let issued_until = date("issued_until", self.issued_until.as_deref());
        if let (Some(from), Some(until)) = (issued_from, issued_until)
            && from > until
        {
            invalid("issued_until", "must not be before issued_from");
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid_fields(errors));
        }
        Ok(ExportFilter {
            track_id: self.track_id,
            firm_id: self.firm_id,
            standing,
            issued_from,
            issued_until,
        })
    }
}

/// Parses the filter and reads the first page before answering, so that a bad filter or a failing
/// database is a proper error response rather than a broken download.
async fn start_export(
    state: &AppState,
    query: ExportQuery,
) -> Result<(ExportFilter, OffsetDateTime, ExportPage), ApiError> {
    let filter = query.parse()?;
    let now = state.clock.now();
    let first = export_page(&state.db, &filter, now, None, PAGE).await?;
    Ok((filter, now, first))
}

/// Export certificates as CSV, one row per certificate in issue order (programme staff).
#[utoipa::path(get, path = "/api/v1/certificates/export.csv", tag = "certificates", params(ExportQuery),
    responses((status = OK, description = "text/csv, streamed", content_type = "text/csv", body = String),
        Forbidden,
        Invalid))]
pub async fn export_csv(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    csv_export(state, query).await
}

/// The CSV export as a streamed download, for whoever already checked the caller is staff (this
/// route and the web edge's export).
pub async fn csv_export(state: AppState, query: ExportQuery) -> Result<Response, ApiError> {
    let (filter, now, first) = start_export(&state, query).await?;
    let first_chunk = csv_chunk(&first.certificates, &state.issuer, now, true).map_err(ApiError::internal)?;
    let rest = stream::unfold(first.next, move |after| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let after = after?;
            let page = match export_page(&state.db, &filter, now, Some(after), PAGE).await {
                Ok(page) => page,
                Err(err) => return Some((Err(std::io::Error::other(err.to_string())), None)),
            };
            let chunk = csv_chunk(&page.certificates, &state.issuer, now, false).map_err(std::io::Error::other);
            Some((chunk, page.next))
        }
    });
    let body = stream::iter([Ok(first_chunk)]).chain(rest);
    Ok(streamed_attachment(
        "text/csv; charset=utf-8",
        "certificates.csv",
        Body::from_stream(body),
    ))
}

const CSV_HEADER: [&str; 15] = [
    "certificate_id",
    "credential_id",
    "account_id",
    "holder_name",
    "achievement",
    "track_id",
    "firm_id_at_issuance",
    "issued_at",
    "expires_at",
    "status",
    "revoked_at",
    "revocation_reason",
    "superseded_by",
    "hash",
    "verify_url",
];

fn csv_chunk(
    certificates: &[Certificate],
    issuer: &IssuerSettings,
    now: OffsetDateTime,
    with_header: bool,
) -> Result<Bytes, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(certificates.len() * 400));
    if with_header {
        out.write_record(CSV_HEADER)?;
    }
    let optional = |id: Option<Uuid>| id.map(|id| id.to_string()).unwrap_or_default();
    for c in certificates {
        let status = StandingKind::of(&c.standing_at(now)).name();
        out.write_record([
            c.id.to_string(),
            c.credential_id.clone(),
            c.account_id.to_string(),
            spreadsheet_safe(&c.holder_name).into_owned(),
            spreadsheet_safe(&c.achievement_name).into_owned(),
            c.track_id.to_string(),
            optional(c.firm_id_at_issuance),
            rfc3339(c.issued_at),
            rfc3339(c.expires_at),
            status.to_owned(),
            c.revoked.as_ref().map(|(at, _)| rfc3339(*at)).unwrap_or_default(),
            c.revoked
                .as_ref()
                .map(|(_, reason)| spreadsheet_safe(reason).into_owned())
                .unwrap_or_default(),
            optional(c.superseded.map(|(by, _)| by)),
            c.hash.to_string(),
            issuer.verify_url(&c.hash),
        ])?;
    }
    let bytes = out.into_inner().map_err(|err| csv::Error::from(err.into_error()))?;
    Ok(Bytes::from(bytes))
}

/// Export the certificates' PDFs as one ZIP (programme staff): `certificate-<id>.pdf` per
/// certificate, in issue order, with the same filters as the CSV export.
#[utoipa::path(get, path = "/api/v1/certificates/export.zip", tag = "certificates", params(ExportQuery),
    responses((status = OK, description = "application/zip, streamed", content_type = "application/zip", body = Vec<u8>),
        Forbidden,
        Invalid))]
pub async fn export_zip(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    zip_export(state, query).await
}

/// The ZIP export as a streamed download, for whoever already checked the caller is staff.
pub async fn zip_export(state: AppState, query: ExportQuery) -> Result<Response, ApiError> {
    let (filter, now, first) = start_export(&state, query).await?;
    // Two chunks in flight at most: a slow client holds the producer back.
    let (chunks, received) = mpsc::channel::<std::io::Result<Bytes>>(2);
    tokio::spawn(async move {
        if let Err(err) = write_zip(&state, &filter, now, first, &chunks).await {
            tracing::error!(error = %err, "certificate ZIP export failed part-way");
            let _ = chunks.send(Err(std::io::Error::other(err.to_string()))).await;
        }
    });
    let body = stream::unfold(received, |mut received| async move {
        received.recv().await.map(|chunk| (chunk, received))
    });
    Ok(streamed_attachment(
        "application/zip",
        "certificates.zip",
        Body::from_stream(body),
    ))
}

/// What the ZIP writer has written since the last chunk was sent.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Pending {
    fn take(&self) -> Bytes {
        Bytes::from(std::mem::take(
            &mut *self.0.lock().unwrap_or_else(PoisonError::into_inner),
        ))
    }
}

impl std::io::Write for Pending {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn write_zip(
    state: &AppState,
    filter: &ExportFilter,
    now: OffsetDateTime,
    first: ExportPage,
    chunks: &mpsc::Sender<std::io::Result<Bytes>>,
) -> anyhow::Result<()> {
    let pending = Pending::default();
    let mut zip = zip::ZipWriter::new_stream(pending.clone());
    let mut page = first;
    loop {
        for certificate in std::mem::take(&mut page.certificates) {
            let name = format!("certificate-{}.pdf", certificate.id);
            let options = zip::write::SimpleFileOptions::default()
                // PDF streams are compressed already.
                .compression_method(zip::CompressionMethod::Stored)
                .last_modified_time(zip_time(certificate.issued_at));
            let pdf = render_pdf(certificate).await?;
            zip.start_file(name, options)?;
            zip.write_all(&pdf)?;
            if chunks.send(Ok(pending.take())).await.is_err() {
                return Ok(()); // The client went away.
            }
        }
        let Some(after) = page.next else { break };
        page = export_page(&state.db, filter, now, Some(after), PAGE).await?;
    }
    zip.finish()?;
    let _ = chunks.send(Ok(pending.take())).await;
    Ok(())
}

fn zip_time(at: OffsetDateTime) -> zip::DateTime {
    zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )
    .unwrap_or_default()
}
