//! Checking a certificate without an account: by hash, by credential id, or from the credential
//! document itself. The answer lists every check performed with its result.
//!
//! What a stored certificate's checks establish once (its credential still hashes to its hash
//! and its proof verifies) never changes, so it is cached per instance ([`VerificationCache`]);
//! its standing (revocation, supersession) is kept fresh by the change feed, and expiry is
//! decided on every request from the clock.

use std::sync::Arc;

use certify_core::{Sha256Hex, rfc3339};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cache::VerificationCache;
use crate::error::CertificateError;
use crate::pdf::{self, PdfReadError};
use crate::store::{Certificate, Standing, find_by_credential_id, find_by_hash, get_certificate};
use crate::verified::VerifiedCertificate;
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
    /// Issued here and unaltered, standing as it says.
    Known(Standing),
    /// A PDF whose attached credential is genuine but whose page is not the one issued with it:
    /// someone changed what it shows. The verification still carries the genuine certificate,
    /// so that a reader learns what it really says.
    Altered,
    /// Not a certificate this issuer holds in this exact form.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub hash: Option<Sha256Hex>,
    pub verdict: Verdict,
    pub checks: Vec<Check>,
    /// What a verifier is told about the certificate; only for a genuine one.
    pub certificate: Option<Arc<VerifiedCertificate>>,
}

fn check(name: &'static str, passed: bool, detail: impl Into<String>) -> Check {
    Check {
        name,
        passed,
        detail: detail.into(),
    }
}

fn unknown(hash: Option<Sha256Hex>, checks: Vec<Check>) -> Verification {
    Verification {
        hash,
        verdict: Verdict::Unknown,
        checks,
        certificate: None,
    }
}

fn hash_known(hash: &Sha256Hex) -> Check {
    check(
        "hash_known",
        true,
        format!("hash {hash} matches a certificate issued here"),
    )
}

fn signature_passed(key_id: &str, suites: &str) -> Check {
    check(
        "signature",
        true,
        format!("{suites} signature valid under key {key_id}"),
    )
}

fn standing_checks(certificate: &VerifiedCertificate, now: OffsetDateTime) -> Vec<Check> {
    let mut checks = vec![match &certificate.revoked {
        Some((at, reason)) => check("not_revoked", false, format!("revoked on {}: {reason}", rfc3339(*at))),
        None => check("not_revoked", true, "not revoked"),
    }];
    checks.push(match &certificate.superseded {
        Some((by, _, _)) => check("not_superseded", false, format!("superseded by certificate {by}")),
        None => check(
            "not_superseded",
            true,
            "the holder's current certificate for this achievement",
        ),
    });
    checks.push(if now >= certificate.expires_at {
        check(
            "not_expired",
            false,
            format!("expired on {}", rfc3339(certificate.expires_at)),
        )
    } else {
        check(
            "not_expired",
            true,
            format!("valid until {}", rfc3339(certificate.expires_at)),
        )
    });
    checks
}

/// The answer for a genuine certificate at `now`.
fn conclude(hash: &Sha256Hex, certificate: Arc<VerifiedCertificate>, now: OffsetDateTime) -> Verification {
    let mut checks = vec![
        hash_known(hash),
        signature_passed(&certificate.key_id, &certificate.suites),
    ];
    checks.extend(standing_checks(&certificate, now));
    Verification {
        hash: Some(hash.clone()),
        verdict: Verdict::Known(certificate.standing_at(now)),
        checks,
        certificate: Some(certificate),
    }
}

/// Verifies the certificate with this hash, re-checking its stored credential (once per
/// instance: the outcome is cached until the certificate's standing changes).
pub async fn verify_hash(
    db: &impl ConnectionTrait,
    cache: &VerificationCache,
    now: OffsetDateTime,
    hash: &Sha256Hex,
) -> Result<Verification, CertificateError> {
    if let Some(certificate) = cache.get(hash) {
        return Ok(conclude(hash, certificate, now));
    }
    let epoch = cache.epoch();
    match find_by_hash(db, hash).await? {
        Some(certificate) => verify_stored(db, cache, epoch, now, certificate).await,
        None => Ok(unknown(
            Some(hash.clone()),
            vec![check(
                "hash_known",
                false,
                "no certificate with this hash was issued here",
            )],
        )),
    }
}

/// Verifies the certificate whose credential has this id, as [`verify_hash`] does.
pub async fn verify_credential_id(
    db: &impl ConnectionTrait,
    cache: &VerificationCache,
    now: OffsetDateTime,
    credential_id: Uuid,
) -> Result<Verification, CertificateError> {
    let epoch = cache.epoch();
    match find_by_credential_id(db, credential_id).await? {
        Some(certificate) => match cache.get(&certificate.hash) {
            Some(cached) => Ok(conclude(&certificate.hash, cached, now)),
            None => verify_stored(db, cache, epoch, now, certificate).await,
        },
        None => Ok(unknown(
            None,
            vec![check(
                "credential_known",
                false,
                format!("no certificate with credential id urn:uuid:{credential_id} was issued here"),
            )],
        )),
    }
}

/// The checks on a stored certificate: its credential must still hash to the hash it is filed
/// under, and its JSON proof must verify ([`proof::verify_json_proof`]: we signed it). A genuine one is cached, unless its standing changed since
/// `epoch` (when the row was about to be read).
async fn verify_stored(
    db: &impl ConnectionTrait,
    cache: &VerificationCache,
    epoch: u64,
    now: OffsetDateTime,
    certificate: Certificate,
) -> Result<Verification, CertificateError> {
    let recomputed = proof::credential_hash(&certificate.credential)?;
    if recomputed != certificate.hash {
        return Ok(unknown(
            Some(certificate.hash),
            vec![check(
                "hash_known",
                false,
                "the stored credential no longer matches its hash",
            )],
        ));
    }
    let keys = key_store::published_keys(db).await?;
    let signed = match proof::verify_json_proof(&certificate.credential, &keys) {
        Ok(signed) => signed,
        Err(failure) => {
            let checks = vec![hash_known(&recomputed), check("signature", false, failure.to_string())];
            return Ok(unknown(Some(recomputed), checks));
        }
    };
    let verified = Arc::new(verified(db, &certificate, signed).await?);
    cache.insert(certificate.hash.clone(), Arc::clone(&verified), epoch);
    Ok(conclude(&certificate.hash, verified, now))
}

async fn verified(
    db: &impl ConnectionTrait,
    certificate: &Certificate,
    signed: proof::Verified,
) -> Result<VerifiedCertificate, CertificateError> {
    let superseded = match certificate.superseded {
        Some((by, at)) => Some((by, get_certificate(db, by).await?.hash, at)),
        None => None,
    };
    Ok(VerifiedCertificate {
        id: certificate.id,
        credential_id: certificate.credential_id.clone(),
        holder_name: certificate.holder_name.clone(),
        achievement_name: certificate.achievement_name.clone(),
        issuer_name: certificate.credential["issuer"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        issued_at: certificate.issued_at,
        expires_at: certificate.expires_at,
        suites: signed.suites_named(),
        key_id: signed.key_id,
        revoked: certificate.revoked.clone(),
        superseded,
    })
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
    let keys = key_store::published_keys(db).await?;
    // Checking the RDF proof takes milliseconds of processor: off the async workers.
    let uploaded = document.clone();
    let signature = tokio::task::spawn_blocking(move || proof::verify(&uploaded, &keys))
        .await
        .map_err(|err| CertificateError::Unexpected(anyhow::anyhow!("checking proofs: {err}")))?;
    match (found, signature) {
        (Some(certificate), Ok(signed)) => {
            let certificate = Arc::new(verified(db, &certificate, signed).await?);
            Ok(conclude(&hash, certificate, now))
        }
        (found, signature) => {
            let hash_check = match found {
                Some(_) => hash_known(&hash),
                None => check(
                    "hash_known",
                    false,
                    format!(
                        "hash {hash} matches no certificate issued here: the credential was altered or not issued by us"
                    ),
                ),
            };
            let signature_check = match signature {
                Ok(signed) => signature_passed(&signed.key_id, &signed.suites_named()),
                Err(failure) => check("signature", false, failure.to_string()),
            };
            Ok(unknown(Some(hash), vec![hash_check, signature_check]))
        }
    }
}

/// Verifies a certificate PDF as a whole: its attached credential as [`verify_document`] does,
/// then the page a person reads. Rendering is deterministic and draws only on the credential, so
/// the page of a document as issued is exactly what rendering its credential again gives; a
/// genuine credential under any other page is [`Verdict::Altered`], whatever its standing. The
/// page is rendered only for a credential found genuine: what strangers upload is never laid out.
pub async fn verify_pdf(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    document: Vec<u8>,
) -> Result<Verification, CertificateError> {
    let document: Arc<[u8]> = document.into();
    let reading = Arc::clone(&document);
    let credential = tokio::task::spawn_blocking(move || pdf::extract_credential(&reading))
        .await
        .map_err(|_| PdfReadError::NotAPdf("its structure could not be read".to_owned()))??;
    let mut verification = verify_document(db, now, &credential).await?;
    if !matches!(verification.verdict, Verdict::Known(_)) {
        return Ok(verification);
    }
    let rendered = tokio::task::spawn_blocking(move || pdf::render_credential(&credential))
        .await
        .map_err(|err| anyhow::anyhow!("rendering a genuine credential panicked: {err}"))?
        .map_err(|err| anyhow::anyhow!("rendering a genuine credential: {err}"))?;
    let as_issued = rendered[..] == document[..];
    verification.checks.push(check(
        "document_as_issued",
        as_issued,
        if as_issued {
            "the PDF is byte for byte the document issued with this credential"
        } else {
            "the PDF differs from the document issued with this credential: what its page shows was changed"
        },
    ));
    if !as_issued {
        verification.verdict = Verdict::Altered;
    }
    Ok(verification)
}
