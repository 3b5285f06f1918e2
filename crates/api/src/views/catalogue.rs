//! Catalogue entries as more than one area shows them, and what each role may read.

use certify_accounts::Role;
use certify_courses::{Audience, Course, PublicationStatus, Track};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Published,
    Retired,
}

impl From<PublicationStatus> for Status {
    fn from(status: PublicationStatus) -> Self {
        match status {
            PublicationStatus::Draft => Self::Draft,
            PublicationStatus::Published => Self::Published,
            PublicationStatus::Retired => Self::Retired,
        }
    }
}

impl From<Status> for PublicationStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Draft => Self::Draft,
            Status::Published => Self::Published,
            Status::Retired => Self::Retired,
        }
    }
}

pub(crate) fn audience(role: Role) -> Audience {
    match role {
        Role::ProgrammeStaff => Audience::Staff,
        Role::Consultant | Role::FirmAdmin { .. } => Audience::Learner,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackView {
    pub id: Uuid,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub status: Status,
    /// How long this track's certificates hold.
    pub certificate_validity_months: u8,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Track> for TrackView {
    fn from(track: Track) -> Self {
        Self {
            id: track.id,
            title: track.title,
            description: track.description,
            status: track.status.into(),
            certificate_validity_months: track.certificate_validity_months,
            updated_at: track.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseView {
    pub id: Uuid,
    pub track_id: Uuid,
    /// 0-based place in the track.
    pub position: i32,
    pub title: String,
    /// Markdown.
    pub summary: String,
    /// Must be complete before the track's exam may be started.
    pub required: bool,
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Course> for CourseView {
    fn from(course: Course) -> Self {
        Self {
            id: course.id,
            track_id: course.track_id,
            position: course.position,
            title: course.title,
            summary: course.summary,
            required: course.required,
            status: course.status.into(),
            updated_at: course.updated_at,
        }
    }
}
