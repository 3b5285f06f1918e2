//! Single sign-on against a real OpenID provider: `oidc-provider` (tests/oidc/provider.js), two
//! instances playing two firms' providers, driven through its login and consent pages by a
//! cookie-keeping HTTP client. Needs tests/oidc's npm packages (`cargo xtask setup` installs them).

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use certify_accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem, invalid_fields, spawn_app, spawn_app_with};
use crate::page_client::{Browser, header};

const CLIENT_ID: &str = "certify";
const CLIENT_SECRET: &str = "a-client-secret-of-the-test-provider";

/// A running provider; stopped when dropped.
struct IdentityProvider {
    child: Child,
    issuer: String,
    port: u16,
    redirect_uri: String,
    accounts: Value,
}

fn provider_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc/provider.js")
}

impl IdentityProvider {
    /// Starts a provider whose accounts are `accounts` (login name → claims), on `port` (0: any).
    fn start_on(port: u16, redirect_uri: &str, accounts: Value) -> Self {
        let script = provider_script();
        assert!(
            script.with_file_name("node_modules").exists(),
            "the test provider needs its npm packages: `cargo xtask setup` installs them"
        );
        let mut child = Command::new("node")
            .arg(&script)
            .args([
                "--port",
                &port.to_string(),
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
            ])
            .args([
                "--redirect-uri",
                redirect_uri,
                "--post-logout-uri",
                &redirect_uri.replace("/sign-in/sso/callback", "/"),
            ])
            .args(["--accounts", &accounts.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the provider");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the provider says where it listens");
        // Keep reading what it prints: a provider writing to a closed pipe would die of it.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let issuer = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the provider: {line:?}"))
            .to_owned();
        let port = issuer.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port");
        Self {
            child,
            issuer,
            port,
            redirect_uri: redirect_uri.to_owned(),
            accounts,
        }
    }

    fn start(app: &TestApp, accounts: Value) -> Self {
        Self::start_on(0, &app.url("/sign-in/sso/callback"), accounts)
    }

    /// Stops the provider and starts it again on the same address: its signing key is new.
    fn restart(self) -> Self {
        let (port, redirect_uri, accounts) = (self.port, self.redirect_uri.clone(), self.accounts.clone());
        drop(self);
        Self::start_on(port, &redirect_uri, accounts)
    }

    /// The next token response carries an ID token with this one flaw.
    async fn mischief(&self, kind: &str) {
        self.test_setting("mischief", json!({"kind": kind})).await;
    }

    /// The discovery document names these addresses from now on.
    async fn publish(&self, fields: Value) {
        self.test_setting("discovery", fields).await;
    }

    async fn test_setting(&self, what: &str, body: Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/test/{what}", self.issuer))
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Northwind (verified northwind.example) and Bluefield (verified bluefield.example), each with
/// its provider configured by staff.
struct Setup {
    staff: String,
    northwind: Uuid,
    bluefield: Uuid,
    northwind_idp: IdentityProvider,
    bluefield_idp: IdentityProvider,
}

fn person(email: &str, verified: bool) -> Value {
    json!({"email": email, "email_verified": verified, "name": "Ada Lovelace"})
}

async fn verified_domain(app: &TestApp, staff: &str, firm: Uuid, domain: &str) {
    app.verify_domain(staff, firm, domain).await;
}

async fn configure(
    app: &TestApp,
    staff: &str,
    firm: Uuid,
    name: &str,
    issuer: &str,
    domain: &str,
) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/firms/{firm}/identity-provider")))
        .bearer_auth(staff)
        .json(&json!({
            "name": name, "issuer": issuer, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "domains": [domain],
        }))
        .send()
        .await
        .expect("sent")
}

async fn setup(app: &TestApp) -> Setup {
    // ID tokens carry the provider's real time: the platform's clock must agree with it.
    app.clock.set(certify_core::Clock::now(&certify_core::SystemClock));
    let staff = app.staff_token().await;
    let northwind = app.create_firm(&staff, "Northwind Consulting").await;
    let bluefield = app.create_firm(&staff, "Bluefield Partners").await;
    verified_domain(app, &staff, northwind, "northwind.example").await;
    verified_domain(app, &staff, bluefield, "bluefield.example").await;
    let accounts = json!({
        "ada": person("ada@northwind.example", true),
        "grace": person("grace@northwind.example", true),
        "unverified": person("eve@northwind.example", false),
        "roaming": person("ada@northwind.example", true),
        "lookalike": person("\u{430}da@northwind.example", true),
        "fullwidth": person("ｇｒａｃｅ@northwind.example", true),
    });
    let northwind_idp = IdentityProvider::start(app, accounts.clone());
    let bluefield_idp = IdentityProvider::start(app, accounts);
    for (firm, name, idp, domain) in [
        (northwind, "Northwind Consulting", &northwind_idp, "northwind.example"),
        (bluefield, "Bluefield Partners", &bluefield_idp, "bluefield.example"),
    ] {
        let saved = configure(app, &staff, firm, name, &idp.issuer, domain).await;
        assert_eq!(
            saved.status(),
            StatusCode::OK,
            "{}",
            saved.text().await.unwrap_or_default()
        );
    }
    Setup {
        staff,
        northwind,
        bluefield,
        northwind_idp,
        bluefield_idp,
    }
}

/// The person at the provider: logs in as `login` and consents, following the provider's own
/// pages, until the provider sends the browser back to the platform. Returns that address.
async fn at_the_provider(authorization_url: &str, login: &str) -> String {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = {
        let url = reqwest::Url::parse(authorization_url).expect("url");
        format!("{}://{}", url.scheme(), url.authority())
    };
    let mut next = authorization_url.to_owned();
    for _ in 0..10 {
        let response = client.get(&next).send().await.expect("sent");
        if response.status().is_redirection() {
            let location = header(response.headers(), "location").to_owned();
            if location.contains("/sign-in/sso/callback") {
                return location;
            }
            next = if location.starts_with('/') {
                format!("{origin}{location}")
            } else {
                location
            };
            continue;
        }
        let page = response.text().await.expect("page");
        let form: Vec<(&str, &str)> = if page.contains(r#"name="prompt" value="login""#) {
            vec![("prompt", "login"), ("login", login), ("password", "anything")]
        } else if page.contains(r#"name="prompt" value="consent""#) {
            vec![("prompt", "consent")]
        } else {
            panic!("an unexpected page at the provider: {page}");
        };
        let submitted = client.post(&next).form(&form).send().await.expect("sent");
        assert!(submitted.status().is_redirection(), "{}", submitted.status());
        let location = header(submitted.headers(), "location").to_owned();
        next = if location.starts_with('/') {
            format!("{origin}{location}")
        } else {
            location
        };
    }
    panic!("the provider never sent the browser back");
}

/// Starts "Sign in with your firm" for `email` in `browser`; returns the provider's address.
async fn start_sign_in(browser: &mut Browser<'_>, email: &str) -> String {
    start_sign_in_with(browser, ("firm_email", email)).await
}

/// Starts a sign-in through the provider picked from the sign-in page's list.
async fn start_sign_in_through(browser: &mut Browser<'_>, provider_id: &str) -> String {
    start_sign_in_with(browser, ("provider", provider_id)).await
}

async fn start_sign_in_with(browser: &mut Browser<'_>, choice: (&str, &str)) -> String {
    browser.get("/sign-in").await;
    let csrf = browser.csrf();
    let (status, headers, page) = browser
        .post("/sign-in/firm", &[("csrf", &csrf), choice, ("next", "/home")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    header(&headers, "location").to_owned()
}

/// The whole flow for `login`; returns the answer to the browser's return to the platform.
async fn sign_in(browser: &mut Browser<'_>, email: &str, login: &str) -> (StatusCode, String, String) {
    let authorization_url = start_sign_in(browser, email).await;
    come_back(browser, &authorization_url, login).await
}

/// Logs in as `login` at the provider and brings the browser back to the platform.
async fn come_back(browser: &mut Browser<'_>, authorization_url: &str, login: &str) -> (StatusCode, String, String) {
    let back = at_the_provider(authorization_url, login).await;
    let path = back
        .split_once("/sign-in/sso/callback")
        .map(|(_, rest)| format!("/sign-in/sso/callback{rest}"))
        .expect("callback");
    let (status, headers, page) = browser.get(&path).await;
    let location = headers
        .get("location")
        .map(|l| l.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    (status, location, page)
}

async fn who_is_signed_in(browser: &mut Browser<'_>) -> Option<String> {
    let (status, _, page) = browser.get("/home").await;
    (status == StatusCode::OK).then_some(page)
}

/// The accounts with `email` (at most one).
async fn accounts_with(app: &TestApp, email: &str) -> Vec<certify_accounts::Account> {
    let email = certify_core::Email::parse(email).expect("email");
    certify_accounts::accounts_by_email(&app.db, &[email])
        .await
        .expect("read")
}

#[tokio::test]
async fn a_first_sign_in_creates_the_consultant_in_the_firm_and_the_next_finds_the_same_account() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let mut browser = Browser::new(&app);
    let (_, headers, page) = browser.get("/sign-in").await;
    assert!(
        page.contains("Sign in with your firm") && page.contains("Bluefield Partners"),
        "{page}"
    );
    let policy = header(&headers, "content-security-policy");
    assert!(
        policy.contains(&format!(
            "form-action 'self' {} {}",
            setup.bluefield_idp.issuer, setup.northwind_idp.issuer
        )) || policy.contains(&format!(
            "form-action 'self' {} {}",
            setup.northwind_idp.issuer, setup.bluefield_idp.issuer
        )),
        "the sign-in form may lead to the firms' providers: {policy}"
    );
    let (status, location, page) = sign_in(&mut browser, "ada@northwind.example", "grace").await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/home"), "{page}");
    let home = who_is_signed_in(&mut browser).await.expect("signed in");
    assert!(home.contains("Ada Lovelace"), "{home}");
    let accounts = accounts_with(&app, "grace@northwind.example").await;
    assert_eq!(accounts.len(), 1, "one consultant created: {accounts:?}");
    assert_eq!(accounts[0].role, Role::Consultant);
    let members: Value = app
        .get(
            &format!("/api/v1/firms/{}/consultants?q=grace", setup.northwind),
            Some(&setup.staff),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(members["items"].as_array().map(Vec::len), Some(1), "{members}");

    // Signing in again finds the same account by issuer and subject.
    let mut again = Browser::new(&app);
    let (status, _, _) = sign_in(&mut again, "grace@northwind.example", "grace").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(accounts_with(&app, "grace@northwind.example").await.len(), 1);
    let me = again.get("/home").await.2;
    assert!(me.contains("Ada Lovelace"), "{me}");
}

#[tokio::test]
async fn a_roster_account_is_linked_only_through_a_verified_email() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let roster = app
        .client
        .post(app.url(&format!("/api/v1/firms/{}/roster", setup.northwind)))
        .bearer_auth(&setup.staff)
        .header("content-type", "text/csv")
        .body("email,full_name\nada@northwind.example,Ada From The Roster\neve@northwind.example,Eve\n")
        .send()
        .await
        .expect("sent");
    assert_eq!(roster.status(), StatusCode::OK);

    let mut browser = Browser::new(&app);
    let (status, _, _) = sign_in(&mut browser, "ada@northwind.example", "ada").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let home = who_is_signed_in(&mut browser).await.expect("signed in");
    assert!(home.contains("Ada From The Roster"), "the roster's account: {home}");

    // The provider does not vouch for eve's address: no link, no session.
    let mut eve = Browser::new(&app);
    let (status, _, page) = sign_in(&mut eve, "eve@northwind.example", "unverified").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("verified"), "{page}");
    assert!(who_is_signed_in(&mut eve).await.is_none());
}

#[tokio::test]
async fn a_consultant_cannot_join_a_firm_through_its_provider_without_its_verified_domain() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    // Bluefield's provider says this person is ada@northwind.example: Bluefield has not
    // verified northwind.example, so it cannot bring her in.
    let mut browser = Browser::new(&app);
    let bluefield_provider: Value = app
        .get(
            &format!("/api/v1/firms/{}/identity-provider", setup.bluefield),
            Some(&setup.staff),
        )
        .await
        .json()
        .await
        .expect("json");
    let id = bluefield_provider["id"].as_str().expect("id");
    let authorization_url = start_sign_in_through(&mut browser, id).await;
    assert!(authorization_url.starts_with(&setup.bluefield_idp.issuer));
    let (status, _, page) = come_back(&mut browser, &authorization_url, "roaming").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("Bluefield Partners"), "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());
    assert!(
        accounts_with(&app, "ada@northwind.example").await.is_empty(),
        "nobody was created"
    );
}

#[tokio::test]
async fn an_address_spelled_to_pass_for_another_signs_nobody_in_and_fullwidth_is_the_same_address() {
    let app = spawn_app().await;
    let _setup = setup(&app).await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        sign_in(&mut browser, "ada@northwind.example", "ada").await.0,
        StatusCode::SEE_OTHER
    );
    // The provider vouches for "аda" with a Cyrillic а: not Ada, and not a new account either.
    let mut browser = Browser::new(&app);
    let (status, _, page) = sign_in(&mut browser, "ada@northwind.example", "lookalike").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());
    assert_eq!(accounts_with(&app, "ada@northwind.example").await.len(), 1);

    // Fullwidth letters are the same address once normalised: Grace's.
    let mut browser = Browser::new(&app);
    let (status, _, page) = sign_in(&mut browser, "grace@northwind.example", "fullwidth").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(accounts_with(&app, "grace@northwind.example").await.len(), 1);
}

#[tokio::test]
async fn a_forged_replayed_or_tampered_answer_is_refused_and_signs_nobody_in() {
    let app = spawn_app().await;
    let setup = setup(&app).await;

    // A wrong state: the browser's cookie holds another.
    let mut browser = Browser::new(&app);
    let authorization_url = start_sign_in(&mut browser, "ada@northwind.example").await;
    let back = at_the_provider(&authorization_url, "grace").await;
    let query = back.split_once('?').expect("query").1.to_owned();
    let forged = query.replace("state=", "state=x");
    let (status, _, page) = browser.get(&format!("/sign-in/sso/callback?{forged}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());

    // A replayed answer: the first use signs in, the second finds nothing to finish.
    let mut browser = Browser::new(&app);
    let authorization_url = start_sign_in(&mut browser, "ada@northwind.example").await;
    let back = at_the_provider(&authorization_url, "grace").await;
    let path = format!("/sign-in/sso/callback?{}", back.split_once('?').expect("query").1);
    let state_cookie: Vec<(String, String)> = browser.cookies.clone().into_iter().collect();
    let (status, _, _) = browser.get(&path).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut replayer = Browser::new(&app);
    replayer.cookies.extend(state_cookie);
    replayer.cookies.retain(|name, _| !name.contains("session"));
    let (status, _, page) = replayer.get(&path).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(who_is_signed_in(&mut replayer).await.is_none());

    // A used code under a fresh state: the provider refuses to exchange it twice.
    let mut browser = Browser::new(&app);
    let authorization_url = start_sign_in(&mut browser, "ada@northwind.example").await;
    let used = at_the_provider(&authorization_url, "grace").await;
    let used_code = query_value(&used, "code");
    let (status, _, _) = browser
        .get(&format!(
            "/sign-in/sso/callback?{}",
            used.split_once('?').expect("query").1
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the first exchange signs in");
    let mut browser = Browser::new(&app);
    let authorization_url = start_sign_in(&mut browser, "ada@northwind.example").await;
    let fresh = at_the_provider(&authorization_url, "grace").await;
    let replayed = fresh.replace(&query_value(&fresh, "code"), &used_code);
    let (status, _, page) = browser
        .get(&format!(
            "/sign-in/sso/callback?{}",
            replayed.split_once('?').expect("query").1
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("did not accept the sign-in code"), "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());

    // ID tokens with one flaw each: another audience, another nonce, expired, issued an hour
    // ahead (made for a later replay), a bad signature.
    for flaw in ["audience", "nonce", "expired", "future", "signature"] {
        let mut browser = Browser::new(&app);
        let authorization_url = start_sign_in(&mut browser, "ada@northwind.example").await;
        let back = at_the_provider(&authorization_url, "grace").await;
        setup.northwind_idp.mischief(flaw).await;
        let path = format!("/sign-in/sso/callback?{}", back.split_once('?').expect("query").1);
        let (status, _, page) = browser.get(&path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{flaw}: {page}");
        assert!(page.contains("not valid"), "{flaw}: {page}");
        assert!(who_is_signed_in(&mut browser).await.is_none(), "{flaw}");
    }

    // Mix-up: a flow begun with Northwind's provider, answered by Bluefield's.
    let mut browser = Browser::new(&app);
    let authorization_url = start_sign_in(&mut browser, "ada@northwind.example").await;
    let at_bluefield = authorization_url.replace(&setup.northwind_idp.issuer, &setup.bluefield_idp.issuer);
    let back = at_the_provider(&at_bluefield, "grace").await;
    assert!(
        back.contains(&format!("iss={}", urlencode(&setup.bluefield_idp.issuer))),
        "{back}"
    );
    let path = format!("/sign-in/sso/callback?{}", back.split_once('?').expect("query").1);
    let (status, _, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("different sign-in service"), "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());

    // The provider promises to name itself on every answer (RFC 9207): an answer that does not
    // is not from it, even with a good code.
    let mut browser = Browser::new(&app);
    let authorization_url = start_sign_in(&mut browser, "ada@northwind.example").await;
    let back = at_the_provider(&authorization_url, "grace").await;
    let mut unnamed = reqwest::Url::parse(&back).expect("url");
    let kept: Vec<(String, String)> = unnamed
        .query_pairs()
        .filter(|(key, _)| key != "iss")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    unnamed.query_pairs_mut().clear().extend_pairs(&kept);
    let (status, _, page) = browser
        .get(&format!(
            "/sign-in/sso/callback?{}",
            unnamed.query().unwrap_or_default()
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("different sign-in service"), "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());
}

/// The value of `name` in the query of `url`.
fn query_value(url: &str, name: &str) -> String {
    reqwest::Url::parse(url)
        .expect("url")
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn sign_in_still_works_after_the_provider_rotates_its_keys() {
    let app = spawn_app().await;
    let mut setup = setup(&app).await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        sign_in(&mut browser, "ada@northwind.example", "grace").await.0,
        StatusCode::SEE_OTHER
    );
    setup.northwind_idp = setup.northwind_idp.restart();
    let mut browser = Browser::new(&app);
    let (status, _, page) = sign_in(&mut browser, "ada@northwind.example", "grace").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "a new key is fetched once: {page}");
    assert!(who_is_signed_in(&mut browser).await.is_some());
}

#[tokio::test]
async fn staff_save_a_provider_only_when_it_answers_and_never_see_its_secret() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let path = format!("/api/v1/firms/{}/identity-provider", setup.northwind);
    let shown = app.get(&path, Some(&setup.staff)).await.text().await.expect("text");
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    let shown: Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(shown["redirect_uri"], json!(app.url("/sign-in/sso/callback")));

    for (issuer, why) in [
        ("http://provider.example", "https"),
        // A closed port and an address answering 404 read the same: no map of anyone's network.
        ("http://127.0.0.1:9", "could not be reached"),
        (
            &format!("{}/nothing-here", setup.northwind_idp.issuer),
            "could not be reached",
        ),
    ] {
        let refused = configure(
            &app,
            &setup.staff,
            setup.northwind,
            "Northwind",
            issuer,
            "northwind.example",
        )
        .await;
        let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert_eq!(invalid_fields(&problem), vec!["issuer".to_owned()], "{problem}");
        assert!(problem.to_string().contains(why), "{why}: {problem}");
    }
    let other_domain = configure(
        &app,
        &setup.staff,
        setup.northwind,
        "Northwind",
        &setup.northwind_idp.issuer,
        "bluefield.example",
    )
    .await;
    let problem = assert_problem(other_domain, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    assert_eq!(invalid_fields(&problem), vec!["domains".to_owned()]);

    let admin = app
        .token_for(
            "admin@northwind.example",
            Role::FirmAdmin {
                firm_id: setup.northwind,
            },
        )
        .await;
    let by_admin = configure(
        &app,
        &admin,
        setup.northwind,
        "N",
        &setup.northwind_idp.issuer,
        "northwind.example",
    )
    .await;
    assert_problem(by_admin, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn addresses_a_discovery_document_names_inside_the_network_are_never_fetched() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let inside = [
        json!({"jwks_uri": "https://169.254.169.254/latest/meta-data/"}),
        json!({"jwks_uri": "https://10.0.0.7/keys"}),
        json!({"jwks_uri": "http://keys.northwind.example/keys"}),
    ];
    for fields in inside {
        setup.northwind_idp.publish(fields.clone()).await;
        let refused = configure(
            &app,
            &setup.staff,
            setup.northwind,
            "Northwind",
            &setup.northwind_idp.issuer,
            "northwind.example",
        )
        .await;
        let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert!(
            problem
                .to_string()
                .contains("could not be reached at a public https address"),
            "{fields}: {problem}"
        );
    }

    // A provider already saved that starts naming a private token endpoint: the hourly refresh
    // picks it up, and the code exchange is refused rather than sent there.
    setup
        .northwind_idp
        .publish(json!({"token_endpoint": "https://192.168.1.1/token"}))
        .await;
    app.clock.advance(time::Duration::hours(2));
    let mut browser = Browser::new(&app);
    let (status, _, page) = sign_in(&mut browser, "ada@northwind.example", "grace").await;
    assert_ne!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(page.contains("did not accept the sign-in code"), "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());
}

#[tokio::test]
async fn in_production_a_provider_must_be_https_and_loopback_is_refused() {
    let app = spawn_app_with(|settings| settings.allow_loopback_outbound = false).await;
    let staff = app.staff_token().await;
    let firm = app.create_firm(&staff, "Northwind Consulting").await;
    verified_domain(&app, &staff, firm, "northwind.example").await;
    for issuer in [
        "http://127.0.0.1:9",
        "http://localhost:9",
        "http://login.northwind.example",
    ] {
        let refused = configure(&app, &staff, firm, "Northwind", issuer, "northwind.example").await;
        let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert!(
            problem.to_string().contains("must start with https://"),
            "{issuer}: {problem}"
        );
    }
    for issuer in ["https://127.0.0.1:9", "https://localhost:9", "https://169.254.169.254"] {
        let refused = configure(&app, &staff, firm, "Northwind", issuer, "northwind.example").await;
        let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert!(
            problem.to_string().contains("could not be reached"),
            "{issuer}: {problem}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_a_page_saying_so_and_sign_out_offers_the_providers_too() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        sign_in(&mut browser, "ada@northwind.example", "grace").await.0,
        StatusCode::SEE_OTHER
    );
    browser.get("/home").await;
    let csrf = browser.csrf();
    let (status, _, page) = browser.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Sign out at Northwind Consulting too"), "{page}");
    assert!(
        page.contains(&format!("{}/session/end", setup.northwind_idp.issuer)),
        "{page}"
    );
    assert!(
        page.contains("id_token_hint=ey"),
        "the provider is told which session ends: {page}"
    );
    assert!(
        who_is_signed_in(&mut browser).await.is_none(),
        "signed out of the platform"
    );

    // The provider goes away. Once the kept discovery document is an hour old it is fetched
    // again, which fails: a page in plain words, not an error trace.
    let Setup { bluefield_idp, .. } = setup;
    drop(bluefield_idp);
    app.clock.advance(time::Duration::hours(2));
    let mut browser = Browser::new(&app);
    browser.get("/sign-in").await;
    let csrf = browser.csrf();
    let (status, _, page) = browser
        .post(
            "/sign-in/firm",
            &[("csrf", &csrf), ("firm_email", "someone@bluefield.example")],
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{page}");
    assert!(page.contains("sign-in is not available"), "{page}");
}

#[tokio::test]
async fn the_staff_sign_in_signs_in_only_accounts_staff_made() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let accounts = json!({
        "ops": person("ops@programme.example", true),
        "stranger": person("stranger@programme.example", true),
        "consultant": person("learner@programme.example", true),
    });
    let programme_idp = IdentityProvider::start(&app, accounts);
    let path = "/api/v1/programme/identity-provider";
    let put = |body: Value, token: String| {
        let request = app.client.put(app.url(path)).bearer_auth(token).json(&body);
        async move { request.send().await.expect("sent") }
    };
    let settings = json!({
        "name": "Programme account", "issuer": programme_idp.issuer,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
    });
    let mut with_domains = settings.clone();
    with_domains["domains"] = json!(["programme.example"]);
    let problem = assert_problem(
        put(with_domains, setup.staff.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    )
    .await;
    assert_eq!(invalid_fields(&problem), vec!["domains".to_owned()], "{problem}");
    let admin = app
        .token_for(
            "admin@northwind.example",
            Role::FirmAdmin {
                firm_id: setup.northwind,
            },
        )
        .await;
    assert_problem(
        put(settings.clone(), admin.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_problem(app.get(path, Some(&admin)).await, StatusCode::FORBIDDEN, "forbidden").await;
    let saved = put(settings, setup.staff.clone()).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.expect("json");
    assert!(
        saved.get("firm_id").is_none() && !saved.to_string().contains(CLIENT_SECRET),
        "{saved}"
    );
    let id = saved["id"].as_str().expect("id");

    let mut browser = Browser::new(&app);
    let (_, headers, page) = browser.get("/sign-in").await;
    assert!(page.contains("Sign in with Programme account"), "{page}");
    assert!(
        header(&headers, "content-security-policy").contains(&programme_idp.issuer),
        "the staff form may lead to the programme's provider"
    );
    // Nobody is made through it: an address with no account, or a consultant's, is refused.
    app.create_account("learner@programme.example", Role::Consultant).await;
    app.create_account("ops@programme.example", Role::ProgrammeStaff).await;
    for (login, email) in [
        ("stranger", "stranger@programme.example"),
        ("consultant", "learner@programme.example"),
    ] {
        let mut browser = Browser::new(&app);
        let authorization_url = start_sign_in_through(&mut browser, id).await;
        let (status, _, page) = come_back(&mut browser, &authorization_url, login).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{login}: {page}");
        assert!(page.contains("no programme staff account"), "{page}");
        assert!(who_is_signed_in(&mut browser).await.is_none(), "{login}");
        assert!(
            accounts_with(&app, email)
                .await
                .iter()
                .all(|a| a.role != Role::ProgrammeStaff)
        );
    }
    assert!(accounts_with(&app, "stranger@programme.example").await.is_empty());

    // The staff account with the verified address is linked, and found again by subject.
    for _ in 0..2 {
        let mut browser = Browser::new(&app);
        let authorization_url = start_sign_in_through(&mut browser, id).await;
        assert!(authorization_url.starts_with(&programme_idp.issuer));
        let (status, location, page) = come_back(&mut browser, &authorization_url, "ops").await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/home"), "{page}");
        let (status, _, page) = browser.get("/staff/breakdowns").await;
        assert_eq!(status, StatusCode::OK, "a staff session opens staff pages: {page}");
    }
    assert_eq!(accounts_with(&app, "ops@programme.example").await.len(), 1);
    // The list of firms' sign-ins holds firms only.
    let sign_in_page = Browser::new(&app).get("/sign-in").await.2;
    let firm_list = sign_in_page
        .split("Or choose your firm")
        .nth(1)
        .expect("the firms' list");
    let firm_list = firm_list.split("</details>").next().unwrap_or_default();
    assert!(firm_list.contains("Bluefield Partners") && !firm_list.contains("Programme account"));

    let removed = app
        .client
        .delete(app.url(path))
        .bearer_auth(&setup.staff)
        .send()
        .await
        .expect("sent");
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get(path, Some(&setup.staff)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert!(!Browser::new(&app).get("/sign-in").await.2.contains("Programme account"));

    // The staff provider's issuer now serves a firm: the staff link went with the staff provider,
    // so signing in there as the staff member opens no staff session.
    let moved = configure(
        &app,
        &setup.staff,
        setup.northwind,
        "Northwind Consulting",
        &programme_idp.issuer,
        "northwind.example",
    )
    .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let northwind_provider: Value = moved.json().await.expect("json");
    let mut browser = Browser::new(&app);
    let authorization_url = start_sign_in_through(&mut browser, northwind_provider["id"].as_str().expect("id")).await;
    let (status, _, page) = come_back(&mut browser, &authorization_url, "ops").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(who_is_signed_in(&mut browser).await.is_none());
    assert_eq!(browser.get("/staff/breakdowns").await.0, StatusCode::SEE_OTHER);
}
