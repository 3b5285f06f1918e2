//! Where exams meet certificates: neither crate knows the other, so the pass hook that issues a
//! certificate for a passed attempt is wired here, with the catalogue's description of what the
//! certificate attests.

use std::sync::Arc;

use anyhow::Context as _;
use certify_certificates::{
    Achievement, IssueRequest, IssuerSettings, Standing, VerificationCache, certificates_of, issue_certificate,
};
use certify_exams::{Pass, PassHook};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// The achievement a track's certificate attests, as the catalogue describes it now.
pub async fn achievement_of(db: &impl ConnectionTrait, track_id: Uuid) -> anyhow::Result<Achievement> {
    let track = certify_courses::get_track(db, certify_courses::Audience::Staff, track_id)
        .await
        .map_err(|err| anyhow::anyhow!("the achievement: {err}"))?
        .track;
    Ok(Achievement {
        track_id: track.id,
        title: track.title,
        description: track.description,
        validity_months: track.certificate_validity_months.into(),
    })
}

/// Issues the certificate of a passed attempt inside the transaction that finalises it (the
/// result and the certificate commit together or not at all), and once that has committed,
/// brings this instance's verification answers up to date: a pass may supersede an older
/// certificate of the same track.
#[derive(Debug, Clone)]
pub struct IssueOnPass {
    pub settings: IssuerSettings,
    pub db: DatabaseConnection,
    pub cache: Arc<VerificationCache>,
}

#[async_trait::async_trait]
impl PassHook for IssueOnPass {
    async fn on_pass(&self, txn: &DatabaseTransaction, pass: &Pass) -> anyhow::Result<()> {
        let request = IssueRequest {
            account_id: pass.account_id,
            achievement: achievement_of(txn, pass.track_id).await?,
            attempt_id: Some(pass.attempt_id),
            earned_at: Some(pass.passed_at),
        };
        issue_certificate(txn, pass.recorded_at, &self.settings, request)
            .await
            .context("issuing the certificate")?;
        Ok(())
    }

    async fn valid_certificate_until(
        &self,
        txn: &DatabaseTransaction,
        account_id: Uuid,
        track_id: Uuid,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<OffsetDateTime>> {
        Ok(certificates_of(txn, account_id)
            .await?
            .into_iter()
            .filter(|c| c.track_id == track_id && c.standing_at(now) == Standing::Valid)
            .map(|c| c.expires_at)
            .max())
    }

    async fn committed(&self, _: &[Pass]) {
        if let Err(err) = self.cache.follow_changes(&self.db).await {
            tracing::warn!(error = %err, "could not read the certificate change feed");
        }
    }
}
