//! Partner tiers: the thresholds programme staff set, each firm's tier with its forecast, and
//! the distribution of firms over tiers.

use axum::Json;
use axum::extract::State;
use certify_certificates::firm_view::{active_certifications, tier_distribution, tier_forecast};
use certify_firms::thresholds::ConfiguredThresholds;
use certify_firms::{Tier, TierThresholds};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::scopes::FirmRead;
use crate::auth::{Caller, FirmScope, Staff};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::firms::TierName;

/// The fewest active certified consultants each tier needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThresholdsView {
    /// Always 0: every firm is at least Registered.
    pub registered: u32,
    /// Active certified consultants a firm needs for Select, 1 to 1000000.
    #[schema(example = 10, minimum = 1, maximum = 1_000_000)]
    pub select: u32,
    /// For Advanced; above `select`, at most 1000000.
    #[schema(example = 50, minimum = 2, maximum = 1_000_000)]
    pub advanced: u32,
    /// For Premier; above `advanced`, at most 1000000.
    #[schema(example = 250, minimum = 3, maximum = 1_000_000)]
    pub premier: u32,
    /// When staff last changed them; absent while the defaults apply.
    #[serde(with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<OffsetDateTime>,
}

impl From<ConfiguredThresholds> for ThresholdsView {
    fn from(configured: ConfiguredThresholds) -> Self {
        let t = configured.thresholds;
        Self {
            registered: t.minimum(Tier::Registered),
            select: t.minimum(Tier::Select),
            advanced: t.minimum(Tier::Advanced),
            premier: t.minimum(Tier::Premier),
            updated_at: configured.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetThresholdsRequest {
    /// Active certified consultants a firm needs for Select, 1 to 1000000.
    #[schema(example = 10, minimum = 1, maximum = 1_000_000)]
    pub select: u32,
    /// For Advanced; above `select`, at most 1000000.
    #[schema(example = 50, minimum = 2, maximum = 1_000_000)]
    pub advanced: u32,
    /// For Premier; above `advanced`, at most 1000000.
    #[schema(example = 250, minimum = 3, maximum = 1_000_000)]
    pub premier: u32,
}

async fn configured(state: &AppState) -> Result<ConfiguredThresholds, ApiError> {
    certify_firms::thresholds::tier_thresholds(&state.db)
        .await
        .map_err(ApiError::from)
}

/// The tier thresholds in force (any signed-in account).
#[utoipa::path(get, path = "/api/v1/tier-thresholds", tag = "firms", responses((status = OK, body = ThresholdsView)))]
pub async fn get_thresholds(State(state): State<AppState>, _caller: Caller) -> Result<Json<ThresholdsView>, ApiError> {
    Ok(Json(configured(&state).await?.into()))
}

/// Set the tier thresholds (programme staff). They must rise strictly: 0 < select < advanced <
/// premier. Every firm's tier follows at once.
#[utoipa::path(put, path = "/api/v1/tier-thresholds", tag = "firms", request_body = SetThresholdsRequest,
    responses((status = OK, body = ThresholdsView),
        Forbidden,
        Invalid))]
pub async fn set_thresholds(
    State(state): State<AppState>,
    Staff(staff): Staff,
    ApiJson(request): ApiJson<SetThresholdsRequest>,
) -> Result<Json<ThresholdsView>, ApiError> {
    let thresholds = TierThresholds::new(request.select, request.advanced, request.premier)
        .map_err(|err| ApiError::invalid_field("body", err))?;
    let saved =
        certify_firms::thresholds::set_tier_thresholds(&state.db, state.clock.now(), staff.account_id, thresholds)
            .await?;
    Ok(Json(saved.into()))
}

/// A firm's partner tier and what threatens it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierView {
    pub tier: TierName,
    /// Current members holding at least one active certificate.
    pub active_consultants: u32,
    /// When the firm falls below its tier as certificates expire, if nothing else changes;
    /// absent for Registered, which cannot be lost.
    #[serde(with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub falls_below_on: Option<OffsetDateTime>,
    /// Absent at Premier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<TierName>,
    /// How many more active certified consultants reach `next_tier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_for_next: Option<u32>,
    pub thresholds: ThresholdsView,
}

/// A firm's tier and tier forecast (firm admin or programme staff).
#[utoipa::path(get, path = "/api/v1/firms/{firm_id}/tier", security(("firm_client" = ["firm:read"])), tag = "firms", params(("firm_id" = uuid::Uuid, Path)),
    responses((status = OK, body = TierView),
        Forbidden,
        NotFound))]
pub async fn firm_tier(State(state): State<AppState>, scope: FirmScope<FirmRead>) -> Result<Json<TierView>, ApiError> {
    let configured = configured(&state).await?;
    let active = active_certifications(&state.db, state.clock.now(), Some(&[scope.firm_id]))
        .await
        .map_err(ApiError::internal)?;
    let forecast = tier_forecast(&configured.thresholds, &active);
    Ok(Json(TierView {
        tier: forecast.tier.into(),
        active_consultants: forecast.active,
        falls_below_on: forecast.falls_below_on,
        next_tier: forecast.next_tier.map(TierName::from),
        needed_for_next: forecast.needed_for_next,
        thresholds: configured.into(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TierCount {
    pub tier: TierName,
    pub firms: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TierDistributionView {
    pub total_firms: u32,
    /// Every tier, lowest first, with how many firms are in it.
    pub tiers: Vec<TierCount>,
    pub thresholds: ThresholdsView,
}

/// How many firms are in each tier (programme staff).
#[utoipa::path(get, path = "/api/v1/firms/tier-distribution", tag = "firms",
    responses((status = OK, body = TierDistributionView),
        Forbidden))]
pub async fn distribution(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<TierDistributionView>, ApiError> {
    let configured = configured(&state).await?;
    let firm_ids = certify_firms::all_firm_ids(&state.db).await?;
    let active = active_certifications(&state.db, state.clock.now(), None)
        .await
        .map_err(ApiError::internal)?;
    let tiers = tier_distribution(&configured.thresholds, &firm_ids, &active);
    Ok(Json(TierDistributionView {
        total_firms: u32::try_from(firm_ids.len()).unwrap_or(u32::MAX),
        tiers: tiers
            .into_iter()
            .map(|(tier, firms)| TierCount {
                tier: tier.into(),
                firms,
            })
            .collect(),
        thresholds: configured.into(),
    }))
}
