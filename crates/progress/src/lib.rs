//! Programme progress: the live count of certified consultants toward the target, breakdowns and
//! the forecast.
//!
//! Nothing is implemented here yet; the crate exists so the workspace has its final shape and the
//! dependency invariants in `ARCHITECTURE.md` are checked from the start.
