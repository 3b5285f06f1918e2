//! Checking a certificate without an account: by hash, by credential id, or from the credential
//! document itself. The answer lists every check performed with its result.

use certify_core::Sha256Hex;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use time::OffsetDateTime;

use crate::keys::PublishedKey;
use crate::store::{Certificate, CertificateError, Standing, find_by_hash};
use crate::{key_store, proof};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

/// The verdict on a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Issued here, unaltered, and in force.
    Known(Standing),
    /// Not a certificate this issuer holds in this exact form.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub hash: Option<Sha256Hex>,
    pub verdict: Verdict,
    pub checks: Vec<Check>,
    pub certificate: Option<Certificate>,
}

fn check(name: &'static str, passed: bool, detail: impl Into<String>) -> Check {
    Check {
        name,
        passed,
        detail: detail.into(),
    }
}

fn signature_check(document: &Value, keys: &[PublishedKey]) -> Check {
    match proof::verify(document, keys) {
        Ok(key_id) => check(
            "signature",
            true,
            format!("eddsa-jcs-2022 signature valid under key {key_id}"),
        ),
        Err(failure) => check("signature", false, failure.to_string()),
    }
}

fn standing_checks(certificate: &Certificate, now: OffsetDateTime) -> Vec<Check> {
    let mut checks = vec![match &certificate.revoked {
        Some((at, reason)) => check("not_revoked", false, format!("revoked on {at}: {reason}")),
        None => check("not_revoked", true, "not revoked"),
    }];
    checks.push(match certificate.superseded {
        Some((by, _)) => check("not_superseded", false, format!("superseded by certificate {by}")),
        None => check(
            "not_superseded",
            true,
            "the holder's current certificate for this achievement",
        ),
    });
    checks.push(if now >= certificate.expires_at {
        check("not_expired", false, format!("expired on {}", certificate.expires_at))
    } else {
        check("not_expired", true, format!("valid until {}", certificate.expires_at))
    });
    checks
}

/// Verifies the certificate with this hash, re-checking its stored credential.
pub async fn verify_hash(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    hash: &Sha256Hex,
) -> Result<Verification, CertificateError> {
    let Some(certificate) = find_by_hash(db, hash).await? else {
        return Ok(Verification {
            hash: Some(hash.clone()),
            verdict: Verdict::Unknown,
            checks: vec![check(
                "hash_known",
                false,
                "no certificate with this hash was issued here",
            )],
            certificate: None,
        });
    };
    let credential = certificate.credential.clone();
    // The stored credential must still hash to the hash it is filed under.
    let recomputed = proof::credential_hash(&credential)?;
    let found = Some(certificate).filter(|c| c.hash == recomputed);
    assess(db, now, &credential, recomputed, found).await
}

/// Verifies a credential document: its hash must name a certificate issued here, its proof must
/// verify under a published key, and that certificate must be in force.
pub async fn verify_document(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    document: &Value,
) -> Result<Verification, CertificateError> {
    let hash = proof::credential_hash(document)?;
    let found = find_by_hash(db, &hash).await?;
    assess(db, now, document, hash, found).await
}

/// The checks on `document`, whose hash is `hash` and which matches `found` if anything here.
async fn assess(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    document: &Value,
    hash: Sha256Hex,
    found: Option<Certificate>,
) -> Result<Verification, CertificateError> {
    let keys = key_store::published_keys(db).await?;
    let mut checks = vec![match &found {
        Some(_) => check(
            "hash_known",
            true,
            format!("hash {hash} matches a certificate issued here"),
        ),
        None => check(
            "hash_known",
            false,
            format!("hash {hash} matches no certificate issued here: the credential was altered or not issued by us"),
        ),
    }];
    let signature = signature_check(document, &keys);
    let signature_ok = signature.passed;
    checks.push(signature);
    let verdict = match &found {
        Some(certificate) if signature_ok => {
            checks.extend(standing_checks(certificate, now));
            Verdict::Known(certificate.standing_at(now))
        }
        _ => Verdict::Unknown,
    };
    Ok(Verification {
        hash: Some(hash),
        verdict,
        checks,
        certificate: found.filter(|_| signature_ok),
    })
}
