//! Programme progress end to end: the headline moves in the transactions that change
//! certificates, expiries are swept by the clock, random histories reconcile with no difference,
//! breakdowns follow current memberships, and the live stream pushes every change.

use std::collections::BTreeMap;
use std::time::{Duration as StdDuration, Instant};

use certify_accounts::{NewAccount, Role};
use certify_certificates::{IssueRequest, IssuerSettings, StoredCertificates};
use certify_core::{Clock as _, DisplayName, Email, TestClock};
use certify_courses::TrackContent;
use certify_firms::{FirmKind, NewFirm};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait as _, DatabaseConnection};
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::certificates::{pass, revoke};
use crate::cli::certify;
use crate::exams::{exam_setup, json_of};
use crate::helpers::{TestDatabase, assert_problem, invalid_fields, spawn_app};

async fn headline(address: &str) -> Value {
    reqwest::get(format!("{address}/api/v1/progress"))
        .await
        .expect("request sent")
        .json()
        .await
        .expect("json")
}

/// Polls the public headline until `certified` reaches `expected` (the server's sweep and
/// stream run on a timer), or fails after a few seconds.
async fn wait_for_certified(address: &str, expected: i64) -> Value {
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        let current = headline(address).await;
        if current["certified"] == expected {
            return current;
        }
        assert!(
            Instant::now() < deadline,
            "certified stayed at {current}, expected {expected}"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

fn no_waits() -> Option<Value> {
    Some(
        json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 10, "window_days": 365, "recertification_window_days": 3650}),
    )
}

#[tokio::test]
async fn the_headline_is_public_and_moves_with_passes_and_revocations() {
    let app = spawn_app().await;
    let empty = headline(&app.address).await;
    assert_eq!(
        (
            &empty["certified"],
            &empty["ever_certified"],
            &empty["target"],
            &empty["deadline"],
            &empty["remaining"]
        ),
        (
            &json!(0),
            &json!(0),
            &json!(300_000),
            &json!("2026-12-31"),
            &json!(300_000)
        )
    );
    let setup = exam_setup(&app, no_waits()).await;
    let certificate = pass(&app, &setup).await;
    let after = headline(&app.address).await;
    assert_eq!((&after["certified"], &after["ever_certified"]), (&json!(1), &json!(1)));
    assert_eq!(after["remaining"], 299_999);

    // Passing again supersedes the first certificate: still one consultant.
    pass(&app, &setup).await;
    assert_eq!(headline(&app.address).await["certified"], 1);

    let mine = json_of(app.get("/api/v1/me/certificates", Some(&setup.candidate)).await).await;
    let current = mine[0]["id"].as_str().expect("id").to_owned();
    assert_ne!(current, certificate["id"].as_str().expect("id"));
    assert_eq!(
        revoke(&app, &current, "Exam misconduct", &setup.staff).await.status(),
        StatusCode::OK
    );
    let revoked = headline(&app.address).await;
    assert_eq!(
        (&revoked["certified"], &revoked["ever_certified"]),
        (&json!(0), &json!(1))
    );
}

#[tokio::test]
async fn staff_see_breakdowns_and_the_daily_series_and_bad_parameters_are_problems() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    pass(&app, &setup).await;

    for path in [
        "/api/v1/progress/breakdown?by=track",
        "/api/v1/progress/series",
        "/api/v1/progress/forecast",
    ] {
        assert_problem(app.get(path, None).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        assert_problem(
            app.get(path, Some(&setup.candidate)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }

    let by_track = json_of(app.get("/api/v1/progress/breakdown?by=track", Some(&setup.staff)).await).await;
    assert_eq!(by_track["certified"], 1);
    assert_eq!(
        by_track["groups"],
        json!([{"key": setup.track_id.to_string(), "label": "AI Deployment", "certified": 1}])
    );
    let by_firm = json_of(app.get("/api/v1/progress/breakdown?by=firm", Some(&setup.staff)).await).await;
    assert_eq!(
        by_firm["groups"],
        json!([{"key": null, "label": null, "certified": 1}]),
        "a consultant without a firm"
    );

    let series = json_of(
        app.get(
            "/api/v1/progress/series?from=2026-11-21&to=2026-11-23",
            Some(&setup.staff),
        )
        .await,
    )
    .await;
    assert_eq!(
        series["days"],
        json!([
            {"date": "2026-11-21", "certified": 0, "net_change": 0, "newly_certified": 0, "new_certifications": 0},
            {"date": "2026-11-22", "certified": 1, "net_change": 1, "newly_certified": 1, "new_certifications": 1},
            {"date": "2026-11-23", "certified": 1, "net_change": 0, "newly_certified": 0, "new_certifications": 0},
        ])
    );
    let default = json_of(app.get("/api/v1/progress/series", Some(&setup.staff)).await).await;
    assert_eq!(
        (&default["from"], &default["to"]),
        (&json!("2026-08-25"), &json!("2026-11-22"))
    );
    assert_eq!(default["days"].as_array().map(Vec::len), Some(90));

    for (query, field) in [
        ("breakdown?by=planet", "by"),
        ("series?from=2026-11-23&to=2026-11-21", "to"),
        ("series?from=2024-01-01&to=2026-11-21", "from"),
        ("series?from=22/11/2026", "from"),
        ("series?to=yesterday", "to"),
        ("series?to=-9999-01-01", "to"),
        ("series?from=1999-12-31&to=2000-01-01", "from"),
    ] {
        let response = app.get(&format!("/api/v1/progress/{query}"), Some(&setup.staff)).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert_eq!(invalid_fields(&problem), [field], "{query}: {problem}");
    }
    let unknown = app
        .get("/api/v1/progress/breakdown?by=track&limit=3", Some(&setup.staff))
        .await;
    assert_eq!(
        unknown.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown parameters are refused"
    );
}

#[tokio::test]
async fn the_forecast_projects_from_the_trailing_four_weeks_beside_the_pass_rate() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, no_waits()).await;
    pass(&app, &setup).await;
    let failed = crate::exams::start(&app, &setup).await;
    crate::exams::answer(&app, &setup, &failed, 0).await;
    assert_eq!(
        crate::exams::submit(&app, &setup, &failed).await["result"]["passed"],
        false
    );
    let unfinished = crate::exams::start(&app, &setup).await;
    assert_eq!(unfinished["status"], "open");
    app.clock.advance(Duration::days(1));

    let staff = app.log_in("staff@certify.example", crate::helpers::PASSWORD).await;
    let forecast = json_of(app.get("/api/v1/progress/forecast", Some(&staff)).await).await;
    assert_eq!(forecast["certified"], 1);
    assert_eq!(forecast["window"]["from"], "2026-10-26");
    assert_eq!(forecast["window"]["to"], "2026-11-22");
    assert_eq!(forecast["window"]["days"], 28);
    // One certification in 28 days: 299,999 to go at 1/28 a day is far past the deadline.
    assert_eq!(forecast["outlook"], "off_track");
    assert_eq!(forecast["on_track"], false);
    assert_eq!(forecast["days_left"], 39, "23 November to 31 December");
    assert_eq!(forecast["needed_per_day"], 7693, "299,999 over 39 days, rounded up");
    assert_eq!(
        forecast["projected"],
        json!({"p10": null, "p50": null, "p90": null}),
        "more than a century away: no dates"
    );
    assert_eq!(
        forecast["pass_rate"]["finished"], 2,
        "the open attempt does not count: {forecast}"
    );
    assert_eq!(forecast["pass_rate"]["passed"], 1);
    assert_eq!(forecast["pass_rate"]["rate"], 0.5);
}

/// Issues a certificate in the pass's transaction, then fails: the pass, the certificate and
/// the counters must all roll back.
struct IssueThenFail(certify::issuance::IssueOnPass);

#[async_trait::async_trait]
impl certify_exams::PassHook for IssueThenFail {
    async fn on_pass(&self, txn: &sea_orm::DatabaseTransaction, pass: &certify_exams::Pass) -> anyhow::Result<()> {
        self.0.on_pass(txn, pass).await?;
        anyhow::bail!("something after the issuance failed")
    }

    async fn valid_certificate_until(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        account_id: uuid::Uuid,
        track_id: uuid::Uuid,
        now: time::OffsetDateTime,
    ) -> anyhow::Result<Option<time::OffsetDateTime>> {
        self.0.valid_certificate_until(txn, account_id, track_id, now).await
    }

    async fn committed(&self, passes: &[certify_exams::Pass]) {
        self.0.committed(passes).await;
    }
}

#[tokio::test]
async fn a_rolled_back_pass_leaves_the_counters_untouched() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let attempt = crate::exams::start(&app, &setup).await;
    crate::exams::answer(&app, &setup, &attempt, 5).await;
    let attempt_id: Uuid = attempt["id"].as_str().expect("id").parse().expect("uuid");
    let me = json_of(app.get("/api/v1/me", Some(&setup.candidate)).await).await;
    let account_id: Uuid = me["id"].as_str().expect("id").parse().expect("uuid");
    let hook = IssueThenFail(app.pass_hook());
    let candidate = app.candidate(account_id, &hook);
    let submitted = candidate.submit_attempt(attempt_id).await;
    assert!(submitted.is_err());
    let after = headline(&app.address).await;
    assert_eq!((&after["certified"], &after["ever_certified"]), (&json!(0), &json!(0)));
    let outcome = certify_progress::reconcile_progress(&app.db, app.clock.now(), false, &StoredCertificates)
        .await
        .expect("reconciled");
    assert_eq!(outcome.differences, Vec::<String>::new());
    assert!(outcome.counters.consultants.is_empty(), "nothing of the pass is left");
}

#[tokio::test]
async fn expiries_are_swept_by_the_clock_and_dated_on_the_day_they_happened() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    pass(&app, &setup).await;
    app.clock.advance(Duration::days(365));
    assert_eq!(headline(&app.address).await["certified"], 1, "not yet expired");

    // Valid for 24 months from 2026-11-22 09:00: past it, the server's own sweep removes it.
    app.clock.advance(Duration::days(366));
    wait_for_certified(&app.address, 0).await;
    let staff = app.log_in("staff@certify.example", crate::helpers::PASSWORD).await;
    let series = json_of(
        app.get("/api/v1/progress/series?from=2028-11-21&to=2028-11-23", Some(&staff))
            .await,
    )
    .await;
    let changes: Vec<(&str, i64, i64)> = series["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| {
            (
                d["date"].as_str().expect("date"),
                d["net_change"].as_i64().expect("change"),
                d["certified"].as_i64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [("2028-11-21", 0, 1), ("2028-11-22", -1, 0), ("2028-11-23", 0, 0)],
        "dated by the expiry, not by when the sweep ran"
    );
    let outcome = certify_progress::reconcile_progress(&app.db, app.clock.now(), false, &StoredCertificates)
        .await
        .expect("reconciled");
    assert_eq!(outcome.differences, Vec::<String>::new());
}

/// Reads server-sent events from `response` until one carries `certified == expected`.
async fn next_headline_with(response: &mut reqwest::Response, expected: i64) -> Value {
    let deadline = Instant::now() + StdDuration::from_secs(10);
    let mut buffer = String::new();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(remaining, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no headline with certified = {expected} within 10 s; got {buffer}"))
            .expect("stream readable")
            .expect("stream open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let data = event.lines().find_map(|line| line.strip_prefix("data:"));
            if event.contains("event: headline") || event.contains("event:headline") {
                let headline: Value = serde_json::from_str(data.expect("data").trim()).expect("json");
                if headline["certified"] == expected {
                    return headline;
                }
            }
        }
    }
}

async fn open_stream(address: &str) -> reqwest::Response {
    let response = reqwest::get(format!("{address}/api/v1/progress/stream"))
        .await
        .expect("stream opens");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().expect("ascii").to_owned();
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    response
}

#[tokio::test]
async fn the_stream_pushes_the_headline_on_every_instance_when_it_changes() {
    let app = spawn_app().await;
    let other = app.start_other_instance().await;
    let mut here = open_stream(&app.address).await;
    let mut there = open_stream(&other.address).await;
    assert_eq!(
        next_headline_with(&mut here, 0).await["target"],
        300_000,
        "sent at once"
    );
    next_headline_with(&mut there, 0).await;

    let setup = exam_setup(&app, None).await;
    pass(&app, &setup).await;
    assert_eq!(next_headline_with(&mut here, 1).await["ever_certified"], 1);
    assert_eq!(
        next_headline_with(&mut there, 1).await["ever_certified"],
        1,
        "the instance that did not issue sees it too"
    );
}

#[tokio::test]
async fn reconcile_reports_differences_and_repairs_them() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    pass(&app, &setup).await;
    let reconcile = |extra: &[&str]| {
        let mut command = certify();
        command.args(["progress", "reconcile", "--database-url", app.database.url()]);
        command.args(extra).output().expect("runs")
    };
    let clean = reconcile(&[]);
    let stdout = String::from_utf8_lossy(&clean.stdout);
    assert!(
        clean.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(
        stdout.contains("certified consultants: 1 (ever certified: 1)"),
        "{stdout}"
    );
    assert!(stdout.contains("no differences"), "{stdout}");

    app.db
        .execute_unprepared("UPDATE progress_totals SET certified = 7")
        .await
        .expect("tampered");
    let found = reconcile(&[]);
    let stdout = String::from_utf8_lossy(&found.stdout);
    assert_eq!(found.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("difference: certified consultants: recomputed 1, stored 7"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&found.stderr).contains("--repair"));

    let repaired = reconcile(&["--repair"]);
    assert!(repaired.status.success());
    assert!(String::from_utf8_lossy(&repaired.stdout).contains("repaired"));
    assert_eq!(headline(&app.address).await["certified"], 1);
    assert!(reconcile(&[]).status.success());
}

/// A small programme on a database of its own (no server, so nothing sweeps behind the test's
/// back): a few consultants, firms and short-lived tracks, driven through the domain functions.
struct World {
    db: DatabaseConnection,
    clock: TestClock,
    issuer: IssuerSettings,
    staff: Uuid,
    consultants: Vec<Uuid>,
    firms: Vec<Uuid>,
    tracks: Vec<Uuid>,
    certificates: Vec<Uuid>,
    _database: TestDatabase,
}

async fn account(db: &DatabaseConnection, now: OffsetDateTime, email: &str, name: &str, role: Role) -> Uuid {
    let new = NewAccount {
        email: Email::parse(email).expect("email"),
        display_name: DisplayName::parse(name).expect("name"),
        role,
        password: None,
        must_change_password: false,
    };
    certify_accounts::create_account(db, now, new)
        .await
        .expect("account")
        .id
}

impl World {
    async fn new() -> Self {
        let database = TestDatabase::create().await;
        let db = certify::db::connect(database.url(), 2).await.expect("connects");
        certify::db::migrate(&db).await.expect("migrates");
        let clock = TestClock::new(datetime!(2026-01-05 09:00 UTC));
        let now = clock.now();
        certify_certificates::key_store::ensure_signing_key(&db, now)
            .await
            .expect("key");
        certify_progress::initialise_progress(&db, now, &StoredCertificates)
            .await
            .expect("initialised");
        let mut tracks = Vec::new();
        for (title, months) in [("Short", 1), ("Longer", 3)] {
            let content = TrackContent {
                title: title.to_owned(),
                description: "A track for the property test.".to_owned(),
                certificate_validity_months: months,
            };
            tracks.push(
                certify_courses::create_track(&db, now, content)
                    .await
                    .expect("track")
                    .id,
            );
        }
        let mut firms = Vec::new();
        for (name, kind, country) in [
            ("Northwind", FirmKind::ConsultingFirm, "DE"),
            ("Contoso", FirmKind::SystemsIntegrator, "IN"),
            ("Fabrikam", FirmKind::DeploymentSpecialist, "US"),
        ] {
            let firm = NewFirm {
                name: name.to_owned(),
                kind,
                country: certify_firms::CountryCode::parse(country).expect("country"),
                website: None,
            };
            firms.push(certify_firms::create_firm(&db, now, firm).await.expect("firm").id);
        }
        let staff = account(
            &db,
            now,
            "staff@certify.example",
            "Programme Staff",
            Role::ProgrammeStaff,
        )
        .await;
        let mut consultants = Vec::new();
        for n in 0..6 {
            let email = format!("consultant{n}@example.com");
            consultants.push(account(&db, now, &email, &format!("Consultant {n}"), Role::Consultant).await);
        }
        Self {
            db,
            clock,
            issuer: IssuerSettings {
                public_base_url: "https://certify.example".to_owned(),
                issuer_name: "Property Test Programme".to_owned(),
            },
            staff,
            consultants,
            firms,
            tracks,
            certificates: Vec::new(),
            _database: database,
        }
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// One random step of a programme's life; returns what it did, for the failure message.
    async fn step(&mut self, rng: &mut ChaCha8Rng) -> String {
        self.clock.advance(Duration::minutes(rng.random_range(1..600)));
        let pick = |rng: &mut ChaCha8Rng, from: &[Uuid]| from[rng.random_range(0..from.len())];
        match rng.random_range(0..10) {
            0..=3 => {
                // Sometimes as of a pass that ended earlier: an attempt finalised at its
                // deadline by a later request, after expiries in between were swept.
                let earned_at = rng
                    .random_bool(0.3)
                    .then(|| self.now() - Duration::hours(rng.random_range(1..96)));
                let request = IssueRequest {
                    account_id: pick(rng, &self.consultants),
                    achievement: certify::issuance::achievement_of(&self.db, pick(rng, &self.tracks))
                        .await
                        .expect("the track exists"),
                    attempt_id: None,
                    earned_at,
                };
                let issued = certify_certificates::issue_certificate(&self.db, self.now(), &self.issuer, request)
                    .await
                    .expect("issued");
                self.certificates.push(issued.id);
                format!(
                    "issue {} earned {earned_at:?} (supersedes any earlier one of the track)",
                    issued.id
                )
            }
            4 if !self.certificates.is_empty() => {
                let id = pick(rng, &self.certificates);
                let outcome =
                    certify_certificates::revoke_certificate(&self.db, self.now(), id, self.staff, "test").await;
                format!("revoke {id}: {}", if outcome.is_ok() { "done" } else { "refused" })
            }
            5 if !self.certificates.is_empty() => {
                let id = pick(rng, &self.certificates);
                let outcome = certify_certificates::correct_holder_name(
                    &self.db,
                    self.now(),
                    &self.issuer,
                    id,
                    self.staff,
                    "Corrected Name",
                )
                .await;
                if let Ok(reissued) = &outcome {
                    self.certificates.push(reissued.id);
                }
                format!(
                    "supersede {id} by reissue: {}",
                    if outcome.is_ok() { "done" } else { "refused" }
                )
            }
            6 | 7 => {
                let days = rng.random_range(0..45);
                self.clock.advance(Duration::days(days));
                if rng.random_bool(0.5) {
                    let swept = certify_progress::sweep_expired(&self.db, self.now())
                        .await
                        .expect("swept");
                    format!("advance {days} days and sweep ({swept} expired)")
                } else {
                    format!("advance {days} days, no sweep")
                }
            }
            _ => {
                let (firm, consultant) = (pick(rng, &self.firms), pick(rng, &self.consultants));
                certify_firms::join_firm(&self.db, self.now(), firm, consultant)
                    .await
                    .expect("moved");
                format!("move {consultant} to firm {firm}")
            }
        }
    }

    /// Certified consultants per current firm, from the certificates and memberships alone.
    async fn firms_by_brute_force(&self) -> BTreeMap<Option<String>, i64> {
        let now = self.now();
        let mut counts = BTreeMap::new();
        for consultant in &self.consultants {
            let certificates = certify_certificates::certificates_of(&self.db, *consultant)
                .await
                .expect("read");
            if certificates
                .iter()
                .any(|c| c.standing_at(now) == certify_certificates::Standing::Valid)
            {
                let firm = certify_firms::current_firm_of(&self.db, *consultant)
                    .await
                    .expect("firm");
                *counts.entry(firm.map(|f| f.to_string())).or_default() += 1;
            }
        }
        counts
    }
}

#[tokio::test]
async fn random_histories_reconcile_with_no_difference() {
    for seed in 0..16 {
        let mut world = World::new().await;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut history = Vec::new();
        for step in 0..60 {
            history.push(world.step(&mut rng).await);
            // Reconciling applies due expiries, so checking after every step would hide what
            // happens to expiries nobody swept yet; check now and then, and at the end.
            if step < 59 && !rng.random_bool(0.2) {
                continue;
            }
            history.push("reconcile".to_owned());
            let outcome = certify_progress::reconcile_progress(&world.db, world.now(), false, &StoredCertificates)
                .await
                .expect("reconciled");
            assert!(
                outcome.differences.is_empty(),
                "seed {seed}, after:\n{}\ndifferences: {:#?}",
                history.join("\n"),
                outcome.differences
            );
            let by_firm: BTreeMap<Option<String>, i64> =
                certify_progress::breakdown(&world.db, certify_progress::Dimension::Firm)
                    .await
                    .expect("breakdown")
                    .into_iter()
                    .map(|g| (g.key, g.certified))
                    .collect();
            assert_eq!(
                by_firm,
                world.firms_by_brute_force().await,
                "seed {seed}, after:\n{}",
                history.join("\n")
            );
            let headline = certify_progress::headline(&world.db).await.expect("headline");
            assert_eq!(headline.certified, by_firm.values().sum::<i64>(), "seed {seed}");
        }
    }
}
