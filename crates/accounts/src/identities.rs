//! External identities: an account can be reached through an OpenID Connect provider's `iss` +
//! `sub` pair, so single sign-on attaches to accounts that staff or rosters already created.

use anyhow::Context as _;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Account;
use crate::entity::{account, external_identity};

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("this external identity is already linked to an account")]
    AlreadyLinked,
    #[error("account {0} does not exist")]
    AccountNotFound(Uuid),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Links the identity `subject` at `issuer` to an account. One identity signs in as one account.
pub async fn link_external_identity(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    account_id: Uuid,
    issuer: &str,
    subject: &str,
) -> Result<(), LinkError> {
    let row = external_identity::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        issuer: Set(issuer.to_owned()),
        subject: Set(subject.to_owned()),
        linked_at: Set(now),
    };
    match row.insert(db).await {
        Ok(_) => Ok(()),
        Err(err) => Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => LinkError::AlreadyLinked,
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => LinkError::AccountNotFound(account_id),
            _ => LinkError::Unexpected(anyhow::Error::new(err).context("linking an external identity")),
        }),
    }
}

/// The account an external identity signs in as, if it has been linked.
pub async fn account_for_external_identity(
    db: &impl ConnectionTrait,
    issuer: &str,
    subject: &str,
) -> anyhow::Result<Option<Account>> {
    let found = external_identity::Entity::find()
        .filter(external_identity::Column::Issuer.eq(issuer))
        .filter(external_identity::Column::Subject.eq(subject))
        .find_also_related(account::Entity)
        .one(db)
        .await
        .context("looking up an external identity")?;
    found
        .and_then(|(_, account)| account)
        .map(Account::try_from)
        .transpose()
}

/// Forgets every identity linked through `issuer`: its provider was removed or now names another
/// issuer, and a link must never sign anyone in through a provider it was not made through.
pub async fn unlink_issuer(db: &impl ConnectionTrait, issuer: &str) -> anyhow::Result<u64> {
    let removed = external_identity::Entity::delete_many()
        .filter(external_identity::Column::Issuer.eq(issuer))
        .exec(db)
        .await
        .context("forgetting a provider's identities")?;
    Ok(removed.rows_affected)
}
