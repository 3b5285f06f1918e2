//! The one error type of certificate operations.

use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("no certificate with id {0}")]
    NotFound(Uuid),
    #[error("the certificate is already revoked")]
    AlreadyRevoked,
    #[error("only a current certificate (not revoked, not superseded) can be corrected")]
    NotCurrent,
    /// Revoking or correcting a superseded certificate would change nothing a verifier sees:
    /// staff act on the current certificate of the lineage, which this names.
    #[error("this certificate was superseded: certificate {current} is the current one of its lineage")]
    Superseded { current: Uuid },
    /// An uploaded document that yields no credential to verify.
    #[error(transparent)]
    UnreadableDocument(#[from] crate::pdf::PdfReadError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for CertificateError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("certificate storage"))
    }
}

impl From<certify_progress::ProgressError> for CertificateError {
    fn from(err: certify_progress::ProgressError) -> Self {
        let certify_progress::ProgressError::Unexpected(cause) = err;
        Self::Unexpected(cause.context("programme counters"))
    }
}
