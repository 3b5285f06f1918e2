//! API clients: a firm's own systems (HR, staffing, CRM) reaching the firm's routes without a
//! person at a browser, through the OAuth2 client credentials grant (RFC 6749 §4.4).
//!
//! A firm admin creates a client with the [`Scopes`] it needs and sees its secret once. The
//! client exchanges the secret for an access token that lives [`ClientTokenSettings::lifetime`]
//! and carries the client's scopes (or fewer, if it asked for fewer). Secrets and tokens are both
//! 256 random bits kept only as SHA-256 hashes: they are not passwords a person chose, so a slow
//! password hash would add nothing but latency to every exchange. Revoking a client, or
//! rotating its secret, ends its tokens at once.

use std::fmt;

use anyhow::Context as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionSession as _, TransactionTrait,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::entity::{api_client, api_client_token};
use crate::token::{random_token, token_hash};
use crate::{Principal, Role};

/// Secrets carry a recognisable prefix so secret scanners and people can tell what leaked.
const SECRET_PREFIX: &str = "ccs_";
/// Access tokens of clients; a person's session token starts with `ctk_`.
pub(crate) const CLIENT_TOKEN_PREFIX: &str = "cat_";

/// What an API client may do: each firm-scoped route names the scope it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The firm's details, partner tier and certified headcount.
    FirmRead,
    /// The certified-staff list and each consultant's standing.
    ConsultantsRead,
    /// The certificates the firm's consultants hold.
    CertificatesRead,
    /// Importing rosters: adding, updating and removing members.
    RosterWrite,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Self::FirmRead,
        Self::ConsultantsRead,
        Self::CertificatesRead,
        Self::RosterWrite,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Self::FirmRead => "firm:read",
            Self::ConsultantsRead => "consultants:read",
            Self::CertificatesRead => "certificates:read",
            Self::RosterWrite => "roster:write",
        }
    }

    /// What the scope allows, in words for the admin choosing it.
    pub const fn description(self) -> &'static str {
        match self {
            Self::FirmRead => "Read the firm's details, partner tier and certified headcount",
            Self::ConsultantsRead => "Read the certified-staff list and each consultant's standing",
            Self::CertificatesRead => "Read the certificates the firm's consultants hold",
            Self::RosterWrite => "Import rosters: add, update and remove members",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.name() == name)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of scopes, written as OAuth2 writes them: names separated by spaces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Scopes(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a scope (known: {known})", known = Scope::ALL.map(Scope::name).join(", "))]
pub struct UnknownScope(pub String);

impl Scopes {
    pub fn of(scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self(scopes.into_iter().fold(0, |bits, scope| bits | scope.bit()))
    }

    /// Reads a space-separated list; repeats are harmless, an unknown name is an error.
    pub fn parse(list: &str) -> Result<Self, UnknownScope> {
        list.split_ascii_whitespace()
            .map(|name| Scope::parse(name).ok_or_else(|| UnknownScope(name.to_owned())))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::of)
    }

    pub const fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn is_subset_of(self, other: Scopes) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |scope| self.contains(*scope))
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Scope::name).collect();
        f.write_str(&names.join(" "))
    }
}

/// How long an access token lives; comes from configuration.
#[derive(Debug, Clone, Copy)]
pub struct ClientTokenSettings {
    pub lifetime: Duration,
}

impl Default for ClientTokenSettings {
    fn default() -> Self {
        Self {
            lifetime: Duration::minutes(15),
        }
    }
}

/// A client as its firm admin sees it; never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    /// Also its OAuth2 `client_id`.
    pub id: Uuid,
    pub firm_id: Uuid,
    pub name: String,
    pub scopes: Scopes,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub secret_rotated_at: OffsetDateTime,
    /// The last token exchange or call, to about a minute.
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A client secret, shown once when created or rotated; `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    fn generate() -> Self {
        Self(random_token(SECRET_PREFIX))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(..)")
    }
}

/// What a firm admin asks for.
#[derive(Debug, Clone)]
pub struct NewApiClient {
    pub firm_id: Uuid,
    pub name: String,
    pub scopes: Scopes,
    pub created_by: Uuid,
}

/// Longest client name, in characters.
pub const MAX_CLIENT_NAME: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ApiClientError {
    /// Checked like every name people see ([`certify_core::text::parse_display_text`]).
    #[error("the client's name {0}")]
    InvalidName(#[from] certify_core::TextError),
    #[error("choose at least one scope")]
    NoScopes,
    #[error(transparent)]
    UnknownScope(#[from] UnknownScope),
    /// Unknown, or another firm's: the same answer.
    #[error("no API client with id {0}")]
    NotFound(Uuid),
    #[error("this client has been revoked; create a new one")]
    Revoked,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn client_from(row: api_client::Model) -> anyhow::Result<ApiClient> {
    Ok(ApiClient {
        id: row.id,
        firm_id: row.firm_id,
        scopes: Scopes::parse(&row.scopes).with_context(|| format!("stored scopes of client {}", row.id))?,
        name: row.name,
        created_by: row.created_by,
        created_at: row.created_at,
        secret_rotated_at: row.secret_rotated_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
    })
}

/// Creates a client and its first secret.
pub async fn create_api_client(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    new: NewApiClient,
) -> Result<(ApiClient, ClientSecret), ApiClientError> {
    let name = certify_core::text::parse_display_text(&new.name, MAX_CLIENT_NAME)?;
    if new.scopes.is_empty() {
        return Err(ApiClientError::NoScopes);
    }
    let secret = ClientSecret::generate();
    let row = api_client::ActiveModel {
        id: Set(Uuid::now_v7()),
        firm_id: Set(new.firm_id),
        name: Set(name),
        scopes: Set(new.scopes.to_string()),
        secret_hash: Set(token_hash(secret.expose())),
        created_by: Set(new.created_by),
        created_at: Set(now),
        secret_rotated_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .context("creating an API client")?;
    Ok((client_from(row)?, secret))
}

/// The firm's clients, newest first, revoked ones included (they say when).
pub async fn api_clients_of(db: &impl ConnectionTrait, firm_id: Uuid) -> anyhow::Result<Vec<ApiClient>> {
    api_client::Entity::find()
        .filter(api_client::Column::FirmId.eq(firm_id))
        .order_by_desc(api_client::Column::Id)
        .all(db)
        .await
        .context("listing a firm's API clients")?
        .into_iter()
        .map(client_from)
        .collect()
}

async fn client_row(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    client_id: Uuid,
) -> Result<api_client::Model, ApiClientError> {
    api_client::Entity::find_by_id(client_id)
        .filter(api_client::Column::FirmId.eq(firm_id))
        .one(db)
        .await
        .context("reading an API client")?
        .ok_or(ApiClientError::NotFound(client_id))
}

/// One of the firm's clients.
pub async fn find_api_client(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    client_id: Uuid,
) -> Result<ApiClient, ApiClientError> {
    Ok(client_from(client_row(db, firm_id, client_id).await?)?)
}

/// A new secret for a live client; the old secret and every token it bought stop working.
pub async fn rotate_api_client_secret<C: TransactionTrait>(
    db: &C,
    now: OffsetDateTime,
    firm_id: Uuid,
    client_id: Uuid,
) -> Result<(ApiClient, ClientSecret), ApiClientError> {
    // The new secret and the end of the old tokens land together, or neither does.
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a secret rotation")?;
    let row = client_row(&txn, firm_id, client_id).await?;
    if row.revoked_at.is_some() {
        return Err(ApiClientError::Revoked);
    }
    let secret = ClientSecret::generate();
    let mut active = row.into_active_model();
    active.secret_hash = Set(token_hash(secret.expose()));
    active.secret_rotated_at = Set(now);
    let row = active.update(&txn).await.context("rotating a client secret")?;
    end_tokens_of(&txn, client_id).await?;
    txn.commit().await.context("committing a secret rotation")?;
    Ok((client_from(row)?, secret))
}

/// Revokes a client: its secret and tokens stop working at once. Revoking twice is harmless.
pub async fn revoke_api_client<C: TransactionTrait>(
    db: &C,
    now: OffsetDateTime,
    firm_id: Uuid,
    client_id: Uuid,
) -> Result<ApiClient, ApiClientError> {
    let txn = certify_core::begin_write(db).await.context("starting a revocation")?;
    let row = client_row(&txn, firm_id, client_id).await?;
    let row = if row.revoked_at.is_none() {
        let mut active = row.into_active_model();
        active.revoked_at = Set(Some(now));
        active.update(&txn).await.context("revoking an API client")?
    } else {
        row
    };
    end_tokens_of(&txn, client_id).await?;
    txn.commit().await.context("committing a revocation")?;
    Ok(client_from(row)?)
}

async fn end_tokens_of(db: &impl ConnectionTrait, client_id: Uuid) -> anyhow::Result<()> {
    api_client_token::Entity::delete_many()
        .filter(api_client_token::Column::ClientId.eq(client_id))
        .exec(db)
        .await
        .context("ending a client's tokens")?;
    Ok(())
}

/// Why a token exchange was refused, in RFC 6749 §5.2's terms.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// Unknown client, wrong secret or revoked client: one answer for all three.
    #[error("the client id or secret is wrong, or the client was revoked")]
    InvalidClient,
    #[error("the client may not ask for `{0}`; it holds: {1}")]
    InvalidScope(String, Scopes),
    #[error(transparent)]
    Throttled(#[from] crate::Throttled),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// An access token, shown to the client once.
#[derive(Debug)]
pub struct ClientToken {
    pub token: crate::SessionToken,
    pub expires_at: OffsetDateTime,
    pub scopes: Scopes,
}

/// Exchanges a client's credentials for an access token holding `requested` (all the client's
/// scopes when `None`).
pub async fn grant_client_token<C: TransactionTrait>(
    db: &C,
    now: OffsetDateTime,
    settings: ClientTokenSettings,
    attempt: crate::Attempt<'_>,
    client_id: Uuid,
    secret: &str,
    requested: Option<Scopes>,
) -> Result<ClientToken, GrantError> {
    // Keyed by the parsed id, so that no spelling of one id (braces, capitals, a URN) gets a
    // budget of its own; known or not, so that a 429 says nothing of which ids exist.
    let key = client_id.to_string();
    attempt.throttle.before_attempt(&key, attempt.from)?;
    // Read and write in one transaction: a rotation or revocation committed meanwhile cannot
    // be followed by a token bought with the old secret.
    let txn = certify_core::begin_write(db).await.context("starting a token grant")?;
    let row = api_client::Entity::find_by_id(client_id)
        .one(&txn)
        .await
        .context("reading an API client")?;
    // Comparing digests, not secrets: how long the comparison takes says nothing about the
    // secret, because nobody can choose an input with a given digest prefix.
    let Some(row) = row.filter(|row| row.revoked_at.is_none() && row.secret_hash == token_hash(secret)) else {
        attempt.throttle.failed(&key, attempt.from);
        return Err(GrantError::InvalidClient);
    };
    attempt.throttle.succeeded(&key, attempt.from);
    let client = client_from(row.clone())?;
    let granted = match requested {
        None => client.scopes,
        Some(asked) if asked.is_subset_of(client.scopes) && !asked.is_empty() => asked,
        Some(asked) => {
            let extra = asked.iter().find(|scope| !client.scopes.contains(*scope));
            return Err(GrantError::InvalidScope(
                extra.map_or_else(String::new, |scope| scope.name().to_owned()),
                client.scopes,
            ));
        }
    };
    let token = crate::SessionToken::from_raw(random_token(CLIENT_TOKEN_PREFIX));
    let expires_at = now + settings.lifetime;
    api_client_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(client.id),
        token_hash: Set(token_hash(token.expose())),
        scopes: Set(granted.to_string()),
        issued_at: Set(now),
        expires_at: Set(expires_at),
    }
    .insert(&txn)
    .await
    .context("storing a client token")?;
    mark_used(&txn, now, &row).await?;
    txn.commit().await.context("committing a token grant")?;
    Ok(ClientToken {
        token,
        expires_at,
        scopes: granted,
    })
}

/// What a client's token grants, carried by its [`Principal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientGrant {
    pub client_id: Uuid,
    pub scopes: Scopes,
}

/// "Last used" is kept to about a minute, so a busy client does not write on every call.
const LAST_USED_GRAIN: Duration = Duration::minutes(1);

async fn mark_used(db: &impl ConnectionTrait, now: OffsetDateTime, row: &api_client::Model) -> anyhow::Result<()> {
    if row.last_used_at.is_some_and(|at| now - at < LAST_USED_GRAIN) {
        return Ok(());
    }
    api_client::Entity::update_many()
        .col_expr(api_client::Column::LastUsedAt, Expr::value(now))
        .filter(api_client::Column::Id.eq(row.id))
        .exec(db)
        .await
        .context("noting when a client was used")?;
    Ok(())
}

/// The principal behind a client's access token: it acts as a firm admin of the client's firm
/// (for whoever created it), narrowed to the token's scopes.
pub(crate) async fn client_principal(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    presented: &str,
) -> anyhow::Result<Option<Principal>> {
    let found = api_client_token::Entity::find()
        .filter(api_client_token::Column::TokenHash.eq(token_hash(presented)))
        .find_also_related(api_client::Entity)
        .one(db)
        .await
        .context("looking up a client token")?;
    let Some((token, Some(client))) = found else {
        return Ok(None);
    };
    if token.expires_at <= now || client.revoked_at.is_some() {
        return Ok(None);
    }
    mark_used(db, now, &client).await?;
    let scopes = Scopes::parse(&token.scopes).with_context(|| format!("stored scopes of token {}", token.id))?;
    Ok(Some(Principal {
        account_id: client.created_by,
        session_id: token.id,
        role: Role::FirmAdmin {
            firm_id: client.firm_id,
        },
        client: Some(ClientGrant {
            client_id: client.id,
            scopes,
        }),
        must_change_password: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_and_write_as_oauth_lists() {
        let scopes = Scopes::parse("roster:write  firm:read roster:write").expect("known scopes");
        assert_eq!(scopes.to_string(), "firm:read roster:write");
        assert!(scopes.contains(Scope::RosterWrite));
        assert!(!scopes.contains(Scope::ConsultantsRead));
        assert_eq!(Scopes::parse("firm:write"), Err(UnknownScope("firm:write".into())));
        assert!(Scopes::parse("").expect("an empty list").is_empty());
    }

    #[test]
    fn a_subset_holds_only_scopes_of_the_other() {
        let all = Scopes::of(Scope::ALL);
        let read = Scopes::of([Scope::FirmRead, Scope::ConsultantsRead]);
        assert!(read.is_subset_of(all));
        assert!(!all.is_subset_of(read));
        assert!(Scopes::default().is_subset_of(read));
    }
}
