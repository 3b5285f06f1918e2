//! How long one certificate PDF takes to render, attachment and compression included.
//! Prints figures; asserts nothing. Run in release on one core:
//!
//! ```sh
//! taskset -c 0 cargo bench --workspace --bench pdf_render
//! ```

use std::time::Instant;

use certify_certificates::pdf::{CertificatePage, render};
use certify_core::Sha256Hex;
use serde_json::json;
use time::macros::date;

const RENDERS: usize = 2000;

fn main() -> anyhow::Result<()> {
    let hash = Sha256Hex::parse("bdf8311d82be3773c666cae71d5c58affbb46f841e1582174ca6b627795dba0e")?;
    // A credential of the real size, so the attachment costs what it costs in production.
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:01900000-0000-7000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://certify.example/issuer", "type": ["Profile"], "name": "AI Partner Network Certification Programme"},
        "validFrom": "2026-11-22T09:00:00Z", "validUntil": "2028-11-22T09:00:00Z",
        "name": "AI Deployment Consultant",
        "credentialSubject": {"type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": "Ada Okafor", "identityType": "name", "hashed": false},
                           {"type": "IdentityObject", "identityHash": format!("sha256${}", "a".repeat(64)), "identityType": "emailAddress", "hashed": true, "salt": "5f1d3b2a9c8e7d6f5a4b3c2d1e0f9a8b"}],
            "achievement": {"id": "https://certify.example/achievements/0190e5a1", "type": ["Achievement"], "name": "AI Deployment Consultant",
                "description": "Takes generative AI from pilot to dependable production.",
                "criteria": {"narrative": "Completed the required courses and passed the certification exam."}}},
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": "2026-11-22T09:00:00Z",
            "verificationMethod": "https://certify.example/issuer#z6Mk", "proofPurpose": "assertionMethod", "proofValue": format!("z{}", "3".repeat(87))}
    });
    let verify_url = format!("https://certify.example/verify/{hash}");
    let page = CertificatePage {
        issuer_name: "AI Partner Network Certification Programme",
        holder_name: "Ada Okafor",
        achievement_name: "AI Deployment Consultant",
        issued_on: date!(2026 - 11 - 22),
        expires_on: date!(2028 - 11 - 22),
        credential_id: "urn:uuid:01900000-0000-7000-8000-000000000001",
        hash: &hash,
        verify_url: &verify_url,
        credential: &credential,
    };
    // The first render parses the font; it is paid once per process.
    let first = Instant::now();
    let size = render(&page)?.len();
    let first = first.elapsed();

    let mut times = Vec::with_capacity(RENDERS);
    for _ in 0..RENDERS {
        let started = Instant::now();
        std::hint::black_box(render(std::hint::black_box(&page))?);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let percentile = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!("certificate PDF: {size} bytes; first render (font parse included) {first:.1?}");
    println!(
        "{RENDERS} renders: median {:.3} ms, mean {mean:.3} ms, p90 {:.3} ms, p99 {:.3} ms, min {:.3} ms",
        percentile(0.5),
        percentile(0.9),
        percentile(0.99),
        times[0]
    );
    Ok(())
}
