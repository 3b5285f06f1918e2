//! Recomputing every counter from the certificates themselves, to check the maintained ones
//! (`certify progress reconcile`) and to set them up on a database that already holds
//! certificates.
//!
//! [`recompute`] replays each consultant's certificates in time order: a certificate starts
//! counting when it was issued and stops at the first of its end (revocation, supersession) and
//! its expiry. At one instant, expiries come first, then starts, then ends — the order in which
//! [`crate::ledger`] applies them (a change first expires what is due; an issuance counts the new
//! certificate before superseding the old one).

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ProgressError;
use crate::entity::{consultant, day, holding, totals};
use crate::ledger::{DayCounts, Issuance, TOTALS_ID, day_key, expire_all_due, lock_totals, utc_day};

/// What the counters need to know of one stored certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateFact {
    pub certificate_id: Uuid,
    pub account_id: Uuid,
    pub track_id: Uuid,
    /// When it was issued (for a reissue, when it replaced its predecessor).
    pub started_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When it was revoked or superseded, if it was.
    pub ended_at: Option<OffsetDateTime>,
    pub issuance: Issuance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldingRow {
    pub account_id: Uuid,
    pub track_id: Uuid,
    pub expires_unix: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsultantRow {
    pub active_certificates: i32,
    pub first_certified_at: OffsetDateTime,
}

/// Every counter, as maintained or as recomputed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub certified: i64,
    pub ever_certified: i64,
    pub holdings: BTreeMap<Uuid, HoldingRow>,
    pub consultants: BTreeMap<Uuid, ConsultantRow>,
    /// Days with any change, by `YYYY-MM-DD`.
    pub days: BTreeMap<String, DayCounts>,
}

/// At one instant: expiries, then starts, then ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Expiry,
    Start,
    End,
}

/// The counters as they must be at `now`, from the certificates alone.
pub fn recompute(facts: &[CertificateFact], now: OffsetDateTime) -> Counters {
    let mut counters = Counters::default();
    let mut steps: BTreeMap<Uuid, Vec<(OffsetDateTime, Step)>> = BTreeMap::new();
    for fact in facts {
        let first = counters.consultants.entry(fact.account_id).or_insert(ConsultantRow {
            active_certificates: 0,
            first_certified_at: fact.started_at,
        });
        first.first_certified_at = first.first_certified_at.min(fact.started_at);
        if fact.issuance == Issuance::Earned {
            counters
                .days
                .entry(day_key(utc_day(fact.started_at)))
                .or_default()
                .certifications += 1;
        }
        if fact.expires_at <= fact.started_at {
            continue; // reissued after it had expired: never counted
        }
        let account_steps = steps.entry(fact.account_id).or_default();
        account_steps.push((fact.started_at, Step::Start));
        match fact.ended_at {
            Some(ended) if ended < fact.expires_at => account_steps.push((ended, Step::End)),
            _ if fact.expires_at <= now => account_steps.push((fact.expires_at, Step::Expiry)),
            _ => {
                counters.holdings.insert(
                    fact.certificate_id,
                    HoldingRow {
                        account_id: fact.account_id,
                        track_id: fact.track_id,
                        expires_unix: fact.expires_at.unix_timestamp(),
                    },
                );
            }
        }
    }
    counters.ever_certified = counters.consultants.len() as i64;
    for row in counters.consultants.values() {
        counters
            .days
            .entry(day_key(utc_day(row.first_certified_at)))
            .or_default()
            .newly_certified += 1;
    }
    for (account_id, mut account_steps) in steps {
        account_steps.sort();
        let mut active = 0;
        for (at, step) in account_steps {
            let before = active;
            active += if step == Step::Start { 1 } else { -1 };
            let delta = i64::from(active > 0) - i64::from(before > 0);
            if delta != 0 {
                counters.days.entry(day_key(utc_day(at))).or_default().certified_delta += delta;
            }
        }
        if let Some(row) = counters.consultants.get_mut(&account_id) {
            row.active_certificates = active;
        }
        counters.certified += i64::from(active > 0);
    }
    counters
}

/// The counters as stored.
pub async fn stored(db: &impl ConnectionTrait) -> Result<Counters, ProgressError> {
    let totals = totals::Entity::find_by_id(TOTALS_ID)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the progress totals row is missing"))?;
    let holdings = holding::Entity::find().all(db).await?;
    let consultants = consultant::Entity::find().all(db).await?;
    let days = day::Entity::find().all(db).await?;
    Ok(Counters {
        certified: totals.certified,
        ever_certified: totals.ever_certified,
        holdings: holdings
            .into_iter()
            .map(|h| {
                let row = HoldingRow {
                    account_id: h.account_id,
                    track_id: h.track_id,
                    expires_unix: h.expires_unix,
                };
                (h.certificate_id, row)
            })
            .collect(),
        consultants: consultants
            .into_iter()
            .map(|c| {
                let row = ConsultantRow {
                    active_certificates: c.active_certificates,
                    first_certified_at: c.first_certified_at,
                };
                (c.account_id, row)
            })
            .collect(),
        days: days
            .into_iter()
            .map(|d| {
                let counts = DayCounts {
                    certified_delta: d.certified_delta,
                    newly_certified: d.newly_certified,
                    certifications: d.certifications,
                };
                (d.day, counts)
            })
            .collect(),
    })
}

/// Each way `stored` differs from `expected`, one line each.
pub fn differences(expected: &Counters, stored: &Counters) -> Vec<String> {
    let mut found = Vec::new();
    for (name, want, have) in [
        ("certified consultants", expected.certified, stored.certified),
        ("ever certified", expected.ever_certified, stored.ever_certified),
    ] {
        if want != have {
            found.push(format!("{name}: recomputed {want}, stored {have}"));
        }
    }
    differ(
        &mut found,
        "holding of certificate",
        &expected.holdings,
        &stored.holdings,
    );
    differ(&mut found, "consultant", &expected.consultants, &stored.consultants);
    let nonempty = |days: &BTreeMap<String, DayCounts>| -> BTreeMap<String, DayCounts> {
        days.iter()
            .filter(|(_, counts)| !counts.is_empty())
            .map(|(day, counts)| (day.clone(), *counts))
            .collect()
    };
    differ(&mut found, "day", &nonempty(&expected.days), &nonempty(&stored.days));
    found
}

fn differ<K: Ord + std::fmt::Display, V: PartialEq + std::fmt::Debug>(
    found: &mut Vec<String>,
    what: &str,
    expected: &BTreeMap<K, V>,
    stored: &BTreeMap<K, V>,
) {
    for (key, want) in expected {
        match stored.get(key) {
            Some(have) if have == want => {}
            Some(have) => found.push(format!("{what} {key}: recomputed {want:?}, stored {have:?}")),
            None => found.push(format!("{what} {key}: recomputed {want:?}, missing from storage")),
        }
    }
    for (key, have) in stored {
        if !expected.contains_key(key) {
            found.push(format!("{what} {key}: stored {have:?}, not recomputed"));
        }
    }
}

/// Where the facts come from: the certificates crate reads them from its tables, inside the
/// transaction that holds the counters still.
#[async_trait::async_trait]
pub trait CertificateFacts: Send + Sync {
    async fn facts(&self, txn: &DatabaseTransaction) -> anyhow::Result<Vec<CertificateFact>>;
}

/// Recomputes the counters from the certificates as of `now` and reports how the stored ones
/// differ; with `repair`, replaces them. One transaction, which holds back every change of the
/// counters meanwhile.
pub async fn reconcile_progress<C>(
    db: &C,
    now: OffsetDateTime,
    repair: bool,
    source: &dyn CertificateFacts,
) -> Result<Reconciliation, ProgressError>
where
    C: TransactionTrait<Transaction = DatabaseTransaction>,
{
    let txn = certify_core::begin_write(db).await?;
    // Takes the totals row, which every change of the counters waits for until this commits.
    expire_all_due(&txn, now).await?;
    let facts = source.facts(&txn).await?;
    let outcome = reconcile(&txn, now, &facts, repair).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// Computes the counters from the certificates already stored, once per database (the first
/// start after the counters were added); instances starting together wait on the totals row for
/// the one that does it. True if this call did it.
pub async fn initialise_progress<C>(
    db: &C,
    now: OffsetDateTime,
    source: &dyn CertificateFacts,
) -> Result<bool, ProgressError>
where
    C: TransactionTrait<Transaction = DatabaseTransaction>,
{
    let txn = certify_core::begin_write(db).await?;
    let claimed = claim_initialisation(&txn).await?;
    if claimed {
        let facts = source.facts(&txn).await?;
        replace(&txn, &recompute(&facts, now)).await?;
    }
    txn.commit().await?;
    Ok(claimed)
}

/// What a reconciliation found, and whether it wrote the recomputed counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub counters: Counters,
    pub differences: Vec<String>,
    pub repaired: bool,
}

/// Compares the stored counters with ones recomputed from `facts` at `now`, and with `repair`
/// replaces them when they differ.
async fn reconcile(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    facts: &[CertificateFact],
    repair: bool,
) -> Result<Reconciliation, ProgressError> {
    let expected = recompute(facts, now);
    let differences = differences(&expected, &stored(db).await?);
    let repaired = repair && !differences.is_empty();
    if repaired {
        replace(db, &expected).await?;
    }
    Ok(Reconciliation {
        counters: expected,
        differences,
        repaired,
    })
}

/// Claims the first computation of the counters: true for exactly one caller.
async fn claim_initialisation(db: &impl ConnectionTrait) -> Result<bool, ProgressError> {
    let claimed = totals::Entity::update_many()
        .col_expr(totals::Column::Initialised, Expr::value(true))
        .filter(totals::Column::Id.eq(TOTALS_ID))
        .filter(totals::Column::Initialised.eq(false))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Rows written per statement when replacing the counters.
const CHUNK: usize = 1000;

async fn insert_in_chunks<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), ProgressError>
where
    A: ActiveModelTrait + Clone + Send,
{
    for chunk in rows.chunks(CHUNK) {
        A::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Replaces every stored counter with `counters`.
async fn replace(db: &impl ConnectionTrait, counters: &Counters) -> Result<(), ProgressError> {
    lock_totals(db).await?;
    holding::Entity::delete_many().exec(db).await?;
    consultant::Entity::delete_many().exec(db).await?;
    day::Entity::delete_many().exec(db).await?;
    let holdings: Vec<_> = counters
        .holdings
        .iter()
        .map(|(id, h)| holding::ActiveModel {
            certificate_id: Set(*id),
            account_id: Set(h.account_id),
            track_id: Set(h.track_id),
            expires_unix: Set(h.expires_unix),
        })
        .collect();
    insert_in_chunks(db, holdings).await?;
    let consultants: Vec<_> = counters
        .consultants
        .iter()
        .map(|(id, c)| consultant::ActiveModel {
            account_id: Set(*id),
            active_certificates: Set(c.active_certificates),
            first_certified_at: Set(c.first_certified_at),
        })
        .collect();
    insert_in_chunks(db, consultants).await?;
    let days: Vec<_> = counters
        .days
        .iter()
        .filter(|(_, counts)| !counts.is_empty())
        .map(|(key, counts)| day::ActiveModel {
            day: Set(key.clone()),
            certified_delta: Set(counts.certified_delta),
            newly_certified: Set(counts.newly_certified),
            certifications: Set(counts.certifications),
        })
        .collect();
    insert_in_chunks(db, days).await?;
    totals::Entity::update_many()
        .col_expr(totals::Column::Certified, Expr::value(counters.certified))
        .col_expr(totals::Column::EverCertified, Expr::value(counters.ever_certified))
        .col_expr(totals::Column::Initialised, Expr::value(true))
        .filter(totals::Column::Id.eq(TOTALS_ID))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn fact(
        account: u128,
        started: OffsetDateTime,
        expires: OffsetDateTime,
        ended: Option<OffsetDateTime>,
    ) -> CertificateFact {
        CertificateFact {
            certificate_id: Uuid::now_v7(),
            account_id: Uuid::from_u128(account),
            track_id: Uuid::from_u128(99),
            started_at: started,
            expires_at: expires,
            ended_at: ended,
            issuance: Issuance::Earned,
        }
    }

    #[test]
    fn a_consultant_counts_once_however_many_certificates_they_hold() {
        let now = datetime!(2026-12-01 12:00 UTC);
        let far = datetime!(2028-12-01 00:00 UTC);
        let counters = recompute(
            &[
                fact(1, datetime!(2026-11-01 09:00 UTC), far, None),
                fact(1, datetime!(2026-11-02 09:00 UTC), far, None),
                fact(2, datetime!(2026-11-02 10:00 UTC), far, None),
            ],
            now,
        );
        assert_eq!(counters.certified, 2);
        assert_eq!(counters.ever_certified, 2);
        assert_eq!(counters.holdings.len(), 3);
        assert_eq!(counters.days["2026-11-01"].certified_delta, 1);
        assert_eq!(counters.days["2026-11-02"].certified_delta, 1);
        assert_eq!(counters.days["2026-11-02"].certifications, 2);
    }

    #[test]
    fn expiry_and_revocation_are_dated_when_they_happened() {
        let now = datetime!(2026-12-01 12:00 UTC);
        let counters = recompute(
            &[
                fact(
                    1,
                    datetime!(2026-10-01 09:00 UTC),
                    datetime!(2026-11-15 09:00 UTC),
                    None,
                ),
                fact(
                    2,
                    datetime!(2026-10-01 09:00 UTC),
                    datetime!(2028-10-01 09:00 UTC),
                    Some(datetime!(2026-11-20 08:00 UTC)),
                ),
                // Revoked after it had expired: the expiry is what counted.
                fact(
                    3,
                    datetime!(2026-10-02 09:00 UTC),
                    datetime!(2026-11-16 09:00 UTC),
                    Some(datetime!(2026-11-30 08:00 UTC)),
                ),
            ],
            now,
        );
        assert_eq!(counters.certified, 0);
        assert_eq!(counters.ever_certified, 3);
        assert_eq!(counters.days["2026-11-15"].certified_delta, -1);
        assert_eq!(counters.days["2026-11-16"].certified_delta, -1);
        assert_eq!(counters.days["2026-11-20"].certified_delta, -1);
        assert!(!counters.days.contains_key("2026-11-30"));
    }

    #[test]
    fn a_supersession_at_the_instant_of_issuance_keeps_the_consultant_certified() {
        let at = datetime!(2026-11-20 09:00 UTC);
        let far = datetime!(2028-11-20 09:00 UTC);
        let mut renewed = fact(1, at, far, None);
        renewed.issuance = Issuance::Reissue;
        let counters = recompute(
            &[fact(1, datetime!(2026-11-01 09:00 UTC), far, Some(at)), renewed],
            datetime!(2026-12-01 00:00 UTC),
        );
        assert_eq!(counters.certified, 1);
        assert!(!counters.days.contains_key("2026-11-20"), "no dip, no certification");
        assert_eq!(counters.holdings.len(), 1);
    }

    #[test]
    fn differences_name_what_differs() {
        let now = datetime!(2026-12-01 12:00 UTC);
        let expected = recompute(
            &[fact(
                1,
                datetime!(2026-11-01 09:00 UTC),
                datetime!(2028-11-01 09:00 UTC),
                None,
            )],
            now,
        );
        assert!(differences(&expected, &expected).is_empty());
        let mut off = expected.clone();
        off.certified = 5;
        off.days.clear();
        let found = differences(&expected, &off);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("certified consultants: recomputed 1, stored 5"));
        assert!(found[1].starts_with("day 2026-11-01"));
    }
}
