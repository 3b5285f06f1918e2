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
    #[error("must not contain the account's e-mail address or name")]
    AboutTheAccount,
    /// `hint` says what makes it guessable, in words ("This is a very common password.").
    #[error("is too easy to guess{hint}; a few unrelated words make a strong one")]
    Guessable { hint: String },
}

impl Password {
    /// NIST SP 800-63B: length matters, composition rules do not.
    pub const MIN_CHARS: usize = 12;
    /// Bounds the work an attacker can make argon2 do with one request.
    pub const MAX_CHARS: usize = 256;

    /// A password for the account known by `about` (its e-mail address, its name): long enough,
    /// not built on those, and not guessable by the `zxcvbn` estimator (score 3 of 4 at least:
    /// NIST SP 800-63B asks for no composition rules but refuses common and guessable ones).
    pub fn parse(raw: &str, about: &[&str]) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        let personal = personal_words(about);
        let lowered = raw.to_lowercase();
        if personal
            .iter()
            .any(|word| word.chars().count() >= 4 && lowered.contains(word.as_str()))
        {
            return Err(PasswordError::AboutTheAccount);
        }
        let words: Vec<&str> = personal.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(raw, &words);
        if estimate.score() < zxcvbn::Score::Three {
            let hint = estimate
                .feedback()
                .and_then(zxcvbn::feedback::Feedback::warning)
                .map(|warning| format!(" ({})", warning.to_string().trim_end_matches('.').to_lowercase()))
                .unwrap_or_default();
            return Err(PasswordError::Guessable { hint });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The e-mail address, its local part and domain's first label, and each word of the name,
/// lowercased: what a person is likely to build a password on.
fn personal_words(about: &[&str]) -> Vec<String> {
    let mut words = Vec::new();
    for text in about.iter().map(|text| text.to_lowercase()) {
        if let Some((local, domain)) = text.split_once('@') {
            words.push(local.to_owned());
            words.extend(local.split(['.', '_', '-', '+']).map(str::to_owned));
            words.extend(domain.split('.').next().map(str::to_owned));
        }
        words.extend(text.split_whitespace().map(str::to_owned));
        words.push(text);
    }
    words.retain(|word| !word.is_empty());
    words
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
        assert_eq!(Password::parse("short", &[]).err(), Some(PasswordError::TooShort));
        assert_eq!(
            Password::parse(&"x".repeat(257), &[]).err(),
            Some(PasswordError::TooLong)
        );
        assert!(Password::parse("correct horse battery", &[]).is_ok());
    }

    #[test]
    fn hash_then_verify() -> anyhow::Result<()> {
        let password = Password::parse("correct horse battery", &[])?;
        let stored = hash(&password)?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored)?);
        assert!(!verify("correct horse batterz", &stored)?);
        assert!(!format!("{password:?}").contains("horse"));
        Ok(())
    }

    const ADA: [&str; 2] = ["ada.okafor@northwind.example", "Ada Okafor"];

    #[test]
    fn guessable_passwords_are_refused_with_the_reason() {
        for guessable in ["123456789012", "password1234", "aaaaaaaaaaaa", "qwertyuiopas"] {
            let refused = Password::parse(guessable, &ADA).expect_err(guessable);
            assert!(
                matches!(refused, PasswordError::Guessable { .. }),
                "{guessable}: {refused}"
            );
        }
        let refused = Password::parse("password1234", &ADA).expect_err("common");
        assert!(refused.to_string().starts_with("is too easy to guess ("), "{refused}");
    }

    #[test]
    fn a_password_built_on_the_account_is_refused() {
        for personal in ["ada.okafor@northwind.example", "Okafor2026!!x", "northwind-rules-2026"] {
            assert_eq!(
                Password::parse(personal, &ADA).expect_err(personal),
                PasswordError::AboutTheAccount,
                "{personal}"
            );
        }
    }

    #[test]
    fn long_phrases_of_unrelated_words_pass() {
        for strong in [
            "a long enough password",
            "demo-staff-password",
            "demo-admin-password",
            "demo-consultant-password",
            "correct horse battery staple",
        ] {
            assert!(Password::parse(strong, &ADA).is_ok(), "{strong}");
        }
    }
}
