//! Exams: blueprints and the item bank for staff; attempts for consultants. Nothing a
//! consultant can reach ever carries an answer key, a correctness flag or an item statistic.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_exams::{
    Attempt, AttemptStatus, Blueprint, BlueprintInput, DomainSpec, Exam, ExamError, ExamStatistics, ImportReport,
    ImportedItem, Item, ItemContent, ItemFlag, ItemKind, ItemOption, ItemStatus, KeyPositions, RetakeInput,
    RetakePolicy, ServedItem,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Consultant, Staff};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::paging::{PageQuery, page_request};
use crate::state::AppState;

const JSON_PROBLEM: &str = "application/problem+json";

// ---- blueprint -----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RetakePolicyView {
    /// 0 to 525600 (a year); default 1440 (24 hours).
    #[schema(minimum = 0, maximum = 525_600)]
    pub wait_after_first_fail_minutes: i64,
    /// 0 to 525600 (a year); default 20160 (14 days).
    #[schema(minimum = 0, maximum = 525_600)]
    pub wait_after_later_fails_minutes: i64,
    /// 1 to 100; default 5.
    #[schema(minimum = 1, maximum = 100)]
    pub max_attempts_in_window: i64,
    /// 1 to 3650; default 365 (any rolling 12 months).
    #[schema(minimum = 1, maximum = 3650)]
    pub window_days: i64,
    /// A consultant holding a valid certificate for the track may sit the exam again only this
    /// many days before it expires, to recertify. 0 to 3650 (a window as long as the validity lets a holder sit again at any time); default 90.
    #[serde(default = "default_recertification_window_days")]
    #[schema(minimum = 0, maximum = 3650, default = 90)]
    pub recertification_window_days: i64,
}

fn default_recertification_window_days() -> i64 {
    RetakePolicy::default().recertification_window.whole_days()
}

impl From<RetakePolicy> for RetakePolicyView {
    fn from(p: RetakePolicy) -> Self {
        let input = p.input();
        Self {
            wait_after_first_fail_minutes: input.wait_after_first_fail_minutes,
            wait_after_later_fails_minutes: input.wait_after_later_fails_minutes,
            max_attempts_in_window: input.max_attempts_in_window,
            window_days: input.window_days,
            recertification_window_days: input.recertification_window_days,
        }
    }
}

impl From<RetakePolicyView> for RetakeInput {
    fn from(v: RetakePolicyView) -> Self {
        Self {
            wait_after_first_fail_minutes: v.wait_after_first_fail_minutes,
            wait_after_later_fails_minutes: v.wait_after_later_fails_minutes,
            max_attempts_in_window: v.max_attempts_in_window,
            window_days: v.window_days,
            recertification_window_days: v.recertification_window_days,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DomainView {
    /// Absent for a new domain in a blueprint request.
    pub id: Option<Uuid>,
    pub name: String,
    /// Share of the exam, in percent; the domains' weights add up to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub weight_percent: u8,
    /// How many items each form draws from this domain, 1 to 200.
    #[schema(minimum = 1, maximum = 200)]
    pub items_per_form: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlueprintRequest {
    pub title: String,
    /// 5 to 600; default 90.
    #[schema(minimum = 5, maximum = 600)]
    pub duration_minutes: Option<i64>,
    /// On the 100–1000 scale; default 720.
    #[schema(minimum = 100, maximum = 1000)]
    pub cut_score: Option<i64>,
    /// Percentage of a form's items that must be right to pass (maps to the cut score), 1 to 99; default 70.
    #[schema(minimum = 1, maximum = 99)]
    pub cut_percent: Option<i64>,
    /// Defaults as the large vendors: 24 h after a first fail, 14 days after later ones, 5 in 365 days.
    pub retake_policy: Option<RetakePolicyView>,
    pub domains: Vec<DomainView>,
}

impl BlueprintRequest {
    fn parse(self) -> Result<Blueprint, ApiError> {
        let input = BlueprintInput {
            title: self.title,
            duration_minutes: self.duration_minutes.unwrap_or(Blueprint::DEFAULT_DURATION_MINUTES),
            cut_score: self
                .cut_score
                .unwrap_or(i64::from(certify_exams::ScaledScore::DEFAULT_CUT.get())),
            cut_percent: self.cut_percent.unwrap_or(Blueprint::DEFAULT_CUT_PERCENT),
            retake: self
                .retake_policy
                .map_or_else(|| RetakePolicy::default().input(), Into::into),
            domains: self
                .domains
                .into_iter()
                .map(|d| DomainSpec {
                    id: d.id,
                    name: d.name,
                    weight_percent: d.weight_percent,
                    items_per_form: d.items_per_form,
                })
                .collect(),
        };
        Blueprint::parse(input).map_err(|problems| ApiError::from(ExamError::Invalid(problems)))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExamView {
    pub id: Uuid,
    pub track_id: Uuid,
    pub title: String,
    pub duration_minutes: i64,
    pub cut_score: u16,
    pub cut_percent: u8,
    /// Items on every form: the sum of the domains' draws.
    pub form_length: u32,
    pub retake_policy: RetakePolicyView,
    pub domains: Vec<DomainView>,
}

impl From<Exam> for ExamView {
    fn from(exam: Exam) -> Self {
        Self {
            id: exam.id,
            track_id: exam.track_id,
            title: exam.title.clone(),
            duration_minutes: exam.duration.whole_minutes(),
            cut_score: exam.cut_score.get(),
            cut_percent: exam.cut_percent,
            form_length: exam.form_length(),
            retake_policy: exam.retake.into(),
            domains: exam
                .domains
                .into_iter()
                .map(|d| DomainView {
                    id: Some(d.id),
                    name: d.name,
                    weight_percent: d.weight_percent,
                    items_per_form: d.items_per_form,
                })
                .collect(),
        }
    }
}

/// Create the exam of a track with its blueprint (programme staff).
#[utoipa::path(post, path = "/api/v1/tracks/{track_id}/exam", tag = "exams", params(("track_id" = Uuid, Path)), request_body = BlueprintRequest,
    responses((status = CREATED, body = ExamView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM), (status = CONFLICT, body = Problem, content_type = JSON_PROBLEM),
        (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn create_exam(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(track_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<BlueprintRequest>,
) -> Result<(StatusCode, Json<ExamView>), ApiError> {
    let blueprint = request.parse()?;
    let exam = certify_exams::create_exam(&state.db, state.clock.now(), track_id, blueprint).await?;
    Ok((StatusCode::CREATED, Json(exam.into())))
}

/// The exam of a track.
#[utoipa::path(get, path = "/api/v1/tracks/{track_id}/exam", tag = "exams", params(("track_id" = Uuid, Path)),
    responses((status = OK, body = ExamView), (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn exam_of_track(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(track_id): ApiPath<Uuid>,
) -> Result<Json<ExamView>, ApiError> {
    let audience = crate::routes::catalogue::audience(caller.role);
    certify_courses::get_track(&state.db, audience, track_id).await?;
    let exam = certify_exams::exam_of_track(&state.db, track_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("track {track_id} has no exam")))?;
    Ok(Json(exam.into()))
}

/// An exam and its blueprint.
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}", tag = "exams", params(("exam_id" = Uuid, Path)),
    responses((status = OK, body = ExamView), (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn get_exam(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(exam_id): ApiPath<Uuid>,
) -> Result<Json<ExamView>, ApiError> {
    let exam = certify_exams::get_exam(&state.db, exam_id).await?;
    Ok(Json(exam.into()))
}

/// Replace an exam's blueprint (programme staff). Domains keep their ids; a domain still holding
/// items cannot be removed. Open attempts keep the form they were given.
#[utoipa::path(put, path = "/api/v1/exams/{exam_id}/blueprint", tag = "exams", params(("exam_id" = Uuid, Path)), request_body = BlueprintRequest,
    responses((status = OK, body = ExamView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM), (status = CONFLICT, body = Problem, content_type = JSON_PROBLEM),
        (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn update_blueprint(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<BlueprintRequest>,
) -> Result<Json<ExamView>, ApiError> {
    let blueprint = request.parse()?;
    let exam = certify_exams::update_blueprint(&state.db, state.clock.now(), exam_id, blueprint).await?;
    Ok(Json(exam.into()))
}

// ---- item bank (staff only: these carry answer keys) ---------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKindName {
    SingleChoice,
    MultipleResponse,
    TrueFalse,
}

impl From<ItemKindName> for ItemKind {
    fn from(k: ItemKindName) -> Self {
        match k {
            ItemKindName::SingleChoice => Self::SingleChoice,
            ItemKindName::MultipleResponse => Self::MultipleResponse,
            ItemKindName::TrueFalse => Self::TrueFalse,
        }
    }
}

impl From<ItemKind> for ItemKindName {
    fn from(k: ItemKind) -> Self {
        match k {
            ItemKind::SingleChoice => Self::SingleChoice,
            ItemKind::MultipleResponse => Self::MultipleResponse,
            ItemKind::TrueFalse => Self::TrueFalse,
        }
    }
}

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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OptionView {
    #[schema(example = "a")]
    pub id: String,
    pub text: String,
}

impl From<ItemOption> for OptionView {
    fn from(o: ItemOption) -> Self {
        Self { id: o.id, text: o.text }
    }
}

impl From<OptionView> for ItemOption {
    fn from(o: OptionView) -> Self {
        Self { id: o.id, text: o.text }
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
    responses((status = CREATED, body = ItemView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM), (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn create_item(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ItemRequest>,
) -> Result<(StatusCode, Json<ItemView>), ApiError> {
    let item = certify_exams::create_item(&state.db, state.clock.now(), exam_id, request.content()).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPage {
    pub items: Vec<ItemView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Uuid>,
}

/// An exam's items, oldest first (programme staff).
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}/items", tag = "item bank", params(("exam_id" = Uuid, Path), PageQuery),
    responses((status = OK, body = ItemPage), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn list_items(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ItemPage>, ApiError> {
    let page = page_request(query.after, query.limit)?;
    let found = certify_exams::list_items(&state.db, exam_id, page).await?;
    Ok(Json(ItemPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor,
    }))
}

/// One item in its current version (programme staff).
#[utoipa::path(get, path = "/api/v1/items/{item_id}", tag = "item bank", params(("item_id" = Uuid, Path)),
    responses((status = OK, body = ItemView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn get_item(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(item_id): ApiPath<Uuid>,
) -> Result<Json<ItemView>, ApiError> {
    Ok(Json(certify_exams::get_item(&state.db, item_id).await?.into()))
}

/// Revise an item: the new content becomes a new version; attempts keep the versions they served.
#[utoipa::path(put, path = "/api/v1/items/{item_id}", tag = "item bank", params(("item_id" = Uuid, Path)), request_body = ItemRequest,
    responses((status = OK, body = ItemView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM), (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
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
    responses((status = OK, body = ItemView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
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
    responses((status = OK, body = BankDocument), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn export_bank(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
) -> Result<Json<BankDocument>, ApiError> {
    let exam = certify_exams::get_exam(&state.db, exam_id).await?;
    let items = certify_exams::export_bank(&state.db, exam_id).await?;
    let domain_name = |id: Uuid| {
        exam.domains
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    Ok(Json(BankDocument {
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
    }))
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
    responses((status = OK, body = ImportReportView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM), (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
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
    /// `too_easy` (p > 0.95), `too_hard` (p < 0.20), `low_discrimination` (< 0.10).
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
    responses((status = OK, body = ExamStatisticsView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn exam_statistics(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(exam_id): ApiPath<Uuid>,
) -> Result<Json<ExamStatisticsView>, ApiError> {
    Ok(Json(certify_exams::exam_statistics(&state.db, exam_id).await?.into()))
}

// ---- attempts (consultants) ----------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct ServedItemView {
    /// 1-based question number.
    pub position: u32,
    pub kind: ItemKindName,
    pub stem: String,
    /// In the order this attempt shows them, each id being its letter on this form (`A`, `B`,
    /// …): the ids say nothing about the item bank.
    pub options: Vec<OptionView>,
    /// The letters of the options saved as this attempt's answer.
    pub selected: Vec<String>,
}

impl From<ServedItem> for ServedItemView {
    fn from(item: ServedItem) -> Self {
        Self {
            position: item.position,
            kind: item.kind.into(),
            stem: item.stem,
            options: item.options.into_iter().map(Into::into).collect(),
            selected: item.selected,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainFeedbackView {
    pub domain_id: Uuid,
    pub name: String,
    /// `meets` or `below` the standard.
    pub feedback: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResultView {
    /// On the 100–1000 scale.
    pub scaled_score: u16,
    pub passed: bool,
    pub domains: Vec<DomainFeedbackView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub id: Uuid,
    pub exam_id: Uuid,
    /// `open`, `submitted`, or `expired` (finalised at the deadline with what was saved).
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// The form, while the attempt is open.
    pub items: Vec<ServedItemView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<AttemptResultView>,
}

impl From<Attempt> for AttemptView {
    fn from(a: Attempt) -> Self {
        Self {
            id: a.id,
            exam_id: a.exam_id,
            status: match a.status {
                AttemptStatus::Open => "open",
                AttemptStatus::Submitted => "submitted",
                AttemptStatus::Expired => "expired",
            }
            .to_owned(),
            started_at: a.started_at,
            deadline: a.deadline,
            finished_at: a.finished_at,
            items: a.items.into_iter().map(Into::into).collect(),
            result: a.result.map(|r| AttemptResultView {
                scaled_score: r.scaled_score.get(),
                passed: r.passed,
                domains: r
                    .domains
                    .into_iter()
                    .map(|d| DomainFeedbackView {
                        domain_id: d.domain_id,
                        name: d.name,
                        feedback: if d.meets { "meets" } else { "below" }.to_owned(),
                    })
                    .collect(),
            }),
        }
    }
}

fn random_seed() -> Result<u64, ApiError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|err| ApiError::internal(anyhow::anyhow!("no randomness for a form seed: {err}")))?;
    Ok(u64::from_le_bytes(bytes))
}

/// Start an attempt (consultants): needs the track's required courses complete, no open attempt,
/// and the retake policy's leave. The form is drawn at random per the blueprint.
#[utoipa::path(post, path = "/api/v1/exams/{exam_id}/attempts", tag = "attempts", params(("exam_id" = Uuid, Path)),
    responses((status = CREATED, body = AttemptView), (status = FORBIDDEN, body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM),
        (status = CONFLICT, description = "not eligible, an attempt is open, the retake wait has not passed, or a valid certificate is held outside its recertification window (`may_start_at` says when)", body = Problem, content_type = JSON_PROBLEM)))]
pub async fn start_attempt(
    State(state): State<AppState>,
    Consultant(me): Consultant,
    ApiPath(exam_id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<AttemptView>), ApiError> {
    let seed = random_seed()?;
    let attempt = state.candidate(me.account_id).start_attempt(exam_id, seed).await?;
    Ok((StatusCode::CREATED, Json(attempt.into())))
}

/// The signed-in consultant's attempts at an exam, oldest first.
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}/attempts/mine", tag = "attempts", params(("exam_id" = Uuid, Path)),
    responses((status = OK, body = Vec<AttemptView>), (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn my_attempts(
    State(state): State<AppState>,
    Caller(me): Caller,
    ApiPath(exam_id): ApiPath<Uuid>,
) -> Result<Json<Vec<AttemptView>>, ApiError> {
    let attempts = state.candidate(me.account_id).attempts(exam_id).await?;
    Ok(Json(attempts.into_iter().map(Into::into).collect()))
}

/// One of the signed-in consultant's attempts: the form while open, the result once finished.
#[utoipa::path(get, path = "/api/v1/attempts/{attempt_id}", tag = "attempts", params(("attempt_id" = Uuid, Path)),
    responses((status = OK, body = AttemptView), (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn get_attempt(
    State(state): State<AppState>,
    Caller(me): Caller,
    ApiPath(attempt_id): ApiPath<Uuid>,
) -> Result<Json<AttemptView>, ApiError> {
    let attempt = state.candidate(me.account_id).attempt(attempt_id).await?;
    Ok(Json(attempt.into()))
}

#[derive(Debug, Deserialize)]
pub struct ResponsePath {
    pub attempt_id: Uuid,
    pub position: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseRequest {
    /// The letters of the chosen options, as this attempt serves them; empty clears the answer.
    pub selected: Vec<String>,
}

/// Save the answer to one question of an open attempt. Saving again replaces it; after the
/// deadline nothing is saved.
#[utoipa::path(put, path = "/api/v1/attempts/{attempt_id}/responses/{position}", tag = "attempts",
    params(("attempt_id" = Uuid, Path), ("position" = u32, Path, description = "1-based question number")), request_body = ResponseRequest,
    responses((status = OK, body = ServedItemView), (status = FORBIDDEN, description = "only consultants sit exams", body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM),
        (status = CONFLICT, description = "the attempt is finished", body = Problem, content_type = JSON_PROBLEM),
        (status = UNPROCESSABLE_ENTITY, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn save_response(
    State(state): State<AppState>,
    Consultant(me): Consultant,
    ApiPath(path): ApiPath<ResponsePath>,
    ApiJson(request): ApiJson<ResponseRequest>,
) -> Result<Json<ServedItemView>, ApiError> {
    let saved = state
        .candidate(me.account_id)
        .save_response(path.attempt_id, path.position, request.selected)
        .await?;
    Ok(Json(saved.into()))
}

/// Submit an attempt for scoring. Submitting a finished attempt returns it unchanged.
#[utoipa::path(post, path = "/api/v1/attempts/{attempt_id}/submission", tag = "attempts", params(("attempt_id" = Uuid, Path)),
    responses((status = OK, body = AttemptView), (status = FORBIDDEN, description = "only consultants sit exams", body = Problem, content_type = JSON_PROBLEM),
        (status = NOT_FOUND, body = Problem, content_type = JSON_PROBLEM)))]
pub async fn submit_attempt(
    State(state): State<AppState>,
    Consultant(me): Consultant,
    ApiPath(attempt_id): ApiPath<Uuid>,
) -> Result<Json<AttemptView>, ApiError> {
    let attempt = state.candidate(me.account_id).submit_attempt(attempt_id).await?;
    Ok(Json(attempt.into()))
}
