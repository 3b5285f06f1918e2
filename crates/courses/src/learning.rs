//! Enrolment, module completion, progress and exam eligibility for one consultant.

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;
use certify_core::{Page, PageRequest};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
    TransactionSession as _, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::catalogue::{Audience, Course, Track, course_outlines, load_course, load_module, load_track, track_courses};
use crate::entity::{course, course_enrolment, module_completion, track, track_enrolment};
use crate::rules::{self, Eligibility, ModuleState, Progress, RequiredCourse};
use crate::{CourseError, ModuleSummary};

/// A consultant's enrolment in a course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub id: Uuid,
    pub account_id: Uuid,
    pub course_id: Uuid,
    pub enrolled_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
}

impl From<course_enrolment::Model> for Enrolment {
    fn from(row: course_enrolment::Model) -> Self {
        Self {
            id: row.id,
            account_id: row.account_id,
            course_id: row.course_id,
            enrolled_at: row.enrolled_at,
            completed_at: row.completed_at,
        }
    }
}

/// Enrols in a published course. Enrolling again returns the existing enrolment unchanged;
/// the flag says whether this call created it.
pub async fn enrol_in_course(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    account_id: Uuid,
    course_id: Uuid,
) -> Result<(Enrolment, bool), CourseError> {
    load_course(db, Audience::Learner, course_id).await?;
    enrol_in_visible_course(db, now, account_id, course_id).await
}

async fn enrol_in_visible_course(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    account_id: Uuid,
    course_id: Uuid,
) -> Result<(Enrolment, bool), CourseError> {
    if let Some(existing) = find_enrolment(db, account_id, course_id).await? {
        return Ok((existing.into(), false));
    }
    let inserted = course_enrolment::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        course_id: Set(course_id),
        enrolled_at: Set(now),
        completed_at: Set(None),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => Ok((row.into(), true)),
        // A concurrent request enrolled first: that enrolment is the answer.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let existing = find_enrolment(db, account_id, course_id).await?;
            Ok((existing.context("enrolment vanished after a conflict")?.into(), false))
        }
        Err(err) => Err(anyhow::Error::new(err).context("inserting an enrolment").into()),
    }
}

async fn find_enrolment(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    course_id: Uuid,
) -> Result<Option<course_enrolment::Model>, CourseError> {
    Ok(course_enrolment::Entity::find()
        .filter(course_enrolment::Column::AccountId.eq(account_id))
        .filter(course_enrolment::Column::CourseId.eq(course_id))
        .one(db)
        .await
        .context("reading an enrolment")?)
}

/// Enrols in a published track and every course of it that is published, in one transaction.
/// Returns how many course enrolments this call created.
pub async fn enrol_in_track<C>(
    db: &C,
    now: OffsetDateTime,
    account_id: Uuid,
    track_id: Uuid,
) -> Result<usize, CourseError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a track enrolment")?;
    load_track(&txn, Audience::Learner, track_id).await?;
    let already = track_enrolment::Entity::find()
        .filter(track_enrolment::Column::AccountId.eq(account_id))
        .filter(track_enrolment::Column::TrackId.eq(track_id))
        .one(&txn)
        .await
        .context("reading a track enrolment")?;
    if already.is_none() {
        track_enrolment::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            track_id: Set(track_id),
            enrolled_at: Set(now),
        }
        .insert(&txn)
        .await
        .context("inserting a track enrolment")?;
    }
    let mut created = 0;
    for course in track_courses(&txn, Audience::Learner, track_id).await? {
        if enrol_in_visible_course(&txn, now, account_id, course.id).await?.1 {
            created += 1;
        }
    }
    txn.commit().await.context("committing a track enrolment")?;
    Ok(created)
}

/// The outcome of completing a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCompleted {
    pub module_id: Uuid,
    /// The version of the module that was completed.
    pub module_version: i32,
    pub completed_at: OffsetDateTime,
    /// False when the module had been completed before; nothing changed then.
    pub newly_completed: bool,
    pub course_id: Uuid,
    pub course_progress: Progress,
    pub course_completed_at: Option<OffsetDateTime>,
}

/// Marks a published module complete for a consultant enrolled in its course. Completing again
/// changes nothing. Completing the last module completes the course, at `now`.
pub async fn complete_module<C>(
    db: &C,
    now: OffsetDateTime,
    account_id: Uuid,
    module_id: Uuid,
) -> Result<ModuleCompleted, CourseError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a module completion")?;
    let module = load_module(&txn, Audience::Learner, module_id).await?;
    let enrolment = find_enrolment(&txn, account_id, module.course_id)
        .await?
        .ok_or(CourseError::NotEnrolled {
            course_id: module.course_id,
        })?;
    let existing = module_completion::Entity::find()
        .filter(module_completion::Column::AccountId.eq(account_id))
        .filter(module_completion::Column::ModuleId.eq(module_id))
        .one(&txn)
        .await
        .context("reading a completion")?;
    let (completion, newly_completed) = match existing {
        Some(row) => (row, false),
        None => {
            let row = module_completion::ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(account_id),
                module_id: Set(module_id),
                module_version: Set(module.current_version),
                completed_at: Set(now),
            }
            .insert(&txn)
            .await
            .context("inserting a completion")?;
            (row, true)
        }
    };
    let progress = progress_in(&txn, account_id, module.course_id).await?;
    let mut course_completed_at = enrolment.completed_at;
    if course_completed_at.is_none() && progress.percent == 100 {
        course_enrolment::Entity::update_many()
            .col_expr(course_enrolment::Column::CompletedAt, Expr::value(now))
            .filter(course_enrolment::Column::Id.eq(enrolment.id))
            .exec(&txn)
            .await
            .context("completing a course")?;
        course_completed_at = Some(now);
    }
    txn.commit().await.context("committing a module completion")?;
    Ok(ModuleCompleted {
        module_id,
        module_version: completion.module_version,
        completed_at: completion.completed_at,
        newly_completed,
        course_id: module.course_id,
        course_progress: progress,
        course_completed_at,
    })
}

async fn completed_modules(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    module_ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashSet<Uuid>, CourseError> {
    let rows = module_completion::Entity::find()
        .filter(module_completion::Column::AccountId.eq(account_id))
        .filter(module_completion::Column::ModuleId.is_in(module_ids))
        .all(db)
        .await
        .context("reading completions")?;
    Ok(rows.into_iter().map(|row| row.module_id).collect())
}

fn progress_of(outline: &[ModuleSummary], done: &HashSet<Uuid>) -> Progress {
    let states: Vec<ModuleState> = outline
        .iter()
        .map(|m| ModuleState {
            id: m.id,
            title: m.title.clone(),
            done: done.contains(&m.id),
        })
        .collect();
    rules::course_progress(&states)
}

async fn progress_in(db: &impl ConnectionTrait, account_id: Uuid, course_id: Uuid) -> Result<Progress, CourseError> {
    let outline = course_outlines(db, Audience::Learner, &[course_id])
        .await?
        .remove(&course_id)
        .unwrap_or_default();
    let done = completed_modules(db, account_id, outline.iter().map(|m| m.id)).await?;
    Ok(progress_of(&outline, &done))
}

/// A consultant's place in one course: the enrolment, the modules done and the progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseStanding {
    pub enrolment: Enrolment,
    /// Published modules completed, by id.
    pub done: HashSet<Uuid>,
    pub progress: Progress,
}

/// Where a consultant stands in a published course; `None` when not enrolled.
pub async fn course_standing(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    course_id: Uuid,
) -> Result<Option<CourseStanding>, CourseError> {
    let Some(enrolment) = find_enrolment(db, account_id, course_id).await? else {
        return Ok(None);
    };
    let outline = course_outlines(db, Audience::Learner, &[course_id])
        .await?
        .remove(&course_id)
        .unwrap_or_default();
    let done = completed_modules(db, account_id, outline.iter().map(|m| m.id)).await?;
    Ok(Some(CourseStanding {
        enrolment: enrolment.into(),
        progress: progress_of(&outline, &done),
        done,
    }))
}

/// One enrolled course in a consultant's picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseLearning {
    pub course: Course,
    pub enrolled_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    pub progress: Progress,
}

/// One enrolled track in a consultant's picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackLearning {
    pub track: Track,
    pub enrolled_at: OffsetDateTime,
    pub required_courses_total: usize,
    pub required_courses_completed: usize,
    pub percent: u8,
    pub eligibility: Eligibility,
}

/// Everything a consultant is learning, in one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearningOverview {
    pub tracks: Vec<TrackLearning>,
    pub courses: Vec<CourseLearning>,
}

pub async fn learning_overview(db: &impl ConnectionTrait, account_id: Uuid) -> Result<LearningOverview, CourseError> {
    let enrolments = course_enrolment::Entity::find()
        .filter(course_enrolment::Column::AccountId.eq(account_id))
        .order_by_asc(course_enrolment::Column::Id)
        .all(db)
        .await
        .context("reading enrolments")?;
    let course_ids: Vec<Uuid> = enrolments.iter().map(|e| e.course_id).collect();
    // Retired courses stay in the picture: enrolled consultants keep their records.
    let courses: HashMap<Uuid, course::Model> = course::Entity::find()
        .filter(course::Column::Id.is_in(course_ids.iter().copied()))
        .all(db)
        .await
        .context("reading enrolled courses")?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let outlines = course_outlines(db, Audience::Learner, &course_ids).await?;
    let done = completed_modules(db, account_id, outlines.values().flatten().map(|m| m.id)).await?;
    let mut course_pictures = Vec::new();
    for enrolment in enrolments {
        let Some(course) = courses.get(&enrolment.course_id) else {
            continue;
        };
        let outline = outlines
            .get(&enrolment.course_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        course_pictures.push(CourseLearning {
            course: course.clone().into(),
            enrolled_at: enrolment.enrolled_at,
            completed_at: enrolment.completed_at,
            progress: progress_of(outline, &done),
        });
    }

    let track_enrolments = track_enrolment::Entity::find()
        .filter(track_enrolment::Column::AccountId.eq(account_id))
        .order_by_asc(track_enrolment::Column::Id)
        .all(db)
        .await
        .context("reading track enrolments")?;
    let mut track_pictures = Vec::new();
    for enrolment in track_enrolments {
        let Some(track) = track::Entity::find_by_id(enrolment.track_id)
            .one(db)
            .await
            .context("reading a track")?
        else {
            continue;
        };
        let (eligibility, total) = eligibility_of(db, account_id, enrolment.track_id).await?;
        let completed = total - eligibility.remaining.len();
        track_pictures.push(TrackLearning {
            track: track.into(),
            enrolled_at: enrolment.enrolled_at,
            required_courses_total: total,
            required_courses_completed: completed,
            percent: rules::percent(completed, total),
            eligibility,
        });
    }
    Ok(LearningOverview {
        tracks: track_pictures,
        courses: course_pictures,
    })
}

async fn required_courses(db: &impl ConnectionTrait, track_id: Uuid) -> Result<Vec<course::Model>, CourseError> {
    Ok(track_courses(db, Audience::Learner, track_id)
        .await?
        .into_iter()
        .filter(|c| c.required)
        .collect())
}

/// Whether a consultant may start the exam of a published track, and if not exactly which
/// required courses and modules remain.
pub async fn eligibility_for(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    track_id: Uuid,
) -> Result<Eligibility, CourseError> {
    load_track(db, Audience::Learner, track_id).await?;
    Ok(eligibility_of(db, account_id, track_id).await?.0)
}

async fn eligibility_of(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    track_id: Uuid,
) -> Result<(Eligibility, usize), CourseError> {
    // Also returns how many courses are required, which the learning overview reports.
    let required = required_courses(db, track_id).await?;
    let total = required.len();
    let ids: Vec<Uuid> = required.iter().map(|c| c.id).collect();
    let enrolments: HashMap<Uuid, course_enrolment::Model> = course_enrolment::Entity::find()
        .filter(course_enrolment::Column::AccountId.eq(account_id))
        .filter(course_enrolment::Column::CourseId.is_in(ids.iter().copied()))
        .all(db)
        .await
        .context("reading enrolments")?
        .into_iter()
        .map(|e| (e.course_id, e))
        .collect();
    let outlines = course_outlines(db, Audience::Learner, &ids).await?;
    let done = completed_modules(db, account_id, outlines.values().flatten().map(|m| m.id)).await?;
    let states = required
        .into_iter()
        .map(|course| {
            let enrolment = enrolments.get(&course.id);
            let completed = enrolment.is_some_and(|e| e.completed_at.is_some());
            let modules_remaining = if completed {
                Vec::new()
            } else {
                outlines
                    .get(&course.id)
                    .into_iter()
                    .flatten()
                    .filter(|m| !done.contains(&m.id))
                    .map(|m| (m.id, m.title.clone()))
                    .collect()
            };
            RequiredCourse {
                course_id: course.id,
                title: course.title,
                enrolled: enrolment.is_some(),
                completed,
                modules_remaining,
            }
        })
        .collect();
    Ok((rules::eligibility(states), total))
}

/// A course's enrolments in enrolment order, keyset-paginated (staff).
pub async fn list_course_enrolments(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    page: PageRequest,
) -> Result<Page<Enrolment>, CourseError> {
    load_course(db, Audience::Staff, course_id).await?;
    let mut query = course_enrolment::Entity::find()
        .filter(course_enrolment::Column::CourseId.eq(course_id))
        .order_by_asc(course_enrolment::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(course_enrolment::Column::Id.gt(after));
    }
    let rows = query
        .limit(page.size.get() + 1)
        .all(db)
        .await
        .context("listing enrolments")?;
    Ok(Page::from_overfetched(
        rows.into_iter().map(Enrolment::from).collect(),
        page,
        |e| e.id,
    ))
}
