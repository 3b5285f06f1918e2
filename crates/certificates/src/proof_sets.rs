//! Bringing certificates issued before proof sets up to date: each credential that carries the
//! `eddsa-jcs-2022` proof alone gets the `eddsa-rdfc-2022` proof beside it, made with the key
//! that made its first proof and dated as that proof. Not a reissue: nothing a holder printed
//! or shared changes — the hash is taken without proofs, and a PDF is checked against the
//! credential attached to it, so earlier downloads keep verifying.

use std::collections::HashMap;

use anyhow::Context as _;
use ed25519_dalek::SigningKey;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession as _, TransactionTrait,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entity::certificate;
use crate::key_store;
use crate::keys::PublishedKey;
use crate::proof::{self, Cryptosuite};

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProofsAdded {
    /// Certificates read.
    pub examined: u64,
    /// Certificates that had the JSON proof alone and now carry the set.
    pub added: u64,
    /// Certificates left as they were, and why (the first [`REASONS_KEPT`]).
    pub skipped: u64,
    pub reasons: Vec<String>,
}

/// How many reasons for skipping a run keeps to report.
pub const REASONS_KEPT: usize = 20;

/// Adds the RDF proof to every credential that lacks it, `batch` certificates at a time: the
/// proofs are made first, then written in one short write transaction (signing 500 takes
/// about two seconds, too long to hold the database's write lock). A certificate that cannot be
/// given the proof (its key missing, its proof not holding) is skipped and reported, not a stop;
/// a run stopped half way is simply run again.
pub async fn add_missing_rdf_proofs<C>(db: &C, batch: u64) -> anyhow::Result<ProofsAdded>
where
    C: ConnectionTrait + TransactionTrait,
{
    let keys = signing_keys(db).await?;
    let mut done = ProofsAdded::default();
    let mut after = Uuid::nil();
    loop {
        let page = certificate::Entity::find()
            .filter(certificate::Column::Id.gt(after))
            .order_by_asc(certificate::Column::Id)
            .limit(batch.max(1))
            .all(db)
            .await
            .context("reading certificates")?;
        let Some(last) = page.last() else {
            return Ok(done);
        };
        after = last.id;
        let mut changes = Vec::new();
        for row in page {
            done.examined += 1;
            match with_rdf_proof(&row, &keys) {
                Ok(Some(credential)) => changes.push((row, credential)),
                Ok(None) => {}
                Err(why) => {
                    done.skipped += 1;
                    if done.reasons.len() < REASONS_KEPT {
                        done.reasons.push(format!("{why:#}"));
                    }
                }
            }
        }
        let txn = certify_core::begin_write(db).await.context("starting a batch")?;
        for (row, credential) in changes {
            // Only the credential column is written; the rest of the row is as read.
            let mut changed: certificate::ActiveModel = row.into();
            changed.credential = Set(credential);
            changed.update(&txn).await.context("saving a credential's proof set")?;
            done.added += 1;
        }
        txn.commit().await.context("committing a batch")?;
    }
}

/// Every key that ever signed, by id.
async fn signing_keys(db: &impl ConnectionTrait) -> anyhow::Result<HashMap<String, SigningKey>> {
    let keys = key_store::every_signing_key(db).await?;
    Ok(keys.into_iter().map(|key| (key.id, key.signing)).collect())
}

/// The certificate's credential with the proof set, or `None` when it has it already.
fn with_rdf_proof(row: &certificate::Model, keys: &HashMap<String, SigningKey>) -> anyhow::Result<Option<String>> {
    let credential: Value = serde_json::from_str(&row.credential).context("a stored credential")?;
    let Some(Value::Object(first)) = credential.get("proof") else {
        return Ok(None);
    };
    let text = |name: &str| first.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    let key = keys
        .get(&row.signing_key_id)
        .with_context(|| format!("certificate {}: no stored key {}", row.id, row.signing_key_id))?;
    // Only a credential whose proof still holds is given a second one.
    proof::verify(&credential, &[PublishedKey::new(key.verifying_key())])
        .with_context(|| format!("certificate {}'s proof does not verify", row.id))?;
    let unsecured = proof::unsecured(&credential);
    let method = text("verificationMethod");
    let rdf = proof::sign_with(Cryptosuite::EddsaRdfc2022, &unsecured, key, &method, &text("created"))?;
    let mut secured = unsecured;
    secured
        .as_object_mut()
        .context("a credential is a JSON object")?
        .insert(
            "proof".into(),
            Value::Array(vec![Value::Object(first.clone()), rdf["proof"].clone()]),
        );
    anyhow::ensure!(
        proof::credential_hash(&secured)?.as_str() == row.hash,
        "certificate {}: adding a proof would change its hash",
        row.id
    );
    Ok(Some(serde_json::to_string(&secured).context("writing a credential")?))
}
