use uuid::Uuid;

/// Why an account operation was refused. `Unexpected` carries infrastructure failures without
/// exposing their types; callers log it and answer with a generic error.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    #[error("firm {0} does not exist")]
    FirmNotFound(Uuid),
    #[error("account {0} does not exist")]
    NotFound(Uuid),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why signing in failed. Unknown e-mail and wrong password are deliberately one variant, so
/// nobody can learn which addresses have accounts.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("e-mail address or password is wrong")]
    InvalidCredentials,
    #[error(transparent)]
    Throttled(#[from] crate::Throttled),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}
