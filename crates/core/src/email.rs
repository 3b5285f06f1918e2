//! A parsed, normalised e-mail address. Addresses are compared case-insensitively across the
//! platform (people type their address in any case), so the canonical form is lowercase.
//!
//! Addresses arrive from people, rosters and firms' identity providers, and an address is what
//! an account is found by. So the same address must have one spelling (NFKC: fullwidth `ａｄａ`
//! is `ada`), and a spelling made to pass for another is refused: a local part that mixes
//! scripts (a Cyrillic `а` among Latin letters), or that is not ASCII yet looks exactly like an
//! ASCII one (all-Cyrillic `аdа`, or `ada` with an invisible character), by Unicode's
//! confusable skeletons (UTS #39). Addresses in one script of their own (`陈琳@…`, `müller@…`)
//! are kept.

use std::fmt;

use unicode_normalization::UnicodeNormalization as _;
use unicode_security::MixedScript as _;

/// An e-mail address that has been checked and lowercased. Holding one is proof of both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not an e-mail address; enter one such as ada@northwind.example", crate::text::quoted(.0))]
pub struct InvalidEmail(String);

impl Email {
    /// Longest address SMTP can carry (RFC 5321 §4.5.3.1.3 path limit minus the angle brackets).
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let candidate = raw.trim().nfkc().collect::<String>().to_lowercase();
        let valid = candidate.len() <= Self::MAX_LEN
            && candidate.rsplit_once('@').is_some_and(|(local, _)| !passes_for_another(local))
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

/// Whether a local part is spelled to look like a different one: mixed scripts, or not ASCII
/// but with the confusable skeleton of an ASCII one.
fn passes_for_another(local: &str) -> bool {
    if local.is_ascii() {
        return false;
    }
    !local.is_single_script() || unicode_security::skeleton(local).all(|c| c.is_ascii())
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
    fn one_address_has_one_spelling_and_lookalikes_are_refused() {
        let fullwidth = Email::parse("ａｄａ@northwind.example").expect("fullwidth is the same address");
        assert_eq!(fullwidth.as_str(), "ada@northwind.example");
        for lookalike in [
            "\u{430}da@northwind.example",            // Cyrillic а among Latin letters
            "\u{430}d\u{430}@northwind.example",      // all Cyrillic, reads as "ada"
            "ada\u{200b}@northwind.example",          // an invisible character
            "\u{3bf}livia@northwind.example",         // Greek ο among Latin letters
            "p\u{430}ypal.support@northwind.example", // mixed again, longer
        ] {
            assert!(
                Email::parse(lookalike).is_err(),
                "{lookalike:?} passes for another address"
            );
        }
        for own_script in [
            "陈琳@northwind.example",
            "müller@northwind.example",
            "дмитрий@northwind.example",
        ] {
            assert!(
                Email::parse(own_script).is_ok(),
                "{own_script} is an address of its own"
            );
        }
    }

    #[test]
    fn the_refusal_is_plain_words_and_quotes_little() {
        let refused = Email::parse(&"x".repeat(10_000))
            .expect_err("not an address")
            .to_string();
        assert!(refused.starts_with("\u{201c}xxx") && refused.contains("…\u{201d} is not an e-mail address"));
        assert!(refused.chars().count() < 150 && !refused.contains('`'), "{refused}");
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
