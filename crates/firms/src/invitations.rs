//! Invitations to a firm's roster. A firm may put on its roster, without asking, only addresses
//! at a domain it has verified (it controls that mail); anyone else a roster names is invited and
//! joins when they accept, after signing in. Until then the firm sees nothing of them.

use anyhow::Context as _;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession as _, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::FirmError;
use crate::entity::{firm, invitation};

/// What the roster said of an invited person, applied to the membership on acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invited {
    pub account_id: Uuid,
    pub employee_id: Option<String>,
    pub country: Option<String>,
}

/// Records invitations from `firm_id` (one per person: a pending or declined invitation is
/// left as it is).
pub(crate) async fn invite(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    roster_import_id: Option<Uuid>,
    people: Vec<Invited>,
) -> anyhow::Result<()> {
    if people.is_empty() {
        return Ok(());
    }
    let rows = people.into_iter().map(|person| invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        firm_id: Set(firm_id),
        account_id: Set(person.account_id),
        roster_import_id: Set(roster_import_id),
        employee_id: Set(person.employee_id),
        country: Set(person.country),
        invited_at: Set(now),
        answered_at: Set(None),
        accepted: Set(None),
    });
    invitation::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([invitation::Column::FirmId, invitation::Column::AccountId])
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec(db)
        .await
        .context("recording invitations")?;
    Ok(())
}

/// An invitation waiting for the person's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub firm_name: String,
    pub invited_at: OffsetDateTime,
}

/// The invitations `account_id` has not answered, oldest first.
pub async fn pending_invitations(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> anyhow::Result<Vec<PendingInvitation>> {
    let rows = invitation::Entity::find()
        .filter(invitation::Column::AccountId.eq(account_id))
        .filter(invitation::Column::AnsweredAt.is_null())
        .order_by_asc(invitation::Column::InvitedAt)
        .all(db)
        .await
        .context("reading invitations")?;
    // One read for every inviting firm, not one per invitation.
    let names: std::collections::HashMap<Uuid, String> = firm::Entity::find()
        .filter(firm::Column::Id.is_in(rows.iter().map(|row| row.firm_id)))
        .all(db)
        .await
        .context("reading the inviting firms")?
        .into_iter()
        .map(|firm| (firm.id, firm.name))
        .collect();
    rows.into_iter()
        .map(|row| {
            let firm_name = names
                .get(&row.firm_id)
                .cloned()
                .context("an invitation's firm is gone")?;
            Ok(PendingInvitation {
                id: row.id,
                firm_id: row.firm_id,
                firm_name,
                invited_at: row.invited_at,
            })
        })
        .collect()
}

/// Answers an invitation of `account_id`'s: accepting ends their current membership (history
/// kept) and makes them a member of the inviting firm with what its roster said (a member of it
/// already stays as they are). Someone
/// else's invitation, or one already answered, is not found.
pub async fn answer_invitation<C>(
    db: &C,
    now: OffsetDateTime,
    account_id: Uuid,
    invitation_id: Uuid,
    accept: bool,
) -> Result<(), FirmError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await.context("starting an answer")?;
    let answered = invitation::Entity::update_many()
        .col_expr(invitation::Column::AnsweredAt, Expr::value(now))
        .col_expr(invitation::Column::Accepted, Expr::value(accept))
        .filter(invitation::Column::Id.eq(invitation_id))
        .filter(invitation::Column::AccountId.eq(account_id))
        .filter(invitation::Column::AnsweredAt.is_null())
        .exec_with_returning(&txn)
        .await
        .context("answering an invitation")?;
    let Some(invited) = answered.into_iter().next() else {
        return Err(FirmError::InvitationNotFound(invitation_id));
    };
    if accept {
        let roster = (invited.employee_id, invited.country);
        crate::membership::move_to_firm(&txn, now, invited.firm_id, account_id, roster).await?;
    }
    txn.commit().await.context("committing an answer")?;
    Ok(())
}
