//! Courses and learning progress: certification tracks hold ordered courses, courses hold ordered
//! modules; consultants enrol, complete modules, and completing a track's required courses makes
//! them eligible for its exam.
//!
//! Nothing is implemented here yet; the crate exists so the workspace has its final shape and the
//! dependency invariants in `ARCHITECTURE.md` are checked from the start.
