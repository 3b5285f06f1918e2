//! The `certify` executable itself: start-up failures, sub-commands and the demo.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestDatabase;

pub(crate) fn certify() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_certify"));
    // Tests must not pick up a developer's settings.
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("CERTIFY_")) {
        command.env_remove(name);
    }
    command.env_remove("RUST_LOG").stdin(Stdio::null());
    command
}

/// The process failed with exactly one `error: ...` line, and no panic or backtrace.
fn assert_one_error_line(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "stderr: {stderr}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(expected),
        "stderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "stderr: {stderr}"
    );
}

/// Runs `certify admin create-staff ...`, typing `password` on its standard input.
fn create_staff_with_password(command: &mut Command, password: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{password}").expect("password written");
    drop(stdin);
    child.wait_with_output().expect("finishes")
}

#[test]
fn a_database_that_cannot_be_opened_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/missing/dir/certify.db?mode=rwc", dir.path().display());
    let output = certify()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .output()
        .expect("runs");
    assert_one_error_line(&output, "cannot open database");

    let output = certify()
        .args(["migrate", "--database-url", "postgres://nobody:secret@127.0.0.1:1/none"])
        .output()
        .expect("runs");
    assert_one_error_line(&output, "cannot open database postgres://nobody:***@127.0.0.1:1/none");
}

#[tokio::test]
async fn a_port_in_use_is_one_clear_line() {
    let database = TestDatabase::create().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let output = certify()
        .args(["serve", "--listen", &address, "--database-url", database.url()])
        .output()
        .expect("runs");
    assert_one_error_line(&output, &format!("cannot listen on {address}"));
}

#[test]
fn an_unreadable_or_invalid_config_file_is_one_clear_line() {
    let output = certify()
        .args(["serve", "--config", "/nonexistent/certify.toml"])
        .output()
        .expect("runs");
    assert_one_error_line(&output, "cannot read config file /nonexistent/certify.toml");

    let mut file = tempfile::NamedTempFile::new().expect("file");
    file.write_all(b"listen = 8080\n").expect("write");
    let output = certify()
        .args(["serve"])
        .env("CERTIFY_CONFIG", file.path())
        .output()
        .expect("runs");
    assert_one_error_line(&output, "is invalid");
}

#[test]
fn openapi_prints_the_committed_document() {
    let output = certify().arg("openapi").output().expect("runs");
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed, serde_json::to_value(certify_api::openapi()).expect("document"));
}

#[tokio::test]
async fn migrate_is_idempotent_and_create_staff_makes_an_account_that_can_sign_in() {
    let database = TestDatabase::create().await;
    for _ in 0..2 {
        let output = certify()
            .args(["migrate", "--database-url", database.url()])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }

    let output = create_staff_with_password(
        certify()
            .args([
                "admin",
                "create-staff",
                "--email",
                "Root@Certify.example",
                "--name",
                "Root Admin",
            ])
            .env("CERTIFY_DATABASE_URL", database.url()),
        "the very first password",
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("root@certify.example"));

    let db = certify::db::connect(database.url(), 1).await.expect("db");
    let email = certify_core::Email::parse("root@certify.example").expect("email");
    let clock = std::sync::Arc::new(certify_core::TestClock::new(
        time::macros::datetime!(2026-11-22 09:00 UTC),
    ));
    let throttle = certify_accounts::SignInThrottle::new(certify_accounts::SignInLimits::default(), clock);
    let attempt = certify_accounts::Attempt {
        throttle: &throttle,
        from: std::net::Ipv4Addr::LOCALHOST.into(),
    };
    let session = certify_accounts::log_in(
        &db,
        time::macros::datetime!(2026-11-22 09:00 UTC),
        certify_accounts::SessionSettings::default(),
        attempt,
        &email,
        "the very first password",
    )
    .await
    .expect("the new staff member signs in");
    assert_eq!(session.account.role, certify_accounts::Role::ProgrammeStaff);
    db.close().await.expect("closed");
}

#[test]
fn create_staff_refuses_a_short_password_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/certify.db?mode=rwc", dir.path().display());
    let output = create_staff_with_password(
        certify().args([
            "admin",
            "create-staff",
            "--email",
            "root@certify.example",
            "--name",
            "Root",
            "--database-url",
            &url,
        ]),
        "short",
    );
    assert_one_error_line(&output, "password: must be at least 12 characters");
    assert!(!dir.path().join("certify.db").exists(), "nothing was created");
}

/// `serve --demo` on an empty database: prints where to open it and the demo accounts, which
/// work; SIGTERM stops it cleanly.
/// Starts `serve --demo` on `url`; the child is returned once it has printed its address (or its
/// output ended), with everything it printed to stdout.
pub(crate) fn spawn_demo(url: &str, stderr: Stdio) -> (std::process::Child, String) {
    let mut child = certify()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", url])
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawns");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !printed.contains("Certify is running at") && Instant::now() < deadline {
        if stdout.read_line(&mut printed).expect("read") == 0 {
            break;
        }
    }
    (child, printed)
}

pub(crate) fn address_in(printed: &str) -> Option<String> {
    printed
        .lines()
        .find_map(|line| line.strip_prefix("Certify is running at "))
        .map(|base| base.trim_end_matches('/').to_owned())
}

/// Several instances started together on one empty database all come up: one seeds the demo
/// under the start-up lock, the others find it done.
#[tokio::test]
async fn demo_instances_started_together_on_one_database_all_come_up() {
    let database = TestDatabase::create().await;
    let url = database.url().to_owned();
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || spawn_demo(&url, Stdio::piped()))
        })
        .collect();
    let mut children = Vec::new();
    for start in starts {
        let (mut child, printed) = start.join().expect("started");
        if address_in(&printed).is_none() {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "an instance did not come up: {printed}{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        children.push(child);
    }
    for mut child in children {
        child.kill().expect("killed");
        child.wait().expect("reaped");
    }
}

#[tokio::test]
async fn serve_demo_prints_where_to_open_it_and_stops_on_sigterm() {
    let database = TestDatabase::create().await;
    let (mut child, printed) = spawn_demo(database.url(), Stdio::null());
    let base = address_in(&printed).expect("prints its address");
    assert!(
        printed.contains("staff@certify.example") && printed.contains("demo-staff-password"),
        "{printed}"
    );

    // `spawn_demo` has already dropped its end of the server's stdout, so the rest of the banner
    // is written to a closed pipe: the server must shrug that off and keep serving.
    let client = reqwest::Client::new();
    for account in certify::demo::DEMO_ACCOUNTS {
        let login = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": account.email, "password": account.password}))
            .send()
            .await
            .expect("sent");
        assert_eq!(login.status(), StatusCode::OK, "{}", account.email);
    }

    // The landing page shows the live count; an open stream must not hold up the shutdown.
    let page = client
        .get(format!("{base}/"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Certified consultants") && page.contains("/assets/live.js"),
        "{page}"
    );
    let script = client
        .get(format!("{base}/assets/live.js"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("script");
    assert!(script.contains("/api/v1/progress/stream"), "{script}");
    let mut stream = client
        .get(format!("{base}/api/v1/progress/stream"))
        .send()
        .await
        .expect("stream opens");
    let first = String::from_utf8_lossy(&stream.chunk().await.expect("readable").expect("an event")).into_owned();
    assert!(first.contains("event: headline"), "{first}");
    let headline: Value = serde_json::from_str(
        first
            .lines()
            .find_map(|line| line.strip_prefix("data: "))
            .expect("data"),
    )
    .expect("json");
    assert_eq!(
        (&headline["certified"], &headline["ever_certified"]),
        (&json!(15), &json!(23)),
        "the demo's certified consultants (expired and revoked ones were certified once): {headline}"
    );

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs")
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 20 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    drop(stream);
}

#[tokio::test]
async fn keys_rotate_adds_a_key_and_keeps_the_old_one_published() {
    let database = TestDatabase::create().await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let output = certify()
            .args(["keys", "rotate", "--database-url", database.url()])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let id = stdout
            .split_whitespace()
            .find(|w| w.starts_with("z6Mk"))
            .expect("a Multikey id")
            .to_owned();
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
    let db = certify::db::connect(database.url(), 1).await.expect("db");
    let mut published: Vec<String> = certify_certificates::key_store::published_keys(&db)
        .await
        .expect("keys")
        .into_iter()
        .map(|k| k.id)
        .collect();
    published.sort();
    ids.sort();
    assert_eq!(published, ids, "both keys stay published");
    db.close().await.expect("closed");
}

#[tokio::test]
async fn seed_synthetic_issues_certificates_that_verify_like_real_ones() {
    let database = TestDatabase::create().await;
    let dir = tempfile::tempdir().expect("dir");
    let hashes_file = dir.path().join("hashes.txt");
    let output = certify()
        .args(["seed-synthetic", "--consultants", "7", "--database-url", database.url()])
        .arg("--hashes-out")
        .arg(&hashes_file)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("seeded 7 consultants"));

    let hashes = std::fs::read_to_string(&hashes_file).expect("hashes written");
    let hashes: Vec<&str> = hashes.lines().collect();
    assert_eq!(hashes.len(), 7);
    let db = certify::db::connect(database.url(), 1).await.expect("db");
    let cache = certify_certificates::VerificationCache::new(10);
    let now = time::macros::datetime!(2026-11-22 09:00 UTC);
    for hash in hashes {
        let hash = certify_core::Sha256Hex::parse(hash).expect("a hash");
        let verification = certify_certificates::verify_hash(&db, &cache, now, &hash)
            .await
            .expect("verified");
        assert!(verification.checks.iter().take(2).all(|c| c.passed), "{verification:?}");
    }
    db.close().await.expect("closed");
}

/// While it migrates and seeds the demo, the server is not listening: a connection is refused at
/// once instead of waiting unanswered. It listens before it says where it is running.
#[test]
fn connections_are_refused_until_the_server_is_ready_then_answered() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/certify.db?mode=rwc", dir.path().display());
    // Below the ephemeral range, so that no other test's server (bound to port 0) can take the
    // port between this check and certify's own bind, and answer the probe in its place.
    let port = (20_000 + std::process::id() % 10_000..32_000)
        .map(|port| port as u16)
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free port");
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = certify()
        .args([
            "serve",
            "--demo",
            "--listen",
            &address.to_string(),
            "--database-url",
            &url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let seeded = std::sync::Arc::new(AtomicBool::new(false));
    let prober = {
        let seeded = std::sync::Arc::clone(&seeded);
        std::thread::spawn(move || {
            let mut early = (0, 0);
            while !seeded.load(Ordering::SeqCst) {
                let connected = std::net::TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok();
                early = (early.0 + 1, early.1 + usize::from(connected));
                std::thread::sleep(Duration::from_millis(5));
            }
            early
        })
    };
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    while !printed.contains("Certify is running at") {
        let before = printed.len();
        if stdout.read_line(&mut printed).expect("read") == 0 {
            break;
        }
        if printed[before..].contains("Demo data seeded") {
            seeded.store(true, Ordering::SeqCst);
        }
    }
    seeded.store(true, Ordering::SeqCst);
    let (tries, accepted) = prober.join().expect("prober");
    let ready = std::net::TcpStream::connect(address).and_then(|mut stream| {
        use std::io::Read as _;
        stream.write_all(b"GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(tries >= 10, "the probe ran while the demo was seeded ({tries} tries)");
    // The probe learns of the seed from a line the server prints just before it listens, so a
    // probe or two may race that line and land after listening began; a server that listened
    // all along accepts every one of them.
    assert!(
        accepted <= 2,
        "{accepted} of {tries} connections were accepted before the server was ready"
    );
    let ready = ready.expect("answered");
    assert!(ready.starts_with("HTTP/1.0 200"), "{ready}");
}
