//! Opaque bearer tokens. A token is 256 random bits; the database keeps only its SHA-256, so a
//! leaked database cannot be replayed as sessions.

use sha2::{Digest, Sha256};

/// Tokens carry a recognisable prefix so secret scanners and people can tell what leaked.
const PREFIX: &str = "ctk_";

/// A freshly issued bearer token. Shown to its owner once; `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Self {
        Self(random_token(PREFIX))
    }

    pub(crate) fn from_raw(token: String) -> Self {
        Self(token)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// The lowercase hex SHA-256 of a presented token: the only form that is stored or looked up.
pub fn token_hash(presented: &str) -> String {
    hex::encode(Sha256::digest(presented.as_bytes()))
}

/// `prefix` and 256 random bits in hex.
pub(crate) fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(random_bytes()))
}

pub(crate) fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    // The operating system's CSPRNG failing is not something a server can recover from.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_hashed_stably() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert!(a.expose().starts_with("ctk_"));
        assert_eq!(a.expose().len(), 4 + 64);
        assert_eq!(token_hash(a.expose()), token_hash(a.expose()));
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!format!("{a:?}").contains(&a.expose()[4..]));
    }
}
