//! How each domain crate's error becomes a problem, decided once: handlers write `?` and the
//! status follows from the error. The web edge maps the same errors to pages.
//!
//! In every mapping, `Unexpected` is a 500 whose cause is logged and never sent.

use certify_accounts::{AccountError, ApiClientError, LoginError, PasswordChangeError};
use certify_certificates::CertificateError;
use certify_courses::CourseError;
use certify_exams::ExamError;
use certify_firms::FirmError;
use certify_progress::ProgressError;

use crate::auth::firm_not_found;
use crate::error::{ApiError, FieldError, ProblemType};

/// 409 `email-taken`; 422 for an unknown firm named by the request; 404 for a missing account.
impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::EmailTaken => Self::new(
                ProblemType::EmailTaken,
                "an account with this e-mail address already exists",
            ),
            AccountError::FirmNotFound(firm_id) => Self::invalid_field("firm_id", format!("no firm with id {firm_id}")),
            AccountError::NotFound(id) => Self::not_found(format!("no account with id {id}")),
            AccountError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 422 per field; 404 for another firm's or an unknown client; 409 for a revoked one.
impl From<ApiClientError> for ApiError {
    fn from(err: ApiClientError) -> Self {
        match err {
            ApiClientError::InvalidName(_) => Self::invalid_field("name", err.to_string()),
            ApiClientError::NoScopes | ApiClientError::UnknownScope(_) => {
                Self::invalid_field("scopes", err.to_string())
            }
            ApiClientError::NotFound(_) => Self::not_found(err.to_string()),
            ApiClientError::Revoked => Self::new(ProblemType::InvalidState, err.to_string()),
            ApiClientError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 422 on the field to correct (an unreachable provider is a problem with `issuer`); 404 for a
/// firm that does not exist.
impl From<certify_sso::ProviderError> for ApiError {
    fn from(err: certify_sso::ProviderError) -> Self {
        match err {
            certify_sso::ProviderError::Invalid { field, message } => Self::invalid_field(field, message),
            certify_sso::ProviderError::FirmNotFound(firm_id) => firm_not_found(firm_id),
            certify_sso::ProviderError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 401 `invalid-credentials`, the same for an unknown address and a wrong password.
impl From<LoginError> for ApiError {
    fn from(err: LoginError) -> Self {
        match err {
            LoginError::InvalidCredentials => Self::new(
                ProblemType::InvalidCredentials,
                "the e-mail address or the password is wrong",
            ),
            LoginError::Throttled(throttled) => Self::too_many_requests(throttled.to_string(), throttled.retry_after),
            LoginError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 422 naming the field at fault; 409 for an account without a password here; 429 while
/// guesses at the current password are being slowed.
impl From<PasswordChangeError> for ApiError {
    fn from(err: PasswordChangeError) -> Self {
        match err {
            PasswordChangeError::WrongCurrentPassword => Self::invalid_field("current_password", err),
            PasswordChangeError::Unacceptable(_) | PasswordChangeError::Unchanged => {
                Self::invalid_field("new_password", err)
            }
            PasswordChangeError::NoPassword => Self::new(ProblemType::InvalidState, err.to_string()),
            PasswordChangeError::Throttled(throttled) => {
                Self::too_many_requests(throttled.to_string(), throttled.retry_after)
            }
            PasswordChangeError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 404 for what is missing or hidden; 409 `invalid-state` and `not-enrolled`.
impl From<CourseError> for ApiError {
    fn from(err: CourseError) -> Self {
        match err {
            CourseError::NotFound { .. } => Self::not_found(err.to_string()),
            CourseError::InvalidTransition { .. } | CourseError::NotPublishable(_) => {
                Self::new(ProblemType::InvalidState, err.to_string())
            }
            CourseError::NotEnrolled { .. } => Self::new(ProblemType::NotEnrolled, err.to_string()),
            CourseError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 404; 422 per field; 409 for `invalid-state`, `not-eligible`, `attempt-open`, `retake-wait`
/// and `already-certified` (with `may_start_at`) and `attempt-closed`.
impl From<ExamError> for ApiError {
    fn from(err: ExamError) -> Self {
        match err {
            ExamError::NotFound { .. } | ExamError::NotOnForm(_) => Self::not_found(err.to_string()),
            ExamError::Invalid(problems) => Self::invalid_fields(
                problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            ),
            ExamError::InvalidState(detail) => Self::new(ProblemType::InvalidState, detail),
            ExamError::NotEligible(eligibility) => {
                let remaining: Vec<String> = eligibility
                    .remaining
                    .iter()
                    .map(|c| format!("\u{201c}{}\u{201d}", c.title))
                    .collect();
                Self::new(
                    ProblemType::NotEligible,
                    format!(
                        "complete the track's required courses first: {} remain",
                        remaining.join(", ")
                    ),
                )
            }
            ExamError::AttemptOpen(id) => {
                Self::new(ProblemType::AttemptOpen, err.to_string()).with_extension("attempt_id", serde_json::json!(id))
            }
            ExamError::RetakeWait { until } => {
                let at = certify_core::rfc3339(until);
                Self::new(
                    ProblemType::RetakeWait,
                    format!("the retake policy allows the next attempt at {at}"),
                )
                .with_extension("may_start_at", serde_json::json!(at))
            }
            ExamError::AlreadyCertified {
                expires_at,
                recertify_from,
            } => {
                let (expires, from) = (certify_core::rfc3339(expires_at), certify_core::rfc3339(recertify_from));
                Self::new(
                    ProblemType::AlreadyCertified,
                    format!(
                        "you hold a valid certificate for this track until {expires}; you may sit the exam again to recertify from {from}"
                    ),
                )
                .with_extension("may_start_at", serde_json::json!(from))
                .with_extension("expires_at", serde_json::json!(expires))
            }
            ExamError::AttemptClosed => Self::new(ProblemType::AttemptClosed, err.to_string()),
            ExamError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 404 (a missing firm looks like another tenant's); 409 `domain-taken`.
impl From<FirmError> for ApiError {
    fn from(err: FirmError) -> Self {
        match err {
            FirmError::NotFound(id) => firm_not_found(id),
            FirmError::DomainTaken(_) => Self::new(ProblemType::DomainTaken, err.to_string()),
            FirmError::DomainNotClaimed(_) | FirmError::NoFirmForDomain(_) | FirmError::InvitationNotFound(_) => {
                Self::not_found(err.to_string())
            }
            FirmError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// 404; 409 `invalid-state`, naming the current certificate when the one named was superseded.
impl From<CertificateError> for ApiError {
    fn from(err: CertificateError) -> Self {
        match err {
            CertificateError::NotFound(_) => Self::not_found(err.to_string()),
            CertificateError::AlreadyRevoked | CertificateError::NotCurrent => {
                Self::new(ProblemType::InvalidState, err.to_string())
            }
            CertificateError::Superseded { current } => Self::new(ProblemType::InvalidState, err.to_string())
                .with_extension("current_certificate_id", serde_json::json!(current)),
            CertificateError::UnreadableDocument(_) => Self::new(ProblemType::UnreadableDocument, err.to_string()),
            CertificateError::Unexpected(cause) => Self::internal(cause),
        }
    }
}

/// Progress has no error a client can cause.
impl From<ProgressError> for ApiError {
    fn from(err: ProgressError) -> Self {
        let ProgressError::Unexpected(cause) = err;
        Self::internal(cause)
    }
}
