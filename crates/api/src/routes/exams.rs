//! Exams (programme staff): a track's exam, its blueprint and its retake policy. The item bank
//! is in `item_bank`, what candidates see in `attempts`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_exams::{Blueprint, BlueprintInput, DomainSpec, Exam, ExamError, RetakeInput, RetakePolicy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Staff};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::problem_responses::{Conflict, Forbidden, Invalid, NotFound};
use crate::state::AppState;

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
    responses((status = CREATED, body = ExamView), Forbidden,
        NotFound, Conflict,
        Invalid))]
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
    responses((status = OK, body = ExamView), NotFound))]
pub async fn exam_of_track(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(track_id): ApiPath<Uuid>,
) -> Result<Json<ExamView>, ApiError> {
    let audience = crate::views::catalogue::audience(caller.role);
    certify_courses::get_track(&state.db, audience, track_id).await?;
    let exam = certify_exams::exam_of_track(&state.db, track_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("track {track_id} has no exam")))?;
    Ok(Json(exam.into()))
}

/// An exam and its blueprint.
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}", tag = "exams", params(("exam_id" = Uuid, Path)),
    responses((status = OK, body = ExamView), NotFound))]
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
    responses((status = OK, body = ExamView), Forbidden,
        NotFound, Conflict,
        Invalid))]
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
