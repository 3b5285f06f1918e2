//! The learning rules as plain functions over plain data: progress, eligibility, ordering and
//! the median. The store functions gather the data and call these.

use time::Duration;
use uuid::Uuid;

/// A module as progress sees it: in course order, done or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleState {
    pub id: Uuid,
    pub title: String,
    pub done: bool,
}

/// How far a learner is through one course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub completed_modules: usize,
    pub total_modules: usize,
    /// Whole percent, rounded down, so 100 means every module is done.
    pub percent: u8,
    /// The first module, in course order, that is not done.
    pub next_module: Option<Uuid>,
}

pub fn course_progress(modules_in_order: &[ModuleState]) -> Progress {
    let total = modules_in_order.len();
    let completed = modules_in_order.iter().filter(|m| m.done).count();
    Progress {
        completed_modules: completed,
        total_modules: total,
        percent: percent(completed, total),
        next_module: modules_in_order.iter().find(|m| !m.done).map(|m| m.id),
    }
}

/// `part` of `whole` in whole percent, rounded down; an empty whole is 0 %, never "done".
pub fn percent(part: usize, whole: usize) -> u8 {
    if whole == 0 {
        return 0;
    }
    u8::try_from(part.min(whole) * 100 / whole).unwrap_or(100)
}

/// A required course of a track, as eligibility sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredCourse {
    pub course_id: Uuid,
    pub title: String,
    pub enrolled: bool,
    pub completed: bool,
    /// Published modules not yet completed, in course order.
    pub modules_remaining: Vec<(Uuid, String)>,
}

/// Whether a learner may start a track's exam, and if not exactly what remains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eligibility {
    pub eligible: bool,
    pub remaining: Vec<RequiredCourse>,
}

/// Eligible when every required course is complete. A track with no required course is not an
/// examinable track yet, so nobody is eligible for it.
pub fn eligibility(required: Vec<RequiredCourse>) -> Eligibility {
    let any_required = !required.is_empty();
    let remaining: Vec<RequiredCourse> = required.into_iter().filter(|course| !course.completed).collect();
    Eligibility {
        eligible: any_required && remaining.is_empty(),
        remaining,
    }
}

/// `ids` with `moving` taken out and put back at `to_index` (clamped to the end).
pub fn reorder(mut ids: Vec<Uuid>, moving: Uuid, to_index: usize) -> Vec<Uuid> {
    ids.retain(|id| *id != moving);
    let at = to_index.min(ids.len());
    ids.insert(at, moving);
    ids
}

/// The median of `durations`; the mean of the middle two for an even count.
pub fn median(mut durations: Vec<Duration>) -> Option<Duration> {
    if durations.is_empty() {
        return None;
    }
    durations.sort_unstable();
    let mid = durations.len() / 2;
    Some(if durations.len() % 2 == 1 {
        durations[mid]
    } else {
        (durations[mid - 1] + durations[mid]) / 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(n: u128, done: bool) -> ModuleState {
        ModuleState {
            id: Uuid::from_u128(n),
            title: format!("Module {n}"),
            done,
        }
    }

    #[test]
    fn progress_counts_done_modules_and_points_at_the_first_open_one() {
        let progress = course_progress(&[module(1, true), module(2, false), module(3, true)]);
        assert_eq!(progress.completed_modules, 2);
        assert_eq!(progress.percent, 66, "rounded down: 100 only when all are done");
        assert_eq!(progress.next_module, Some(Uuid::from_u128(2)));

        let done = course_progress(&[module(1, true), module(2, true)]);
        assert_eq!((done.percent, done.next_module), (100, None));

        let empty = course_progress(&[]);
        assert_eq!((empty.percent, empty.next_module), (0, None));
    }

    fn required(n: u128, completed: bool) -> RequiredCourse {
        RequiredCourse {
            course_id: Uuid::from_u128(n),
            title: format!("Course {n}"),
            enrolled: true,
            completed,
            modules_remaining: Vec::new(),
        }
    }

    #[test]
    fn eligible_only_when_every_required_course_is_complete() {
        let open = eligibility(vec![required(1, true), required(2, false)]);
        assert!(!open.eligible);
        assert_eq!(
            open.remaining.iter().map(|c| c.course_id).collect::<Vec<_>>(),
            [Uuid::from_u128(2)]
        );

        let done = eligibility(vec![required(1, true), required(2, true)]);
        assert!(done.eligible && done.remaining.is_empty());

        assert!(
            !eligibility(Vec::new()).eligible,
            "nothing to complete is not a track ready for its exam"
        );
    }

    #[test]
    fn reorder_moves_one_item_and_clamps() {
        let ids: Vec<Uuid> = (1..=4).map(Uuid::from_u128).collect();
        let moved = reorder(ids.clone(), ids[3], 0);
        assert_eq!(moved, [ids[3], ids[0], ids[1], ids[2]]);
        let clamped = reorder(ids.clone(), ids[0], 99);
        assert_eq!(clamped, [ids[1], ids[2], ids[3], ids[0]]);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(Vec::new()), None);
        let hours = |h: &[i64]| h.iter().map(|h| Duration::hours(*h)).collect::<Vec<_>>();
        assert_eq!(median(hours(&[5, 1, 3])), Some(Duration::hours(3)));
        assert_eq!(median(hours(&[4, 1, 2, 10])), Some(Duration::hours(3)));
    }
}
