//! The item bank. Items belong to an exam and one of its domains; editing an item always creates
//! a new version (attempts keep the exact versions they served), and retired items are no longer
//! drawn. Staff import and export the bank as one JSON document; an import with any bad item
//! changes nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use anyhow::Context as _;
use certify_core::{Page, PageRequest};
use sea_orm::sea_query::StringLen;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionSession as _, TransactionTrait,
};
use sea_orm::{DeriveActiveEnum, EnumIter, Iterable as _};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::blueprint::{Exam, get_exam};
use crate::entity::{item, item_version};
use crate::error::{ExamError, FieldProblem};
use crate::rules::key_balance::{KeyPositions, key_positions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ItemKind {
    SingleChoice,
    /// Choose all that apply; scored all-or-nothing.
    MultipleResponse,
    TrueFalse,
}

/// The bank document names kinds as they are stored.
impl ItemKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SingleChoice => "single_choice",
            Self::MultipleResponse => "multiple_response",
            Self::TrueFalse => "true_false",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::iter().find(|k| k.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ItemStatus {
    Active,
    Retired,
}

/// One answer option. Ids are short and stable within an item (`a`, `b`, ... or `true`/`false`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOption {
    pub id: String,
    pub text: String,
}

/// The content of one item version, checked by [`ItemContent::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemContent {
    pub domain_id: Uuid,
    pub kind: ItemKind,
    pub stem: String,
    pub options: Vec<ItemOption>,
    pub key: BTreeSet<String>,
}

impl ItemContent {
    /// Every problem with this content; `prefix` names where it sits (`""` or `items[3].`).
    pub fn check(&self, prefix: &str) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut problem =
            |field: &str, message: &str| problems.push(FieldProblem::new(format!("{prefix}{field}"), message));
        let stem = self.stem.trim();
        if stem.is_empty() || stem.chars().count() > 4000 {
            problem("stem", "must be 1 to 4000 characters");
        }
        let ids: Vec<&str> = self.options.iter().map(|o| o.id.as_str()).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        if unique.len() != ids.len() {
            problem("options", "option ids must be unique");
        }
        if self
            .options
            .iter()
            .any(|o| o.id.is_empty() || o.id.len() > 16 || o.text.trim().is_empty() || o.text.chars().count() > 1000)
        {
            problem(
                "options",
                "every option needs an id of 1 to 16 characters and a text of 1 to 1000",
            );
        }
        if self.key.iter().any(|k| !unique.contains(k.as_str())) {
            problem("key", "names an option that does not exist");
        }
        match self.kind {
            ItemKind::SingleChoice => {
                if !(3..=8).contains(&self.options.len()) {
                    problem("options", "a single-choice item has 3 to 8 options");
                }
                if self.key.len() != 1 {
                    problem("key", "a single-choice item has exactly one correct option");
                }
            }
            ItemKind::MultipleResponse => {
                if !(3..=8).contains(&self.options.len()) {
                    problem("options", "a multiple-response item has 3 to 8 options");
                }
                if self.key.len() < 2 || self.key.len() >= self.options.len() {
                    problem(
                        "key",
                        "a multiple-response item has at least two correct options and at least one wrong one",
                    );
                }
            }
            ItemKind::TrueFalse => {
                let mut sorted = ids.clone();
                sorted.sort_unstable();
                if sorted != ["false", "true"] {
                    problem(
                        "options",
                        "a true/false item has exactly the options `true` and `false`",
                    );
                }
                if self.key.len() != 1 {
                    problem("key", "a true/false item has exactly one correct option");
                }
            }
        }
        problems
    }
}

/// An item in its current version, key included: for staff only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: Uuid,
    pub exam_id: Uuid,
    pub status: ItemStatus,
    pub version: i32,
    pub content: ItemContent,
    pub updated_at: OffsetDateTime,
}

pub(crate) fn item_from(row: item::Model, version: item_version::Model) -> Result<Item, ExamError> {
    Ok(Item {
        id: row.id,
        exam_id: row.exam_id,
        status: row.status,
        version: version.version,
        content: content_from(row.domain_id, &version)?,
        updated_at: row.updated_at,
    })
}

pub(crate) fn content_from(domain_id: Uuid, version: &item_version::Model) -> Result<ItemContent, ExamError> {
    Ok(ItemContent {
        domain_id,
        kind: version.kind,
        stem: version.stem.clone(),
        options: serde_json::from_str(&version.options).context("stored item options")?,
        key: serde_json::from_str(&version.answer_key).context("stored answer key")?,
    })
}

fn check_domain(exam: &Exam, content: &ItemContent, field: &str) -> Vec<FieldProblem> {
    if exam.domains.iter().any(|d| d.id == content.domain_id) {
        Vec::new()
    } else {
        vec![FieldProblem::new(field, "not a domain of this exam")]
    }
}

async fn insert_version(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    item_id: Uuid,
    version: i32,
    content: &ItemContent,
) -> Result<item_version::Model, ExamError> {
    Ok(item_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        item_id: Set(item_id),
        version: Set(version),
        kind: Set(content.kind),
        stem: Set(content.stem.trim().to_owned()),
        options: Set(serde_json::to_string(&content.options).context("serialising options")?),
        answer_key: Set(serde_json::to_string(&content.key).context("serialising the key")?),
        created_at: Set(now),
    }
    .insert(db)
    .await?)
}

async fn insert_item(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    exam_id: Uuid,
    status: ItemStatus,
    content: &ItemContent,
) -> Result<Item, ExamError> {
    let row = item::ActiveModel {
        id: Set(Uuid::now_v7()),
        exam_id: Set(exam_id),
        domain_id: Set(content.domain_id),
        status: Set(status),
        current_version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let version = insert_version(db, now, row.id, 1, content).await?;
    item_from(row, version)
}

pub async fn create_item<C>(db: &C, now: OffsetDateTime, exam_id: Uuid, content: ItemContent) -> Result<Item, ExamError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let exam = get_exam(db, exam_id).await?;
    let mut problems = content.check("");
    problems.extend(check_domain(&exam, &content, "domain_id"));
    if !problems.is_empty() {
        return Err(ExamError::Invalid(problems));
    }
    let txn = certify_core::begin_write(db).await?;
    let item = insert_item(&txn, now, exam_id, ItemStatus::Active, &content).await?;
    txn.commit().await?;
    Ok(item)
}

async fn load_item(db: &impl ConnectionTrait, item_id: Uuid) -> Result<item::Model, ExamError> {
    item::Entity::find_by_id(item_id)
        .one(db)
        .await?
        .ok_or_else(|| ExamError::not_found("item", item_id))
}

async fn current_version(db: &impl ConnectionTrait, row: &item::Model) -> Result<item_version::Model, ExamError> {
    item_version::Entity::find()
        .filter(item_version::Column::ItemId.eq(row.id))
        .filter(item_version::Column::Version.eq(row.current_version))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("item {} lacks version {}", row.id, row.current_version).into())
}

pub async fn get_item(db: &impl ConnectionTrait, item_id: Uuid) -> Result<Item, ExamError> {
    let row = load_item(db, item_id).await?;
    let version = current_version(db, &row).await?;
    item_from(row, version)
}

/// Replaces an item's content with a new version and, optionally, changes its status.
pub async fn revise_item<C>(
    db: &C,
    now: OffsetDateTime,
    item_id: Uuid,
    content: Option<ItemContent>,
    status: Option<ItemStatus>,
) -> Result<Item, ExamError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await?;
    let row = load_item(&txn, item_id).await?;
    let exam = get_exam(&txn, row.exam_id).await?;
    let current = current_version(&txn, &row).await?;
    let mut active = row.clone().into_active_model();
    let current_content = content_from(row.domain_id, &current)?;
    if let Some(content) = content.filter(|c| *c != current_content) {
        let mut problems = content.check("");
        problems.extend(check_domain(&exam, &content, "domain_id"));
        if !problems.is_empty() {
            return Err(ExamError::Invalid(problems));
        }
        let next = row.current_version + 1;
        insert_version(&txn, now, item_id, next, &content).await?;
        active.current_version = Set(next);
        active.domain_id = Set(content.domain_id);
    }
    if let Some(status) = status {
        active.status = Set(status);
    }
    active.updated_at = Set(now);
    active.update(&txn).await?;
    txn.commit().await?;
    get_item(db, item_id).await
}

/// An exam's items in creation order, keyset-paginated.
pub async fn list_items(db: &impl ConnectionTrait, exam_id: Uuid, page: PageRequest) -> Result<Page<Item>, ExamError> {
    get_exam(db, exam_id).await?;
    let mut query = item::Entity::find()
        .filter(item::Column::ExamId.eq(exam_id))
        .order_by_asc(item::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(item::Column::Id.gt(after));
    }
    let rows = query.limit(page.size.get() + 1).all(db).await?;
    let items = with_current_versions(db, rows).await?;
    Ok(Page::from_overfetched(items, page, |i| i.id))
}

async fn with_current_versions(db: &impl ConnectionTrait, rows: Vec<item::Model>) -> Result<Vec<Item>, ExamError> {
    let wanted: HashMap<Uuid, i32> = rows.iter().map(|r| (r.id, r.current_version)).collect();
    let mut versions: HashMap<Uuid, item_version::Model> = item_version::Entity::find()
        .filter(item_version::Column::ItemId.is_in(wanted.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter(|v| wanted.get(&v.item_id) == Some(&v.version))
        .map(|v| (v.item_id, v))
        .collect();
    rows.into_iter()
        .map(|row| {
            let version = versions.remove(&row.id).context("item without its current version")?;
            item_from(row, version)
        })
        .collect()
}

/// Every item of an exam in its current version (active and retired).
pub async fn export_bank(db: &impl ConnectionTrait, exam_id: Uuid) -> Result<Vec<Item>, ExamError> {
    get_exam(db, exam_id).await?;
    let rows = item::Entity::find()
        .filter(item::Column::ExamId.eq(exam_id))
        .order_by_asc(item::Column::Id)
        .all(db)
        .await?;
    with_current_versions(db, rows).await
}

/// One item of an import document. With `id` it revises that item; without, it adds one.
#[derive(Debug, Clone)]
pub struct ImportedItem {
    pub id: Option<Uuid>,
    /// The domain by name, so a bank exported from one deployment imports into another.
    pub domain: String,
    pub kind: Option<ItemKind>,
    pub stem: String,
    pub options: Vec<ItemOption>,
    pub key: BTreeSet<String>,
    pub status: ItemStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub created: usize,
    pub revised: usize,
    pub unchanged: usize,
    /// Where the active bank's keys sit after the import; a lopsided kind is a warning to staff.
    pub key_positions: Vec<KeyPositions>,
}

/// Imports a whole bank document in one transaction. Every item is checked first; if any is bad
/// the answer lists a problem per bad field (`items[i].field`) and nothing is written.
pub async fn import_bank<C>(
    db: &C,
    now: OffsetDateTime,
    exam_id: Uuid,
    items: Vec<ImportedItem>,
) -> Result<ImportReport, ExamError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await?;
    let exam = get_exam(&txn, exam_id).await?;
    let existing: HashMap<Uuid, Item> = export_bank(&txn, exam_id)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut problems = Vec::new();
    let mut resolved = Vec::new();
    let mut seen_ids = HashSet::new();
    for (index, imported) in items.into_iter().enumerate() {
        let prefix = format!("items[{index}].");
        let domain = exam
            .domains
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(imported.domain.trim()));
        if domain.is_none() {
            problems.push(FieldProblem::new(
                format!("{prefix}domain"),
                format!("no domain named `{}` in this exam", imported.domain),
            ));
        }
        let Some(kind) = imported.kind else {
            problems.push(FieldProblem::new(
                format!("{prefix}kind"),
                "must be single_choice, multiple_response or true_false",
            ));
            continue;
        };
        if let Some(id) = imported.id {
            if !existing.contains_key(&id) {
                problems.push(FieldProblem::new(format!("{prefix}id"), "not an item of this exam"));
            }
            if !seen_ids.insert(id) {
                problems.push(FieldProblem::new(
                    format!("{prefix}id"),
                    "appears twice in the document",
                ));
            }
        }
        let content = ItemContent {
            domain_id: domain.map(|d| d.id).unwrap_or_default(),
            kind,
            stem: imported.stem,
            options: imported.options,
            key: imported.key,
        };
        problems.extend(content.check(&prefix));
        resolved.push((imported.id, content, imported.status));
    }
    if !problems.is_empty() {
        return Err(ExamError::Invalid(problems));
    }
    let mut report = ImportReport::default();
    for (id, content, status) in resolved {
        match id.and_then(|id| existing.get(&id)) {
            None => {
                insert_item(&txn, now, exam_id, status, &content).await?;
                report.created += 1;
            }
            Some(current) if current.content == content && current.status == status => report.unchanged += 1,
            Some(current) => {
                let changed_content = (current.content != content).then_some(content);
                revise_item(&txn, now, current.id, changed_content, Some(status)).await?;
                report.revised += 1;
            }
        }
    }
    report.key_positions = active_key_positions(&export_bank(&txn, exam_id).await?);
    txn.commit().await?;
    Ok(report)
}

/// The key positions of a bank's active items.
pub(crate) fn active_key_positions(bank: &[Item]) -> Vec<KeyPositions> {
    key_positions(
        bank.iter()
            .filter(|item| item.status == ItemStatus::Active)
            .map(|item| &item.content),
    )
}
