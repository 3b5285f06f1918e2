use uuid::Uuid;

use crate::PublicationStatus;

#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// Unknown, or not visible to this reader (learners see only published content).
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: Uuid },
    #[error("a {kind} cannot go from {from:?} to {to:?}")]
    InvalidTransition {
        kind: &'static str,
        from: PublicationStatus,
        to: PublicationStatus,
    },
    #[error("{0}")]
    NotPublishable(String),
    #[error("not enrolled in course {course_id}: enrol in the course before completing its modules")]
    NotEnrolled { course_id: Uuid },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl CourseError {
    pub(crate) fn track(id: Uuid) -> Self {
        Self::NotFound { kind: "track", id }
    }

    pub(crate) fn course(id: Uuid) -> Self {
        Self::NotFound { kind: "course", id }
    }

    pub(crate) fn module(id: Uuid) -> Self {
        Self::NotFound { kind: "module", id }
    }
}
