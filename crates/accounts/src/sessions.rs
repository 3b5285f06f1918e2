//! Signing in and out, and resolving a presented bearer token to the account behind it.

use std::net::IpAddr;

use anyhow::Context as _;
use certify_core::Email;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SelectTwo, Set};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::api_clients::{CLIENT_TOKEN_PREFIX, ClientGrant, client_principal};
use crate::entity::{account, session};
use crate::token::{SessionToken, token_hash};
use crate::{Account, LoginError, Role, SignInThrottle, password};

/// How sessions behave; comes from configuration.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// How long a token stays valid after sign-in.
    pub lifetime: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            lifetime: Duration::hours(12),
        }
    }
}

/// The result of a successful sign-in. The token is shown once and never stored.
#[derive(Debug)]
pub struct LoggedIn {
    pub token: SessionToken,
    pub expires_at: OffsetDateTime,
    pub account: Account,
}

/// Who is making a request, as proven by a live session or a client's access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The person; for an API client, the person who created it.
    pub account_id: Uuid,
    /// The session, or the client's token.
    pub session_id: Uuid,
    pub role: Role,
    /// `Some` when an API client calls: it reaches only its firm's routes that its scopes name.
    pub client: Option<ClientGrant>,
}

pub async fn log_in(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    settings: SessionSettings,
    attempt: Attempt<'_>,
    email: &Email,
    password: &str,
) -> Result<LoggedIn, LoginError> {
    attempt.throttle.before_attempt(email.as_str(), attempt.from)?;
    let row = account::Entity::find()
        .filter(account::Column::Email.eq(email.as_str()))
        .one(db)
        .await
        .context("looking up an account to sign in")?;
    let stored_hash = row
        .as_ref()
        .and_then(|row| row.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_owned());
    // Verify even when there is no account, so both failures take the same time.
    let matches = password::verify_blocking(password.to_owned(), stored_hash).await?;
    let Some(row) = row.filter(|row| matches && row.password_hash.is_some()) else {
        attempt.throttle.failed(email.as_str(), attempt.from);
        return Err(LoginError::InvalidCredentials);
    };
    attempt.throttle.succeeded(email.as_str(), attempt.from);
    Ok(start_session(db, now, settings, Account::try_from(row)?).await?)
}

/// Who is trying a secret, and the budgets they try it against.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub throttle: &'a SignInThrottle,
    pub from: IpAddr,
}

/// A new session for an account whose holder proved who they are some other way (their firm's
/// identity provider).
pub async fn start_session(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    settings: SessionSettings,
    account: Account,
) -> anyhow::Result<LoggedIn> {
    let token = SessionToken::generate();
    let expires_at = now + settings.lifetime;
    session::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        token_hash: Set(token_hash(token.expose())),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .context("recording a session")?;
    Ok(LoggedIn {
        token,
        expires_at,
        account,
    })
}

/// The principal behind a presented token, or `None` when the token is unknown, expired or revoked.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    presented: &str,
) -> anyhow::Result<Option<Principal>> {
    if presented.starts_with(CLIENT_TOKEN_PREFIX) {
        return client_principal(db, now, presented).await;
    }
    let found = session_lookup(presented)
        .one(db)
        .await
        .context("looking up a session")?;
    let Some((session, Some(account))) = found else {
        return Ok(None);
    };
    if session.revoked_at.is_some() || session.expires_at <= now {
        return Ok(None);
    }
    let role = Role::from_columns(account.role, account.firm_id)
        .with_context(|| format!("account {} has a role that disagrees with its firm", account.id))?;
    Ok(Some(Principal {
        account_id: account.id,
        session_id: session.id,
        role,
        client: None,
    }))
}

/// The query behind every authenticated request. Public so a test can check, on PostgreSQL, that
/// its plan uses the token-hash index.
pub fn session_lookup(presented: &str) -> SelectTwo<session::Entity, account::Entity> {
    session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash(presented)))
        .find_also_related(account::Entity)
}

/// Revokes one session; its token stops working at once. Revoking twice is harmless.
pub async fn log_out(db: &impl ConnectionTrait, now: OffsetDateTime, session_id: Uuid) -> anyhow::Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .context("revoking a session")?;
    Ok(())
}

/// What [`purge_expired`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub client_tokens: u64,
}

/// Deletes sessions and client tokens that expired before `now`: they can never be used again,
/// and the token lookups stay small. Runs on the injected clock, so tests move time to test it.
///
/// SQLite keeps instants as RFC 3339 text in UTC, which orders like the instants except within
/// one second (fractions are written without trailing zeros); the minute of grace keeps the
/// comparison exact on both databases.
pub async fn purge_expired(db: &impl ConnectionTrait, now: OffsetDateTime) -> anyhow::Result<Purged> {
    let before = now - Duration::minutes(1);
    let sessions = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(before))
        .exec(db)
        .await
        .context("purging expired sessions")?
        .rows_affected;
    let client_tokens = crate::entity::api_client_token::Entity::delete_many()
        .filter(crate::entity::api_client_token::Column::ExpiresAt.lt(before))
        .exec(db)
        .await
        .context("purging expired client tokens")?
        .rows_affected;
    Ok(Purged {
        sessions,
        client_tokens,
    })
}
