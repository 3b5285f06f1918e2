//! A SHA-256 digest written as 64 lowercase hex characters: how certificate hashes are printed,
//! looked up and compared.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Hex(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 64 hexadecimal characters (a SHA-256 digest)")]
pub struct InvalidSha256Hex;

impl Sha256Hex {
    /// Accepts upper or lower case (people copy hashes from PDFs); stores lowercase.
    pub fn parse(raw: &str) -> Result<Self, InvalidSha256Hex> {
        let trimmed = raw.trim();
        if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(trimmed.to_ascii_lowercase()))
        } else {
            Err(InvalidSha256Hex)
        }
    }

    /// The digest of 32 bytes, as produced by `sha2`.
    pub fn from_digest(digest: &[u8; 32]) -> Self {
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_once_and_normalises_case() {
        let upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert_eq!(
            Sha256Hex::parse(upper).map(|h| h.to_string()),
            Ok(upper.to_ascii_lowercase())
        );
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(65)] {
            assert!(Sha256Hex::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Sha256Hex::from_digest(&[0xab; 32]).as_str(), "ab".repeat(32));
    }
}
