//! "Your account": change one's password (the current one first), see one's sessions and sign
//! out everywhere else. A person whose password someone else chose is sent here first.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_accounts::PasswordChangeError;
use certify_api::AppState;

use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::pages::{Chrome, Moment, capitalised, chrome_for, date_time};
use crate::session::{SignedIn, Visitor};

/// One of the person's sessions, as the list shows it.
pub struct SessionRow {
    started: Moment,
    last_seen: Moment,
    this_one: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "own_account.html")]
pub struct AccountPage {
    chrome: Chrome,
    email: String,
    has_password: bool,
    must_change: bool,
    current_error: Option<String>,
    new_error: Option<String>,
    sessions: Vec<SessionRow>,
}

pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
) -> Result<Response, PageError> {
    render(&state, jar, &visitor, (None, None), StatusCode::OK).await
}

async fn render(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    (current_error, new_error): (Option<String>, Option<String>),
    status: StatusCode,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let sessions = certify_accounts::live_sessions(&state.db, now, state.sessions, visitor.account.id)
        .await
        .map_err(PageError::internal)?
        .into_iter()
        .map(|session| SessionRow {
            started: date_time(session.started_at),
            last_seen: date_time(session.last_seen_at),
            this_one: session.id == visitor.principal.session_id,
        })
        .collect();
    let has_password = certify_accounts::has_password(&state.db, visitor.account.id)
        .await
        .map_err(PageError::internal)?;
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    let page = AccountPage {
        chrome,
        email: visitor.account.email.to_string(),
        has_password,
        must_change: visitor.account.must_change_password,
        current_error,
        new_error,
        sessions,
    };
    Ok((status, jar, page).into_response())
}

pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let attempt = state.sign_in_attempt(peer.ip());
    let changed = certify_accounts::change_password(
        &state.db,
        state.clock.now(),
        attempt,
        (visitor.account.id, visitor.principal.session_id),
        form.value("current_password").unwrap_or_default(),
        form.value("new_password").unwrap_or_default(),
    )
    .await;
    let errors = match changed {
        Ok(_) => {
            let said = "Your password was changed, and you were signed out everywhere else.";
            return Ok(crate::notice::redirect(&state, jar, said, "/account").into_response());
        }
        Err(PasswordChangeError::WrongCurrentPassword) => (Some("This is not your current password.".to_owned()), None),
        Err(PasswordChangeError::NoPassword) => (
            Some("Your account signs in through your firm's sign-in: it has no password here to change.".to_owned()),
            None,
        ),
        Err(err @ (PasswordChangeError::Unacceptable(_) | PasswordChangeError::Unchanged)) => {
            (None, Some(format!("{}.", capitalised(&err.to_string()))))
        }
        Err(PasswordChangeError::Throttled(throttled)) => {
            let retry = throttled.retry_after;
            return Err(PageError::Api(certify_api::ApiError::too_many_requests(
                throttled.to_string(),
                retry,
            )));
        }
        Err(PasswordChangeError::Unexpected(cause)) => return Err(PageError::internal(cause)),
    };
    render(&state, jar, &visitor, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub async fn end_other_sessions(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
    _form: CheckedForm,
) -> Result<(CookieJar, Redirect), PageError> {
    certify_accounts::end_other_sessions(
        &state.db,
        state.clock.now(),
        visitor.account.id,
        visitor.principal.session_id,
    )
    .await
    .map_err(PageError::internal)?;
    let said = "You were signed out everywhere else.";
    Ok(crate::notice::redirect(&state, jar, said, "/account"))
}
