//! The certificates' side of the programme's counters: what each stored certificate tells
//! [`certify_progress`] when it recomputes them.

use std::collections::HashMap;

use anyhow::Context as _;
use certify_progress::{CertificateFact, CertificateFacts, Issuance};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::EventKind;
use crate::entity::{certificate, certificate_event};
use crate::error::CertificateError;

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
    let starts: HashMap<Uuid, (EventKind, OffsetDateTime)> = certificate_event::Entity::find()
        .select_only()
        .columns([
            certificate_event::Column::CertificateId,
            certificate_event::Column::Kind,
            certificate_event::Column::At,
        ])
        .filter(certificate_event::Column::Kind.is_in([EventKind::Issued, EventKind::Reissued]))
        .into_tuple::<(Uuid, EventKind, OffsetDateTime)>()
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
                issuance: if *kind == EventKind::Reissued {
                    Issuance::Reissue
                } else {
                    Issuance::Earned
                },
            })
        })
        .collect()
}

/// The stored certificates, as the source of [`certify_progress::reconcile_progress`] and
/// [`certify_progress::initialise_progress`].
#[derive(Debug, Clone, Copy, Default)]
pub struct StoredCertificates;

#[async_trait::async_trait]
impl CertificateFacts for StoredCertificates {
    async fn facts(&self, txn: &DatabaseTransaction) -> anyhow::Result<Vec<CertificateFact>> {
        progress_facts(txn).await.map_err(anyhow::Error::new)
    }
}
