//! Password rules and argon2id hashing. Hashing is deliberately slow, so callers on an async
//! runtime run it through `tokio::task::spawn_blocking` (see [`hash_blocking`], [`verify_blocking`]).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// A password that meets the platform's rules. Never printed: `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least {min} characters", min = Password::MIN_CHARS)]
    TooShort,
    #[error("must be at most {max} characters", max = Password::MAX_CHARS)]
    TooLong,
}

impl Password {
    /// NIST SP 800-63B: length matters, composition rules do not.
    pub const MIN_CHARS: usize = 12;
    /// Bounds the work an attacker can make argon2 do with one request.
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            Err(PasswordError::TooShort)
        } else if chars > Self::MAX_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Hashes with argon2id and a fresh random salt, in PHC string form.
pub fn hash(password: &Password) -> anyhow::Result<String> {
    let random = crate::token::random_bytes();
    let salt = SaltString::encode_b64(&random[..16]).map_err(|err| anyhow::anyhow!("encoding a salt: {err}"))?;
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| anyhow::anyhow!("hashing a password: {err}"))
}

/// True when `candidate` matches the stored PHC hash.
pub fn verify(candidate: &str, stored_hash: &str) -> anyhow::Result<bool> {
    let parsed =
        PasswordHash::new(stored_hash).map_err(|err| anyhow::anyhow!("stored password hash is malformed: {err}"))?;
    Ok(Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok())
}

pub async fn hash_blocking(password: Password) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash(&password)).await?
}

pub async fn verify_blocking(candidate: String, stored_hash: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || verify(&candidate, &stored_hash)).await?
}

/// A hash of a password nobody knows. Checking a login for an unknown e-mail against it costs the
/// same time as checking a real account, so response times do not reveal which addresses exist.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let unguessable = Password(hex::encode(crate::token::random_bytes()));
        hash(&unguessable).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        assert_eq!(Password::parse("short").err(), Some(PasswordError::TooShort));
        assert_eq!(Password::parse(&"x".repeat(257)).err(), Some(PasswordError::TooLong));
        assert!(Password::parse("correct horse battery").is_ok());
    }

    #[test]
    fn hash_then_verify() -> anyhow::Result<()> {
        let password = Password::parse("correct horse battery")?;
        let stored = hash(&password)?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored)?);
        assert!(!verify("correct horse batterz", &stored)?);
        assert!(!format!("{password:?}").contains("horse"));
        Ok(())
    }
}
