//! The certified count broken down by firm kind, firm, country or track.
//!
//! Firm, firm kind and country follow each consultant's *current* membership (the country their
//! firm's roster gives them, else the firm's own), so a move between firms moves the consultant
//! between groups at once; these are grouped at read time over the maintained tables (the
//! certified consultants and their holdings), never over the certificates.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use certify_courses::entity::track;
use certify_firms::entity::{firm, membership};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Func, JoinType, Order, Query, SelectStatement};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::ProgressError;
use crate::entity::{consultant, holding};
use crate::ledger::{Headline, headline};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    FirmKind,
    Firm,
    Country,
    Track,
}

impl Dimension {
    pub const ALL: [Self; 4] = [Self::FirmKind, Self::Firm, Self::Country, Self::Track];

    pub fn name(self) -> &'static str {
        match self {
            Self::FirmKind => "firm_kind",
            Self::Firm => "firm",
            Self::Country => "country",
            Self::Track => "track",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == raw)
    }
}

/// One group: its key (a firm or track id, a firm kind, a country code), a name for people, and
/// how many certified consultants it has. Consultants without a firm form the group whose key is
/// `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: Option<String>,
    pub label: Option<String>,
    pub certified: i64,
}

/// Every group with at least one certified consultant, largest first.
pub async fn breakdown(db: &impl ConnectionTrait, by: Dimension) -> Result<Vec<Group>, ProgressError> {
    let query = match by {
        Dimension::Track => by_track(),
        Dimension::Firm => by_membership(
            Expr::col((firm::Entity, firm::Column::Id)),
            Expr::col((firm::Entity, firm::Column::Name)),
        ),
        Dimension::FirmKind => by_membership(
            Expr::col((firm::Entity, firm::Column::Kind)),
            Expr::col((firm::Entity, firm::Column::Kind)),
        ),
        Dimension::Country => {
            let country = Func::coalesce([
                Expr::col((membership::Entity, membership::Column::Country)),
                Expr::col((firm::Entity, firm::Column::Country)),
            ]);
            by_membership(country.clone(), country)
        }
    };
    let rows = db.query_all(&query).await?;
    let keyed_by_id = matches!(by, Dimension::Firm | Dimension::Track);
    let mut groups = rows
        .iter()
        .map(|row| {
            let key = if keyed_by_id {
                row.try_get::<Option<Uuid>>("", "group_key")?.map(|id| id.to_string())
            } else {
                row.try_get::<Option<String>>("", "group_key")?
            };
            Ok(Group {
                key,
                label: row.try_get("", "group_label")?,
                certified: row.try_get("", "certified")?,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    groups.sort_by(|a, b| b.certified.cmp(&a.certified).then_with(|| a.label.cmp(&b.label)));
    Ok(groups)
}

/// How long a breakdown is served while the counters stand still: a roster move changes the
/// firm and country groups without moving the counters.
pub const BREAKDOWN_MAX_AGE: Duration = Duration::seconds(30);

/// How long a breakdown is served however the counters move: while certificates are issued
/// every second, recomputing for each would cost every viewer the whole grouping (about a
/// second at 300,000 consultants on SQLite).
pub const BREAKDOWN_MIN_AGE: Duration = Duration::seconds(5);

/// Each dimension's breakdown on this instance, computed at most once per change of the
/// counters (their version) and at most once per [`BREAKDOWN_MIN_AGE`], rather than once per
/// viewer: many staff can keep a dashboard open with live updates at the cost of one O(1) read
/// of the counters each. A breakdown lags the counters by at most [`BREAKDOWN_MIN_AGE`], and a
/// roster move by at most [`BREAKDOWN_MAX_AGE`].
#[derive(Debug, Default)]
pub struct BreakdownCache {
    entries: Mutex<HashMap<Dimension, Cached>>,
}

#[derive(Debug, Clone)]
struct Cached {
    version: i64,
    computed_at: OffsetDateTime,
    groups: Arc<Vec<Group>>,
}

impl BreakdownCache {
    /// The headline and the breakdown `by`, as of `now`.
    pub async fn breakdown(
        &self,
        db: &impl ConnectionTrait,
        now: OffsetDateTime,
        by: Dimension,
    ) -> Result<(Headline, Arc<Vec<Group>>), ProgressError> {
        let headline = headline(db).await?;
        if let Some(cached) = self.fresh(by, headline.version, now) {
            return Ok((headline, cached));
        }
        // Computed after the counters were read, so at least as new as the version it is filed
        // under; a change in between only costs one more computation.
        let groups = Arc::new(breakdown(db, by).await?);
        let cached = Cached {
            version: headline.version,
            computed_at: now,
            groups: groups.clone(),
        };
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(by, cached);
        Ok((headline, groups))
    }

    fn fresh(&self, by: Dimension, version: i64, now: OffsetDateTime) -> Option<Arc<Vec<Group>>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let cached = entries.get(&by)?;
        let age = now - cached.computed_at;
        let fresh = age < BREAKDOWN_MIN_AGE || (cached.version == version && age < BREAKDOWN_MAX_AGE);
        fresh.then(|| cached.groups.clone())
    }
}

/// Certified consultants grouped by what their current membership says.
fn by_membership(
    key: impl Into<sea_orm::sea_query::SimpleExpr>,
    label: impl Into<sea_orm::sea_query::SimpleExpr>,
) -> SelectStatement {
    let (key, label) = (key.into(), label.into());
    let consultants = consultant::Entity;
    Query::select()
        .expr_as(key.clone(), Alias::new("group_key"))
        .expr_as(label.clone(), Alias::new("group_label"))
        .expr_as(
            Expr::col((consultants, consultant::Column::AccountId)).count(),
            Alias::new("certified"),
        )
        .from(consultants)
        .join(
            JoinType::LeftJoin,
            membership::Entity,
            Expr::col((membership::Entity, membership::Column::AccountId))
                .equals((consultants, consultant::Column::AccountId))
                .and(Expr::col((membership::Entity, membership::Column::LeftAt)).is_null()),
        )
        .join(
            JoinType::LeftJoin,
            firm::Entity,
            Expr::col((firm::Entity, firm::Column::Id)).equals((membership::Entity, membership::Column::FirmId)),
        )
        .and_where(Expr::col((consultants, consultant::Column::ActiveCertificates)).gt(0))
        .add_group_by([key, label])
        .order_by(Alias::new("certified"), Order::Desc)
        .to_owned()
}

/// Consultants holding an active certificate of each track.
fn by_track() -> SelectStatement {
    let holdings = holding::Entity;
    let track_id = Expr::col((holdings, holding::Column::TrackId));
    let title = Expr::col((track::Entity, track::Column::Title));
    Query::select()
        .expr_as(track_id.clone(), Alias::new("group_key"))
        .expr_as(title.clone(), Alias::new("group_label"))
        .expr_as(
            Expr::col((holdings, holding::Column::AccountId)).count_distinct(),
            Alias::new("certified"),
        )
        .from(holdings)
        .join(
            JoinType::LeftJoin,
            track::Entity,
            Expr::col((track::Entity, track::Column::Id)).equals((holdings, holding::Column::TrackId)),
        )
        .add_group_by([track_id, title])
        .to_owned()
}
