//! Staff exports of certificates: a filtered scan in issue order, a page at a time, so an export
//! of the whole programme never holds more than one page in memory.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entity::certificate;
use crate::error::CertificateError;
use crate::store::{Certificate, Standing, certificate_from};

/// Where a certificate stands, without the particulars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingKind {
    Valid,
    Expired,
    Revoked,
    Superseded,
}

impl StandingKind {
    pub fn of(standing: &Standing) -> Self {
        match standing {
            Standing::Valid => Self::Valid,
            Standing::Expired => Self::Expired,
            Standing::Revoked { .. } => Self::Revoked,
            Standing::Superseded { .. } => Self::Superseded,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Superseded => "superseded",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Valid, Self::Expired, Self::Revoked, Self::Superseded]
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// Which certificates an export holds; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    pub track_id: Option<Uuid>,
    /// The holder's firm when the certificate was issued.
    pub firm_id: Option<Uuid>,
    pub standing: Option<StandingKind>,
    /// Issued on or after this day (UTC).
    pub issued_from: Option<Date>,
    /// Issued on or before this day (UTC).
    pub issued_until: Option<Date>,
}

impl ExportFilter {
    /// Standing and dates are decided here rather than in SQL: standing depends on the clock, and
    /// SQLite keeps instants as text that does not compare reliably.
    fn admits(&self, certificate: &Certificate, now: OffsetDateTime) -> bool {
        let issued = certificate.issued_at.date();
        self.standing
            .is_none_or(|kind| StandingKind::of(&certificate.standing_at(now)) == kind)
            && self.issued_from.is_none_or(|from| issued >= from)
            && self.issued_until.is_none_or(|until| issued <= until)
    }
}

/// One page of an export.
#[derive(Debug)]
pub struct ExportPage {
    pub certificates: Vec<Certificate>,
    /// Where the next page starts; `None` when the scan is complete.
    pub next: Option<Uuid>,
}

/// Scans up to `scan` certificates after `after` (in issue order) and returns those the filter
/// admits.
pub async fn export_page(
    db: &impl ConnectionTrait,
    filter: &ExportFilter,
    now: OffsetDateTime,
    after: Option<Uuid>,
    scan: u64,
) -> Result<ExportPage, CertificateError> {
    let mut query = certificate::Entity::find()
        .order_by_asc(certificate::Column::Id)
        .limit(scan);
    if let Some(after) = after {
        query = query.filter(certificate::Column::Id.gt(after));
    }
    if let Some(track_id) = filter.track_id {
        query = query.filter(certificate::Column::TrackId.eq(track_id));
    }
    if let Some(firm_id) = filter.firm_id {
        query = query.filter(certificate::Column::FirmIdAtIssuance.eq(firm_id));
    }
    let rows = query.all(db).await?;
    let next = match rows.last() {
        Some(last) if rows.len() as u64 == scan => Some(last.id),
        _ => None,
    };
    let mut certificates = Vec::with_capacity(rows.len());
    for row in rows {
        let certificate = certificate_from(row)?;
        if filter.admits(&certificate, now) {
            certificates.push(certificate);
        }
    }
    Ok(ExportPage { certificates, next })
}
