//! Keeping the counters: called inside the transactions that issue, revoke and supersede
//! certificates, and by the expiry sweep.
//!
//! A consultant counts as certified while they hold at least one *holding* (an active
//! certificate). Every change first expires the consultant's holdings that are due by then, in
//! order of expiry, so each consultant's history is applied in the order it happened even when
//! the sweep runs late; every change of the certified count is dated by when it happened (an
//! expiry by its expiry instant), so the daily series is exact too.
//!
//! Every change starts by touching the totals row. On PostgreSQL that row lock orders
//! concurrent changes, so they cannot deadlock on the day and consultant rows they touch next;
//! transactions that change a certificate row before counting take it first
//! ([`hold_counters`]), so they cannot deadlock on certificate rows either.

use sea_orm::TransactionSession as _;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
    TryInsertResult,
};
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::ProgressError;
use crate::entity::{consultant, day, holding, totals};

pub(crate) const TOTALS_ID: i32 = 1;

/// Expired holdings removed per sweep transaction.
const SWEEP_BATCH: u64 = 500;

/// Whether a certificate counts as newly earned that day, or replaces one already earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuance {
    /// Earned by passing (first certification or recertification).
    Earned,
    /// Reissued in place of a current certificate (a corrected name): not a new certification.
    Reissue,
}

/// A certificate that has just been issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedCertificate {
    pub certificate_id: Uuid,
    pub account_id: Uuid,
    pub track_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub issuance: Issuance,
}

/// The headline numbers, read in O(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Headline {
    /// Consultants holding at least one active certificate.
    pub certified: i64,
    /// Consultants ever issued a certificate.
    pub ever_certified: i64,
    /// Moves on every change of the counters.
    pub version: i64,
}

/// What one day changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayCounts {
    /// Net change of the certified count.
    pub certified_delta: i64,
    /// Consultants certified for the first time.
    pub newly_certified: i64,
    /// Certificates earned (reissues excluded).
    pub certifications: i64,
}

impl DayCounts {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The UTC day an instant falls on: the unit of the daily series.
pub fn utc_day(at: OffsetDateTime) -> Date {
    at.to_offset(UtcOffset::UTC).date()
}

pub(crate) fn day_key(day: Date) -> String {
    day.to_string()
}

pub async fn headline(db: &impl ConnectionTrait) -> Result<Headline, ProgressError> {
    let row = totals::Entity::find_by_id(TOTALS_ID)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the progress totals row is missing"))?;
    Ok(Headline {
        certified: row.certified,
        ever_certified: row.ever_certified,
        version: row.version,
    })
}

/// Counts a certificate issued at `now`. Runs in the issuing transaction.
pub async fn certificate_issued(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    issued: IssuedCertificate,
) -> Result<(), ProgressError> {
    lock_totals(db).await?;
    expire_due(db, now, Some(issued.account_id), None).await?;
    let mut counts = DayCounts::default();
    let mut ever_certified = 0;
    if first_certification(db, issued.account_id, now).await? {
        ever_certified = 1;
        counts.newly_certified = 1;
    }
    if issued.issuance == Issuance::Earned {
        counts.certifications = 1;
    }
    if issued.expires_at > now {
        holding::Entity::insert(holding::ActiveModel {
            certificate_id: Set(issued.certificate_id),
            account_id: Set(issued.account_id),
            track_id: Set(issued.track_id),
            expires_unix: Set(issued.expires_at.unix_timestamp()),
        })
        .exec_without_returning(db)
        .await?;
        if add_holdings(db, issued.account_id, 1).await? == 1 {
            counts.certified_delta = 1;
        }
    }
    add_to_totals(db, counts.certified_delta, ever_certified).await?;
    add_to_day(db, utc_day(now), counts).await
}

/// Stops counting a certificate revoked or superseded at `now`. Runs in that change's
/// transaction; a certificate no longer counted (expired, already ended) changes nothing.
pub async fn certificate_ended(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    certificate_id: Uuid,
) -> Result<(), ProgressError> {
    lock_totals(db).await?;
    let Some(held) = holding::Entity::find_by_id(certificate_id).one(db).await? else {
        return Ok(());
    };
    // If it expired before it ended, the expiry is what is counted, on its own day.
    expire_due(db, now, Some(held.account_id), None).await?;
    remove_holding(db, &held, now).await?;
    Ok(())
}

/// Applies every expiry due by `now`, oldest first, in batches of their own transactions.
/// Returns how many certificates expired. Cheap when nothing is due: one indexed read.
pub async fn sweep_expired<C>(db: &C, now: OffsetDateTime) -> Result<usize, ProgressError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let mut swept = 0;
    while any_due(db, now).await? {
        let txn = certify_core::begin_write(db).await?;
        lock_totals(&txn).await?;
        let expired = expire_due(&txn, now, None, Some(SWEEP_BATCH)).await?;
        txn.commit().await?;
        swept += expired;
        if expired == 0 {
            break;
        }
    }
    Ok(swept)
}

/// Applies every expiry due by `now` in the caller's transaction (which holds the totals lock).
pub(crate) async fn expire_all_due(db: &impl ConnectionTrait, now: OffsetDateTime) -> Result<usize, ProgressError> {
    lock_totals(db).await?;
    expire_due(db, now, None, None).await
}

async fn any_due(db: &impl ConnectionTrait, now: OffsetDateTime) -> Result<bool, ProgressError> {
    Ok(holding::Entity::find()
        .filter(holding::Column::ExpiresUnix.lte(now.unix_timestamp()))
        .one(db)
        .await?
        .is_some())
}

/// Holds the counters' lock until the caller's transaction ends. A transaction that changes
/// certificates takes it before touching any certificate row, so that it and an issuance (which
/// takes it before superseding) cannot deadlock.
pub async fn hold_counters(db: &impl ConnectionTrait) -> Result<(), ProgressError> {
    lock_totals(db).await
}

/// Takes the totals row's lock (PostgreSQL) and marks a change.
pub(crate) async fn lock_totals(db: &impl ConnectionTrait) -> Result<(), ProgressError> {
    let updated = totals::Entity::update_many()
        .col_expr(totals::Column::Version, Expr::col(totals::Column::Version).add(1))
        .filter(totals::Column::Id.eq(TOTALS_ID))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(anyhow::anyhow!("the progress totals row is missing").into());
    }
    Ok(())
}

async fn expire_due(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    account_id: Option<Uuid>,
    limit: Option<u64>,
) -> Result<usize, ProgressError> {
    let mut due = holding::Entity::find().filter(holding::Column::ExpiresUnix.lte(now.unix_timestamp()));
    if let Some(account_id) = account_id {
        due = due.filter(holding::Column::AccountId.eq(account_id));
    }
    let due = due
        .order_by_asc(holding::Column::ExpiresUnix)
        .order_by_asc(holding::Column::CertificateId)
        .limit(limit)
        .all(db)
        .await?;
    let mut expired = 0;
    for held in &due {
        let at = OffsetDateTime::from_unix_timestamp(held.expires_unix).map_err(anyhow::Error::new)?;
        if remove_holding(db, held, at).await? {
            expired += 1;
        }
    }
    Ok(expired)
}

/// Removes a holding that ended at `at`; false if another transaction removed it first.
async fn remove_holding(
    db: &impl ConnectionTrait,
    held: &holding::Model,
    at: OffsetDateTime,
) -> Result<bool, ProgressError> {
    let deleted = holding::Entity::delete_by_id(held.certificate_id).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Ok(false);
    }
    if add_holdings(db, held.account_id, -1).await? == 0 {
        add_to_totals(db, -1, 0).await?;
        let counts = DayCounts {
            certified_delta: -1,
            ..DayCounts::default()
        };
        add_to_day(db, utc_day(at), counts).await?;
    }
    Ok(true)
}

/// Records the consultant as certified from `now`; true if they never were before.
async fn first_certification(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, ProgressError> {
    let inserted = consultant::Entity::insert(consultant::ActiveModel {
        account_id: Set(account_id),
        active_certificates: Set(0),
        first_certified_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(rows) if rows > 0))
}

/// Adds `delta` to the consultant's holdings and returns how many they hold now.
async fn add_holdings(db: &impl ConnectionTrait, account_id: Uuid, delta: i32) -> Result<i32, ProgressError> {
    consultant::Entity::update_many()
        .col_expr(
            consultant::Column::ActiveCertificates,
            Expr::col(consultant::Column::ActiveCertificates).add(delta),
        )
        .filter(consultant::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    let row = consultant::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("progress lost track of consultant {account_id}"))?;
    Ok(row.active_certificates)
}

async fn add_to_totals(db: &impl ConnectionTrait, certified: i64, ever_certified: i64) -> Result<(), ProgressError> {
    if certified == 0 && ever_certified == 0 {
        return Ok(());
    }
    totals::Entity::update_many()
        .col_expr(
            totals::Column::Certified,
            Expr::col(totals::Column::Certified).add(certified),
        )
        .col_expr(
            totals::Column::EverCertified,
            Expr::col(totals::Column::EverCertified).add(ever_certified),
        )
        .filter(totals::Column::Id.eq(TOTALS_ID))
        .exec(db)
        .await?;
    Ok(())
}

async fn add_to_day(db: &impl ConnectionTrait, on: Date, counts: DayCounts) -> Result<(), ProgressError> {
    if counts.is_empty() {
        return Ok(());
    }
    let key = day_key(on);
    day::Entity::insert(day::ActiveModel {
        day: Set(key.clone()),
        certified_delta: Set(0),
        newly_certified: Set(0),
        certifications: Set(0),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    day::Entity::update_many()
        .col_expr(
            day::Column::CertifiedDelta,
            Expr::col(day::Column::CertifiedDelta).add(counts.certified_delta),
        )
        .col_expr(
            day::Column::NewlyCertified,
            Expr::col(day::Column::NewlyCertified).add(counts.newly_certified),
        )
        .col_expr(
            day::Column::Certifications,
            Expr::col(day::Column::Certifications).add(counts.certifications),
        )
        .filter(day::Column::Day.eq(key))
        .exec(db)
        .await?;
    Ok(())
}
