//! Each firm's OpenID Connect provider, and the one programme staff sign in through, configured
//! by programme staff. The client secret is accepted, never returned.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_sso::{Provider, ProviderSettings, Serves};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{FirmScope, Staff};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;

/// A provider as staff see it: never its client secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityProviderView {
    pub id: Uuid,
    /// The firm whose people sign in through it; absent for the staff sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firm_id: Option<Uuid>,
    /// What the sign-in button says: "Sign in with …".
    #[schema(example = "Northwind Consulting")]
    pub name: String,
    #[schema(example = "https://login.northwind.example")]
    pub issuer: String,
    pub client_id: String,
    #[schema(example = json!(["northwind.example"]))]
    pub domains: Vec<String>,
    /// The redirect URI to register at the provider for this client.
    #[schema(example = "https://certify.example/sign-in/sso/callback")]
    pub redirect_uri: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl IdentityProviderView {
    fn of(provider: Provider, state: &AppState) -> Self {
        Self {
            id: provider.id,
            firm_id: provider.serves.firm_id(),
            name: provider.name,
            issuer: provider.issuer,
            client_id: provider.client_id,
            domains: provider.domains.iter().map(ToString::to_string).collect(),
            redirect_uri: state.sso_redirect_uri(),
            updated_at: provider.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityProviderRequest {
    #[schema(example = "Northwind Consulting", min_length = 1, max_length = 100)]
    pub name: String,
    /// https, at a public address. Its discovery document is fetched and checked
    /// before the configuration is saved.
    #[schema(example = "https://login.northwind.example")]
    pub issuer: String,
    pub client_id: String,
    /// Required the first time; when changing a provider, leave it out to keep the stored one.
    pub client_secret: Option<String>,
    /// E-mail domains a firm's provider speaks for, at least one, each verified by the firm.
    /// The staff sign-in takes none.
    #[schema(example = json!(["northwind.example"]))]
    #[serde(default)]
    pub domains: Vec<String>,
}

/// The firm's identity provider (programme staff, or the firm's admin).
#[utoipa::path(get, path = "/api/v1/firms/{firm_id}/identity-provider", tag = "firms", params(("firm_id" = Uuid, Path)),
    responses((status = OK, body = IdentityProviderView), Forbidden, NotFound))]
pub async fn get_provider(
    State(state): State<AppState>,
    scope: FirmScope,
) -> Result<Json<IdentityProviderView>, ApiError> {
    shown(&state, Serves::Firm(scope.firm_id)).await
}

async fn shown(state: &AppState, serves: Serves) -> Result<Json<IdentityProviderView>, ApiError> {
    let provider = certify_sso::provider_serving(&state.db, serves)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(no_provider(serves)))?;
    Ok(Json(IdentityProviderView::of(provider, state)))
}

fn no_provider(serves: Serves) -> &'static str {
    match serves {
        Serves::Firm(_) => "the firm has no identity provider",
        Serves::ProgrammeStaff => "no staff sign-in is set up",
    }
}

#[derive(Debug, Deserialize)]
pub struct FirmPath {
    pub firm_id: Uuid,
}

/// Set the firm's identity provider (programme staff). The provider's discovery document is
/// fetched and checked first: an unreachable or misconfigured provider is a 422 on `issuer`.
///
/// Register the answer's `redirect_uri` at the provider. People then sign in from the web
/// sign-in page ("Sign in with your firm"): `POST /sign-in/firm` sends the browser to the
/// provider's authorization endpoint (code flow, PKCE S256, `state`, `nonce`, scopes `openid
/// email profile`); the provider returns it to `redirect_uri`, where the ID token is checked and
/// a session cookie set. Accounts are found by the token's issuer and subject; a first sign-in
/// links an account only through an e-mail the provider marks verified, at one of `domains`.
#[utoipa::path(put, path = "/api/v1/firms/{firm_id}/identity-provider", tag = "firms", params(("firm_id" = Uuid, Path)),
    request_body = IdentityProviderRequest,
    responses((status = OK, body = IdentityProviderView), Forbidden, NotFound, Invalid))]
pub async fn set_provider(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(path): ApiPath<FirmPath>,
    ApiJson(request): ApiJson<IdentityProviderRequest>,
) -> Result<Json<IdentityProviderView>, ApiError> {
    configured(&state, Serves::Firm(path.firm_id), request).await
}

async fn configured(
    state: &AppState,
    serves: Serves,
    request: IdentityProviderRequest,
) -> Result<Json<IdentityProviderView>, ApiError> {
    let settings = ProviderSettings {
        name: request.name,
        issuer: request.issuer,
        client_id: request.client_id,
        client_secret: request.client_secret,
        domains: request.domains,
    };
    let provider = certify_sso::configure_provider(&state.db, &state.sso, state.clock.now(), serves, settings).await?;
    Ok(Json(IdentityProviderView::of(provider, state)))
}

/// Remove the firm's identity provider (programme staff). Identities linked through it stay
/// linked, for when a provider with the same issuer returns.
#[utoipa::path(delete, path = "/api/v1/firms/{firm_id}/identity-provider", tag = "firms", params(("firm_id" = Uuid, Path)),
    responses((status = NO_CONTENT, description = "the firm's people sign in with passwords again"), Forbidden, NotFound))]
pub async fn remove_provider(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(path): ApiPath<FirmPath>,
) -> Result<StatusCode, ApiError> {
    removed(&state, Serves::Firm(path.firm_id)).await
}

async fn removed(state: &AppState, serves: Serves) -> Result<StatusCode, ApiError> {
    if certify_sso::remove_provider(&state.db, serves)
        .await
        .map_err(ApiError::internal)?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(no_provider(serves)))
    }
}

/// The provider programme staff sign in through (programme staff).
#[utoipa::path(get, path = "/api/v1/programme/identity-provider", tag = "accounts",
    responses((status = OK, body = IdentityProviderView), Forbidden, NotFound))]
pub async fn get_staff_provider(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<IdentityProviderView>, ApiError> {
    shown(&state, Serves::ProgrammeStaff).await
}

/// Set the provider programme staff sign in through (programme staff); it is checked as a
/// firm's is, and takes no `domains`.
///
/// The sign-in page then offers "Programme staff: sign in with …". It signs in only accounts
/// staff have made: a first sign-in links the staff account whose e-mail the provider marks
/// verified, and creates nothing; later sign-ins find the account by issuer and subject.
#[utoipa::path(put, path = "/api/v1/programme/identity-provider", tag = "accounts",
    request_body = IdentityProviderRequest,
    responses((status = OK, body = IdentityProviderView), Forbidden, Invalid))]
pub async fn set_staff_provider(
    State(state): State<AppState>,
    _staff: Staff,
    ApiJson(request): ApiJson<IdentityProviderRequest>,
) -> Result<Json<IdentityProviderView>, ApiError> {
    configured(&state, Serves::ProgrammeStaff, request).await
}

/// Remove the staff sign-in (programme staff): staff sign in with their passwords again.
#[utoipa::path(delete, path = "/api/v1/programme/identity-provider", tag = "accounts",
    responses((status = NO_CONTENT, description = "staff sign in with passwords again"), Forbidden, NotFound))]
pub async fn remove_staff_provider(State(state): State<AppState>, _staff: Staff) -> Result<StatusCode, ApiError> {
    removed(&state, Serves::ProgrammeStaff).await
}
