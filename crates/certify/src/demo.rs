//! Demo data for `certify serve --demo`: enough of a platform to click through. Seeded only into
//! an empty database, in one transaction. The catalogue's content lives in
//! `assets/demo/catalogue.toml`.

use anyhow::Context as _;
use certify_accounts::{NewAccount, Password, Role, count_accounts, create_account};
use certify_api::routes::exams::BankDocument;
use certify_core::{DisplayName, Email};
use certify_courses::{CourseContent, ModuleContent, PublicationStatus, TrackContent};
use certify_exams::{Blueprint, BlueprintInput, DomainSpec, ExamError, RetakePolicy, ScaledScore};
use certify_firms::{CountryCode, FirmKind, NewFirm, Website, create_firm, join_firm};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A demo sign-in, printed at start and listed in the README.
#[derive(Debug, Clone, Copy)]
pub struct DemoAccount {
    pub role: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount {
        role: "programme staff",
        email: "staff@certify.example",
        password: "demo-staff-password",
        display_name: "Priya Raman",
    },
    DemoAccount {
        role: "firm admin (Northwind Consulting)",
        email: "admin@northwind.example",
        password: "demo-admin-password",
        display_name: "Jonas Becker",
    },
    DemoAccount {
        role: "consultant (Northwind Consulting)",
        email: "ada@northwind.example",
        password: "demo-consultant-password",
        display_name: "Ada Okafor",
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded,
    /// The database already had accounts; nothing was added.
    AlreadyPopulated,
}

pub async fn seed(db: &DatabaseConnection, now: OffsetDateTime) -> anyhow::Result<SeedOutcome> {
    let txn = db.begin().await.context("starting the demo transaction")?;
    if count_accounts(&txn).await? > 0 {
        return Ok(SeedOutcome::AlreadyPopulated);
    }
    let northwind = create_firm(
        &txn,
        now,
        NewFirm {
            name: "Northwind Consulting".to_owned(),
            kind: FirmKind::ConsultingFirm,
            country: CountryCode::parse("DE")?,
            website: Some(Website::parse("https://northwind.example")?),
        },
    )
    .await
    .context("creating the demo firm")?;
    let [staff, admin, consultant] = DEMO_ACCOUNTS;
    let roles = [
        (staff, Role::ProgrammeStaff),
        (admin, Role::FirmAdmin { firm_id: northwind.id }),
        (consultant, Role::Consultant),
    ];
    let mut consultant_id = None;
    for (demo, role) in roles {
        let new = NewAccount {
            email: Email::parse(demo.email)?,
            display_name: DisplayName::parse(demo.display_name)?,
            role,
            password: Some(Password::parse(demo.password)?),
        };
        let account = create_account(&txn, now, new)
            .await
            .with_context(|| format!("creating demo account {}", demo.email))?;
        if role == Role::Consultant {
            consultant_id = Some(account.id);
        }
    }
    let consultant_id = consultant_id.context("the demo has a consultant")?;
    join_firm(&txn, now, northwind.id, consultant_id)
        .await
        .context("adding the demo consultant to her firm")?;
    let track_id = seed_catalogue(&txn, now).await?;
    finish_track(&txn, now, consultant_id, track_id).await?;
    seed_exam(&txn, now, track_id).await?;
    txn.commit().await.context("committing demo data")?;
    Ok(SeedOutcome::Seeded)
}

const CATALOGUE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/catalogue.toml"));

#[derive(Deserialize)]
struct CatalogueFile {
    track: TrackFile,
    courses: Vec<CourseFile>,
}

#[derive(Deserialize)]
struct TrackFile {
    title: String,
    description: String,
}

#[derive(Deserialize)]
struct CourseFile {
    title: String,
    summary: String,
    required: bool,
    modules: Vec<ModuleFile>,
}

#[derive(Deserialize)]
struct ModuleFile {
    title: String,
    estimated_minutes: i32,
    body: String,
}

/// Creates and publishes the demo track with its courses and modules; returns the track's id.
async fn seed_catalogue(txn: &DatabaseTransaction, now: OffsetDateTime) -> anyhow::Result<Uuid> {
    let file: CatalogueFile = toml::from_str(CATALOGUE).context("assets/demo/catalogue.toml is invalid")?;
    let content = TrackContent {
        title: file.track.title,
        description: file.track.description,
        certificate_validity_months: certify_courses::DEFAULT_CERTIFICATE_VALIDITY_MONTHS,
    };
    let track = certify_courses::create_track(txn, now, content).await?;
    for course_file in file.courses {
        let content = CourseContent {
            title: course_file.title,
            summary: course_file.summary,
            required: course_file.required,
        };
        let course = certify_courses::create_course(txn, now, track.id, content).await?;
        for module_file in course_file.modules {
            let content = ModuleContent {
                title: module_file.title,
                body_markdown: module_file.body,
                estimated_minutes: module_file.estimated_minutes,
            };
            let module = certify_courses::create_module(txn, now, course.id, content).await?;
            certify_courses::set_module_status(txn, now, module.id, PublicationStatus::Published).await?;
        }
        certify_courses::set_course_status(txn, now, course.id, PublicationStatus::Published).await?;
    }
    certify_courses::set_track_status(txn, now, track.id, PublicationStatus::Published).await?;
    Ok(track.id)
}

/// Enrols a consultant in the track and completes every module, so she is eligible for its exam.
async fn finish_track(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    account_id: Uuid,
    track_id: Uuid,
) -> anyhow::Result<()> {
    certify_courses::enrol_in_track(txn, now, account_id, track_id).await?;
    let track = certify_courses::get_track(txn, certify_courses::Audience::Learner, track_id).await?;
    for course in track.courses {
        let outline = certify_courses::get_course(txn, certify_courses::Audience::Learner, course.id).await?;
        for module in outline.modules {
            certify_courses::complete_module(txn, now, account_id, module.id).await?;
        }
    }
    Ok(())
}

const EXAM_BANK: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/exam-bank.json"));

/// The demo track's exam: four weighted domains matching the courses, a 30-item form drawn from
/// a 42-item bank imported exactly as staff would import one.
async fn seed_exam(txn: &DatabaseTransaction, now: OffsetDateTime, track_id: Uuid) -> anyhow::Result<()> {
    let domain = |name: &str, weight_percent: u8, items_per_form: u32| DomainSpec {
        id: None,
        name: name.to_owned(),
        weight_percent,
        items_per_form,
    };
    let blueprint = Blueprint::parse(BlueprintInput {
        title: "AI Deployment Consultant certification exam".to_owned(),
        duration_minutes: 60,
        cut_score: i64::from(ScaledScore::DEFAULT_CUT.get()),
        cut_percent: Blueprint::DEFAULT_CUT_PERCENT,
        retake: RetakePolicy::default(),
        domains: vec![
            domain("Use cases and value", 30, 9),
            domain("Integration and architecture", 30, 9),
            domain("Data governance and risk", 25, 7),
            domain("Adoption and change", 15, 5),
        ],
    })
    .map_err(|problems| anyhow::anyhow!("the demo blueprint is invalid: {problems:?}"))?;
    let exam = certify_exams::create_exam(txn, now, track_id, blueprint).await?;
    let document: BankDocument = serde_json::from_str(EXAM_BANK).context("assets/demo/exam-bank.json is invalid")?;
    certify_exams::import_bank(txn, now, exam.id, document.into_items())
        .await
        .map_err(|err| match err {
            ExamError::Invalid(problems) => anyhow::anyhow!("the demo bank is invalid: {problems:?}"),
            other => anyhow::Error::new(other),
        })?;
    Ok(())
}
