//! The handlers. Each builds a small view of what its page shows, already formatted, and a
//! template lays it out; templates hold no rules.

pub mod everyone;
pub mod firm;
pub mod learner;
pub mod staff;

use axum_extra::extract::CookieJar;
use certify_api::AppState;
use uuid::Uuid;

use crate::error::PageError;
use crate::session::{self, Visitor};

/// What the header of every page needs: who is signed in, and the token for its forms.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub visitor: Option<HeaderView>,
    pub csrf: String,
    /// What the change that led here did, said once (`crate::notice`).
    pub notice: Option<String>,
}

/// The signed-in person as the header names them.
#[derive(Debug, Clone)]
pub struct HeaderView {
    pub name: String,
    pub role: &'static str,
    /// Consultants' navigation: learning, catalogue, certificates.
    pub consultant: bool,
    /// A firm admin's firm, for the firm's navigation.
    pub firm_id: Option<uuid::Uuid>,
}

impl From<&Visitor> for HeaderView {
    fn from(visitor: &Visitor) -> Self {
        Self {
            name: visitor.account.display_name.clone(),
            role: visitor.role_name(),
            consultant: visitor.is_consultant(),
            firm_id: match visitor.account.role {
                certify_accounts::Role::FirmAdmin { firm_id } => Some(firm_id),
                _ => None,
            },
        }
    }
}

/// The header's view for this request, with the form token (and its cookie, if new).
pub async fn chrome(state: &AppState, jar: CookieJar) -> Result<(CookieJar, Chrome), PageError> {
    let visitor = session::visitor(state, &jar).await?;
    chrome_for(state, jar, visitor.as_ref())
}

/// Like [`chrome`], for a handler that already knows the visitor.
pub fn chrome_for(
    state: &AppState,
    jar: CookieJar,
    visitor: Option<&Visitor>,
) -> Result<(CookieJar, Chrome), PageError> {
    let (jar, csrf) = crate::csrf::token(state, jar)?;
    let (jar, notice) = crate::notice::take(state, jar);
    Ok((
        jar,
        Chrome {
            visitor: visitor.map(HeaderView::from),
            csrf,
            notice,
        },
    ))
}

/// A choice in a form's list: value, label, chosen.
pub type Choice = (String, String, bool);

/// `values` as a list's choices, the one whose value is `chosen` (trimmed) marked.
pub fn choices(values: impl IntoIterator<Item = (String, String)>, chosen: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|(value, label)| {
            let selected = value == chosen.trim();
            (value, label, selected)
        })
        .collect()
}

/// How a form lets staff name a firm: a list of every firm by name while there are at most
/// [`FIRMS_LISTED`]; past that a list helps nobody, so staff type the firm's name.
#[derive(Debug, Clone)]
pub enum FirmPicker {
    List(Vec<Choice>),
    /// What is typed in the field (a chosen firm's name).
    Typed(String),
}

pub const FIRMS_LISTED: usize = 200;

/// The firm field of a form, with `chosen` (a firm id or a typed name) in it.
pub async fn firm_picker(state: &AppState, chosen: &str) -> Result<FirmPicker, PageError> {
    let size = certify_core::PageSize::parse(FIRMS_LISTED as u64).map_err(PageError::internal)?;
    let page = certify_core::PageRequest { after: None, size };
    let firms = certify_firms::list_firms(&state.db, &certify_firms::FirmQuery::default(), page).await?;
    if firms.next_cursor.is_some() {
        let typed = match Uuid::parse_str(chosen.trim()) {
            Ok(id) => certify_firms::find_firm(&state.db, id)
                .await
                .map_or_else(|_| chosen.to_owned(), |firm| firm.name),
            Err(_) => chosen.to_owned(),
        };
        return Ok(FirmPicker::Typed(typed));
    }
    let mut firms = firms.items;
    firms.sort_by_cached_key(|firm| firm.name.to_lowercase());
    Ok(FirmPicker::List(choices(
        firms.into_iter().map(|f| (f.id.to_string(), f.name)),
        chosen,
    )))
}

/// The firm a form's firm field names: an id chosen from the list, or a firm's name typed in
/// full (any case). `Ok(None)` when the field is empty; `Err` says what is wrong, for the page.
pub async fn chosen_firm(state: &AppState, raw: &str) -> Result<Result<Option<Uuid>, String>, PageError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Ok(None));
    }
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(Ok(Some(id)));
    }
    let search = match search_field(raw) {
        Ok(search) => search,
        Err(problem) => return Ok(Err(problem.to_owned())),
    };
    let query = certify_firms::FirmQuery {
        search,
        ..certify_firms::FirmQuery::default()
    };
    let named: Vec<Uuid> = matching_firms(state, &query)
        .await?
        .iter()
        .filter(|firm| firm.name.to_lowercase() == raw.to_lowercase())
        .map(|firm| firm.id)
        .collect();
    Ok(match named[..] {
        [id] => Ok(Some(id)),
        [] => Err(format!(
            "No firm is called “{raw}”: type its name as the Firms page shows it."
        )),
        _ => Err(format!(
            "Several firms are called “{raw}”: open the firm from the Firms page instead."
        )),
    })
}

/// What a search field says when someone pastes more than anyone searches for.
const TOO_LONG_A_SEARCH: &str = "Search with at most 200 characters.";

/// A page's search field read: what to search for (nothing when blank), or what to say beside
/// the field.
pub fn search_field(raw: &str) -> Result<Option<certify_core::SearchText>, &'static str> {
    certify_core::SearchText::parse(raw).map_err(|_| TOO_LONG_A_SEARCH)
}

/// Every firm `query` names, in creation order.
pub async fn matching_firms(
    state: &AppState,
    query: &certify_firms::FirmQuery,
) -> Result<Vec<certify_firms::Firm>, PageError> {
    let size = certify_core::PageSize::parse(certify_core::PageSize::MAX).map_err(PageError::internal)?;
    let mut firms = Vec::new();
    let mut after = None;
    loop {
        let page = certify_firms::list_firms(&state.db, query, certify_core::PageRequest { after, size }).await?;
        firms.extend(page.items);
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return Ok(firms),
        }
    }
}

/// A whole number typed in a form, then checked by `check` (which gives the error for
/// anything that is not a number too: `not_a_number`).
pub fn typed_number<T, E>(raw: &str, not_a_number: E, check: impl FnOnce(i64) -> Result<T, E>) -> Result<T, E> {
    raw.trim().parse::<i64>().map_err(|_| not_a_number).and_then(check)
}

/// A count with thousands separators, as people read it ("12,345").
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0 { format!("-{out}") } else { out }
}

/// A date as people write it: "14 March 2027".
pub fn long_date(date: time::Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

/// `text` with its first letter in capitals: a domain's message ("the new password …") as the
/// sentence a page shows.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A moment as people write it, in UTC: "14 March 2027 at 09:05 UTC", for a sentence.
pub fn date_time_text(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{} at {:02}:{:02} UTC", long_date(at.date()), at.hour(), at.minute())
}

/// A moment on a page: its UTC text ([`date_time_text`]) in a `<time>` element that
/// `local-time.js` completes with the viewer's own time ("… 18:05 your time (09:05 UTC)");
/// without script the UTC text stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    utc: String,
    /// RFC 3339, for the element's `datetime`: digits and punctuation only.
    iso: String,
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, r#"<time datetime="{}" data-local>{}</time>"#, self.iso, self.utc)
    }
}

/// Its markup is ours alone (a date we formatted), so templates write it unescaped.
impl askama::filters::HtmlSafe for Moment {}

pub fn date_time(at: time::OffsetDateTime) -> Moment {
    let at = at.to_offset(time::UtcOffset::UTC);
    let iso = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Moment {
        utc: date_time_text(at),
        iso,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use time::macros::datetime;

    use super::{date_time, date_time_text, long_date, thousands};

    #[test]
    fn numbers_and_dates_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(300_000), "300,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(long_date(date!(2027 - 03 - 14)), "14 March 2027");
        let at = datetime!(2027-03-14 10:05 +01:00);
        assert_eq!(date_time_text(at), "14 March 2027 at 09:05 UTC");
        assert_eq!(
            date_time(at).to_string(),
            r#"<time datetime="2027-03-14T09:05:00Z" data-local>14 March 2027 at 09:05 UTC</time>"#
        );
    }
}
