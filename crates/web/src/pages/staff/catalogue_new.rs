//! Adding to the catalogue from the web: a new track, a course in a track, a module in a course.
//! Each is one form; what was typed stays, with each problem beside its field. What is added
//! starts as a draft, which learners do not see until staff publish it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_courses::{Audience, CourseContent, ModuleContent, TrackContent};
use uuid::Uuid;

use crate::access::StaffPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{Chrome, chrome_for};
use crate::session::Visitor;

/// One field of a form, as the template lays it out.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `markdown` (a text area), `number` or `checkbox`.
    pub kind: &'static str,
    pub hint: &'static str,
    pub min: u32,
    pub max: u32,
    pub value: String,
    pub error: Option<String>,
}

impl Field {
    fn new(name: &'static str, label: &'static str, kind: &'static str) -> Self {
        Self {
            name,
            label,
            kind,
            hint: "",
            min: 0,
            max: 0,
            value: String::new(),
            error: None,
        }
    }

    fn hint(self, hint: &'static str) -> Self {
        Self { hint, ..self }
    }

    fn range(self, min: u32, max: u32, default: u32) -> Self {
        Self {
            min,
            max,
            value: default.to_string(),
            ..self
        }
    }

    fn checked(self) -> Self {
        Self {
            value: "on".to_owned(),
            ..self
        }
    }

    pub fn is_checked(&self) -> bool {
        !self.value.is_empty()
    }

    /// Takes what was typed, and the parsed value or the problem beside the field.
    fn read<T, E: std::fmt::Display>(
        &mut self,
        form: &CheckedForm,
        what: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        self.value = form.value(self.name).unwrap_or_default().to_owned();
        match parse(&self.value) {
            Ok(value) => Some(value),
            Err(err) => {
                self.error = Some(format!("The {what} {err}."));
                None
            }
        }
    }
}

const MARKDOWN_HINT: &str = "Markdown: headings start with #, lists with -, links as [text](https://…).";

#[derive(Template, WebTemplate)]
#[template(path = "catalogue_new.html")]
pub struct NewPartPage {
    chrome: Chrome,
    heading: String,
    intro: &'static str,
    /// Where "Catalogue" in the crumbs leads back to.
    back: String,
    action: String,
    submit: &'static str,
    fields: Vec<Field>,
}

/// What is being added, and where.
enum Part {
    Track,
    Course { track_id: Uuid, track: String },
    Module { course_id: Uuid, course: String },
}

impl Part {
    async fn in_track(state: &AppState, track_id: Uuid) -> Result<Self, PageError> {
        let track = certify_courses::get_track(&state.db, Audience::Staff, track_id).await?;
        Ok(Part::Course {
            track_id,
            track: track.track.title,
        })
    }

    async fn in_course(state: &AppState, course_id: Uuid) -> Result<Self, PageError> {
        let course = certify_courses::get_course(&state.db, Audience::Staff, course_id).await?;
        Ok(Part::Module {
            course_id,
            course: course.course.title,
        })
    }

    fn blank_fields(&self) -> Vec<Field> {
        let title = Field::new("title", "Title", "text");
        match self {
            Part::Track => vec![
                title,
                Field::new("description", "Description", "markdown").hint(MARKDOWN_HINT),
                Field::new("validity_months", "Certificates hold for (months)", "number").range(
                    1,
                    120,
                    u32::from(certify_courses::DEFAULT_CERTIFICATE_VALIDITY_MONTHS),
                ),
            ],
            Part::Course { .. } => vec![
                title,
                Field::new("summary", "Summary", "markdown").hint(MARKDOWN_HINT),
                Field::new("required", "Required before the track's exam", "checkbox").checked(),
            ],
            Part::Module { .. } => vec![
                title,
                Field::new("minutes", "Minutes to complete", "number").range(1, 600, 15),
                Field::new("body", "Text", "markdown")
                    .hint("Markdown: headings start with #, lists with -, links as [text](https://…). Scripts and embedded frames are removed."),
            ],
        }
    }

    fn page(&self, chrome: Chrome, fields: Vec<Field>) -> NewPartPage {
        let (heading, intro, back, action, submit) = match self {
            Part::Track => (
                "New track".to_owned(),
                "A track is a certification: its courses lead to one exam and one certificate. It starts as a draft.",
                "/staff/catalogue".to_owned(),
                "/staff/catalogue/tracks".to_owned(),
                "Add the track",
            ),
            Part::Course { track_id, track } => (
                format!("Add a course to “{track}”"),
                "The course is added at the end of the track as a draft; publish it once its modules are ready.",
                format!("/staff/catalogue#track-{track_id}"),
                format!("/staff/tracks/{track_id}/courses"),
                "Add the course",
            ),
            Part::Module { course_id, course } => (
                format!("Add a module to “{course}”"),
                "The module is added at the end of the course as a draft. You can preview and change it afterwards.",
                format!("/staff/catalogue#course-{course_id}"),
                format!("/staff/courses/{course_id}/modules"),
                "Add the module",
            ),
        };
        NewPartPage {
            chrome,
            heading,
            intro,
            back,
            action,
            submit,
            fields,
        }
    }

    /// What the page says once the part is made.
    fn added(&self) -> &'static str {
        match self {
            Part::Track => "Track added as a draft: add its courses, then publish it.",
            Part::Course { .. } => "Course added as a draft: add its modules, then publish it.",
            Part::Module { .. } => "Module added as a draft: publish it when it is ready.",
        }
    }

    /// Creates the part from the form; `Err` holds the fields with their problems.
    async fn create(&self, state: &AppState, form: &CheckedForm) -> Result<Result<String, Vec<Field>>, PageError> {
        let mut fields = self.blank_fields();
        let now = state.clock.now();
        let [title, second, third] = &mut fields[..] else {
            return Err(PageError::internal(anyhow::anyhow!("a form of three fields")));
        };
        let title = title.read(form, "title", certify_courses::parse_title);
        let created = match self {
            Part::Track => {
                let description = second.read(form, "description", certify_courses::parse_markdown);
                let months = third.read(form, "validity", |raw| {
                    crate::pages::typed_number(
                        raw,
                        certify_courses::InvalidValidity,
                        certify_courses::parse_validity_months,
                    )
                });
                let (Some(title), Some(description), Some(certificate_validity_months)) = (title, description, months)
                else {
                    return Ok(Err(fields));
                };
                let content = TrackContent {
                    title,
                    description,
                    certificate_validity_months,
                };
                let track = certify_courses::create_track(&state.db, now, content).await?;
                format!("/staff/catalogue#track-{}", track.id)
            }
            Part::Course { track_id, .. } => {
                let summary = second.read(form, "summary", certify_courses::parse_markdown);
                third.value = form.value("required").unwrap_or_default().to_owned();
                let required = third.is_checked();
                let (Some(title), Some(summary)) = (title, summary) else {
                    return Ok(Err(fields));
                };
                let content = CourseContent {
                    title,
                    summary,
                    required,
                };
                let course = certify_courses::create_course(&state.db, now, *track_id, content).await?;
                format!("/staff/catalogue#course-{}", course.id)
            }
            Part::Module { course_id, .. } => {
                let minutes = second.read(form, "time", |raw| {
                    crate::pages::typed_number(raw, certify_courses::InvalidMinutes, certify_courses::parse_minutes)
                });
                let body = third.read(form, "text", certify_courses::parse_markdown);
                let (Some(title), Some(estimated_minutes), Some(body_markdown)) = (title, minutes, body) else {
                    return Ok(Err(fields));
                };
                let content = ModuleContent {
                    title,
                    body_markdown,
                    estimated_minutes,
                };
                let module = certify_courses::create_module(&state.db, now, *course_id, content).await?;
                format!("/staff/catalogue#module-{}", module.id)
            }
        };
        Ok(Ok(created))
    }
}

fn show(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    part: &Part,
    fields: Option<Vec<Field>>,
) -> Result<Response, PageError> {
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    let status = if fields.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let fields = fields.unwrap_or_else(|| part.blank_fields());
    Ok((status, jar, part.page(chrome, fields)).into_response())
}

async fn submitted(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    part: &Part,
    form: &CheckedForm,
) -> Result<Response, PageError> {
    match part.create(state, form).await? {
        Ok(created) => Ok(crate::notice::redirect(state, jar, part.added(), &created).into_response()),
        Err(fields) => show(state, jar, visitor, part, Some(fields)),
    }
}

pub async fn new_track(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
) -> Result<Response, PageError> {
    show(&state, jar, &visitor, &Part::Track, None)
}

pub async fn create_track(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    form: CheckedForm,
) -> Result<Response, PageError> {
    submitted(&state, jar, &visitor, &Part::Track, &form).await
}

pub async fn new_course(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(track_id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let part = Part::in_track(&state, track_id).await?;
    show(&state, jar, &visitor, &part, None)
}

pub async fn create_course(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(track_id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let part = Part::in_track(&state, track_id).await?;
    submitted(&state, jar, &visitor, &part, &form).await
}

pub async fn new_module(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(course_id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let part = Part::in_course(&state, course_id).await?;
    show(&state, jar, &visitor, &part, None)
}

pub async fn create_module(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(course_id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let part = Part::in_course(&state, course_id).await?;
    submitted(&state, jar, &visitor, &part, &form).await
}
