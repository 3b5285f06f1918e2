//! `certify seed-synthetic`: fills a database with synthetic consultants, each holding a signed
//! certificate, for benchmarks at programme scale (300,000 in a few minutes). Certificates go
//! through the real issuance path, so they verify exactly like real ones; their issue dates are
//! spread over the year before `now`, so counters and forecasts have a history to work on.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use certify_accounts::{NewAccount, Role, create_account};
use certify_certificates::{Achievement, IssueRequest, IssuerSettings, issue_certificate};
use certify_core::{DisplayName, Email};
use certify_courses::TrackContent;
use certify_firms::{CountryCode, FirmKind, NewFirm};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Certificates issued per transaction.
const BATCH: usize = 500;

/// Seeds `count` consultants with a certificate each, spread round robin over `firms` new
/// partner firms (none when 0), and returns their certificates' hashes.
pub async fn seed(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    issuer: &IssuerSettings,
    count: usize,
    firms: usize,
) -> anyhow::Result<Vec<String>> {
    let track = certify_courses::create_track(
        db,
        now,
        TrackContent {
            title: "Synthetic Benchmark Track".to_owned(),
            description: "Holds synthetic certificates seeded for benchmarks.".to_owned(),
            certificate_validity_months: certify_courses::DEFAULT_CERTIFICATE_VALIDITY_MONTHS,
        },
    )
    .await?;
    let achievement = crate::issuance::achievement_of(db, track.id).await?;
    // Distinguishes this run's accounts from an earlier run's in the same database.
    let run = &Uuid::now_v7().simple().to_string()[20..];
    let firm_ids = std::sync::Arc::new(seed_firms(db, now, run, firms).await?);
    // SQLite has one writer; PostgreSQL takes batches in parallel.
    let workers = match db.get_database_backend() {
        DatabaseBackend::Postgres => 4,
        _ => 1,
    };
    let started = Instant::now();
    let mut batches = tokio::task::JoinSet::new();
    let mut hashes = Vec::with_capacity(count);
    let mut next = 0;
    while next < count || !batches.is_empty() {
        while next < count && batches.len() < workers {
            let range = next..(next + BATCH).min(count);
            next = range.end;
            let (db, issuer, achievement, run) = (db.clone(), issuer.clone(), achievement.clone(), run.to_owned());
            let firm_ids = firm_ids.clone();
            batches.spawn(async move {
                let batch = Batch {
                    issuer: &issuer,
                    achievement: &achievement,
                    run: &run,
                    firm_ids: &firm_ids,
                };
                seed_batch(&db, now, batch, range).await
            });
        }
        if let Some(done) = batches.join_next().await {
            hashes.extend(done.context("a seeding task failed")??);
            if hashes.len() % 10_000 < BATCH || hashes.len() == count {
                let rate = hashes.len() as f64 / started.elapsed().as_secs_f64();
                eprintln!("{} of {count} certificates ({rate:.0}/s)", hashes.len());
            }
        }
    }
    Ok(hashes)
}

/// `count` partner firms of every kind, in a few countries.
async fn seed_firms(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    run: &str,
    count: usize,
) -> anyhow::Result<Vec<Uuid>> {
    const KINDS: [FirmKind; 4] = [
        FirmKind::ConsultingFirm,
        FirmKind::SystemsIntegrator,
        FirmKind::TechnologyProvider,
        FirmKind::DeploymentSpecialist,
    ];
    const COUNTRIES: [&str; 6] = ["DE", "US", "IN", "GB", "FR", "JP"];
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let firm = certify_firms::create_firm(
            db,
            now,
            NewFirm {
                name: format!("Synthetic Firm {i} ({run})"),
                kind: KINDS[i % KINDS.len()],
                country: CountryCode::parse(COUNTRIES[i % COUNTRIES.len()])?,
                website: None,
            },
        )
        .await?;
        ids.push(firm.id);
    }
    Ok(ids)
}

/// What every batch of one run shares.
struct Batch<'a> {
    issuer: &'a IssuerSettings,
    achievement: &'a Achievement,
    run: &'a str,
    firm_ids: &'a [Uuid],
}

async fn seed_batch(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    batch: Batch<'_>,
    range: std::ops::Range<usize>,
) -> anyhow::Result<Vec<String>> {
    let Batch {
        issuer,
        achievement,
        run,
        firm_ids,
    } = batch;
    let txn = certify_core::begin_write(db).await?;
    let mut hashes = Vec::with_capacity(range.len());
    for i in range {
        let issued = now - Duration::days((i % 365) as i64);
        let account = create_account(
            &txn,
            issued,
            NewAccount {
                email: Email::parse(&format!("synthetic-{run}-{i}@consultants.example"))?,
                display_name: DisplayName::parse(&format!("Synthetic Consultant {i}"))?,
                role: Role::Consultant,
                password: None,
                must_change_password: false,
            },
        )
        .await?;
        if !firm_ids.is_empty() {
            certify_firms::join_firm(&txn, issued, firm_ids[i % firm_ids.len()], account.id).await?;
        }
        let request = IssueRequest {
            account_id: account.id,
            achievement: achievement.clone(),
            attempt_id: None,
            earned_at: None,
        };
        let certificate = issue_certificate(&txn, issued, issuer, request).await?;
        hashes.push(certificate.hash.to_string());
    }
    txn.commit().await?;
    Ok(hashes)
}

/// One hash per line, for load generators.
pub fn write_hashes(path: &Path, hashes: &[String]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for hash in hashes {
        writeln!(out, "{hash}")?;
    }
    out.flush().with_context(|| format!("cannot write {}", path.display()))
}
