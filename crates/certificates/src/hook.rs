use certify_exams::{Pass, PassHook};
use sea_orm::DatabaseTransaction;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{IssueRequest, IssuerSettings, Standing, certificates_of, issue_certificate};

/// Issues the certificate of a passed attempt inside the transaction that finalises it: the
/// result and the certificate commit together or not at all.
#[derive(Debug, Clone)]
pub struct IssueOnPass {
    pub settings: IssuerSettings,
}

#[async_trait::async_trait]
impl PassHook for IssueOnPass {
    async fn on_pass(&self, txn: &DatabaseTransaction, pass: &Pass) -> anyhow::Result<()> {
        let request = IssueRequest {
            account_id: pass.account_id,
            track_id: pass.track_id,
            attempt_id: Some(pass.attempt_id),
            earned_at: Some(pass.passed_at),
        };
        issue_certificate(txn, pass.recorded_at, &self.settings, request).await?;
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
}
