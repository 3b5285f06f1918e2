//! Spawning the application and talking to it.

use std::sync::Arc;

use certify::config::{LogFormat, Settings};
use certify::startup::Application;
use certify_accounts::{Account, NewAccount, Password, Role};
use certify_core::{Clock as _, DisplayName, Email, TestClock};
use reqwest::{Response, StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::Value;
use time::macros::datetime;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "a long enough password";

/// A database that exists for one test and is removed afterwards.
pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        server_url: String,
        name: String,
        url: String,
    },
}

impl TestDatabase {
    pub async fn create() -> Self {
        match std::env::var("CERTIFY_TEST_POSTGRES_URL") {
            Ok(server_url) if !server_url.is_empty() => Self::create_postgres(server_url).await,
            _ => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("certify.db").display());
                Self::Sqlite { _dir: dir, url }
            }
        }
    }

    async fn create_postgres(server_url: String) -> Self {
        use sea_orm::ConnectionTrait as _;
        let name = format!("certify_test_{}", uuid::Uuid::new_v4().simple());
        let server = sea_orm::Database::connect(&server_url)
            .await
            .expect("connect to PostgreSQL");
        server
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        server.close().await.expect("close admin connection");
        let mut url = url::Url::parse(&server_url).expect("CERTIFY_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self::Postgres {
            server_url,
            name,
            url: url.to_string(),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Self::Postgres { server_url, name, .. } = self else {
            return;
        };
        let (server_url, name) = (server_url.clone(), name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on; use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                use sea_orm::ConnectionTrait as _;
                let server = sea_orm::Database::connect(&server_url).await?;
                server
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                server.close().await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop test database {}", self.url());
        }
    }
}

pub fn test_settings(database_url: &str) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().expect("address"),
        database_url: database_url.to_owned(),
        public_base_url: None,
        token_lifetime: time::Duration::hours(12),
        // Tests move the clock by hours within one session; the idle timeout has its own test.
        session_idle: time::Duration::hours(12),
        database_max_connections: 4,
        log_format: LogFormat::Text,
        issuer_name: "Certify Test Programme".to_owned(),
        verify_requests_per_second: 1000,
        verify_burst: 1000,
        verification_cache_capacity: 1000,
        progress_goal: certify_progress::Goal {
            target: 300_000,
            deadline: time::macros::date!(2026 - 12 - 31),
        },
        // The test OpenID provider listens on loopback, over plain http.
        allow_loopback_outbound: true,
    }
}

/// A running server with its own database and clock.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: TestClock,
    pub db: DatabaseConnection,
    shutdown: Option<oneshot::Sender<()>>,
    // Last, so the server stops before its database is removed.
    pub database: TestDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with settings adjusted by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let database = TestDatabase::create().await;
    let clock = TestClock::new(datetime!(2026-11-22 09:00 UTC));
    let mut settings = test_settings(database.url());
    adjust(&mut settings);
    let app = Application::build(&settings, Arc::new(clock.clone()))
        .await
        .expect("application starts");
    let address = format!("http://{}", app.local_addr().expect("bound address"));
    let db = app.database().clone();
    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(
        app.run_until(async {
            let _ = stopped.await;
        })
        .expect("listening"),
    );
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client"),
        clock,
        db,
        shutdown: Some(shutdown),
        database,
    }
}

/// Another server instance sharing a [`TestApp`]'s database and clock, as behind a load balancer.
pub struct OtherInstance {
    pub address: String,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for OtherInstance {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl TestApp {
    pub async fn start_other_instance(&self) -> OtherInstance {
        let app = Application::build(&test_settings(self.database.url()), Arc::new(self.clock.clone()))
            .await
            .expect("second instance starts");
        let address = format!("http://{}", app.local_addr().expect("bound address"));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(
            app.run_until(async {
                let _ = stopped.await;
            })
            .expect("listening"),
        );
        OtherInstance {
            address,
            shutdown: Some(shutdown),
        }
    }

    /// The issuer this app signs as, for issuing certificates straight through the domain.
    pub fn issuer(&self) -> certify_certificates::IssuerSettings {
        certify_certificates::IssuerSettings {
            public_base_url: self.address.clone(),
            issuer_name: "Certify Test Programme".to_owned(),
        }
    }

    /// The pass hook the server runs, with a verification cache of its own.
    pub fn pass_hook(&self) -> certify::issuance::IssueOnPass {
        certify::issuance::IssueOnPass {
            settings: self.issuer(),
            db: self.db.clone(),
            cache: std::sync::Arc::new(certify_certificates::VerificationCache::new(16)),
        }
    }

    /// A consultant's attempt operations as of the test clock, with `hook` for passes.
    pub fn candidate<'a>(
        &'a self,
        account_id: uuid::Uuid,
        hook: &'a dyn certify_exams::PassHook,
    ) -> certify_exams::Candidate<'a, DatabaseConnection> {
        use certify_core::Clock as _;
        certify_exams::Candidate {
            db: &self.db,
            now: self.clock.now(),
            account_id,
            hook,
        }
    }

    /// What a certificate of `track_id` attests.
    pub async fn achievement(&self, track_id: uuid::Uuid) -> certify_certificates::Achievement {
        certify::issuance::achievement_of(&self.db, track_id)
            .await
            .expect("the track exists")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    /// Creates an account straight in the database, as `certify admin create-staff` does.
    pub async fn create_account(&self, email: &str, role: Role) -> Account {
        let new = NewAccount {
            email: Email::parse(email).expect("valid email"),
            display_name: DisplayName::parse("Test Person").expect("valid name"),
            role,
            password: Some(Password::parse(PASSWORD, &[]).expect("valid password")),
            must_change_password: false,
        };
        certify_accounts::create_account(&self.db, self.clock.now(), new)
            .await
            .expect("account created")
    }

    pub async fn log_in(&self, email: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({"email": email, "password": password}),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "login of {email}");
        let body: Value = response.json().await.expect("login body");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Creates an account with `role` and returns a bearer token for it.
    pub async fn token_for(&self, email: &str, role: Role) -> String {
        self.create_account(email, role).await;
        self.log_in(email, PASSWORD).await
    }

    pub async fn staff_token(&self) -> String {
        self.token_for("staff@certify.example", Role::ProgrammeStaff).await
    }

    /// Creates a firm through the API and returns its id.
    /// Claims `domain` for `firm` and verifies it, as programme staff.
    pub async fn verify_domain(&self, staff: &str, firm: uuid::Uuid, domain: &str) {
        let claim = self
            .post_json(
                &format!("/api/v1/firms/{firm}/domains"),
                &serde_json::json!({"domain": domain}),
                Some(staff),
            )
            .await;
        assert_eq!(claim.status(), StatusCode::CREATED, "claiming {domain}");
        let verify = self
            .post_json(
                &format!("/api/v1/firms/{firm}/domains/{domain}/verification"),
                &serde_json::json!({}),
                Some(staff),
            )
            .await;
        assert_eq!(verify.status(), StatusCode::OK, "verifying {domain}");
    }

    pub async fn create_firm(&self, staff_token: &str, name: &str) -> uuid::Uuid {
        let response = self
            .post_json(
                "/api/v1/firms",
                &serde_json::json!({"name": name, "kind": "systems_integrator", "country": "IN"}),
                Some(staff_token),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("firm body");
        body["id"].as_str().expect("id").parse().expect("uuid")
    }
}

/// Asserts an RFC 9457 problem of the given status and type, and returns its body.
pub async fn assert_problem(response: Response, status: StatusCode, slug: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["type"], format!("/problems/{slug}"), "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    body
}

/// The `field` of every entry in a validation problem's `errors`.
pub fn invalid_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The ids of a track built by [`TestApp::published_track`].
pub struct TrackIds {
    pub track_id: uuid::Uuid,
    /// Each course with its modules, in order.
    pub courses: Vec<(uuid::Uuid, Vec<uuid::Uuid>)>,
}

impl TestApp {
    pub async fn put_json(&self, path: &str, body: &Value, token: &str) -> Response {
        let request = self.client.put(self.url(path)).json(body).bearer_auth(token);
        request.send().await.expect("request sent")
    }

    pub async fn put(&self, path: &str, token: &str) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn patch_json(&self, path: &str, body: &Value, token: &str) -> Response {
        let request = self.client.patch(self.url(path)).json(body).bearer_auth(token);
        request.send().await.expect("request sent")
    }

    /// POSTs as staff, expects 201, returns the new resource's id.
    pub async fn create(&self, path: &str, body: &Value, staff: &str) -> uuid::Uuid {
        let response = self.post_json(path, body, Some(staff)).await;
        assert_eq!(response.status(), StatusCode::CREATED, "POST {path}");
        let created: Value = response.json().await.expect("json");
        created["id"].as_str().expect("id").parse().expect("uuid")
    }

    pub async fn publish(&self, kind: &str, id: uuid::Uuid, staff: &str) {
        let response = self
            .put_json(
                &format!("/api/v1/{kind}/{id}/status"),
                &serde_json::json!({"status": "published"}),
                staff,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "publishing {kind} {id}");
    }

    /// A published track whose courses (all required) have the given numbers of published modules.
    pub async fn published_track(&self, staff: &str, modules_per_course: &[usize]) -> TrackIds {
        let track_id = self
            .create(
                "/api/v1/tracks",
                &serde_json::json!({"title": "AI Deployment", "description": "Deploy AI well."}),
                staff,
            )
            .await;
        let mut courses = Vec::new();
        for (c, modules) in modules_per_course.iter().enumerate() {
            let course_id = self
                .create(
                    &format!("/api/v1/tracks/{track_id}/courses"),
                    &serde_json::json!({"title": format!("Course {c}"), "summary": "Summary."}),
                    staff,
                )
                .await;
            let mut module_ids = Vec::new();
            for m in 0..*modules {
                let body = serde_json::json!({"title": format!("Module {c}.{m}"), "body_markdown": "# Read me", "estimated_minutes": 10});
                let module_id = self
                    .create(&format!("/api/v1/courses/{course_id}/modules"), &body, staff)
                    .await;
                self.publish("modules", module_id, staff).await;
                module_ids.push(module_id);
            }
            self.publish("courses", course_id, staff).await;
            courses.push((course_id, module_ids));
        }
        self.publish("tracks", track_id, staff).await;
        TrackIds { track_id, courses }
    }
}

/// A demo sign-in by e-mail.
pub fn demo_account(email: &str) -> certify::demo::DemoAccount {
    certify::demo::DEMO_ACCOUNTS
        .into_iter()
        .find(|a| a.email == email)
        .unwrap_or_else(|| panic!("{email} is a demo account"))
}
