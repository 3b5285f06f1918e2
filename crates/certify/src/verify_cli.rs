//! `certify verify`: checks a certificate PDF's or credential's hash and signature with no database. Keys come from a
//! JWK Set file (`--keys`) or from the issuing server (`--server`), which also reports whether
//! the certificate is still in force. Exit code 0 only when the certificate is valid.

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

/// Reads the signed credential from a certificate PDF (its `credential.json` attachment) or from
/// the credential JSON itself.
pub fn read_credential(path: &Path) -> anyhow::Result<Value> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let document: Value = if bytes.starts_with(b"%PDF-") {
        pdf::extract_credential(&bytes).with_context(|| format!("{} holds no readable credential", path.display()))?
    } else {
        serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is neither a certificate PDF nor a credential JSON document",
                path.display()
            )
        })?
    };
    if !document.is_object() || document.get("proof").is_none() {
        bail!("{} is not a signed credential (no proof)", path.display());
    }
    Ok(document)
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

/// Checks `document` against `keys`, and against the server's `verdict` when there is one.
pub fn check(document: &Value, keys: &[PublishedKey], verdict: Option<&Value>) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let hash = proof::credential_hash(document)?;
    report.lines.push(format!("hash {hash}"));
    let signature_ok = match proof::verify(document, keys) {
        Ok(key_id) => {
            report.check(true, format!("signature valid under key {key_id}"));
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
    report.valid = signature_ok && in_force;
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
        assert!(!check(&signed, &[stranger], None)?.valid);
        let mut listed = PublishedKey::new(key.verifying_key());
        listed.id = "k".into();
        assert!(check(&signed, &[listed], None)?.valid);
        Ok(())
    }
}
