//! Programme progress: the count of certified consultants toward the target, kept exact in the
//! transactions that change certificates ([`ledger`]), checked against the certificates
//! ([`reconcile`]), broken down ([`breakdown`]), as a daily series ([`series`]) and forecast
//! ([`forecast`]), and pushed to live subscribers ([`live`]).
//!
//! This crate knows nothing of certificates' contents: the certificates crate tells it what
//! happened, and hands it the facts to recompute from.

pub mod breakdown;
pub mod entity;
pub mod forecast;
pub mod ledger;
pub mod live;
pub mod reconcile;
pub mod series;

pub use breakdown::{BREAKDOWN_MAX_AGE, BREAKDOWN_MIN_AGE, BreakdownCache, Dimension, Group, breakdown};
pub use forecast::{BandPoint, Forecast, Goal, Outlook, Projection, WINDOW_DAYS, forecast};
pub use ledger::{
    DayCounts, Headline, Issuance, IssuedCertificate, certificate_ended, certificate_issued, headline, hold_counters,
    sweep_expired, utc_day,
};
pub use live::{HeadlineUpdates, LiveHeadline};
pub use reconcile::{
    CertificateFact, CertificateFacts, Counters, Reconciliation, initialise_progress, reconcile_progress,
};
pub use series::{DayPoint, DayRange, DayRangeError, daily_series};

use anyhow::Context as _;
use sea_orm::ConnectionTrait;
use time::Date;

#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for ProgressError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("progress storage"))
    }
}

/// The net daily changes the forecast learns from: the [`WINDOW_DAYS`] complete days before
/// `today`, oldest first.
pub async fn trailing_window(db: &impl ConnectionTrait, today: Date) -> Result<(DayRange, Vec<i64>), ProgressError> {
    let yesterday = today.previous_day().context("no day before the first date")?;
    let range = DayRange::ending(yesterday, WINDOW_DAYS).map_err(anyhow::Error::new)?;
    let days = daily_series(db, range).await?;
    Ok((range, days.iter().map(|d| d.net_change).collect()))
}
