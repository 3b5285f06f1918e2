//! The Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials 2.0 data model) that a
//! certificate carries. The holder's e-mail never appears in clear: the subject's identifier is
//! a salted SHA-256 `identityHash`; the display name is a second, unhashed identifier.

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// Controlled Identifiers 1.0: `verificationMethod`, `assertionMethod`, `Multikey`.
pub const CID_CONTEXT: &str = "https://www.w3.org/ns/cid/v1";

/// OB 3.0 IdentityHash: `sha256$` and the hex SHA-256 of the identifier followed by the salt.
pub fn identity_hash(identifier: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!("{identifier}{salt}").as_bytes()))
    )
}

/// Everything a credential states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialContent {
    pub credential_id: Uuid,
    pub issuer_id: String,
    pub issuer_name: String,
    pub holder_name: String,
    pub holder_email: String,
    pub salt: String,
    pub achievement_id: String,
    pub achievement_name: String,
    pub achievement_description: String,
    pub criteria: String,
    pub valid_from: OffsetDateTime,
    pub valid_until: OffsetDateTime,
}

pub fn xml_datetime(at: OffsetDateTime) -> anyhow::Result<String> {
    at.replace_nanosecond(0)
        .map_err(|err| anyhow::anyhow!("{err}"))?
        .format(&Rfc3339)
        .map_err(|err| anyhow::anyhow!("formatting a date: {err}"))
}

/// The credential without its proof.
pub fn build(content: &CredentialContent) -> anyhow::Result<Value> {
    Ok(json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("urn:uuid:{}", content.credential_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": content.achievement_name,
        "issuer": {"id": content.issuer_id, "type": ["Profile"], "name": content.issuer_name},
        "validFrom": xml_datetime(content.valid_from)?,
        "validUntil": xml_datetime(content.valid_until)?,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": true,
                    "identityHash": identity_hash(&content.holder_email, &content.salt),
                    "salt": content.salt
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": false,
                    "identityHash": content.holder_name
                }
            ],
            "achievement": {
                "id": content.achievement_id,
                "type": ["Achievement"],
                "name": content.achievement_name,
                "description": content.achievement_description,
                "criteria": {"narrative": content.criteria}
            }
        }
    }))
}

/// One of the issuer's published keys, as the issuer profile lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKey {
    /// The key's multibase form, which is also its fragment in the profile (`…/issuer#z6Mk…`).
    pub public_key_multibase: String,
}

/// The issuer's profile: an Open Badges `Profile` that is also the controller document of its
/// keys (Multikey verification methods, each an assertion method), so a verifier finds the key
/// a proof names and that the issuer controls it. Every term is defined by its three contexts.
pub fn issuer_profile(issuer_id: &str, issuer_name: &str, keys: &[IssuerKey]) -> Value {
    let method_id = |key: &IssuerKey| format!("{issuer_id}#{}", key.public_key_multibase);
    let methods: Vec<Value> = keys
        .iter()
        .map(|key| {
            json!({
                "id": method_id(key),
                "type": "Multikey",
                "controller": issuer_id,
                "publicKeyMultibase": key.public_key_multibase,
            })
        })
        .collect();
    json!({
        "@context": [VC_CONTEXT, OB_CONTEXT, CID_CONTEXT],
        "id": issuer_id,
        "type": ["Profile"],
        "name": issuer_name,
        "verificationMethod": methods,
        "assertionMethod": keys.iter().map(method_id).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn identity_hash_matches_the_open_badges_example() {
        assert_eq!(
            identity_hash("a@example.com", "Kosher"),
            "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
        );
    }

    /// A credential's content for tests.
    pub(crate) fn content() -> CredentialContent {
        CredentialContent {
            credential_id: Uuid::from_u128(1),
            issuer_id: "https://certify.example/issuer".into(),
            issuer_name: "Certify".into(),
            holder_name: "Ada Okafor".into(),
            holder_email: "ada@northwind.example".into(),
            salt: "c0ffee".into(),
            achievement_id: "https://certify.example/achievements/1".into(),
            achievement_name: "AI Deployment Consultant".into(),
            achievement_description: "Deploys AI well.".into(),
            criteria: "Passed the exam.".into(),
            valid_from: datetime!(2026-11-22 09:00:00.123 UTC),
            valid_until: datetime!(2028-11-22 09:00 UTC),
        }
    }

    #[test]
    fn the_email_never_appears_in_clear() -> anyhow::Result<()> {
        let credential = build(&content())?;
        let text = credential.to_string();
        assert!(!text.contains("ada@northwind.example"));
        assert!(text.contains("Ada Okafor"));
        assert_eq!(credential["validFrom"], "2026-11-22T09:00:00Z", "whole seconds");
        assert_eq!(credential["id"], "urn:uuid:00000000-0000-0000-0000-000000000001");
        Ok(())
    }

    /// JSON-LD safe mode: every term of the credential, signed or not, is defined by its
    /// contexts, so everything in it is inside what an RDF-based proof signs.
    #[test]
    fn every_term_of_a_credential_is_defined() -> anyhow::Result<()> {
        let credential = build(&content())?;
        crate::jsonld::dataset(&credential, &[])?;
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let signed = crate::proof::sign(
            &credential,
            &key,
            "https://certify.example/issuer#z6Mk",
            "2026-11-22T09:00:00Z",
        )?;
        crate::jsonld::dataset(&signed, &[])?;
        Ok(())
    }

    /// The issuer profile is valid JSON-LD: its contexts define `Profile`, `verificationMethod`,
    /// `assertionMethod` and `Multikey`. With the contexts it had before (credentials v2 and
    /// multikey v1 only) those terms were undefined.
    #[test]
    fn every_term_of_the_issuer_profile_is_defined() -> anyhow::Result<()> {
        let keys = [IssuerKey {
            public_key_multibase: "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2".into(),
        }];
        let mut profile = issuer_profile("https://certify.example/issuer", "Certify", &keys);
        crate::jsonld::dataset(&profile, &[])?;
        profile["@context"] = json!([VC_CONTEXT, "https://w3id.org/security/multikey/v1"]);
        match crate::jsonld::dataset(&profile, &[]) {
            Err(crate::jsonld::JsonLdError::UndefinedTerms(terms)) => {
                assert_eq!(
                    terms.into_iter().collect::<Vec<_>>(),
                    ["Profile", "assertionMethod", "verificationMethod"]
                );
            }
            other => panic!("{other:?}"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod golden {
    //! A fixed key and a fixed certificate give a fixed hash and signature. If either changes,
    //! every certificate already issued would stop matching what the code computes: a change
    //! here is a breaking change to the certificate format.

    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;
    use crate::keys::{parse_secret_multibase, public_multibase};
    use crate::proof;

    const SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
    const HASH: &str = "bdf8311d82be3773c666cae71d5c58affbb46f841e1582174ca6b627795dba0e";
    /// The same certificate's eddsa-rdfc-2022 proof, second in the set since proof sets began.
    const RDF_PROOF_VALUE: &str =
        "z4yrF8GYKJ7XkTPVUfZSc24UQdr3xabGwrRhQ1yykWeUTcbvE8boEYjYVXSJ5WkASm4jMo7PuM3QGupfccVKfHkQn";
    const PROOF_VALUE: &str =
        "z3aVjFzEKNjN3gkRYMewjWAQ3ptboPWsxBxgDL8EdxhY4fCSVYdrsmkdXZa2qphBhTWjw2Q1ZJRzcxjKw3tKG4F3n";

    fn content() -> CredentialContent {
        CredentialContent {
            credential_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
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
        }
    }

    #[test]
    fn a_fixed_certificate_has_a_fixed_hash_and_proof() -> anyhow::Result<()> {
        let key = parse_secret_multibase(SECRET)?;
        let method = format!(
            "https://certify.example/issuer#{}",
            public_multibase(&key.verifying_key())
        );
        let signed = proof::sign(&build(&content())?, &key, &method, "2026-11-22T09:00:00Z")?;
        assert_eq!(proof::credential_hash(&signed)?.as_str(), HASH);
        assert_eq!(
            signed["proof"][0]["proofValue"], PROOF_VALUE,
            "the JSON proof as before the set"
        );
        assert_eq!(signed["proof"][1]["proofValue"], RDF_PROOF_VALUE);
        Ok(())
    }
}
