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
    /// Bidirectional overrides and invisible characters make a printed name read differently
    /// from what was stored (`U+202E` turns "Ada Lovelace" around on a certificate).
    #[error("must not contain invisible or text-direction characters (found U+{code:04X})")]
    InvisibleCharacter { code: u32 },
}

/// Characters that change how text is shown without being seen: bidirectional embeddings,
/// overrides, isolates and marks, zero-width spaces and joiners used as separators, invisible
/// operators, the byte-order mark, soft hyphens and tag characters. Zero-width (non-)joiners
/// (U+200C, U+200D) are allowed: Persian and Indic names need them.
fn is_invisible_formatting(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
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
    if let Some(c) = trimmed.chars().find(|c| is_invisible_formatting(*c)) {
        return Err(TextError::InvisibleCharacter { code: u32::from(c) });
    }
    Ok(trimmed.to_owned())
}

/// `text` cut to `max` characters, with an ellipsis when it was longer: what a message may echo
/// of someone's input, so that the message does not grow with what a stranger sent.
pub fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Someone's input as a message quotes it: in quotation marks, cut to 60 characters.
pub fn quoted(raw: &str) -> String {
    format!("\u{201c}{}\u{201d}", cut(raw, 60))
}

/// A CSV cell that a spreadsheet will show as text, never run as a formula: a cell beginning
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's rule for CSV
/// injection). Every CSV export writes its cells through this.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
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

/// What someone typed to find something: trimmed, not blank, at most [`SearchText::MAX_CHARS`]
/// characters. Parsed at the edge, so no search reaches the database unbounded: SQLite refuses a
/// `LIKE` pattern beyond 50,000 bytes, and nobody searches for a name with more than 200 letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    pub const MAX_CHARS: usize = 200;

    /// `Ok(None)` when the text is blank: nothing to search for.
    pub fn parse(raw: &str) -> Result<Option<SearchText>, TextError> {
        let text = raw.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(TextError::TooLong { max: Self::MAX_CHARS });
        }
        Ok((!text.is_empty()).then(|| SearchText(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A SQL `LIKE` pattern (escape character `\\`) matching text that contains this one,
    /// lower-cased, with `%`, `_` and the escape character itself matching literally.
    pub fn contains_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        for c in self.0.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
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

    #[test]
    fn invisible_and_direction_characters_are_refused_and_joiners_kept() {
        for (raw, code) in [
            ("Ada \u{202E}ecalevoL", 0x202E),
            ("Ada\u{200B}Lovelace", 0x200B),
            ("\u{2066}Ada\u{2069}", 0x2066),
            ("Ada\u{FEFF}", 0xFEFF),
            ("Ad\u{00AD}a", 0xAD),
            ("Ada\u{E0041}", 0xE0041),
        ] {
            assert_eq!(
                DisplayName::parse(raw),
                Err(TextError::InvisibleCharacter { code }),
                "{raw:?}"
            );
        }
        assert!(
            DisplayName::parse("\u{0645}\u{06CC}\u{200C}\u{0646}\u{0627}").is_ok(),
            "Persian ZWNJ"
        );
        assert!(DisplayName::parse("Zoë Ó Briain-Núñez").is_ok());
    }

    #[test]
    fn formula_cells_are_neutralised_and_others_untouched() {
        for cell in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(cell), format!("'{cell}"));
        }
        for cell in ["Ada Lovelace", "2026-11-22T09:00:00Z", "", "a=b"] {
            assert_eq!(spreadsheet_safe(cell), cell);
        }
    }

    #[test]
    fn search_text_is_trimmed_bounded_and_matched_literally() {
        assert_eq!(SearchText::parse("   "), Ok(None));
        let text = SearchText::parse("  50%_Off\\ ").expect("parses").expect("not blank");
        assert_eq!(text.as_str(), "50%_Off\\");
        assert_eq!(text.contains_pattern(), "%50\\%\\_off\\\\%");
        assert!(SearchText::parse(&"é".repeat(200)).is_ok());
        assert_eq!(
            SearchText::parse(&"é".repeat(201)),
            Err(TextError::TooLong { max: 200 })
        );
    }
}
