//! Enrolment, completion, progress, eligibility and course statistics.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_courses::{
    CourseLearning, CourseStatistics, Eligibility, Enrolment, LearningOverview, ModuleCompleted, Progress,
    TrackLearning,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Consultant, ConsultantScope, Staff};
use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::paging::{PageQuery, PageView, page_request};
use crate::problem_responses::{Forbidden, NotFound};
use crate::state::AppState;
use crate::views::catalogue::{CourseView, TrackView};

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentView {
    pub id: Uuid,
    pub account_id: Uuid,
    pub course_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub enrolled_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
}

impl From<Enrolment> for EnrolmentView {
    fn from(e: Enrolment) -> Self {
        Self {
            id: e.id,
            account_id: e.account_id,
            course_id: e.course_id,
            enrolled_at: e.enrolled_at,
            completed_at: e.completed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    pub completed_modules: usize,
    pub total_modules: usize,
    /// Whole percent, rounded down: 100 only when every published module is done.
    pub percent: u8,
    /// The first module, in course order, that is not done.
    pub next_module_id: Option<Uuid>,
}

impl From<Progress> for ProgressView {
    fn from(p: Progress) -> Self {
        Self {
            completed_modules: p.completed_modules,
            total_modules: p.total_modules,
            percent: p.percent,
            next_module_id: p.next_module,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionView {
    pub module_id: Uuid,
    /// The version of the module that was completed.
    pub module_version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub completed_at: OffsetDateTime,
    pub course_id: Uuid,
    pub course_progress: ProgressView,
    #[serde(with = "time::serde::rfc3339::option")]
    pub course_completed_at: Option<OffsetDateTime>,
}

impl From<ModuleCompleted> for CompletionView {
    fn from(c: ModuleCompleted) -> Self {
        Self {
            module_id: c.module_id,
            module_version: c.module_version,
            completed_at: c.completed_at,
            course_id: c.course_id,
            course_progress: c.course_progress.into(),
            course_completed_at: c.course_completed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemainingModuleView {
    pub module_id: Uuid,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemainingCourseView {
    pub course_id: Uuid,
    pub title: String,
    pub enrolled: bool,
    /// Published modules still to complete, in course order.
    pub modules_remaining: Vec<RemainingModuleView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityView {
    /// True when every required course of the track is complete: the exam may be started.
    pub eligible: bool,
    /// What remains, course by course; empty when eligible.
    pub remaining: Vec<RemainingCourseView>,
}

impl From<Eligibility> for EligibilityView {
    fn from(e: Eligibility) -> Self {
        Self {
            eligible: e.eligible,
            remaining: e
                .remaining
                .into_iter()
                .map(|c| RemainingCourseView {
                    course_id: c.course_id,
                    title: c.title,
                    enrolled: c.enrolled,
                    modules_remaining: c
                        .modules_remaining
                        .into_iter()
                        .map(|(module_id, title)| RemainingModuleView { module_id, title })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseLearningView {
    pub course: CourseView,
    #[serde(with = "time::serde::rfc3339")]
    pub enrolled_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    pub progress: ProgressView,
}

impl From<CourseLearning> for CourseLearningView {
    fn from(c: CourseLearning) -> Self {
        Self {
            course: c.course.into(),
            enrolled_at: c.enrolled_at,
            completed_at: c.completed_at,
            progress: c.progress.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackLearningView {
    pub track: TrackView,
    #[serde(with = "time::serde::rfc3339")]
    pub enrolled_at: OffsetDateTime,
    pub required_courses_total: usize,
    pub required_courses_completed: usize,
    pub percent: u8,
    pub eligibility: EligibilityView,
}

impl From<TrackLearning> for TrackLearningView {
    fn from(t: TrackLearning) -> Self {
        Self {
            track: t.track.into(),
            enrolled_at: t.enrolled_at,
            required_courses_total: t.required_courses_total,
            required_courses_completed: t.required_courses_completed,
            percent: t.percent,
            eligibility: t.eligibility.into(),
        }
    }
}

/// A consultant's whole learning picture.
#[derive(Debug, Serialize, ToSchema)]
pub struct LearningView {
    pub tracks: Vec<TrackLearningView>,
    /// Every enrolled course, retired ones included: records outlive the catalogue.
    pub courses: Vec<CourseLearningView>,
}

impl From<LearningOverview> for LearningView {
    fn from(o: LearningOverview) -> Self {
        Self {
            tracks: o.tracks.into_iter().map(Into::into).collect(),
            courses: o.courses.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackEnrolmentView {
    pub track_id: Uuid,
    /// Course enrolments this request created (0 when already enrolled in all of them).
    pub courses_newly_enrolled: usize,
}

fn created_or_ok(created: bool) -> StatusCode {
    if created { StatusCode::CREATED } else { StatusCode::OK }
}

/// Enrol in a published track and each of its published courses (consultants). Idempotent.
#[utoipa::path(put, path = "/api/v1/tracks/{track_id}/enrolment", tag = "learning", params(("track_id" = Uuid, Path)),
    responses((status = OK, body = TrackEnrolmentView), Forbidden,
        NotFound))]
pub async fn enrol_in_track(
    State(state): State<AppState>,
    Consultant(me): Consultant,
    ApiPath(track_id): ApiPath<Uuid>,
) -> Result<Json<TrackEnrolmentView>, ApiError> {
    let created = certify_courses::enrol_in_track(&state.db, state.clock.now(), me.account_id, track_id).await?;
    Ok(Json(TrackEnrolmentView {
        track_id,
        courses_newly_enrolled: created,
    }))
}

/// Enrol in a published course (consultants). 201 the first time, 200 with the same enrolment after.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/enrolment", tag = "learning", params(("course_id" = Uuid, Path)),
    responses((status = CREATED, body = EnrolmentView), (status = OK, body = EnrolmentView),
        Forbidden, NotFound))]
pub async fn enrol_in_course(
    State(state): State<AppState>,
    Consultant(me): Consultant,
    ApiPath(course_id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<EnrolmentView>), ApiError> {
    let (enrolment, created) =
        certify_courses::enrol_in_course(&state.db, state.clock.now(), me.account_id, course_id).await?;
    Ok((created_or_ok(created), Json(enrolment.into())))
}

/// Mark a module complete (consultants enrolled in its course). 201 the first time; completing
/// again answers 200 with the original completion and changes nothing.
#[utoipa::path(put, path = "/api/v1/modules/{module_id}/completion", tag = "learning", params(("module_id" = Uuid, Path)),
    responses((status = CREATED, body = CompletionView), (status = OK, body = CompletionView),
        Forbidden, NotFound,
        (status = CONFLICT, description = "not enrolled in the module's course", body = Problem, content_type = PROBLEM_JSON)))]
pub async fn complete_module(
    State(state): State<AppState>,
    Consultant(me): Consultant,
    ApiPath(module_id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<CompletionView>), ApiError> {
    let completed = certify_courses::complete_module(&state.db, state.clock.now(), me.account_id, module_id).await?;
    Ok((created_or_ok(completed.newly_completed), Json(completed.into())))
}

/// Everything the signed-in account is learning, in one call.
#[utoipa::path(get, path = "/api/v1/me/learning", tag = "learning", responses((status = OK, body = LearningView)))]
pub async fn my_learning(State(state): State<AppState>, Caller(me): Caller) -> Result<Json<LearningView>, ApiError> {
    let overview = certify_courses::learning_overview(&state.db, me.account_id).await?;
    Ok(Json(overview.into()))
}

/// Whether the signed-in consultant may start a track's exam, and if not what remains.
#[utoipa::path(get, path = "/api/v1/me/eligibility/{track_id}", tag = "learning", params(("track_id" = Uuid, Path)),
    responses((status = OK, body = EligibilityView), NotFound))]
pub async fn my_eligibility(
    State(state): State<AppState>,
    Caller(me): Caller,
    ApiPath(track_id): ApiPath<Uuid>,
) -> Result<Json<EligibilityView>, ApiError> {
    let eligibility = certify_courses::eligibility_for(&state.db, me.account_id, track_id).await?;
    Ok(Json(eligibility.into()))
}

/// A consultant's learning picture: staff see anyone's, firm admins their firm's consultants',
/// a consultant only their own.
#[utoipa::path(get, path = "/api/v1/consultants/{account_id}/learning", tag = "learning", params(("account_id" = Uuid, Path)),
    responses((status = OK, body = LearningView), NotFound))]
pub async fn consultant_learning(
    State(state): State<AppState>,
    scope: ConsultantScope,
) -> Result<Json<LearningView>, ApiError> {
    let overview = certify_courses::learning_overview(&state.db, scope.account_id).await?;
    Ok(Json(overview.into()))
}

#[derive(Debug, Deserialize)]
pub struct ConsultantTrackPath {
    pub account_id: Uuid,
    pub track_id: Uuid,
}

/// Whether a consultant may start a track's exam, and if not exactly what remains.
#[utoipa::path(get, path = "/api/v1/consultants/{account_id}/eligibility/{track_id}", tag = "learning",
    params(("account_id" = Uuid, Path), ("track_id" = Uuid, Path)),
    responses((status = OK, body = EligibilityView), NotFound))]
pub async fn consultant_eligibility(
    State(state): State<AppState>,
    scope: ConsultantScope,
    ApiPath(path): ApiPath<ConsultantTrackPath>,
) -> Result<Json<EligibilityView>, ApiError> {
    let eligibility = certify_courses::eligibility_for(&state.db, scope.account_id, path.track_id).await?;
    Ok(Json(eligibility.into()))
}

/// A course's enrolments in enrolment order (programme staff).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/enrolments", tag = "learning", params(("course_id" = Uuid, Path), PageQuery),
    responses((status = OK, description = "one page of the course's enrolments", body = PageView<EnrolmentView>), Forbidden,
        NotFound))]
pub async fn list_course_enrolments(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(course_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageView<EnrolmentView>>, ApiError> {
    let page = page_request(query.after, query.limit)?;
    let found = certify_courses::list_course_enrolments(&state.db, course_id, page).await?;
    Ok(Json(PageView {
        items: found.items.into_iter().map(EnrolmentView::from).collect(),
        next_cursor: found.next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseStatisticsView {
    pub course_id: Uuid,
    pub title: String,
    pub enrolments: u64,
    pub completions: u64,
    /// Completions over enrolments, 0 to 1.
    pub completion_rate: f64,
    /// Median seconds from enrolment to completion; absent until someone completes.
    pub median_seconds_to_completion: Option<i64>,
}

impl From<CourseStatistics> for CourseStatisticsView {
    fn from(s: CourseStatistics) -> Self {
        Self {
            course_id: s.course_id,
            title: s.title,
            enrolments: s.enrolments,
            completions: s.completions,
            completion_rate: s.completion_rate,
            median_seconds_to_completion: s.median_time_to_completion.map(|d| d.whole_seconds()),
        }
    }
}

/// Enrolments, completions, completion rate and median time to complete (programme staff).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/statistics", tag = "learning", params(("course_id" = Uuid, Path)),
    responses((status = OK, body = CourseStatisticsView), Forbidden,
        NotFound))]
pub async fn course_statistics(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(course_id): ApiPath<Uuid>,
) -> Result<Json<CourseStatisticsView>, ApiError> {
    let stats = certify_courses::course_statistics(&state.db, course_id).await?;
    Ok(Json(stats.into()))
}

/// The statistics of every course of a track, in track order (programme staff).
#[utoipa::path(get, path = "/api/v1/tracks/{track_id}/statistics", tag = "learning", params(("track_id" = Uuid, Path)),
    responses((status = OK, body = Vec<CourseStatisticsView>), Forbidden,
        NotFound))]
pub async fn track_statistics(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(track_id): ApiPath<Uuid>,
) -> Result<Json<Vec<CourseStatisticsView>>, ApiError> {
    let stats = certify_courses::track_statistics(&state.db, track_id).await?;
    Ok(Json(stats.into_iter().map(Into::into).collect()))
}
