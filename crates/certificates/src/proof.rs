//! The credential's canonical form, its hash, and its Data Integrity proofs: a proof set of two
//! proofs over the same document with the same key, as W3C Data Integrity EdDSA Cryptosuites
//! v1.0 defines them — `eddsa-jcs-2022` (§3.3: the JSON canonicalised by JCS) and
//! `eddsa-rdfc-2022` (§3.2: the RDF canonicalised by RDFC-1.0, which 1EdTech's Open Badges
//! conformance accepts). For both, hashData = SHA-256(canonical proof config) ‖
//! SHA-256(canonical document), signed with Ed25519 and written as base58btc multibase.
//! Credentials issued before the set carry only the `eddsa-jcs-2022` proof, as an object.

use certify_core::Sha256Hex;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::keys::PublishedKey;

/// The cryptosuites Certify signs with and verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cryptosuite {
    /// JSON canonicalised by JCS (RFC 8785).
    EddsaJcs2022,
    /// RDF canonicalised by RDFC-1.0, read with the pinned contexts (`crate::jsonld`).
    EddsaRdfc2022,
}

impl Cryptosuite {
    /// The order of a credential's proof set.
    pub const SET: [Self; 2] = [Self::EddsaJcs2022, Self::EddsaRdfc2022];

    pub const fn name(self) -> &'static str {
        match self {
            Self::EddsaJcs2022 => "eddsa-jcs-2022",
            Self::EddsaRdfc2022 => "eddsa-rdfc-2022",
        }
    }

    fn named(name: &str) -> Option<Self> {
        Self::SET.into_iter().find(|suite| suite.name() == name)
    }

    fn canonical(self, value: &Value) -> anyhow::Result<Vec<u8>> {
        match self {
            Self::EddsaJcs2022 => canonical(value),
            Self::EddsaRdfc2022 => Ok(crate::jsonld::canonical_nquads(value, &[])?.into_bytes()),
        }
    }

    fn hash_data(self, proof_config: &Value, unsecured_document: &Value) -> anyhow::Result<Vec<u8>> {
        let mut data = Sha256::digest(self.canonical(proof_config)?).to_vec();
        data.extend_from_slice(&Sha256::digest(self.canonical(unsecured_document)?));
        Ok(data)
    }
}

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

/// The certificate hash: lowercase hex SHA-256 of the JCS form of the credential without its
/// proofs (so adding a proof never changes it).
pub fn credential_hash(document: &Value) -> anyhow::Result<Sha256Hex> {
    Ok(Sha256Hex::from_digest(
        &Sha256::digest(canonical(&unsecured(document))?).into(),
    ))
}

/// One proof of `suite` over `unsecured_document`. `created` is an XML Schema dateTime.
fn proof(
    suite: Cryptosuite,
    unsecured_document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: &str,
) -> anyhow::Result<Value> {
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("cryptosuite".into(), suite.name().into());
    proof.insert("created".into(), created.into());
    proof.insert("verificationMethod".into(), verification_method.into());
    proof.insert("proofPurpose".into(), "assertionMethod".into());
    if let Some(context) = unsecured_document.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let signature = key.sign(&suite.hash_data(&Value::Object(proof.clone()), unsecured_document)?);
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature.to_bytes()).into_string()).into(),
    );
    Ok(Value::Object(proof))
}

/// `document` with the proofs of `suites` (one proof as an object, several as a proof set).
fn secured(
    document: &Value,
    suites: &[Cryptosuite],
    key: &SigningKey,
    verification_method: &str,
    created: &str,
) -> anyhow::Result<Value> {
    let unsecured_document = unsecured(document);
    let mut proofs = suites
        .iter()
        .map(|suite| proof(*suite, &unsecured_document, key, verification_method, created))
        .collect::<anyhow::Result<Vec<Value>>>()?;
    let proof = match proofs.len() {
        1 => proofs.remove(0),
        _ => Value::Array(proofs),
    };
    let mut secured = unsecured_document;
    secured
        .as_object_mut()
        .ok_or_else(|| anyhow::anyhow!("a credential is a JSON object"))?
        .insert("proof".into(), proof);
    Ok(secured)
}

/// Adds the proof set (`eddsa-jcs-2022`, then `eddsa-rdfc-2022`) to `document`. The RDF proof
/// refuses a document with a term its contexts do not define.
pub fn sign(document: &Value, key: &SigningKey, verification_method: &str, created: &str) -> anyhow::Result<Value> {
    secured(document, &Cryptosuite::SET, key, verification_method, created)
}

/// Adds one proof of `suite` to `document`.
pub fn sign_with(
    suite: Cryptosuite,
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: &str,
) -> anyhow::Result<Value> {
    secured(document, &[suite], key, verification_method, created)
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofFailure {
    #[error("the credential has no proof")]
    Missing,
    #[error("a proof is not a DataIntegrityProof with cryptosuite eddsa-jcs-2022 or eddsa-rdfc-2022")]
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

/// What a verified credential's proofs showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The key that signed (every proof of a set names the same one).
    pub key_id: String,
    /// The cryptosuites whose proofs verified, the JSON one first.
    pub suites: Vec<Cryptosuite>,
}

impl Verified {
    /// "eddsa-jcs-2022 and eddsa-rdfc-2022".
    pub fn suites_named(&self) -> String {
        self.suites
            .iter()
            .map(|suite| suite.name())
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// Verifies every proof of `document` against the issuer's published keys. The JSON proof is checked before the RDF one, so only a
/// document our key signed is ever canonicalised as RDF (whose cost a stranger could otherwise
/// choose).
pub fn verify(document: &Value, keys: &[PublishedKey]) -> Result<Verified, ProofFailure> {
    verify_proofs(document, keys, &Cryptosuite::SET)
}

/// Verifies only the JSON proof of `document`: for a credential read from our own store, where
/// it was signed, not from a stranger. Its RDF proof, made at the same moment over the same
/// document, costs a hundred times more to check (3.6 ms against 0.05) and a cold look-up must
/// stay cheap; an uploaded document gets [`verify`].
pub fn verify_json_proof(document: &Value, keys: &[PublishedKey]) -> Result<Verified, ProofFailure> {
    verify_proofs(document, keys, &[Cryptosuite::EddsaJcs2022])
}

/// Verifies the proofs of `document` whose suite is in `checked` (and refuses any it does not
/// know). A set holds at most one proof per suite, the JSON proof among them, and its RDF proof
/// must say exactly what the JSON proof says but for its suite: so once the JSON proof holds,
/// what is canonicalised as RDF is a document and a proof configuration our key signed, never a
/// stranger's blank-node graph (RDFC's cost on those is exponential).
fn verify_proofs(document: &Value, keys: &[PublishedKey], checked: &[Cryptosuite]) -> Result<Verified, ProofFailure> {
    let proofs: Vec<&Map<String, Value>> = match document.get("proof") {
        Some(Value::Object(proof)) => vec![proof],
        Some(Value::Array(proofs)) => proofs
            .iter()
            .map(|proof| proof.as_object().ok_or(ProofFailure::UnsupportedProof))
            .collect::<Result<_, _>>()?,
        _ => return Err(ProofFailure::Missing),
    };
    let mut by_suite: Vec<(Cryptosuite, &Map<String, Value>)> = Vec::with_capacity(proofs.len());
    for proof in proofs {
        let data_integrity = proof.get("type").and_then(Value::as_str) == Some("DataIntegrityProof");
        let suite = proof
            .get("cryptosuite")
            .and_then(Value::as_str)
            .and_then(Cryptosuite::named)
            .filter(|_| data_integrity)
            .ok_or(ProofFailure::UnsupportedProof)?;
        if by_suite.iter().any(|(seen, _)| *seen == suite) {
            return Err(ProofFailure::UnsupportedProof);
        }
        by_suite.push((suite, proof));
    }
    // Every credential we issue has the JSON proof; without it there is nothing to start from.
    let json = by_suite
        .iter()
        .find(|(suite, _)| *suite == Cryptosuite::EddsaJcs2022)
        .map(|(_, proof)| *proof)
        .ok_or(if by_suite.is_empty() {
            ProofFailure::Missing
        } else {
            ProofFailure::UnsupportedProof
        })?;
    let unsecured_document = unsecured(document);
    let key_id = verify_one(Cryptosuite::EddsaJcs2022, json, &unsecured_document, keys)?;
    let mut verified = Verified {
        key_id,
        suites: vec![Cryptosuite::EddsaJcs2022],
    };
    for (suite, proof) in by_suite {
        if suite == Cryptosuite::EddsaJcs2022 || !checked.contains(&suite) {
            continue;
        }
        if !same_but_suite(proof, json) {
            return Err(ProofFailure::BadSignature);
        }
        // Same verification method as the JSON proof: the same key, or a refusal.
        verify_one(suite, proof, &unsecured_document, keys)?;
        verified.suites.push(suite);
    }
    Ok(verified)
}

/// Whether two proofs of a set say the same but for their suite and signature.
fn same_but_suite(proof: &Map<String, Value>, json: &Map<String, Value>) -> bool {
    let settings = |proof: &Map<String, Value>| {
        let mut settings = proof.clone();
        settings.remove("cryptosuite");
        settings.remove("proofValue");
        settings
    };
    settings(proof) == settings(json)
}

fn verify_one(
    suite: Cryptosuite,
    proof: &Map<String, Value>,
    unsecured_document: &Value,
    keys: &[PublishedKey],
) -> Result<String, ProofFailure> {
    let mut options = proof.clone();
    let proof_value = options
        .remove("proofValue")
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or(ProofFailure::MalformedSignature)?;
    // The proof's context, when it has one, must be the document's own: the specification would
    // let a document carry more contexts than its proof, but we never issue one that does.
    if let Some(proof_context) = options.get("@context")
        && unsecured_document.get("@context") != Some(proof_context)
    {
        return Err(ProofFailure::ContextMismatch);
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
    let data = suite
        .hash_data(&Value::Object(options), unsecured_document)
        .map_err(|_| ProofFailure::BadSignature)?;
    key.key
        .verify(&data, &Signature::from_bytes(&signature_bytes))
        .map(|()| key.id.clone())
        .map_err(|_| ProofFailure::BadSignature)
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
        let signed = sign_with(
            Cryptosuite::EddsaJcs2022,
            &document,
            &key,
            METHOD,
            "2023-02-24T23:36:38Z",
        )?;
        assert_eq!(
            signed["proof"]["proofValue"],
            "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
        );
        let published = [PublishedKey::new(parse_public_multibase(
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        )?)];
        assert_eq!(
            verify(&signed, &published).map(|verified| verified.key_id).as_deref(),
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
        let signed = sign_with(
            Cryptosuite::EddsaJcs2022,
            &w3c_credential(),
            &key,
            METHOD,
            "2023-02-24T23:36:38Z",
        )?;
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

    /// The eddsa-rdfc-2022 vector's signature: the W3C canonical forms hashed and signed as
    /// hashData says, with the vector's key. (The canonical forms themselves are checked
    /// against the vector in `crate::jsonld`.)
    #[test]
    fn signs_the_w3c_rdfc_vector_exactly() -> anyhow::Result<()> {
        let key = parse_secret_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")?;
        let mut data = Sha256::digest(include_str!("../testdata/vc-di-eddsa/proofCanonDataInt.txt")).to_vec();
        data.extend_from_slice(&Sha256::digest(include_str!(
            "../testdata/vc-di-eddsa/canonDocDataInt.txt"
        )));
        let proof_value = format!("z{}", bs58::encode(key.sign(&data).to_bytes()).into_string());
        assert_eq!(
            proof_value,
            include_str!("../testdata/vc-di-eddsa/sigBTC58DataInt.txt").trim()
        );
        Ok(())
    }

    fn our_credential() -> anyhow::Result<Value> {
        crate::credential::build(&crate::credential::tests::content())
    }

    /// A credential carries both proofs, each over the same document with the same key; both are
    /// checked, and a change either would accept alone is refused.
    #[test]
    fn a_proof_set_of_both_suites_verifies_and_each_proof_counts() -> anyhow::Result<()> {
        let key = parse_secret_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")?;
        let published = [PublishedKey::new(key.verifying_key())];
        let method = "https://certify.example/issuer#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let unsigned = our_credential()?;
        let signed = sign(&unsigned, &key, method, "2026-11-22T09:00:00Z")?;
        let suites: Vec<&str> = signed["proof"]
            .as_array()
            .expect("a proof set")
            .iter()
            .filter_map(|proof| proof["cryptosuite"].as_str())
            .collect();
        assert_eq!(suites, ["eddsa-jcs-2022", "eddsa-rdfc-2022"]);
        assert_eq!(
            credential_hash(&signed)?,
            credential_hash(&unsigned)?,
            "proofs never change the hash"
        );
        let verified = verify(&signed, &published).expect("verified");
        assert_eq!(verified.suites_named(), "eddsa-jcs-2022 and eddsa-rdfc-2022");

        // The RDF proof alone is forged (another key): the set fails though the JSON proof holds.
        let other = crate::keys::generate()?;
        let forged_rdf = sign_with(
            Cryptosuite::EddsaRdfc2022,
            &unsigned,
            &other,
            method,
            "2026-11-22T09:00:00Z",
        )?;
        let mut mixed = signed.clone();
        mixed["proof"][1] = forged_rdf["proof"].clone();
        assert_eq!(verify(&mixed, &published), Err(ProofFailure::BadSignature));
        // Our own stored copy is checked by its JSON proof alone, and says so.
        let stored = verify_json_proof(&signed, &published).expect("verified");
        assert_eq!(stored.suites, [Cryptosuite::EddsaJcs2022]);

        // A proof of a suite we do not know, or an RDF proof with no JSON proof, is refused.
        let mut unknown = signed.clone();
        unknown["proof"][1]["cryptosuite"] = json!("ecdsa-sd-2023");
        assert_eq!(verify(&unknown, &published), Err(ProofFailure::UnsupportedProof));
        let rdf_only = sign_with(
            Cryptosuite::EddsaRdfc2022,
            &unsigned,
            &key,
            method,
            "2026-11-22T09:00:00Z",
        )?;
        assert_eq!(verify(&rdf_only, &published), Err(ProofFailure::UnsupportedProof));
        Ok(())
    }

    /// What the RDF check is ever given is bounded by what our key signed: one proof per suite,
    /// and an RDF proof that says what the JSON proof says (so a stranger cannot hand us a proof
    /// configuration of their choosing to canonicalise), and no context beyond the proof's.
    #[test]
    fn a_set_is_only_what_we_would_have_signed() -> anyhow::Result<()> {
        let key = parse_secret_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")?;
        let published = [PublishedKey::new(key.verifying_key())];
        let method = "https://certify.example/issuer#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let unsigned = our_credential()?;
        let signed = sign(&unsigned, &key, method, "2026-11-22T09:00:00Z")?;

        let mut twice = signed.clone();
        twice["proof"]
            .as_array_mut()
            .expect("a set")
            .push(signed["proof"][1].clone());
        assert_eq!(verify(&twice, &published), Err(ProofFailure::UnsupportedProof));

        // Validly signed by our key, but dated otherwise than the JSON proof: not our set.
        let later = sign_with(
            Cryptosuite::EddsaRdfc2022,
            &unsigned,
            &key,
            method,
            "2027-01-01T00:00:00Z",
        )?;
        let mut mismatched = signed.clone();
        mismatched["proof"][1] = later["proof"].clone();
        assert_eq!(verify(&mismatched, &published), Err(ProofFailure::BadSignature));

        let mut more_contexts = signed;
        more_contexts["@context"]
            .as_array_mut()
            .expect("contexts")
            .push(json!("https://w3id.org/security/data-integrity/v2"));
        assert_eq!(verify(&more_contexts, &published), Err(ProofFailure::ContextMismatch));
        Ok(())
    }

    /// The RDF proof refuses to sign a document with a term its contexts do not define: that
    /// term would lie outside what the proof covers.
    #[test]
    fn an_undefined_term_is_never_signed() -> anyhow::Result<()> {
        let key = parse_secret_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")?;
        let mut planted = our_credential()?;
        planted["credentialSubject"]["favouriteColour"] = json!("green");
        let refused = sign(
            &planted,
            &key,
            "https://certify.example/issuer#k",
            "2026-11-22T09:00:00Z",
        );
        let message = format!("{:#}", refused.expect_err("refused"));
        assert!(message.contains("favouriteColour"), "{message}");
        Ok(())
    }
}
