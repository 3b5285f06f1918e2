//! What a signed-in person does to their own sign-in: change their password (the current one
//! first, under the sign-in budgets, so a borrowed session cannot guess it), which also ends
//! their other sessions and lifts a forced change.

use anyhow::Context as _;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::account;
use crate::sessions::{Attempt, end_other_sessions};
use crate::{Password, PasswordError, Throttled, password};

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("the current password is not right")]
    WrongCurrentPassword,
    #[error("the new password {0}")]
    Unacceptable(#[from] PasswordError),
    #[error("the new password must differ from the current one")]
    Unchanged,
    #[error("this account has no password here: it signs in through its firm's sign-in")]
    NoPassword,
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What changing one's password did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordChanged {
    /// The account's other sessions, ended: whoever else held one is signed out.
    pub other_sessions_ended: u64,
}

/// Replaces the account's password with `new` once `current` proves it is the holder; every
/// session but `session_id` ends, and a forced change is lifted.
pub async fn change_password(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    attempt: Attempt<'_>,
    (account_id, session_id): (Uuid, Uuid),
    current: &str,
    new: &str,
) -> Result<PasswordChanged, PasswordChangeError> {
    let row = account::Entity::find_by_id(account_id)
        .one(db)
        .await
        .context("reading the account")?
        .context("the signed-in account is gone")?;
    let stored = row.password_hash.clone().ok_or(PasswordChangeError::NoPassword)?;
    attempt.throttle.before_attempt(&row.email, attempt.from)?;
    if !password::verify_blocking(current.to_owned(), stored).await? {
        attempt.throttle.failed(&row.email, attempt.from);
        return Err(PasswordChangeError::WrongCurrentPassword);
    }
    attempt.throttle.succeeded(&row.email, attempt.from);
    let new = Password::parse(new, &[&row.email, &row.display_name])?;
    if new.expose() == current {
        return Err(PasswordChangeError::Unchanged);
    }
    let hash = password::hash_blocking(new).await?;
    let mut changed: account::ActiveModel = row.into();
    changed.password_hash = Set(Some(hash));
    changed.must_change_password = Set(false);
    changed.updated_at = Set(now);
    changed.update(db).await.context("saving the new password")?;
    let other_sessions_ended = end_other_sessions(db, now, account_id, session_id).await?;
    Ok(PasswordChanged { other_sessions_ended })
}
