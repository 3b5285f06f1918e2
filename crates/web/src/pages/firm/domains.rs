//! A firm's e-mail domains: the claims with their status (pending until programme staff verify
//! them), a form to claim one, withdrawal, and — for staff — verification. A verified domain is
//! what lets a roster bring in consultants at that address.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_firms::{EmailDomain, FirmError};
use serde::Deserialize;
use uuid::Uuid;

use crate::access::{FirmPage, StaffPage};
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{Chrome, chrome_for, long_date};

/// One claimed domain.
#[derive(Debug, Clone)]
pub struct DomainLine {
    pub domain: String,
    pub verified: bool,
    /// "Verified on 3 March 2026" or "Claimed on 1 March 2026; waiting for programme staff".
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "domains.html")]
pub struct DomainsPage {
    chrome: Chrome,
    firm_id: Uuid,
    firm_name: String,
    domains: Vec<DomainLine>,
    /// Programme staff verify claims.
    staff: bool,
    domain: String,
    domain_error: Option<String>,
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    at: &FirmPage,
    domain: String,
    domain_error: Option<String>,
) -> Result<(CookieJar, DomainsPage), PageError> {
    let firm_id = at.firm_id();
    let domains = certify_firms::domains_of(&state.db, firm_id)
        .await?
        .into_iter()
        .map(|claim| DomainLine {
            verified: claim.verified_at.is_some(),
            status: match claim.verified_at {
                Some(at) => format!("Verified on {}", long_date(at.date())),
                None => format!(
                    "Claimed on {}; waiting for programme staff to verify it",
                    long_date(claim.claimed_at.date())
                ),
            },
            domain: claim.domain,
        })
        .collect();
    let (jar, chrome) = chrome_for(state, jar, Some(&at.visitor))?;
    Ok((
        jar,
        DomainsPage {
            chrome,
            firm_id,
            firm_name: at.firm.name.clone(),
            domains,
            staff: at.by_staff(),
            domain,
            domain_error,
        },
    ))
}

/// The firm's domains.
pub async fn domains(State(state): State<AppState>, jar: CookieJar, at: FirmPage) -> Result<Response, PageError> {
    Ok(page(&state, jar, &at, String::new(), None).await?.into_response())
}

/// Claims the domain typed in the form; a wrong or taken one is answered beside the field.
pub async fn claim(
    State(state): State<AppState>,
    jar: CookieJar,
    at: FirmPage,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let firm_id = at.firm_id();
    let raw = form.value("domain").unwrap_or_default().to_owned();
    let claimed = match EmailDomain::parse(raw.trim_start_matches('@')) {
        Err(_) => {
            Err("Type a domain such as northwind.example: the part of your e-mail addresses after the @.".to_owned())
        }
        Ok(domain) => {
            match certify_firms::claim_domain(&state.db, state.clock.now(), firm_id, &domain, at.visitor.account.id)
                .await
            {
                Ok(_) => Ok(domain),
                Err(FirmError::DomainTaken(_)) => Err(format!(
                    "{domain} is claimed by another firm. If it is yours, contact the programme team."
                )),
                Err(other) => return Err(other.into()),
            }
        }
    };
    match claimed {
        Ok(domain) => {
            let said = format!("{domain} claimed. Programme staff will verify it before the roster uses it.");
            Ok(crate::notice::redirect(&state, jar, &said, &format!("/firms/{firm_id}/domains")).into_response())
        }
        Err(message) => {
            let page = page(&state, jar, &at, raw, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct DomainParam {
    domain: String,
}

fn domain_in_path(raw: &str) -> Result<EmailDomain, PageError> {
    EmailDomain::parse(raw).map_err(|_| PageError::not_found(format!("no claimed domain {raw}")))
}

/// Withdraws a claim; consultants who joined through it stay.
pub async fn withdraw(
    State(state): State<AppState>,
    jar: CookieJar,
    at: FirmPage,
    PagePath(DomainParam { domain }): PagePath<DomainParam>,
    _form: CheckedForm,
) -> Result<(CookieJar, Redirect), PageError> {
    let firm_id = at.firm_id();
    let domain = domain_in_path(&domain)?;
    certify_firms::release_domain(&state.db, firm_id, &domain).await?;
    let said = format!("{domain} withdrawn. Consultants who joined through it stay with the firm.");
    Ok(crate::notice::redirect(
        &state,
        jar,
        &said,
        &format!("/firms/{firm_id}/domains"),
    ))
}

/// Programme staff verify a claim (the firm first, so another firm's administrator sees the
/// page of a firm that does not exist here too).
pub async fn verify(
    State(state): State<AppState>,
    jar: CookieJar,
    at: FirmPage,
    staff: StaffPage,
    PagePath(DomainParam { domain }): PagePath<DomainParam>,
    _form: CheckedForm,
) -> Result<(CookieJar, Redirect), PageError> {
    let (firm_id, staff_id) = (at.firm_id(), staff.id());
    let domain = domain_in_path(&domain)?;
    certify_firms::verify_domain(&state.db, state.clock.now(), firm_id, &domain, staff_id).await?;
    let said = format!("{domain} verified: the firm's rosters now add its addresses directly.");
    Ok(crate::notice::redirect(
        &state,
        jar,
        &said,
        &format!("/firms/{firm_id}/domains"),
    ))
}
