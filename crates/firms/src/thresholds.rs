//! The programme's tier thresholds as staff configured them; the defaults until they do.

use anyhow::Context as _;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::tier_thresholds;
use crate::{FirmError, TierThresholds};

/// The one row the table holds.
const ROW_ID: i32 = 1;

/// The thresholds in force and when staff last changed them (`None`: the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfiguredThresholds {
    pub thresholds: TierThresholds,
    pub updated_at: Option<OffsetDateTime>,
}

pub async fn tier_thresholds(db: &impl ConnectionTrait) -> Result<ConfiguredThresholds, FirmError> {
    let row = tier_thresholds::Entity::find_by_id(ROW_ID)
        .one(db)
        .await
        .context("reading the tier thresholds")?;
    let Some(row) = row else {
        return Ok(ConfiguredThresholds {
            thresholds: TierThresholds::default(),
            updated_at: None,
        });
    };
    let number = |n: i64| u32::try_from(n).context("a stored tier threshold is out of range");
    let thresholds = TierThresholds::new(
        number(row.select_min)?,
        number(row.advanced_min)?,
        number(row.premier_min)?,
    )
    .context("the stored tier thresholds do not rise")?;
    Ok(ConfiguredThresholds {
        thresholds,
        updated_at: Some(row.updated_at),
    })
}

pub async fn set_tier_thresholds(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    updated_by: Uuid,
    thresholds: TierThresholds,
) -> Result<ConfiguredThresholds, FirmError> {
    use crate::Tier;
    let row = tier_thresholds::ActiveModel {
        id: Set(ROW_ID),
        select_min: Set(thresholds.minimum(Tier::Select).into()),
        advanced_min: Set(thresholds.minimum(Tier::Advanced).into()),
        premier_min: Set(thresholds.minimum(Tier::Premier).into()),
        updated_at: Set(now),
        updated_by: Set(Some(updated_by)),
    };
    tier_thresholds::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(tier_thresholds::Column::Id)
                .update_columns([
                    tier_thresholds::Column::SelectMin,
                    tier_thresholds::Column::AdvancedMin,
                    tier_thresholds::Column::PremierMin,
                    tier_thresholds::Column::UpdatedAt,
                    tier_thresholds::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec(db)
        .await
        .context("saving the tier thresholds")?;
    Ok(ConfiguredThresholds {
        thresholds,
        updated_at: Some(now),
    })
}
