//! Human-entered text that is shown back to people: names and titles.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain control characters")]
    ControlCharacter,
}

/// Checks the rules every displayed text shares and returns it trimmed.
pub fn parse_display_text(raw: &str, max: usize) -> Result<String, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

/// A person's name as printed on certificates: trimmed, non-empty, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, TextError> {
        parse_display_text(raw, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_rules() {
        assert_eq!(
            DisplayName::parse("  Ada Lovelace ").map(DisplayName::into_inner),
            Ok("Ada Lovelace".into())
        );
        assert_eq!(DisplayName::parse("   "), Err(TextError::Empty));
        assert_eq!(DisplayName::parse("Ada\u{0}"), Err(TextError::ControlCharacter));
        assert_eq!(
            DisplayName::parse(&"é".repeat(201)),
            Err(TextError::TooLong { max: 200 })
        );
        assert!(DisplayName::parse(&"é".repeat(200)).is_ok());
    }
}
