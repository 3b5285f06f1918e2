//! The roster import: a firm admin uploads a CSV of their consultants. All or nothing, as the
//! API's import: a file with a wrong row changes nobody, and the page lists every wrong row
//! with its column. The upload is a plain form post; a script adds drag and drop and a
//! progress bar for large files.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_api::routes::rosters::MAX_ROSTER_BYTES;
use certify_firms::roster::{COLUMNS, Importer, RosterError, RosterReport, import_roster};
use uuid::Uuid;

use crate::access::FirmPage;
use crate::error::PageError;
use crate::pages::{Chrome, chrome_for, thousands};

/// One wrong row of a rejected roster.
#[derive(Debug, Clone)]
pub struct RowProblem {
    pub row: String,
    pub column: String,
    pub message: String,
}

/// What the last upload did.
#[derive(Debug, Clone)]
pub enum Outcome {
    Imported {
        rows: String,
        created: String,
        updated: String,
        unchanged: String,
        invited: String,
        /// "rows 4, 9 and 12".
        invited_rows: String,
    },
    Rejected {
        /// "2 rows have problems".
        summary: String,
        problems: Vec<RowProblem>,
        /// More problems than are listed.
        unlisted: Option<String>,
    },
}

#[derive(Template, WebTemplate)]
#[template(path = "roster.html")]
pub struct RosterPage {
    chrome: Chrome,
    firm_id: Uuid,
    firm_name: String,
    columns: &'static [&'static str],
    max_mb: u64,
    outcome: Option<Outcome>,
    /// Why the file could not be read at all, beside the file field.
    file_error: Option<String>,
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    at: &FirmPage,
    outcome: Option<Outcome>,
    file_error: Option<String>,
) -> Result<(CookieJar, RosterPage), PageError> {
    let (jar, chrome) = chrome_for(state, jar, Some(&at.visitor))?;
    Ok((
        jar,
        RosterPage {
            chrome,
            firm_id: at.firm_id(),
            firm_name: at.firm.name.clone(),
            columns: &COLUMNS,
            max_mb: MAX_ROSTER_BYTES / (1024 * 1024),
            outcome,
            file_error,
        },
    ))
}

/// The upload form.
pub async fn form(State(state): State<AppState>, jar: CookieJar, at: FirmPage) -> Result<Response, PageError> {
    Ok(page(&state, jar, &at, None, None).await?.into_response())
}

/// The header row of a roster, to fill in.
pub async fn template(_: FirmPage) -> Result<Response, PageError> {
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"roster-template.csv\"",
            ),
        ],
        format!("{}\r\n", COLUMNS.join(",")),
    )
        .into_response())
}

/// The upload form's file, read only after the form's token (the field before it) was checked.
struct Upload {
    file: Option<(Option<String>, axum::body::Bytes)>,
}

/// Why an upload was not read.
enum Unread {
    /// No token, or a wrong one, before the file: nothing more is read.
    Forgery,
    Unreadable(StatusCode, String),
}

/// The longest form token read; a real one is about 130 characters.
const MAX_TOKEN_BYTES: usize = 256;

/// Reads the form in the order sent: the token must come (and pass) before the file is read, so
/// a post without a good token costs the server a few bytes, not the whole file.
async fn read_form(multipart: Multipart, token_passes: impl Fn(&str) -> bool) -> Result<Upload, Unread> {
    let mut multipart = multipart;
    let mut checked = false;
    let mut upload = Upload { file: None };
    let unreadable_field = |err: axum::extract::multipart::MultipartError| {
        let (status, message) = unreadable(err.status());
        Unread::Unreadable(status, message)
    };
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable_field)? {
        match field.name() {
            Some("csrf") => {
                let mut token = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable_field)? {
                    token.extend_from_slice(&chunk);
                    if token.len() > MAX_TOKEN_BYTES {
                        return Err(Unread::Forgery);
                    }
                }
                checked = token_passes(std::str::from_utf8(&token).unwrap_or_default());
                if !checked {
                    return Err(Unread::Forgery);
                }
            }
            Some("file") if !checked => return Err(Unread::Forgery),
            Some("file") => {
                let content_type = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(unreadable_field)?;
                upload.file = Some((content_type, bytes));
            }
            _ => {}
        }
    }
    if checked { Ok(upload) } else { Err(Unread::Forgery) }
}

fn unreadable(status: StatusCode) -> (StatusCode, String) {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let limit = MAX_ROSTER_BYTES / (1024 * 1024);
        (
            status,
            format!("This file is larger than {limit} MB. Split the roster into smaller files and upload each."),
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            "The upload did not arrive whole. Please try again.".to_owned(),
        )
    }
}

/// A roster is text: a spreadsheet saved as CSV, not the spreadsheet itself.
fn csv_bytes(file: Option<(Option<String>, axum::body::Bytes)>) -> Result<axum::body::Bytes, (StatusCode, String)> {
    let Some((content_type, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        return Err((
            StatusCode::BAD_REQUEST,
            "Choose a CSV file to upload, then press “Import the roster”.".to_owned(),
        ));
    };
    let declared_binary = content_type.as_deref().is_some_and(|t| {
        !(t.starts_with("text/")
            || t == "application/csv"
            || t == "application/vnd.ms-excel"
            || t == "application/octet-stream")
    });
    if declared_binary || bytes.contains(&0) || bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"%PDF-") {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This is not a CSV file. In your spreadsheet, choose “Save as” → “CSV UTF-8”, then upload that file."
                .to_owned(),
        ));
    }
    Ok(bytes)
}

fn imported(report: RosterReport) -> Outcome {
    let count = |n: u64| thousands(i64::try_from(n).unwrap_or(i64::MAX));
    Outcome::Imported {
        rows: count(report.rows),
        created: count(report.created),
        updated: count(report.updated),
        unchanged: count(report.unchanged),
        invited: count(report.invited),
        invited_rows: listed_rows(&report.invited_rows, report.invited),
    }
}

/// "row 4", "rows 4, 9 and 12", "rows 4, 9, 12 and 37 more".
fn listed_rows(rows: &[u64], total: u64) -> String {
    let numbers: Vec<String> = rows.iter().map(u64::to_string).collect();
    let unlisted = total.saturating_sub(rows.len() as u64);
    match (numbers.as_slice(), unlisted) {
        ([], _) => String::new(),
        ([one], 0) => format!("row {one}"),
        (many, 0) => {
            let (last, rest) = many.split_last().unwrap_or((&many[0], &[]));
            format!("rows {} and {last}", rest.join(", "))
        }
        (many, more) => format!("rows {} and {more} more", many.join(", ")),
    }
}

fn rejected(rejection: certify_firms::roster::RejectedRoster) -> Outcome {
    let listed = rejection.errors.len() as u64;
    let total = rejection.error_count;
    let summary = if total == 1 {
        "The roster has 1 problem".to_owned()
    } else {
        format!(
            "The roster has {} problems",
            thousands(i64::try_from(total).unwrap_or(i64::MAX))
        )
    };
    Outcome::Rejected {
        summary,
        unlisted: (total > listed).then(|| format!("and {} more not listed", total - listed)),
        problems: rejection
            .errors
            .into_iter()
            .map(|e| RowProblem {
                row: e.row.to_string(),
                column: e.column.unwrap_or_else(|| "(whole row)".to_owned()),
                message: e.message,
            })
            .collect(),
    }
}

/// The largest roster upload: the API's largest roster and room for the form's other fields.
pub(super) fn upload_limit() -> usize {
    usize::try_from(MAX_ROSTER_BYTES).unwrap_or(usize::MAX) + 64 * 1024
}

/// Imports the uploaded roster and shows what changed, or every wrong row.
pub async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    // Who may import here is decided (by this extractor) before a byte of the file is read.
    at: FirmPage,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let token_passes = |token: &str| crate::csrf::check(&state, &headers, &jar, token).is_ok();
    let form = match multipart {
        Ok(multipart) => read_form(multipart, token_passes).await,
        Err(_) => {
            let (status, message) = unreadable(StatusCode::BAD_REQUEST);
            Err(Unread::Unreadable(status, message))
        }
    };
    let form = match form {
        Ok(form) => form,
        Err(Unread::Forgery) => return Err(PageError::Forgery),
        Err(Unread::Unreadable(status, message)) => {
            let page = page(&state, jar, &at, None, Some(message)).await?;
            return Ok((status, page).into_response());
        }
    };
    let bytes = match csv_bytes(form.file) {
        Ok(bytes) => bytes,
        Err((status, message)) => {
            return Ok((status, page(&state, jar, &at, None, Some(message)).await?).into_response());
        }
    };
    let importer = Importer {
        account_id: at.visitor.account.id,
        sees_reasons: at.by_staff(),
    };
    let result = import_roster(
        &state.db,
        state.clock.now(),
        at.firm_id(),
        importer,
        std::io::Cursor::new(bytes),
    )
    .await;
    let (status, outcome) = match result {
        Ok(report) => (StatusCode::OK, imported(report)),
        Err(RosterError::Rejected(rejection)) => (StatusCode::UNPROCESSABLE_ENTITY, rejected(rejection)),
        Err(RosterError::Firm(err)) => return Err(err.into()),
    };
    Ok((status, page(&state, jar, &at, Some(outcome), None).await?).into_response())
}
