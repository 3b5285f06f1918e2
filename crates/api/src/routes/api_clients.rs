//! A firm's API clients, managed by its admins (and programme staff): create one with chosen
//! scopes and see its secret once, rotate the secret, revoke the client, see when it was used.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_accounts::{ApiClient, ApiClientError, ClientSecret, NewApiClient, Scope, Scopes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::FirmScope;
use crate::error::{ApiError, PROBLEM_JSON, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientView {
    /// Also the client's OAuth2 `client_id`.
    pub id: Uuid,
    #[schema(example = "Staffing system")]
    pub name: String,
    #[schema(example = json!(["consultants:read", "certificates:read"]))]
    pub scopes: Vec<&'static str>,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub secret_rotated_at: OffsetDateTime,
    /// The last token exchange or call, to about a minute; absent if never used.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// Absent while the client works.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<ApiClient> for ApiClientView {
    fn from(client: ApiClient) -> Self {
        Self {
            id: client.id,
            name: client.name,
            scopes: client.scopes.iter().map(Scope::name).collect(),
            created_by: client.created_by,
            created_at: client.created_at,
            secret_rotated_at: client.secret_rotated_at,
            last_used_at: client.last_used_at,
            revoked_at: client.revoked_at,
        }
    }
}

/// A client with its secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientWithSecret {
    pub client: ApiClientView,
    /// Store it now: only its hash is kept, so it cannot be shown again (rotate for a new one).
    pub client_secret: String,
}

impl ApiClientWithSecret {
    fn of((client, secret): (ApiClient, ClientSecret)) -> Self {
        Self {
            client: client.into(),
            client_secret: secret.expose().to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiClientRequest {
    #[schema(example = "Staffing system", min_length = 1, max_length = 100)]
    pub name: String,
    /// At least one of `firm:read`, `consultants:read`, `certificates:read`, `roster:write`.
    #[schema(example = json!(["consultants:read"]), min_items = 1)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ClientPath {
    pub client_id: Uuid,
}

/// The firm's API clients, newest first, revoked ones included.
#[utoipa::path(get, path = "/api/v1/firms/{firm_id}/api-clients", tag = "firms", params(("firm_id" = Uuid, Path)),
    responses((status = OK, body = Vec<ApiClientView>), Forbidden, NotFound))]
pub async fn list_clients(
    State(state): State<AppState>,
    scope: FirmScope,
) -> Result<Json<Vec<ApiClientView>>, ApiError> {
    let clients = certify_accounts::api_clients_of(&state.db, scope.firm_id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(clients.into_iter().map(ApiClientView::from).collect()))
}

/// Create an API client for the firm's own systems. The response holds its secret, once.
#[utoipa::path(post, path = "/api/v1/firms/{firm_id}/api-clients", tag = "firms", params(("firm_id" = Uuid, Path)),
    request_body = NewApiClientRequest,
    responses((status = CREATED, body = ApiClientWithSecret), Forbidden, NotFound, Invalid))]
pub async fn create_client(
    State(state): State<AppState>,
    scope: FirmScope,
    ApiJson(request): ApiJson<NewApiClientRequest>,
) -> Result<(StatusCode, Json<ApiClientWithSecret>), ApiError> {
    let scopes = Scopes::parse(&request.scopes.join(" ")).map_err(ApiClientError::from)?;
    let new = NewApiClient {
        firm_id: scope.firm_id,
        name: request.name,
        scopes,
        created_by: scope.principal.account_id,
    };
    let created = certify_accounts::create_api_client(&state.db, state.clock.now(), new).await?;
    Ok((StatusCode::CREATED, Json(ApiClientWithSecret::of(created))))
}

/// Give a client a new secret. The old secret, and every token it bought, stop working now.
#[utoipa::path(post, path = "/api/v1/firms/{firm_id}/api-clients/{client_id}/secret", tag = "firms",
    params(("firm_id" = Uuid, Path), ("client_id" = Uuid, Path)),
    responses((status = OK, body = ApiClientWithSecret), Forbidden, NotFound,
        (status = CONFLICT, description = "`invalid-state`: the client was revoked", body = Problem, content_type = PROBLEM_JSON)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    scope: FirmScope,
    ApiPath(path): ApiPath<ClientPath>,
) -> Result<Json<ApiClientWithSecret>, ApiError> {
    let rotated =
        certify_accounts::rotate_api_client_secret(&state.db, state.clock.now(), scope.firm_id, path.client_id).await?;
    Ok(Json(ApiClientWithSecret::of(rotated)))
}

/// Revoke a client: its secret and tokens stop working now. Revoking again changes nothing.
#[utoipa::path(delete, path = "/api/v1/firms/{firm_id}/api-clients/{client_id}", tag = "firms",
    params(("firm_id" = Uuid, Path), ("client_id" = Uuid, Path)),
    responses((status = OK, body = ApiClientView), Forbidden, NotFound))]
pub async fn revoke_client(
    State(state): State<AppState>,
    scope: FirmScope,
    ApiPath(path): ApiPath<ClientPath>,
) -> Result<Json<ApiClientView>, ApiError> {
    let revoked =
        certify_accounts::revoke_api_client(&state.db, state.clock.now(), scope.firm_id, path.client_id).await?;
    Ok(Json(revoked.into()))
}
