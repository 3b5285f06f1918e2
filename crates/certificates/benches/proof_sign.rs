//! What signing and verifying a credential's proofs cost, per cryptosuite: the JSON proof
//! (JCS), the RDF proof (JSON-LD to RDF with the pinned contexts, then RDFC-1.0), and the set
//! both make. Prints figures; asserts nothing. Run in release on one core:
//!
//! ```sh
//! taskset -c 0 cargo bench --workspace --bench proof_sign
//! ```

use std::time::{Duration, Instant};

use certify_certificates::credential::{CredentialContent, build};
use certify_certificates::keys::PublishedKey;
use certify_certificates::proof::{self, Cryptosuite};
use time::macros::datetime;
use uuid::Uuid;

const ROUNDS: u32 = 500;

fn per_round(label: &str, mut work: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    work()?;
    let start = Instant::now();
    for _ in 0..ROUNDS {
        work()?;
    }
    let each = start.elapsed() / ROUNDS;
    println!(
        "{label:<40} {:>9.3} ms  ({:>6.0} a second)",
        each.as_secs_f64() * 1e3,
        1.0 / each.as_secs_f64()
    );
    Ok(each)
}

fn main() -> anyhow::Result<()> {
    let credential = build(&CredentialContent {
        credential_id: Uuid::from_u128(1),
        issuer_id: "https://certify.example/issuer".into(),
        issuer_name: "AI Partner Network Certification Programme".into(),
        holder_name: "Ada Okafor".into(),
        holder_email: "ada@northwind.example".into(),
        salt: "5f1d3b2a9c8e7d6f5a4b3c2d1e0f9a8b".into(),
        achievement_id: "https://certify.example/achievements/0190e5a1-0000-7000-8000-000000000001".into(),
        achievement_name: "AI Deployment Consultant".into(),
        achievement_description: "Takes generative AI from pilot to dependable production.".into(),
        criteria: "Completed the required courses and passed the certification exam.".into(),
        valid_from: datetime!(2026-11-22 09:00 UTC),
        valid_until: datetime!(2028-11-22 09:00 UTC),
    })?;
    let key = certify_certificates::keys::generate()?;
    let published = [PublishedKey::new(key.verifying_key())];
    let method = &format!(
        "https://certify.example/issuer#{}",
        certify_certificates::keys::public_multibase(&key.verifying_key())
    );
    let created = "2026-11-22T09:00:00Z";
    println!("{ROUNDS} rounds each, one credential of the real shape");
    per_round("sign: eddsa-jcs-2022 alone", || {
        proof::sign_with(Cryptosuite::EddsaJcs2022, &credential, &key, method, created).map(drop)
    })?;
    per_round("sign: eddsa-rdfc-2022 alone", || {
        proof::sign_with(Cryptosuite::EddsaRdfc2022, &credential, &key, method, created).map(drop)
    })?;
    per_round("sign: the proof set (both)", || {
        proof::sign(&credential, &key, method, created).map(drop)
    })?;
    per_round("read as RDF (every term defined)", || {
        certify_certificates::jsonld::dataset(&credential, &[])
            .map(drop)
            .map_err(anyhow::Error::from)
    })?;
    // The same two contexts around one term: what processing the contexts alone costs.
    let bare = serde_json::json!({
        "@context": credential["@context"],
        "id": "urn:uuid:0190a4c2-0000-7000-8000-000000000000",
        "name": "x",
    });
    per_round("read as RDF: the two contexts, one term", || {
        certify_certificates::jsonld::dataset(&bare, &[])
            .map(drop)
            .map_err(anyhow::Error::from)
    })?;
    let signed = proof::sign(&credential, &key, method, created)?;
    let one = proof::sign_with(Cryptosuite::EddsaJcs2022, &credential, &key, method, created)?;
    per_round("verify: eddsa-jcs-2022 alone (older ones)", || {
        proof::verify(&one, &published).map(drop).map_err(anyhow::Error::from)
    })?;
    per_round("verify: the proof set (both)", || {
        proof::verify(&signed, &published)
            .map(drop)
            .map_err(anyhow::Error::from)
    })?;
    Ok(())
}
