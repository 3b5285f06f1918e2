//! Accounts, roles and sign-in. An account is a consultant, a firm admin bound to one firm, or
//! programme staff. People sign in with e-mail and password (argon2id) and receive an opaque
//! bearer token whose SHA-256 alone is stored; an account may also be linked to external
//! identities (`iss` + `sub` of an OpenID Connect provider) for single sign-on.
//!
//! Everything here is plain Rust over sea-orm; nothing knows about HTTP.

mod api_clients;
pub mod entity;
mod error;
mod identities;
mod own_account;
pub mod password;
mod role;
mod sessions;
mod store;
pub mod throttle;
pub mod token;

pub use api_clients::{
    ApiClient, ApiClientError, ClientGrant, ClientSecret, ClientToken, ClientTokenSettings, GrantError,
    MAX_CLIENT_NAME, NewApiClient, Scope, Scopes, UnknownScope, api_clients_of, create_api_client, find_api_client,
    grant_client_token, revoke_api_client, rotate_api_client_secret,
};
pub use error::{AccountError, LoginError};
pub use identities::{LinkError, account_for_external_identity, link_external_identity, unlink_issuer};
pub use own_account::{PasswordChangeError, PasswordChanged, change_password};
pub use password::{Password, PasswordError};
pub use role::{Role, RoleKind};
pub use sessions::{
    Attempt, LAST_SEEN_PRECISION, LiveSession, LoggedIn, Principal, Purged, SessionSettings, authenticate,
    end_other_sessions, keep_alive_until, live_sessions, log_in, log_out, purge_expired, session_lookup, start_session,
};
pub use store::{
    Account, AccountFilter, NewAccount, accounts_by_email, count_accounts, create_account, create_consultants,
    find_account, has_password, list_accounts, rename_account, search_accounts,
};
pub use throttle::{SignInLimits, SignInThrottle, Throttled};
pub use token::SessionToken;
