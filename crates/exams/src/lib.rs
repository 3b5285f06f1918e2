//! Exams: the item bank, blueprints, random forms, server-timed attempts, scaled scoring, retake
//! policy and item statistics.
//!
//! Nothing is implemented here yet; the crate exists so the workspace has its final shape and the
//! dependency invariants in `ARCHITECTURE.md` are checked from the start.
