//! The OAuth2 token endpoint of API clients: the client credentials grant (RFC 6749 §4.4).
//!
//! It speaks OAuth2 rather than problems, because that is what every OAuth2 library expects:
//! a form body in, and out either a token or an RFC 6749 §5.2 error (`{"error": ...}` as
//! `application/json`). Only a rate limit answers with a problem, like every other 429.

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine as _;
use certify_accounts::{Attempt, GrantError, Scopes, Throttled};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, PROBLEM_JSON, Problem};
use crate::state::AppState;

/// The path of the token endpoint, as clients and the OpenAPI document name it.
pub const TOKEN_PATH: &str = "/oauth/token";

/// A token request. The client authenticates with HTTP Basic (`client_secret_basic`) or with
/// `client_id` and `client_secret` in this body (`client_secret_post`), not both.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[schema(example = "client_credentials")]
    pub grant_type: Option<String>,
    /// Space-separated scopes, all held by the client; absent or empty for all of them.
    #[schema(example = "consultants:read certificates:read")]
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// An access token (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>` to the firm's routes. Only its hash is stored.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the token stops working.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// The scopes the token holds.
    #[schema(example = "consultants:read certificates:read")]
    pub scope: String,
}

/// A refused token request (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenError {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type` or `invalid_scope`.
    #[schema(example = "invalid_client")]
    pub error: &'static str,
    pub error_description: String,
}

/// Exchange an API client's credentials for a short-lived bearer token.
///
/// The token reaches only the client's firm, and of that firm only the routes whose scope it
/// holds (each such route names its scope under the `firm_client` security scheme).
#[utoipa::path(
    post,
    path = "/oauth/token",
    tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_basic" = [])),
    responses(
        (status = OK, body = TokenResponse, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = BAD_REQUEST, description = "a malformed request, another grant type or a scope the client does not hold", body = TokenError),
        (status = UNAUTHORIZED, description = "unknown client, wrong secret or revoked client, indistinguishably", body = TokenError,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"certify\"`"))),
        (status = TOO_MANY_REQUESTS, description = "too many requests for this client id or from this client address; `Retry-After` says when to try again",
            body = Problem, content_type = PROBLEM_JSON,
            headers(("Retry-After" = u64, description = "seconds to wait"))),
    )
)]
pub async fn token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Response {
    match grant(&state, peer, &headers, form).await {
        Ok(granted) => no_store(Json(granted).into_response()),
        Err(Refusal::OAuth(status, body)) => {
            let mut response = no_store((status, Json(body)).into_response());
            if status == StatusCode::UNAUTHORIZED {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"certify\""),
                );
            }
            response
        }
        Err(Refusal::Problem(problem)) => problem.into_response(),
    }
}

enum Refusal {
    OAuth(StatusCode, TokenError),
    Problem(ApiError),
}

fn refuse(error: &'static str, description: impl Into<String>) -> Refusal {
    let status = if error == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    Refusal::OAuth(
        status,
        TokenError {
            error,
            error_description: description.into(),
        },
    )
}

fn too_many(throttled: Throttled) -> Refusal {
    Refusal::Problem(ApiError::too_many_requests(
        format!(
            "too many token requests; try again in {} s",
            throttled.retry_after.as_secs().max(1)
        ),
        throttled.retry_after,
    ))
}

async fn grant(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<TokenResponse, Refusal> {
    let Form(request) = form.map_err(|rejection| refuse("invalid_request", rejection.body_text()))?;
    let (client_id, secret) = credentials(headers, &request)?;
    match request.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(refuse(
                "unsupported_grant_type",
                format!("only `client_credentials` is granted here, not `{other}`"),
            ));
        }
        None => return Err(refuse("invalid_request", "`grant_type` is missing")),
    }
    let requested = match request.scope.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(list) => Some(Scopes::parse(list).map_err(|unknown| refuse("invalid_scope", unknown.to_string()))?),
    };
    let Ok(client_id) = Uuid::parse_str(&client_id) else {
        // Names no client, so it spends only the address's budget.
        state.token_throttle.check_address(peer.ip()).map_err(too_many)?;
        return Err(refuse("invalid_client", GrantError::InvalidClient.to_string()));
    };
    let now = state.clock.now();
    let attempt = Attempt {
        throttle: &state.token_throttle,
        from: peer.ip(),
    };
    let granted = certify_accounts::grant_client_token(
        &state.db,
        now,
        state.client_tokens,
        attempt,
        client_id,
        &secret,
        requested,
    )
    .await
    .map_err(|err| match err {
        GrantError::InvalidClient => refuse("invalid_client", err.to_string()),
        GrantError::InvalidScope(..) => refuse("invalid_scope", err.to_string()),
        GrantError::Throttled(throttled) => too_many(throttled),
        GrantError::Unexpected(cause) => Refusal::Problem(ApiError::internal(cause)),
    })?;
    Ok(TokenResponse {
        access_token: granted.token.expose().to_owned(),
        token_type: "Bearer",
        expires_in: (granted.expires_at - now).whole_seconds(),
        scope: granted.scopes.to_string(),
    })
}

/// The client's id and secret, from exactly one of HTTP Basic and the body.
fn credentials(headers: &HeaderMap, request: &TokenRequest) -> Result<(String, String), Refusal> {
    let basic = headers.get(header::AUTHORIZATION).map(basic_credentials).transpose()?;
    match (basic, &request.client_id, &request.client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(refuse(
            "invalid_request",
            "authenticate with HTTP Basic or with `client_id` and `client_secret` in the body, not both",
        )),
        (Some(pair), None, None) => Ok(pair),
        (None, Some(id), Some(secret)) => Ok((id.clone(), secret.clone())),
        (None, _, _) => Err(refuse(
            "invalid_client",
            "authenticate with HTTP Basic, or send `client_id` and `client_secret` in the body",
        )),
    }
}

/// RFC 6749 §2.3.1: the id and secret are form-encoded, joined by `:` and Base64-encoded.
fn basic_credentials(value: &HeaderValue) -> Result<(String, String), Refusal> {
    let malformed = || {
        refuse(
            "invalid_request",
            "the Authorization header is not HTTP Basic credentials",
        )
    };
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, encoded) = value.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok((form_decoded(id), form_decoded(secret)))
}

fn form_decoded(part: &str) -> String {
    url::form_urlencoded::parse(part.as_bytes())
        .next()
        .map(|(key, _)| key.into_owned())
        .unwrap_or_default()
}

/// RFC 6749 §5.1: responses carrying or refusing credentials are never cached.
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
