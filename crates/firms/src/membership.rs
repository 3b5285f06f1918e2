//! Which firm a consultant belongs to. A consultant is at one firm at a time; moving ends the
//! previous membership instead of deleting it, so the history stays.

use anyhow::Context as _;
use certify_accounts::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr, TransactionSession as _,
    TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::FirmError;
use crate::entity::membership;

/// Makes `account_id` a member of `firm_id` from `now` on, ending any other current membership.
/// Joining the firm one already belongs to changes nothing.
pub async fn join_firm<C>(db: &C, now: OffsetDateTime, firm_id: Uuid, account_id: Uuid) -> Result<(), FirmError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a membership change")?;
    move_to_firm(&txn, now, firm_id, account_id, (None, None)).await?;
    txn.commit().await.context("committing a membership change")?;
    Ok(())
}

/// [`join_firm`] inside the caller's transaction, with what the firm's roster says of the member
/// (employee id, country).
pub(crate) async fn move_to_firm(
    txn: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    account_id: Uuid,
    (employee_id, country): (Option<String>, Option<String>),
) -> Result<(), FirmError> {
    if current_firm_of(txn, account_id).await? == Some(firm_id) {
        return Ok(());
    }
    membership::Entity::update_many()
        .col_expr(membership::Column::LeftAt, Expr::value(now))
        .filter(membership::Column::AccountId.eq(account_id))
        .filter(membership::Column::LeftAt.is_null())
        .exec(txn)
        .await
        .context("ending the current membership")?;
    let joined = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        firm_id: Set(firm_id),
        account_id: Set(account_id),
        joined_at: Set(now),
        left_at: Set(None),
        employee_id: Set(employee_id),
        country: Set(country),
        roster_import_id: Set(None),
    }
    .insert(txn)
    .await;
    match joined {
        Ok(_) => Ok(()),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) => {
            Err(FirmError::NotFound(firm_id))
        }
        Err(err) => Err(anyhow::Error::new(err).context("recording a membership").into()),
    }
}

/// Whether `viewer` may see the records of `account_id` (learning, certificates): programme
/// staff see everyone's, a consultant their own, a firm admin those of their firm's members as
/// of now — a consultant who moves takes their records to the new firm's admin.
pub async fn may_see_records_of(
    db: &impl ConnectionTrait,
    viewer: &certify_accounts::Principal,
    account_id: Uuid,
) -> anyhow::Result<bool> {
    Ok(match viewer.role {
        Role::ProgrammeStaff => true,
        Role::Consultant => viewer.account_id == account_id,
        Role::FirmAdmin { firm_id } => current_firm_of(db, account_id).await? == Some(firm_id),
    })
}

/// The firm `account_id` belongs to now, if any.
pub async fn current_firm_of(db: &impl ConnectionTrait, account_id: Uuid) -> anyhow::Result<Option<Uuid>> {
    let current = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account_id))
        .filter(membership::Column::LeftAt.is_null())
        .one(db)
        .await
        .context("reading a membership")?;
    Ok(current.map(|row| row.firm_id))
}
