//! "Sign in with your firm": single sign-on through the firm's OpenID Connect provider.
//!
//! The sign-in page sends the person's e-mail address (or the firm they picked) here; we find
//! the provider that speaks for it, keep the flow's `state` in a cookie, and send the browser to
//! the provider (programme staff pick the programme's own provider the same way). The provider
//! sends it back to [`callback`], which finishes the flow with
//! `certify_sso` and starts a session as the password sign-in does. Sign-out offers to sign out
//! at the provider too, when it publishes an end-session endpoint.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_core::Email;
use certify_firms::EmailDomain;
use certify_sso::{Provider, ProviderAnswer, RedirectUrl, SsoError};
use serde::Deserialize;
use uuid::Uuid;

use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::pages::{Chrome, chrome};
use crate::session::{SESSION, local_path, site_cookie};

/// The flow's `state`, kept by the browser that started it.
const FLOW_STATE: &str = "certify_sso_state";
/// Which provider the session came through, for signing out there too.
pub(crate) const SIGNED_IN_THROUGH: &str = "certify_sso_provider";
/// The ID token the provider signed the person in with, sent back when signing out there
/// (`id_token_hint`) so the provider knows which session ends without asking.
pub(crate) const ID_TOKEN: &str = "certify_sso_id_token";
/// A cookie holds about 4 KB; a larger ID token is not kept (sign-out there then asks).
const MAX_KEPT_ID_TOKEN: usize = 3000;

/// A firm whose sign-in the page lists.
#[derive(Debug, Clone)]
pub struct ProviderChoice {
    pub id: Uuid,
    pub name: String,
    /// Where its sign-in lives (`https://login.example`), which the page's forms may lead to.
    pub origin: String,
}

impl ProviderChoice {
    fn of(provider: Provider) -> Self {
        Self {
            origin: url::Url::parse(&provider.issuer)
                .map(|url| url.origin().ascii_serialization())
                .unwrap_or_default(),
            id: provider.id,
            name: provider.name,
        }
    }
}

/// The firms people may sign in through, for the sign-in page.
pub async fn provider_choices(state: &AppState) -> Result<Vec<ProviderChoice>, PageError> {
    Ok(certify_sso::firm_providers(&state.db)
        .await
        .map_err(PageError::internal)?
        .into_iter()
        .map(ProviderChoice::of)
        .collect())
}

/// The programme's own sign-in for staff, if one is set up.
pub async fn staff_choice(state: &AppState) -> Result<Option<ProviderChoice>, PageError> {
    Ok(
        certify_sso::provider_serving(&state.db, certify_sso::Serves::ProgrammeStaff)
            .await
            .map_err(PageError::internal)?
            .map(ProviderChoice::of),
    )
}

fn unavailable() -> PageError {
    PageError::Explained {
        status: StatusCode::SERVICE_UNAVAILABLE,
        heading: "Your firm's sign-in is not available".to_owned(),
        explanation: "The platform could not reach your firm's sign-in service just now. Try again in a few \
                      minutes, sign in with your password, or contact your firm's administrator."
            .to_owned(),
    }
}

fn redirect_url(state: &AppState) -> Result<RedirectUrl, PageError> {
    RedirectUrl::new(state.sso_redirect_uri()).map_err(PageError::internal)
}

/// The provider a start names: the firm chosen from the list, else the one that speaks for the
/// typed work address; or what to say beside the field.
async fn chosen_provider(
    state: &AppState,
    chosen_id: Option<&str>,
    email: &str,
) -> Result<Result<certify_sso::Provider, &'static str>, PageError> {
    let provider = match chosen_id.map(Uuid::parse_str) {
        Some(Ok(id)) => certify_sso::find_provider(&state.db, id).await,
        _ => match Email::parse(email) {
            Ok(address) => certify_sso::provider_for_domain(&state.db, &EmailDomain::of(&address)).await,
            Err(_) => return Ok(Err("Enter your work e-mail address as name@yourfirm.com.")),
        },
    };
    Ok(provider.map_err(PageError::internal)?.ok_or(
        "No firm's sign-in is set up for that address. Sign in with your password, or ask your firm's \
         administrator.",
    ))
}

/// Starts a sign-in through the provider for the typed e-mail address or the chosen firm.
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let next = local_path(form.value("next"));
    let email = form.value("firm_email").unwrap_or_default().trim().to_owned();
    // Each start stores a sign-in in progress: one address may not start them without end.
    let chosen = match state.sign_in_throttle.check_address(peer.ip()) {
        Err(throttled) => Err((
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many sign-ins from here. Please wait {} seconds and try again.",
                throttled.retry_after.as_secs().max(1)
            ),
        )),
        Ok(()) => chosen_provider(&state, form.value("provider"), &email)
            .await?
            .map_err(|problem| (StatusCode::UNPROCESSABLE_ENTITY, problem.to_owned())),
    };
    let provider = match chosen {
        Ok(provider) => provider,
        Err(refusal) => return super::sign_in::with_firm_problem(&state, jar, next, email, refusal).await,
    };
    let begun = certify_sso::begin(
        &state.db,
        &state.sso,
        state.clock.now(),
        &provider,
        &redirect_url(&state)?,
        &next,
    )
    .await
    .map_err(|err| match err {
        SsoError::Unavailable(_) => unavailable(),
        SsoError::Busy => PageError::Explained {
            status: StatusCode::SERVICE_UNAVAILABLE,
            heading: "Too many sign-ins are in progress".to_owned(),
            explanation: "Firm sign-in is busy just now. Try again in a few minutes, or sign in with your password."
                .to_owned(),
        },
        other => PageError::internal(other),
    })?;
    let mut cookie = site_cookie(&state, FLOW_STATE, begun.state);
    cookie.set_max_age(certify_sso::PENDING_FOR);
    Ok((jar.add(cookie), Redirect::to(begun.authorization_url.as_str())).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub state: Option<String>,
    pub code: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Where the provider sends the browser back: finishes the flow and starts a session.
pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, PageError> {
    if let Err(throttled) = state.sign_in_throttle.check_address(peer.ip()) {
        return Err(certify_api::ApiError::too_many_requests(throttled.to_string(), throttled.retry_after).into());
    }
    let answer = ProviderAnswer {
        state: query.state,
        code: query.code,
        iss: query.iss,
        error: query.error,
        error_description: query.error_description,
    };
    let browser_state = jar
        .get(&crate::session::cookie_name(&state, FLOW_STATE))
        .map(|c| c.value().to_owned());
    let jar = jar.remove(site_cookie(&state, FLOW_STATE, String::new()));
    let now = state.clock.now();
    let finished = async {
        let identity = certify_sso::complete(
            &state.db,
            &state.sso,
            now,
            &answer,
            browser_state.as_deref(),
            &redirect_url(&state)?,
        )
        .await
        .map_err(refused)?;
        let account = certify_sso::admit(&state.db, now, &identity).await.map_err(refused)?;
        let logged_in = certify_accounts::start_session(&state.db, now, state.sessions, account)
            .await
            .map_err(PageError::internal)?;
        Ok::<_, PageError>((identity, logged_in))
    };
    let (identity, logged_in) = match finished.await {
        Ok(done) => done,
        Err(err) => return Ok((jar, err).into_response()),
    };
    let mut session = site_cookie(&state, SESSION, logged_in.token.expose().to_owned());
    session.set_max_age(state.sessions.lifetime);
    let form_token = crate::csrf::for_new_session(&state, logged_in.token.expose())?;
    let mut through = site_cookie(&state, SIGNED_IN_THROUGH, identity.provider.id.to_string());
    through.set_max_age(state.sessions.lifetime);
    let mut jar = jar.add(session).add(through).add(form_token);
    if identity.id_token.len() <= MAX_KEPT_ID_TOKEN {
        let mut id_token = site_cookie(&state, ID_TOKEN, identity.id_token);
        id_token.set_max_age(state.sessions.lifetime);
        jar = jar.add(id_token);
    }
    Ok((jar, Redirect::to(&identity.next)).into_response())
}

/// The page for a sign-in that did not complete: what happened, in words, and no session.
fn refused(err: SsoError) -> PageError {
    let (status, explanation) = match err {
        SsoError::Unavailable(_) => return unavailable(),
        SsoError::Unexpected(cause) => return PageError::internal(cause),
        SsoError::NotAdmitted(why) => (StatusCode::FORBIDDEN, format!("{why}.")),
        SsoError::UnknownState => (
            StatusCode::BAD_REQUEST,
            "This sign-in was not started in this browser, was already used, or took longer than 10 minutes. \
             Start again from the sign-in page."
                .to_owned(),
        ),
        other => (
            StatusCode::BAD_REQUEST,
            format!(
                "The sign-in service did not vouch for you in a way the platform can accept ({other}). Start again from the sign-in page; if it happens again, contact your administrator."
            ),
        ),
    };
    tracing::info!(%explanation, "a sign-in through a provider was refused");
    PageError::Explained {
        status,
        heading: "You are not signed in".to_owned(),
        explanation,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage {
    chrome: Chrome,
    provider_name: String,
    end_session_url: String,
}

/// After signing out of the platform: the page offering to sign out at the firm's provider too,
/// when the session came through one that publishes an end-session endpoint.
pub async fn signed_out_page(
    state: &AppState,
    jar: CookieJar,
    provider: Option<Provider>,
    id_token: Option<&str>,
) -> Result<Option<Response>, PageError> {
    let Some(provider) = provider else {
        return Ok(None);
    };
    let after = format!("{}/", state.issuer.public_base_url.trim_end_matches('/'));
    let now = state.clock.now();
    let Some(url) = certify_sso::end_session_url(&state.sso, now, &provider, id_token, &after).await else {
        return Ok(None);
    };
    let (jar, chrome) = chrome(state, jar).await?;
    let page = SignedOutPage {
        chrome,
        provider_name: provider.name,
        end_session_url: url.to_string(),
    };
    Ok(Some((jar, page).into_response()))
}
