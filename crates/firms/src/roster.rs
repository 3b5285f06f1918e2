//! Roster import: a firm admin uploads a CSV of their consultants (`email`, `full_name`, and
//! optionally `country` and `employee_id`) and the firm's roster is brought in line with it.
//!
//! * **All or nothing.** Every row is checked; if any row is wrong the import reports every
//!   error (with its row and column) and the transaction is rolled back.
//! * **Idempotent.** Rows are matched to consultants by e-mail. A consultant new to the roster
//!   is *created* (with an account if they had none); one already on it whose details differ is
//!   *updated*; the rest are *unchanged*. Importing the same file twice changes nothing the
//!   second time.
//! * **No one is claimed without consent.** Only addresses at a domain the firm has verified are
//!   put on the roster directly. Any other row *invites* the person (creating their account if
//!   they had none), who joins once they accept after signing in; such rows read alike whether
//!   the address had an account, so an import tells a firm nothing about accounts elsewhere.
//! * **Streamed.** The CSV is parsed on a blocking thread and handed over in chunks of
//!   [`CHUNK_ROWS`], each applied with a handful of set-based statements. Memory is bounded by
//!   the chunk, not the file: duplicates across chunks are caught by the import's mark on each
//!   membership it touched, not by a set of every address seen.
//!
//! Rows are numbered as a spreadsheet numbers them: the header is row 1.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use anyhow::Context as _;
use certify_accounts::{Account, Role};
use certify_core::text::cut;
use certify_core::{DisplayName, Email};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::domains::domains_of;
use crate::entity::{domain, membership, roster_import};
use crate::invitations::Invited;
use crate::{CountryCode, FirmError};

/// Rows applied per round of statements; also the most rows held in memory at once.
pub const CHUNK_ROWS: usize = 500;
/// Errors beyond this many are counted, not listed.
pub const MAX_LISTED_ERRORS: usize = 1000;
const MAX_EMPLOYEE_ID_CHARS: usize = 64;

/// The columns a roster may have; `email` and `full_name` are required.
pub const COLUMNS: [&str; 4] = ["email", "full_name", "country", "employee_id"];

/// One wrong row (or the header, row 1). `column` is absent when the whole row is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u64,
    pub column: Option<String>,
    pub message: String,
}

/// The longest message a row error carries, in characters. Messages quote what the file holds
/// (an unknown column's name, a wrong address), and a file is up to 64 MiB: without a cap one
/// 60 MiB column name became a 126 MB error page.
pub const MAX_MESSAGE_CHARS: usize = 300;
/// The longest column name a row error carries.
pub const MAX_COLUMN_CHARS: usize = 60;

impl RowError {
    fn new(row: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            row,
            // An unknown column is named by what the header says.
            column: column.map(|name| cut(name, MAX_COLUMN_CHARS).into_owned()),
            message: cut(&message.into(), MAX_MESSAGE_CHARS).into_owned(),
        }
    }
}

/// Why an import was rejected: every error found, up to [`MAX_LISTED_ERRORS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRoster {
    pub errors: Vec<RowError>,
    /// How many errors there were in all (more than `errors.len()` when some were not listed).
    pub error_count: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("the roster has {} invalid row(s)", .0.error_count)]
    Rejected(RejectedRoster),
    #[error(transparent)]
    Firm(#[from] FirmError),
}

impl From<anyhow::Error> for RosterError {
    fn from(err: anyhow::Error) -> Self {
        Self::Firm(FirmError::Unexpected(err))
    }
}

/// What an applied import changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterReport {
    pub import_id: Uuid,
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows whose address is not at a domain the firm has verified: the person is invited and
    /// joins when they accept. Said alike whether or not the address had an account.
    pub invited: u64,
    /// The first [`MAX_LISTED_ERRORS`] invited rows' numbers.
    pub invited_rows: Vec<u64>,
}

/// One valid data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub row: u64,
    pub email: Email,
    pub full_name: DisplayName,
    pub country: Option<CountryCode>,
    pub employee_id: Option<String>,
}

/// Who is importing, which decides how much a refused row may say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Importer {
    pub account_id: Uuid,
    /// Programme staff see why an address cannot be added; a firm's admin sees one sentence for
    /// every such address, so that an import tells them nothing about other firms' accounts.
    pub sees_reasons: bool,
}

/// Why a row's address cannot be put on this firm's roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unclaimable {
    /// The address is at a domain another firm has verified: it belongs to that firm's roster.
    OtherFirmsDomain,
    /// The account, at a domain this firm verified, is staff or a firm admin.
    NotAConsultant,
}

impl Unclaimable {
    /// What a firm admin reads, whichever the reason: the same words for both.
    const TO_FIRMS: &'static str = "this address cannot be added to your firm's roster; the consultant can \
         join your firm themselves, or ask programme staff";

    fn message(self, importer: Importer) -> &'static str {
        if !importer.sees_reasons {
            return Self::TO_FIRMS;
        }
        match self {
            Self::OtherFirmsDomain => "the address is at a domain another firm has verified",
            Self::NotAConsultant => "this address belongs to a staff or firm-admin account",
        }
    }
}

/// Imports the CSV read from `source` into `firm_id`'s roster, on behalf of `importer`.
pub async fn import_roster<R>(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    firm_id: Uuid,
    importer: Importer,
    source: R,
) -> Result<RosterReport, RosterError>
where
    R: Read + Send + 'static,
{
    crate::find_firm(db, firm_id).await?;
    let (sender, mut chunks) = mpsc::channel(2);
    let parser = tokio::task::spawn_blocking(move || parse_roster(source, &sender));
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a roster import")?;
    let mut import = Import::start(&txn, now, firm_id, importer).await?;
    while let Some(chunk) = chunks.recv().await {
        import.record_errors(chunk.errors);
        import.apply(&txn, chunk.rows, &chunk.invalid_emails).await?;
        import.refresh_statistics_if_grown(&txn).await?;
    }
    parser.await.context("the roster parser failed")?;
    import.finish(txn).await
}

/// What the parser hands over: valid rows to apply, the errors of the others, and the addresses
/// of invalid rows whose e-mail was readable (a duplicate is reported even on a row with other
/// mistakes).
#[derive(Debug, Default)]
struct Chunk {
    rows: Vec<RosterRow>,
    errors: Vec<RowError>,
    invalid_emails: Vec<(u64, Email)>,
}

/// Reads the whole CSV, sending chunks as they fill. Stops early only if the receiver is gone.
fn parse_roster<R: Read>(source: R, sender: &mpsc::Sender<Chunk>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(source);
    let mut record = csv::ByteRecord::new();
    let mut chunk = Chunk::default();
    let mut header = None;
    let mut data_rows = 0u64;
    loop {
        let row = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // Byte records have no UTF-8 errors and flexible ones no length errors: what is left
            // is a failed read, after which nothing more can be read.
            Err(err) => {
                chunk.errors.push(csv_error(row, &err));
                break;
            }
        }
        let row = record.position().map_or(row, csv::Position::line);
        match &header {
            None => match Header::parse(&record) {
                Ok(parsed) => header = Some(parsed),
                Err(err) => {
                    chunk.errors.push(err);
                    break;
                }
            },
            Some(header) => {
                data_rows += 1;
                match header.row(row, &record) {
                    Ok(parsed) => chunk.rows.push(parsed),
                    Err((errors, email)) => {
                        chunk.errors.extend(errors);
                        chunk.invalid_emails.extend(email.map(|email| (row, email)));
                    }
                }
            }
        }
        if chunk.rows.len() >= CHUNK_ROWS && sender.blocking_send(std::mem::take(&mut chunk)).is_err() {
            return;
        }
    }
    if header.is_none() && chunk.errors.is_empty() {
        chunk.errors.push(RowError::new(
            1,
            None,
            format!(
                "the file is empty; the first row must name the columns: {}",
                COLUMNS.join(",")
            ),
        ));
    } else if header.is_some() && data_rows == 0 {
        chunk
            .errors
            .push(RowError::new(2, None, "the file has a header but no consultants"));
    }
    let _ = sender.blocking_send(chunk);
}

fn csv_error(row: u64, err: &csv::Error) -> RowError {
    match err.kind() {
        csv::ErrorKind::Io(io) => RowError::new(row, None, format!("the file could not be read: {io}")),
        _ => RowError::new(row, None, format!("not a readable CSV row: {err}")),
    }
}

/// Which field holds which column.
#[derive(Debug)]
struct Header {
    positions: HashMap<&'static str, usize>,
    width: usize,
}

impl Header {
    fn parse(record: &csv::ByteRecord) -> Result<Self, RowError> {
        let expected = format!("expected the columns {}", COLUMNS.join(","));
        let names = (0..record.len())
            .map(|i| {
                let raw = record.get(i).unwrap_or_default();
                let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
                std::str::from_utf8(raw)
                    .map(|name| name.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
                    .map_err(|_| RowError::new(1, None, "the header is not UTF-8 text; save the file as UTF-8 CSV"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let [only] = names.as_slice()
            && let Some(delimiter) = [';', '\t', '|'].into_iter().find(|d| only.contains(*d))
        {
            let shown = if delimiter == '\t' {
                "tabs".to_owned()
            } else {
                format!("\u{201c}{delimiter}\u{201d}")
            };
            return Err(RowError::new(
                1,
                None,
                format!("the columns are separated by {shown}; separate them with commas ({expected})"),
            ));
        }
        let mut positions = HashMap::new();
        for (index, name) in names.iter().enumerate() {
            let Some(column) = COLUMNS.iter().find(|c| **c == name) else {
                return Err(RowError::new(
                    1,
                    Some(name),
                    format!("unknown column {}; {expected}", certify_core::text::quoted(name)),
                ));
            };
            if positions.insert(*column, index).is_some() {
                return Err(RowError::new(
                    1,
                    Some(name),
                    format!("the column {} appears twice", certify_core::text::quoted(name)),
                ));
            }
        }
        for required in ["email", "full_name"] {
            if !positions.contains_key(required) {
                return Err(RowError::new(
                    1,
                    Some(required),
                    format!("the column \u{201c}{required}\u{201d} is missing; {expected}"),
                ));
            }
        }
        Ok(Self {
            positions,
            width: names.len(),
        })
    }

    /// Parses one data row, reporting every wrong field (and the e-mail, if it was valid).
    fn row(&self, row: u64, record: &csv::ByteRecord) -> Result<RosterRow, (Vec<RowError>, Option<Email>)> {
        if record.len() != self.width {
            return Err((
                vec![RowError::new(
                    row,
                    None,
                    format!(
                        "the row has {} field(s) but the header has {}; check for a missing or stray quote",
                        record.len(),
                        self.width
                    ),
                )],
                None,
            ));
        }
        let mut errors = Vec::new();
        let mut field = |column: &'static str| -> Option<&str> {
            let raw = record.get(*self.positions.get(column)?)?;
            match std::str::from_utf8(raw) {
                Ok(text) if text.contains(['\n', '\r']) => {
                    errors.push(RowError::new(
                        row,
                        Some(column),
                        "the value runs over several lines; is a closing quote missing?",
                    ));
                    None
                }
                Ok(text) => Some(text),
                Err(err) => {
                    errors.push(RowError::new(
                        row,
                        Some(column),
                        format!(
                            "not UTF-8 text (byte {} of the value); save the file as UTF-8 CSV",
                            err.valid_up_to() + 1
                        ),
                    ));
                    None
                }
            }
        };
        let email = field("email");
        let full_name = field("full_name");
        let country = field("country").map(str::trim).filter(|c| !c.is_empty());
        let employee_id = field("employee_id").map(str::trim).filter(|e| !e.is_empty());
        let email = email.and_then(|raw| {
            keep_parsed(
                &mut errors,
                row,
                "email",
                Email::parse(raw).map_err(|err| err.to_string()),
            )
        });
        let full_name = full_name.and_then(|raw| {
            let parsed = DisplayName::parse(raw).map_err(|err| format!("the name {err}"));
            keep_parsed(&mut errors, row, "full_name", parsed)
        });
        let country = country.map(|raw| {
            keep_parsed(
                &mut errors,
                row,
                "country",
                CountryCode::parse(raw).map_err(|err| err.to_string()),
            )
        });
        let employee_id = employee_id.map(|raw| {
            let parsed = certify_core::text::parse_display_text(raw, MAX_EMPLOYEE_ID_CHARS)
                .map_err(|err| format!("the employee id {err}"));
            keep_parsed(&mut errors, row, "employee_id", parsed)
        });
        match (email, full_name, country, employee_id) {
            (Some(email), Some(full_name), country, employee_id) if errors.is_empty() => Ok(RosterRow {
                row,
                email,
                full_name,
                country: country.flatten(),
                employee_id: employee_id.flatten(),
            }),
            (email, ..) => Err((errors, email)),
        }
    }
}

/// The parsed value, or `None` with its error recorded against `column`.
fn keep_parsed<T>(errors: &mut Vec<RowError>, row: u64, column: &str, parsed: Result<T, String>) -> Option<T> {
    parsed
        .map_err(|message| errors.push(RowError::new(row, Some(column), message)))
        .ok()
}

/// An import in progress inside its transaction.
struct Import {
    id: Uuid,
    firm_id: Uuid,
    now: OffsetDateTime,
    importer: Importer,
    /// Domains this firm has verified: a consultant at one of them may be moved here from
    /// another firm by the roster; anyone else must leave their firm first.
    verified_domains: HashSet<String>,
    errors: Vec<RowError>,
    error_count: u64,
    /// The power of ten of `created` when the statistics were last refreshed.
    analysed_at: u32,
    rows: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
    invited: u64,
    invited_rows: Vec<u64>,
}

/// How a row's consultant relates to this firm before the row is applied.
enum Standing<'a> {
    NoAccount,
    Unattached(&'a Account),
    Member(&'a Account, &'a membership::Model),
}

impl Import {
    async fn start(
        txn: &DatabaseTransaction,
        now: OffsetDateTime,
        firm_id: Uuid,
        importer: Importer,
    ) -> Result<Self, RosterError> {
        let id = Uuid::now_v7();
        roster_import::ActiveModel {
            id: Set(id),
            firm_id: Set(firm_id),
            imported_by: Set(importer.account_id),
            imported_at: Set(now),
            rows: Set(0),
            created: Set(0),
            updated: Set(0),
            unchanged: Set(0),
        }
        .insert(txn)
        .await
        .context("recording a roster import")?;
        let verified_domains = domains_of(txn, firm_id)
            .await?
            .into_iter()
            .filter(|d| d.verified_at.is_some())
            .map(|d| d.domain)
            .collect();
        Ok(Self {
            id,
            firm_id,
            now,
            importer,
            verified_domains,
            errors: Vec::new(),
            error_count: 0,
            analysed_at: 0,
            rows: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            invited: 0,
            invited_rows: Vec::new(),
        })
    }

    /// On PostgreSQL, analyses the tables this import grows each time its new consultants reach
    /// another power of ten (1,000, 10,000, …). The planner otherwise keeps the statistics of the
    /// table as it was, and on a nearly empty database plans every later chunk's look-up by
    /// e-mail as a scan of a table it believes tiny: 200,000 rows took 13 minutes. ANALYZE
    /// samples a bounded number of rows and sees this transaction's own, so each costs about the
    /// same and the import stays linear. SQLite's planner does not need it.
    async fn refresh_statistics_if_grown(&mut self, txn: &DatabaseTransaction) -> Result<(), RosterError> {
        let magnitude = self.created.checked_ilog10().unwrap_or(0);
        if txn.get_database_backend() != DbBackend::Postgres || magnitude < 3 || magnitude <= self.analysed_at {
            return Ok(());
        }
        txn.execute_unprepared("ANALYZE accounts, firm_memberships")
            .await
            .context("refreshing the planner's statistics")?;
        self.analysed_at = magnitude;
        Ok(())
    }

    fn record_errors(&mut self, errors: Vec<RowError>) {
        for error in errors {
            self.reject(error);
        }
    }

    fn reject(&mut self, error: RowError) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(error);
        }
    }

    /// Applies one chunk of valid rows. Rows keep being applied after an error (the transaction
    /// is rolled back in the end) so that duplicates further down are still found.
    async fn apply(
        &mut self,
        txn: &DatabaseTransaction,
        rows: Vec<RosterRow>,
        invalid_emails: &[(u64, Email)],
    ) -> Result<(), RosterError> {
        self.rows += rows.len() as u64;
        let duplicates = self.reject_duplicates_in_chunk(&rows, invalid_emails);
        let emails: Vec<Email> = rows.iter().map(|r| r.email.clone()).collect();
        let accounts: HashMap<Email, Account> = certify_accounts::accounts_by_email(txn, &emails)
            .await
            .context("reading the roster's accounts")?
            .into_iter()
            .map(|account| (account.email.clone(), account))
            .collect();
        let memberships = current_memberships(txn, accounts.values().map(|a| a.id).collect()).await?;
        let others_domains = self.other_firms_verified_domains(txn, &emails).await?;
        let mut new_consultants = Vec::new();
        let mut new_invitees = Vec::new();
        let mut invited = Vec::new();
        let mut joining = Vec::new();
        let mut unchanged = Vec::new();
        for row in rows {
            if duplicates.contains(&row.row) {
                continue;
            }
            if others_domains.contains(row.email.domain()) {
                self.cannot_claim(row.row, Unclaimable::OtherFirmsDomain);
                continue;
            }
            let account = accounts.get(&row.email);
            let standing = match account {
                None => Standing::NoAccount,
                Some(account) => match memberships.get(&account.id) {
                    Some(membership) => Standing::Member(account, membership),
                    None => Standing::Unattached(account),
                },
            };
            let ours = self.verified_domains.contains(row.email.domain());
            match standing {
                // Not at a domain this firm verified: nobody is attached without saying yes.
                Standing::NoAccount if !ours => {
                    self.count_invited(&row);
                    new_invitees.push(row);
                }
                Standing::Unattached(account) if !ours => self.invite(account, row, &mut invited),
                Standing::Member(account, membership) if membership.firm_id != self.firm_id && !ours => {
                    self.invite(account, row, &mut invited);
                }
                Standing::NoAccount => new_consultants.push(row),
                Standing::Unattached(account) => self.admit(account, row, &mut joining),
                Standing::Member(account, membership) if membership.firm_id != self.firm_id => {
                    self.admit(account, row, &mut joining);
                }
                Standing::Member(_, membership) if membership.roster_import_id == Some(self.id) => {
                    self.reject(duplicate(row.row, None));
                }
                Standing::Member(account, membership) => {
                    if self.update_member(txn, account, membership, &row).await? {
                        self.updated += 1;
                    } else {
                        unchanged.push(membership.id);
                        self.unchanged += 1;
                    }
                }
            }
        }
        self.mark_unchanged(txn, unchanged).await?;
        joining.extend(self.with_new_accounts(txn, new_consultants).await?);
        for (account_id, row) in self.with_new_accounts(txn, new_invitees).await? {
            invited.push(invitation_of(account_id, row));
        }
        crate::invitations::invite(txn, self.now, self.firm_id, Some(self.id), invited).await?;
        self.join(txn, joining).await
    }

    /// Opens a consultant account for each row (their addresses had none), paired with its row.
    async fn with_new_accounts(
        &self,
        txn: &DatabaseTransaction,
        rows: Vec<RosterRow>,
    ) -> Result<Vec<(Uuid, RosterRow)>, RosterError> {
        let people = rows.iter().map(|r| (r.email.clone(), r.full_name.clone())).collect();
        let created = certify_accounts::create_consultants(txn, self.now, people)
            .await
            .context("creating the roster's new consultants")?;
        Ok(created.iter().map(|account| account.id).zip(rows).collect())
    }

    /// Invites an existing account named at a domain this firm has not verified. The row reads
    /// the same whatever the account is; only a consultant gets an invitation to answer.
    fn invite(&mut self, account: &Account, row: RosterRow, invited: &mut Vec<Invited>) {
        self.count_invited(&row);
        if account.role == Role::Consultant {
            invited.push(invitation_of(account.id, row));
        }
    }

    fn count_invited(&mut self, row: &RosterRow) {
        self.invited += 1;
        if self.invited_rows.len() < MAX_LISTED_ERRORS {
            self.invited_rows.push(row.row);
        }
    }

    /// Reports every row whose address appeared on an earlier row of this chunk, valid or not,
    /// and returns those rows. (Earlier chunks are checked against the import's marks.)
    fn reject_duplicates_in_chunk(&mut self, rows: &[RosterRow], invalid_emails: &[(u64, Email)]) -> HashSet<u64> {
        let mut in_order: Vec<(u64, &Email)> = rows
            .iter()
            .map(|r| (r.row, &r.email))
            .chain(invalid_emails.iter().map(|(row, email)| (*row, email)))
            .collect();
        in_order.sort_unstable_by_key(|(row, _)| *row);
        let mut first_rows: HashMap<&Email, u64> = HashMap::new();
        let mut duplicates = HashSet::new();
        for (row, email) in in_order {
            if let Some(first) = first_rows.get(email) {
                self.reject(duplicate(row, Some(*first)));
                duplicates.insert(row);
            } else {
                first_rows.insert(email, row);
            }
        }
        duplicates
    }

    fn cannot_claim(&mut self, row: u64, why: Unclaimable) {
        self.reject(RowError::new(row, Some("email"), why.message(self.importer)));
    }

    /// Of the domains of `emails`, those another firm has verified.
    async fn other_firms_verified_domains(
        &self,
        txn: &DatabaseTransaction,
        emails: &[Email],
    ) -> Result<HashSet<String>, RosterError> {
        let domains: HashSet<&str> = emails.iter().map(Email::domain).collect();
        Ok(domain::Entity::find()
            .filter(domain::Column::Domain.is_in(domains))
            .filter(domain::Column::VerifiedAt.is_not_null())
            .filter(domain::Column::FirmId.ne(self.firm_id))
            .all(txn)
            .await
            .context("reading other firms' verified domains")?
            .into_iter()
            .map(|d| d.domain)
            .collect())
    }

    /// Queues an existing consultant who is not on this roster yet, if they may join it.
    fn admit(&mut self, account: &Account, row: RosterRow, joining: &mut Vec<(Uuid, RosterRow)>) {
        if account.role != Role::Consultant {
            self.cannot_claim(row.row, Unclaimable::NotAConsultant);
        } else {
            joining.push((account.id, row));
        }
    }

    /// Brings an existing member's name, country and employee id in line with the row; says
    /// whether anything changed.
    async fn update_member(
        &self,
        txn: &DatabaseTransaction,
        account: &Account,
        membership: &membership::Model,
        row: &RosterRow,
    ) -> Result<bool, RosterError> {
        let country = row.country.as_ref().map(|c| c.as_str().to_owned());
        let renamed = account.display_name != row.full_name.as_str();
        let changed = renamed || membership.country != country || membership.employee_id != row.employee_id;
        if renamed {
            certify_accounts::rename_account(txn, self.now, account.id, row.full_name.clone())
                .await
                .context("renaming a roster member")?;
        }
        let mut active = membership.clone().into_active_model();
        active.country = Set(country);
        active.employee_id = Set(row.employee_id.clone());
        active.roster_import_id = Set(Some(self.id));
        active.update(txn).await.context("updating a roster member")?;
        Ok(changed)
    }

    async fn mark_unchanged(&self, txn: &DatabaseTransaction, memberships: Vec<Uuid>) -> Result<(), RosterError> {
        if memberships.is_empty() {
            return Ok(());
        }
        membership::Entity::update_many()
            .col_expr(membership::Column::RosterImportId, Expr::value(self.id))
            .filter(membership::Column::Id.is_in(memberships))
            .exec(txn)
            .await
            .context("marking unchanged roster members")?;
        Ok(())
    }

    /// Ends joiners' other memberships and starts their membership here, in two statements.
    async fn join(&mut self, txn: &DatabaseTransaction, joining: Vec<(Uuid, RosterRow)>) -> Result<(), RosterError> {
        if joining.is_empty() {
            return Ok(());
        }
        membership::Entity::update_many()
            .col_expr(membership::Column::LeftAt, Expr::value(self.now))
            .filter(membership::Column::AccountId.is_in(joining.iter().map(|(id, _)| *id)))
            .filter(membership::Column::LeftAt.is_null())
            .exec(txn)
            .await
            .context("ending roster members' other memberships")?;
        self.created += joining.len() as u64;
        let rows = joining.into_iter().map(|(account_id, row)| membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            firm_id: Set(self.firm_id),
            account_id: Set(account_id),
            joined_at: Set(self.now),
            left_at: Set(None),
            employee_id: Set(row.employee_id),
            country: Set(row.country.map(|c| c.as_str().to_owned())),
            roster_import_id: Set(Some(self.id)),
        });
        membership::Entity::insert_many(rows)
            .exec(txn)
            .await
            .context("adding roster members")?;
        Ok(())
    }

    async fn finish(self, txn: DatabaseTransaction) -> Result<RosterReport, RosterError> {
        if self.error_count > 0 {
            txn.rollback().await.context("rolling back a rejected roster")?;
            let mut errors = self.errors;
            errors.sort_by_key(|e| e.row);
            return Err(RosterError::Rejected(RejectedRoster {
                errors,
                error_count: self.error_count,
            }));
        }
        let report = RosterReport {
            import_id: self.id,
            rows: self.rows,
            created: self.created,
            updated: self.updated,
            unchanged: self.unchanged,
            invited: self.invited,
            invited_rows: self.invited_rows,
        };
        roster_import::ActiveModel {
            id: Set(self.id),
            rows: Set(count(report.rows)),
            created: Set(count(report.created)),
            updated: Set(count(report.updated)),
            unchanged: Set(count(report.unchanged)),
            ..Default::default()
        }
        .update(&txn)
        .await
        .context("recording a roster import's counts")?;
        txn.commit().await.context("committing a roster import")?;
        Ok(report)
    }
}

fn invitation_of(account_id: Uuid, row: RosterRow) -> Invited {
    Invited {
        account_id,
        employee_id: row.employee_id,
        country: row.country.map(|c| c.as_str().to_owned()),
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn duplicate(row: u64, first: Option<u64>) -> RowError {
    let message = match first {
        Some(first) => format!("this e-mail address is also on row {first}; each consultant may appear once"),
        None => "this e-mail address appears on an earlier row; each consultant may appear once".to_owned(),
    };
    RowError::new(row, Some("email"), message)
}

async fn current_memberships(
    db: &impl ConnectionTrait,
    account_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, membership::Model>, RosterError> {
    if account_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = membership::Entity::find()
        .filter(membership::Column::AccountId.is_in(account_ids))
        .filter(membership::Column::LeftAt.is_null())
        .all(db)
        .await
        .context("reading roster members' memberships")?;
    Ok(rows.into_iter().map(|m| (m.account_id, m)).collect())
}
