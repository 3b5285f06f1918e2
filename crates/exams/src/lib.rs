//! Exams: the item bank, blueprints, random forms, server-timed attempts, scaled scoring, the
//! retake policy and item statistics. The rules are plain functions in [`rules`]; the rest
//! stores and loads them.
//!
//! A pass is finalised inside a database transaction that also runs the [`PassHook`]: that is
//! where the certificate is issued, so a result and its certificate commit together or not at all.

mod attempts;
mod bank;
mod blueprint;
pub mod entity;
mod error;
pub mod rules;
mod statistics;

pub use attempts::{
    Attempt, AttemptResult, AttemptStatus, Candidate, DomainFeedback, ExamStanding, Pass, PassHook, ServedItem,
    StartBlock,
};
pub use bank::{
    ImportReport, ImportedItem, Item, ItemContent, ItemKind, ItemOption, ItemStatus, create_item, export_bank,
    get_item, import_bank, list_items, revise_item,
};
pub use blueprint::{
    Blueprint, BlueprintInput, Domain, DomainSpec, Exam, create_exam, exam_of_track, get_exam, update_blueprint,
};
pub use error::{ExamError, FieldProblem};
pub use rules::key_balance::KeyPositions;
pub use rules::retake::{RetakeInput, RetakePolicy};
pub use rules::scaling::ScaledScore;
pub use rules::statistics::{ItemFlag, MIN_SITTINGS_FOR_FLAGS};
pub use statistics::{ExamStatistics, ItemReport, PassRate, ScoreBucket, exam_statistics, pass_rate_between};
