//! Courses and learning progress. Programme staff keep a catalogue of certification tracks; a
//! track holds ordered courses and a course ordered modules (Markdown, with an estimated time).
//! Tracks, courses and modules go draft → published → retired, and learners see only what is
//! published. Editing a module that learners may have seen creates a new version, and a
//! completion records the version completed.
//!
//! Consultants enrol in a track or a course and complete modules; completing every required
//! course of a track makes them eligible for its exam ([`eligibility_for`]).

mod catalogue;
mod content;
pub mod entity;
mod error;
mod learning;
pub mod rules;
mod statistics;

pub use catalogue::{
    Audience, Course, CourseChanges, CourseDetail, Module, ModuleChanges, ModuleSummary, Track, TrackChanges,
    TrackDetail, create_course, create_module, create_track, get_course, get_module, get_track, list_tracks,
    set_course_status, set_module_status, set_track_status, update_course, update_module, update_track,
};
pub use content::{
    CourseContent, DEFAULT_CERTIFICATE_VALIDITY_MONTHS, InvalidMinutes, InvalidValidity, ModuleContent, TrackContent,
    parse_markdown, parse_minutes, parse_title, parse_validity_months,
};
pub use entity::PublicationStatus;
pub use error::CourseError;
pub use learning::{
    CourseLearning, CourseStanding, Enrolment, LearningOverview, ModuleCompleted, TrackLearning, complete_module,
    course_standing, eligibility_for, enrol_in_course, enrol_in_track, learning_overview, list_course_enrolments,
};
pub use rules::{Eligibility, Progress, RequiredCourse};
pub use statistics::{CourseStatistics, course_statistics, track_statistics};
