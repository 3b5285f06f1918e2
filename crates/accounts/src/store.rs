//! Creating, reading and listing accounts.

use anyhow::Context as _;
use certify_core::{DisplayName, Email, Page, PageRequest, SearchText};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, SqlErr,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::account;
use crate::{AccountError, Password, Role, RoleKind, password};

/// An account as the rest of the platform sees it: never its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
    /// Someone else chose the password: the person must choose their own before going on.
    pub must_change_password: bool,
}

impl TryFrom<account::Model> for Account {
    type Error = anyhow::Error;

    fn try_from(row: account::Model) -> anyhow::Result<Self> {
        let email = Email::parse(&row.email).with_context(|| format!("account {} has a malformed e-mail", row.id))?;
        let role = Role::from_columns(row.role, row.firm_id)
            .with_context(|| format!("account {} has a role that disagrees with its firm", row.id))?;
        Ok(Self {
            id: row.id,
            email,
            display_name: row.display_name,
            role,
            created_at: row.created_at,
            must_change_password: row.must_change_password,
        })
    }
}

/// What is needed to open an account. `password` is `None` for people who will only ever sign in
/// through a linked external identity.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub display_name: DisplayName,
    pub role: Role,
    pub password: Option<Password>,
    /// The password was chosen by someone other than the person (staff opening the account):
    /// they must change it at their first sign-in.
    pub must_change_password: bool,
}

pub async fn create_account(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    new: NewAccount,
) -> Result<Account, AccountError> {
    let password_hash = match new.password {
        Some(password) => Some(password::hash_blocking(password).await?),
        None => None,
    };
    let row = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        display_name: Set(new.display_name.into_inner()),
        role: Set(new.role.kind()),
        firm_id: Set(new.role.firm_id()),
        must_change_password: Set(new.must_change_password && password_hash.is_some()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(db).await {
        Ok(inserted) => Ok(Account::try_from(inserted)?),
        Err(err) => Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AccountError::EmailTaken,
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                AccountError::FirmNotFound(new.role.firm_id().unwrap_or_default())
            }
            _ => AccountError::Unexpected(anyhow::Error::new(err).context("inserting an account")),
        }),
    }
}

/// Whether the account signs in with a password here (else only through its firm's sign-in).
pub async fn has_password(db: &impl ConnectionTrait, id: Uuid) -> anyhow::Result<bool> {
    let row = account::Entity::find_by_id(id)
        .one(db)
        .await
        .context("reading an account")?;
    Ok(row.is_some_and(|row| row.password_hash.is_some()))
}

pub async fn find_account(db: &impl ConnectionTrait, id: Uuid) -> Result<Account, AccountError> {
    let row = account::Entity::find_by_id(id)
        .one(db)
        .await
        .context("reading an account")?
        .ok_or(AccountError::NotFound(id))?;
    Ok(Account::try_from(row)?)
}

/// Narrows [`list_accounts`]; every field left `None` matches everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountFilter {
    pub role: Option<RoleKind>,
    pub firm_id: Option<Uuid>,
}

pub async fn list_accounts(
    db: &impl ConnectionTrait,
    filter: AccountFilter,
    page: PageRequest,
) -> Result<Page<Account>, AccountError> {
    let mut query = account::Entity::find().order_by_asc(account::Column::Id);
    if let Some(role) = filter.role {
        query = query.filter(account::Column::Role.eq(role));
    }
    if let Some(firm_id) = filter.firm_id {
        query = query.filter(account::Column::FirmId.eq(firm_id));
    }
    if let Some(after) = page.after {
        query = query.filter(account::Column::Id.gt(after));
    }
    let rows = query
        .limit(page.size.get() + 1)
        .all(db)
        .await
        .context("listing accounts")?
        .into_iter()
        .map(Account::try_from)
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Page::from_overfetched(rows, page, |account| account.id))
}

/// Up to `limit` accounts whose name or e-mail address contains `search` (any case), in
/// creation order.
pub async fn search_accounts(
    db: &impl ConnectionTrait,
    search: &SearchText,
    limit: u64,
) -> Result<Vec<Account>, AccountError> {
    use sea_orm::sea_query::{ExprTrait as _, Func, LikeExpr};
    let pattern = search.contains_pattern();
    let lowered =
        |column: account::Column| Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(&pattern).escape('\\'));
    let rows = account::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(lowered(account::Column::Email))
                .add(lowered(account::Column::DisplayName)),
        )
        .order_by_asc(account::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("searching accounts")?;
    Ok(rows
        .into_iter()
        .map(Account::try_from)
        .collect::<anyhow::Result<Vec<_>>>()?)
}

/// How many accounts exist; the demo seeder only fills an empty platform.
pub async fn count_accounts(db: &impl ConnectionTrait) -> anyhow::Result<u64> {
    account::Entity::find().count(db).await.context("counting accounts")
}

/// The accounts with these e-mail addresses (those that exist), in no particular order.
pub async fn accounts_by_email(db: &impl ConnectionTrait, emails: &[Email]) -> Result<Vec<Account>, AccountError> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    account::Entity::find()
        .filter(account::Column::Email.is_in(emails.iter().map(Email::as_str)))
        .all(db)
        .await
        .context("reading accounts by e-mail")?
        .into_iter()
        .map(|row| Account::try_from(row).map_err(AccountError::from))
        .collect()
}

/// Opens consultant accounts without a password (they sign in through single sign-on, or set one
/// later), in one statement; returns them in the order given. Any address already taken fails the
/// whole batch with [`AccountError::EmailTaken`].
pub async fn create_consultants(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    people: Vec<(Email, DisplayName)>,
) -> Result<Vec<Account>, AccountError> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let accounts: Vec<Account> = people
        .into_iter()
        .map(|(email, name)| Account {
            id: Uuid::now_v7(),
            email,
            display_name: name.into_inner(),
            role: Role::Consultant,
            created_at: now,
            must_change_password: false,
        })
        .collect();
    let rows = accounts.iter().map(|a| account::ActiveModel {
        id: Set(a.id),
        email: Set(a.email.as_str().to_owned()),
        display_name: Set(a.display_name.clone()),
        role: Set(RoleKind::Consultant),
        firm_id: Set(None),
        password_hash: Set(None),
        must_change_password: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    });
    match account::Entity::insert_many(rows).exec(db).await {
        Ok(_) => Ok(accounts),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AccountError::EmailTaken)
        }
        Err(err) => Err(AccountError::Unexpected(
            anyhow::Error::new(err).context("inserting consultants"),
        )),
    }
}

/// Changes the name an account is shown under (certificates already issued keep theirs).
pub async fn rename_account(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    id: Uuid,
    name: DisplayName,
) -> Result<(), AccountError> {
    let updated = account::Entity::update_many()
        .col_expr(account::Column::DisplayName, Expr::value(name.into_inner()))
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(id))
        .exec(db)
        .await
        .context("renaming an account")?;
    if updated.rows_affected == 0 {
        return Err(AccountError::NotFound(id));
    }
    Ok(())
}
