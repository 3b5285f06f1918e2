//! A partner firm's home: its tier as a card (headcount, what reaches the next tier, and when
//! expiring certificates would drop it below the current one, with whose), and its certified
//! headcount by track. Firm admins see their own firm; programme staff may open any firm's.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_certificates::firm_view::{
    ActiveCertification, CertificateSpan, active_at, certificate_spans, certified_until, summarise,
};
use certify_firms::{FirmKind, Tier};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::FirmPage;
use crate::error::PageError;
use crate::pages::{Chrome, chrome_for, long_date, thousands};
use crate::session::Visitor;

/// At most this many expiring consultants are named on the tier card.
const EXPIRING_SHOWN: usize = 20;

/// One consultant whose certification ends before the tier is lost, or on that day.
#[derive(Debug, Clone)]
pub struct ExpiringLine {
    pub name: String,
    pub until: String,
}

/// The tier card.
#[derive(Debug, Clone)]
pub struct TierCard {
    pub tier: &'static str,
    pub active: String,
    /// "3 more certified consultants reach Advanced".
    pub next: Option<String>,
    /// "Falls below Select on 14 March 2027 as 3 certificates expire".
    pub falls_below: Option<String>,
    pub expiring: Vec<ExpiringLine>,
    /// More expiring than are named.
    pub expiring_more: usize,
    /// Every tier with its minimum, lowest first, and whether it is this firm's.
    pub thresholds: Vec<(&'static str, String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "firm_home.html")]
pub struct FirmHome {
    chrome: Chrome,
    firm_id: Uuid,
    name: String,
    kind: &'static str,
    country: String,
    tier: TierCard,
    /// Track title and active certified consultants on it.
    by_track: Vec<(String, String)>,
    history: HeadcountHistory,
}

/// The firm's certified headcount over the last year, as a chart and as its table.
#[derive(Debug, Clone)]
pub struct HeadcountHistory {
    pub svg: String,
    /// Week and headcount, oldest first.
    pub rows: Vec<(String, String)>,
}

/// Weeks the headcount chart looks back.
const HISTORY_WEEKS: i64 = 52;

fn headcount_history(
    spans: &[CertificateSpan],
    now: OffsetDateTime,
    thresholds: &certify_firms::TierThresholds,
) -> HeadcountHistory {
    let moments: Vec<OffsetDateTime> = (0..=HISTORY_WEEKS)
        .rev()
        .map(|weeks| now - time::Duration::weeks(weeks))
        .collect();
    let counts = certify_certificates::firm_view::headcount_history(spans, &moments);
    let points: Vec<(time::Date, f64)> = moments
        .iter()
        .zip(&counts)
        .map(|(at, n)| (at.date(), f64::from(*n)))
        .collect();
    // The thresholds reached so far and the next one: higher ones would flatten the line.
    let highest = counts.iter().copied().max().unwrap_or_default();
    let next_above = Tier::ALL.into_iter().find(|tier| thresholds.minimum(*tier) > highest);
    let levels = Tier::ALL
        .into_iter()
        .filter(|tier| *tier != Tier::Registered)
        .filter(|tier| thresholds.minimum(*tier) <= highest || Some(*tier) == next_above)
        .map(|tier| crate::chart::Level {
            value: f64::from(thresholds.minimum(tier)),
            label: format!("{} ({})", tier_label(tier), thousands(thresholds.minimum(tier).into())),
        })
        .collect();
    let latest = counts.last().copied().unwrap_or_default();
    let chart = crate::chart::TimeChart {
        title: "Certified consultants over the last year".to_owned(),
        description: format!(
            "Weekly count of today's consultants holding an active certificate, {} now, with the tier thresholds \
             reached and the next one drawn as horizontal lines.",
            thousands(latest.into())
        ),
        from: moments[0].date(),
        to: now.date(),
        bands: Vec::new(),
        lines: vec![crate::chart::Line {
            points,
            class: "actual",
            dashed: false,
        }],
        levels,
        today: None,
        id: "headcount",
    };
    HeadcountHistory {
        svg: chart.svg(),
        rows: moments
            .iter()
            .zip(counts)
            .map(|(at, n)| (long_date(at.date()), thousands(n.into())))
            .collect(),
    }
}

async fn tier_card(
    state: &AppState,
    thresholds: &certify_firms::TierThresholds,
    active: &[ActiveCertification],
) -> Result<TierCard, PageError> {
    // Each consultant's end date, computed once for the forecast and for the list of whose.
    let until = certified_until(active);
    let forecast = certify_firms::tiers::forecast(thresholds, until.values().copied().collect());
    let next = forecast.next_tier.zip(forecast.needed_for_next).map(|(tier, needed)| {
        let who = if needed == 1 { "consultant" } else { "consultants" };
        format!(
            "{} more certified {who} reach {}",
            thousands(needed.into()),
            tier_label(tier)
        )
    });
    let mut ending: Vec<(OffsetDateTime, Uuid)> = until.into_iter().map(|(a, t)| (t, a)).collect();
    ending.sort_unstable();
    let (falls_below, expiring_ids) = match forecast.falls_below_on {
        Some(on) => {
            let expiring: Vec<(OffsetDateTime, Uuid)> = ending.into_iter().filter(|(until, _)| *until <= on).collect();
            let sentence = format!(
                "Falls below {} on {} as {} certificate{} expire{}",
                tier_label(forecast.tier),
                long_date(on.date()),
                expiring.len(),
                if expiring.len() == 1 { "" } else { "s" },
                if expiring.len() == 1 { "s" } else { "" },
            );
            (Some(sentence), expiring)
        }
        None => (None, Vec::new()),
    };
    let mut expiring = Vec::new();
    for (until, account_id) in expiring_ids.iter().take(EXPIRING_SHOWN) {
        let account = certify_accounts::find_account(&state.db, *account_id)
            .await
            .map_err(PageError::internal)?;
        expiring.push(ExpiringLine {
            name: account.display_name,
            until: long_date(until.date()),
        });
    }
    Ok(TierCard {
        tier: tier_label(forecast.tier),
        active: thousands(forecast.active.into()),
        next,
        falls_below,
        expiring_more: expiring_ids.len().saturating_sub(EXPIRING_SHOWN),
        expiring,
        thresholds: Tier::ALL
            .into_iter()
            .map(|tier| {
                let minimum = thousands(thresholds.minimum(tier).into());
                (tier_label(tier), minimum, tier == forecast.tier)
            })
            .collect(),
    })
}

async fn headcount_by_track(
    state: &AppState,
    active: &[ActiveCertification],
) -> Result<Vec<(String, String)>, PageError> {
    let summary = summarise(active);
    let mut rows = Vec::with_capacity(summary.by_track.len());
    for (track_id, holders) in summary.by_track {
        let track = certify_courses::get_track(&state.db, certify_courses::Audience::Staff, track_id).await?;
        rows.push((track.track.title, thousands(holders.into())));
    }
    Ok(rows)
}

/// A tier as people write it: "Select".
pub(crate) fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Registered => "Registered",
        Tier::Select => "Select",
        Tier::Advanced => "Advanced",
        Tier::Premier => "Premier",
    }
}

pub(crate) fn kind_label(kind: FirmKind) -> &'static str {
    match kind {
        FirmKind::ConsultingFirm => "Consulting firm",
        FirmKind::SystemsIntegrator => "Systems integrator",
        FirmKind::TechnologyProvider => "Technology provider",
        FirmKind::DeploymentSpecialist => "Deployment specialist",
    }
}

/// The firm's home; `visitor` may see `firm` (the caller checked).
pub async fn firm_home(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    firm: certify_firms::Firm,
) -> Result<Response, PageError> {
    let firm_id = firm.id;
    let now = state.clock.now();
    let spans = certificate_spans(&state.db, firm_id).await?;
    let active = active_at(firm_id, &spans, now);
    let thresholds = certify_firms::thresholds::tier_thresholds(&state.db).await?.thresholds;
    let tier = tier_card(state, &thresholds, &active).await?;
    let by_track = headcount_by_track(state, &active).await?;
    let history = headcount_history(&spans, now, &thresholds);
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    let page = FirmHome {
        chrome,
        firm_id,
        name: firm.name,
        kind: kind_label(firm.kind),
        country: firm.country,
        tier,
        by_track,
        history,
    };
    Ok((jar, page).into_response())
}

/// A firm's home by its address: programme staff open any firm's this way.
pub async fn firm(
    State(state): State<AppState>,
    jar: CookieJar,
    FirmPage { visitor, firm }: FirmPage,
) -> Result<Response, PageError> {
    firm_home(&state, jar, &visitor, firm).await
}
