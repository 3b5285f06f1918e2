//! Handlers, grouped by what they serve. [`public`] lists every route that needs no account;
//! everything in [`protected`] sits behind [`crate::auth::require_session`].

pub mod accounts;
pub mod firms;
pub mod health;
pub mod pages;
pub mod session;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Routes anyone may call without an account.
pub fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(session::log_in))
}

/// Routes that need a signed-in account; role and tenant checks are in their extractors.
pub fn protected() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session::log_out))
        .routes(routes!(session::me))
        .routes(routes!(accounts::create_account, accounts::list_accounts))
        .routes(routes!(accounts::get_account))
        .routes(routes!(firms::create_firm))
        .routes(routes!(firms::get_firm))
}
