//! The certificates' side of the programme's counters: what each stored certificate tells
//! [`certify_progress`], and the transactions that check or first compute the counters.

use std::collections::HashMap;

use anyhow::Context as _;
use certify_progress::Issuance;
use certify_progress::reconcile::{self, CertificateFact, Reconciliation};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession as _, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::{certificate, certificate_event};
use crate::store::CertificateError;

/// The history kinds that start a certificate: earned, or reissued in place of another.
pub(crate) const ISSUED: &str = "issued";
pub(crate) const REISSUED: &str = "reissued";

type CertificateDates = (
    Uuid,
    Uuid,
    Uuid,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
);

/// Every stored certificate as the counters see it: a certificate starts when its history says it
/// was issued (a reissue, when it replaced its predecessor). Reads narrow columns, never the
/// credentials.
pub async fn progress_facts(db: &impl ConnectionTrait) -> Result<Vec<CertificateFact>, CertificateError> {
    let starts: HashMap<Uuid, (String, OffsetDateTime)> = certificate_event::Entity::find()
        .select_only()
        .columns([
            certificate_event::Column::CertificateId,
            certificate_event::Column::Kind,
            certificate_event::Column::At,
        ])
        .filter(certificate_event::Column::Kind.is_in([ISSUED, REISSUED]))
        .into_tuple::<(Uuid, String, OffsetDateTime)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, kind, at)| (id, (kind, at)))
        .collect();
    let rows: Vec<CertificateDates> = certificate::Entity::find()
        .select_only()
        .columns([
            certificate::Column::Id,
            certificate::Column::AccountId,
            certificate::Column::TrackId,
            certificate::Column::ExpiresAt,
            certificate::Column::RevokedAt,
            certificate::Column::SupersededAt,
        ])
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(id, account_id, track_id, expires_at, revoked_at, superseded_at)| {
            let (kind, started_at) = starts
                .get(&id)
                .with_context(|| format!("certificate {id} has no issuance in its history"))?;
            Ok(CertificateFact {
                certificate_id: id,
                account_id,
                track_id,
                started_at: *started_at,
                expires_at,
                ended_at: [revoked_at, superseded_at].into_iter().flatten().min(),
                issuance: if kind == REISSUED {
                    Issuance::Reissue
                } else {
                    Issuance::Earned
                },
            })
        })
        .collect()
}

/// Recomputes the programme's counters from the certificates as of `now` and reports how the
/// stored ones differ; with `repair`, replaces them. One transaction, which holds back every
/// change of the counters meanwhile.
pub async fn reconcile_progress<C>(
    db: &C,
    now: OffsetDateTime,
    repair: bool,
) -> Result<Reconciliation, CertificateError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await?;
    reconcile::lock_for_reconciliation(&txn, now)
        .await
        .map_err(progress_error)?;
    let facts = progress_facts(&txn).await?;
    let outcome = reconcile::reconcile(&txn, now, &facts, repair)
        .await
        .map_err(progress_error)?;
    txn.commit().await?;
    Ok(outcome)
}

/// Computes the counters from the certificates already stored, once per database (the first
/// start after the counters were added). True if this call did it.
pub async fn initialise_progress<C>(db: &C, now: OffsetDateTime) -> Result<bool, CertificateError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await?;
    let claimed = reconcile::claim_initialisation(&txn).await.map_err(progress_error)?;
    if claimed {
        let facts = progress_facts(&txn).await?;
        reconcile::replace(&txn, &reconcile::recompute(&facts, now))
            .await
            .map_err(progress_error)?;
    }
    txn.commit().await?;
    Ok(claimed)
}

pub(crate) fn progress_error(err: certify_progress::ProgressError) -> CertificateError {
    let certify_progress::ProgressError::Unexpected(cause) = err;
    CertificateError::Unexpected(cause.context("programme counters"))
}
