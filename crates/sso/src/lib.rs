//! Single sign-on through each partner firm's OpenID Connect provider (and the programme's own,
//! for staff), as a relying party built on the `openidconnect` crate (no hand-written JWT or key
//! handling).
//!
//! * [`providers`]: the provider each firm has and the staff's, configured by programme staff
//!   and checked (discovery fetched) before it is saved.
//! * [`discovery`]: the documents and key sets fetched from providers, kept per instance.
//! * [`flow`]: the authorization code flow with PKCE, `state` and `nonce`.
//! * [`accounts`]: which account a vouched-for identity signs in as.
//!
//! It talks HTTP to providers (through `openidconnect`'s reqwest client, redirects off) but
//! serves none: the web edge mounts the pages and the API edge the configuration routes.

pub mod accounts;
pub mod discovery;
pub mod entity;
pub mod flow;
pub mod providers;

pub use accounts::{NotAdmitted, admit};
pub use discovery::{Directory, DiscoveryFailure};
pub use flow::{
    Begun, MAX_NEXT_BYTES, MAX_PENDING, PENDING_FOR, ProviderAnswer, SsoError, VouchedIdentity, begin, complete,
    end_session_url, purge_abandoned,
};
/// The redirect address type the flow takes, from `openidconnect`.
pub use openidconnect::RedirectUrl;
pub use providers::{
    Provider, ProviderError, ProviderSettings, Serves, check_issuer, configure_provider, find_provider, firm_providers,
    provider_for_domain, provider_serving, remove_provider,
};
