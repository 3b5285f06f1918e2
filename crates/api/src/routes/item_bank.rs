//! The item bank (programme staff): items and their versions, the bank as one JSON document,
//! and item statistics.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_exams::{
    ExamStatistics, ImportReport, ImportedItem, Item, ItemContent, ItemFlag, ItemKind, ItemStatus, KeyPositions,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Staff;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::paging::{PageQuery, PageView, page_request};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::items::{ItemKindName, OptionView};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatusName {
    Active,
    Retired,
}

impl From<ItemStatusName> for ItemStatus {
    fn from(s: ItemStatusName) -> Self {
        match s {
            ItemStatusName::Active => Self::Active,
            ItemStatusName::Retired => Self::Retired,
        }
    }
}

impl From<ItemStatus> for ItemStatusName {
    fn from(s: ItemStatus) -> Self {
        match s {
            ItemStatus::Active => Self::Active,
            ItemStatus::Retired => Self::Retired,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRequest {
    pub domain_id: Uuid,
    pub kind: ItemKindName,
    pub stem: String,
    pub options: Vec<OptionView>,
    /// The ids of the correct options.
    pub key: Vec<String>,
}

impl ItemRequest {
    fn content(self) -> ItemContent {
        ItemContent {
            domain_id: self.domain_id,
            kind: self.kind.into(),
            stem: self.stem,
            options: self.options.into_iter().map(Into::into).collect(),
            key: self.key.into_iter().collect(),
        }
    }
}

/// An item with its key: programme staff only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: Uuid,
    pub exam_id: Uuid,
    pub domain_id: Uuid,
    pub status: ItemStatusName,
    pub version: i32,
    pub kind: ItemKindName,
    pub stem: String,
    pub options: Vec<OptionView>,
    pub key: Vec<String>,
}

impl From<Item> for ItemView {
    fn from(item: Item) -> Self {
        Self {
            id: item.id,
            exam_id: item.exam_id,
            domain_id: item.content.domain_id,
            status: item.status.into(),
            version: item.version,
            kind: item.content.kind.into(),
            stem: item.content.stem,
            options: item.content.options.into_iter().map(Into::into).collect(),
            key: item.content.key.into_iter().collect(),
        }
    }
}

/// Add an item to an exam's bank (programme staff).
#[utoipa::path(post, path = "/api/v1/exams/{exam_id}/items", tag = "item bank", params(("exam_id" = Uuid, Path)), request_body = ItemRequest,
    responses((status = CREATED, body = ItemView), Forbidden,
        NotFound, Invalid))]
pub async fn create_item(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ItemRequest>,
) -> Result<(StatusCode, Json<ItemView>), ApiError> {
    let item = certify_exams::create_item(&state.db, state.clock.now(), exam_id, request.content()).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// An exam's items, oldest first (programme staff).
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}/items", tag = "item bank", params(("exam_id" = Uuid, Path), PageQuery),
    responses((status = OK, description = "one page of the exam's items", body = PageView<ItemView>), Forbidden,
        NotFound))]
pub async fn list_items(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageView<ItemView>>, ApiError> {
    let page = page_request(query.after, query.limit)?;
    let found = certify_exams::list_items(&state.db, exam_id, page).await?;
    Ok(Json(PageView {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor,
    }))
}

/// One item in its current version (programme staff).
#[utoipa::path(get, path = "/api/v1/items/{item_id}", tag = "item bank", params(("item_id" = Uuid, Path)),
    responses((status = OK, body = ItemView), Forbidden,
        NotFound))]
pub async fn get_item(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(item_id): ApiPath<Uuid>,
) -> Result<Json<ItemView>, ApiError> {
    Ok(Json(certify_exams::get_item(&state.db, item_id).await?.into()))
}

/// Revise an item: the new content becomes a new version; attempts keep the versions they served.
#[utoipa::path(put, path = "/api/v1/items/{item_id}", tag = "item bank", params(("item_id" = Uuid, Path)), request_body = ItemRequest,
    responses((status = OK, body = ItemView), Forbidden,
        NotFound, Invalid))]
pub async fn revise_item(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(item_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ItemRequest>,
) -> Result<Json<ItemView>, ApiError> {
    let item = certify_exams::revise_item(&state.db, state.clock.now(), item_id, Some(request.content()), None).await?;
    Ok(Json(item.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemStatusChange {
    pub status: ItemStatusName,
}

/// Retire an item (no longer drawn) or reactivate it (programme staff).
#[utoipa::path(put, path = "/api/v1/items/{item_id}/status", tag = "item bank", params(("item_id" = Uuid, Path)), request_body = ItemStatusChange,
    responses((status = OK, body = ItemView), Forbidden,
        NotFound))]
pub async fn set_item_status(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(item_id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<ItemStatusChange>,
) -> Result<Json<ItemView>, ApiError> {
    let item =
        certify_exams::revise_item(&state.db, state.clock.now(), item_id, None, Some(change.status.into())).await?;
    Ok(Json(item.into()))
}

/// One item of a bank document. Domains are named, so a bank moves between deployments.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankItem {
    /// Revise this item; without an id the item is added.
    pub id: Option<Uuid>,
    pub domain: String,
    /// `single_choice`, `multiple_response` or `true_false`.
    pub kind: String,
    pub stem: String,
    pub options: Vec<OptionView>,
    pub key: Vec<String>,
    pub status: Option<ItemStatusName>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankDocument {
    pub items: Vec<BankItem>,
}

impl BankDocument {
    /// The document as the item bank imports it.
    pub fn into_items(self) -> Vec<ImportedItem> {
        self.items
            .into_iter()
            .map(|item| ImportedItem {
                id: item.id,
                domain: item.domain,
                kind: ItemKind::parse(&item.kind),
                stem: item.stem,
                options: item.options.into_iter().map(Into::into).collect(),
                key: item.key.into_iter().collect::<BTreeSet<_>>(),
                status: item.status.map_or(ItemStatus::Active, Into::into),
            })
            .collect()
    }
}

/// Export an exam's whole bank as one JSON document (programme staff).
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}/bank", tag = "item bank", params(("exam_id" = Uuid, Path)),
    responses((status = OK, body = BankDocument), Forbidden,
        NotFound))]
pub async fn export_bank(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
) -> Result<Json<BankDocument>, ApiError> {
    Ok(Json(bank_document(&state, exam_id).await?))
}

/// The exam's whole bank as the export writes it and the import reads it; the web edge's
/// download is the same document.
pub async fn bank_document(state: &AppState, exam_id: Uuid) -> Result<BankDocument, ApiError> {
    let exam = certify_exams::get_exam(&state.db, exam_id).await?;
    let items = certify_exams::export_bank(&state.db, exam_id).await?;
    let domain_name = |id: Uuid| {
        exam.domains
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    Ok(BankDocument {
        items: items
            .into_iter()
            .map(|item| BankItem {
                id: Some(item.id),
                domain: domain_name(item.content.domain_id),
                kind: item.content.kind.as_str().to_owned(),
                stem: item.content.stem,
                options: item.content.options.into_iter().map(Into::into).collect(),
                key: item.content.key.into_iter().collect(),
                status: Some(item.status.into()),
            })
            .collect(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportView {
    pub created: usize,
    pub revised: usize,
    pub unchanged: usize,
    /// Where the active bank's keys sit after the import, per kind of item.
    pub key_positions: Vec<KeyPositionsView>,
    /// One sentence per kind whose keys crowd some positions; empty when the keys are spread.
    pub warnings: Vec<String>,
}

impl From<ImportReport> for ImportReportView {
    fn from(r: ImportReport) -> Self {
        Self {
            created: r.created,
            revised: r.revised,
            unchanged: r.unchanged,
            warnings: r.key_positions.iter().filter_map(key_warning).collect(),
            key_positions: r.key_positions.into_iter().map(Into::into).collect(),
        }
    }
}

/// How the keys of one kind of item are spread over the options' positions in the bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPositionsView {
    pub kind: ItemKindName,
    /// Active items of this kind.
    pub items: usize,
    /// Per option position in the bank (first option first; for true/false, `true` then
    /// `false`), how many items key it.
    pub keyed: Vec<usize>,
    /// One position is keyed at least twice as often as an even spread would key it (for
    /// multiple-response items: some position is keyed in every item or in none).
    pub lopsided: bool,
}

impl From<KeyPositions> for KeyPositionsView {
    fn from(k: KeyPositions) -> Self {
        Self {
            kind: k.kind.into(),
            items: k.items,
            keyed: k.keyed,
            lopsided: k.lopsided,
        }
    }
}

fn key_warning(k: &KeyPositions) -> Option<String> {
    k.lopsided.then(|| {
        format!(
            "the {} {} items key their options lopsidedly ({:?} per position): spread the correct answers over the positions",
            k.items,
            k.kind.as_str().replace('_', "-"),
            k.keyed
        )
    })
}

/// Import a bank document (programme staff). Every item is checked first: if any is invalid the
/// answer lists each problem as `items[i].field` and nothing is imported.
#[utoipa::path(post, path = "/api/v1/exams/{exam_id}/bank", tag = "item bank", params(("exam_id" = Uuid, Path)), request_body = BankDocument,
    responses((status = OK, body = ImportReportView), Forbidden,
        NotFound, Invalid))]
pub async fn import_bank(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
    ApiJson(document): ApiJson<BankDocument>,
) -> Result<Json<ImportReportView>, ApiError> {
    let items = document.into_items();
    let report = certify_exams::import_bank(&state.db, state.clock.now(), exam_id, items).await?;
    Ok(Json(report.into()))
}

// ---- statistics (staff) --------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemStatisticsView {
    pub item_id: Uuid,
    pub domain_id: Uuid,
    pub stem: String,
    /// Finished attempts that served the item.
    pub attempts: usize,
    /// Proportion of those attempts that answered it correctly.
    pub p_value: Option<f64>,
    /// Point-biserial correlation with the rest of the form.
    pub discrimination: Option<f64>,
    /// `too_easy` (p > 0.95), `too_hard` (p < 0.20), `low_discrimination` (< 0.10); none until
    /// at least 20 finished attempts served the item (`min_sittings_for_flags`).
    pub flags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreBucketView {
    pub from: u16,
    pub to: u16,
    pub attempts: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExamStatisticsView {
    /// Items served in fewer finished attempts than this are measured but never flagged.
    pub min_sittings_for_flags: usize,
    pub finished_attempts: usize,
    pub passed_attempts: usize,
    pub pass_rate: Option<f64>,
    pub score_distribution: Vec<ScoreBucketView>,
    pub items: Vec<ItemStatisticsView>,
    /// Where the active items' keys sit, per kind (the key-position report).
    pub key_positions: Vec<KeyPositionsView>,
}

fn flag_name(flag: ItemFlag) -> String {
    match flag {
        ItemFlag::TooEasy => "too_easy",
        ItemFlag::TooHard => "too_hard",
        ItemFlag::LowDiscrimination => "low_discrimination",
    }
    .to_owned()
}

impl From<ExamStatistics> for ExamStatisticsView {
    fn from(s: ExamStatistics) -> Self {
        Self {
            min_sittings_for_flags: certify_exams::MIN_SITTINGS_FOR_FLAGS,
            finished_attempts: s.finished_attempts,
            passed_attempts: s.passed_attempts,
            pass_rate: s.pass_rate,
            score_distribution: s
                .score_distribution
                .into_iter()
                .map(|b| ScoreBucketView {
                    from: b.from,
                    to: b.to,
                    attempts: b.attempts,
                })
                .collect(),
            items: s
                .items
                .into_iter()
                .map(|i| ItemStatisticsView {
                    item_id: i.item_id,
                    domain_id: i.domain_id,
                    stem: i.stem,
                    attempts: i.attempts,
                    p_value: i.p_value,
                    discrimination: i.discrimination,
                    flags: i.flags.into_iter().map(flag_name).collect(),
                })
                .collect(),
            key_positions: s.key_positions.into_iter().map(Into::into).collect(),
        }
    }
}

/// Pass rate, score distribution and per-item statistics with review flags (programme staff).
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}/statistics", tag = "item bank", params(("exam_id" = Uuid, Path)),
    responses((status = OK, body = ExamStatisticsView), Forbidden,
        NotFound))]
pub async fn exam_statistics(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
) -> Result<Json<ExamStatisticsView>, ApiError> {
    Ok(Json(certify_exams::exam_statistics(&state.db, exam_id).await?.into()))
}
