//! Programme staff's certificates: find one by holder (name or e-mail), credential id or code;
//! see its history; revoke it with a reason, behind a confirmation step; correct the holder's
//! name (a reissue that supersedes it). Every change is a checked form post, then a redirect.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_certificates::{Certificate, CertificateError, EventKind};
use serde::Deserialize;
use uuid::Uuid;

use certify_api::routes::certificate_exports::{self, ExportQuery};
use certify_core::{PageRequest, PageSize, SearchText};
use certify_courses::Audience;

use crate::access::StaffPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::everyone::verify::{Code, parse_code};
use crate::pages::learner::certificates::{CertificateCard, card};
use crate::pages::{Choice, Chrome, FirmPicker, Moment, choices, chosen_firm, chrome_for, date_time, firm_picker};
use crate::session::Visitor;

/// Accounts a holder search looks at.
const HOLDERS_SEARCHED: u64 = 20;
/// The longest revocation reason, as the API takes it.
const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    pub q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_certificates.html")]
pub struct FindPage {
    chrome: Chrome,
    q: String,
    q_error: Option<&'static str>,
    /// `None` before a search.
    results: Option<Vec<CertificateCard>>,
    export: ExportForm,
    /// The export's lists hold only valid choices; a wrong filter is named above them.
    no_error: Option<&'static str>,
}

/// The bulk export's filters, as typed, with the lists they choose from.
#[derive(Debug, Clone)]
pub struct ExportForm {
    pub tracks: Vec<Choice>,
    pub firms: FirmPicker,
    pub firm_error: Option<String>,
    pub statuses: Vec<Choice>,
    pub issued_from: String,
    pub issued_until: String,
    /// Why the export could not start.
    pub problem: Option<String>,
}

/// The export form's address: every value is text, blank meaning "any".
#[derive(Debug, Default, Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    pub track: String,
    #[serde(default)]
    pub firm: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub issued_from: String,
    #[serde(default)]
    pub issued_until: String,
    #[serde(default)]
    pub format: String,
}

const EXPORT_STATUSES: [(&str, &str); 4] = [
    ("valid", "Valid"),
    ("expired", "Expired"),
    ("revoked", "Revoked"),
    ("superseded", "Replaced"),
];

async fn export_form(
    state: &AppState,
    params: &ExportParams,
    problem: Option<String>,
) -> Result<ExportForm, PageError> {
    let size = PageSize::parse(PageSize::MAX).map_err(PageError::internal)?;
    let page = PageRequest { after: None, size };
    let tracks = certify_courses::list_tracks(&state.db, Audience::Staff, None, page).await?;
    let tracks = choices(
        tracks.items.into_iter().map(|t| (t.id.to_string(), t.title)),
        &params.track,
    );
    let firms = firm_picker(state, &params.firm).await?;
    Ok(ExportForm {
        tracks,
        firms,
        firm_error: None,
        statuses: choices(
            EXPORT_STATUSES
                .iter()
                .map(|(value, label)| ((*value).to_owned(), (*label).to_owned())),
            &params.status,
        ),
        issued_from: params.issued_from.clone(),
        issued_until: params.issued_until.clone(),
        problem,
    })
}

/// The filtered certificates as CSV or as a ZIP of their PDFs, streamed; a filter that does not
/// parse re-renders the page with the problem beside the export form.
pub async fn export(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    Query(params): Query<ExportParams>,
) -> Result<Response, PageError> {
    let blank = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let id = |field: &'static str, raw: &str| match blank(raw) {
        None => Ok(None),
        Some(text) => Uuid::parse_str(&text)
            .map(Some)
            .map_err(|_| format!("Choose a {field} from the list.")),
    };
    let firm_id = match chosen_firm(&state, &params.firm).await? {
        Ok(firm_id) => firm_id,
        Err(problem) => return refused_export(&state, jar, &visitor, &params, Refusal::Firm(problem)).await,
    };
    let query = id("track", &params.track).map(|track_id| ExportQuery {
        track_id,
        firm_id,
        status: blank(&params.status),
        issued_from: blank(&params.issued_from),
        issued_until: blank(&params.issued_until),
    });
    let started = match (query, params.format.as_str()) {
        (Ok(query), "zip") => certificate_exports::zip_export(state.clone(), query).await,
        (Ok(query), _) => certificate_exports::csv_export(state.clone(), query).await,
        (Err(problem), _) => return refused_export(&state, jar, &visitor, &params, Refusal::Export(problem)).await,
    };
    match started {
        Ok(download) => Ok(download),
        Err(err) if err.kind() == certify_api::ProblemType::ValidationFailed => {
            let problem = format!("{}.", err.detail());
            refused_export(&state, jar, &visitor, &params, Refusal::Export(problem)).await
        }
        Err(err) => Err(err.into()),
    }
}

/// Why an export did not start: the firm named, or the filters as a whole.
enum Refusal {
    Firm(String),
    Export(String),
}

async fn refused_export(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    params: &ExportParams,
    refusal: Refusal,
) -> Result<Response, PageError> {
    let export = match refusal {
        Refusal::Export(problem) => export_form(state, params, Some(problem)).await?,
        Refusal::Firm(problem) => ExportForm {
            firm_error: Some(problem),
            ..export_form(state, params, None).await?
        },
    };
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    let page = FindPage {
        chrome,
        q: String::new(),
        q_error: None,
        results: None,
        export,
        no_error: None,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
}

async fn find(state: &AppState, q: &str) -> Result<Vec<Certificate>, PageError> {
    match parse_code(q) {
        Some(Code::Hash(hash)) => Ok(certify_certificates::find_by_hash(&state.db, &hash)
            .await?
            .into_iter()
            .collect()),
        Some(Code::CredentialId(id)) => {
            let by_credential = certify_certificates::find_by_credential_id(&state.db, id).await?;
            let by_id = match certify_certificates::get_certificate(&state.db, id).await {
                Ok(certificate) => Some(certificate),
                Err(CertificateError::NotFound(_)) => None,
                Err(other) => return Err(other.into()),
            };
            Ok(by_credential.or(by_id).into_iter().collect())
        }
        None => {
            let Ok(Some(search)) = SearchText::parse(q) else {
                return Ok(Vec::new());
            };
            let holders = certify_accounts::search_accounts(&state.db, &search, HOLDERS_SEARCHED)
                .await
                .map_err(PageError::internal)?;
            let mut found = Vec::new();
            for holder in holders {
                found.extend(certify_certificates::certificates_of(&state.db, holder.id).await?);
            }
            Ok(found)
        }
    }
}

/// The search form and, with `?q=`, what it finds.
pub async fn search(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    Query(query): Query<FindQuery>,
) -> Result<Response, PageError> {
    let q = query.q.trim().to_owned();
    let (q_error, results) = match q.chars().count() {
        0 => (None, None),
        1 => (
            Some("Type at least two characters of a name or e-mail address, or a whole code."),
            None,
        ),
        201.. => (Some("Search with at most 200 characters."), None),
        _ => {
            let now = state.clock.now();
            let found = find(&state, &q).await?;
            (None, Some(found.into_iter().map(|c| card(&state, c, now)).collect()))
        }
    };
    let status = if q_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let export = export_form(&state, &ExportParams::default(), None).await?;
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    Ok((
        status,
        jar,
        FindPage {
            chrome,
            q,
            q_error,
            results,
            export,
            no_error: None,
        },
    )
        .into_response())
}

/// One event of a certificate's history, in words.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub at: Moment,
    pub what: String,
}

fn history_line(event: certify_certificates::CertificateEvent) -> HistoryLine {
    let what = match event.kind {
        EventKind::Issued => "Issued".to_owned(),
        EventKind::Reissued => "Reissued in place of a certificate with another holder name".to_owned(),
        EventKind::Superseded => "Replaced by a reissued certificate".to_owned(),
        EventKind::Revoked => "Revoked".to_owned(),
    };
    let what = match event.detail {
        Some(detail) if !detail.is_empty() => format!("{what}: {detail}"),
        _ => what,
    };
    HistoryLine {
        at: date_time(event.at),
        what,
    }
}

/// What the certificate page's forms say back.
#[derive(Debug, Clone, Default)]
pub struct Forms {
    pub reason: String,
    pub reason_error: Option<String>,
    pub name: String,
    pub name_error: Option<String>,
    /// The revocation awaits its confirmation.
    pub confirming: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_certificate.html")]
pub struct CertificatePage {
    chrome: Chrome,
    certificate: CertificateCard,
    history: Vec<HistoryLine>,
    /// Only a valid certificate can be revoked or corrected.
    changeable: bool,
    forms: Forms,
}

async fn certificate_page(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    id: Uuid,
    forms: Forms,
) -> Result<(CookieJar, CertificatePage), PageError> {
    let now = state.clock.now();
    let certificate = certify_certificates::get_certificate(&state.db, id).await?;
    let changeable = certificate.standing_at(now) == certify_certificates::Standing::Valid;
    let history = certify_certificates::history_of(&state.db, id).await?;
    let forms = Forms {
        name: if forms.name.is_empty() {
            certificate.holder_name.clone()
        } else {
            forms.name.clone()
        },
        ..forms
    };
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    Ok((
        jar,
        CertificatePage {
            chrome,
            certificate: card(state, certificate, now),
            history: history.into_iter().map(history_line).collect(),
            changeable,
            forms,
        },
    ))
}

/// A certificate with its history and what staff can do with it.
pub async fn certificate(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    Ok(certificate_page(&state, jar, &visitor, id, Forms::default())
        .await?
        .into_response())
}

/// The certificate page again, with a form's value and its problem beside the field.
async fn refused(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    id: Uuid,
    forms: Forms,
) -> Result<Response, PageError> {
    let page = certificate_page(state, jar, visitor, id, forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Revokes, in two steps: the first post shows what will happen and asks to confirm; only a
/// post with `confirmed=yes` revokes.
pub async fn revoke(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let staff_id = visitor.account.id;
    let raw = form.value("reason").unwrap_or_default();
    let reason = match certify_core::text::parse_display_text(raw, MAX_REASON_CHARS) {
        Ok(reason) => reason,
        Err(err) => {
            let forms = Forms {
                reason: raw.to_owned(),
                reason_error: Some(format!("The reason {err}: write what verifiers should read.")),
                ..Forms::default()
            };
            return refused(&state, jar, &visitor, id, forms).await;
        }
    };
    if form.value("confirmed") != Some("yes") {
        let forms = Forms {
            reason,
            confirming: true,
            ..Forms::default()
        };
        return Ok(certificate_page(&state, jar, &visitor, id, forms)
            .await?
            .into_response());
    }
    certify_certificates::revoke_certificate(&state.db, state.clock.now(), id, staff_id, &reason).await?;
    state.refresh_verification_answers().await;
    let said = "The certificate was revoked. Anyone who verifies it now sees the reason.";
    Ok(crate::notice::redirect(&state, jar, said, &format!("/staff/certificates/{id}")).into_response())
}

/// Reissues the certificate with the corrected holder name and shows the new one.
pub async fn correct_name(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let staff_id = visitor.account.id;
    let raw = form.value("holder_name").unwrap_or_default();
    let name = match certify_core::DisplayName::parse(raw) {
        Ok(name) => name,
        Err(err) => {
            let forms = Forms {
                name: raw.to_owned(),
                name_error: Some(format!("The name {err}.")),
                ..Forms::default()
            };
            return refused(&state, jar, &visitor, id, forms).await;
        }
    };
    let reissued = certify_certificates::correct_holder_name(
        &state.db,
        state.clock.now(),
        &state.issuer,
        id,
        staff_id,
        name.as_str(),
    )
    .await?;
    state.refresh_verification_answers().await;
    let said = "The certificate was reissued with the corrected name; this is the new one.";
    let to = format!("/staff/certificates/{}", reissued.id);
    Ok(crate::notice::redirect(&state, jar, said, &to).into_response())
}
