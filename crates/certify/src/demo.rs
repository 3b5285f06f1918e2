//! Demo data for `certify serve --demo`: enough of a platform to click through. Seeded only into
//! an empty database, in one transaction. The catalogue's content lives in
//! `assets/demo/catalogue.toml`.
//!
//! Four partner firms, one of each kind, each with a verified e-mail domain, an admin and a
//! consultant at every stage of the programme: enrolled, eligible, failed once, certified,
//! expired and revoked. Northwind also has a dozen more certified consultants, so its tier
//! (Select) and tier forecast have something to show.

use anyhow::Context as _;
use certify_accounts::{NewAccount, Password, Role, count_accounts, create_account};
use certify_api::routes::item_bank::BankDocument;
use certify_certificates::{IssueRequest, IssuerSettings, issue_certificate, revoke_certificate};
use certify_core::{DisplayName, Email};
use certify_courses::{CourseContent, ModuleContent, PublicationStatus, TrackContent};
use certify_exams::{Blueprint, BlueprintInput, Candidate, DomainSpec, ExamError, PassHook, RetakePolicy, ScaledScore};
use certify_firms::{
    CountryCode, EmailDomain, FirmKind, NewFirm, Website, claim_domain, create_firm, join_firm, verify_domain,
};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A demo sign-in, printed at start and listed in the README.
#[derive(Debug, Clone, Copy)]
pub struct DemoAccount {
    pub role: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
}

const ADMIN_PASSWORD: &str = "demo-admin-password";
const CONSULTANT_PASSWORD: &str = "demo-consultant-password";

pub const DEMO_ACCOUNTS: [DemoAccount; 8] = [
    DemoAccount {
        role: "programme staff",
        email: "staff@certify.example",
        password: "demo-staff-password",
        display_name: "Priya Raman",
    },
    DemoAccount {
        role: "firm admin (Northwind Consulting)",
        email: "admin@northwind.example",
        password: ADMIN_PASSWORD,
        display_name: "Jonas Becker",
    },
    DemoAccount {
        role: "firm admin (Bluefield Systems)",
        email: "admin@bluefield.example",
        password: ADMIN_PASSWORD,
        display_name: "Meera Iyer",
    },
    DemoAccount {
        role: "firm admin (Lumen Technologies)",
        email: "admin@lumen.example",
        password: ADMIN_PASSWORD,
        display_name: "Carlos Mendes",
    },
    DemoAccount {
        role: "firm admin (Harbor Deployments)",
        email: "admin@harbor.example",
        password: ADMIN_PASSWORD,
        display_name: "Fiona Walsh",
    },
    DemoAccount {
        role: "consultant, enrolled, modules to do",
        email: "emil@northwind.example",
        password: CONSULTANT_PASSWORD,
        display_name: "Emil Braun",
    },
    DemoAccount {
        role: "consultant, eligible for the exam",
        email: "ada@northwind.example",
        password: CONSULTANT_PASSWORD,
        display_name: "Ada Okafor",
    },
    DemoAccount {
        role: "consultant, certified",
        email: "lin@northwind.example",
        password: CONSULTANT_PASSWORD,
        display_name: "Lin Chen",
    },
];

/// Where a demo consultant stands in the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Enrolled,
    Eligible,
    FailedOnce,
    Certified,
    Expired,
    Revoked,
}

struct DemoFirm {
    name: &'static str,
    kind: FirmKind,
    country: &'static str,
    domain: &'static str,
    /// Index into [`DEMO_ACCOUNTS`].
    admin: usize,
    /// First names, one consultant per stage, in [`STAGES`] order.
    consultants: [&'static str; 6],
}

const STAGES: [Stage; 6] = [
    Stage::Enrolled,
    Stage::Eligible,
    Stage::FailedOnce,
    Stage::Certified,
    Stage::Expired,
    Stage::Revoked,
];

const DEMO_FIRMS: [DemoFirm; 4] = [
    DemoFirm {
        name: "Northwind Consulting",
        kind: FirmKind::ConsultingFirm,
        country: "DE",
        domain: "northwind.example",
        admin: 1,
        consultants: [
            "Emil Braun",
            "Ada Okafor",
            "Felix Wagner",
            "Lin Chen",
            "Greta Vogel",
            "Otto Kraus",
        ],
    },
    DemoFirm {
        name: "Bluefield Systems",
        kind: FirmKind::SystemsIntegrator,
        country: "IN",
        domain: "bluefield.example",
        admin: 2,
        consultants: [
            "Arjun Rao",
            "Kavya Nair",
            "Rohan Gupta",
            "Ananya Das",
            "Vikram Shah",
            "Isha Menon",
        ],
    },
    DemoFirm {
        name: "Lumen Technologies",
        kind: FirmKind::TechnologyProvider,
        country: "US",
        domain: "lumen.example",
        admin: 3,
        consultants: [
            "Maya Brooks",
            "Ethan Cole",
            "Sofia Reyes",
            "Noah Kim",
            "Grace Hall",
            "Liam Ward",
        ],
    },
    DemoFirm {
        name: "Harbor Deployments",
        kind: FirmKind::DeploymentSpecialist,
        country: "GB",
        domain: "harbor.example",
        admin: 4,
        consultants: [
            "Oliver Hughes",
            "Amelia Price",
            "Harry Shaw",
            "Isla Grant",
            "Jack Reid",
            "Freya Lowe",
        ],
    },
];

/// Extra certified consultants at Northwind, so that it reaches the Select tier.
const NORTHWIND_EXTRA_CERTIFIED: usize = 11;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded,
    /// The database already had accounts; nothing was added.
    AlreadyPopulated,
}

/// What seeding needs at hand.
struct Seeder<'a> {
    txn: &'a DatabaseTransaction,
    now: OffsetDateTime,
    issuer: &'a IssuerSettings,
    pass_hook: &'a dyn PassHook,
    staff_id: Uuid,
    track_id: Uuid,
    exam_id: Uuid,
}

pub async fn seed(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    issuer: &IssuerSettings,
    pass_hook: &dyn PassHook,
) -> anyhow::Result<SeedOutcome> {
    let txn = certify_core::begin_write(db)
        .await
        .context("starting the demo transaction")?;
    // Instances started together on one empty database: the first seeds, the others find it done.
    crate::db::hold_start_up_lock(&txn)
        .await
        .context("waiting for other instances' start-up")?;
    if count_accounts(&txn).await? > 0 {
        return Ok(SeedOutcome::AlreadyPopulated);
    }
    let staff = account(&txn, now, &DEMO_ACCOUNTS[0], Role::ProgrammeStaff).await?;
    // The catalogue predates everyone's progress, including certificates issued two years ago.
    let long_ago = now - Duration::days(3 * 365);
    let track_id = seed_catalogue(&txn, long_ago).await?;
    let exam_id = seed_exam(&txn, long_ago, track_id).await?;
    let seeder = Seeder {
        txn: &txn,
        now,
        issuer,
        pass_hook,
        staff_id: staff.id,
        track_id,
        exam_id,
    };
    for firm in &DEMO_FIRMS {
        seeder
            .firm(firm)
            .await
            .with_context(|| format!("seeding {}", firm.name))?;
    }
    txn.commit().await.context("committing demo data")?;
    Ok(SeedOutcome::Seeded)
}

async fn account(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    demo: &DemoAccount,
    role: Role,
) -> anyhow::Result<certify_accounts::Account> {
    let new = NewAccount {
        email: Email::parse(demo.email)?,
        display_name: DisplayName::parse(demo.display_name)?,
        role,
        // The demo's passwords are published (README, the sign-in page's hint): they name the
        // role ("demo-staff-password"), which the rule against passwords built on the account
        // would refuse. Strength is still checked.
        password: Some(Password::parse(demo.password, &[])?),
        must_change_password: false,
    };
    create_account(txn, now, new)
        .await
        .with_context(|| format!("creating demo account {}", demo.email))
}

impl Seeder<'_> {
    async fn firm(&self, demo: &DemoFirm) -> anyhow::Result<()> {
        let (txn, now) = (self.txn, self.now);
        let firm = create_firm(
            txn,
            now,
            NewFirm {
                name: demo.name.to_owned(),
                kind: demo.kind,
                country: CountryCode::parse(demo.country)?,
                website: Some(Website::parse(&format!("https://{}", demo.domain))?),
            },
        )
        .await?;
        let admin = account(
            txn,
            now,
            &DEMO_ACCOUNTS[demo.admin],
            Role::FirmAdmin { firm_id: firm.id },
        )
        .await?;
        let domain = EmailDomain::parse(demo.domain)?;
        claim_domain(txn, now, firm.id, &domain, admin.id).await?;
        verify_domain(txn, now, firm.id, &domain, self.staff_id).await?;
        for (name, stage) in demo.consultants.iter().zip(STAGES) {
            let first = name.split(' ').next().unwrap_or(name).to_lowercase();
            let email = format!("{first}@{}", demo.domain);
            let consultant = self.consultant(&email, name).await?;
            join_firm(txn, now - Duration::days(400), firm.id, consultant).await?;
            self.bring_to(consultant, stage).await?;
        }
        if demo.domain == "northwind.example" {
            for i in 1..=NORTHWIND_EXTRA_CERTIFIED {
                let email = format!("consultant{i}@{}", demo.domain);
                let consultant = self.consultant(&email, &format!("Northwind Consultant {i}")).await?;
                join_firm(txn, now - Duration::days(400), firm.id, consultant).await?;
                // Spread over the past year, so the tier forecast has a date to show.
                self.certify(consultant, now - Duration::days(30 * i as i64)).await?;
            }
        }
        Ok(())
    }

    /// A consultant account; the ones listed in [`DEMO_ACCOUNTS`] get their password.
    async fn consultant(&self, email: &str, name: &str) -> anyhow::Result<Uuid> {
        let listed = DEMO_ACCOUNTS.iter().find(|a| a.email == email);
        let new = NewAccount {
            email: Email::parse(email)?,
            display_name: DisplayName::parse(name)?,
            role: Role::Consultant,
            password: listed
                .map(|a| Password::parse(a.password, &[email, name]))
                .transpose()?,
            must_change_password: false,
        };
        let account = create_account(self.txn, self.now - Duration::days(400), new)
            .await
            .with_context(|| format!("creating demo consultant {email}"))?;
        Ok(account.id)
    }

    async fn bring_to(&self, consultant: Uuid, stage: Stage) -> anyhow::Result<()> {
        let (txn, now) = (self.txn, self.now);
        match stage {
            Stage::Enrolled => {
                certify_courses::enrol_in_track(txn, now - Duration::days(3), consultant, self.track_id).await?;
            }
            Stage::Eligible => finish_track(txn, now - Duration::days(7), consultant, self.track_id).await?,
            Stage::FailedOnce => {
                let sat = now - Duration::days(2);
                finish_track(txn, sat - Duration::days(7), consultant, self.track_id).await?;
                self.fail_exam(consultant, sat).await?;
            }
            Stage::Certified => {
                finish_track(txn, now - Duration::days(40), consultant, self.track_id).await?;
                self.certify(consultant, now - Duration::days(30)).await?;
            }
            Stage::Expired => {
                let issued = now - Duration::days(26 * 30);
                finish_track(txn, issued - Duration::days(7), consultant, self.track_id).await?;
                self.certify(consultant, issued).await?;
            }
            Stage::Revoked => {
                finish_track(txn, now - Duration::days(70), consultant, self.track_id).await?;
                let certificate = self.certify(consultant, now - Duration::days(60)).await?;
                revoke_certificate(
                    txn,
                    now - Duration::days(5),
                    certificate,
                    self.staff_id,
                    "Exam content was shared with other candidates",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn certify(&self, consultant: Uuid, at: OffsetDateTime) -> anyhow::Result<Uuid> {
        let request = IssueRequest {
            account_id: consultant,
            achievement: crate::issuance::achievement_of(self.txn, self.track_id).await?,
            attempt_id: None,
            earned_at: None,
        };
        Ok(issue_certificate(self.txn, at, self.issuer, request).await?.id)
    }

    /// Sits the exam at `at` and submits it unanswered, which fails.
    async fn fail_exam(&self, consultant: Uuid, at: OffsetDateTime) -> anyhow::Result<()> {
        let candidate = |now| Candidate {
            db: self.txn,
            now,
            account_id: consultant,
            hook: self.pass_hook,
        };
        let attempt = candidate(at).start_attempt(self.exam_id, 7).await?;
        let submitted = candidate(at + Duration::minutes(20)).submit_attempt(attempt.id).await?;
        anyhow::ensure!(
            submitted.result.is_some_and(|r| !r.passed),
            "an unanswered demo attempt did not fail"
        );
        Ok(())
    }
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
async fn seed_exam(txn: &DatabaseTransaction, now: OffsetDateTime, track_id: Uuid) -> anyhow::Result<Uuid> {
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
        retake: RetakePolicy::default().input(),
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
    Ok(exam.id)
}
