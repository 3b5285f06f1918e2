//! Attempts, as the consultant sitting them sees them: the form with its options named by their
//! letters on this form, and once finished the scaled score and per-domain feedback. Nothing here
//! carries an answer key or which items were wrong; that is this file's rule.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_exams::{Attempt, AttemptStatus, ServedItem};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Consultant};
use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::items::{ItemKindName, OptionView};

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

/// A fresh seed for drawing a form.
pub fn random_seed() -> Result<u64, ApiError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|err| ApiError::internal(anyhow::anyhow!("no randomness for a form seed: {err}")))?;
    Ok(u64::from_le_bytes(bytes))
}

/// Start an attempt (consultants): needs the track's required courses complete, no open attempt,
/// and the retake policy's leave. The form is drawn at random per the blueprint.
#[utoipa::path(post, path = "/api/v1/exams/{exam_id}/attempts", tag = "attempts", params(("exam_id" = Uuid, Path)),
    responses((status = CREATED, body = AttemptView), Forbidden,
        NotFound,
        (status = CONFLICT, description = "not eligible, an attempt is open, the retake wait has not passed, or a valid certificate is held outside its recertification window (`may_start_at` says when)", body = Problem, content_type = PROBLEM_JSON)))]
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
    responses((status = OK, body = Vec<AttemptView>), NotFound))]
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
    responses((status = OK, body = AttemptView), NotFound))]
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
    responses((status = OK, body = ServedItemView), (status = FORBIDDEN, description = "only consultants sit exams", body = Problem, content_type = PROBLEM_JSON),
        NotFound,
        (status = CONFLICT, description = "the attempt is finished", body = Problem, content_type = PROBLEM_JSON),
        Invalid))]
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
    responses((status = OK, body = AttemptView), (status = FORBIDDEN, description = "only consultants sit exams", body = Problem, content_type = PROBLEM_JSON),
        NotFound))]
pub async fn submit_attempt(
    State(state): State<AppState>,
    Consultant(me): Consultant,
    ApiPath(attempt_id): ApiPath<Uuid>,
) -> Result<Json<AttemptView>, ApiError> {
    let attempt = state.candidate(me.account_id).submit_attempt(attempt_id).await?;
    Ok(Json(attempt.into()))
}
