//! What a firm sees of its consultants' certificates: each member's status per track, the
//! active certified headcount, the partner tier with its forecast, and (for programme staff)
//! the tier distribution across firms.
//!
//! "Active" means issued, not revoked, not superseded and not expired at `now`. A certificate
//! stays with its holder when they move, so a firm counts its *current* members' certificates,
//! wherever they were earned. Expiry is decided here rather than in SQL: it depends on the clock,
//! and SQLite keeps instants as text that does not compare reliably.

use std::collections::{BTreeMap, HashMap, HashSet};

use certify_core::{Page, PageRequest};
use certify_firms::entity::membership;
use certify_firms::tiers::forecast;
use certify_firms::{Member, MemberQuery, Tier, TierForecast, TierThresholds, members_after};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait as _,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::certificate;
use crate::error::CertificateError;
use crate::store::{Certificate, certificate_from};

/// A consultant's standing on one track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackStatus {
    Active,
    Expired,
    Revoked,
    /// No certificate on this track.
    None,
}

impl TrackStatus {
    pub const ALL: [TrackStatus; 4] = [Self::Active, Self::Expired, Self::Revoked, Self::None];

    pub fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::None => "none",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.name() == name)
    }
}

/// The certificate that decides a member's status on a track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackStanding {
    pub track_id: Uuid,
    pub achievement_name: String,
    pub status: TrackStatus,
    pub certificate_id: Uuid,
    pub expires_at: OffsetDateTime,
}

/// A member with a standing for every track they hold a certificate on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStanding {
    pub member: Member,
    pub tracks: Vec<TrackStanding>,
}

impl MemberStanding {
    pub fn status_on(&self, track_id: Uuid) -> TrackStatus {
        status_on(&self.tracks, track_id)
    }
}

fn status_on(tracks: &[TrackStanding], track_id: Uuid) -> TrackStatus {
    tracks
        .iter()
        .find(|t| t.track_id == track_id)
        .map_or(TrackStatus::None, |t| t.status)
}

/// Narrows [`member_standings`]. `status` applies to `track` when one is given, else to any
/// track (`none` without a track: members with no certificate at all). `expiring_before` keeps
/// members with an active certificate (on `track`, if given) that ends before that moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandingFilter {
    pub members: MemberQuery,
    pub track_id: Option<Uuid>,
    pub status: Option<TrackStatus>,
    pub expiring_before: Option<OffsetDateTime>,
}

impl StandingFilter {
    /// Whether the filter looks at certificates at all, or only at members.
    pub(crate) fn reads_standings(&self) -> bool {
        self.track_id.is_some() || self.status.is_some() || self.expiring_before.is_some()
    }

    pub(crate) fn admits(&self, standing: &MemberStanding) -> bool {
        self.admits_tracks(&standing.tracks)
    }

    /// Whether a member with these standings passes.
    pub(crate) fn admits_tracks(&self, tracks: &[TrackStanding]) -> bool {
        self.admits_status(tracks) && self.admits_expiry(tracks)
    }

    fn admits_expiry(&self, tracks: &[TrackStanding]) -> bool {
        let Some(before) = self.expiring_before else {
            return true;
        };
        tracks.iter().any(|t| {
            t.status == TrackStatus::Active
                && t.expires_at < before
                && self.track_id.is_none_or(|track| track == t.track_id)
        })
    }

    fn admits_status(&self, tracks: &[TrackStanding]) -> bool {
        match (self.track_id, self.status) {
            (Some(track), Some(status)) => status_on(tracks, track) == status,
            (Some(track), None) => status_on(tracks, track) != TrackStatus::None,
            (None, Some(TrackStatus::None)) => tracks.is_empty(),
            (None, Some(status)) => tracks.iter().any(|t| t.status == status),
            (None, None) => true,
        }
    }
}

/// Members read per round while filling a page.
const SCAN: u64 = 500;

/// One page of a firm's members with their standings, in account order.
pub async fn member_standings(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    filter: &StandingFilter,
    page: PageRequest,
) -> Result<Page<MemberStanding>, CertificateError> {
    let wanted = usize::try_from(page.size.get()).unwrap_or(usize::MAX) + 1;
    let mut found = Vec::new();
    let mut after = page.after;
    loop {
        let members = members_after(db, firm_id, &filter.members, after, SCAN)
            .await
            .map_err(|err| CertificateError::Unexpected(err.into()))?;
        let exhausted = (members.len() as u64) < SCAN;
        for standing in standings_of(db, now, members).await? {
            after = Some(standing.member.account_id);
            if filter.admits(&standing) {
                found.push(standing);
                if found.len() == wanted {
                    return Ok(Page::from_overfetched(found, page, |s| s.member.account_id));
                }
            }
        }
        if exhausted {
            return Ok(Page::from_overfetched(found, page, |s| s.member.account_id));
        }
    }
}

/// `account_id` with their standings, if they are a current member of `firm_id`.
pub async fn member_standing(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    account_id: Uuid,
) -> Result<Option<MemberStanding>, CertificateError> {
    let member = certify_firms::current_member(db, firm_id, account_id)
        .await
        .map_err(|err| CertificateError::Unexpected(err.into()))?;
    Ok(standings_of(db, now, member.into_iter().collect()).await?.pop())
}

/// Attaches each member's per-track standing.
pub(crate) async fn standings_of(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    members: Vec<Member>,
) -> Result<Vec<MemberStanding>, CertificateError> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let rows = standing_rows()
        .filter(certificate::Column::AccountId.is_in(members.iter().map(|m| m.account_id)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(attach_standings(members, tracks_by_account(now, rows)))
}

/// Attaches the standings of `members`, every one a current member of `firm_id`, reading the
/// firm's certificates in one query rather than a query per batch of members.
pub(crate) async fn standings_in_firm(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    members: Vec<Member>,
) -> Result<Vec<MemberStanding>, CertificateError> {
    Ok(attach_standings(members, tracks_in_firm(db, now, firm_id).await?))
}

/// The standings of each current member of `firm_id` who holds a certificate, by account.
pub(crate) async fn tracks_in_firm(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
) -> Result<HashMap<Uuid, Vec<TrackStanding>>, CertificateError> {
    let rows = standing_rows()
        .join(JoinType::InnerJoin, certificate::Relation::CurrentMembership.def())
        .filter(membership::Column::LeftAt.is_null())
        .filter(membership::Column::FirmId.eq(firm_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(tracks_by_account(now, rows))
}

/// What a standing needs of a certificate, oldest first.
type StandingRow = (Uuid, Uuid, Uuid, String, OffsetDateTime, Option<OffsetDateTime>);

fn standing_rows() -> sea_orm::Select<certificate::Entity> {
    // Only the columns a standing needs, all in `idx_certificates_standing`: the credential
    // itself (kilobytes of JSON per row) is never read.
    certificate::Entity::find()
        .select_only()
        .column(certificate::Column::Id)
        .column(certificate::Column::AccountId)
        .column(certificate::Column::TrackId)
        .column(certificate::Column::AchievementName)
        .column(certificate::Column::ExpiresAt)
        .column(certificate::Column::RevokedAt)
        .filter(certificate::Column::SupersededBy.is_null())
        .order_by_asc(certificate::Column::Id)
}

/// Each member with the standings `by_account` holds for them (none if it holds none).
fn attach_standings(members: Vec<Member>, mut by_account: HashMap<Uuid, Vec<TrackStanding>>) -> Vec<MemberStanding> {
    members
        .into_iter()
        .map(|member| MemberStanding {
            tracks: by_account.remove(&member.account_id).unwrap_or_default(),
            member,
        })
        .collect()
}

/// Each account's standing per track (ordered by track), from its certificates oldest first.
fn tracks_by_account(now: OffsetDateTime, rows: Vec<StandingRow>) -> HashMap<Uuid, Vec<TrackStanding>> {
    let mut by_account: HashMap<Uuid, BTreeMap<Uuid, TrackStanding>> = HashMap::new();
    for (certificate_id, account_id, track_id, achievement_name, expires_at, revoked_at) in rows {
        // Superseded certificates are left out above; the rest as `Standing::of` decides.
        let status = match revoked_at {
            Some(_) => TrackStatus::Revoked,
            None if now >= expires_at => TrackStatus::Expired,
            None => TrackStatus::Active,
        };
        let standing = TrackStanding {
            track_id,
            achievement_name,
            status,
            certificate_id,
            expires_at,
        };
        let tracks = by_account.entry(account_id).or_default();
        // An active certificate decides; otherwise the newest one does (rows come oldest first).
        let keep_old = tracks
            .get(&standing.track_id)
            .is_some_and(|old| old.status == TrackStatus::Active && standing.status != TrackStatus::Active);
        if !keep_old {
            tracks.insert(standing.track_id, standing);
        }
    }
    by_account
        .into_iter()
        .map(|(account_id, tracks)| (account_id, tracks.into_values().collect()))
        .collect()
}

/// One active certificate of a current member of some firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveCertification {
    pub firm_id: Uuid,
    pub account_id: Uuid,
    pub track_id: Uuid,
    pub expires_at: OffsetDateTime,
}

/// Active certificates held by current members of the firms `firm_ids` (of every firm when
/// `None`).
pub async fn active_certifications(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_ids: Option<&[Uuid]>,
) -> Result<Vec<ActiveCertification>, CertificateError> {
    let mut query = certificate::Entity::find()
        .select_only()
        .column(membership::Column::FirmId)
        .column(certificate::Column::AccountId)
        .column(certificate::Column::TrackId)
        .column(certificate::Column::ExpiresAt)
        .join(JoinType::InnerJoin, certificate::Relation::CurrentMembership.def())
        .filter(membership::Column::LeftAt.is_null())
        .filter(certificate::Column::RevokedAt.is_null())
        .filter(certificate::Column::SupersededBy.is_null());
    if let Some(firm_ids) = firm_ids {
        query = query.filter(membership::Column::FirmId.is_in(firm_ids.iter().copied()));
    }
    let rows: Vec<(Uuid, Uuid, Uuid, OffsetDateTime)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, expires_at)| now < *expires_at)
        .map(|(firm_id, account_id, track_id, expires_at)| ActiveCertification {
            firm_id,
            account_id,
            track_id,
            expires_at,
        })
        .collect())
}

/// One certificate of a current member of a firm, as long as it counts: from its issue until
/// it expired, was revoked or was replaced (a replacement starts where it ends, so a corrected
/// name leaves no gap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSpan {
    pub account_id: Uuid,
    pub track_id: Uuid,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When it stopped counting early: revoked or replaced.
    pub ended_at: Option<OffsetDateTime>,
}

impl CertificateSpan {
    fn counts_at(&self, at: OffsetDateTime) -> bool {
        self.issued_at <= at && at < self.expires_at && self.ended_at.is_none_or(|ended| at < ended)
    }
}

/// Every certificate of `firm_id`'s current members, in one read of the standing index: what
/// the firm's home needs for its tier card and its history alike.
pub async fn certificate_spans(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
) -> Result<Vec<CertificateSpan>, CertificateError> {
    type Row = (
        Uuid,
        Uuid,
        OffsetDateTime,
        OffsetDateTime,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::AccountId)
        .column(certificate::Column::TrackId)
        .column(certificate::Column::IssuedAt)
        .column(certificate::Column::ExpiresAt)
        .column(certificate::Column::RevokedAt)
        .column(certificate::Column::SupersededAt)
        .join(JoinType::InnerJoin, certificate::Relation::CurrentMembership.def())
        .filter(membership::Column::LeftAt.is_null())
        .filter(membership::Column::FirmId.eq(firm_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(account_id, track_id, issued_at, expires_at, revoked, superseded)| CertificateSpan {
                account_id,
                track_id,
                issued_at,
                expires_at,
                ended_at: [revoked, superseded].into_iter().flatten().min(),
            },
        )
        .collect())
}

/// The spans that count at `now`, as active certifications of `firm_id`.
pub fn active_at(firm_id: Uuid, spans: &[CertificateSpan], now: OffsetDateTime) -> Vec<ActiveCertification> {
    spans
        .iter()
        .filter(|span| span.ended_at.is_none() && now < span.expires_at)
        .map(|span| ActiveCertification {
            firm_id,
            account_id: span.account_id,
            track_id: span.track_id,
            expires_at: span.expires_at,
        })
        .collect()
}

/// How many consultants held a certificate that counted at each of `moments` (in the order
/// given). It follows today's roster back in time: people who have left are not counted, people
/// who joined are counted with certificates earned before they joined.
pub fn headcount_history(spans: &[CertificateSpan], moments: &[OffsetDateTime]) -> Vec<u32> {
    moments
        .iter()
        .map(|at| {
            let holders: HashSet<Uuid> = spans
                .iter()
                .filter(|span| span.counts_at(*at))
                .map(|span| span.account_id)
                .collect();
            count(holders.len())
        })
        .collect()
}

/// A firm's active certified headcount, in all and per track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmSummary {
    pub active_consultants: u32,
    pub by_track: Vec<(Uuid, u32)>,
}

pub fn summarise(active: &[ActiveCertification]) -> FirmSummary {
    let consultants: HashSet<Uuid> = active.iter().map(|a| a.account_id).collect();
    let mut by_track: BTreeMap<Uuid, HashSet<Uuid>> = BTreeMap::new();
    for certification in active {
        by_track
            .entry(certification.track_id)
            .or_default()
            .insert(certification.account_id);
    }
    FirmSummary {
        active_consultants: count(consultants.len()),
        by_track: by_track
            .into_iter()
            .map(|(track, holders)| (track, count(holders.len())))
            .collect(),
    }
}

/// When each consultant stops being certified: the latest expiry among their active
/// certificates.
pub fn certified_until(active: &[ActiveCertification]) -> HashMap<Uuid, OffsetDateTime> {
    let mut until: HashMap<Uuid, OffsetDateTime> = HashMap::new();
    for certification in active {
        let latest = until
            .entry(certification.account_id)
            .or_insert(certification.expires_at);
        *latest = (*latest).max(certification.expires_at);
    }
    until
}

/// The tier and its forecast from one firm's active certifications.
pub fn tier_forecast(thresholds: &TierThresholds, active: &[ActiveCertification]) -> TierForecast {
    forecast(thresholds, certified_until(active).into_values().collect())
}

/// How many firms are in each tier; firms without active certificates are Registered.
pub fn tier_distribution(
    thresholds: &TierThresholds,
    firm_ids: &[Uuid],
    active: &[ActiveCertification],
) -> BTreeMap<Tier, u32> {
    let mut consultants: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for certification in active {
        consultants
            .entry(certification.firm_id)
            .or_default()
            .insert(certification.account_id);
    }
    thresholds.distribution(
        firm_ids
            .iter()
            .map(|firm_id| count(consultants.get(firm_id).map_or(0, HashSet::len))),
    )
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One page of the certificates held by `firm_id`'s current members, in issue order (by id), so
/// keyset paging stays stable while certificates are issued.
pub async fn firm_certificates(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    page: PageRequest,
) -> Result<Page<Certificate>, CertificateError> {
    let mut query = certificate::Entity::find()
        .join(JoinType::InnerJoin, certificate::Relation::CurrentMembership.def())
        .filter(membership::Column::LeftAt.is_null())
        .filter(membership::Column::FirmId.eq(firm_id))
        .order_by_asc(certificate::Column::Id)
        .limit(page.size.get() + 1);
    if let Some(after) = page.after {
        query = query.filter(certificate::Column::Id.gt(after));
    }
    let rows = query.all(db).await?;
    let certificates = rows.into_iter().map(certificate_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetched(certificates, page, |c| c.id))
}
