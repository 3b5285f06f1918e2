//! Which provider speaks for which firm, and the one programme staff sign in through: configured
//! by programme staff, checked before saving (the address is https, every domain is
//! one the firm verified, and discovery answers with a document for exactly that issuer).

use anyhow::Context as _;
use certify_firms::EmailDomain;
use certify_outbound::OutboundPolicy;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::discovery::{Directory, DiscoveryFailure};
use crate::entity::identity_provider;

/// Whose people sign in through a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serves {
    /// A partner firm's people, at the e-mail domains the firm verified.
    Firm(Uuid),
    /// Programme staff. Their accounts are made by staff; the provider only vouches for them.
    ProgrammeStaff,
}

impl Serves {
    /// The firm served, if it is a firm's provider.
    pub fn firm_id(self) -> Option<Uuid> {
        match self {
            Serves::Firm(id) => Some(id),
            Serves::ProgrammeStaff => None,
        }
    }
}

/// A provider. `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: Uuid,
    pub serves: Serves,
    /// What the sign-in button says: "Sign in with {name}".
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub(crate) client_secret: String,
    pub domains: Vec<EmailDomain>,
    pub updated_at: OffsetDateTime,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("id", &self.id)
            .field("serves", &self.serves)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Provider {
    pub fn speaks_for(&self, domain: &EmailDomain) -> bool {
        self.domains.contains(domain)
    }
}

/// What staff type in. On a change, an absent secret keeps the stored one.
#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub domains: Vec<String>,
}

/// Why a configuration was refused; `field` names what to correct.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("no firm with id {0}")]
    FirmNotFound(Uuid),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ProviderError {
    ProviderError::Invalid {
        field,
        message: message.into(),
    }
}

fn provider_from(row: identity_provider::Model) -> anyhow::Result<Provider> {
    let domains = row
        .domains
        .split_ascii_whitespace()
        .map(|domain| EmailDomain::parse(domain).map_err(|_| anyhow::anyhow!("stored domain {domain:?}")))
        .collect::<anyhow::Result<_>>()?;
    Ok(Provider {
        id: row.id,
        serves: row.firm_id.map_or(Serves::ProgrammeStaff, Serves::Firm),
        name: row.name,
        issuer: row.issuer,
        client_id: row.client_id,
        client_secret: row.client_secret,
        domains,
        updated_at: row.updated_at,
    })
}

/// An issuer address the platform may talk to: https (http on a loopback address only when the
/// outbound policy allows loopback, for tests and local providers). No query or fragment: the
/// issuer is compared character for character. Whether it resolves to a public address is
/// checked when it is fetched.
pub fn check_issuer(raw: &str, policy: OutboundPolicy) -> Result<String, ProviderError> {
    let issuer = raw.trim();
    let url = url::Url::parse(issuer).map_err(|_| {
        invalid(
            "issuer",
            "type the provider's issuer URL, such as https://login.northwind.example",
        )
    })?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback && policy.allow_loopback => {}
        _ => return Err(invalid("issuer", "the issuer URL must start with https://")),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(invalid("issuer", "the issuer URL has no query, fragment or user name"));
    }
    Ok(issuer.to_owned())
}

async fn checked_domains(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    raw: &[String],
) -> Result<Vec<EmailDomain>, ProviderError> {
    let verified: Vec<EmailDomain> = certify_firms::domains_of(db, firm_id)
        .await
        .context("reading the firm's domains")?
        .into_iter()
        .filter(|claim| claim.verified_at.is_some())
        .filter_map(|claim| EmailDomain::parse(&claim.domain).ok())
        .collect();
    let mut domains = Vec::new();
    for name in raw
        .iter()
        .flat_map(|item| item.split([' ', ',', '\n']))
        .filter(|s| !s.trim().is_empty())
    {
        let domain = EmailDomain::parse(name.trim().trim_start_matches('@'))
            .map_err(|_| invalid("domains", format!("{name} is not an e-mail domain")))?;
        if !verified.contains(&domain) {
            return Err(invalid(
                "domains",
                format!("{domain} is not a domain this firm has verified; claim it and have it verified first"),
            ));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.is_empty() {
        return Err(invalid(
            "domains",
            "name at least one of the firm's verified e-mail domains",
        ));
    }
    Ok(domains)
}

fn required(field: &'static str, value: &str, what: &str) -> Result<String, ProviderError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 500 {
        return Err(invalid(field, format!("give the {what} (at most 500 characters)")));
    }
    Ok(value.to_owned())
}

/// The domains a provider speaks for: for a firm, some of its verified domains; the staff
/// provider takes none (it vouches for staff accounts by their e-mail address).
async fn domains_for(
    db: &impl ConnectionTrait,
    serves: Serves,
    raw: &[String],
) -> Result<Vec<EmailDomain>, ProviderError> {
    match serves {
        Serves::Firm(firm_id) => {
            certify_firms::find_firm(db, firm_id).await.map_err(|err| match err {
                certify_firms::FirmError::NotFound(id) => ProviderError::FirmNotFound(id),
                other => anyhow::Error::new(other).context("reading the firm").into(),
            })?;
            checked_domains(db, firm_id, raw).await
        }
        Serves::ProgrammeStaff if raw.iter().all(|item| item.trim().is_empty()) => Ok(Vec::new()),
        Serves::ProgrammeStaff => Err(invalid(
            "domains",
            "the staff sign-in takes no domains: it signs in existing staff accounts by their verified e-mail address",
        )),
    }
}

/// Saves the provider for `serves` (there is one per firm and one for staff; saving again
/// replaces it), after fetching and checking its discovery document.
pub async fn configure_provider(
    db: &impl ConnectionTrait,
    directory: &Directory,
    now: OffsetDateTime,
    serves: Serves,
    settings: ProviderSettings,
) -> Result<Provider, ProviderError> {
    let domains = domains_for(db, serves, &settings.domains).await?;
    let existing = provider_serving(db, serves).await?;
    let name = required("name", &settings.name, "name people know the sign-in by")?;
    if name.chars().count() > 100 {
        return Err(invalid("name", "the name has at most 100 characters"));
    }
    let issuer = check_issuer(&settings.issuer, directory.policy())?;
    let client_id = required(
        "client_id",
        &settings.client_id,
        "client ID the provider gave the platform",
    )?;
    let client_secret = match (settings.client_secret.as_deref().map(str::trim), &existing) {
        (Some(secret), _) if !secret.is_empty() => required("client_secret", secret, "client secret")?,
        (_, Some(existing)) => existing.client_secret.clone(),
        (_, None) => {
            return Err(invalid(
                "client_secret",
                "give the client secret the provider gave the platform",
            ));
        }
    };
    directory
        .discover(&issuer, now)
        .await
        .map_err(|failure| match failure {
            DiscoveryFailure::Unreachable => {
                invalid("issuer", "the provider could not be reached at a public https address")
            }
            DiscoveryFailure::Misconfigured(why) => invalid(
                "issuer",
                format!("the provider's discovery document is not usable: {why}"),
            ),
        })?;
    let domains_text = domains.iter().map(EmailDomain::as_str).collect::<Vec<_>>().join(" ");
    // Identities linked through the old issuer must not sign in through whatever it now is.
    if let Some(existing) = existing.as_ref().filter(|existing| existing.issuer != issuer) {
        certify_accounts::unlink_issuer(db, &existing.issuer).await?;
    }
    let row = identity_provider::ActiveModel {
        id: Set(existing.as_ref().map_or_else(Uuid::now_v7, |p| p.id)),
        firm_id: Set(serves.firm_id()),
        name: Set(name),
        issuer: Set(issuer),
        client_id: Set(client_id),
        client_secret: Set(client_secret),
        domains: Set(domains_text),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let saved = match existing {
        Some(_) => {
            let mut row = row;
            row.created_at = sea_orm::ActiveValue::NotSet;
            row.update(db).await
        }
        None => row.insert(db).await,
    };
    match saved {
        Ok(row) => Ok(provider_from(row)?),
        Err(err) => match err.sql_err() {
            // Two staff saving the first staff sign-in at once: the second finds it taken.
            Some(SqlErr::UniqueConstraintViolation(what)) if what.contains("one_for_staff") => Err(invalid(
                "issuer",
                "someone has just set the staff sign-in; reload it and try again",
            )),
            Some(SqlErr::UniqueConstraintViolation(_)) => Err(invalid(
                "issuer",
                "another sign-in on the platform already uses this issuer",
            )),
            _ => Err(anyhow::Error::new(err).context("saving an identity provider").into()),
        },
    }
}

fn serving(serves: Serves) -> sea_orm::Condition {
    let column = identity_provider::Column::FirmId;
    sea_orm::Condition::all().add(match serves {
        Serves::Firm(firm_id) => column.eq(firm_id),
        Serves::ProgrammeStaff => column.is_null(),
    })
}

/// The firm's provider, or the staff's, if there is one.
pub async fn provider_serving(db: &impl ConnectionTrait, serves: Serves) -> anyhow::Result<Option<Provider>> {
    identity_provider::Entity::find()
        .filter(serving(serves))
        .one(db)
        .await
        .context("reading an identity provider")?
        .map(provider_from)
        .transpose()
}

/// The provider with this id, if it (still) exists.
pub async fn find_provider(db: &impl ConnectionTrait, id: Uuid) -> anyhow::Result<Option<Provider>> {
    identity_provider::Entity::find_by_id(id)
        .one(db)
        .await
        .context("reading an identity provider")?
        .map(provider_from)
        .transpose()
}

/// Every firm's provider, by name: the list people choose from on the sign-in page.
pub async fn firm_providers(db: &impl ConnectionTrait) -> anyhow::Result<Vec<Provider>> {
    identity_provider::Entity::find()
        .filter(identity_provider::Column::FirmId.is_not_null())
        .order_by_asc(identity_provider::Column::Name)
        .all(db)
        .await
        .context("listing identity providers")?
        .into_iter()
        .map(provider_from)
        .collect()
}

/// The provider that speaks for `domain`, if one does.
pub async fn provider_for_domain(db: &impl ConnectionTrait, domain: &EmailDomain) -> anyhow::Result<Option<Provider>> {
    Ok(firm_providers(db)
        .await?
        .into_iter()
        .find(|provider| provider.speaks_for(domain)))
}

/// Removes the firm's or the staff's provider, and the identities linked through it: if its
/// issuer returns, for this firm or another, people link again through their verified address.
pub async fn remove_provider(db: &impl ConnectionTrait, serves: Serves) -> anyhow::Result<bool> {
    if let Some(provider) = provider_serving(db, serves).await? {
        certify_accounts::unlink_issuer(db, &provider.issuer).await?;
    }
    let deleted = identity_provider::Entity::delete_many()
        .filter(serving(serves))
        .exec(db)
        .await
        .context("removing an identity provider")?;
    Ok(deleted.rows_affected > 0)
}
