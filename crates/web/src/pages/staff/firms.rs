//! Programme staff's firms: search and filter by name, kind, country and tier, the tier
//! distribution as a bar chart, and each firm's portal one click away.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_firms::{CountryCode, FirmKind, FirmQuery, Tier};
use certify_progress::Dimension;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::StaffPage;
use crate::error::PageError;
use crate::pages::firm::overview::{kind_label, tier_label};
use crate::pages::{Choice, Chrome, chrome_for, thousands};

/// Rows the table shows; a search narrows the rest.
const SHOWN: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct FirmsQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub tier: String,
}

#[derive(Debug, Clone)]
pub struct FirmRow {
    pub id: Uuid,
    pub name: String,
    pub kind: &'static str,
    pub country: String,
    pub tier: &'static str,
    pub active: String,
}

/// One bar of the tier distribution.
#[derive(Debug, Clone)]
pub struct TierBar {
    pub tier: &'static str,
    pub firms: String,
    pub percent: u8,
}

#[derive(Template, WebTemplate)]
#[template(path = "firms.html")]
pub struct FirmsPage {
    chrome: Chrome,
    q: String,
    kinds: Vec<Choice>,
    country: String,
    tiers: Vec<Choice>,
    country_error: Option<&'static str>,
    q_error: Option<&'static str>,
    /// The lists of this form cannot hold a wrong value: an unknown one means "any".
    no_error: Option<&'static str>,
    distribution: Vec<TierBar>,
    total_firms: String,
    rows: Vec<FirmRow>,
    matching: String,
    more: Option<String>,
}

const KINDS: [FirmKind; 4] = [
    FirmKind::ConsultingFirm,
    FirmKind::SystemsIntegrator,
    FirmKind::TechnologyProvider,
    FirmKind::DeploymentSpecialist,
];

fn kind_value(kind: FirmKind) -> &'static str {
    match kind {
        FirmKind::ConsultingFirm => "consulting_firm",
        FirmKind::SystemsIntegrator => "systems_integrator",
        FirmKind::TechnologyProvider => "technology_provider",
        FirmKind::DeploymentSpecialist => "deployment_specialist",
    }
}

/// Each firm's certified consultants, from the breakdown by firm that the dashboard keeps (so
/// the page costs no scan of the certificates; it lags the counters by a few seconds at most).
async fn certified_per_firm(state: &AppState) -> Result<HashMap<Uuid, u32>, PageError> {
    let (_, groups) = state
        .breakdowns
        .breakdown(&state.db, state.clock.now(), Dimension::Firm)
        .await
        .map_err(PageError::internal)?;
    Ok(groups
        .iter()
        .filter_map(|group| {
            let firm_id = Uuid::parse_str(group.key.as_deref()?).ok()?;
            Some((firm_id, u32::try_from(group.certified).unwrap_or(u32::MAX)))
        })
        .collect())
}

pub async fn firms(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    Query(query): Query<FirmsQuery>,
) -> Result<Response, PageError> {
    let kind = KINDS.into_iter().find(|k| kind_value(*k) == query.kind.trim());
    let tier = Tier::ALL
        .into_iter()
        .find(|t| tier_label(*t).eq_ignore_ascii_case(query.tier.trim()));
    let (country, country_error) = match query.country.trim() {
        "" => (None, None),
        raw => match CountryCode::parse(raw) {
            Ok(code) => (Some(code), None),
            Err(_) => (None, Some("Type a two-letter country code, such as DE.")),
        },
    };
    let thresholds = certify_firms::thresholds::tier_thresholds(&state.db).await?.thresholds;
    let headcounts = certified_per_firm(&state).await?;
    let headcount = |firm_id: &Uuid| headcounts.get(firm_id).copied().unwrap_or(0);
    let all_ids = certify_firms::all_firm_ids(&state.db).await?;
    let distribution = thresholds.distribution(all_ids.iter().map(headcount));
    let largest = distribution.values().copied().max().unwrap_or(0).max(1);
    let search = crate::pages::search_field(&query.q);
    let q_error = search.as_ref().err().copied();
    let firm_query = FirmQuery {
        search: search.unwrap_or_default(),
        kind,
        country,
    };
    let mut rows = Vec::new();
    if country_error.is_none() && q_error.is_none() {
        for firm in crate::pages::matching_firms(&state, &firm_query).await? {
            let active = headcount(&firm.id);
            let firm_tier = thresholds.tier_for(active);
            if tier.is_some_and(|t| t != firm_tier) {
                continue;
            }
            rows.push((active, firm, firm_tier));
        }
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let matching = rows.len();
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = FirmsPage {
        chrome,
        kinds: KINDS
            .into_iter()
            .map(|k| (kind_value(k).to_owned(), kind_label(k).to_owned(), Some(k) == kind))
            .collect(),
        country: query.country.clone(),
        tiers: Tier::ALL
            .into_iter()
            .map(|t| (tier_label(t).to_owned(), tier_label(t).to_owned(), Some(t) == tier))
            .collect(),
        country_error,
        q_error,
        no_error: None,
        distribution: distribution
            .into_iter()
            .map(|(tier, firms)| TierBar {
                tier: tier_label(tier),
                firms: thousands(firms.into()),
                percent: u8::try_from(u64::from(firms) * 100 / u64::from(largest)).unwrap_or(100),
            })
            .collect(),
        total_firms: thousands(i64::try_from(all_ids.len()).unwrap_or(i64::MAX)),
        matching: format!(
            "{} firm{} match",
            thousands(matching as i64),
            if matching == 1 { "" } else { "s" }
        ),
        more: (matching > SHOWN).then(|| format!("and {} more; narrow the search to see them", matching - SHOWN)),
        rows: rows
            .into_iter()
            .take(SHOWN)
            .map(|(active, firm, tier)| FirmRow {
                id: firm.id,
                name: firm.name,
                kind: kind_label(firm.kind),
                country: firm.country,
                tier: tier_label(tier),
                active: thousands(active.into()),
            })
            .collect(),
        q: query.q,
    };
    let status = if page.country_error.is_some() || page.q_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, jar, page).into_response())
}
