//! Issuer keys: Ed25519, written as Multikeys (`z6Mk…` for public keys) and published as JWKs.
//! A key's id is its public Multikey, so a proof's verification method names its key exactly.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{SigningKey, VerifyingKey};

/// Multicodec prefixes of Ed25519 keys (W3C Controlled Identifiers, Multikey).
const PUBLIC_PREFIX: [u8; 2] = [0xed, 0x01];
const SECRET_PREFIX: [u8; 2] = [0x80, 0x26];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a base58btc multibase string (it must start with `z`)")]
    NotMultibase,
    #[error("not an Ed25519 {0} Multikey")]
    WrongKind(&'static str),
    #[error("not a valid Ed25519 public key")]
    InvalidPublicKey,
}

fn decode_multikey(encoded: &str, prefix: [u8; 2], kind: &'static str) -> Result<[u8; 32], KeyError> {
    let body = encoded.strip_prefix('z').ok_or(KeyError::NotMultibase)?;
    let bytes = bs58::decode(body).into_vec().map_err(|_| KeyError::NotMultibase)?;
    match bytes.split_first_chunk::<2>() {
        Some((found, key)) if *found == prefix => key.try_into().map_err(|_| KeyError::WrongKind(kind)),
        _ => Err(KeyError::WrongKind(kind)),
    }
}

fn encode_multikey(prefix: [u8; 2], key: &[u8; 32]) -> String {
    let mut bytes = prefix.to_vec();
    bytes.extend_from_slice(key);
    format!("z{}", bs58::encode(bytes).into_string())
}

pub fn public_multibase(key: &VerifyingKey) -> String {
    encode_multikey(PUBLIC_PREFIX, key.as_bytes())
}

pub fn secret_multibase(key: &SigningKey) -> String {
    encode_multikey(SECRET_PREFIX, &key.to_bytes())
}

pub fn parse_public_multibase(encoded: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = decode_multikey(encoded, PUBLIC_PREFIX, "public")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::InvalidPublicKey)
}

pub fn parse_secret_multibase(encoded: &str) -> Result<SigningKey, KeyError> {
    decode_multikey(encoded, SECRET_PREFIX, "secret").map(|seed| SigningKey::from_bytes(&seed))
}

/// A fresh key from the operating system's randomness.
pub fn generate() -> anyhow::Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|err| anyhow::anyhow!("no randomness for a signing key: {err}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// A public key as published: its id (the Multikey) and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    pub id: String,
    pub key: VerifyingKey,
}

impl PublishedKey {
    pub fn new(key: VerifyingKey) -> Self {
        Self {
            id: public_multibase(&key),
            key,
        }
    }

    /// RFC 8037 OKP JWK.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(self.key.as_bytes()),
            "kid": self.id,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    /// Reads the Ed25519 keys of a JWK Set; other keys are skipped.
    pub fn from_jwks(jwks: &serde_json::Value) -> Vec<PublishedKey> {
        let keys = jwks["keys"].as_array().map(Vec::as_slice).unwrap_or_default();
        keys.iter()
            .filter(|jwk| jwk["kty"] == "OKP" && jwk["crv"] == "Ed25519")
            .filter_map(|jwk| {
                let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(jwk["x"].as_str()?).ok()?.try_into().ok()?;
                let key = VerifyingKey::from_bytes(&bytes).ok()?;
                let published = PublishedKey::new(key);
                // A kid that disagrees with the key it labels is not trusted.
                (jwk["kid"].as_str().is_none_or(|kid| kid == published.id)).then_some(published)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key pair of the W3C Data Integrity EdDSA Cryptosuites v1.0 test vectors.
    const PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

    #[test]
    fn multikeys_round_trip_and_match_the_w3c_vector() -> anyhow::Result<()> {
        let secret = parse_secret_multibase(SECRET)?;
        assert_eq!(public_multibase(&secret.verifying_key()), PUBLIC);
        assert_eq!(secret_multibase(&secret), SECRET);
        assert_eq!(public_multibase(&parse_public_multibase(PUBLIC)?), PUBLIC);
        assert_eq!(parse_public_multibase(SECRET), Err(KeyError::WrongKind("public")));
        assert_eq!(parse_public_multibase("6MkrJV"), Err(KeyError::NotMultibase));
        Ok(())
    }

    #[test]
    fn jwks_round_trip_and_reject_mislabelled_keys() -> anyhow::Result<()> {
        let key = PublishedKey::new(parse_public_multibase(PUBLIC)?);
        let jwks = serde_json::json!({"keys": [key.jwk()]});
        assert_eq!(PublishedKey::from_jwks(&jwks), std::slice::from_ref(&key));
        let mut lying = key.jwk();
        lying["kid"] = serde_json::json!("z6MkSomebodyElse");
        assert!(PublishedKey::from_jwks(&serde_json::json!({"keys": [lying]})).is_empty());
        Ok(())
    }
}
