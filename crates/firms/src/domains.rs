//! E-mail domains a firm claims. A claim becomes verified when programme staff approve it; a
//! consultant whose address is at a verified domain may then join the firm on their own. A domain
//! belongs to at most one firm: the unique column decides races between two claims.

use std::fmt;

use anyhow::Context as _;
use certify_core::Email;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, SqlErr,
    TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::domain;
use crate::{FirmError, join_firm};

/// A lowercase DNS name with at least two labels (`northwind.example`), as found after the `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailDomain(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a domain name; give one such as northwind.example", certify_core::text::quoted(.0))]
pub struct InvalidDomain(String);

impl EmailDomain {
    pub fn parse(raw: &str) -> Result<Self, InvalidDomain> {
        let candidate = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let labels: Vec<&str> = candidate.split('.').collect();
        if candidate.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) {
            Ok(Self(candidate))
        } else {
            Err(InvalidDomain(raw.to_owned()))
        }
    }

    pub fn of(email: &Email) -> Self {
        Self(email.domain().to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A domain a firm has claimed; `verified_at` is set once staff approved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmDomain {
    pub domain: String,
    pub firm_id: Uuid,
    pub claimed_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
}

impl From<domain::Model> for FirmDomain {
    fn from(row: domain::Model) -> Self {
        Self {
            domain: row.domain,
            firm_id: row.firm_id,
            claimed_at: row.claimed_at,
            verified_at: row.verified_at,
        }
    }
}

async fn find(db: &impl ConnectionTrait, domain: &EmailDomain) -> anyhow::Result<Option<domain::Model>> {
    domain::Entity::find()
        .filter(domain::Column::Domain.eq(domain.as_str()))
        .one(db)
        .await
        .context("reading a claimed domain")
}

/// Claims `domain` for `firm_id`. Claiming a domain the firm already holds returns that claim;
/// a domain another firm holds is [`FirmError::DomainTaken`].
pub async fn claim_domain(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    domain: &EmailDomain,
    claimed_by: Uuid,
) -> Result<FirmDomain, FirmError> {
    if let Some(existing) = find(db, domain).await? {
        return if existing.firm_id == firm_id {
            Ok(existing.into())
        } else {
            Err(FirmError::DomainTaken(domain.to_string()))
        };
    }
    let inserted = domain::ActiveModel {
        id: Set(Uuid::now_v7()),
        firm_id: Set(firm_id),
        domain: Set(domain.as_str().to_owned()),
        claimed_at: Set(now),
        claimed_by: Set(Some(claimed_by)),
        verified_at: Set(None),
        verified_by: Set(None),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => Ok(row.into()),
        // Another claim won the race between our look-up and our insert.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(FirmError::DomainTaken(domain.to_string()))
        }
        Err(err) if matches!(err.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) => {
            Err(FirmError::NotFound(firm_id))
        }
        Err(err) => Err(anyhow::Error::new(err).context("recording a domain claim").into()),
    }
}

/// Staff approve a firm's claim. Approving twice keeps the first approval.
pub async fn verify_domain(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    domain: &EmailDomain,
    verified_by: Uuid,
) -> Result<FirmDomain, FirmError> {
    let row = find(db, domain)
        .await?
        .filter(|row| row.firm_id == firm_id)
        .ok_or_else(|| FirmError::DomainNotClaimed(domain.to_string()))?;
    if row.verified_at.is_some() {
        return Ok(row.into());
    }
    let mut active = row.into_active_model();
    active.verified_at = Set(Some(now));
    active.verified_by = Set(Some(verified_by));
    let row = active.update(db).await.context("verifying a domain")?;
    Ok(row.into())
}

/// Withdraws a firm's claim (verified or not). Members who joined through it stay members.
pub async fn release_domain(db: &impl ConnectionTrait, firm_id: Uuid, domain: &EmailDomain) -> Result<(), FirmError> {
    let deleted = domain::Entity::delete_many()
        .filter(domain::Column::Domain.eq(domain.as_str()))
        .filter(domain::Column::FirmId.eq(firm_id))
        .exec(db)
        .await
        .context("releasing a domain")?;
    if deleted.rows_affected == 0 {
        return Err(FirmError::DomainNotClaimed(domain.to_string()));
    }
    Ok(())
}

pub async fn domains_of(db: &impl ConnectionTrait, firm_id: Uuid) -> Result<Vec<FirmDomain>, FirmError> {
    let rows = domain::Entity::find()
        .filter(domain::Column::FirmId.eq(firm_id))
        .order_by_asc(domain::Column::Domain)
        .all(db)
        .await
        .context("reading a firm's domains")?;
    Ok(rows.into_iter().map(FirmDomain::from).collect())
}

/// The firm whose verified domain `email` is at, if any.
pub async fn firm_for_email(db: &impl ConnectionTrait, email: &Email) -> Result<Option<Uuid>, FirmError> {
    let row = find(db, &EmailDomain::of(email)).await?;
    Ok(row.filter(|row| row.verified_at.is_some()).map(|row| row.firm_id))
}

/// A consultant joins the firm that verified their e-mail domain, leaving any other firm.
pub async fn join_by_domain<C>(db: &C, now: OffsetDateTime, account_id: Uuid, email: &Email) -> Result<Uuid, FirmError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let firm_id = firm_for_email(db, email)
        .await?
        .ok_or_else(|| FirmError::NoFirmForDomain(email.domain().to_owned()))?;
    join_firm(db, now, firm_id, account_id).await?;
    Ok(firm_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_parse_to_lowercase_names() {
        assert_eq!(
            EmailDomain::parse(" Northwind.Example. ").map(|d| d.to_string()),
            Ok("northwind.example".into())
        );
        for bad in [
            "",
            "localhost",
            "north wind.example",
            "-a.example",
            "a..example",
            "@a.example",
        ] {
            assert!(EmailDomain::parse(bad).is_err(), "{bad:?}");
        }
    }
}
