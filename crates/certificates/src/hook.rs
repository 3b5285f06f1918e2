use certify_exams::{Pass, PassHook};
use sea_orm::DatabaseTransaction;

use crate::{IssueRequest, IssuerSettings, issue_certificate};

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
}
