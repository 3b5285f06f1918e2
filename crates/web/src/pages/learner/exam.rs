//! Sitting an exam: the page before starting, the questions with a countdown to the server's
//! deadline, answers saved as they are chosen (by script) or with the form's buttons (without),
//! a review before submitting, and the result. The server is the authority on time: every page
//! shows what is left of the deadline stored with the attempt, so a reload, a second tab or a
//! lost connection resumes the same attempt with the same time left.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_exams::{Attempt, AttemptStatus, ExamError, ExamStanding, ItemKind, ServedItem, StartBlock};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::certificates::{CertificateCard, card};
use super::learning::RemainingCourse;
use crate::access::LearnerPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{Chrome, Moment, chrome_for, date_time, long_date};
use crate::session::Visitor;

/// Whether the consultant may start now, and if not what to do.
#[derive(Debug, Clone)]
pub enum StartView {
    Ready,
    Open(Uuid),
    NotEligible(Vec<RemainingCourse>),
    Certified { until: String, recertify_from: String },
    Wait { until: Moment },
}

/// A past attempt in the exam page's list.
#[derive(Debug, Clone)]
pub struct PastAttemptLine {
    pub id: Uuid,
    pub started: Moment,
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "exam.html")]
pub struct ExamPage {
    chrome: Chrome,
    id: Uuid,
    track: (Uuid, String),
    title: String,
    minutes: i64,
    questions: u32,
    cut_score: u16,
    attempts_used: u32,
    attempts_allowed: u32,
    window_days: i64,
    /// "24 hours after a first fail, 14 days after each later one".
    retake_waits: String,
    start: StartView,
    past: Vec<PastAttemptLine>,
}

fn start_view(block: &Result<(), StartBlock>) -> StartView {
    match block {
        Ok(()) => StartView::Ready,
        Err(StartBlock::AttemptOpen(id)) => StartView::Open(*id),
        Err(StartBlock::NotEligible(eligibility)) => StartView::NotEligible(super::learning::remaining(eligibility)),
        Err(StartBlock::AlreadyCertified {
            expires_at,
            recertify_from,
        }) => StartView::Certified {
            until: long_date(expires_at.date()),
            recertify_from: long_date(recertify_from.date()),
        },
        Err(StartBlock::RetakeWait { until }) => StartView::Wait {
            until: date_time(*until),
        },
    }
}

fn outcome(attempt: &Attempt) -> String {
    match (&attempt.status, &attempt.result) {
        (AttemptStatus::Open, _) => "In progress".to_owned(),
        (_, Some(result)) if result.passed => format!("Passed with {}", result.scaled_score.get()),
        (_, Some(result)) => format!("Not passed ({})", result.scaled_score.get()),
        (_, None) => "Finished".to_owned(),
    }
}

/// A wait as people say it: "90 minutes", "24 hours", "14 days".
fn wait(duration: time::Duration) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if duration.whole_days() >= 2 && duration == time::Duration::days(duration.whole_days()) {
        plural(duration.whole_days(), "day")
    } else if duration.whole_hours() >= 1 && duration == time::Duration::hours(duration.whole_hours()) {
        plural(duration.whole_hours(), "hour")
    } else {
        plural(duration.whole_minutes(), "minute")
    }
}

fn exam_page(chrome: Chrome, track_title: String, standing: ExamStanding) -> ExamPage {
    let exam = &standing.exam;
    let retake = &exam.retake;
    ExamPage {
        chrome,
        id: exam.id,
        track: (exam.track_id, track_title),
        title: exam.title.clone(),
        minutes: exam.duration.whole_minutes(),
        questions: exam.form_length(),
        cut_score: exam.cut_score.get(),
        attempts_used: standing.attempts_in_window,
        attempts_allowed: exam.retake.max_attempts_in_window,
        window_days: exam.retake.window.whole_days(),
        retake_waits: format!(
            "{} after a first fail, {} after each later one",
            wait(retake.wait_after_first_fail),
            wait(retake.wait_after_later_fails)
        ),
        start: start_view(&standing.may_start),
        past: standing
            .attempts
            .iter()
            .rev()
            .map(|a| PastAttemptLine {
                id: a.id,
                started: date_time(a.started_at),
                outcome: outcome(a),
            })
            .collect(),
    }
}

/// The page before starting: what the exam is, and whether it may be started now.
pub async fn exam(
    State(state): State<AppState>,
    jar: CookieJar,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<(CookieJar, ExamPage), PageError> {
    let account_id = visitor.account.id;
    let standing = state.candidate(account_id).standing(id).await?;
    let track =
        certify_courses::get_track(&state.db, certify_courses::Audience::Learner, standing.exam.track_id).await?;
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    Ok((jar, exam_page(chrome, track.track.title, standing)))
}

/// Starts an attempt and opens its questions; an attempt already open is resumed instead.
pub async fn start(
    State(state): State<AppState>,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    _form: CheckedForm,
) -> Result<Redirect, PageError> {
    let account_id = visitor.account.id;
    let seed = certify_api::routes::attempts::random_seed()?;
    match state.candidate(account_id).start_attempt(id, seed).await {
        Ok(attempt) => Ok(Redirect::to(&format!("/attempts/{}", attempt.id))),
        Err(ExamError::AttemptOpen(open)) => Ok(Redirect::to(&format!("/attempts/{open}"))),
        // The exam page says why, in full.
        Err(ExamError::NotEligible(_) | ExamError::RetakeWait { .. } | ExamError::AlreadyCertified { .. }) => {
            Ok(Redirect::to(&format!("/exams/{id}")))
        }
        Err(other) => Err(other.into()),
    }
}

/// One question as the form shows it.
#[derive(Debug, Clone)]
pub struct QuestionView {
    pub position: u32,
    pub stem: String,
    pub multiple: bool,
    /// Letter, text, chosen.
    pub options: Vec<(String, String, bool)>,
    pub answered: bool,
    /// The letters chosen when the page was served, sent back beside the question: a post
    /// changes only what its page changed.
    pub served: String,
}

fn question(item: ServedItem) -> QuestionView {
    QuestionView {
        position: item.position,
        multiple: item.kind == ItemKind::MultipleResponse,
        answered: !item.selected.is_empty(),
        served: item.selected.join(","),
        options: item
            .options
            .into_iter()
            .map(|o| {
                let chosen = item.selected.contains(&o.id);
                (o.id, o.text, chosen)
            })
            .collect(),
        stem: item.stem,
    }
}

/// The time left, as the server counts it.
#[derive(Debug, Clone)]
pub struct Clock {
    pub remaining_seconds: i64,
    /// "42 minutes", for the page without script.
    pub remaining: String,
    pub deadline: Moment,
}

fn clock(deadline: OffsetDateTime, now: OffsetDateTime) -> Clock {
    let seconds = (deadline - now).whole_seconds().max(0);
    let minutes = (seconds + 59) / 60;
    Clock {
        remaining_seconds: seconds,
        remaining: if minutes == 1 {
            "1 minute".to_owned()
        } else {
            format!("{minutes} minutes")
        },
        deadline: date_time(deadline),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "attempt.html")]
pub struct AttemptPage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    clock: Clock,
    questions: Vec<QuestionView>,
    answered: usize,
    saved_notice: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
pub struct ReviewPage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    clock: Clock,
    questions: Vec<QuestionView>,
    answered: usize,
}

/// A domain's feedback line.
#[derive(Debug, Clone)]
pub struct DomainLine {
    pub name: String,
    pub meets: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "result.html")]
pub struct ResultPage {
    chrome: Chrome,
    exam_id: Uuid,
    title: String,
    passed: bool,
    score: u16,
    cut_score: u16,
    /// Finalised at the deadline with what was saved.
    timed_out: bool,
    finished: Option<Moment>,
    domains: Vec<DomainLine>,
    certificate: Option<CertificateCard>,
    retake: StartView,
}

#[derive(Debug, Deserialize)]
pub struct AttemptQuery {
    /// Set after the answers were saved by the form's button.
    pub saved: Option<String>,
}

/// The attempt: its questions while open, its result once finished.
pub async fn attempt(
    State(state): State<AppState>,
    jar: CookieJar,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    Query(query): Query<AttemptQuery>,
) -> Result<Response, PageError> {
    let account_id = visitor.account.id;
    let attempt = state.candidate(account_id).attempt(id).await?;
    if attempt.status == AttemptStatus::Open {
        // A candidate reading without posting must not be signed out by the idle timeout
        // before the exam's own deadline.
        certify_accounts::keep_alive_until(&state.db, visitor.principal.session_id, attempt.deadline)
            .await
            .map_err(PageError::internal)?;
        let saved = query.saved.is_some();
        let (jar, page) = questions_page(&state, jar, &visitor, attempt, saved).await?;
        return Ok((jar, page).into_response());
    }
    result_page(&state, jar, &visitor, attempt).await
}

/// What the questions page and the review show alike: the exam's title, the time the server
/// counts, and each question with whether it is answered.
struct Sitting {
    title: String,
    clock: Clock,
    questions: Vec<QuestionView>,
    answered: usize,
}

async fn sitting(state: &AppState, attempt: Attempt) -> Result<Sitting, PageError> {
    let exam = certify_exams::get_exam(&state.db, attempt.exam_id).await?;
    let questions: Vec<QuestionView> = attempt.items.into_iter().map(question).collect();
    Ok(Sitting {
        title: exam.title,
        clock: clock(attempt.deadline, state.clock.now()),
        answered: questions.iter().filter(|q| q.answered).count(),
        questions,
    })
}

async fn questions_page(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    attempt: Attempt,
    saved_notice: bool,
) -> Result<(CookieJar, AttemptPage), PageError> {
    let id = attempt.id;
    let Sitting {
        title,
        clock,
        questions,
        answered,
    } = sitting(state, attempt).await?;
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    let page = AttemptPage {
        chrome,
        id,
        title,
        clock,
        questions,
        answered,
        saved_notice,
    };
    Ok((jar, page))
}

async fn result_page(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    attempt: Attempt,
) -> Result<Response, PageError> {
    let exam = certify_exams::get_exam(&state.db, attempt.exam_id).await?;
    let result = attempt
        .result
        .clone()
        .ok_or_else(|| PageError::internal(anyhow::anyhow!("finished attempt {} without a result", attempt.id)))?;
    let now = state.clock.now();
    let certificate = if result.passed {
        certify_certificates::certificates_of(&state.db, visitor.account.id)
            .await?
            .into_iter()
            .find(|c| c.attempt_id == Some(attempt.id))
            .map(|c| card(state, c, now))
    } else {
        None
    };
    let retake = if result.passed {
        StartView::Ready
    } else {
        let standing = state.candidate(visitor.account.id).standing(exam.id).await?;
        start_view(&standing.may_start)
    };
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    let page = ResultPage {
        chrome,
        exam_id: exam.id,
        title: exam.title,
        passed: result.passed,
        score: result.scaled_score.get(),
        cut_score: exam.cut_score.get(),
        timed_out: attempt.status == AttemptStatus::Expired,
        finished: attempt.finished_at.map(date_time),
        domains: result
            .domains
            .into_iter()
            .map(|d| DomainLine {
                name: d.name,
                meets: d.meets,
            })
            .collect(),
        certificate,
        retake,
    };
    Ok((jar, page).into_response())
}

/// Saves every answer the person changed on the page they posted (the page without script): a
/// question is saved only if its choice differs from what that page was served with, so a
/// stale second tab never erases answers saved elsewhere since, and a question whose options
/// were all unticked on the page is cleared. Then back to the questions (saying they were
/// saved), or on to the review; a redirect either way, so a reload never posts the form again.
pub async fn save_answers(
    State(state): State<AppState>,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let account_id = visitor.account.id;
    let candidate = state.candidate(account_id);
    let attempt = candidate.attempt(id).await?;
    let letters = |mut letters: Vec<String>| {
        letters.retain(|letter| !letter.is_empty());
        letters.sort();
        letters
    };
    for item in &attempt.items {
        let chosen = letters(form.values(&format!("q{}", item.position)));
        // A form without the field showed the question unanswered.
        let served = form.value(&format!("served{}", item.position)).unwrap_or_default();
        let served = letters(served.split(',').map(str::to_owned).collect());
        if chosen != served && chosen != letters(item.selected.clone()) {
            match candidate.save_response(id, item.position, chosen).await {
                Ok(_) => {}
                // The deadline passed while the form was open: the result says so.
                Err(ExamError::AttemptClosed) => return Ok(Redirect::to(&format!("/attempts/{id}")).into_response()),
                Err(other) => return Err(other.into()),
            }
        }
    }
    let next = if form.value("then") == Some("review") {
        format!("/attempts/{id}/review")
    } else {
        format!("/attempts/{id}?saved=1")
    };
    Ok(Redirect::to(&next).into_response())
}

/// Saves one answer as it is chosen (the page's script). 204 when saved; 409 once the attempt
/// is finished, which tells the script to reload and show the result.
pub async fn save_answer(
    State(state): State<AppState>,
    LearnerPage(visitor): LearnerPage,
    PagePath((id, position)): PagePath<(Uuid, u32)>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let account_id = visitor.account.id;
    state
        .candidate(account_id)
        .save_response(id, position, form.values("answer"))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Before submitting: which questions are answered and which are not, and the confirmation.
pub async fn review(
    State(state): State<AppState>,
    jar: CookieJar,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let account_id = visitor.account.id;
    let attempt = state.candidate(account_id).attempt(id).await?;
    if attempt.status != AttemptStatus::Open {
        return Ok(Redirect::to(&format!("/attempts/{id}")).into_response());
    }
    let Sitting {
        title,
        clock,
        questions,
        answered,
    } = sitting(&state, attempt).await?;
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = ReviewPage {
        chrome,
        id,
        title,
        clock,
        questions,
        answered,
    };
    Ok((jar, page).into_response())
}

/// Submits the attempt (confirmed on the review page) and shows the result.
pub async fn submit(
    State(state): State<AppState>,
    LearnerPage(visitor): LearnerPage,
    PagePath(id): PagePath<Uuid>,
    _form: CheckedForm,
) -> Result<Redirect, PageError> {
    let account_id = visitor.account.id;
    state.candidate(account_id).submit_attempt(id).await?;
    Ok(Redirect::to(&format!("/attempts/{id}")))
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::wait;

    #[test]
    fn waits_read_in_the_largest_whole_unit() {
        assert_eq!(wait(Duration::hours(24)), "24 hours");
        assert_eq!(wait(Duration::days(14)), "14 days");
        assert_eq!(wait(Duration::minutes(90)), "90 minutes");
        assert_eq!(wait(Duration::hours(1)), "1 hour");
        assert_eq!(wait(Duration::ZERO), "0 minutes");
    }
}
