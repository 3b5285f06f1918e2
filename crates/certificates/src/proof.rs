//! The credential's canonical form, its hash, and its Data Integrity proof with the
//! `eddsa-jcs-2022` cryptosuite, exactly as W3C Data Integrity EdDSA Cryptosuites v1.0 §3.3
//! defines it: hashData = SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document)), signed with
//! Ed25519, the signature written as base58btc multibase.

use certify_core::Sha256Hex;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::keys::PublishedKey;

pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";

/// RFC 8785 canonical bytes of a JSON value.
pub fn canonical(value: &Value) -> anyhow::Result<Vec<u8>> {
    serde_jcs::to_vec(value).map_err(|err| anyhow::anyhow!("canonicalising JSON: {err}"))
}

/// The document without its `proof`.
pub fn unsecured(document: &Value) -> Value {
    let mut copy = document.clone();
    if let Some(object) = copy.as_object_mut() {
        object.remove("proof");
    }
    copy
}

/// The certificate hash: lowercase hex SHA-256 of the JCS form of the credential without its proof.
pub fn credential_hash(document: &Value) -> anyhow::Result<Sha256Hex> {
    Ok(Sha256Hex::from_digest(
        &Sha256::digest(canonical(&unsecured(document))?).into(),
    ))
}

fn hash_data(proof_config: &Value, unsecured_document: &Value) -> anyhow::Result<Vec<u8>> {
    let mut data = Sha256::digest(canonical(proof_config)?).to_vec();
    data.extend_from_slice(&Sha256::digest(canonical(unsecured_document)?));
    Ok(data)
}

/// Adds an `eddsa-jcs-2022` proof to `document`. `created` is an XML Schema dateTime.
pub fn sign(document: &Value, key: &SigningKey, verification_method: &str, created: &str) -> anyhow::Result<Value> {
    let unsecured_document = unsecured(document);
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    proof.insert("created".into(), created.into());
    proof.insert("verificationMethod".into(), verification_method.into());
    proof.insert("proofPurpose".into(), "assertionMethod".into());
    if let Some(context) = unsecured_document.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let signature = key.sign(&hash_data(&Value::Object(proof.clone()), &unsecured_document)?);
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature.to_bytes()).into_string()).into(),
    );
    let mut secured = unsecured_document;
    secured
        .as_object_mut()
        .ok_or_else(|| anyhow::anyhow!("a credential is a JSON object"))?
        .insert("proof".into(), Value::Object(proof));
    Ok(secured)
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofFailure {
    #[error("the credential has no proof")]
    Missing,
    #[error("the proof is not a DataIntegrityProof with cryptosuite eddsa-jcs-2022")]
    UnsupportedProof,
    #[error("the proof's @context does not match the credential's")]
    ContextMismatch,
    #[error("the proof names no key this issuer has published ({0})")]
    UnknownKey(String),
    #[error("proofValue is not a base58btc multibase Ed25519 signature")]
    MalformedSignature,
    #[error("the signature does not match the credential: it was altered or signed by another key")]
    BadSignature,
}

/// Verifies the proof of `document` against the issuer's published keys; on success returns the
/// id of the key that signed it.
pub fn verify(document: &Value, keys: &[PublishedKey]) -> Result<String, ProofFailure> {
    let proof = document
        .get("proof")
        .and_then(Value::as_object)
        .ok_or(ProofFailure::Missing)?;
    if proof.get("type").and_then(Value::as_str) != Some("DataIntegrityProof")
        || proof.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE)
    {
        return Err(ProofFailure::UnsupportedProof);
    }
    let mut options = proof.clone();
    let proof_value = options
        .remove("proofValue")
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or(ProofFailure::MalformedSignature)?;
    let mut unsecured_document = unsecured(document);
    if let Some(proof_context) = options.get("@context") {
        if !context_starts_with(unsecured_document.get("@context"), proof_context) {
            return Err(ProofFailure::ContextMismatch);
        }
        if let Some(object) = unsecured_document.as_object_mut() {
            object.insert("@context".into(), proof_context.clone());
        }
    }
    let method = options
        .get("verificationMethod")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key_id = method.rsplit_once('#').map_or(method, |(_, fragment)| fragment);
    let key = keys
        .iter()
        .find(|k| k.id == key_id)
        .ok_or_else(|| ProofFailure::UnknownKey(method.to_owned()))?;
    let signature_bytes: [u8; 64] = proof_value
        .strip_prefix('z')
        .and_then(|body| bs58::decode(body).into_vec().ok())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(ProofFailure::MalformedSignature)?;
    let data = hash_data(&Value::Object(options), &unsecured_document).map_err(|_| ProofFailure::BadSignature)?;
    key.key
        .verify(&data, &Signature::from_bytes(&signature_bytes))
        .map(|()| key.id.clone())
        .map_err(|_| ProofFailure::BadSignature)
}

/// The document's `@context` begins with every value of the proof's, in order.
fn context_starts_with(document_context: Option<&Value>, proof_context: &Value) -> bool {
    let as_list = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let (Some(document_context), proof_context) = (document_context, as_list(proof_context)) else {
        return false;
    };
    let document_context = as_list(document_context);
    document_context.len() >= proof_context.len() && document_context.iter().zip(&proof_context).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::keys::{parse_public_multibase, parse_secret_multibase};

    /// W3C Data Integrity EdDSA Cryptosuites v1.0 (Recommendation), Appendix B.3.
    fn w3c_credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
        })
    }

    const METHOD: &str =
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";

    #[test]
    fn reproduces_the_w3c_test_vector_exactly() -> anyhow::Result<()> {
        let key = parse_secret_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")?;
        let document = w3c_credential();
        assert_eq!(
            credential_hash(&document)?.as_str(),
            "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
        );
        let signed = sign(&document, &key, METHOD, "2023-02-24T23:36:38Z")?;
        assert_eq!(
            signed["proof"]["proofValue"],
            "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
        );
        let published = [PublishedKey::new(parse_public_multibase(
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        )?)];
        assert_eq!(
            verify(&signed, &published).as_deref(),
            Ok("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
        );
        Ok(())
    }

    #[test]
    fn verifies_the_w3c_proof_without_a_context() -> anyhow::Result<()> {
        let mut signed = w3c_credential();
        signed["proof"] = json!({
            "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": "2023-02-24T23:36:38Z",
            "verificationMethod": METHOD, "proofPurpose": "assertionMethod",
            "proofValue": "zboydVv31kj6jP37GMBZwYyjbvrqr9MWeY9NCEfYUwLcKwkdqAcB44dqEcqaMi8mfdvT2Vbnvdrv6XRaYzgpuPWn"
        });
        let published = [PublishedKey::new(parse_public_multibase(
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        )?)];
        assert!(verify(&signed, &published).is_ok());
        Ok(())
    }

    #[test]
    fn any_changed_value_breaks_the_hash_or_the_signature() -> anyhow::Result<()> {
        let key = parse_secret_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")?;
        let published = [PublishedKey::new(key.verifying_key())];
        let signed = sign(&w3c_credential(), &key, METHOD, "2023-02-24T23:36:38Z")?;
        let original_hash = credential_hash(&signed)?;

        let mut altered = signed.clone();
        altered["credentialSubject"]["alumniOf"] = json!("The School of Forgeries");
        assert_ne!(credential_hash(&altered)?, original_hash);
        assert_eq!(verify(&altered, &published), Err(ProofFailure::BadSignature));

        let mut back_dated = signed.clone();
        back_dated["proof"]["created"] = json!("2020-01-01T00:00:00Z");
        assert_eq!(verify(&back_dated, &published), Err(ProofFailure::BadSignature));

        let other = crate::keys::generate()?;
        assert!(matches!(
            verify(&signed, &[PublishedKey::new(other.verifying_key())]),
            Err(ProofFailure::UnknownKey(_))
        ));

        let mut unsigned = signed;
        unsigned.as_object_mut().map(|o| o.remove("proof"));
        assert_eq!(verify(&unsigned, &published), Err(ProofFailure::Missing));
        Ok(())
    }
}
