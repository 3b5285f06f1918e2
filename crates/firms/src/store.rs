use anyhow::Context as _;
use certify_core::{Page, PageRequest, SearchText};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::firm;
use crate::{CountryCode, FirmKind, Website};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firm {
    pub id: Uuid,
    pub name: String,
    pub kind: FirmKind,
    pub country: String,
    pub website: Option<String>,
    pub created_at: OffsetDateTime,
}

impl From<firm::Model> for Firm {
    fn from(row: firm::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: row.kind,
            country: row.country,
            website: row.website,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewFirm {
    pub name: String,
    pub kind: FirmKind,
    pub country: CountryCode,
    pub website: Option<Website>,
}

#[derive(Debug, thiserror::Error)]
pub enum FirmError {
    #[error("firm {0} does not exist")]
    NotFound(Uuid),
    #[error("the domain {} is claimed by another firm", certify_core::text::quoted(.0))]
    DomainTaken(String),
    #[error("the firm has not claimed {}", certify_core::text::quoted(.0))]
    DomainNotClaimed(String),
    #[error("no firm has verified the e-mail domain {}", certify_core::text::quoted(.0))]
    NoFirmForDomain(String),
    /// Unknown, someone else's, or already answered: the same answer.
    #[error("no open invitation {0}")]
    InvitationNotFound(Uuid),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub async fn create_firm(db: &impl ConnectionTrait, now: OffsetDateTime, new: NewFirm) -> Result<Firm, FirmError> {
    let row = firm::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(new.name),
        kind: Set(new.kind),
        country: Set(new.country.as_str().to_owned()),
        website: Set(new.website.map(|w| w.as_str().to_owned())),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .context("inserting a firm")?;
    Ok(row.into())
}

pub async fn find_firm(db: &impl ConnectionTrait, id: Uuid) -> Result<Firm, FirmError> {
    firm::Entity::find_by_id(id)
        .one(db)
        .await
        .context("reading a firm")?
        .map(Firm::from)
        .ok_or(FirmError::NotFound(id))
}

/// Narrows [`list_firms`]; `None` matches every firm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirmQuery {
    /// Part of the name, any case.
    pub search: Option<SearchText>,
    pub kind: Option<FirmKind>,
    pub country: Option<CountryCode>,
}

/// Firms in creation order, a keyset page at a time.
pub async fn list_firms(
    db: &impl ConnectionTrait,
    query: &FirmQuery,
    page: PageRequest,
) -> Result<Page<Firm>, FirmError> {
    let mut select = firm::Entity::find()
        .order_by_asc(firm::Column::Id)
        .limit(page.size.get() + 1);
    if let Some(after) = page.after {
        select = select.filter(firm::Column::Id.gt(after));
    }
    if let Some(kind) = query.kind {
        select = select.filter(firm::Column::Kind.eq(kind));
    }
    if let Some(country) = &query.country {
        select = select.filter(firm::Column::Country.eq(country.as_str()));
    }
    if let Some(search) = &query.search {
        let pattern = search.contains_pattern();
        select = select.filter(
            Expr::expr(Func::lower(Expr::col((firm::Entity, firm::Column::Name))))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    let rows = select.all(db).await.context("listing firms")?;
    Ok(Page::from_overfetched(
        rows.into_iter().map(Firm::from).collect(),
        page,
        |f| f.id,
    ))
}

pub async fn all_firm_ids(db: &impl ConnectionTrait) -> Result<Vec<Uuid>, FirmError> {
    firm::Entity::find()
        .select_only()
        .column(firm::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .context("listing firm ids")
        .map_err(FirmError::from)
}

/// A change to a firm's profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FirmChanges {
    pub name: Option<String>,
    pub kind: Option<FirmKind>,
    pub country: Option<CountryCode>,
    /// `Some(None)` removes the website.
    pub website: Option<Option<Website>>,
}

pub async fn update_firm(db: &impl ConnectionTrait, id: Uuid, changes: FirmChanges) -> Result<Firm, FirmError> {
    let row = firm::Entity::find_by_id(id)
        .one(db)
        .await
        .context("reading a firm")?
        .ok_or(FirmError::NotFound(id))?;
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(name);
    }
    if let Some(kind) = changes.kind {
        active.kind = Set(kind);
    }
    if let Some(country) = changes.country {
        active.country = Set(country.as_str().to_owned());
    }
    if let Some(website) = changes.website {
        active.website = Set(website.map(|w| w.as_str().to_owned()));
    }
    let row = active.update(db).await.context("updating a firm")?;
    Ok(row.into())
}
