//! Demo data for `certify serve --demo`: enough of a platform to click through. Seeded only into
//! an empty database, in one transaction.

use anyhow::Context as _;
use certify_accounts::{NewAccount, Password, Role, count_accounts, create_account};
use certify_core::{DisplayName, Email};
use certify_firms::{CountryCode, FirmKind, NewFirm, Website, create_firm};
use sea_orm::{DatabaseConnection, TransactionTrait};
use time::OffsetDateTime;

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
    for (demo, role) in roles {
        let new = NewAccount {
            email: Email::parse(demo.email)?,
            display_name: DisplayName::parse(demo.display_name)?,
            role,
            password: Some(Password::parse(demo.password)?),
        };
        create_account(&txn, now, new)
            .await
            .with_context(|| format!("creating demo account {}", demo.email))?;
    }
    txn.commit().await.context("committing demo data")?;
    Ok(SeedOutcome::Seeded)
}
