//! The issuer's keys live in the database, so every instance of a deployment signs with the same
//! key. The first start creates one; `certify keys rotate` adds a new one and retires the old,
//! which stays published so the certificates it signed still verify.

use anyhow::Context as _;
use ed25519_dalek::SigningKey;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession as _,
    TransactionTrait,
};
use time::OffsetDateTime;

use crate::entity::signing_key;
use crate::keys::{self, PublishedKey};

/// The key that signs new certificates. Its `Debug` never shows the secret.
pub struct IssuerKey {
    pub id: String,
    pub signing: SigningKey,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn issuer_key(row: &signing_key::Model) -> anyhow::Result<IssuerKey> {
    let signing = keys::parse_secret_multibase(&row.secret_key_multibase)
        .with_context(|| format!("stored key {} is unreadable", row.id))?;
    Ok(IssuerKey {
        id: row.id.clone(),
        signing,
    })
}

async fn newest_active(db: &impl ConnectionTrait) -> anyhow::Result<Option<signing_key::Model>> {
    signing_key::Entity::find()
        .filter(signing_key::Column::RetiredAt.is_null())
        .order_by_desc(signing_key::Column::CreatedAt)
        .one(db)
        .await
        .context("reading the signing key")
}

async fn insert_new_key(db: &impl ConnectionTrait, now: OffsetDateTime) -> anyhow::Result<signing_key::Model> {
    let signing = keys::generate()?;
    let id = keys::public_multibase(&signing.verifying_key());
    signing_key::ActiveModel {
        id: Set(id.clone()),
        public_key_multibase: Set(id),
        secret_key_multibase: Set(keys::secret_multibase(&signing)),
        created_at: Set(now),
        retired_at: Set(None),
    }
    .insert(db)
    .await
    .context("storing a signing key")
}

/// The key that signs, created on first use. Instances starting together may race; the one that
/// loses re-reads the winner's key, so all sign with one key.
pub async fn ensure_signing_key<C>(db: &C, now: OffsetDateTime) -> anyhow::Result<IssuerKey>
where
    C: ConnectionTrait + TransactionTrait,
{
    if let Some(row) = newest_active(db).await? {
        return issuer_key(&row);
    }
    let txn = certify_core::begin_write(db).await.context("starting key creation")?;
    let created = match newest_active(&txn).await? {
        Some(row) => row,
        None => insert_new_key(&txn, now).await?,
    };
    txn.commit().await.context("committing key creation")?;
    // Under a race two keys may exist; the newest active one is the one everybody uses.
    issuer_key(&newest_active(db).await?.unwrap_or(created))
}

/// Adds a new signing key and retires the others; returns the new key's id.
pub async fn rotate_signing_key<C>(db: &C, now: OffsetDateTime) -> anyhow::Result<String>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await.context("starting key rotation")?;
    signing_key::Entity::update_many()
        .col_expr(signing_key::Column::RetiredAt, Expr::value(now))
        .filter(signing_key::Column::RetiredAt.is_null())
        .exec(&txn)
        .await
        .context("retiring the old key")?;
    let created = insert_new_key(&txn, now).await?;
    txn.commit().await.context("committing key rotation")?;
    Ok(created.id)
}

/// Every key that ever signed, retired ones included, secrets and all: for adding proofs to what
/// they signed (`proof_sets`).
pub async fn every_signing_key(db: &impl ConnectionTrait) -> anyhow::Result<Vec<IssuerKey>> {
    signing_key::Entity::find()
        .all(db)
        .await
        .context("reading the signing keys")?
        .iter()
        .map(issuer_key)
        .collect()
}

/// Every key that ever signed, oldest first: what verifiers may trust.
pub async fn published_keys(db: &impl ConnectionTrait) -> anyhow::Result<Vec<PublishedKey>> {
    let rows = signing_key::Entity::find()
        .order_by_asc(signing_key::Column::CreatedAt)
        .all(db)
        .await
        .context("reading published keys")?;
    rows.iter()
        .map(|row| {
            Ok(PublishedKey::new(keys::parse_public_multibase(
                &row.public_key_multibase,
            )?))
        })
        .collect()
}
