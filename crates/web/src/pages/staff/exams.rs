//! Programme staff's view of an exam: its blueprint, how candidates fare (pass rate, the
//! score distribution as a histogram, every item with its statistics and the flagged ones
//! highlighted), and the item bank import — a JSON document, all or nothing, whose problems are
//! listed per item and field.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_api::routes::item_bank::BankDocument;
use certify_exams::{ExamError, ItemFlag};
use uuid::Uuid;

use crate::access::StaffPage;
use crate::chart::{Bar, histogram};
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{Chrome, chrome_for, thousands};
use crate::session::Visitor;

/// The largest bank document the form takes.
const MAX_BANK_BYTES: usize = certify_api::MAX_BODY_BYTES;

#[derive(Debug, Clone)]
pub struct DomainLine {
    pub name: String,
    pub weight: String,
    pub items: u32,
}

#[derive(Debug, Clone)]
pub struct ItemLine {
    pub stem: String,
    pub domain: String,
    pub attempts: String,
    pub p_value: String,
    pub discrimination: String,
    /// "Too easy", "Low discrimination"; empty when nothing is wrong.
    pub flags: Vec<&'static str>,
}

/// One problem of a rejected bank.
#[derive(Debug, Clone)]
pub struct BankProblem {
    /// "Item 3", or "The document".
    pub item: String,
    pub field: String,
    pub message: String,
}

/// What the last import did.
#[derive(Debug, Clone)]
pub enum BankOutcome {
    Imported {
        created: usize,
        revised: usize,
        unchanged: usize,
        /// Kinds whose keys crowd a few positions.
        lopsided: Vec<String>,
    },
    Rejected(Vec<BankProblem>),
}

#[derive(Template, WebTemplate)]
#[template(path = "exam_admin.html")]
pub struct ExamAdmin {
    chrome: Chrome,
    id: Uuid,
    title: String,
    track_id: Uuid,
    minutes: i64,
    cut_score: u16,
    form_length: u32,
    domains: Vec<DomainLine>,
    finished: String,
    pass_rate: Option<String>,
    histogram: String,
    buckets: Vec<(String, String)>,
    items: Vec<ItemLine>,
    flagged: usize,
    /// Items served too rarely to flag ([`certify_exams::MIN_SITTINGS_FOR_FLAGS`]).
    too_few: usize,
    min_sittings: usize,
    outcome: Option<BankOutcome>,
    file_error: Option<String>,
}

fn flag_label(flag: ItemFlag) -> &'static str {
    match flag {
        ItemFlag::TooEasy => "Too easy",
        ItemFlag::TooHard => "Too hard",
        ItemFlag::LowDiscrimination => "Low discrimination",
    }
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    id: Uuid,
    outcome: Option<BankOutcome>,
    file_error: Option<String>,
) -> Result<(CookieJar, ExamAdmin), PageError> {
    let exam = certify_exams::get_exam(&state.db, id).await?;
    let statistics = certify_exams::exam_statistics(&state.db, id).await?;
    let domain_name = |domain_id: Uuid| {
        exam.domains
            .iter()
            .find(|d| d.id == domain_id)
            .map_or_else(String::new, |d| d.name.clone())
    };
    let bars: Vec<Bar> = statistics
        .score_distribution
        .iter()
        .map(|b| Bar {
            label: format!("{}–{}", b.from, b.to),
            value: b.attempts as f64,
        })
        .collect();
    let items: Vec<ItemLine> = statistics
        .items
        .iter()
        .map(|item| ItemLine {
            stem: item.stem.clone(),
            domain: domain_name(item.domain_id),
            attempts: thousands(item.attempts as i64),
            p_value: item.p_value.map_or_else(|| "—".to_owned(), |p| format!("{p:.2}")),
            discrimination: item
                .discrimination
                .map_or_else(|| "—".to_owned(), |d| format!("{d:.2}")),
            flags: item.flags.iter().copied().map(flag_label).collect(),
        })
        .collect();
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    Ok((
        jar,
        ExamAdmin {
            chrome,
            id,
            title: exam.title.clone(),
            track_id: exam.track_id,
            minutes: exam.duration.whole_minutes(),
            cut_score: exam.cut_score.get(),
            form_length: exam.form_length(),
            domains: exam
                .domains
                .iter()
                .map(|d| DomainLine {
                    name: d.name.clone(),
                    weight: format!("{} %", d.weight_percent),
                    items: d.items_per_form,
                })
                .collect(),
            finished: thousands(statistics.finished_attempts as i64),
            pass_rate: statistics.pass_rate.map(|r| format!("{:.0} %", r * 100.0)),
            histogram: histogram(
                "histogram",
                "Scaled scores of finished attempts",
                &format!(
                    "How many finished attempts scored in each band of 100 points; the pass mark is {}.",
                    exam.cut_score
                ),
                &bars,
            ),
            buckets: bars
                .iter()
                .map(|b| (b.label.clone(), thousands(b.value as i64)))
                .collect(),
            flagged: items.iter().filter(|i| !i.flags.is_empty()).count(),
            too_few: statistics
                .items
                .iter()
                .filter(|item| item.attempts < certify_exams::MIN_SITTINGS_FOR_FLAGS)
                .count(),
            min_sittings: certify_exams::MIN_SITTINGS_FOR_FLAGS,
            items,
            outcome,
            file_error,
        },
    ))
}

pub async fn exam(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    Ok(page(&state, jar, &visitor, id, None, None).await?.into_response())
}

/// The exam's bank as a file, in the shape the import takes.
pub async fn export(
    State(state): State<AppState>,
    _: StaffPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let document = certify_api::routes::item_bank::bank_document(&state, id).await?;
    let body = serde_json::to_vec_pretty(&document).map_err(PageError::internal)?;
    let disposition = format!("attachment; filename=\"bank-{id}.json\"");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// "items[2].key" → ("Item 3", "key").
fn problem_place(field: &str) -> (String, String) {
    let parsed = field.strip_prefix("items[").and_then(|rest| {
        let (index, rest) = rest.split_once(']')?;
        let index: usize = index.parse().ok()?;
        Some((format!("Item {}", index + 1), rest.trim_start_matches('.').to_owned()))
    });
    parsed.unwrap_or_else(|| ("The document".to_owned(), field.to_owned()))
}

/// Reads the form: the token and the JSON file.
async fn read_form(multipart: Multipart) -> Result<(String, Vec<u8>), (StatusCode, String)> {
    let mut multipart = multipart;
    let unreadable = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            (
                status,
                format!("This file is larger than {} MB.", MAX_BANK_BYTES / (1024 * 1024)),
            )
        } else {
            (
                StatusCode::BAD_REQUEST,
                "The upload did not arrive whole. Please try again.".to_owned(),
            )
        }
    };
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(e.status()))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| unreadable(e.status()))?,
            Some("file") => file = field.bytes().await.map_err(|e| unreadable(e.status()))?.to_vec(),
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// Imports an uploaded bank document and shows what changed, or every problem.
pub async fn import(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let form = match multipart {
        Ok(multipart) => read_form(multipart).await,
        Err(_) => Err((StatusCode::BAD_REQUEST, "Choose a JSON file to upload.".to_owned())),
    };
    let (csrf, file) = match form {
        Ok(form) => form,
        Err((status, message)) => {
            return Ok((status, page(&state, jar, &visitor, id, None, Some(message)).await?).into_response());
        }
    };
    crate::csrf::check(&state, &headers, &jar, &csrf)?;
    if file.is_empty() {
        let message = "Choose the bank's JSON file, then press “Import the bank”.".to_owned();
        return Ok((
            StatusCode::BAD_REQUEST,
            page(&state, jar, &visitor, id, None, Some(message)).await?,
        )
            .into_response());
    }
    let document: BankDocument = match serde_json::from_slice(&file) {
        Ok(document) => document,
        Err(err) => {
            let message = format!("This is not an item bank document: {err}. Export a bank to see the expected shape.");
            let page = page(&state, jar, &visitor, id, None, Some(message)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let imported = certify_exams::import_bank(&state.db, state.clock.now(), id, document.into_items()).await;
    let (status, outcome) = match imported {
        Ok(report) => (
            StatusCode::OK,
            BankOutcome::Imported {
                created: report.created,
                revised: report.revised,
                unchanged: report.unchanged,
                lopsided: report
                    .key_positions
                    .iter()
                    .filter(|k| k.lopsided)
                    .map(|k| k.kind.as_str().replace('_', " "))
                    .collect(),
            },
        ),
        Err(ExamError::Invalid(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            BankOutcome::Rejected(
                problems
                    .into_iter()
                    .map(|p| {
                        let (item, field) = problem_place(&p.field);
                        BankProblem {
                            item,
                            field,
                            message: p.message,
                        }
                    })
                    .collect(),
            ),
        ),
        Err(other) => return Err(other.into()),
    };
    Ok((status, page(&state, jar, &visitor, id, Some(outcome), None).await?).into_response())
}

#[cfg(test)]
mod tests {
    use super::problem_place;

    #[test]
    fn a_problem_names_its_item_as_people_count() {
        assert_eq!(problem_place("items[2].key"), ("Item 3".to_owned(), "key".to_owned()));
        assert_eq!(problem_place("items[0].options[1].text").1, "options[1].text");
        assert_eq!(problem_place("items"), ("The document".to_owned(), "items".to_owned()));
    }
}
