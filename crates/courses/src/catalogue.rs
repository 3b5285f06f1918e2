//! Staff keep the catalogue; everyone reads it, learners only what is published.

use std::collections::HashMap;

use anyhow::Context as _;
use certify_core::{Page, PageRequest};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession as _, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::{PublicationStatus, course, module, module_version, track};
use crate::{CourseContent, CourseError, ModuleContent, TrackContent, rules};

/// Who is reading: staff see every status, learners (and anyone who is not staff) only
/// published content under published parents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Learner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub status: PublicationStatus,
    pub certificate_validity_months: u8,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    pub id: Uuid,
    pub track_id: Uuid,
    pub position: i32,
    pub title: String,
    pub summary: String,
    pub required: bool,
    pub status: PublicationStatus,
    pub updated_at: OffsetDateTime,
}

/// A module with the content of its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub id: Uuid,
    pub course_id: Uuid,
    pub position: i32,
    pub status: PublicationStatus,
    pub version: i32,
    pub title: String,
    pub body_markdown: String,
    pub estimated_minutes: i32,
    pub updated_at: OffsetDateTime,
}

/// A module in a course's outline: everything but the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSummary {
    pub id: Uuid,
    pub position: i32,
    pub status: PublicationStatus,
    pub version: i32,
    pub title: String,
    pub estimated_minutes: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackDetail {
    pub track: Track,
    pub courses: Vec<Course>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseDetail {
    pub course: Course,
    pub modules: Vec<ModuleSummary>,
}

#[derive(Debug, Clone, Default)]
pub struct TrackChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub certificate_validity_months: Option<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct CourseChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub required: Option<bool>,
    /// Move the course to this 0-based place among its track's courses.
    pub position: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct ModuleChanges {
    pub title: Option<String>,
    pub body_markdown: Option<String>,
    pub estimated_minutes: Option<i32>,
    /// Move the module to this 0-based place among its course's modules.
    pub position: Option<usize>,
}

impl From<track::Model> for Track {
    fn from(row: track::Model) -> Self {
        Self {
            id: row.id,
            title: row.title,
            description: row.description,
            status: row.status,
            certificate_validity_months: u8::try_from(row.certificate_validity_months).unwrap_or(24),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl From<course::Model> for Course {
    fn from(row: course::Model) -> Self {
        Self {
            id: row.id,
            track_id: row.track_id,
            position: row.position,
            title: row.title,
            summary: row.summary,
            required: row.required,
            status: row.status,
            updated_at: row.updated_at,
        }
    }
}

fn module_from(row: module::Model, content: module_version::Model) -> Module {
    Module {
        id: row.id,
        course_id: row.course_id,
        position: row.position,
        status: row.status,
        version: row.current_version,
        title: content.title,
        body_markdown: content.body_markdown,
        estimated_minutes: content.estimated_minutes,
        updated_at: row.updated_at,
    }
}

// ---- reading, with visibility -------------------------------------------------------------

fn visible(audience: Audience, status: PublicationStatus) -> bool {
    audience == Audience::Staff || status == PublicationStatus::Published
}

pub(crate) async fn load_track(
    db: &impl ConnectionTrait,
    audience: Audience,
    id: Uuid,
) -> Result<track::Model, CourseError> {
    let row = track::Entity::find_by_id(id).one(db).await.context("reading a track")?;
    row.filter(|t| visible(audience, t.status))
        .ok_or_else(|| CourseError::track(id))
}

pub(crate) async fn load_course(
    db: &impl ConnectionTrait,
    audience: Audience,
    id: Uuid,
) -> Result<course::Model, CourseError> {
    let row = course::Entity::find_by_id(id)
        .one(db)
        .await
        .context("reading a course")?;
    let row = row
        .filter(|c| visible(audience, c.status))
        .ok_or_else(|| CourseError::course(id))?;
    // A published course of an unpublished track is still invisible to learners.
    load_track(db, audience, row.track_id)
        .await
        .map_err(|_| CourseError::course(id))?;
    Ok(row)
}

pub(crate) async fn load_module(
    db: &impl ConnectionTrait,
    audience: Audience,
    id: Uuid,
) -> Result<module::Model, CourseError> {
    let row = module::Entity::find_by_id(id)
        .one(db)
        .await
        .context("reading a module")?;
    let row = row
        .filter(|m| visible(audience, m.status))
        .ok_or_else(|| CourseError::module(id))?;
    load_course(db, audience, row.course_id)
        .await
        .map_err(|_| CourseError::module(id))?;
    Ok(row)
}

async fn current_content(db: &impl ConnectionTrait, row: &module::Model) -> Result<module_version::Model, CourseError> {
    module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(row.id))
        .filter(module_version::Column::Version.eq(row.current_version))
        .one(db)
        .await
        .context("reading a module version")?
        .ok_or_else(|| anyhow::anyhow!("module {} has no version {}", row.id, row.current_version).into())
}

pub async fn list_tracks(
    db: &impl ConnectionTrait,
    audience: Audience,
    status: Option<PublicationStatus>,
    page: PageRequest,
) -> Result<Page<Track>, CourseError> {
    let mut query = track::Entity::find().order_by_asc(track::Column::Id);
    if audience == Audience::Learner {
        query = query.filter(track::Column::Status.eq(PublicationStatus::Published));
    }
    if let Some(status) = status {
        query = query.filter(track::Column::Status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(track::Column::Id.gt(after));
    }
    let rows = query
        .limit(page.size.get() + 1)
        .all(db)
        .await
        .context("listing tracks")?;
    Ok(Page::from_overfetched(
        rows.into_iter().map(Track::from).collect(),
        page,
        |t| t.id,
    ))
}

/// The courses of a track in order, as `audience` may see them.
pub(crate) async fn track_courses(
    db: &impl ConnectionTrait,
    audience: Audience,
    track_id: Uuid,
) -> Result<Vec<course::Model>, CourseError> {
    let mut query = course::Entity::find()
        .filter(course::Column::TrackId.eq(track_id))
        .order_by_asc(course::Column::Position);
    if audience == Audience::Learner {
        query = query.filter(course::Column::Status.eq(PublicationStatus::Published));
    }
    Ok(query.all(db).await.context("listing a track's courses")?)
}

pub async fn get_track(db: &impl ConnectionTrait, audience: Audience, id: Uuid) -> Result<TrackDetail, CourseError> {
    let track = load_track(db, audience, id).await?;
    let courses = track_courses(db, audience, id).await?;
    Ok(TrackDetail {
        track: track.into(),
        courses: courses.into_iter().map(Course::from).collect(),
    })
}

/// The modules of some courses in order, with their current titles, as `audience` may see them.
pub(crate) async fn course_outlines(
    db: &impl ConnectionTrait,
    audience: Audience,
    course_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<ModuleSummary>>, CourseError> {
    let mut query = module::Entity::find()
        .filter(module::Column::CourseId.is_in(course_ids.iter().copied()))
        .order_by_asc(module::Column::Position);
    if audience == Audience::Learner {
        query = query.filter(module::Column::Status.eq(PublicationStatus::Published));
    }
    let modules = query.all(db).await.context("listing modules")?;
    let versions = module_version::Entity::find()
        .filter(module_version::Column::ModuleId.is_in(modules.iter().map(|m| m.id)))
        .all(db)
        .await
        .context("reading module versions")?;
    let current_version: HashMap<Uuid, i32> = modules.iter().map(|m| (m.id, m.current_version)).collect();
    let current: HashMap<Uuid, module_version::Model> = versions
        .into_iter()
        .filter(|v| current_version.get(&v.module_id) == Some(&v.version))
        .map(|v| (v.module_id, v))
        .collect();
    let mut outlines: HashMap<Uuid, Vec<ModuleSummary>> = course_ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in modules {
        let content = modules_current(&current, &row)?;
        outlines.entry(row.course_id).or_default().push(ModuleSummary {
            id: row.id,
            position: row.position,
            status: row.status,
            version: row.current_version,
            title: content.title.clone(),
            estimated_minutes: content.estimated_minutes,
        });
    }
    Ok(outlines)
}

fn modules_current<'a>(
    current: &'a HashMap<Uuid, module_version::Model>,
    row: &module::Model,
) -> Result<&'a module_version::Model, CourseError> {
    current
        .get(&row.id)
        .ok_or_else(|| anyhow::anyhow!("module {} lacks its current version", row.id).into())
}

pub async fn get_course(db: &impl ConnectionTrait, audience: Audience, id: Uuid) -> Result<CourseDetail, CourseError> {
    let course = load_course(db, audience, id).await?;
    let mut outlines = course_outlines(db, audience, &[id]).await?;
    Ok(CourseDetail {
        course: course.into(),
        modules: outlines.remove(&id).unwrap_or_default(),
    })
}

pub async fn get_module(db: &impl ConnectionTrait, audience: Audience, id: Uuid) -> Result<Module, CourseError> {
    let row = load_module(db, audience, id).await?;
    let content = current_content(db, &row).await?;
    Ok(module_from(row, content))
}

// ---- writing -------------------------------------------------------------------------------

pub async fn create_track(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    content: TrackContent,
) -> Result<Track, CourseError> {
    let row = track::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(content.title),
        description: Set(content.description),
        certificate_validity_months: Set(content.certificate_validity_months.into()),
        status: Set(PublicationStatus::Draft),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .context("inserting a track")?;
    Ok(row.into())
}

pub async fn update_track(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    id: Uuid,
    changes: TrackChanges,
) -> Result<Track, CourseError> {
    let mut row = load_track(db, Audience::Staff, id).await?.into_active_model();
    if let Some(title) = changes.title {
        row.title = Set(title);
    }
    if let Some(description) = changes.description {
        row.description = Set(description);
    }
    if let Some(months) = changes.certificate_validity_months {
        row.certificate_validity_months = Set(months.into());
    }
    row.updated_at = Set(now);
    Ok(row.update(db).await.context("updating a track")?.into())
}

/// Draft → published, published → retired, retired → published (reinstated), draft → retired
/// (abandoned). Asking for the status something already has changes nothing.
fn check_transition(kind: &'static str, from: PublicationStatus, to: PublicationStatus) -> Result<(), CourseError> {
    use PublicationStatus::{Draft, Published, Retired};
    match (from, to) {
        (Draft, Published) | (Published, Retired) | (Retired, Published) | (Draft, Retired) => Ok(()),
        _ if from == to => Ok(()),
        _ => Err(CourseError::InvalidTransition { kind, from, to }),
    }
}

pub async fn set_track_status(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    id: Uuid,
    to: PublicationStatus,
) -> Result<Track, CourseError> {
    let row = load_track(db, Audience::Staff, id).await?;
    check_transition("track", row.status, to)?;
    if to == PublicationStatus::Published {
        let published_courses = course::Entity::find()
            .filter(course::Column::TrackId.eq(id))
            .filter(course::Column::Status.eq(PublicationStatus::Published))
            .count(db)
            .await
            .context("counting published courses")?;
        if published_courses == 0 {
            return Err(CourseError::NotPublishable(
                "publish at least one course of the track first".into(),
            ));
        }
    }
    let mut row = row.into_active_model();
    row.status = Set(to);
    row.updated_at = Set(now);
    Ok(row.update(db).await.context("changing a track's status")?.into())
}

pub async fn create_course(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    track_id: Uuid,
    content: CourseContent,
) -> Result<Course, CourseError> {
    load_track(db, Audience::Staff, track_id).await?;
    let position = track_courses(db, Audience::Staff, track_id).await?.len();
    let row = course::ActiveModel {
        id: Set(Uuid::now_v7()),
        track_id: Set(track_id),
        position: Set(position_number(position)?),
        title: Set(content.title),
        summary: Set(content.summary),
        required: Set(content.required),
        status: Set(PublicationStatus::Draft),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .context("inserting a course")?;
    Ok(row.into())
}

fn position_number(index: usize) -> Result<i32, CourseError> {
    Ok(i32::try_from(index).context("too many siblings")?)
}

pub async fn update_course<C>(
    db: &C,
    now: OffsetDateTime,
    id: Uuid,
    changes: CourseChanges,
) -> Result<Course, CourseError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a course update")?;
    let existing = load_course(&txn, Audience::Staff, id).await?;
    if let Some(to_index) = changes.position {
        let siblings = track_courses(&txn, Audience::Staff, existing.track_id).await?;
        let order = rules::reorder(siblings.iter().map(|c| c.id).collect(), id, to_index);
        for sibling in siblings {
            let at = order.iter().position(|o| *o == sibling.id).unwrap_or_default();
            let mut sibling = sibling.into_active_model();
            sibling.position = Set(position_number(at)?);
            sibling.update(&txn).await.context("renumbering courses")?;
        }
    }
    let mut row = course::Entity::find_by_id(id)
        .one(&txn)
        .await
        .context("re-reading a course")?
        .ok_or_else(|| CourseError::course(id))?
        .into_active_model();
    if let Some(title) = changes.title {
        row.title = Set(title);
    }
    if let Some(summary) = changes.summary {
        row.summary = Set(summary);
    }
    if let Some(required) = changes.required {
        row.required = Set(required);
    }
    row.updated_at = Set(now);
    let updated = row.update(&txn).await.context("updating a course")?;
    txn.commit().await.context("committing a course update")?;
    Ok(updated.into())
}

pub async fn set_course_status(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    id: Uuid,
    to: PublicationStatus,
) -> Result<Course, CourseError> {
    let row = load_course(db, Audience::Staff, id).await?;
    check_transition("course", row.status, to)?;
    if to == PublicationStatus::Published {
        let published_modules = module::Entity::find()
            .filter(module::Column::CourseId.eq(id))
            .filter(module::Column::Status.eq(PublicationStatus::Published))
            .count(db)
            .await
            .context("counting published modules")?;
        if published_modules == 0 {
            return Err(CourseError::NotPublishable(
                "publish at least one module of the course first".into(),
            ));
        }
    }
    // Retiring keeps every enrolment and completion: learners' records outlive the catalogue.
    let mut row = row.into_active_model();
    row.status = Set(to);
    row.updated_at = Set(now);
    Ok(row.update(db).await.context("changing a course's status")?.into())
}

pub async fn create_module<C>(
    db: &C,
    now: OffsetDateTime,
    course_id: Uuid,
    content: ModuleContent,
) -> Result<Module, CourseError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a module insert")?;
    load_course(&txn, Audience::Staff, course_id).await?;
    let position = module::Entity::find()
        .filter(module::Column::CourseId.eq(course_id))
        .count(&txn)
        .await
        .context("counting modules")?;
    let row = module::ActiveModel {
        id: Set(Uuid::now_v7()),
        course_id: Set(course_id),
        position: Set(position_number(usize::try_from(position).context("module count")?)?),
        status: Set(PublicationStatus::Draft),
        current_version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .context("inserting a module")?;
    let version = insert_version(&txn, now, row.id, 1, content).await?;
    txn.commit().await.context("committing a module insert")?;
    Ok(module_from(row, version))
}

async fn insert_version(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    module_id: Uuid,
    version: i32,
    content: ModuleContent,
) -> Result<module_version::Model, CourseError> {
    Ok(module_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        module_id: Set(module_id),
        version: Set(version),
        title: Set(content.title),
        body_markdown: Set(content.body_markdown),
        estimated_minutes: Set(content.estimated_minutes),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .context("inserting a module version")?)
}

/// Changes a module's content. A draft is edited in place; a module learners may have seen
/// gets a new version, so completions keep pointing at what was actually completed.
pub async fn update_module<C>(
    db: &C,
    now: OffsetDateTime,
    id: Uuid,
    changes: ModuleChanges,
) -> Result<Module, CourseError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a module update")?;
    let row = load_module(&txn, Audience::Staff, id).await?;
    if let Some(to_index) = changes.position {
        let siblings = module::Entity::find()
            .filter(module::Column::CourseId.eq(row.course_id))
            .order_by_asc(module::Column::Position)
            .all(&txn)
            .await
            .context("listing modules")?;
        let order = rules::reorder(siblings.iter().map(|m| m.id).collect(), id, to_index);
        for sibling in siblings {
            let at = order.iter().position(|o| *o == sibling.id).unwrap_or_default();
            let mut sibling = sibling.into_active_model();
            sibling.position = Set(position_number(at)?);
            sibling.update(&txn).await.context("renumbering modules")?;
        }
    }
    let current = current_content(&txn, &row).await?;
    let content = ModuleContent {
        title: changes.title.unwrap_or(current.title.clone()),
        body_markdown: changes.body_markdown.unwrap_or(current.body_markdown.clone()),
        estimated_minutes: changes.estimated_minutes.unwrap_or(current.estimated_minutes),
    };
    let content_changed = content.title != current.title
        || content.body_markdown != current.body_markdown
        || content.estimated_minutes != current.estimated_minutes;
    let mut module_row = module::Entity::find_by_id(id)
        .one(&txn)
        .await
        .context("re-reading a module")?
        .ok_or_else(|| CourseError::module(id))?
        .into_active_model();
    let version = if !content_changed {
        current
    } else if row.status == PublicationStatus::Draft {
        let mut draft = current.into_active_model();
        draft.title = Set(content.title);
        draft.body_markdown = Set(content.body_markdown);
        draft.estimated_minutes = Set(content.estimated_minutes);
        draft.update(&txn).await.context("editing a draft module")?
    } else {
        let next = row.current_version + 1;
        module_row.current_version = Set(next);
        insert_version(&txn, now, id, next, content).await?
    };
    module_row.updated_at = Set(now);
    let updated = module_row.update(&txn).await.context("updating a module")?;
    txn.commit().await.context("committing a module update")?;
    Ok(module_from(updated, version))
}

pub async fn set_module_status(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    id: Uuid,
    to: PublicationStatus,
) -> Result<Module, CourseError> {
    let row = load_module(db, Audience::Staff, id).await?;
    check_transition("module", row.status, to)?;
    let content = current_content(db, &row).await?;
    let mut row = row.into_active_model();
    row.status = Set(to);
    row.updated_at = Set(now);
    let updated = row.update(db).await.context("changing a module's status")?;
    Ok(module_from(updated, content))
}
