use time::OffsetDateTime;
use uuid::Uuid;

use certify_courses::Eligibility;

/// One problem with one field of a submitted document, e.g. `items[3].key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExamError {
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: Uuid },
    #[error("question {0} is not on this attempt's form")]
    NotOnForm(u32),
    #[error("invalid input")]
    Invalid(Vec<FieldProblem>),
    #[error("{0}")]
    InvalidState(String),
    #[error("required courses of the track are not complete yet")]
    NotEligible(Eligibility),
    #[error("attempt {0} is still open: finish it before starting another")]
    AttemptOpen(Uuid),
    #[error("the retake policy allows the next attempt at {until}")]
    RetakeWait { until: OffsetDateTime },
    #[error(
        "you hold a valid certificate for this track until {expires_at}; you may sit the exam again to recertify from {recertify_from}"
    )]
    AlreadyCertified {
        expires_at: OffsetDateTime,
        recertify_from: OffsetDateTime,
    },
    #[error("the attempt is finished (deadline or submission); responses can no longer change")]
    AttemptClosed,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ExamError {
    pub(crate) fn not_found(kind: &'static str, id: Uuid) -> Self {
        Self::NotFound { kind, id }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldProblem::new(field, message)])
    }
}

impl From<sea_orm::DbErr> for ExamError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("exam storage"))
    }
}
