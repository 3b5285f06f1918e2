//! What staff write into the catalogue, parsed once.

use certify_core::TextError;
use certify_core::text::parse_display_text;

const TITLE_MAX_CHARS: usize = 200;
const MARKDOWN_MAX_CHARS: usize = 100_000;

pub fn parse_title(raw: &str) -> Result<String, TextError> {
    parse_display_text(raw, TITLE_MAX_CHARS)
}

/// A Markdown body: not blank, at most 100,000 characters. Kept as written (line breaks matter).
pub fn parse_markdown(raw: &str) -> Result<String, TextError> {
    if raw.trim().is_empty() {
        return Err(TextError::Empty);
    }
    if raw.chars().count() > MARKDOWN_MAX_CHARS {
        return Err(TextError::TooLong {
            max: MARKDOWN_MAX_CHARS,
        });
    }
    Ok(raw.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be between 1 and 600 minutes")]
pub struct InvalidMinutes;

pub fn parse_minutes(raw: i64) -> Result<i32, InvalidMinutes> {
    i32::try_from(raw)
        .ok()
        .filter(|m| (1..=600).contains(m))
        .ok_or(InvalidMinutes)
}

#[derive(Debug, Clone)]
pub struct TrackContent {
    pub title: String,
    pub description: String,
    /// How long the track's certificates hold.
    pub certificate_validity_months: u8,
}

pub const DEFAULT_CERTIFICATE_VALIDITY_MONTHS: u8 = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be between 1 and 120 months")]
pub struct InvalidValidity;

pub fn parse_validity_months(raw: i64) -> Result<u8, InvalidValidity> {
    u8::try_from(raw)
        .ok()
        .filter(|m| (1..=120).contains(m))
        .ok_or(InvalidValidity)
}

#[derive(Debug, Clone)]
pub struct CourseContent {
    pub title: String,
    pub summary: String,
    /// Must be complete before the track's exam may be started.
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct ModuleContent {
    pub title: String,
    pub body_markdown: String,
    pub estimated_minutes: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_rules() {
        assert!(parse_markdown(" \n ").is_err());
        assert_eq!(parse_markdown("# Hi\n\ntext\n").as_deref(), Ok("# Hi\n\ntext\n"));
        assert!(parse_markdown(&"x".repeat(100_001)).is_err());
        assert_eq!(parse_minutes(0), Err(InvalidMinutes));
        assert_eq!(parse_minutes(601), Err(InvalidMinutes));
        assert_eq!(parse_minutes(45), Ok(45));
    }
}
