//! Attempts: start (eligibility, retake policy, one open attempt), a random form, responses
//! saved one item at a time, submission, and the server-enforced deadline. An attempt whose
//! deadline has passed is finalised with what was saved by whichever request touches it first,
//! so every read sees it finished.
//!
//! Finalisation runs inside the caller's transaction and ends by calling the [`PassHook`] on a
//! pass: that is where a certificate is issued, in the same commit as the result.

use std::collections::BTreeSet;

use anyhow::Context as _;
use sea_orm::sea_query::{Expr, StringLen};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, SqlErr, TransactionTrait,
};
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::bank::{ItemKind, ItemOption, ItemStatus, content_from};
use crate::blueprint::{Exam, get_exam};
use crate::entity::{attempt, attempt_item, item, item_version};
use crate::error::ExamError;
use crate::rules::form::{self, DomainDraw};
use crate::rules::retake::{Finished, PastAttempt, RetakeBlock};
use crate::rules::scaling::ScaledScore;
use crate::rules::scoring::{self, Marked};
use certify_courses::Eligibility;

/// What the exam engine asks of the certificates it earns, inside its own transactions: the
/// exams crate knows nothing of certificates.
#[async_trait::async_trait]
pub trait PassHook: Send + Sync {
    /// Called, inside the finalising transaction, when an attempt passes. An error rolls the
    /// whole finalisation back.
    async fn on_pass(&self, txn: &DatabaseTransaction, pass: &Pass) -> anyhow::Result<()>;

    /// When the account's latest valid certificate for the track expires, if it holds one at
    /// `now` (neither revoked, superseded nor expired). Asked before an attempt starts.
    async fn valid_certificate_until(
        &self,
        txn: &DatabaseTransaction,
        account_id: Uuid,
        track_id: Uuid,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<OffsetDateTime>>;

    /// Called once the transaction that recorded `passes` has committed (never on a rollback):
    /// what must hear of new certificates outside the database hears it here.
    async fn committed(&self, passes: &[Pass]);
}

/// A passed attempt, as the pass hook receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pass {
    pub attempt_id: Uuid,
    pub exam_id: Uuid,
    pub track_id: Uuid,
    pub account_id: Uuid,
    pub scaled_score: ScaledScore,
    /// When the attempt ended: its submission, or its deadline when it was finalised later.
    pub passed_at: OffsetDateTime,
    /// When the pass is being recorded (the transaction's clock reading).
    pub recorded_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum AttemptStatus {
    Open,
    Submitted,
    /// Finalised by the server when the deadline passed.
    Expired,
}

/// The outcome of a finished attempt: the scaled score, pass or fail, and per domain only
/// whether it met the standard. Never which items were wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    pub scaled_score: ScaledScore,
    pub passed: bool,
    pub domains: Vec<DomainFeedback>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFeedback {
    pub domain_id: Uuid,
    pub name: String,
    pub meets: bool,
}

/// An item as a candidate sees it: no key, options in this attempt's order and named by their
/// letters on this form ([`form::served_option_id`]), never by the bank's ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedItem {
    /// 1-based position on the form.
    pub position: u32,
    pub kind: ItemKind,
    pub stem: String,
    pub options: Vec<ItemOption>,
    pub selected: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: Uuid,
    pub exam_id: Uuid,
    pub account_id: Uuid,
    pub status: AttemptStatus,
    pub started_at: OffsetDateTime,
    pub deadline: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    /// The form while the attempt is open; empty once it is finished.
    pub items: Vec<ServedItem>,
    pub result: Option<AttemptResult>,
}

/// Why an attempt may not start now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartBlock {
    /// This attempt is still open: finish it first.
    AttemptOpen(Uuid),
    /// The track's required courses are not complete; what remains.
    NotEligible(Eligibility),
    /// A valid certificate is held; recertification opens at `recertify_from`.
    AlreadyCertified {
        expires_at: OffsetDateTime,
        recertify_from: OffsetDateTime,
    },
    /// The retake policy's wait, or its quota of attempts, ends at `until`.
    RetakeWait { until: OffsetDateTime },
}

impl From<StartBlock> for ExamError {
    fn from(block: StartBlock) -> Self {
        match block {
            StartBlock::AttemptOpen(id) => Self::AttemptOpen(id),
            StartBlock::NotEligible(eligibility) => Self::NotEligible(eligibility),
            StartBlock::AlreadyCertified {
                expires_at,
                recertify_from,
            } => Self::AlreadyCertified {
                expires_at,
                recertify_from,
            },
            StartBlock::RetakeWait { until } => Self::RetakeWait { until },
        }
    }
}

/// A candidate's standing with one exam, as the page before starting shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamStanding {
    pub exam: Exam,
    /// Oldest first, any past deadline finalised.
    pub attempts: Vec<Attempt>,
    /// Attempts counted against the retake policy's quota now.
    pub attempts_in_window: u32,
    /// `Ok` when an attempt may start now.
    pub may_start: Result<(), StartBlock>,
}

/// One candidate's dealings with their attempts, as of one reading of the clock. Each operation
/// is one write transaction, which finalises whatever attempt's deadline has passed before it
/// does its own work, and reads its answer before it commits.
pub struct Candidate<'a, C> {
    pub db: &'a C,
    pub now: OffsetDateTime,
    pub account_id: Uuid,
    /// Runs in the transaction that records a pass, and again once that has committed.
    pub hook: &'a dyn PassHook,
}

/// The write transaction of one [`Candidate`] operation, carrying what it needs and the passes
/// it recorded, so that [`AttemptWrite::commit`] can tell the hook about them.
struct AttemptWrite<'a> {
    txn: DatabaseTransaction,
    now: OffsetDateTime,
    account_id: Uuid,
    hook: &'a dyn PassHook,
    passes: Vec<Pass>,
}

impl AttemptWrite<'_> {
    async fn commit(self) -> Result<(), ExamError> {
        self.txn.commit().await?;
        if !self.passes.is_empty() {
            self.hook.committed(&self.passes).await;
        }
        Ok(())
    }
}

impl<'a, C> Candidate<'a, C>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    async fn write(&self) -> Result<AttemptWrite<'a>, ExamError> {
        Ok(AttemptWrite {
            txn: certify_core::begin_write(self.db).await?,
            now: self.now,
            account_id: self.account_id,
            hook: self.hook,
            passes: Vec::new(),
        })
    }

    /// Starts an attempt: finalises any expired one, then checks the one-open-attempt rule,
    /// course eligibility and the retake policy, and draws a form with `seed`.
    pub async fn start_attempt(&self, exam_id: Uuid, seed: u64) -> Result<Attempt, ExamError> {
        let mut write = self.write().await?;
        let id = start(&mut write, exam_id, seed).await?;
        let attempt = attempt_view(&write.txn, own_attempt(&write, id).await?).await?;
        write.commit().await?;
        Ok(attempt)
    }

    /// Every attempt at an exam, oldest first, expired ones finalised.
    pub async fn attempts(&self, exam_id: Uuid) -> Result<Vec<Attempt>, ExamError> {
        let mut write = self.write().await?;
        let exam = get_exam(&write.txn, exam_id).await?;
        let history = brought_up_to_date(&mut write, &exam).await?;
        let attempts = attempt_views(&write.txn, history).await?;
        write.commit().await?;
        Ok(attempts)
    }

    /// Where the candidate stands with an exam before starting: the exam, every attempt so far,
    /// and whether an attempt may start now, by the same rules [`Candidate::start_attempt`]
    /// applies.
    pub async fn standing(&self, exam_id: Uuid) -> Result<ExamStanding, ExamError> {
        let mut write = self.write().await?;
        let exam = get_exam(&write.txn, exam_id).await?;
        let history = brought_up_to_date(&mut write, &exam).await?;
        let may_start = may_start(&write, &exam, &history).await?;
        let past: Vec<PastAttempt> = history.iter().map(past_attempt).collect();
        let attempts_in_window = exam.retake.attempts_in_window(&past, write.now);
        let attempts = attempt_views(&write.txn, history).await?;
        write.commit().await?;
        Ok(ExamStanding {
            exam,
            attempts,
            attempts_in_window,
            may_start,
        })
    }

    /// One attempt, finalised first if its deadline has passed.
    pub async fn attempt(&self, attempt_id: Uuid) -> Result<Attempt, ExamError> {
        let mut write = self.write().await?;
        let (row, _, _) = own_attempt_brought_up_to_date(&mut write, attempt_id).await?;
        let attempt = attempt_view(&write.txn, row).await?;
        write.commit().await?;
        Ok(attempt)
    }

    /// Saves the answer to one item of an open attempt; saving again replaces it, and an empty
    /// selection clears it. After the deadline nothing is saved.
    pub async fn save_response(
        &self,
        attempt_id: Uuid,
        position: u32,
        selected: Vec<String>,
    ) -> Result<ServedItem, ExamError> {
        let mut write = self.write().await?;
        let (row, _, finalised_now) = own_attempt_brought_up_to_date(&mut write, attempt_id).await?;
        if finalised_now {
            // The finalisation must stick even though this save is refused.
            write.commit().await?;
            return Err(ExamError::AttemptClosed);
        }
        if row.status != AttemptStatus::Open {
            return Err(ExamError::AttemptClosed);
        }
        save(&write, attempt_id, position, selected).await?;
        let saved = served_items(&write.txn, attempt_id)
            .await?
            .into_iter()
            .find(|item| item.position == position)
            .context("saved item vanished")?;
        write.commit().await?;
        Ok(saved)
    }

    /// Submits an open attempt and scores it. Submitting a finished attempt returns it unchanged.
    pub async fn submit_attempt(&self, attempt_id: Uuid) -> Result<Attempt, ExamError> {
        let mut write = self.write().await?;
        let (row, exam, _) = own_attempt_brought_up_to_date(&mut write, attempt_id).await?;
        let row = if row.status == AttemptStatus::Open {
            let ended = Ended {
                at: write.now,
                recorded_at: write.now,
            };
            finalise(&mut write, ended, &row, &exam, AttemptStatus::Submitted).await?;
            own_attempt(&write, attempt_id).await?
        } else {
            row
        };
        let attempt = attempt_view(&write.txn, row).await?;
        write.commit().await?;
        Ok(attempt)
    }
}

/// Checks that the candidate may start, and stores a new attempt with its form; returns its id.
async fn start(write: &mut AttemptWrite<'_>, exam_id: Uuid, seed: u64) -> Result<Uuid, ExamError> {
    let exam = get_exam(&write.txn, exam_id).await?;
    let history = brought_up_to_date(write, &exam).await?;
    may_start(write, &exam, &history).await?.map_err(ExamError::from)?;
    let (txn, now, account_id) = (&write.txn, write.now, write.account_id);
    let form = form::assemble(seed, &blueprint_draws(&exam), &candidates(txn, exam_id).await?)
        .map_err(|err| ExamError::InvalidState(format!("the item bank cannot fill a form yet: {err}")))?;
    let id = Uuid::now_v7();
    let inserted = attempt::ActiveModel {
        id: Set(id),
        exam_id: Set(exam_id),
        account_id: Set(account_id),
        status: Set(AttemptStatus::Open),
        // Stored as the same 64 bits, reinterpreted: PostgreSQL has no unsigned integers.
        seed: Set(i64::from_ne_bytes(seed.to_ne_bytes())),
        started_at: Set(now),
        deadline: Set(now + exam.duration),
        finished_at: Set(None),
        raw_score: Set(None),
        max_raw: Set(None),
        scaled_score: Set(None),
        passed: Set(None),
        domain_feedback: Set(None),
    }
    .insert(txn)
    .await;
    if let Err(err) = inserted {
        return Err(match err.sql_err() {
            // Another request started one in the meantime.
            Some(SqlErr::UniqueConstraintViolation(_)) => ExamError::InvalidState("an attempt is already open".into()),
            _ => err.into(),
        });
    }
    let versions = current_versions(txn, form.iter().map(|f| f.item_id)).await?;
    for (index, drawn) in form.iter().enumerate() {
        let version = versions
            .iter()
            .find(|v| v.item_id == drawn.item_id)
            .context("drawn item without a version")?;
        attempt_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            attempt_id: Set(id),
            position: Set(i32::try_from(index + 1).context("form too long")?),
            item_id: Set(drawn.item_id),
            item_version: Set(version.version),
            domain_id: Set(drawn.domain_id),
            option_order: Set(serde_json::to_string(&drawn.option_order).context("option order")?),
            response: Set(None),
            answered_at: Set(None),
        }
        .insert(txn)
        .await?;
    }
    Ok(id)
}

/// Finalises whatever attempt at `exam` is past its deadline; returns them all, oldest first.
async fn brought_up_to_date(write: &mut AttemptWrite<'_>, exam: &Exam) -> Result<Vec<attempt::Model>, ExamError> {
    for row in &attempts_of(write, exam.id).await? {
        finalise_if_due(write, row, exam).await?;
    }
    attempts_of(write, exam.id).await
}

/// Every rule that decides whether the candidate may start an attempt at `exam` now, in the
/// order a person would fix them: one open attempt at a time, the required courses, a held
/// certificate outside its recertification window, and the retake policy.
async fn may_start(
    write: &AttemptWrite<'_>,
    exam: &Exam,
    history: &[attempt::Model],
) -> Result<Result<(), StartBlock>, ExamError> {
    let (txn, now, account_id) = (&write.txn, write.now, write.account_id);
    if let Some(open) = history.iter().find(|a| a.status == AttemptStatus::Open) {
        return Ok(Err(StartBlock::AttemptOpen(open.id)));
    }
    let eligibility = certify_courses::eligibility_for(txn, account_id, exam.track_id)
        .await
        .map_err(|err| anyhow::anyhow!("checking eligibility: {err}"))?;
    if !eligibility.eligible {
        return Ok(Err(StartBlock::NotEligible(eligibility)));
    }
    let held_until = write
        .hook
        .valid_certificate_until(txn, account_id, exam.track_id, now)
        .await
        .context("looking up the certificates held")?;
    if let Err(held) = exam.retake.check_holding(held_until, now) {
        return Ok(Err(StartBlock::AlreadyCertified {
            expires_at: held.expires_at,
            recertify_from: held.recertify_from,
        }));
    }
    let past: Vec<PastAttempt> = history.iter().map(past_attempt).collect();
    Ok(exam
        .retake
        .check(&past, now)
        .map_err(|block: RetakeBlock| StartBlock::RetakeWait { until: block.until() }))
}

fn blueprint_draws(exam: &Exam) -> Vec<DomainDraw> {
    exam.domains
        .iter()
        .map(|d| DomainDraw {
            domain_id: d.id,
            items: d.items_per_form,
        })
        .collect()
}

async fn candidates(db: &impl ConnectionTrait, exam_id: Uuid) -> Result<Vec<form::Candidate>, ExamError> {
    let rows = item::Entity::find()
        .filter(item::Column::ExamId.eq(exam_id))
        .filter(item::Column::Status.eq(ItemStatus::Active))
        .all(db)
        .await?;
    let versions = current_versions(db, rows.iter().map(|r| r.id)).await?;
    rows.into_iter()
        .map(|row| {
            let version = versions
                .iter()
                .find(|v| v.item_id == row.id)
                .context("item without its current version")?;
            let options: Vec<ItemOption> = serde_json::from_str(&version.options).context("stored options")?;
            Ok(form::Candidate {
                item_id: row.id,
                domain_id: row.domain_id,
                option_ids: options.into_iter().map(|o| o.id).collect(),
            })
        })
        .collect()
}

async fn current_versions(
    db: &impl ConnectionTrait,
    item_ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<item_version::Model>, ExamError> {
    let ids: Vec<Uuid> = item_ids.into_iter().collect();
    let rows = item::Entity::find()
        .filter(item::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let versions = item_version::Entity::find()
        .filter(item_version::Column::ItemId.is_in(ids))
        .all(db)
        .await?;
    Ok(versions
        .into_iter()
        .filter(|v| rows.iter().any(|r| r.id == v.item_id && r.current_version == v.version))
        .collect())
}

/// The candidate's attempts at an exam, oldest first.
async fn attempts_of(write: &AttemptWrite<'_>, exam_id: Uuid) -> Result<Vec<attempt::Model>, ExamError> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::AccountId.eq(write.account_id))
        .filter(attempt::Column::ExamId.eq(exam_id))
        .order_by_asc(attempt::Column::Id)
        .all(&write.txn)
        .await?)
}

fn past_attempt(row: &attempt::Model) -> PastAttempt {
    PastAttempt {
        started_at: row.started_at,
        finished: row.finished_at.map(|at| Finished {
            at,
            passed: row.passed == Some(true),
        }),
    }
}

/// Finalises an open attempt whose deadline has passed, with the responses saved before it.
async fn finalise_if_due(write: &mut AttemptWrite<'_>, row: &attempt::Model, exam: &Exam) -> Result<bool, ExamError> {
    if row.status == AttemptStatus::Open && write.now >= row.deadline {
        let ended = Ended {
            at: row.deadline,
            recorded_at: write.now,
        };
        finalise(write, ended, row, exam, AttemptStatus::Expired).await?;
        return Ok(true);
    }
    Ok(false)
}

/// When an attempt ended, and when that is being recorded.
#[derive(Debug, Clone, Copy)]
struct Ended {
    at: OffsetDateTime,
    recorded_at: OffsetDateTime,
}

/// Scores an open attempt and records its result; on a pass, runs the hook and remembers the
/// pass for [`AttemptWrite::commit`].
async fn finalise(
    write: &mut AttemptWrite<'_>,
    ended: Ended,
    row: &attempt::Model,
    exam: &Exam,
    status: AttemptStatus,
) -> Result<(), ExamError> {
    let txn = &write.txn;
    let served = attempt_item::Entity::find()
        .filter(attempt_item::Column::AttemptId.eq(row.id))
        .all(txn)
        .await?;
    let versions = item_version::Entity::find()
        .filter(item_version::Column::ItemId.is_in(served.iter().map(|s| s.item_id)))
        .all(txn)
        .await?;
    let mut marked = Vec::new();
    for item in &served {
        let version = versions
            .iter()
            .find(|v| v.item_id == item.item_id && v.version == item.item_version)
            .context("served item version missing")?;
        let key = content_from(item.domain_id, version)?.key;
        let selected: BTreeSet<String> = match &item.response {
            Some(json) => serde_json::from_str(json).context("stored response")?,
            None => BTreeSet::new(),
        };
        marked.push(Marked {
            domain_id: item.domain_id,
            correct: scoring::is_correct(&selected, &key),
        });
    }
    let domain_order: Vec<Uuid> = exam.domains.iter().map(|d| d.id).collect();
    let score = scoring::score(&marked, exam.cut_percent, exam.cut_score, &domain_order);
    let feedback: Vec<DomainFeedback> = score
        .domains
        .iter()
        .filter_map(|d| {
            let name = exam.domains.iter().find(|e| e.id == d.domain_id)?.name.clone();
            Some(DomainFeedback {
                domain_id: d.domain_id,
                name,
                meets: d.meets,
            })
        })
        .collect();
    // Only an attempt that is still open is finalised: a concurrent request may have won.
    let updated = attempt::Entity::update_many()
        .col_expr(attempt::Column::Status, Expr::value(status))
        .col_expr(attempt::Column::FinishedAt, Expr::value(ended.at))
        .col_expr(
            attempt::Column::RawScore,
            Expr::value(i32::try_from(score.raw).context("raw score")?),
        )
        .col_expr(
            attempt::Column::MaxRaw,
            Expr::value(i32::try_from(score.max_raw).context("max raw")?),
        )
        .col_expr(attempt::Column::ScaledScore, Expr::value(i32::from(score.scaled.get())))
        .col_expr(attempt::Column::Passed, Expr::value(score.passed))
        .col_expr(
            attempt::Column::DomainFeedback,
            Expr::value(serde_json::to_string(&feedback).context("feedback")?),
        )
        .filter(attempt::Column::Id.eq(row.id))
        .filter(attempt::Column::Status.eq(AttemptStatus::Open))
        .exec(txn)
        .await?;
    if updated.rows_affected == 1 && score.passed {
        let pass = Pass {
            attempt_id: row.id,
            exam_id: row.exam_id,
            track_id: exam.track_id,
            account_id: row.account_id,
            scaled_score: score.scaled,
            passed_at: ended.at,
            recorded_at: ended.recorded_at,
        };
        write.hook.on_pass(txn, &pass).await.context("the pass hook failed")?;
        write.passes.push(pass);
    }
    Ok(())
}

async fn own_attempt(write: &AttemptWrite<'_>, attempt_id: Uuid) -> Result<attempt::Model, ExamError> {
    attempt::Entity::find_by_id(attempt_id)
        .one(&write.txn)
        .await?
        .filter(|a| a.account_id == write.account_id)
        .ok_or_else(|| ExamError::not_found("attempt", attempt_id))
}

/// The caller's attempt and its exam, with the attempt finalised first if its deadline has
/// passed; the flag says whether this call finalised it.
async fn own_attempt_brought_up_to_date(
    write: &mut AttemptWrite<'_>,
    attempt_id: Uuid,
) -> Result<(attempt::Model, Exam, bool), ExamError> {
    let row = own_attempt(write, attempt_id).await?;
    let exam = get_exam(&write.txn, row.exam_id).await?;
    if finalise_if_due(write, &row, &exam).await? {
        let row = own_attempt(write, attempt_id).await?;
        return Ok((row, exam, true));
    }
    Ok((row, exam, false))
}

async fn attempt_views(db: &impl ConnectionTrait, rows: Vec<attempt::Model>) -> Result<Vec<Attempt>, ExamError> {
    let mut all = Vec::with_capacity(rows.len());
    for row in rows {
        all.push(attempt_view(db, row).await?);
    }
    Ok(all)
}

async fn attempt_view(db: &impl ConnectionTrait, row: attempt::Model) -> Result<Attempt, ExamError> {
    let status = row.status;
    let items = if status == AttemptStatus::Open {
        served_items(db, row.id).await?
    } else {
        Vec::new()
    };
    let result = match (row.scaled_score, row.passed, &row.domain_feedback) {
        (Some(scaled), Some(passed), Some(feedback)) => Some(AttemptResult {
            scaled_score: ScaledScore::parse(scaled.into()).context("stored scaled score")?,
            passed,
            domains: serde_json::from_str(feedback).context("stored feedback")?,
        }),
        _ => None,
    };
    Ok(Attempt {
        id: row.id,
        exam_id: row.exam_id,
        account_id: row.account_id,
        status,
        started_at: row.started_at,
        deadline: row.deadline,
        finished_at: row.finished_at,
        items,
        result,
    })
}

async fn served_items(db: &impl ConnectionTrait, attempt_id: Uuid) -> Result<Vec<ServedItem>, ExamError> {
    let served = attempt_item::Entity::find()
        .filter(attempt_item::Column::AttemptId.eq(attempt_id))
        .order_by_asc(attempt_item::Column::Position)
        .all(db)
        .await?;
    let versions = item_version::Entity::find()
        .filter(item_version::Column::ItemId.is_in(served.iter().map(|s| s.item_id)))
        .all(db)
        .await?;
    served
        .into_iter()
        .map(|item| {
            let version = versions
                .iter()
                .find(|v| v.item_id == item.item_id && v.version == item.item_version)
                .context("served item version missing")?;
            let content = content_from(item.domain_id, version)?;
            let order: Vec<String> = serde_json::from_str(&item.option_order).context("stored option order")?;
            let options = order
                .iter()
                .enumerate()
                .filter_map(|(index, bank_id)| {
                    let option = content.options.iter().find(|o| &o.id == bank_id)?;
                    Some(ItemOption {
                        id: form::served_option_id(index),
                        text: option.text.clone(),
                    })
                })
                .collect();
            let saved: Vec<String> = match item.response {
                Some(json) => serde_json::from_str(&json).context("stored response")?,
                None => Vec::new(),
            };
            let mut selected: Vec<String> = saved
                .iter()
                .map(|bank_id| form::served_id_of(&order, bank_id).context("saved option not on the form"))
                .collect::<anyhow::Result<_>>()?;
            selected.sort_unstable();
            Ok(ServedItem {
                position: u32::try_from(item.position).context("position")?,
                kind: content.kind,
                stem: content.stem,
                options,
                selected,
            })
        })
        .collect()
}

/// Stores the answer to one item of an open attempt, given by the letters it was served with.
async fn save(
    write: &AttemptWrite<'_>,
    attempt_id: Uuid,
    position: u32,
    selected: Vec<String>,
) -> Result<(), ExamError> {
    let txn = &write.txn;
    let served = attempt_item::Entity::find()
        .filter(attempt_item::Column::AttemptId.eq(attempt_id))
        .filter(attempt_item::Column::Position.eq(i32::try_from(position).unwrap_or(-1)))
        .one(txn)
        .await?
        .ok_or(ExamError::NotOnForm(position))?;
    let version = item_version::Entity::find()
        .filter(item_version::Column::ItemId.eq(served.item_id))
        .filter(item_version::Column::Version.eq(served.item_version))
        .one(txn)
        .await?
        .context("served item version missing")?;
    let content = content_from(served.domain_id, &version)?;
    let order: Vec<String> = serde_json::from_str(&served.option_order).context("stored option order")?;
    let unique: BTreeSet<&String> = selected.iter().collect();
    if unique.len() != selected.len() {
        return Err(ExamError::invalid("selected", "an option is selected twice"));
    }
    // The candidate names options by the letters they were served; the bank's ids stay here.
    let chosen = selected
        .iter()
        .map(|served_id| {
            form::bank_option_id(&order, served_id)
                .map(str::to_owned)
                .ok_or_else(|| {
                    ExamError::invalid("selected", format!("`{served_id}` is not an option of this question"))
                })
        })
        .collect::<Result<BTreeSet<String>, ExamError>>()?;
    if content.kind != ItemKind::MultipleResponse && chosen.len() > 1 {
        return Err(ExamError::invalid("selected", "this question takes one answer"));
    }
    let mut active = served.into_active_model();
    active.response = Set(if chosen.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&chosen).context("response")?)
    });
    active.answered_at = Set(Some(write.now));
    active.update(txn).await?;
    Ok(())
}
