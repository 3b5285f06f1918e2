//! The public landing page with the live count, and each role's home after sign-in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_accounts::Role;
use certify_api::AppState;

use crate::error::PageError;
use crate::pages::{Chrome, chrome, chrome_for, long_date, thousands};
use crate::session::SignedIn;

/// The programme's count as the landing page shows it, formatted.
#[derive(Debug, Clone)]
pub struct CountView {
    pub certified: String,
    pub ever_certified: String,
    pub target: String,
    pub deadline: String,
    pub remaining: String,
    /// 0–100, for the bar's width.
    pub percent: u8,
}

async fn count(state: &AppState) -> Result<CountView, PageError> {
    let headline = certify_progress::headline(&state.db)
        .await
        .map_err(PageError::internal)?;
    let target = i64::try_from(state.goal.target).unwrap_or(i64::MAX);
    let percent = (headline.certified.saturating_mul(100) / target.max(1)).clamp(0, 100);
    Ok(CountView {
        certified: thousands(headline.certified),
        ever_certified: thousands(headline.ever_certified),
        target: thousands(target),
        deadline: long_date(state.goal.deadline),
        remaining: thousands((target - headline.certified).max(0)),
        percent: u8::try_from(percent).unwrap_or(100),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "landing.html")]
pub struct Landing {
    chrome: Chrome,
    count: CountView,
}

pub async fn landing(State(state): State<AppState>, jar: CookieJar) -> Result<(CookieJar, Landing), PageError> {
    let (jar, chrome) = chrome(&state, jar).await?;
    let count = count(&state).await?;
    Ok((jar, Landing { chrome, count }))
}

/// Each role's own home: a consultant's is "My learning", a firm admin's the firm's home,
/// programme staff's the dashboard.
pub async fn home(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
) -> Result<Response, PageError> {
    match visitor.account.role {
        Role::Consultant => crate::pages::learner::learning::my_learning(&state, jar, &visitor).await,
        Role::FirmAdmin { firm_id } => {
            let firm = certify_firms::find_firm(&state.db, firm_id).await?;
            crate::pages::firm::overview::firm_home(&state, jar, &visitor, firm).await
        }
        Role::ProgrammeStaff => {
            let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
            let page = crate::pages::staff::dashboard::dashboard(&state, chrome).await?;
            Ok((jar, page).into_response())
        }
    }
}
