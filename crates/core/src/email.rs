//! A parsed, normalised e-mail address. Addresses are compared case-insensitively across the
//! platform (people type their address in any case), so the canonical form is lowercase.

use std::fmt;

/// An e-mail address that has been checked and lowercased. Holding one is proof of both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid e-mail address")]
pub struct InvalidEmail(String);

impl Email {
    /// Longest address SMTP can carry (RFC 5321 §4.5.3.1.3 path limit minus the angle brackets).
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let candidate = raw.trim().to_lowercase();
        let valid = candidate.len() <= Self::MAX_LEN
            && email_address::EmailAddress::is_valid(&candidate)
            // Reject addresses such as `user@localhost`: a partner's staff always have a real domain.
            && candidate.rsplit_once('@').is_some_and(|(_, domain)| domain.contains('.'))
            // Quoted local parts and IP-literal domains are legal but never legitimate here.
            && !candidate.contains(['"', '[', ']', ' ']);
        if valid {
            Ok(Self(candidate))
        } else {
            Err(InvalidEmail(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, used to match a consultant to a firm's verified domains.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Ada.Lovelace@Northwind.Example ").expect("valid");
        assert_eq!(email.as_str(), "ada.lovelace@northwind.example");
        assert_eq!(email.domain(), "northwind.example");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@localhost",
            "ada lovelace@example.com",
            "\"ada\"@example.com",
            "ada@[127.0.0.1]",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let too_long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&too_long).is_err());
    }
}
