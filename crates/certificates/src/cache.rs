//! Each server instance keeps the outcome of verifying a stored certificate in memory, so that
//! a look-up by hash usually costs no database round trip and no signature check.
//!
//! A cached answer goes stale only when the certificate's standing changes (revocation,
//! supersession). Every such change is written, in the same transaction, to the
//! `certificate_changes` feed; every instance follows the feed ([`VerificationCache::follow_changes`],
//! polled a few times a second and right after its own changes) and drops what it names. So a
//! revocation reaches every cached copy on every instance that shares the database.
//!
//! If the feed cannot be read for a while, the cache is bypassed rather than trusted.
//!
//! Two races are closed: an answer read from the database just before a change commits is not
//! cached once the change has been applied (the epoch check), and a change whose sequence number
//! was taken before a later one's but committed after it is still seen (the look-back window).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use certify_core::Sha256Hex;
use moka::sync::Cache;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::certificate_change;
use crate::error::CertificateError;
use crate::verified::VerifiedCertificate;

/// Changes this far behind the newest one applied are read again, in case they committed late.
const LOOK_BACK: i64 = 256;

/// While the feed has not been read for this long, cached answers are not used: a revocation
/// might be missing from them. Entries need no time-to-live of their own; while the feed is read,
/// every stale one is dropped.
const FEED_STALE_AFTER: Duration = Duration::from_secs(10);

pub struct VerificationCache {
    entries: Cache<Sha256Hex, Arc<VerifiedCertificate>>,
    /// Bumped by every change applied; see [`VerificationCache::insert`].
    epoch: AtomicU64,
    feed: Mutex<FeedPosition>,
    /// Measures feed freshness; an operational clock, not the business one.
    started: Instant,
    /// Milliseconds after `started` of the last successful read of the feed; `u64::MAX` before it.
    last_followed_ms: AtomicU64,
}

impl std::fmt::Debug for VerificationCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationCache")
            .field("entries", &self.entries.entry_count())
            .finish_non_exhaustive()
    }
}

/// How far this instance has read the change feed.
#[derive(Debug, Default)]
struct FeedPosition {
    /// `None` until the first read, which starts at the end of the feed (the cache is empty).
    newest: Option<i64>,
    /// Changes applied within the look-back window, so they are not applied twice.
    applied: BTreeSet<i64>,
}

impl VerificationCache {
    /// A cache of at most `capacity` certificates (a few hundred bytes each).
    pub fn new(capacity: u64) -> Self {
        Self {
            entries: Cache::builder().max_capacity(capacity).build(),
            epoch: AtomicU64::new(0),
            feed: Mutex::new(FeedPosition::default()),
            started: Instant::now(),
            last_followed_ms: AtomicU64::new(u64::MAX),
        }
    }

    /// The cached answer, unless the feed has not been read lately (then the caller reads the
    /// database, which is always current).
    pub fn get(&self, hash: &Sha256Hex) -> Option<Arc<VerifiedCertificate>> {
        self.feed_is_fresh().then(|| self.entries.get(hash)).flatten()
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn feed_is_fresh(&self) -> bool {
        let last = self.last_followed_ms.load(Ordering::Acquire);
        last != u64::MAX && self.elapsed_ms().saturating_sub(last) <= FEED_STALE_AFTER.as_millis() as u64
    }

    fn mark_followed(&self) {
        self.last_followed_ms.store(self.elapsed_ms(), Ordering::Release);
    }

    /// The epoch to pass to [`VerificationCache::insert`]: read it before reading the database.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Caches an answer read from the database, unless a change was applied since `epoch`: the
    /// answer may predate it.
    pub fn insert(&self, hash: Sha256Hex, certificate: Arc<VerifiedCertificate>, epoch: u64) {
        if self.epoch() == epoch {
            self.entries.insert(hash, certificate);
        }
    }

    fn apply_change(&self, hash: &str) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Ok(hash) = Sha256Hex::parse(hash) {
            self.entries.invalidate(&hash);
        }
    }

    /// Reads the change feed and drops every cached answer a new change names. Returns how many
    /// changes were new.
    pub async fn follow_changes(&self, db: &impl ConnectionTrait) -> Result<usize, CertificateError> {
        let newest = self.feed.lock().unwrap_or_else(PoisonError::into_inner).newest;
        let Some(newest) = newest else {
            let end = certificate_change::Entity::find()
                .select_only()
                .column_as(certificate_change::Column::Seq.max(), "newest")
                .into_tuple::<Option<i64>>()
                .one(db)
                .await?
                .flatten()
                .unwrap_or(0);
            self.feed.lock().unwrap_or_else(PoisonError::into_inner).newest = Some(end);
            self.mark_followed();
            return Ok(0);
        };
        let changes = certificate_change::Entity::find()
            .filter(certificate_change::Column::Seq.gt(newest - LOOK_BACK))
            .order_by_asc(certificate_change::Column::Seq)
            .all(db)
            .await?;
        let mut feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
        let mut applied = 0;
        for change in changes {
            if feed.applied.insert(change.seq) {
                self.apply_change(&change.hash);
                applied += 1;
            }
            feed.newest = feed.newest.max(Some(change.seq));
        }
        let window_start = feed.newest.unwrap_or(0) - LOOK_BACK;
        feed.applied = feed.applied.split_off(&window_start);
        self.mark_followed();
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn answer() -> Arc<VerifiedCertificate> {
        Arc::new(VerifiedCertificate {
            id: uuid::Uuid::nil(),
            credential_id: "urn:uuid:00000000-0000-0000-0000-000000000000".to_owned(),
            holder_name: "Ada Okafor".to_owned(),
            achievement_name: "AI Deployment Consultant".to_owned(),
            issuer_name: "Certify".to_owned(),
            issued_at: datetime!(2026-11-22 09:00 UTC),
            expires_at: datetime!(2028-11-22 09:00 UTC),
            key_id: "z6Mk".to_owned(),
            suites: "eddsa-jcs-2022 and eddsa-rdfc-2022".to_owned(),
            revoked: None,
            superseded: None,
        })
    }

    #[test]
    fn answers_are_served_only_while_the_feed_is_followed() -> anyhow::Result<()> {
        let mut cache = VerificationCache::new(10);
        let hash = Sha256Hex::parse(&"ab".repeat(32))?;
        cache.insert(hash.clone(), answer(), cache.epoch());
        assert!(cache.get(&hash).is_none(), "never followed: nothing is trusted");
        cache.mark_followed();
        assert_eq!(cache.get(&hash), Some(answer()));

        // The last read of the feed was 20 s ago.
        cache.started = Instant::now()
            .checked_sub(Duration::from_secs(20))
            .ok_or_else(|| anyhow::anyhow!("uptime under 20 s"))?;
        cache.last_followed_ms.store(0, Ordering::Release);
        assert!(cache.get(&hash).is_none(), "a stale feed: the database answers");
        cache.mark_followed();
        assert!(cache.get(&hash).is_some());
        Ok(())
    }

    #[test]
    fn an_answer_read_before_a_change_is_not_cached() -> anyhow::Result<()> {
        let cache = VerificationCache::new(10);
        cache.mark_followed();
        let hash = Sha256Hex::parse(&"cd".repeat(32))?;
        let epoch = cache.epoch();
        cache.apply_change(hash.as_str());
        cache.insert(hash.clone(), answer(), epoch);
        assert!(cache.get(&hash).is_none());
        Ok(())
    }
}
