//! A firm's API clients: the firm's own systems (HR, staffing, CRM) that read its certified staff
//! or import rosters without a person at a browser. An admin creates one with the scopes it
//! needs and sees its secret once; rotates the secret; revokes the client; sees when it was used.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_accounts::{ApiClient, ApiClientError, ClientSecret, MAX_CLIENT_NAME, NewApiClient, Scope, Scopes};
use certify_api::AppState;
use certify_core::TextError;
use certify_firms::Firm;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::FirmPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{Chrome, Moment, chrome_for, date_time, date_time_text};
use crate::session::Visitor;

/// One client as the table shows it.
#[derive(Debug, Clone)]
pub struct ClientLine {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<&'static str>,
    pub created: Moment,
    /// When it last asked for a token or called; `None` if it never did.
    pub last_used: Option<Moment>,
    /// "Revoked on …" once revoked.
    pub revoked: Option<String>,
}

impl From<ApiClient> for ClientLine {
    fn from(client: ApiClient) -> Self {
        Self {
            id: client.id,
            name: client.name,
            scopes: client.scopes.iter().map(Scope::name).collect(),
            created: date_time(client.created_at),
            last_used: client.last_used_at.map(date_time),
            revoked: client.revoked_at.map(|at| format!("Revoked on {}", date_time_text(at))),
        }
    }
}

/// A scope to tick in the form.
#[derive(Debug, Clone)]
pub struct ScopeChoice {
    pub name: &'static str,
    pub description: &'static str,
    pub chosen: bool,
}

/// A secret just made, shown this once.
#[derive(Debug, Clone)]
pub struct NewSecret {
    pub client_name: String,
    pub client_id: Uuid,
    pub secret: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_clients.html")]
pub struct ApiClientsPage {
    chrome: Chrome,
    firm_id: Uuid,
    firm_name: String,
    token_url: String,
    clients: Vec<ClientLine>,
    new_secret: Option<NewSecret>,
    name: String,
    name_error: Option<String>,
    scopes: Vec<ScopeChoice>,
    scopes_error: Option<String>,
}

const NO_SCOPES: &str = "Tick at least one thing the client may do.";

/// What the create form holds, and what was wrong with it.
#[derive(Debug, Default)]
struct Draft {
    name: String,
    scopes: Scopes,
    name_error: Option<String>,
    scopes_error: Option<String>,
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    firm: Firm,
    draft: Draft,
    new_secret: Option<NewSecret>,
) -> Result<(CookieJar, ApiClientsPage), PageError> {
    let clients = certify_accounts::api_clients_of(&state.db, firm.id)
        .await
        .map_err(PageError::internal)?;
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    Ok((
        jar,
        ApiClientsPage {
            chrome,
            firm_id: firm.id,
            firm_name: firm.name,
            token_url: format!("{}/oauth/token", state.issuer.public_base_url.trim_end_matches('/')),
            clients: clients.into_iter().map(ClientLine::from).collect(),
            new_secret,
            scopes: Scope::ALL
                .into_iter()
                .map(|scope| ScopeChoice {
                    name: scope.name(),
                    description: scope.description(),
                    chosen: draft.scopes.contains(scope),
                })
                .collect(),
            name: draft.name,
            name_error: draft.name_error,
            scopes_error: draft.scopes_error,
        },
    ))
}

#[derive(Deserialize)]
pub struct ClientParam {
    client_id: Uuid,
}

/// The firm's clients and the form to create one.
pub async fn clients(
    State(state): State<AppState>,
    jar: CookieJar,
    FirmPage { visitor, firm }: FirmPage,
) -> Result<Response, PageError> {
    Ok(page(&state, jar, &visitor, firm, Draft::default(), None)
        .await?
        .into_response())
}

/// Creates a client from the form and shows its secret; a wrong field is answered beside it.
pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    FirmPage { visitor, firm }: FirmPage,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let firm_id = firm.id;
    let mut draft = Draft {
        name: form.value("name").unwrap_or_default().to_owned(),
        ..Draft::default()
    };
    let created = match Scopes::parse(&form.values("scope").join(" ")) {
        // Only a form not made by this page names an unknown scope.
        Err(unknown) => Err(ApiClientError::UnknownScope(unknown)),
        Ok(scopes) => {
            draft.scopes = scopes;
            let new = NewApiClient {
                firm_id,
                name: draft.name.clone(),
                scopes,
                created_by: visitor.account.id,
            };
            certify_accounts::create_api_client(&state.db, state.clock.now(), new).await
        }
    };
    match created {
        Ok(created) => shown_once(&state, jar, &visitor, firm, created).await,
        // The name is checked first; say at once if the scopes are missing too.
        Err(ApiClientError::InvalidName(why)) => {
            draft.name_error = Some(match why {
                TextError::InvisibleCharacter { .. } | TextError::ControlCharacter => {
                    "Use letters, digits, spaces and punctuation only: the name has a character that would hide or reorder text.".to_owned()
                }
                TextError::Empty | TextError::TooLong { .. } => format!(
                    "Name the system this client is for, in at most {MAX_CLIENT_NAME} characters, such as \u{201c}Staffing system\u{201d}."
                ),
            });
            if draft.scopes.is_empty() {
                draft.scopes_error = Some(NO_SCOPES.to_owned());
            }
            refused(&state, jar, &visitor, firm, draft).await
        }
        Err(ApiClientError::NoScopes) => {
            draft.scopes_error = Some(NO_SCOPES.to_owned());
            refused(&state, jar, &visitor, firm, draft).await
        }
        Err(ApiClientError::UnknownScope(unknown)) => {
            draft.scopes_error = Some(format!("{unknown}."));
            refused(&state, jar, &visitor, firm, draft).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn refused(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    firm: Firm,
    draft: Draft,
) -> Result<Response, PageError> {
    let page = page(state, jar, visitor, firm, draft, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The page with a secret just made: the only time anyone sees it.
async fn shown_once(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    firm: Firm,
    (client, secret): (ApiClient, ClientSecret),
) -> Result<Response, PageError> {
    let new_secret = NewSecret {
        client_name: client.name,
        client_id: client.id,
        secret: secret.expose().to_owned(),
    };
    Ok(page(state, jar, visitor, firm, Draft::default(), Some(new_secret))
        .await?
        .into_response())
}

/// A new secret for a client; the old one and its tokens stop working now.
pub async fn rotate(
    State(state): State<AppState>,
    jar: CookieJar,
    FirmPage { visitor, firm }: FirmPage,
    PagePath(ClientParam { client_id }): PagePath<ClientParam>,
    _form: CheckedForm,
) -> Result<Response, PageError> {
    let firm_id = firm.id;
    let rotated = certify_accounts::rotate_api_client_secret(&state.db, state.clock.now(), firm_id, client_id).await?;
    shown_once(&state, jar, &visitor, firm, rotated).await
}

/// Revokes a client, from the confirmation the table folds under its "Revoke" button.
pub async fn revoke(
    State(state): State<AppState>,
    jar: CookieJar,
    FirmPage { firm, .. }: FirmPage,
    PagePath(ClientParam { client_id }): PagePath<ClientParam>,
    _form: CheckedForm,
) -> Result<(CookieJar, Redirect), PageError> {
    let firm_id = firm.id;
    let revoked = certify_accounts::revoke_api_client(&state.db, state.clock.now(), firm_id, client_id).await?;
    let said = format!("{} revoked: its secret and tokens no longer work.", revoked.name);
    Ok(crate::notice::redirect(
        &state,
        jar,
        &said,
        &format!("/firms/{firm_id}/api-clients"),
    ))
}
