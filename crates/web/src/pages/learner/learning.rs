//! The consultant's learning: "My learning" (the consultant's home), the catalogue, a track, a
//! course, and a module with its Markdown body; enrolling and marking modules complete.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_core::{PageRequest, PageSize};
use certify_courses::{Audience, CourseStanding, Eligibility, LearningOverview, TrackLearning};
use uuid::Uuid;

use super::certificates::{CertificateCard, cards_of};
use crate::access::LearnerPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::markdown;
use crate::pages::{Chrome, chrome_for};
use crate::session::{SignedIn, Visitor};

/// A progress bar's numbers: "8 of 12 modules".
#[derive(Debug, Clone)]
pub struct ProgressView {
    pub done: usize,
    pub total: usize,
    pub percent: u8,
    pub unit: &'static str,
}

/// What remains before a track's exam, course by course.
#[derive(Debug, Clone)]
pub struct RemainingCourse {
    pub id: Uuid,
    pub title: String,
    pub enrolled: bool,
    pub modules: Vec<(Uuid, String)>,
}

pub(crate) fn remaining(eligibility: &Eligibility) -> Vec<RemainingCourse> {
    eligibility
        .remaining
        .iter()
        .map(|c| RemainingCourse {
            id: c.course_id,
            title: c.title.clone(),
            enrolled: c.enrolled,
            modules: c.modules_remaining.clone(),
        })
        .collect()
}

/// One enrolled track on "My learning".
#[derive(Debug, Clone)]
pub struct TrackCard {
    pub id: Uuid,
    pub title: String,
    pub courses: ProgressView,
    pub eligible: bool,
    pub remaining: Vec<RemainingCourse>,
    /// The first module still to do, as a link.
    pub next_module: Option<(Uuid, String)>,
    pub exam_id: Option<Uuid>,
}

pub(crate) async fn track_card(state: &AppState, track: &TrackLearning) -> Result<TrackCard, PageError> {
    let remaining = remaining(&track.eligibility);
    let next_module = remaining.iter().flat_map(|c| c.modules.first().cloned()).next();
    let exam = certify_exams::exam_of_track(&state.db, track.track.id).await?;
    Ok(TrackCard {
        id: track.track.id,
        title: track.track.title.clone(),
        courses: ProgressView {
            done: track.required_courses_completed,
            total: track.required_courses_total,
            percent: track.percent,
            unit: "required courses",
        },
        eligible: track.eligibility.eligible,
        remaining,
        next_module,
        exam_id: exam.map(|e| e.id),
    })
}

/// One enrolled course on "My learning".
#[derive(Debug, Clone)]
pub struct CourseLine {
    pub id: Uuid,
    pub title: String,
    pub progress: ProgressView,
    pub completed: bool,
}

fn course_lines(overview: &LearningOverview) -> Vec<CourseLine> {
    overview
        .courses
        .iter()
        .map(|c| CourseLine {
            id: c.course.id,
            title: c.course.title.clone(),
            progress: modules_progress(&c.progress),
            completed: c.completed_at.is_some(),
        })
        .collect()
}

fn modules_progress(progress: &certify_courses::Progress) -> ProgressView {
    ProgressView {
        done: progress.completed_modules,
        total: progress.total_modules,
        percent: progress.percent,
        unit: "modules",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "my_learning.html")]
pub struct MyLearning {
    chrome: Chrome,
    name: String,
    /// Firms that put the consultant on their roster and wait for a yes.
    invitations: Vec<certify_firms::PendingInvitation>,
    tracks: Vec<TrackCard>,
    courses: Vec<CourseLine>,
    certificates: Vec<CertificateCard>,
}

/// The consultant's home: tracks with progress and what to do next, eligibility for each exam,
/// and the certificates held.
pub async fn my_learning(state: &AppState, jar: CookieJar, visitor: &Visitor) -> Result<Response, PageError> {
    let overview = certify_courses::learning_overview(&state.db, visitor.account.id).await?;
    let mut tracks = Vec::with_capacity(overview.tracks.len());
    for track in &overview.tracks {
        tracks.push(track_card(state, track).await?);
    }
    let certificates = cards_of(state, visitor.account.id).await?;
    let invitations = certify_firms::pending_invitations(&state.db, visitor.account.id)
        .await
        .map_err(PageError::internal)?;
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    let page = MyLearning {
        chrome,
        name: visitor.account.display_name.clone(),
        invitations,
        tracks,
        courses: course_lines(&overview),
        certificates,
    };
    Ok((jar, page).into_response())
}

/// Accepts or declines an invitation to a firm's roster, then goes home.
pub async fn answer_invitation(
    State(state): State<AppState>,
    jar: CookieJar,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<(CookieJar, Redirect), PageError> {
    let account_id = visitor.account.id;
    let accept = match form.value("answer") {
        Some("accept") => true,
        Some("decline") => false,
        // Only the page's two buttons answer; anything else must not count as a refusal.
        _ => return Err(certify_api::ApiError::invalid_field("answer", "choose Join or Decline").into()),
    };
    certify_firms::answer_invitation(&state.db, state.clock.now(), account_id, id, accept)
        .await
        .map_err(certify_api::ApiError::from)?;
    let said = if accept {
        "You joined the firm: its administrators now see your learning and certificates."
    } else {
        "Invitation declined. The firm sees nothing of your learning."
    };
    Ok(crate::notice::redirect(&state, jar, said, "/home"))
}

/// A published track in the catalogue.
#[derive(Debug, Clone)]
pub struct CatalogueTrack {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub enrolled: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue.html")]
pub struct Catalogue {
    chrome: Chrome,
    tracks: Vec<CatalogueTrack>,
    consultant: bool,
}

pub async fn catalogue(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
) -> Result<(CookieJar, Catalogue), PageError> {
    // The programme publishes a handful of tracks; one page holds them all.
    let page = PageRequest {
        after: None,
        size: PageSize::parse(PageSize::MAX).unwrap_or_default(),
    };
    let published = certify_courses::list_tracks(&state.db, Audience::Learner, None, page).await?;
    let overview = certify_courses::learning_overview(&state.db, visitor.account.id).await?;
    let tracks = published
        .items
        .into_iter()
        .map(|t| CatalogueTrack {
            enrolled: overview.tracks.iter().any(|e| e.track.id == t.id),
            id: t.id,
            title: t.title,
            description: t.description,
        })
        .collect();
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let consultant = visitor.is_consultant();
    Ok((
        jar,
        Catalogue {
            chrome,
            tracks,
            consultant,
        },
    ))
}

/// A course of a track, with the visitor's progress in it.
#[derive(Debug, Clone)]
pub struct TrackCourse {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub required: bool,
    pub progress: Option<ProgressView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "track.html")]
pub struct TrackPage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    description_html: String,
    validity_months: u8,
    courses: Vec<TrackCourse>,
    enrolled: bool,
    consultant: bool,
    exam_id: Option<Uuid>,
}

pub async fn track(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
    PagePath(id): PagePath<Uuid>,
) -> Result<(CookieJar, TrackPage), PageError> {
    let detail = certify_courses::get_track(&state.db, Audience::Learner, id).await?;
    let overview = certify_courses::learning_overview(&state.db, visitor.account.id).await?;
    let courses = detail
        .courses
        .iter()
        .map(|c| TrackCourse {
            id: c.id,
            title: c.title.clone(),
            summary: c.summary.clone(),
            required: c.required,
            progress: overview
                .courses
                .iter()
                .find(|e| e.course.id == c.id)
                .map(|e| modules_progress(&e.progress)),
        })
        .collect();
    let exam = certify_exams::exam_of_track(&state.db, id).await?;
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = TrackPage {
        chrome,
        id,
        title: detail.track.title,
        description_html: markdown::to_safe_html(&detail.track.description),
        validity_months: detail.track.certificate_validity_months,
        courses,
        enrolled: overview.tracks.iter().any(|t| t.track.id == id),
        consultant: visitor.is_consultant(),
        exam_id: exam.map(|e| e.id),
    };
    Ok((jar, page))
}

/// Enrols the consultant in the track and each of its courses, then shows the track.
pub async fn enrol_in_track(
    State(state): State<AppState>,
    jar: CookieJar,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    _form: CheckedForm,
) -> Result<(CookieJar, Redirect), PageError> {
    let account_id = visitor.account.id;
    certify_courses::enrol_in_track(&state.db, state.clock.now(), account_id, id).await?;
    let said = "You are enrolled in this track and each of its courses.";
    Ok(crate::notice::redirect(&state, jar, said, &format!("/tracks/{id}")))
}

/// A module in a course's outline, with whether the visitor has done it.
#[derive(Debug, Clone)]
pub struct OutlineModule {
    pub id: Uuid,
    pub title: String,
    pub minutes: i32,
    pub done: bool,
}

fn outline(modules: &[certify_courses::ModuleSummary], standing: Option<&CourseStanding>) -> Vec<OutlineModule> {
    modules
        .iter()
        .map(|m| OutlineModule {
            id: m.id,
            title: m.title.clone(),
            minutes: m.estimated_minutes,
            done: standing.is_some_and(|s| s.done.contains(&m.id)),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "course.html")]
pub struct CoursePage {
    chrome: Chrome,
    id: Uuid,
    track: (Uuid, String),
    title: String,
    summary_html: String,
    required: bool,
    modules: Vec<OutlineModule>,
    total_minutes: i32,
    progress: Option<ProgressView>,
    next_module: Option<Uuid>,
    consultant: bool,
    /// Where to go once this course is complete.
    after: Option<AfterCourse>,
}

/// What follows a completed course: the next required course of the track, else the exam once
/// every required course is done, else the track.
pub enum AfterCourse {
    NextCourse { id: Uuid, title: String },
    Exam { id: Uuid },
    Track,
}

async fn after_course(state: &AppState, account_id: Uuid, track_id: Uuid) -> Result<AfterCourse, PageError> {
    let eligibility = certify_courses::eligibility_for(&state.db, account_id, track_id).await?;
    if let Some(next) = eligibility.remaining.into_iter().next() {
        return Ok(AfterCourse::NextCourse {
            id: next.course_id,
            title: next.title,
        });
    }
    let exam = certify_exams::exam_of_track(&state.db, track_id).await?;
    Ok(match exam {
        Some(exam) if eligibility.eligible => AfterCourse::Exam { id: exam.id },
        _ => AfterCourse::Track,
    })
}

pub async fn course(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
    PagePath(id): PagePath<Uuid>,
) -> Result<(CookieJar, CoursePage), PageError> {
    let detail = certify_courses::get_course(&state.db, Audience::Learner, id).await?;
    let track = certify_courses::get_track(&state.db, Audience::Learner, detail.course.track_id).await?;
    let standing = certify_courses::course_standing(&state.db, visitor.account.id, id).await?;
    let modules = outline(&detail.modules, standing.as_ref());
    let completed = standing.as_ref().is_some_and(|s| s.progress.next_module.is_none());
    let after = match completed {
        true => Some(after_course(&state, visitor.account.id, track.track.id).await?),
        false => None,
    };
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = CoursePage {
        chrome,
        id,
        track: (track.track.id, track.track.title),
        title: detail.course.title,
        summary_html: markdown::to_safe_html(&detail.course.summary),
        required: detail.course.required,
        total_minutes: modules.iter().map(|m| m.minutes).sum(),
        progress: standing.as_ref().map(|s| modules_progress(&s.progress)),
        next_module: standing
            .as_ref()
            .map_or_else(|| modules.first().map(|m| m.id), |s| s.progress.next_module),
        modules,
        consultant: visitor.is_consultant(),
        after,
    };
    Ok((jar, page))
}

/// Enrols the consultant in one course, then shows it.
pub async fn enrol_in_course(
    State(state): State<AppState>,
    jar: CookieJar,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    _form: CheckedForm,
) -> Result<(CookieJar, Redirect), PageError> {
    let account_id = visitor.account.id;
    certify_courses::enrol_in_course(&state.db, state.clock.now(), account_id, id).await?;
    let said = "You are enrolled in this course.";
    Ok(crate::notice::redirect(&state, jar, said, &format!("/courses/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "module.html")]
pub struct ModulePage {
    chrome: Chrome,
    id: Uuid,
    course: (Uuid, String),
    title: String,
    minutes: i32,
    body_html: String,
    position: usize,
    count: usize,
    previous: Option<(Uuid, String)>,
    next: Option<(Uuid, String)>,
    done: bool,
    enrolled: bool,
    consultant: bool,
    progress: Option<ProgressView>,
}

pub async fn module(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedIn(visitor): SignedIn,
    PagePath(id): PagePath<Uuid>,
) -> Result<(CookieJar, ModulePage), PageError> {
    let module = certify_courses::get_module(&state.db, Audience::Learner, id).await?;
    let course = certify_courses::get_course(&state.db, Audience::Learner, module.course_id).await?;
    let standing = certify_courses::course_standing(&state.db, visitor.account.id, module.course_id).await?;
    let modules = outline(&course.modules, standing.as_ref());
    let index = modules.iter().position(|m| m.id == id).unwrap_or(0);
    let neighbour = |i: Option<usize>| i.and_then(|i| modules.get(i)).map(|m| (m.id, m.title.clone()));
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = ModulePage {
        chrome,
        id,
        course: (course.course.id, course.course.title.clone()),
        title: module.title,
        minutes: module.estimated_minutes,
        body_html: markdown::to_safe_html(&module.body_markdown),
        position: index + 1,
        count: modules.len(),
        previous: neighbour(index.checked_sub(1)),
        next: neighbour(Some(index + 1)),
        done: modules.get(index).is_some_and(|m| m.done),
        enrolled: standing.is_some(),
        consultant: visitor.is_consultant(),
        progress: standing.as_ref().map(|s| modules_progress(&s.progress)),
    };
    Ok((jar, page))
}

/// Marks the module complete and moves on: to the next module not done yet, or back to the
/// course when it is finished.
pub async fn complete_module(
    State(state): State<AppState>,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    _form: CheckedForm,
) -> Result<Redirect, PageError> {
    let account_id = visitor.account.id;
    let completed = certify_courses::complete_module(&state.db, state.clock.now(), account_id, id).await?;
    let next = match completed.course_progress.next_module {
        Some(next) => format!("/modules/{next}"),
        None => format!("/courses/{}", completed.course_id),
    };
    Ok(Redirect::to(&next))
}
