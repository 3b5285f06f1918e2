//! Signing in with e-mail and password, and signing out. The same rules as the API's sign-in:
//! one message whether the address is unknown or the password wrong, and the same throttle.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_accounts::LoginError;
use certify_api::AppState;
use certify_core::Email;
use serde::Deserialize;

use crate::error::PageError;
use crate::pages::{Chrome, chrome};
use crate::session::{self, SESSION, local_path, site_cookie};

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    chrome: Chrome,
    next: String,
    email: String,
    /// A problem with the whole attempt (wrong credentials, too many attempts).
    problem: Option<String>,
    email_error: Option<String>,
    password_error: Option<String>,
    /// The firms whose sign-in people may use instead of a password.
    providers: Vec<super::sso::ProviderChoice>,
    /// The programme's own sign-in, for staff.
    staff_provider: Option<super::sso::ProviderChoice>,
    firm_email: String,
    firm_problem: Option<String>,
}

impl SignInPage {
    /// The page with a policy that lets its sign-in forms lead to the providers.
    fn respond(self, status: StatusCode, jar: CookieJar) -> Response {
        let policy = crate::content_security_policy_with_form_targets(
            self.providers
                .iter()
                .chain(&self.staff_provider)
                .map(|provider| provider.origin.as_str()),
        );
        let mut response = (status, jar, self).into_response();
        if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
            response
                .headers_mut()
                .insert(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
        response
    }

    async fn new(state: &AppState, chrome: Chrome, next: String) -> Result<Self, PageError> {
        Ok(Self {
            chrome,
            next,
            email: String::new(),
            problem: None,
            email_error: None,
            password_error: None,
            providers: super::sso::provider_choices(state).await?,
            staff_provider: super::sso::staff_choice(state).await?,
            firm_email: String::new(),
            firm_problem: None,
        })
    }
}

/// The sign-in page with a problem beside the "Sign in with your firm" field.
pub async fn with_firm_problem(
    state: &AppState,
    jar: CookieJar,
    next: String,
    firm_email: String,
    (status, problem): (StatusCode, String),
) -> Result<Response, PageError> {
    let (jar, chrome) = chrome(state, jar).await?;
    let page = SignInPage {
        firm_email,
        firm_problem: Some(problem),
        ..SignInPage::new(state, chrome, next).await?
    };
    Ok(page.respond(status, jar))
}

pub async fn form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let next = local_path(query.next.as_deref());
    if session::visitor(&state, &jar).await?.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let (jar, chrome) = chrome(&state, jar).await?;
    let page = SignInPage::new(&state, chrome, next).await?;
    Ok(page.respond(StatusCode::OK, jar))
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub csrf: String,
    pub next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    crate::csrf::check(&state, &headers, &jar, &form.csrf)?;
    let next = local_path(form.next.as_deref());
    let email = Email::parse(&form.email);
    let refuse =
        |status: StatusCode, problem: Option<String>, email_error: Option<String>, password_error: Option<String>| {
            let state = state.clone();
            let jar = jar.clone();
            let (email, next) = (form.email.clone(), next.clone());
            async move {
                let (jar, chrome) = chrome(&state, jar).await?;
                let page = SignInPage {
                    email,
                    problem,
                    email_error,
                    password_error,
                    ..SignInPage::new(&state, chrome, next).await?
                };
                Ok::<Response, PageError>(page.respond(status, jar))
            }
        };
    let password_error = form.password.is_empty().then(|| "Enter your password.".to_owned());
    let email = match email {
        Ok(email) if password_error.is_none() => email,
        Ok(_) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, None, None, password_error).await,
        Err(err) => {
            let email_error = Some(format!("{}.", crate::pages::capitalised(&err.to_string())));
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, None, email_error, password_error).await;
        }
    };
    let attempt = state.sign_in_attempt(peer.ip());
    let now = state.clock.now();
    let logged_in =
        match certify_accounts::log_in(&state.db, now, state.sessions, attempt, &email, &form.password).await {
            Ok(logged_in) => logged_in,
            Err(LoginError::InvalidCredentials) => {
                let problem = "That e-mail address and password do not match an account.".to_owned();
                return refuse(StatusCode::UNAUTHORIZED, Some(problem), None, None).await;
            }
            Err(LoginError::Throttled(throttled)) => {
                let minutes = throttled.retry_after.as_secs().div_ceil(60).max(1);
                let problem = format!("Too many attempts. Please wait {minutes} minute(s) and try again.");
                return refuse(StatusCode::TOO_MANY_REQUESTS, Some(problem), None, None).await;
            }
            Err(other) => return Err(PageError::internal(other)),
        };
    let mut cookie = site_cookie(&state, SESSION, logged_in.token.expose().to_owned());
    cookie.set_max_age(state.sessions.lifetime);
    let form_token = crate::csrf::for_new_session(&state, logged_in.token.expose())?;
    Ok((jar.add(cookie).add(form_token), Redirect::to(&next)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    pub csrf: String,
}

/// Ends the session on the server (the cookie stops working wherever it was copied) and
/// forgets the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SignOutForm>,
) -> Result<Response, PageError> {
    crate::csrf::check(&state, &headers, &jar, &form.csrf)?;
    if let Some(visitor) = session::visitor(&state, &jar).await? {
        certify_accounts::log_out(&state.db, state.clock.now(), visitor.principal.session_id)
            .await
            .map_err(PageError::internal)?;
    }
    let provider = match jar
        .get(&session::cookie_name(&state, super::sso::SIGNED_IN_THROUGH))
        .and_then(|cookie| uuid::Uuid::parse_str(cookie.value()).ok())
    {
        Some(id) => certify_sso::find_provider(&state.db, id)
            .await
            .map_err(PageError::internal)?,
        None => None,
    };
    let id_token = jar
        .get(&session::cookie_name(&state, super::sso::ID_TOKEN))
        .map(|cookie| cookie.value().to_owned());
    let jar = jar
        .remove(site_cookie(&state, SESSION, String::new()))
        .remove(site_cookie(&state, super::sso::SIGNED_IN_THROUGH, String::new()))
        .remove(site_cookie(&state, super::sso::ID_TOKEN, String::new()));
    match super::sso::signed_out_page(&state, jar.clone(), provider, id_token.as_deref()).await? {
        Some(page) => Ok(page),
        None => Ok((jar, Redirect::to("/")).into_response()),
    }
}
