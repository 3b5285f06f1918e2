//! The authorization code flow with PKCE (S256), `state` and `nonce`, as a relying party.
//!
//! [`begin`] records what the return must match — a hash of `state`, the `nonce`, the PKCE
//! verifier and the provider chosen — and hands back the provider's address to send the browser
//! to, and the `state` for the browser to keep in a cookie. [`complete`] takes that record once
//! (a second return with the same `state` finds nothing), checks that the browser's cookie holds
//! the same `state`, that the response's `iss` is the chosen provider's (so one provider cannot
//! answer for another), exchanges the code, and validates the ID token (signature, issuer,
//! audience, expiry and issue time on the injected clock, nonce) with `openidconnect`. A
//! provider that promises to name itself on every answer (RFC 9207) must do so.

use anyhow::Context as _;
use certify_accounts::token::token_hash;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse as _,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::discovery::{Directory, DiscoveryFailure, ProviderDocument};
use crate::entity::pending_sign_in;
use crate::providers::{Provider, find_provider};

/// How long a person has at their provider before the sign-in must be started again.
pub const PENDING_FOR: Duration = Duration::minutes(10);

/// At most this many sign-ins may be in progress at once: each start stores a row, and starts are
/// open to anyone. Starts are also throttled per client address at the edge, so filling this
/// takes many addresses at once; what it costs is that firm sign-ins wait (password sign-in is
/// untouched) until rows expire, at most [`PENDING_FOR`].
pub const MAX_PENDING: u64 = 100_000;

/// How far ahead of the platform's clock a provider's clock may be: an ID token issued later than
/// this is refused (it was made for a future replay, or the clocks disagree too much to judge
/// its expiry).
pub const CLOCK_SKEW: Duration = Duration::minutes(2);

/// The longest place to return to after sign-in that is kept; a longer one is replaced by the
/// home page.
pub const MAX_NEXT_BYTES: usize = 2048;

/// Why a sign-in through a provider did not happen. Nothing was created and no session begun.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("this sign-in was not started in this browser, has already been used, or took longer than 10 minutes")]
    UnknownState,
    #[error("the answer came from a different sign-in service than the one this sign-in was sent to")]
    WrongIssuer,
    #[error("the sign-in service declined: {0}")]
    ProviderDeclined(String),
    #[error("the sign-in service's answer is missing its code")]
    MissingCode,
    #[error("the sign-in service did not accept the sign-in code (it may have been used already): {0}")]
    CodeRefused(String),
    #[error("the sign-in service's identity token is not valid: {0}")]
    InvalidIdToken(String),
    #[error(transparent)]
    Unavailable(#[from] DiscoveryFailure),
    #[error("too many sign-ins are in progress; try again in a few minutes")]
    Busy,
    #[error("{0}")]
    NotAdmitted(#[from] crate::accounts::NotAdmitted),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Where to send the browser, and the `state` it must bring back (keep it in a cookie).
#[derive(Debug)]
pub struct Begun {
    pub authorization_url: url::Url,
    pub state: String,
}

/// A client of a discovered provider: its authorization endpoint is known, its token endpoint
/// may be (the code exchange says so if not).
type RelyingParty =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

fn client(provider: &Provider, doc: &ProviderDocument, redirect: &RedirectUrl) -> RelyingParty {
    CoreClient::from_provider_metadata(
        doc.clone(),
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(redirect.clone())
}

/// Starts a sign-in through `provider`; once signed in the person goes on to `next`.
pub async fn begin(
    db: &impl ConnectionTrait,
    directory: &Directory,
    now: OffsetDateTime,
    provider: &Provider,
    redirect: &RedirectUrl,
    next: &str,
) -> Result<Begun, SsoError> {
    let outstanding = pending_sign_in::Entity::find()
        .filter(pending_sign_in::Column::ExpiresAt.gt(now))
        .count(db)
        .await
        .context("counting sign-ins in progress")?;
    if outstanding >= MAX_PENDING {
        return Err(SsoError::Busy);
    }
    let next = if next.len() > MAX_NEXT_BYTES { "/home" } else { next };
    let doc = directory.metadata(&provider.issuer, now).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client(provider, &doc, redirect)
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    pending_sign_in::ActiveModel {
        id: Set(Uuid::now_v7()),
        state_hash: Set(token_hash(state.secret())),
        provider_id: Set(provider.id),
        nonce: Set(nonce.secret().clone()),
        pkce_verifier: Set(verifier.secret().clone()),
        next_path: Set(next.to_owned()),
        expires_at: Set(now + PENDING_FOR),
    }
    .insert(db)
    .await
    .context("recording a sign-in in progress")?;
    Ok(Begun {
        authorization_url: url,
        state: state.secret().clone(),
    })
}

/// What the provider sent the browser back with (the callback's query).
#[derive(Debug, Clone, Default)]
pub struct ProviderAnswer {
    pub state: Option<String>,
    pub code: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Who the provider vouched for.
#[derive(Debug, Clone)]
pub struct VouchedIdentity {
    pub provider: Provider,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// Where the person was going when they started.
    pub next: String,
    /// The ID token as the provider sent it, to name the session when signing out there.
    pub id_token: String,
}

/// Finishes a sign-in: `browser_state` is what the browser's cookie holds.
pub async fn complete(
    db: &impl ConnectionTrait,
    directory: &Directory,
    now: OffsetDateTime,
    answer: &ProviderAnswer,
    browser_state: Option<&str>,
    redirect: &RedirectUrl,
) -> Result<VouchedIdentity, SsoError> {
    let state = answer.state.as_deref().ok_or(SsoError::UnknownState)?;
    // The cookie binds the answer to the browser that asked (no one can sign another person in
    // by sending them an answer of their own).
    if browser_state.map(token_hash) != Some(token_hash(state)) {
        return Err(SsoError::UnknownState);
    }
    let pending = take_pending(db, now, state).await?;
    // The provider may have been removed since the sign-in began.
    let provider = find_provider(db, pending.provider_id)
        .await?
        .ok_or(SsoError::UnknownState)?;
    let doc = directory.metadata(&provider.issuer, now).await?;
    let names_itself = doc.additional_metadata().authorization_response_iss_parameter_supported;
    match answer.iss.as_deref() {
        Some(iss) if iss != provider.issuer => return Err(SsoError::WrongIssuer),
        None if names_itself => return Err(SsoError::WrongIssuer),
        _ => {}
    }
    if let Some(error) = &answer.error {
        let why = answer.error_description.as_deref().unwrap_or(error);
        return Err(SsoError::ProviderDeclined(why.to_owned()));
    }
    let code = answer.code.clone().ok_or(SsoError::MissingCode)?;
    let relying_party = client(&provider, &doc, redirect);
    let response = relying_party
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|err| SsoError::CodeRefused(err.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&directory.http())
        .await
        .map_err(|err| SsoError::CodeRefused(describe_token_error(&err)))?;
    let id_token = response
        .id_token()
        .ok_or_else(|| SsoError::InvalidIdToken("the answer holds no ID token".to_owned()))?;
    let nonce = Nonce::new(pending.nonce.clone());
    let claims = match verified_claims(&relying_party, now, id_token, &nonce) {
        // A key the kept set does not have: the provider rotated its keys. Fetch them once more.
        Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
            let fresh = directory.discover(&provider.issuer, now).await?;
            verified_claims(&client(&provider, &fresh, redirect), now, id_token, &nonce)
        }
        other => other,
    }
    .map_err(|err| SsoError::InvalidIdToken(err.to_string()))?;
    Ok(VouchedIdentity {
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|email| email.as_str().to_owned()),
        email_verified: claims.email_verified() == Some(true),
        name: claims
            .name()
            .and_then(|name| name.get(None))
            .map(|name| name.as_str().to_owned()),
        next: pending.next_path,
        id_token: id_token.to_string(),
        provider,
    })
}

fn verified_claims(
    client: &RelyingParty,
    now: OffsetDateTime,
    id_token: &openidconnect::core::CoreIdToken,
    nonce: &Nonce,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    let at = chrono::DateTime::from_timestamp(now.unix_timestamp(), 0).unwrap_or_default();
    let latest_issue = chrono::DateTime::from_timestamp((now + CLOCK_SKEW).unix_timestamp(), 0).unwrap_or_default();
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || at)
        .set_issue_time_verifier_fn(move |issued| {
            if issued > latest_issue {
                Err(format!("it was issued in the future ({issued})"))
            } else {
                Ok(())
            }
        });
    id_token.claims(&verifier, nonce).cloned()
}

/// Takes the pending sign-in for `state`: only one return can have it.
async fn take_pending(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    state: &str,
) -> Result<pending_sign_in::Model, SsoError> {
    let hash = token_hash(state);
    let pending = pending_sign_in::Entity::find()
        .filter(pending_sign_in::Column::StateHash.eq(hash.as_str()))
        .one(db)
        .await
        .context("reading a sign-in in progress")?
        .ok_or(SsoError::UnknownState)?;
    let taken = pending_sign_in::Entity::delete_by_id(pending.id)
        .exec(db)
        .await
        .context("taking a sign-in in progress")?;
    // Two returns at once: the one whose delete removed the row goes on.
    if taken.rows_affected != 1 || pending.expires_at <= now {
        return Err(SsoError::UnknownState);
    }
    Ok(pending)
}

/// Removes sign-ins that were started and never came back.
pub async fn purge_abandoned(db: &impl ConnectionTrait, now: OffsetDateTime) -> anyhow::Result<u64> {
    let purged = pending_sign_in::Entity::delete_many()
        .filter(pending_sign_in::Column::ExpiresAt.lte(now))
        .exec(db)
        .await
        .context("purging abandoned sign-ins")?;
    Ok(purged.rows_affected)
}

fn describe_token_error<E: std::error::Error + 'static>(
    err: &openidconnect::RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> String {
    match err {
        openidconnect::RequestTokenError::ServerResponse(response) => response.to_string(),
        other => other.to_string(),
    }
}

/// Where to send the browser to sign out at the provider too (RP-initiated logout), if the
/// provider publishes an end-session endpoint; it comes back to `after`. `id_token` (the one the
/// sign-in brought) tells the provider which session to end.
pub async fn end_session_url(
    directory: &Directory,
    now: OffsetDateTime,
    provider: &Provider,
    id_token: Option<&str>,
    after: &str,
) -> Option<url::Url> {
    let doc = directory.metadata(&provider.issuer, now).await.ok()?;
    let endpoint = doc.additional_metadata().end_session_endpoint.clone()?;
    let mut request =
        openidconnect::LogoutRequest::from(endpoint).set_client_id(ClientId::new(provider.client_id.clone()));
    if let Some(hint) = id_token.and_then(|raw| raw.parse::<CoreIdToken>().ok()) {
        request = request.set_id_token_hint(&hint);
    }
    if let Ok(after) = openidconnect::PostLogoutRedirectUrl::new(after.to_owned()) {
        request = request.set_post_logout_redirect_uri(after);
    }
    Some(request.http_get_url())
}
