//! An exam and its blueprint: the domains with their weights and the number of items each form
//! draws from them, the duration, the cut score and the retake policy.

use anyhow::Context as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set, SqlErr, TransactionSession as _, TransactionTrait,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::entity::{domain, exam, item};
use crate::error::{ExamError, FieldProblem};
use crate::rules::retake::{RetakeInput, RetakePolicy};
use crate::rules::scaling::{ScaledScore, raw_cut};

/// A domain as staff describe it. `id` names an existing domain to keep; without it the domain
/// is new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSpec {
    pub id: Option<Uuid>,
    pub name: String,
    pub weight_percent: u8,
    pub items_per_form: u32,
}

/// Everything staff configure about an exam, already checked by [`Blueprint::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blueprint {
    pub title: String,
    pub duration: Duration,
    pub cut_score: ScaledScore,
    pub cut_percent: u8,
    pub retake: RetakePolicy,
    pub domains: Vec<DomainSpec>,
}

/// The raw numbers of a blueprint as they arrive; [`Blueprint::parse`] checks them together.
#[derive(Debug, Clone)]
pub struct BlueprintInput {
    pub title: String,
    pub duration_minutes: i64,
    pub cut_score: i64,
    pub cut_percent: i64,
    pub retake: RetakeInput,
    pub domains: Vec<DomainSpec>,
}

impl Blueprint {
    pub const DEFAULT_DURATION_MINUTES: i64 = 90;
    pub const DEFAULT_CUT_PERCENT: i64 = 70;

    pub fn parse(input: BlueprintInput) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let title = certify_core::text::parse_display_text(&input.title, 200)
            .map_err(|err| problems.push(FieldProblem::new("title", err.to_string())))
            .unwrap_or_default();
        if !(5..=600).contains(&input.duration_minutes) {
            problems.push(FieldProblem::new(
                "duration_minutes",
                "must be between 5 and 600 minutes",
            ));
        }
        let cut_score = ScaledScore::parse(input.cut_score)
            .map_err(|err| problems.push(FieldProblem::new("cut_score", err.to_string())))
            .unwrap_or(ScaledScore::DEFAULT_CUT);
        if !(1..=99).contains(&input.cut_percent) {
            problems.push(FieldProblem::new("cut_percent", "must be between 1 and 99"));
        }
        let form_length: u32 = input.domains.iter().map(|d| d.items_per_form).sum();
        if let Ok(percent) = u8::try_from(input.cut_percent)
            && form_length > 0
            && raw_cut(form_length, percent) >= form_length
        {
            problems.push(FieldProblem::new(
                "cut_percent",
                format!(
                    "on a form of {form_length} items this leaves no score above the cut; lower it or lengthen the form"
                ),
            ));
        }
        let retake = RetakePolicy::parse(input.retake, "retake_policy")
            .map_err(|retake_problems| problems.extend(retake_problems))
            .unwrap_or_default();
        problems.extend(check_domains(&input.domains));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            title,
            duration: Duration::minutes(input.duration_minutes),
            cut_score,
            cut_percent: u8::try_from(input.cut_percent).unwrap_or(100),
            retake,
            domains: input.domains,
        })
    }
}

fn check_domains(domains: &[DomainSpec]) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if domains.is_empty() {
        problems.push(FieldProblem::new("domains", "an exam needs at least one domain"));
    }
    let total: u32 = domains.iter().map(|d| u32::from(d.weight_percent)).sum();
    if !domains.is_empty() && total != 100 {
        problems.push(FieldProblem::new(
            "domains",
            format!("weights must add up to 100, not {total}"),
        ));
    }
    for (index, spec) in domains.iter().enumerate() {
        if let Err(err) = certify_core::text::parse_display_text(&spec.name, 200) {
            problems.push(FieldProblem::new(format!("domains[{index}].name"), err.to_string()));
        }
        if domains[..index]
            .iter()
            .any(|d| d.name.trim().eq_ignore_ascii_case(spec.name.trim()))
        {
            problems.push(FieldProblem::new(
                format!("domains[{index}].name"),
                "names must be unique",
            ));
        }
        if spec.weight_percent == 0 {
            problems.push(FieldProblem::new(
                format!("domains[{index}].weight_percent"),
                "must be at least 1",
            ));
        }
        if !(1..=200).contains(&spec.items_per_form) {
            problems.push(FieldProblem::new(
                format!("domains[{index}].items_per_form"),
                "must be between 1 and 200",
            ));
        }
    }
    problems
}

/// An exam with its blueprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exam {
    pub id: Uuid,
    pub track_id: Uuid,
    pub title: String,
    pub duration: Duration,
    pub cut_score: ScaledScore,
    pub cut_percent: u8,
    pub retake: RetakePolicy,
    pub domains: Vec<Domain>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub id: Uuid,
    pub name: String,
    pub weight_percent: u8,
    pub items_per_form: u32,
}

impl Exam {
    pub fn form_length(&self) -> u32 {
        self.domains.iter().map(|d| d.items_per_form).sum()
    }
}

fn minutes(duration: Duration) -> anyhow::Result<i32> {
    i32::try_from(duration.whole_minutes()).context("duration out of range")
}

pub(crate) fn exam_from(row: exam::Model, domains: Vec<domain::Model>) -> Result<Exam, ExamError> {
    let number = |value: i32| u32::try_from(value).context("negative number in an exam row");
    Ok(Exam {
        id: row.id,
        track_id: row.track_id,
        title: row.title,
        duration: Duration::minutes(row.duration_minutes.into()),
        cut_score: ScaledScore::parse(row.cut_score.into()).context("stored cut score out of range")?,
        cut_percent: u8::try_from(row.cut_percent).context("stored cut percent out of range")?,
        retake: RetakePolicy {
            wait_after_first_fail: Duration::minutes(row.wait_after_first_fail_minutes.into()),
            wait_after_later_fails: Duration::minutes(row.wait_after_later_fails_minutes.into()),
            max_attempts_in_window: number(row.max_attempts_in_window)?,
            window: Duration::days(row.window_days.into()),
            recertification_window: Duration::days(row.recertification_window_days.into()),
        },
        domains: domains
            .into_iter()
            .map(|d| {
                Ok(Domain {
                    id: d.id,
                    name: d.name,
                    weight_percent: u8::try_from(d.weight_percent).context("stored weight out of range")?,
                    items_per_form: number(d.items_per_form)?,
                })
            })
            .collect::<anyhow::Result<_>>()?,
    })
}

pub async fn get_exam(db: &impl ConnectionTrait, id: Uuid) -> Result<Exam, ExamError> {
    let row = exam::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ExamError::not_found("exam", id))?;
    let domains = domain::Entity::find()
        .filter(domain::Column::ExamId.eq(id))
        .order_by_asc(domain::Column::Position)
        .all(db)
        .await?;
    exam_from(row, domains)
}

/// The exam of a track, if it has one.
pub async fn exam_of_track(db: &impl ConnectionTrait, track_id: Uuid) -> Result<Option<Exam>, ExamError> {
    let row = exam::Entity::find()
        .filter(exam::Column::TrackId.eq(track_id))
        .one(db)
        .await?;
    match row {
        Some(row) => Ok(Some(get_exam(db, row.id).await?)),
        None => Ok(None),
    }
}

fn write_settings(row: &mut exam::ActiveModel, blueprint: &Blueprint, now: OffsetDateTime) -> Result<(), ExamError> {
    row.title = Set(blueprint.title.clone());
    row.duration_minutes = Set(minutes(blueprint.duration)?);
    row.cut_score = Set(blueprint.cut_score.get().into());
    row.cut_percent = Set(blueprint.cut_percent.into());
    row.wait_after_first_fail_minutes = Set(minutes(blueprint.retake.wait_after_first_fail)?);
    row.wait_after_later_fails_minutes = Set(minutes(blueprint.retake.wait_after_later_fails)?);
    row.max_attempts_in_window =
        Set(i32::try_from(blueprint.retake.max_attempts_in_window).context("attempt quota out of range")?);
    row.window_days = Set(i32::try_from(blueprint.retake.window.whole_days()).context("window out of range")?);
    row.recertification_window_days = Set(i32::try_from(blueprint.retake.recertification_window.whole_days())
        .context("recertification window out of range")?);
    row.updated_at = Set(now);
    Ok(())
}

/// Creates the exam of a track (one per track).
pub async fn create_exam<C>(
    db: &C,
    now: OffsetDateTime,
    track_id: Uuid,
    blueprint: Blueprint,
) -> Result<Exam, ExamError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await?;
    certify_courses::get_track(&txn, certify_courses::Audience::Staff, track_id)
        .await
        .map_err(|_| ExamError::not_found("track", track_id))?;
    let id = Uuid::now_v7();
    let mut row = exam::ActiveModel {
        id: Set(id),
        track_id: Set(track_id),
        created_at: Set(now),
        ..Default::default()
    };
    write_settings(&mut row, &blueprint, now)?;
    if let Err(err) = row.insert(&txn).await {
        return Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                ExamError::InvalidState("this track already has an exam".into())
            }
            _ => err.into(),
        });
    }
    write_domains(&txn, id, &blueprint.domains).await?;
    txn.commit().await?;
    get_exam(db, id).await
}

/// Replaces an exam's blueprint. Domains named by id are kept (and may be renamed); a domain left
/// out is removed, which is refused while items belong to it.
pub async fn update_blueprint<C>(
    db: &C,
    now: OffsetDateTime,
    exam_id: Uuid,
    blueprint: Blueprint,
) -> Result<Exam, ExamError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = certify_core::begin_write(db).await?;
    let existing = get_exam(&txn, exam_id).await?;
    let mut row = exam::Entity::find_by_id(exam_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ExamError::not_found("exam", exam_id))?
        .into_active_model();
    write_settings(&mut row, &blueprint, now)?;
    row.update(&txn).await?;
    for (index, spec) in blueprint.domains.iter().enumerate() {
        if let Some(id) = spec.id
            && !existing.domains.iter().any(|d| d.id == id)
        {
            return Err(ExamError::invalid(
                format!("domains[{index}].id"),
                "not a domain of this exam",
            ));
        }
    }
    for removed in existing
        .domains
        .iter()
        .filter(|d| !blueprint.domains.iter().any(|s| s.id == Some(d.id)))
    {
        let items = item::Entity::find()
            .filter(item::Column::DomainId.eq(removed.id))
            .count(&txn)
            .await?;
        if items > 0 {
            return Err(ExamError::InvalidState(format!(
                "domain `{}` still holds {items} items; move or keep it",
                removed.name
            )));
        }
        domain::Entity::delete_by_id(removed.id).exec(&txn).await?;
    }
    write_domains(&txn, exam_id, &blueprint.domains).await?;
    txn.commit().await?;
    get_exam(db, exam_id).await
}

async fn write_domains(db: &impl ConnectionTrait, exam_id: Uuid, specs: &[DomainSpec]) -> Result<(), ExamError> {
    for (position, spec) in specs.iter().enumerate() {
        let values = domain::ActiveModel {
            id: Set(spec.id.unwrap_or_else(Uuid::now_v7)),
            exam_id: Set(exam_id),
            position: Set(i32::try_from(position).context("too many domains")?),
            name: Set(spec.name.trim().to_owned()),
            weight_percent: Set(spec.weight_percent.into()),
            items_per_form: Set(i32::try_from(spec.items_per_form).context("too many items")?),
        };
        if spec.id.is_some() {
            values.update(db).await?;
        } else {
            values.insert(db).await?;
        }
    }
    Ok(())
}
