//! API clients of firms: a token reaches only its own firm and only the routes its scopes name;
//! revoking or rotating ends tokens at once; expired tokens and sessions are purged on the clock.

use certify_accounts::{
    Attempt, ClientTokenSettings, GrantError, NewApiClient, Role, Scope, Scopes, SignInLimits, SignInThrottle,
    create_api_client, grant_client_token, purge_expired, revoke_api_client, rotate_api_client_secret,
};
use certify_core::Clock as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem, spawn_app};

/// A token request made by the test itself, not over HTTP, against a throttle of its own.
fn test_attempt(throttle: &SignInThrottle) -> Attempt<'_> {
    Attempt {
        throttle,
        from: std::net::Ipv4Addr::LOCALHOST.into(),
    }
}

fn test_throttle(app: &TestApp) -> SignInThrottle {
    SignInThrottle::new(SignInLimits::token_requests(), std::sync::Arc::new(app.clock.clone()))
}

struct Firms {
    a: Uuid,
    b: Uuid,
    a_admin: Uuid,
}

async fn two_firms(app: &TestApp) -> Firms {
    let staff = app.staff_token().await;
    let a = app.create_firm(&staff, "Northwind Consulting").await;
    let b = app.create_firm(&staff, "Bluefield Partners").await;
    let a_admin = app
        .create_account("admin@northwind.example", Role::FirmAdmin { firm_id: a })
        .await
        .id;
    Firms { a, b, a_admin }
}

/// A client of `firm` holding `scopes`, and a token for it.
async fn client_token(app: &TestApp, firms: &Firms, scopes: &[Scope]) -> (Uuid, String, String) {
    let throttle = test_throttle(app);
    let new = NewApiClient {
        firm_id: firms.a,
        name: "HR system".into(),
        scopes: Scopes::of(scopes.iter().copied()),
        created_by: firms.a_admin,
    };
    let (client, secret) = create_api_client(&app.db, app.clock.now(), new).await.expect("created");
    let granted = grant_client_token(
        &app.db,
        app.clock.now(),
        ClientTokenSettings::default(),
        test_attempt(&throttle),
        client.id,
        secret.expose(),
        None,
    )
    .await
    .expect("granted");
    (client.id, secret.expose().to_owned(), granted.token.expose().to_owned())
}

#[tokio::test]
async fn a_token_reaches_only_its_firm_and_its_scopes() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let (_, _, token) = client_token(&app, &firms, &[Scope::ConsultantsRead]).await;

    let own = app
        .get(&format!("/api/v1/firms/{}/consultants", firms.a), Some(&token))
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let other = app
        .get(&format!("/api/v1/firms/{}/consultants", firms.b), Some(&token))
        .await;
    let not_found = assert_problem(other, StatusCode::NOT_FOUND, "not-found").await;
    let missing = app
        .get(&format!("/api/v1/firms/{}/consultants", Uuid::now_v7()), Some(&token))
        .await;
    let missing = assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
    assert_eq!(
        not_found["title"], missing["title"],
        "another firm looks like no firm at all"
    );

    let roster = app
        .client
        .post(app.url(&format!("/api/v1/firms/{}/roster", firms.a)))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body("email,name\n")
        .send()
        .await
        .expect("sent");
    let problem = assert_problem(roster, StatusCode::FORBIDDEN, "insufficient-scope").await;
    assert_eq!(problem["required_scope"], "roster:write");
    assert!(problem["detail"].as_str().expect("detail").contains("roster:write"));

    // Routes for people, and firm routes that admit no client, refuse it.
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_problem(me, StatusCode::FORBIDDEN, "forbidden").await;
    let domains = app
        .get(&format!("/api/v1/firms/{}/domains", firms.a), Some(&token))
        .await;
    assert_problem(domains, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn revoking_or_rotating_ends_tokens_at_once() {
    let app = spawn_app().await;
    let throttle = test_throttle(&app);
    let firms = two_firms(&app).await;
    let path = format!("/api/v1/firms/{}/tier", firms.a);
    let (client, old_secret, token) = client_token(&app, &firms, &[Scope::FirmRead]).await;
    assert_eq!(app.get(&path, Some(&token)).await.status(), StatusCode::OK);

    let (_, new_secret) = rotate_api_client_secret(&app.db, app.clock.now(), firms.a, client)
        .await
        .expect("rotated");
    assert_eq!(app.get(&path, Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
    let settings = ClientTokenSettings::default();
    let stale = grant_client_token(
        &app.db,
        app.clock.now(),
        settings,
        test_attempt(&throttle),
        client,
        &old_secret,
        None,
    )
    .await;
    assert!(matches!(stale, Err(GrantError::InvalidClient)), "{stale:?}");
    let fresh = grant_client_token(
        &app.db,
        app.clock.now(),
        settings,
        test_attempt(&throttle),
        client,
        new_secret.expose(),
        None,
    )
    .await
    .expect("new secret works");
    let fresh = fresh.token.expose().to_owned();
    assert_eq!(app.get(&path, Some(&fresh)).await.status(), StatusCode::OK);

    revoke_api_client(&app.db, app.clock.now(), firms.a, client)
        .await
        .expect("revoked");
    assert_eq!(app.get(&path, Some(&fresh)).await.status(), StatusCode::UNAUTHORIZED);
    let after = grant_client_token(
        &app.db,
        app.clock.now(),
        settings,
        test_attempt(&throttle),
        client,
        new_secret.expose(),
        None,
    )
    .await;
    assert!(matches!(after, Err(GrantError::InvalidClient)), "{after:?}");
    let elsewhere = revoke_api_client(&app.db, app.clock.now(), firms.b, client).await;
    assert!(elsewhere.is_err(), "another firm cannot even find the client");
}

#[tokio::test]
async fn a_token_holds_what_was_asked_for_and_no_more() {
    let app = spawn_app().await;
    let throttle = test_throttle(&app);
    let firms = two_firms(&app).await;
    let (client, secret, _) = client_token(&app, &firms, &[Scope::FirmRead, Scope::ConsultantsRead]).await;
    let settings = ClientTokenSettings::default();
    let narrow = grant_client_token(
        &app.db,
        app.clock.now(),
        settings,
        test_attempt(&throttle),
        client,
        &secret,
        Some(Scopes::of([Scope::FirmRead])),
    )
    .await
    .expect("granted");
    assert_eq!(narrow.scopes.to_string(), "firm:read");
    let consultants = app
        .get(
            &format!("/api/v1/firms/{}/consultants", firms.a),
            Some(narrow.token.expose()),
        )
        .await;
    assert_problem(consultants, StatusCode::FORBIDDEN, "insufficient-scope").await;

    let wider = grant_client_token(
        &app.db,
        app.clock.now(),
        settings,
        test_attempt(&throttle),
        client,
        &secret,
        Some(Scopes::of([Scope::RosterWrite])),
    )
    .await;
    assert!(
        matches!(&wider, Err(GrantError::InvalidScope(name, _)) if name == "roster:write"),
        "{wider:?}"
    );
    let wrong = grant_client_token(
        &app.db,
        app.clock.now(),
        settings,
        test_attempt(&throttle),
        client,
        "ccs_wrong",
        None,
    )
    .await;
    assert!(matches!(wrong, Err(GrantError::InvalidClient)), "{wrong:?}");
}

#[tokio::test]
async fn expired_tokens_and_sessions_are_purged_on_the_clock() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let session = app.log_in("admin@northwind.example", crate::helpers::PASSWORD).await;
    let (_, _, token) = client_token(&app, &firms, &[Scope::FirmRead]).await;

    let nothing_yet = purge_expired(&app.db, app.clock.now()).await.expect("purged");
    assert_eq!((nothing_yet.sessions, nothing_yet.client_tokens), (0, 0));

    app.clock.advance(Duration::minutes(20));
    let tokens = purge_expired(&app.db, app.clock.now()).await.expect("purged");
    assert_eq!((tokens.sessions, tokens.client_tokens), (0, 1), "the 15-minute token");
    assert_eq!(
        app.get(&format!("/api/v1/firms/{}/tier", firms.a), Some(&token))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/v1/me", Some(&session)).await.status(), StatusCode::OK);

    app.clock.advance(Duration::hours(13));
    let sessions = purge_expired(&app.db, app.clock.now()).await.expect("purged");
    assert_eq!(sessions.sessions, 2, "the staff's and the admin's 12-hour sessions");
}

/// `POST /oauth/token` with `form`, authenticating with HTTP Basic when `basic` is given.
async fn token_request(app: &TestApp, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.post(app.url("/oauth/token")).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    request.send().await.expect("sent")
}

async fn oauth_error(response: reqwest::Response, status: StatusCode, error: &str) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], error, "{body}");
    assert!(
        body["error_description"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

#[tokio::test]
async fn an_admin_creates_a_client_whose_secret_buys_a_token_at_the_token_endpoint() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let admin = app.log_in("admin@northwind.example", crate::helpers::PASSWORD).await;
    let clients = format!("/api/v1/firms/{}/api-clients", firms.a);
    let created = app
        .post_json(
            &clients,
            &json!({"name": "Staffing system", "scopes": ["consultants:read", "firm:read"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("json");
    let id = created["client"]["id"].as_str().expect("id").to_owned();
    let secret = created["client_secret"].as_str().expect("secret").to_owned();
    assert_eq!(created["client"]["scopes"], json!(["firm:read", "consultants:read"]));
    assert_eq!(created["client"]["last_used_at"], Value::Null);

    // Its name is held to the rules of every name people see: no controls, no hidden or
    // reordering characters.
    for name in [
        "Staffing\u{7}",
        "\u{200b}",
        "Pay\u{202e}llor system",
        "\u{2066}HR\u{2069}",
    ] {
        let refused = app
            .post_json(&clients, &json!({"name": name, "scopes": ["firm:read"]}), Some(&admin))
            .await;
        let problem =
            crate::helpers::assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert_eq!(
            crate::helpers::invalid_fields(&problem),
            vec!["name".to_owned()],
            "{name:?}"
        );
    }

    // Both ways of authenticating; all the client's scopes unless it asks for fewer.
    let basic = token_request(&app, Some((&id, &secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(basic.status(), StatusCode::OK);
    assert_eq!(basic.headers()["cache-control"], "no-store");
    let basic: Value = basic.json().await.expect("json");
    assert_eq!(
        (&basic["token_type"], &basic["expires_in"], &basic["scope"]),
        (&json!("Bearer"), &json!(900), &json!("firm:read consultants:read"))
    );
    let post = token_request(
        &app,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("scope", "consultants:read"),
        ],
    )
    .await;
    assert_eq!(post.status(), StatusCode::OK);
    let token = post.json::<Value>().await.expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let staff = app
        .get(&format!("/api/v1/firms/{}/consultants", firms.a), Some(&token))
        .await;
    assert_eq!(staff.status(), StatusCode::OK);

    // The list shows when it was used, and never a secret.
    let listed = app.get(&clients, Some(&admin)).await.text().await.expect("list");
    assert!(!listed.contains(&secret) && !listed.contains("secret\""), "{listed}");
    let listed: Value = serde_json::from_str(&listed).expect("json");
    assert_eq!(listed[0]["last_used_at"], json!("2026-11-22T09:00:00Z"));

    // Another firm's admin cannot see, rotate or revoke it.
    let bluefield = app
        .token_for("admin@bluefield.example", Role::FirmAdmin { firm_id: firms.b })
        .await;
    let theirs = app.get(&clients, Some(&bluefield)).await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "not-found").await;
    let wrong_firm = app
        .client
        .delete(app.url(&format!("/api/v1/firms/{}/api-clients/{id}", firms.b)))
        .bearer_auth(&bluefield)
        .send()
        .await
        .expect("sent");
    assert_problem(wrong_firm, StatusCode::NOT_FOUND, "not-found").await;

    // Rotating ends the old secret and its tokens; revoking ends the client.
    let rotated = app
        .post_json(&format!("{clients}/{id}/secret"), &json!({}), Some(&admin))
        .await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let new_secret = rotated.json::<Value>().await.expect("json")["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let old = token_request(&app, Some((&id, &secret)), &[("grant_type", "client_credentials")]).await;
    oauth_error(old, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let ended = app
        .get(&format!("/api/v1/firms/{}/consultants", firms.a), Some(&token))
        .await;
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
    let revoked = app
        .client
        .delete(app.url(&format!("{clients}/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(revoked.status(), StatusCode::OK);
    let revoked: Value = revoked.json().await.expect("json");
    assert_eq!(revoked["revoked_at"], json!("2026-11-22T09:00:00Z"));
    let after = token_request(&app, Some((&id, &new_secret)), &[("grant_type", "client_credentials")]).await;
    oauth_error(after, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let again = app
        .post_json(&format!("{clients}/{id}/secret"), &json!({}), Some(&admin))
        .await;
    assert_problem(again, StatusCode::CONFLICT, "invalid-state").await;
}

#[tokio::test]
async fn the_token_endpoint_answers_each_bad_request_as_rfc_6749_says() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let (client, secret, _) = client_token(&app, &firms, &[Scope::FirmRead]).await;
    let id = client.to_string();
    let grant = ("grant_type", "client_credentials");

    let wrong = token_request(&app, Some((&id, "ccs_wrong")), &[grant]).await;
    assert_eq!(wrong.headers()["www-authenticate"], "Basic realm=\"certify\"");
    oauth_error(wrong, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let unknown = token_request(&app, Some((&Uuid::now_v7().to_string(), &secret)), &[grant]).await;
    oauth_error(unknown, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let anonymous = token_request(&app, None, &[grant]).await;
    oauth_error(anonymous, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let both = token_request(&app, Some((&id, &secret)), &[grant, ("client_id", &id)]).await;
    oauth_error(both, StatusCode::BAD_REQUEST, "invalid_request").await;
    let no_grant = token_request(&app, Some((&id, &secret)), &[]).await;
    oauth_error(no_grant, StatusCode::BAD_REQUEST, "invalid_request").await;
    let password = token_request(&app, Some((&id, &secret)), &[("grant_type", "password")]).await;
    oauth_error(password, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    let wider = token_request(&app, Some((&id, &secret)), &[grant, ("scope", "roster:write")]).await;
    let wider = oauth_error(wider, StatusCode::BAD_REQUEST, "invalid_scope").await;
    assert!(
        wider["error_description"]
            .as_str()
            .expect("text")
            .contains("roster:write")
    );
    let made_up = token_request(&app, Some((&id, &secret)), &[grant, ("scope", "everything")]).await;
    oauth_error(made_up, StatusCode::BAD_REQUEST, "invalid_scope").await;
    let json_body = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("sent");
    oauth_error(json_body, StatusCode::BAD_REQUEST, "invalid_request").await;
    // An empty `scope` is no scope list at all: the client's scopes.
    let empty_scope = token_request(&app, Some((&id, &secret)), &[grant, ("scope", "")]).await;
    assert_eq!(empty_scope.status(), StatusCode::OK);
}

#[tokio::test]
async fn guessing_a_clients_secret_is_throttled_per_client_id() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let (client, secret, _) = client_token(&app, &firms, &[Scope::FirmRead]).await;
    let id = client.to_string();
    let grant = ("grant_type", "client_credentials");
    for _ in 0..10 {
        let guess = token_request(&app, Some((&id, "ccs_guess")), &[grant]).await;
        assert_eq!(guess.status(), StatusCode::UNAUTHORIZED);
    }
    let throttled = token_request(&app, Some((&id, &secret)), &[grant]).await;
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=6).contains(&retry_after), "{retry_after}");
    assert_problem(throttled, StatusCode::TOO_MANY_REQUESTS, "too-many-requests").await;

    app.clock.advance(Duration::seconds(6));
    let later = token_request(&app, Some((&id, &secret)), &[grant]).await;
    assert_eq!(later.status(), StatusCode::OK, "the budget refills on the clock");
}

/// The OpenAPI document and the routes agree: every route documented with a `firm_client` scope
/// refuses a token lacking exactly that scope, and every other firm route refuses clients.
#[tokio::test]
async fn every_firm_route_enforces_the_scope_its_document_names() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let mut all_but = std::collections::HashMap::new();
    for missing in Scope::ALL {
        let held: Vec<Scope> = Scope::ALL.into_iter().filter(|scope| *scope != missing).collect();
        all_but.insert(missing.name(), client_token(&app, &firms, &held).await.2);
    }
    let (_, _, every_scope) = client_token(&app, &firms, &Scope::ALL).await;
    let document = serde_json::to_value(certify_api::openapi()).expect("json");
    let mut checked = 0;
    for (template, item) in document["paths"].as_object().expect("paths") {
        if !template.contains("{firm_id}") {
            continue;
        }
        let path = template
            .replace("{firm_id}", &firms.a.to_string())
            .replace("{domain}", "northwind.example")
            .replace("{account_id}", &Uuid::now_v7().to_string())
            .replace("{client_id}", &Uuid::now_v7().to_string());
        for (method, operation) in item.as_object().expect("operations") {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let scope = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|requirement| requirement["firm_client"][0].as_str());
            let (token, expected) = match scope {
                Some(scope) => (&all_but[scope], "insufficient-scope"),
                None => (&every_scope, "forbidden"),
            };
            let response = app
                .client
                .request(method.clone(), app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .expect("sent");
            let problem = assert_problem(response, StatusCode::FORBIDDEN, expected).await;
            if let Some(scope) = scope {
                assert_eq!(problem["required_scope"], scope, "{method} {template}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} firm operations found");
}

/// Wrong secrets sent for a client id, from another address and in every spelling of the id,
/// never make the real system's correct secret wait; the guesser is stopped after ten.
#[tokio::test]
async fn guessing_a_secret_elsewhere_never_locks_the_real_client_out() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let (client, secret, _) = client_token(&app, &firms, &[Scope::FirmRead]).await;
    let hyphenated = client.to_string();
    let spellings = [
        hyphenated.clone(),
        hyphenated.to_uppercase(),
        format!("{{{hyphenated}}}"),
        client.simple().to_string(),
    ];
    let from = |last_octet: u8| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, last_octet)))
            .build()
            .expect("client")
    };
    let (system, stranger) = (from(3), from(2));
    let ask = |client: &reqwest::Client, id: &str, secret: &str| {
        client
            .post(app.url("/oauth/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    let mut statuses = Vec::new();
    for round in 0..24 {
        let spelling = &spellings[round % spellings.len()];
        statuses.push(ask(&stranger, spelling, "ccs_guess").await.expect("sent").status());
        let real = ask(&system, &hyphenated, &secret).await.expect("sent").status();
        assert_eq!(real, StatusCode::OK, "round {round}: the real client gets its token");
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(refused, 10, "every spelling spends one budget: {statuses:?}");
}
