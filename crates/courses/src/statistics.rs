//! Course statistics for programme staff.

use anyhow::Context as _;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::catalogue::{Audience, load_course, load_track, track_courses};
use crate::entity::{course, course_enrolment};
use crate::{CourseError, rules};

#[derive(Debug, Clone, PartialEq)]
pub struct CourseStatistics {
    pub course_id: Uuid,
    pub title: String,
    pub enrolments: u64,
    pub completions: u64,
    /// Completions over enrolments, 0 to 1; 0 when nobody has enrolled.
    pub completion_rate: f64,
    /// Median time from enrolment to completion over completed enrolments.
    pub median_time_to_completion: Option<Duration>,
}

pub async fn course_statistics(db: &impl ConnectionTrait, course_id: Uuid) -> Result<CourseStatistics, CourseError> {
    let course = load_course(db, Audience::Staff, course_id).await?;
    statistics_of(db, course).await
}

/// Statistics of every course of a track, in track order.
pub async fn track_statistics(db: &impl ConnectionTrait, track_id: Uuid) -> Result<Vec<CourseStatistics>, CourseError> {
    load_track(db, Audience::Staff, track_id).await?;
    let mut all = Vec::new();
    for course in track_courses(db, Audience::Staff, track_id).await? {
        all.push(statistics_of(db, course).await?);
    }
    Ok(all)
}

async fn statistics_of(db: &impl ConnectionTrait, course: course::Model) -> Result<CourseStatistics, CourseError> {
    let of_course = course_enrolment::Column::CourseId.eq(course.id);
    let enrolments = course_enrolment::Entity::find()
        .filter(of_course.clone())
        .count(db)
        .await
        .context("counting enrolments")?;
    // Only two timestamps per completed enrolment are read, to take the median in memory.
    let spans: Vec<(OffsetDateTime, Option<OffsetDateTime>)> = course_enrolment::Entity::find()
        .select_only()
        .column(course_enrolment::Column::EnrolledAt)
        .column(course_enrolment::Column::CompletedAt)
        .filter(of_course)
        .filter(course_enrolment::Column::CompletedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await
        .context("reading completion times")?;
    let durations: Vec<Duration> = spans
        .into_iter()
        .filter_map(|(enrolled, completed)| completed.map(|c| c - enrolled))
        .collect();
    let completions = u64::try_from(durations.len()).context("completion count")?;
    #[allow(clippy::cast_precision_loss)] // reason: counts far below 2^52
    let completion_rate = if enrolments == 0 {
        0.0
    } else {
        completions as f64 / enrolments as f64
    };
    Ok(CourseStatistics {
        course_id: course.id,
        title: course.title,
        enrolments,
        completions,
        completion_rate,
        median_time_to_completion: rules::median(durations),
    })
}
