//! Programme staff's catalogue: every track, course and module with its status (draft,
//! published, retired) and the actions that move it on; each track's exam; and the module
//! editor, which previews the Markdown exactly as learners will see it before saving.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_core::{PageRequest, PageSize};
use certify_courses::{Audience, CourseError, ModuleChanges, PublicationStatus};
use uuid::Uuid;

use crate::access::StaffPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{Chrome, Moment, chrome_for, date_time};
use crate::session::Visitor;

/// A status and the changes it allows, as buttons: (new status, label).
#[derive(Debug, Clone)]
pub struct StatusView {
    pub label: &'static str,
    pub class: &'static str,
    pub actions: Vec<(&'static str, &'static str)>,
}

fn status_view(status: PublicationStatus) -> StatusView {
    match status {
        PublicationStatus::Draft => StatusView {
            label: "Draft",
            class: "superseded",
            actions: vec![("published", "Publish")],
        },
        PublicationStatus::Published => StatusView {
            label: "Published",
            class: "valid",
            actions: vec![("retired", "Retire")],
        },
        PublicationStatus::Retired => StatusView {
            label: "Retired",
            class: "revoked",
            actions: vec![("published", "Reinstate")],
        },
    }
}

#[derive(Debug, Clone)]
pub struct ModuleRow {
    pub id: Uuid,
    pub title: String,
    pub version: i32,
    pub status: StatusView,
}

#[derive(Debug, Clone)]
pub struct CourseRow {
    pub id: Uuid,
    pub title: String,
    pub required: bool,
    pub status: StatusView,
    pub modules: Vec<ModuleRow>,
}

#[derive(Debug, Clone)]
pub struct TrackRow {
    pub id: Uuid,
    pub title: String,
    pub status: StatusView,
    pub exam_id: Option<Uuid>,
    pub courses: Vec<CourseRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue_admin.html")]
pub struct CatalogueAdmin {
    chrome: Chrome,
    tracks: Vec<TrackRow>,
    /// Why the last change was refused.
    problem: Option<String>,
}

async fn tracks(state: &AppState) -> Result<Vec<TrackRow>, PageError> {
    let page = PageRequest {
        after: None,
        size: PageSize::parse(PageSize::MAX).map_err(PageError::internal)?,
    };
    let mut rows = Vec::new();
    for track in certify_courses::list_tracks(&state.db, Audience::Staff, None, page)
        .await?
        .items
    {
        let detail = certify_courses::get_track(&state.db, Audience::Staff, track.id).await?;
        let mut courses = Vec::with_capacity(detail.courses.len());
        for course in detail.courses {
            let outline = certify_courses::get_course(&state.db, Audience::Staff, course.id).await?;
            courses.push(CourseRow {
                id: course.id,
                title: course.title,
                required: course.required,
                status: status_view(course.status),
                modules: outline
                    .modules
                    .into_iter()
                    .map(|m| ModuleRow {
                        id: m.id,
                        title: m.title,
                        version: m.version,
                        status: status_view(m.status),
                    })
                    .collect(),
            });
        }
        rows.push(TrackRow {
            id: track.id,
            title: track.title,
            status: status_view(track.status),
            exam_id: certify_exams::exam_of_track(&state.db, track.id).await?.map(|e| e.id),
            courses,
        });
    }
    Ok(rows)
}

async fn catalogue_page(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    problem: Option<String>,
) -> Result<(CookieJar, CatalogueAdmin), PageError> {
    let tracks = tracks(state).await?;
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    Ok((
        jar,
        CatalogueAdmin {
            chrome,
            tracks,
            problem,
        },
    ))
}

pub async fn catalogue(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
) -> Result<Response, PageError> {
    Ok(catalogue_page(&state, jar, &visitor, None).await?.into_response())
}

/// Publishes, retires or reinstates a track, course or module; a refused change (a track with
/// no published course, say) is shown above the catalogue.
pub async fn set_status(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath((kind, id)): PagePath<(String, Uuid)>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let to = match form.value("status") {
        Some("published") => PublicationStatus::Published,
        Some("retired") => PublicationStatus::Retired,
        _ => return Err(PageError::not_found("no such change")),
    };
    let now = state.clock.now();
    let part = match kind.as_str() {
        "tracks" => "Track",
        "courses" => "Course",
        _ => "Module",
    };
    let said = match to {
        PublicationStatus::Published => format!("{part} published: learners see it in the catalogue."),
        _ => format!("{part} retired: learners no longer see it; you can reinstate it."),
    };
    let changed = match kind.as_str() {
        "tracks" => certify_courses::set_track_status(&state.db, now, id, to)
            .await
            .map(|_| ()),
        "courses" => certify_courses::set_course_status(&state.db, now, id, to)
            .await
            .map(|_| ()),
        "modules" => certify_courses::set_module_status(&state.db, now, id, to)
            .await
            .map(|_| ()),
        _ => return Err(PageError::not_found("no such part of the catalogue")),
    };
    match changed {
        Ok(()) => {
            let to = format!("/staff/catalogue#{}-{id}", kind.trim_end_matches('s'));
            Ok(crate::notice::redirect(&state, jar, &said, &to).into_response())
        }
        Err(err @ (CourseError::InvalidTransition { .. } | CourseError::NotPublishable(_))) => {
            let page = catalogue_page(&state, jar, &visitor, Some(format!("That change was refused: {err}."))).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "module_editor.html")]
pub struct ModuleEditor {
    chrome: Chrome,
    id: Uuid,
    course_id: Uuid,
    version: i32,
    updated: Moment,
    title: String,
    title_error: Option<String>,
    minutes: String,
    minutes_error: Option<String>,
    body: String,
    body_error: Option<String>,
    /// The body as learners will see it, when a preview was asked for.
    preview: Option<String>,
}

async fn editor(state: &AppState, id: Uuid) -> Result<ModuleEditor, PageError> {
    let module = certify_courses::get_module(&state.db, Audience::Staff, id).await?;
    Ok(ModuleEditor {
        chrome: Chrome::default(),
        id,
        course_id: module.course_id,
        version: module.version,
        updated: date_time(module.updated_at),
        title: module.title,
        title_error: None,
        minutes: module.estimated_minutes.to_string(),
        minutes_error: None,
        body: module.body_markdown,
        body_error: None,
        preview: None,
    })
}

fn with_chrome(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    mut page: ModuleEditor,
) -> Result<(CookieJar, ModuleEditor), PageError> {
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    page.chrome = chrome;
    Ok((jar, page))
}

pub async fn edit_module(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let page = editor(&state, id).await?;
    Ok(with_chrome(&state, jar, &visitor, page)?.into_response())
}

/// Previews (`action=preview`) or saves the module; wrong fields are shown beside themselves
/// with what was typed kept.
pub async fn save_module(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let mut page = editor(&state, id).await?;
    page.title = form.value("title").unwrap_or_default().to_owned();
    page.minutes = form.value("minutes").unwrap_or_default().to_owned();
    page.body = form.value("body").unwrap_or_default().to_owned();
    let title = certify_courses::parse_title(&page.title).map_err(|e| format!("The title {e}."));
    let minutes = crate::pages::typed_number(
        &page.minutes,
        certify_courses::InvalidMinutes,
        certify_courses::parse_minutes,
    )
    .map_err(|e| format!("The time {e}."));
    let body = certify_courses::parse_markdown(&page.body).map_err(|e| format!("The text {e}."));
    page.title_error = title.as_ref().err().cloned();
    page.minutes_error = minutes.as_ref().err().cloned();
    page.body_error = body.as_ref().err().cloned();
    let (Ok(title), Ok(minutes), Ok(body)) = (title, minutes, body) else {
        let page = with_chrome(&state, jar, &visitor, page)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if form.value("action") == Some("preview") {
        page.preview = Some(crate::markdown::to_safe_html(&body));
        return Ok(with_chrome(&state, jar, &visitor, page)?.into_response());
    }
    let changes = ModuleChanges {
        title: Some(title),
        body_markdown: Some(body),
        estimated_minutes: Some(minutes),
        position: None,
    };
    certify_courses::update_module(&state.db, state.clock.now(), id, changes).await?;
    let said = "Module saved. Learners who completed an earlier version keep their completion.";
    Ok(crate::notice::redirect(&state, jar, said, &format!("/staff/modules/{id}/edit")).into_response())
}
