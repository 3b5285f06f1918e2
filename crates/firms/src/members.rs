//! A firm's current members as its admin sees them: who they are, the country and employee id
//! the roster gave, searchable, in keyset pages.

use anyhow::Context as _;
use certify_accounts::entity::account;
use certify_core::{Email, SearchText};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait as _,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::membership;
use crate::{CountryCode, FirmError};

/// A current member of a firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub account_id: Uuid,
    pub email: Email,
    pub display_name: String,
    pub country: Option<String>,
    pub employee_id: Option<String>,
    pub joined_at: OffsetDateTime,
}

/// Narrows [`members_after`]; `None` matches everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberQuery {
    pub country: Option<CountryCode>,
    /// Part of the name or e-mail address, any case.
    pub search: Option<SearchText>,
}

/// `firm_id`'s current memberships that `query` admits, joined to their accounts when
/// `with_accounts` (or a search needs them).
fn current_members(firm_id: Uuid, query: &MemberQuery, with_accounts: bool) -> sea_orm::Select<membership::Entity> {
    let search = query.search.as_ref();
    let mut select = membership::Entity::find()
        .select_only()
        .column(membership::Column::AccountId)
        .filter(membership::Column::FirmId.eq(firm_id))
        .filter(membership::Column::LeftAt.is_null());
    if with_accounts || search.is_some() {
        select = select.join(JoinType::InnerJoin, membership::Relation::Account.def());
    }
    if let Some(country) = &query.country {
        select = select.filter(membership::Column::Country.eq(country.as_str()));
    }
    if let Some(search) = search {
        let pattern = search.contains_pattern();
        let lowered = |column: account::Column| {
            Expr::expr(Func::lower(Expr::col((account::Entity, column)))).like(LikeExpr::new(&pattern).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(lowered(account::Column::Email))
                .add(lowered(account::Column::DisplayName)),
        );
    }
    select
}

/// Reads the members `select` (from [`current_members`] with accounts) finds.
async fn read_members(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<membership::Entity>,
) -> Result<Vec<Member>, FirmError> {
    // Only the columns a member needs: a firm's pages read thousands of members at a time.
    let select = select
        .column_as(Expr::col((account::Entity, account::Column::Email)), "email")
        .column_as(
            Expr::col((account::Entity, account::Column::DisplayName)),
            "display_name",
        )
        .column(membership::Column::Country)
        .column(membership::Column::EmployeeId)
        .column(membership::Column::JoinedAt);
    type Row = (Uuid, String, String, Option<String>, Option<String>, OffsetDateTime);
    let rows: Vec<Row> = select.into_tuple().all(db).await.context("listing a firm's members")?;
    rows.into_iter()
        .map(|(account_id, email, display_name, country, employee_id, joined_at)| {
            Ok(Member {
                account_id,
                email: Email::parse(&email).context("stored e-mail")?,
                display_name,
                country,
                employee_id,
                joined_at,
            })
        })
        .collect()
}

/// Up to `limit` current members of `firm_id` after the account id `after`, in account order.
pub async fn members_after(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    query: &MemberQuery,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Member>, FirmError> {
    let mut select = current_members(firm_id, query, true)
        .order_by_asc(membership::Column::AccountId)
        .limit(limit);
    if let Some(after) = after {
        select = select.filter(membership::Column::AccountId.gt(after));
    }
    read_members(db, select).await
}

/// The account ids of `firm_id`'s current members that `query` admits, in no particular order:
/// without a search, read from the memberships alone (no account is looked at).
pub async fn member_ids(db: &impl ConnectionTrait, firm_id: Uuid, query: &MemberQuery) -> Result<Vec<Uuid>, FirmError> {
    Ok(current_members(firm_id, query, false)
        .into_tuple()
        .all(db)
        .await
        .context("listing a firm's members")?)
}

/// Those of `account_ids` who are current members of `firm_id`, in no particular order.
pub async fn members_among(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    account_ids: &[Uuid],
) -> Result<Vec<Member>, FirmError> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let select = current_members(firm_id, &MemberQuery::default(), true)
        .filter(membership::Column::AccountId.is_in(account_ids.iter().copied()));
    read_members(db, select).await
}

/// `account_id`, if they are a current member of `firm_id`.
pub async fn current_member(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    account_id: Uuid,
) -> Result<Option<Member>, FirmError> {
    let row = membership::Entity::find()
        .find_also_related(account::Entity)
        .filter(membership::Column::FirmId.eq(firm_id))
        .filter(membership::Column::AccountId.eq(account_id))
        .filter(membership::Column::LeftAt.is_null())
        .one(db)
        .await
        .context("reading a firm's member")?;
    row.and_then(|(membership, account)| Some(member_from(membership, account?)))
        .transpose()
}

fn member_from(membership: membership::Model, account: account::Model) -> Result<Member, FirmError> {
    Ok(Member {
        account_id: membership.account_id,
        email: Email::parse(&account.email).context("stored e-mail")?,
        display_name: account.display_name,
        country: membership.country,
        employee_id: membership.employee_id,
        joined_at: membership.joined_at,
    })
}

/// The countries the roster gave for `firm_id`'s current members, each once, in order: what a
/// country filter can offer.
pub async fn member_countries(db: &impl ConnectionTrait, firm_id: Uuid) -> Result<Vec<String>, FirmError> {
    let countries: Vec<Option<String>> = membership::Entity::find()
        .select_only()
        .column(membership::Column::Country)
        .distinct()
        .filter(membership::Column::FirmId.eq(firm_id))
        .filter(membership::Column::LeftAt.is_null())
        .filter(membership::Column::Country.is_not_null())
        .order_by_asc(membership::Column::Country)
        .into_tuple()
        .all(db)
        .await
        .context("listing a firm's members' countries")?;
    Ok(countries.into_iter().flatten().collect())
}

/// Every membership `account_id` has had, oldest first.
pub async fn membership_history(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<membership::Model>, FirmError> {
    membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account_id))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await
        .context("reading a membership history")
        .map_err(FirmError::from)
}
