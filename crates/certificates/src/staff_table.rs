//! A firm's certified-staff table: every current member that matches a filter, in the order the
//! admin chose (by name, or soonest expiry first), in keyset pages that go both ways.
//!
//! The order depends on each member's certificates as of `now` (expiry is decided by the clock,
//! see [`crate::firm_view`]), so the matching members are read with their standings and sorted
//! here. A page starts strictly after (or ends strictly before) a [`StaffCursor`] — the sort key
//! of a row, not its position — so a page stays put while rows come and go before it.

use std::fmt;

use certify_firms::{Member, MemberQuery, members_after};
use sea_orm::ConnectionTrait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::CertificateError;
use crate::firm_view::{
    MemberStanding, StandingFilter, TrackStanding, TrackStatus, standings_in_firm, standings_of, tracks_in_firm,
};

/// The orders the table offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StaffOrder {
    /// By name, A to Z (then by account, so equal names keep one order).
    #[default]
    Name,
    /// The soonest-ending active certificate first; members without one last.
    ExpiringSoonest,
}

impl StaffOrder {
    pub const ALL: [StaffOrder; 2] = [Self::Name, Self::ExpiringSoonest];

    pub fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::ExpiringSoonest => "expiring",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|order| order.name() == name)
    }

    fn key_of(self, standing: &MemberStanding) -> SortKey {
        match self {
            Self::Name => name_key(&standing.member),
            Self::ExpiringSoonest => expiry_key(&standing.tracks),
        }
    }
}

fn name_key(member: &Member) -> SortKey {
    SortKey::Name(member.display_name.to_lowercase())
}

fn expiry_key(tracks: &[TrackStanding]) -> SortKey {
    SortKey::Expiry(soonest_expiry_of(tracks).map_or(i64::MAX, OffsetDateTime::unix_timestamp))
}

/// When the member's first active certificate ends, if they hold one.
pub fn soonest_active_expiry(standing: &MemberStanding) -> Option<OffsetDateTime> {
    soonest_expiry_of(&standing.tracks)
}

fn soonest_expiry_of(tracks: &[TrackStanding]) -> Option<OffsetDateTime> {
    tracks
        .iter()
        .filter(|track| track.status == TrackStatus::Active)
        .map(|track| track.expires_at)
        .min()
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Name(String),
    /// Unix seconds; `i64::MAX` for "no active certificate".
    Expiry(i64),
}

/// A row's place in one order: its sort key and account, written into links as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StaffCursor {
    key: SortKey,
    account_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a position in this table (follow the table's own links)")]
pub struct InvalidCursor;

impl StaffCursor {
    fn of(order: StaffOrder, standing: &MemberStanding) -> Self {
        Self {
            key: order.key_of(standing),
            account_id: standing.member.account_id,
        }
    }

    fn by_name(member: &Member) -> Self {
        Self {
            key: name_key(member),
            account_id: member.account_id,
        }
    }

    /// Reads a cursor written by [`fmt::Display`] for the same order.
    pub fn parse(order: StaffOrder, text: &str) -> Result<Self, InvalidCursor> {
        let (key, account) = text.rsplit_once('~').ok_or(InvalidCursor)?;
        let account_id = Uuid::parse_str(account).map_err(|_| InvalidCursor)?;
        let key = match (order, key.split_once(':')) {
            (StaffOrder::Name, Some(("n", name))) => SortKey::Name(name.to_owned()),
            (StaffOrder::ExpiringSoonest, Some(("e", seconds))) => {
                SortKey::Expiry(seconds.parse().map_err(|_| InvalidCursor)?)
            }
            _ => return Err(InvalidCursor),
        };
        Ok(Self { key, account_id })
    }
}

impl fmt::Display for StaffCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            SortKey::Name(name) => write!(f, "n:{name}~{}", self.account_id),
            SortKey::Expiry(seconds) => write!(f, "e:{seconds}~{}", self.account_id),
        }
    }
}

/// Which page of the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StaffPageAt {
    #[default]
    First,
    /// The rows strictly after this one ("next").
    After(StaffCursor),
    /// The rows strictly before this one ("previous").
    Before(StaffCursor),
}

/// One page of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPage<Row = MemberStanding> {
    pub rows: Vec<Row>,
    /// Members matching the filter, on every page.
    pub matching: usize,
    /// Where the previous page ends, if there is one.
    pub previous: Option<StaffCursor>,
    /// Where the next page starts, if there is one.
    pub next: Option<StaffCursor>,
}

impl<Row> StaffPage<Row> {
    /// The same page, with its rows read again more fully.
    fn with_rows<Fuller>(self, rows: Vec<Fuller>) -> StaffPage<Fuller> {
        StaffPage {
            rows,
            matching: self.matching,
            previous: self.previous,
            next: self.next,
        }
    }
}

/// Members read per round.
const SCAN: u64 = 5000;
/// Up to this many members, their certificates are asked for by account.
const FEW: usize = 500;

/// Every current member of `firm_id` that `query` admits, in account order.
async fn members_matching(
    db: &impl ConnectionTrait,
    firm_id: Uuid,
    query: &MemberQuery,
) -> Result<Vec<Member>, CertificateError> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map(|m: &Member| m.account_id);
        let members = members_after(db, firm_id, query, after, SCAN)
            .await
            .map_err(|err| CertificateError::Unexpected(err.into()))?;
        let exhausted = (members.len() as u64) < SCAN;
        all.extend(members);
        if exhausted {
            return Ok(all);
        }
    }
}

/// Every current member of `firm_id` that `filter` admits, with standings, in `order`.
pub async fn staff_in_order(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    filter: &StandingFilter,
    order: StaffOrder,
) -> Result<Vec<MemberStanding>, CertificateError> {
    let members = members_matching(db, firm_id, &filter.members).await?;
    // A search or a country leaves few members: ask for theirs; else for the whole firm's.
    let standings = if members.len() <= FEW {
        standings_of(db, now, members).await?
    } else {
        standings_in_firm(db, now, firm_id, members).await?
    };
    let mut all: Vec<MemberStanding> = standings.into_iter().filter(|s| filter.admits(s)).collect();
    all.sort_by_cached_key(|standing| StaffCursor::of(order, standing));
    Ok(all)
}

/// The page of the table at `at`, `size` rows long (at least one).
pub async fn staff_table(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    filter: &StandingFilter,
    order: StaffOrder,
    at: &StaffPageAt,
    size: usize,
) -> Result<StaffPage, CertificateError> {
    let size = size.max(1);
    if order == StaffOrder::Name && !filter.reads_standings() {
        // Neither the order nor the filter looks at certificates: sort the members alone and
        // read standings for the page's rows only.
        let mut members = members_matching(db, firm_id, &filter.members).await?;
        members.sort_by_cached_key(StaffCursor::by_name);
        let mut page = page_of(members, StaffCursor::by_name, at, size);
        let rows = standings_of(db, now, std::mem::take(&mut page.rows)).await?;
        return Ok(page.with_rows(rows));
    }
    if order == StaffOrder::ExpiringSoonest {
        return expiring_page(db, now, firm_id, filter, at, size).await;
    }
    let all = staff_in_order(db, now, firm_id, filter, order).await?;
    Ok(page_of(all, |s| StaffCursor::of(order, s), at, size))
}

/// The table soonest expiry first: the order needs only each member's certificates, so the
/// members themselves (names, e-mail addresses) are read for the page's rows alone.
async fn expiring_page(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    firm_id: Uuid,
    filter: &StandingFilter,
    at: &StaffPageAt,
    size: usize,
) -> Result<StaffPage, CertificateError> {
    let unexpected = |err: certify_firms::FirmError| CertificateError::Unexpected(err.into());
    let ids = certify_firms::member_ids(db, firm_id, &filter.members)
        .await
        .map_err(unexpected)?;
    let mut tracks = tracks_in_firm(db, now, firm_id).await?;
    let mut keyed: Vec<(StaffCursor, Vec<TrackStanding>)> = ids
        .into_iter()
        .map(|account_id| (account_id, tracks.remove(&account_id).unwrap_or_default()))
        .filter(|(_, tracks)| filter.admits_tracks(tracks))
        .map(|(account_id, tracks)| {
            let cursor = StaffCursor {
                key: expiry_key(&tracks),
                account_id,
            };
            (cursor, tracks)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut page = page_of(keyed, |(cursor, _)| cursor.clone(), at, size);
    let ids: Vec<Uuid> = page.rows.iter().map(|(cursor, _)| cursor.account_id).collect();
    let mut members: std::collections::HashMap<Uuid, Member> = certify_firms::members_among(db, firm_id, &ids)
        .await
        .map_err(unexpected)?
        .into_iter()
        .map(|member| (member.account_id, member))
        .collect();
    // A member who left since the first read is left out.
    let rows = std::mem::take(&mut page.rows)
        .into_iter()
        .filter_map(|(cursor, tracks)| {
            let member = members.remove(&cursor.account_id)?;
            Some(MemberStanding { member, tracks })
        })
        .collect();
    Ok(page.with_rows(rows))
}

/// The page at `at` of `all`, which is sorted by `cursor`.
fn page_of<Row>(all: Vec<Row>, cursor: impl Fn(&Row) -> StaffCursor, at: &StaffPageAt, size: usize) -> StaffPage<Row> {
    let cursors: Vec<StaffCursor> = all.iter().map(cursor).collect();
    let (start, end) = match at {
        StaffPageAt::First => (0, size.min(all.len())),
        StaffPageAt::After(cursor) => {
            let start = cursors.partition_point(|c| c <= cursor);
            (start, (start + size).min(all.len()))
        }
        StaffPageAt::Before(cursor) => {
            let end = cursors.partition_point(|c| c < cursor);
            // A previous page is always full, so going back to the start shows the first page.
            let start = end.saturating_sub(size);
            (start, (start + size).min(all.len()))
        }
    };
    let matching = all.len();
    StaffPage {
        previous: (start > 0).then(|| cursors[start].clone()),
        next: (end < matching).then(|| cursors[end - 1].clone()),
        rows: all.into_iter().skip(start).take(end - start).collect(),
        matching,
    }
}

#[cfg(test)]
mod tests {
    use certify_core::Email;
    use certify_firms::Member;
    use time::macros::datetime;

    use super::*;
    use crate::firm_view::TrackStanding;

    fn member(n: u128, name: &str, expiring: Option<OffsetDateTime>) -> MemberStanding {
        let account_id = Uuid::from_u128(n);
        MemberStanding {
            member: Member {
                account_id,
                email: Email::parse(&format!("m{n}@firm.example")).expect("present"),
                display_name: name.to_owned(),
                country: None,
                employee_id: None,
                joined_at: datetime!(2026-01-01 0:00 UTC),
            },
            tracks: expiring
                .map(|expires_at| TrackStanding {
                    track_id: Uuid::from_u128(1000),
                    achievement_name: "Track".to_owned(),
                    status: TrackStatus::Active,
                    certificate_id: Uuid::from_u128(2000 + n),
                    expires_at,
                })
                .into_iter()
                .collect(),
        }
    }

    fn names(page: &StaffPage) -> Vec<&str> {
        page.rows.iter().map(|r| r.member.display_name.as_str()).collect()
    }

    fn sample() -> Vec<MemberStanding> {
        vec![
            member(5, "eve", None),
            member(1, "Ada", Some(datetime!(2027-05-01 0:00 UTC))),
            member(3, "cy", Some(datetime!(2027-01-01 0:00 UTC))),
            member(2, "Bo", Some(datetime!(2027-03-01 0:00 UTC))),
            member(4, "Dee", None),
        ]
    }

    fn by(order: StaffOrder) -> impl Fn(&MemberStanding) -> StaffCursor {
        move |standing| StaffCursor::of(order, standing)
    }

    fn sorted(order: StaffOrder) -> Vec<MemberStanding> {
        let mut all = sample();
        all.sort_by_cached_key(|s| StaffCursor::of(order, s));
        all
    }

    #[test]
    fn pages_forward_and_back_by_name_ignoring_case() {
        let order = StaffOrder::Name;
        let first = page_of(sorted(order), by(order), &StaffPageAt::First, 2);
        assert_eq!(names(&first), ["Ada", "Bo"]);
        assert_eq!((first.matching, first.previous.is_none()), (5, true));
        let second = page_of(
            sorted(order),
            by(order),
            &StaffPageAt::After(first.next.expect("present")),
            2,
        );
        assert_eq!(names(&second), ["cy", "Dee"]);
        let third = page_of(
            sorted(order),
            by(order),
            &StaffPageAt::After(second.next.clone().expect("present")),
            2,
        );
        assert_eq!(names(&third), ["eve"]);
        assert!(third.next.is_none());
        let back = page_of(
            sorted(order),
            by(order),
            &StaffPageAt::Before(third.previous.expect("present")),
            2,
        );
        assert_eq!(names(&back), ["cy", "Dee"]);
        let start = page_of(
            sorted(order),
            by(order),
            &StaffPageAt::Before(back.previous.expect("present")),
            2,
        );
        assert_eq!(names(&start), ["Ada", "Bo"]);
        assert!(start.previous.is_none());
    }

    #[test]
    fn expiring_soonest_puts_members_without_an_active_certificate_last() {
        let order = StaffOrder::ExpiringSoonest;
        let all = page_of(sorted(order), by(order), &StaffPageAt::First, 10);
        assert_eq!(names(&all), ["cy", "Bo", "Ada", "Dee", "eve"]);
    }

    #[test]
    fn a_page_after_a_row_that_left_continues_where_it_was() {
        let order = StaffOrder::Name;
        let first = page_of(sorted(order), by(order), &StaffPageAt::First, 2);
        let cursor = first.next.expect("present");
        let without_bo: Vec<_> = sorted(order)
            .into_iter()
            .filter(|s| s.member.display_name != "Bo")
            .collect();
        let next = page_of(without_bo, by(order), &StaffPageAt::After(cursor), 2);
        assert_eq!(names(&next), ["cy", "Dee"]);
    }

    #[test]
    fn cursors_read_back_only_for_their_own_order() {
        let standing = member(7, "Zoë ~ Smith", Some(datetime!(2027-01-01 0:00 UTC)));
        for order in StaffOrder::ALL {
            let cursor = StaffCursor::of(order, &standing);
            assert_eq!(StaffCursor::parse(order, &cursor.to_string()), Ok(cursor.clone()));
        }
        let by_name = StaffCursor::of(StaffOrder::Name, &standing).to_string();
        assert_eq!(
            StaffCursor::parse(StaffOrder::ExpiringSoonest, &by_name),
            Err(InvalidCursor)
        );
        assert_eq!(StaffCursor::parse(StaffOrder::Name, "n:ada"), Err(InvalidCursor));
        assert_eq!(StaffCursor::parse(StaffOrder::Name, "x:ada~nope"), Err(InvalidCursor));
    }
}
