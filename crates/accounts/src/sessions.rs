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
    /// How long a token stays valid after sign-in, however much it is used.
    pub lifetime: Duration,
    /// How long a token stays valid without being used.
    pub idle: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            lifetime: Duration::hours(12),
            idle: Duration::minutes(30),
        }
    }
}

/// A session's last use is written at most this often: a write per request would make every
/// page a write, and the idle timeout does not need more precision than this.
pub const LAST_SEEN_PRECISION: Duration = Duration::minutes(1);

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
    /// Someone else chose the person's password: until they choose their own, the edges open
    /// nothing but that (never for an API client, whose secret is its own).
    pub must_change_password: bool,
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
        last_seen_at: Set(Some(now)),
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

/// The principal behind a presented token, or `None` when the token is unknown, expired, idle
/// for longer than `settings.idle`, or revoked. Using a session keeps it from idling out.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    settings: SessionSettings,
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
    let last_seen = session.last_seen_at.unwrap_or(session.created_at);
    if session.revoked_at.is_some() || session.expires_at <= now || last_seen + settings.idle <= now {
        return Ok(None);
    }
    if last_seen + LAST_SEEN_PRECISION <= now {
        keep_alive_until(db, session.id, now).await?;
    }
    let role = Role::from_columns(account.role, account.firm_id)
        .with_context(|| format!("account {} has a role that disagrees with its firm", account.id))?;
    Ok(Some(Principal {
        account_id: account.id,
        session_id: session.id,
        role,
        client: None,
        must_change_password: account.must_change_password,
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

/// Counts the session as used until `until` (at least): a timed exam keeps its candidate's
/// session alive to its deadline, even when the page posts nothing for a long time.
pub async fn keep_alive_until(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    until: OffsetDateTime,
) -> anyhow::Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(until))
        .filter(session::Column::Id.eq(session_id))
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::LastSeenAt.is_null())
                .add(session::Column::LastSeenAt.lt(until)),
        )
        .exec(db)
        .await
        .context("recording a session's use")?;
    Ok(())
}

/// One of a person's live sessions, as their list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub id: Uuid,
    pub started_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The account's sessions that still work, most recently used first.
pub async fn live_sessions(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    settings: SessionSettings,
    account_id: Uuid,
) -> anyhow::Result<Vec<LiveSession>> {
    let rows = session::Entity::find()
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .all(db)
        .await
        .context("reading an account's sessions")?;
    let mut live: Vec<LiveSession> = rows
        .into_iter()
        .map(|row| LiveSession {
            id: row.id,
            started_at: row.created_at,
            last_seen_at: row.last_seen_at.unwrap_or(row.created_at).min(now),
            expires_at: row.expires_at,
        })
        .filter(|session| session.last_seen_at + settings.idle > now)
        .collect();
    live.sort_by_key(|session| std::cmp::Reverse(session.last_seen_at));
    Ok(live)
}

/// Revokes every session of the account but `keep`; returns how many ended.
pub async fn end_other_sessions(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    account_id: Uuid,
    keep: Uuid,
) -> anyhow::Result<u64> {
    let ended = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::Id.ne(keep))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .context("ending an account's other sessions")?;
    Ok(ended.rows_affected)
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
