//! Signing in and out, and who am I.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use certify_core::Email;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem, Validation};
use crate::extract::ApiJson;
use crate::problem_responses::Invalid;
use crate::state::AppState;
use crate::views::accounts::AccountView;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "staff@certify.example")]
    pub email: String,
    #[schema(min_length = 1)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub account: AccountView,
}

/// Sign in with e-mail and password and receive a bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = OK, body = LoginResponse),
        (status = UNAUTHORIZED, description = "unknown e-mail or wrong password, indistinguishably", body = Problem, content_type = PROBLEM_JSON),
        Invalid,
        (status = TOO_MANY_REQUESTS, description = "too many attempts for this e-mail address or from this client address, whether or not an account has the address; `Retry-After` says when to try again",
            body = Problem, content_type = PROBLEM_JSON,
            headers(("Retry-After" = u64, description = "seconds to wait"))),
    )
)]
pub async fn log_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let mut v = Validation::default();
    let email = v.check("email", Email::parse(&request.email));
    if request.password.is_empty() {
        v.fail("password", "must not be empty");
    }
    let email = v.finish(email)?;
    let attempt = state.sign_in_attempt(peer.ip());
    let logged_in = certify_accounts::log_in(
        &state.db,
        state.clock.now(),
        state.sessions,
        attempt,
        &email,
        &request.password,
    )
    .await?;
    Ok(Json(LoginResponse {
        token: logged_in.token.expose().to_owned(),
        token_type: "Bearer",
        expires_at: logged_in.expires_at,
        account: logged_in.account.into(),
    }))
}

/// Revoke the token this request carries.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = NO_CONTENT, description = "the token no longer works")))]
pub async fn log_out(State(state): State<AppState>, Caller(principal): Caller) -> Result<StatusCode, ApiError> {
    certify_accounts::log_out(&state.db, state.clock.now(), principal.session_id)
        .await
        .map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub current_password: String,
    /// At least 12 characters and hard to guess: not a common password, not the account's
    /// e-mail address or name.
    pub new_password: String,
}

/// Choose a new password (the current one is required). Every other session of the account
/// ends; this token goes on. An account whose password someone else chose must do this first.
#[utoipa::path(
    put,
    path = "/api/v1/me/password",
    tag = "auth",
    request_body = PasswordChangeRequest,
    responses(
        (status = NO_CONTENT, description = "changed; the account's other sessions ended"),
        (status = CONFLICT, description = "the account signs in through its firm's provider and has no password here", body = Problem, content_type = PROBLEM_JSON),
        Invalid,
        (status = TOO_MANY_REQUESTS, description = "too many wrong current passwords; `Retry-After` says when to try again",
            body = Problem, content_type = PROBLEM_JSON,
            headers(("Retry-After" = u64, description = "seconds to wait"))),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Caller(principal): Caller,
    ApiJson(request): ApiJson<PasswordChangeRequest>,
) -> Result<StatusCode, ApiError> {
    certify_accounts::change_password(
        &state.db,
        state.clock.now(),
        state.sign_in_attempt(peer.ip()),
        (principal.account_id, principal.session_id),
        &request.current_password,
        &request.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = OK, body = AccountView)))]
pub async fn me(State(state): State<AppState>, Caller(principal): Caller) -> Result<Json<AccountView>, ApiError> {
    let account = certify_accounts::find_account(&state.db, principal.account_id).await?;
    Ok(Json(account.into()))
}
