//! Firms and their tiers as more than one area shows them.

use certify_firms::Firm;
use certify_firms::FirmKind;
use certify_firms::Tier;
use serde::Deserialize;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TierName {
    Registered,
    Select,
    Advanced,
    Premier,
}

impl From<Tier> for TierName {
    fn from(tier: Tier) -> Self {
        match tier {
            Tier::Registered => Self::Registered,
            Tier::Select => Self::Select,
            Tier::Advanced => Self::Advanced,
            Tier::Premier => Self::Premier,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FirmKindName {
    ConsultingFirm,
    SystemsIntegrator,
    TechnologyProvider,
    DeploymentSpecialist,
}

impl From<FirmKindName> for FirmKind {
    fn from(name: FirmKindName) -> Self {
        match name {
            FirmKindName::ConsultingFirm => Self::ConsultingFirm,
            FirmKindName::SystemsIntegrator => Self::SystemsIntegrator,
            FirmKindName::TechnologyProvider => Self::TechnologyProvider,
            FirmKindName::DeploymentSpecialist => Self::DeploymentSpecialist,
        }
    }
}

impl From<FirmKind> for FirmKindName {
    fn from(kind: FirmKind) -> Self {
        match kind {
            FirmKind::ConsultingFirm => Self::ConsultingFirm,
            FirmKind::SystemsIntegrator => Self::SystemsIntegrator,
            FirmKind::TechnologyProvider => Self::TechnologyProvider,
            FirmKind::DeploymentSpecialist => Self::DeploymentSpecialist,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirmView {
    pub id: Uuid,
    pub name: String,
    pub kind: FirmKindName,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Firm> for FirmView {
    fn from(firm: Firm) -> Self {
        Self {
            id: firm.id,
            name: firm.name,
            kind: firm.kind.into(),
            country: firm.country,
            website: firm.website,
            created_at: firm.created_at,
        }
    }
}
