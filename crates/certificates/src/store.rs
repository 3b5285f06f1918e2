//! Issuing certificates and following their lifecycle: revocation, supersession by a newer
//! certificate for the same achievement, expiry. Every change is recorded with who and when.

use anyhow::Context as _;
use certify_core::Sha256Hex;
use certify_progress::{Issuance, IssuedCertificate};
use sea_orm::TransactionSession as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::Value;
use time::{Date, Month, OffsetDateTime};
use uuid::Uuid;

use crate::changes::record_change;
use crate::credential::{self, CredentialContent};
use crate::entity::EventKind;
use crate::entity::{certificate, certificate_event};
pub use crate::error::CertificateError;
use crate::{key_store, proof};

/// Who issues, and for how long certificates hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerSettings {
    /// Where this deployment is reached; the issuer's id and verification links live under it.
    pub public_base_url: String,
    pub issuer_name: String,
}

impl IssuerSettings {
    pub fn issuer_id(&self) -> String {
        format!("{}/issuer", self.public_base_url)
    }

    pub fn verify_url(&self, hash: &Sha256Hex) -> String {
        format!("{}/verify/{hash}", self.public_base_url)
    }
}

/// Where a certificate stands at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Valid,
    Expired,
    Revoked { at: OffsetDateTime, reason: String },
    Superseded { by: Uuid, at: OffsetDateTime },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: Uuid,
    pub attempt_id: Option<Uuid>,
    pub credential_id: String,
    pub account_id: Uuid,
    pub track_id: Uuid,
    pub firm_id_at_issuance: Option<Uuid>,
    pub holder_name: String,
    pub achievement_name: String,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub hash: Sha256Hex,
    pub signing_key_id: String,
    pub credential: Value,
    pub revoked: Option<(OffsetDateTime, String)>,
    pub superseded: Option<(Uuid, OffsetDateTime)>,
}

impl Standing {
    /// Revocation first, then supersession, then expiry.
    pub fn of(
        revoked: Option<&(OffsetDateTime, String)>,
        superseded: Option<(Uuid, OffsetDateTime)>,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Self {
        if let Some((at, reason)) = revoked {
            return Self::Revoked {
                at: *at,
                reason: reason.clone(),
            };
        }
        if let Some((by, at)) = superseded {
            return Self::Superseded { by, at };
        }
        if now >= expires_at { Self::Expired } else { Self::Valid }
    }
}

impl Certificate {
    pub fn standing_at(&self, now: OffsetDateTime) -> Standing {
        Standing::of(self.revoked.as_ref(), self.superseded, self.expires_at, now)
    }
}

pub(crate) fn certificate_from(row: certificate::Model) -> Result<Certificate, CertificateError> {
    let credential: Value = serde_json::from_str(&row.credential).context("stored credential")?;
    Ok(Certificate {
        id: row.id,
        attempt_id: row.attempt_id,
        credential_id: credential["id"].as_str().unwrap_or_default().to_owned(),
        account_id: row.account_id,
        track_id: row.track_id,
        firm_id_at_issuance: row.firm_id_at_issuance,
        holder_name: row.holder_name,
        achievement_name: row.achievement_name,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        hash: Sha256Hex::parse(&row.hash).context("stored hash")?,
        signing_key_id: row.signing_key_id,
        credential,
        revoked: row.revoked_at.map(|at| (at, row.revocation_reason.unwrap_or_default())),
        superseded: row.superseded_by.zip(row.superseded_at),
    })
}

/// `months` calendar months after `at`, on the last day of the month when that day is missing
/// (31 January + 1 month = 28 or 29 February).
pub fn add_months(at: OffsetDateTime, months: u32) -> anyhow::Result<OffsetDateTime> {
    let total = i64::from(at.year()) * 12 + i64::from(u8::from(at.month())) - 1 + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).context("year out of range")?;
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).context("month")?).context("month")?;
    let day = at.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).context("date")?;
    Ok(at.replace_date(date))
}

/// What a pass needs to become a certificate.
/// What a certificate attests, as the catalogue describes it at issuance. The certificate keeps
/// its own copy: the catalogue may change later, the credential may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Achievement {
    pub track_id: Uuid,
    pub title: String,
    pub description: String,
    pub validity_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRequest {
    pub account_id: Uuid,
    pub achievement: Achievement,
    pub attempt_id: Option<Uuid>,
    /// When the pass happened, if before the issuance (an attempt finalised as of its deadline
    /// by a later request): the credential's dates start there, while the certificate is
    /// recorded, and counted, as of the issuance.
    pub earned_at: Option<OffsetDateTime>,
}

fn random_salt() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| anyhow::anyhow!("no randomness for a salt: {err}"))?;
    Ok(hex::encode(bytes))
}

/// Issues a signed certificate, superseding the holder's earlier certificates for the same
/// achievement. Runs in the caller's transaction: issuance and what caused it commit together.
pub async fn issue_certificate<C>(
    db: &C,
    now: OffsetDateTime,
    settings: &IssuerSettings,
    request: IssueRequest,
) -> Result<Certificate, CertificateError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let now = now.replace_nanosecond(0).context("whole seconds")?;
    let earned_at = match request.earned_at {
        Some(at) => at.replace_nanosecond(0).context("whole seconds")?.min(now),
        None => now,
    };
    let account = certify_accounts::find_account(db, request.account_id)
        .await
        .context("the holder")?;
    let track = request.achievement;
    let draft = Draft {
        account_id: request.account_id,
        track_id: track.track_id,
        attempt_id: request.attempt_id,
        firm_id: certify_firms::current_firm_of(db, request.account_id).await?,
        content: CredentialContent {
            credential_id: Uuid::new_v4(),
            issuer_id: settings.issuer_id(),
            issuer_name: settings.issuer_name.clone(),
            holder_name: account.display_name,
            holder_email: account.email.to_string(),
            salt: random_salt()?,
            achievement_id: format!("{}/achievements/{}", settings.public_base_url, track.track_id),
            criteria: format!(
                "Completed the required courses of the {} track and passed its proctored certification exam.",
                track.title
            ),
            achievement_name: track.title,
            achievement_description: track.description,
            valid_from: earned_at,
            valid_until: add_months(earned_at, track.validity_months)?,
        },
    };
    let earlier = certificate::Entity::find()
        .filter(certificate::Column::AccountId.eq(request.account_id))
        .filter(certificate::Column::TrackId.eq(draft.track_id))
        .filter(certificate::Column::SupersededBy.is_null())
        .all(db)
        .await?;
    let issued = sign_and_store(db, now, settings, draft, None).await?;
    for old in earlier {
        supersede(db, &certificate_from(old)?, issued.id, now, None, "recertified").await?;
    }
    Ok(issued)
}

/// Reissues a current certificate with the holder's name corrected. The new certificate keeps
/// the original dates and supersedes the old one; both changes are recorded against `actor_id`.
pub async fn correct_holder_name<C>(
    db: &C,
    now: OffsetDateTime,
    settings: &IssuerSettings,
    id: Uuid,
    actor_id: Uuid,
    holder_name: &str,
) -> Result<Certificate, CertificateError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let now = now.replace_nanosecond(0).context("whole seconds")?;
    let txn = certify_core::begin_write(db).await?;
    let db = &txn;
    hold_counters(db).await?;
    let old = get_certificate(db, id).await?;
    refuse_if_superseded(db, &old).await?;
    if old.revoked.is_some() {
        return Err(CertificateError::NotCurrent);
    }
    let account = certify_accounts::find_account(db, old.account_id)
        .await
        .context("the holder")?;
    let achievement = &old.credential["credentialSubject"]["achievement"];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let draft = Draft {
        account_id: old.account_id,
        track_id: old.track_id,
        attempt_id: old.attempt_id,
        firm_id: old.firm_id_at_issuance,
        content: CredentialContent {
            credential_id: Uuid::new_v4(),
            issuer_id: settings.issuer_id(),
            issuer_name: settings.issuer_name.clone(),
            holder_name: holder_name.to_owned(),
            holder_email: account.email.to_string(),
            salt: random_salt()?,
            achievement_id: text(&achievement["id"]),
            achievement_name: text(&achievement["name"]),
            achievement_description: text(&achievement["description"]),
            criteria: text(&achievement["criteria"]["narrative"]),
            valid_from: old.issued_at,
            valid_until: old.expires_at,
        },
    };
    let reissued = sign_and_store(
        db,
        now,
        settings,
        draft,
        Some(Reissue {
            actor_id,
            why: "reissued with a corrected holder name",
        }),
    )
    .await?;
    supersede(db, &old, reissued.id, now, Some(actor_id), "holder name corrected").await?;
    txn.commit().await?;
    Ok(reissued)
}

/// Who reissued a certificate in place of another, and why.
struct Reissue {
    actor_id: Uuid,
    why: &'static str,
}

/// Takes the programme counters' lock before any certificate row: every transaction that
/// changes certificates takes it first (issuance takes it before superseding), so two of them
/// cannot each hold what the other waits for.
async fn hold_counters(db: &impl ConnectionTrait) -> Result<(), CertificateError> {
    Ok(certify_progress::hold_counters(db).await?)
}

/// A certificate about to be signed.
struct Draft {
    account_id: Uuid,
    track_id: Uuid,
    attempt_id: Option<Uuid>,
    firm_id: Option<Uuid>,
    content: CredentialContent,
}

async fn sign_and_store<C>(
    db: &C,
    now: OffsetDateTime,
    settings: &IssuerSettings,
    draft: Draft,
    reissue: Option<Reissue>,
) -> Result<Certificate, CertificateError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let key = key_store::ensure_signing_key(db, now).await?;
    let unsigned = credential::build(&draft.content)?;
    let method = format!("{}#{}", settings.issuer_id(), key.id);
    let signed = proof::sign(&unsigned, &key.signing, &method, &credential::xml_datetime(now)?)?;
    let hash = proof::credential_hash(&signed)?;
    let id = Uuid::now_v7();
    let row = certificate::ActiveModel {
        id: Set(id),
        account_id: Set(draft.account_id),
        track_id: Set(draft.track_id),
        attempt_id: Set(draft.attempt_id),
        firm_id_at_issuance: Set(draft.firm_id),
        holder_name: Set(draft.content.holder_name),
        achievement_name: Set(draft.content.achievement_name),
        issued_at: Set(draft.content.valid_from),
        expires_at: Set(draft.content.valid_until),
        hash: Set(hash.to_string()),
        credential_id: Set(signed["id"].as_str().map(str::to_owned)),
        signing_key_id: Set(key.id),
        credential: Set(serde_json::to_string(&signed).context("serialising the credential")?),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        superseded_by: Set(None),
        superseded_at: Set(None),
    }
    .insert(db)
    .await?;
    let (kind, issuance, actor_id, detail) = match reissue {
        Some(reissue) => (
            EventKind::Reissued,
            Issuance::Reissue,
            Some(reissue.actor_id),
            Some(reissue.why.to_owned()),
        ),
        None => (EventKind::Issued, Issuance::Earned, None, None),
    };
    record(db, id, kind, actor_id, now, detail).await?;
    let issued = IssuedCertificate {
        certificate_id: id,
        account_id: row.account_id,
        track_id: row.track_id,
        expires_at: row.expires_at,
        issuance,
    };
    certify_progress::certificate_issued(db, now, issued).await?;
    certificate_from(row)
}

async fn supersede(
    db: &impl ConnectionTrait,
    old: &Certificate,
    new: Uuid,
    now: OffsetDateTime,
    actor_id: Option<Uuid>,
    why: &str,
) -> Result<(), CertificateError> {
    certificate::Entity::update_many()
        .col_expr(certificate::Column::SupersededBy, Expr::value(new))
        .col_expr(certificate::Column::SupersededAt, Expr::value(now))
        .filter(certificate::Column::Id.eq(old.id))
        .exec(db)
        .await?;
    record_change(db, old.id, &old.hash).await?;
    certify_progress::certificate_ended(db, now, old.id).await?;
    record(
        db,
        old.id,
        EventKind::Superseded,
        actor_id,
        now,
        Some(format!("{why}: superseded by certificate {new}")),
    )
    .await
}

async fn record(
    db: &impl ConnectionTrait,
    certificate_id: Uuid,
    kind: EventKind,
    actor_id: Option<Uuid>,
    at: OffsetDateTime,
    detail: Option<String>,
) -> Result<(), CertificateError> {
    certificate_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        certificate_id: Set(certificate_id),
        kind: Set(kind),
        actor_id: Set(actor_id),
        at: Set(at),
        detail: Set(detail),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn get_certificate(db: &impl ConnectionTrait, id: Uuid) -> Result<Certificate, CertificateError> {
    let row = certificate::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CertificateError::NotFound(id))?;
    certificate_from(row)
}

pub async fn find_by_hash(
    db: &impl ConnectionTrait,
    hash: &Sha256Hex,
) -> Result<Option<Certificate>, CertificateError> {
    let row = certificate::Entity::find()
        .filter(certificate::Column::Hash.eq(hash.as_str()))
        .one(db)
        .await?;
    row.map(certificate_from).transpose()
}

/// The certificate whose credential has this id (`urn:uuid:…`).
pub async fn find_by_credential_id(
    db: &impl ConnectionTrait,
    credential_id: Uuid,
) -> Result<Option<Certificate>, CertificateError> {
    let row = certificate::Entity::find()
        .filter(certificate::Column::CredentialId.eq(format!("urn:uuid:{credential_id}")))
        .one(db)
        .await?;
    row.map(certificate_from).transpose()
}

/// A holder's certificates, newest first.
pub async fn certificates_of(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<Certificate>, CertificateError> {
    let rows = certificate::Entity::find()
        .filter(certificate::Column::AccountId.eq(account_id))
        .order_by_desc(certificate::Column::Id)
        .all(db)
        .await?;
    rows.into_iter().map(certificate_from).collect()
}

/// Revokes a certificate for `reason`, recording who did it; all or nothing.
pub async fn revoke_certificate<C>(
    db: &C,
    now: OffsetDateTime,
    id: Uuid,
    actor_id: Uuid,
    reason: &str,
) -> Result<Certificate, CertificateError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await?;
    hold_counters(&txn).await?;
    let existing = get_certificate(&txn, id).await?;
    if existing.revoked.is_some() {
        return Err(CertificateError::AlreadyRevoked);
    }
    refuse_if_superseded(&txn, &existing).await?;
    certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(now))
        .col_expr(certificate::Column::RevocationReason, Expr::value(reason))
        .filter(certificate::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    record(
        &txn,
        id,
        EventKind::Revoked,
        Some(actor_id),
        now,
        Some(reason.to_owned()),
    )
    .await?;
    record_change(&txn, id, &existing.hash).await?;
    certify_progress::certificate_ended(&txn, now, id).await?;
    let revoked = get_certificate(&txn, id).await?;
    txn.commit().await?;
    Ok(revoked)
}

/// Fails with the lineage's current certificate when `certificate` was superseded.
async fn refuse_if_superseded(db: &impl ConnectionTrait, certificate: &Certificate) -> Result<(), CertificateError> {
    let mut next = certificate.superseded.map(|(by, _)| by);
    let mut current = None;
    // A lineage is a chain of name corrections; follow it to its end.
    while let Some(id) = next {
        current = Some(id);
        next = get_certificate(db, id).await?.superseded.map(|(by, _)| by);
    }
    match current {
        Some(current) => Err(CertificateError::Superseded { current }),
        None => Ok(()),
    }
}

/// One recorded change of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateEvent {
    pub kind: EventKind,
    pub actor_id: Option<Uuid>,
    pub at: OffsetDateTime,
    pub detail: Option<String>,
}

pub async fn history_of(db: &impl ConnectionTrait, id: Uuid) -> Result<Vec<CertificateEvent>, CertificateError> {
    let rows = certificate_event::Entity::find()
        .filter(certificate_event::Column::CertificateId.eq(id))
        .order_by_asc(certificate_event::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| CertificateEvent {
            kind: e.kind,
            actor_id: e.actor_id,
            at: e.at,
            detail: e.detail,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn months_are_calendar_months() -> anyhow::Result<()> {
        assert_eq!(
            add_months(datetime!(2026-11-22 09:00 UTC), 24)?,
            datetime!(2028-11-22 09:00 UTC)
        );
        assert_eq!(
            add_months(datetime!(2026-01-31 09:00 UTC), 1)?,
            datetime!(2026-02-28 09:00 UTC)
        );
        assert_eq!(
            add_months(datetime!(2027-01-31 09:00 UTC), 13)?,
            datetime!(2028-02-29 09:00 UTC)
        );
        assert_eq!(
            add_months(datetime!(2026-12-15 00:00 UTC), 1)?,
            datetime!(2027-01-15 00:00 UTC)
        );
        Ok(())
    }
}
