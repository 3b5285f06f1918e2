//! `certify verify`: checks a certificate PDF's or credential's hash and signature with no database. Keys come from a
//! JWK Set file (`--keys`) or from the issuing server (`--server`), which also reports whether
//! the certificate is still in force. Exit code 0 only when the certificate is valid.
//!
//! A PDF is also checked against what its signed credential says it must show: the page is
//! rendered again from the credential (rendering is deterministic and draws on nothing else) and
//! compared byte for byte. That needs no digest of the document in the signed data, which could
//! not be there: the credential is signed once, at issuance, and must verify on its own in any
//! wallet, while its PDF is drawn afresh at each download.

use std::path::Path;

use anyhow::{Context as _, bail};
use certify_certificates::keys::PublishedKey;
use certify_certificates::{pdf, proof};
use serde_json::Value;

/// What the command found, printed line by line.
#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<String>,
    pub valid: bool,
}

impl Report {
    fn check(&mut self, passed: bool, text: impl Into<String>) {
        self.lines
            .push(format!("{} {}", if passed { "ok  " } else { "FAIL" }, text.into()));
    }
}

/// What was given to check: a signed credential, and the PDF it came in if it came in one.
pub struct Upload {
    pub credential: Value,
    pub pdf: Option<Vec<u8>>,
}

/// Reads the signed credential from a certificate PDF (its `credential.json` attachment) or from
/// the credential JSON itself.
pub fn read_credential(path: &Path) -> anyhow::Result<Upload> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let upload = if bytes.starts_with(b"%PDF-") {
        Upload {
            credential: pdf::extract_credential(&bytes)
                .with_context(|| format!("{} holds no readable credential", path.display()))?,
            pdf: Some(bytes),
        }
    } else {
        Upload {
            credential: serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{} is neither a certificate PDF nor a credential JSON document",
                    path.display()
                )
            })?,
            pdf: None,
        }
    };
    if !upload.credential.is_object() || upload.credential.get("proof").is_none() {
        bail!("{} is not a signed credential (no proof)", path.display());
    }
    Ok(upload)
}

pub fn read_keys(path: &Path) -> anyhow::Result<Vec<PublishedKey>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let jwks: Value = serde_json::from_str(&text).with_context(|| format!("{} is not a JWK Set", path.display()))?;
    let keys = PublishedKey::from_jwks(&jwks);
    if keys.is_empty() {
        bail!("{} holds no Ed25519 keys", path.display());
    }
    Ok(keys)
}

/// Fetches the server's keys and its verdict on `hash`.
pub async fn from_server(server: &str, hash: &str) -> anyhow::Result<(Vec<PublishedKey>, Value)> {
    let base = server.trim_end_matches('/');
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .context("building an HTTP client")?;
    let jwks: Value = client
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| format!("cannot fetch {base}/.well-known/jwks.json"))?
        .json()
        .await
        .context("the server's JWK Set is not JSON")?;
    let verdict: Value = client
        .get(format!("{base}/api/v1/verify/{hash}"))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| format!("cannot ask {base} about the certificate"))?
        .json()
        .await
        .context("the server's verdict is not JSON")?;
    Ok((PublishedKey::from_jwks(&jwks), verdict))
}

/// Checks `upload` against `keys`, and against the server's `verdict` when there is one.
pub fn check(upload: &Upload, keys: &[PublishedKey], verdict: Option<&Value>) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let document = &upload.credential;
    let hash = proof::credential_hash(document)?;
    report.lines.push(format!("hash {hash}"));
    let signature_ok = match proof::verify(document, keys) {
        Ok(signed) => {
            report.check(
                true,
                format!("{} signature valid under key {}", signed.suites_named(), signed.key_id),
            );
            true
        }
        Err(failure) => {
            report.check(false, format!("signature: {failure}"));
            false
        }
    };
    let in_force = match verdict {
        None => {
            report
                .lines
                .push("(status not checked: pass --server to ask the issuer about revocation and expiry)".into());
            let until = document["validUntil"].as_str().unwrap_or_default();
            report
                .lines
                .push(format!("credential states it is valid until {until}"));
            true
        }
        Some(verdict) => {
            let status = verdict["status"].as_str().unwrap_or("unknown");
            report.check(status == "valid", format!("issuer reports status `{status}`"));
            for check in verdict["checks"].as_array().into_iter().flatten() {
                report.check(
                    check["passed"].as_bool().unwrap_or(false),
                    check["detail"].as_str().unwrap_or_default(),
                );
            }
            status == "valid"
        }
    };
    // Only a genuine credential is laid out: a forged one could ask for anything.
    let page_as_issued = match (&upload.pdf, signature_ok) {
        (Some(pdf), true) => {
            let as_issued = pdf::render_credential(document)? == *pdf;
            report.check(
                as_issued,
                if as_issued {
                    "the PDF is byte for byte the document issued with this credential"
                } else {
                    "the PDF's page is not the one issued with this credential: what it shows was changed"
                },
            );
            as_issued
        }
        _ => true,
    };
    report.valid = signature_ok && in_force && page_as_issued;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_from_an_unlisted_key_is_not_valid() -> anyhow::Result<()> {
        let key = certify_certificates::keys::generate()?;
        let document = serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1"});
        let signed = proof::sign(&document, &key, "https://x.example/issuer#k", "2026-01-01T00:00:00Z")?;
        let stranger = PublishedKey::new(certify_certificates::keys::generate()?.verifying_key());
        let upload = Upload {
            credential: signed,
            pdf: None,
        };
        assert!(!check(&upload, &[stranger], None)?.valid);
        let mut listed = PublishedKey::new(key.verifying_key());
        listed.id = "k".into();
        assert!(check(&upload, &[listed], None)?.valid);
        Ok(())
    }
}
