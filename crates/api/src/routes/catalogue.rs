//! The course catalogue: tracks → courses → modules. Staff write; everyone signed in reads, and
//! only staff see drafts and retired content.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_courses::{
    CourseChanges, CourseContent, CourseDetail, DEFAULT_CERTIFICATE_VALIDITY_MONTHS, Module, ModuleChanges,
    ModuleContent, ModuleSummary, TrackChanges, TrackContent, TrackDetail, parse_markdown, parse_minutes, parse_title,
    parse_validity_months,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Staff};
use crate::error::{ApiError, Validation};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::paging::{PageView, page_request};
use crate::problem_responses::{Conflict, Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::catalogue::{CourseView, Status, TrackView, audience};

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackDetailView {
    #[serde(flatten)]
    pub track: TrackView,
    /// In order; learners see only published courses.
    pub courses: Vec<CourseView>,
}

impl From<TrackDetail> for TrackDetailView {
    fn from(detail: TrackDetail) -> Self {
        Self {
            track: detail.track.into(),
            courses: detail.courses.into_iter().map(CourseView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleSummaryView {
    pub id: Uuid,
    pub position: i32,
    pub status: Status,
    pub version: i32,
    pub title: String,
    pub estimated_minutes: i32,
}

impl From<ModuleSummary> for ModuleSummaryView {
    fn from(module: ModuleSummary) -> Self {
        Self {
            id: module.id,
            position: module.position,
            status: module.status.into(),
            version: module.version,
            title: module.title,
            estimated_minutes: module.estimated_minutes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseDetailView {
    #[serde(flatten)]
    pub course: CourseView,
    /// In order; learners see only published modules.
    pub modules: Vec<ModuleSummaryView>,
}

impl From<CourseDetail> for CourseDetailView {
    fn from(detail: CourseDetail) -> Self {
        Self {
            course: detail.course.into(),
            modules: detail.modules.into_iter().map(ModuleSummaryView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleView {
    pub id: Uuid,
    pub course_id: Uuid,
    pub position: i32,
    pub status: Status,
    /// Rises each time staff edit a module learners may have seen.
    pub version: i32,
    pub title: String,
    pub body_markdown: String,
    pub estimated_minutes: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Module> for ModuleView {
    fn from(module: Module) -> Self {
        Self {
            id: module.id,
            course_id: module.course_id,
            position: module.position,
            status: module.status.into(),
            version: module.version,
            title: module.title,
            body_markdown: module.body_markdown,
            estimated_minutes: module.estimated_minutes,
            updated_at: module.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackRequest {
    #[schema(example = "AI Deployment Consultant", min_length = 1, max_length = 200)]
    pub title: String,
    /// Markdown.
    #[schema(min_length = 1)]
    pub description: String,
    /// How long the track's certificates hold, 1 to 120 months (default 24).
    #[schema(minimum = 1, maximum = 120)]
    pub certificate_validity_months: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    /// 1 to 120 months; applies to certificates issued from now on.
    #[schema(minimum = 1, maximum = 120)]
    pub certificate_validity_months: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseRequest {
    pub title: String,
    /// Markdown.
    pub summary: String,
    /// Must be complete before the track's exam may be started (default true).
    #[serde(default = "default_required")]
    pub required: bool,
}

fn default_required() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoursePatch {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub required: Option<bool>,
    /// Move to this 0-based place among the track's courses (a place past the end means last).
    #[schema(minimum = 0, maximum = 10_000)]
    pub position: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleRequest {
    pub title: String,
    pub body_markdown: String,
    /// 1 to 600.
    #[schema(minimum = 1, maximum = 600)]
    pub estimated_minutes: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModulePatch {
    pub title: Option<String>,
    pub body_markdown: Option<String>,
    /// 1 to 600.
    #[schema(minimum = 1, maximum = 600)]
    pub estimated_minutes: Option<i64>,
    /// Move to this 0-based place among the course's modules (a place past the end means last).
    #[schema(minimum = 0, maximum = 10_000)]
    pub position: Option<u32>,
}

/// A change of publication status. Draft → published → retired; retired → published reinstates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: Status,
}

fn optional_text(
    v: &mut Validation,
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Result<String, certify_core::TextError>,
) -> Option<Option<String>> {
    v.check_optional(field, raw.map(parse))
}

/// The largest place a `position` may name, as documented.
const MAX_POSITION: u32 = 10_000;

fn position(v: &mut Validation, raw: Option<u32>) -> Option<Option<usize>> {
    v.check_optional(
        "position",
        raw.map(|p| {
            usize::try_from(p)
                .ok()
                .filter(|_| p <= MAX_POSITION)
                .ok_or(format!("must be between 0 and {MAX_POSITION}"))
        }),
    )
}

impl TrackRequest {
    fn parse(self) -> Result<TrackContent, ApiError> {
        let mut v = Validation::default();
        let title = v.check("title", parse_title(&self.title));
        let description = v.check("description", parse_markdown(&self.description));
        let default_months = i64::from(DEFAULT_CERTIFICATE_VALIDITY_MONTHS);
        let validity = v.check(
            "certificate_validity_months",
            parse_validity_months(self.certificate_validity_months.unwrap_or(default_months)),
        );
        let parsed = (|| {
            Some(TrackContent {
                title: title?,
                description: description?,
                certificate_validity_months: validity?,
            })
        })();
        v.finish(parsed)
    }
}

impl TrackPatch {
    fn parse(self) -> Result<TrackChanges, ApiError> {
        let mut v = Validation::default();
        let title = optional_text(&mut v, "title", self.title.as_deref(), parse_title);
        let description = optional_text(&mut v, "description", self.description.as_deref(), parse_markdown);
        let validity = v.check_optional(
            "certificate_validity_months",
            self.certificate_validity_months.map(parse_validity_months),
        );
        let parsed = (|| {
            Some(TrackChanges {
                title: title?,
                description: description?,
                certificate_validity_months: validity?,
            })
        })();
        v.finish(parsed)
    }
}

impl CourseRequest {
    fn parse(self) -> Result<CourseContent, ApiError> {
        let mut v = Validation::default();
        let title = v.check("title", parse_title(&self.title));
        let summary = v.check("summary", parse_markdown(&self.summary));
        let parsed = (|| {
            Some(CourseContent {
                title: title?,
                summary: summary?,
                required: self.required,
            })
        })();
        v.finish(parsed)
    }
}

impl CoursePatch {
    fn parse(self) -> Result<CourseChanges, ApiError> {
        let mut v = Validation::default();
        let title = optional_text(&mut v, "title", self.title.as_deref(), parse_title);
        let summary = optional_text(&mut v, "summary", self.summary.as_deref(), parse_markdown);
        let position = position(&mut v, self.position);
        let parsed = (|| {
            Some(CourseChanges {
                title: title?,
                summary: summary?,
                required: self.required,
                position: position?,
            })
        })();
        v.finish(parsed)
    }
}

impl ModuleRequest {
    fn parse(self) -> Result<ModuleContent, ApiError> {
        let mut v = Validation::default();
        let title = v.check("title", parse_title(&self.title));
        let body = v.check("body_markdown", parse_markdown(&self.body_markdown));
        let minutes = v.check("estimated_minutes", parse_minutes(self.estimated_minutes));
        let parsed = (|| {
            Some(ModuleContent {
                title: title?,
                body_markdown: body?,
                estimated_minutes: minutes?,
            })
        })();
        v.finish(parsed)
    }
}

impl ModulePatch {
    fn parse(self) -> Result<ModuleChanges, ApiError> {
        let mut v = Validation::default();
        let title = optional_text(&mut v, "title", self.title.as_deref(), parse_title);
        let body = optional_text(&mut v, "body_markdown", self.body_markdown.as_deref(), parse_markdown);
        let minutes = v.check_optional("estimated_minutes", self.estimated_minutes.map(parse_minutes));
        let position = position(&mut v, self.position);
        let parsed = (|| {
            Some(ModuleChanges {
                title: title?,
                body_markdown: body?,
                estimated_minutes: minutes?,
                position: position?,
            })
        })();
        v.finish(parsed)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListTracksQuery {
    /// Only tracks with this status (staff; learners only ever see published tracks).
    pub status: Option<Status>,
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// List certification tracks, oldest first.
#[utoipa::path(get, path = "/api/v1/tracks", tag = "catalogue", params(ListTracksQuery),
    responses((status = OK, description = "one page of tracks", body = PageView<TrackView>), Invalid))]
pub async fn list_tracks(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ListTracksQuery>,
) -> Result<Json<PageView<TrackView>>, ApiError> {
    let page = page_request(query.after, query.limit)?;
    let found =
        certify_courses::list_tracks(&state.db, audience(caller.role), query.status.map(Into::into), page).await?;
    Ok(Json(PageView {
        items: found.items.into_iter().map(TrackView::from).collect(),
        next_cursor: found.next_cursor,
    }))
}

/// Create a track, as a draft (programme staff).
#[utoipa::path(post, path = "/api/v1/tracks", tag = "catalogue", request_body = TrackRequest,
    responses((status = CREATED, body = TrackView), Forbidden,
        Invalid))]
pub async fn create_track(
    State(state): State<AppState>,
    _staff: Staff,
    ApiJson(request): ApiJson<TrackRequest>,
) -> Result<(StatusCode, Json<TrackView>), ApiError> {
    let content = request.parse()?;
    let track = certify_courses::create_track(&state.db, state.clock.now(), content).await?;
    Ok((StatusCode::CREATED, Json(track.into())))
}

/// A track with its courses in order.
#[utoipa::path(get, path = "/api/v1/tracks/{track_id}", tag = "catalogue", params(("track_id" = Uuid, Path)),
    responses((status = OK, body = TrackDetailView), NotFound))]
pub async fn get_track(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(track_id): ApiPath<Uuid>,
) -> Result<Json<TrackDetailView>, ApiError> {
    let detail = certify_courses::get_track(&state.db, audience(caller.role), track_id).await?;
    Ok(Json(detail.into()))
}

/// Edit a track's title or description (programme staff).
#[utoipa::path(patch, path = "/api/v1/tracks/{track_id}", tag = "catalogue", params(("track_id" = Uuid, Path)), request_body = TrackPatch,
    responses((status = OK, body = TrackView), Forbidden,
        NotFound, Invalid))]
pub async fn update_track(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(track_id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<TrackPatch>,
) -> Result<Json<TrackView>, ApiError> {
    let changes = patch.parse()?;
    let track = certify_courses::update_track(&state.db, state.clock.now(), track_id, changes).await?;
    Ok(Json(track.into()))
}

/// Publish, retire or reinstate a track (programme staff). Publishing needs a published course.
#[utoipa::path(put, path = "/api/v1/tracks/{track_id}/status", tag = "catalogue", params(("track_id" = Uuid, Path)), request_body = StatusChange,
    responses((status = OK, body = TrackView), Forbidden,
        NotFound, Conflict))]
pub async fn set_track_status(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(track_id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<TrackView>, ApiError> {
    let track = certify_courses::set_track_status(&state.db, state.clock.now(), track_id, change.status.into()).await?;
    Ok(Json(track.into()))
}

/// Add a course at the end of a track, as a draft (programme staff).
#[utoipa::path(post, path = "/api/v1/tracks/{track_id}/courses", tag = "catalogue", params(("track_id" = Uuid, Path)), request_body = CourseRequest,
    responses((status = CREATED, body = CourseView), Forbidden,
        NotFound, Invalid))]
pub async fn create_course(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(track_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<CourseRequest>,
) -> Result<(StatusCode, Json<CourseView>), ApiError> {
    let content = request.parse()?;
    let course = certify_courses::create_course(&state.db, state.clock.now(), track_id, content).await?;
    Ok((StatusCode::CREATED, Json(course.into())))
}

/// A course with its modules in order (without their bodies).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}", tag = "catalogue", params(("course_id" = Uuid, Path)),
    responses((status = OK, body = CourseDetailView), NotFound))]
pub async fn get_course(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(course_id): ApiPath<Uuid>,
) -> Result<Json<CourseDetailView>, ApiError> {
    let detail = certify_courses::get_course(&state.db, audience(caller.role), course_id).await?;
    Ok(Json(detail.into()))
}

/// Edit or move a course (programme staff).
#[utoipa::path(patch, path = "/api/v1/courses/{course_id}", tag = "catalogue", params(("course_id" = Uuid, Path)), request_body = CoursePatch,
    responses((status = OK, body = CourseView), Forbidden,
        NotFound, Invalid))]
pub async fn update_course(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(course_id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<CoursePatch>,
) -> Result<Json<CourseView>, ApiError> {
    let changes = patch.parse()?;
    let course = certify_courses::update_course(&state.db, state.clock.now(), course_id, changes).await?;
    Ok(Json(course.into()))
}

/// Publish, retire or reinstate a course (programme staff). Retiring keeps learners' records.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/status", tag = "catalogue", params(("course_id" = Uuid, Path)), request_body = StatusChange,
    responses((status = OK, body = CourseView), Forbidden,
        NotFound, Conflict))]
pub async fn set_course_status(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(course_id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<CourseView>, ApiError> {
    let course =
        certify_courses::set_course_status(&state.db, state.clock.now(), course_id, change.status.into()).await?;
    Ok(Json(course.into()))
}

/// Add a module at the end of a course, as a draft (programme staff).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/modules", tag = "catalogue", params(("course_id" = Uuid, Path)), request_body = ModuleRequest,
    responses((status = CREATED, body = ModuleView), Forbidden,
        NotFound, Invalid))]
pub async fn create_module(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(course_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ModuleRequest>,
) -> Result<(StatusCode, Json<ModuleView>), ApiError> {
    let content = request.parse()?;
    let module = certify_courses::create_module(&state.db, state.clock.now(), course_id, content).await?;
    Ok((StatusCode::CREATED, Json(module.into())))
}

/// A module's current version, with its body.
#[utoipa::path(get, path = "/api/v1/modules/{module_id}", tag = "catalogue", params(("module_id" = Uuid, Path)),
    responses((status = OK, body = ModuleView), NotFound))]
pub async fn get_module(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(module_id): ApiPath<Uuid>,
) -> Result<Json<ModuleView>, ApiError> {
    let module = certify_courses::get_module(&state.db, audience(caller.role), module_id).await?;
    Ok(Json(module.into()))
}

/// Edit or move a module (programme staff). Editing a module that is or was published creates a
/// new version; completions keep the version they completed.
#[utoipa::path(patch, path = "/api/v1/modules/{module_id}", tag = "catalogue", params(("module_id" = Uuid, Path)), request_body = ModulePatch,
    responses((status = OK, body = ModuleView), Forbidden,
        NotFound, Invalid))]
pub async fn update_module(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(module_id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<ModulePatch>,
) -> Result<Json<ModuleView>, ApiError> {
    let changes = patch.parse()?;
    let module = certify_courses::update_module(&state.db, state.clock.now(), module_id, changes).await?;
    Ok(Json(module.into()))
}

/// Publish, retire or reinstate a module (programme staff).
#[utoipa::path(put, path = "/api/v1/modules/{module_id}/status", tag = "catalogue", params(("module_id" = Uuid, Path)), request_body = StatusChange,
    responses((status = OK, body = ModuleView), Forbidden,
        NotFound, Conflict))]
pub async fn set_module_status(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(module_id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<ModuleView>, ApiError> {
    let module =
        certify_courses::set_module_status(&state.db, state.clock.now(), module_id, change.status.into()).await?;
    Ok(Json(module.into()))
}
