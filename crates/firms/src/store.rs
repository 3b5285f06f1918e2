use anyhow::Context as _;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
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
