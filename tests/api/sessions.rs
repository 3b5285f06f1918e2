use certify_accounts::{NewAccount, Role};
use certify_core::{Clock as _, DisplayName, Email};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait as _, Statement};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::helpers::{PASSWORD, assert_problem, spawn_app};

#[tokio::test]
async fn login_returns_a_token_that_identifies_the_account() {
    let app = spawn_app().await;
    let account = app.create_account("ada@northwind.example", Role::Consultant).await;
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ADA@Northwind.Example", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["expires_at"], "2026-11-22T21:00:00Z",
        "12 hours after the test clock's now"
    );
    let token = body["token"].as_str().expect("token");

    let me: Value = app.get("/api/v1/me", Some(token)).await.json().await.expect("json");
    assert_eq!(me["id"], account.id.to_string());
    assert_eq!(me["email"], "ada@northwind.example");
    assert_eq!(me["role"], "consultant");
    assert!(me.get("password_hash").is_none());
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_indistinguishable() {
    let app = spawn_app().await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    let wrong_password = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ada@northwind.example", "password": "not the password"}),
            None,
        )
        .await;
    let unknown_email = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "nobody@northwind.example", "password": "not the password"}),
            None,
        )
        .await;
    assert_eq!(wrong_password.headers()["www-authenticate"], "Bearer");
    assert_eq!(unknown_email.headers()["www-authenticate"], "Bearer");
    let a = assert_problem(wrong_password, StatusCode::UNAUTHORIZED, "invalid-credentials").await;
    let b = assert_problem(unknown_email, StatusCode::UNAUTHORIZED, "invalid-credentials").await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn an_account_without_a_password_cannot_sign_in_with_one() {
    let app = spawn_app().await;
    let sso_only = NewAccount {
        email: Email::parse("sso@northwind.example").expect("valid"),
        display_name: DisplayName::parse("Single Sign-On").expect("valid"),
        role: Role::Consultant,
        password: None,
        must_change_password: false,
    };
    certify_accounts::create_account(&app.db, app.clock.now(), sso_only)
        .await
        .expect("created");
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "sso@northwind.example", "password": PASSWORD}),
            None,
        )
        .await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid-credentials").await;
}

#[tokio::test]
async fn only_the_hash_of_a_token_is_stored() {
    let app = spawn_app().await;
    let token = app.token_for("ada@northwind.example", Role::Consultant).await;
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT token_hash FROM sessions",
        ))
        .await
        .expect("query");
    let stored: Vec<String> = rows
        .iter()
        .map(|row| row.try_get("", "token_hash").expect("column"))
        .collect();
    assert_eq!(stored, [hex::encode(Sha256::digest(token.as_bytes()))]);
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = spawn_app().await;
    let token = app.token_for("ada@northwind.example", Role::Consultant).await;
    let other_session = app.log_in("ada@northwind.example", PASSWORD).await;

    let response = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get("/api/v1/me", Some(&token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/me", Some(&other_session)).await.status(),
        StatusCode::OK,
        "other sessions live on"
    );
}

#[tokio::test]
async fn tokens_expire_when_the_clock_passes_their_lifetime() {
    let app = spawn_app().await;
    let token = app.token_for("ada@northwind.example", Role::Consultant).await;
    app.clock
        .advance(time::Duration::hours(12) - time::Duration::seconds(1));
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), StatusCode::OK);
    app.clock.advance(time::Duration::seconds(1));
    assert_problem(
        app.get("/api/v1/me", Some(&token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn missing_malformed_and_forged_tokens_are_401() {
    let app = spawn_app().await;
    let missing = app.get("/api/v1/me", None).await;
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_problem(missing, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    for header in ["Basic YWRhOnB3", "Bearer", "Bearer ", "ctk_deadbeef", "Bearer ctk_0000"] {
        let response = app
            .client
            .get(app.url("/api/v1/me"))
            .header("authorization", header)
            .send()
            .await
            .expect("sent");
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
}

async fn attempt(app: &crate::helpers::TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        &json!({"email": email, "password": password}),
        None,
    )
    .await
}

#[tokio::test]
async fn password_guessing_is_throttled_per_address_alike_for_unknown_ones() {
    let app = spawn_app().await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    let mut answers = Vec::new();
    for email in ["ada@northwind.example", "nobody@northwind.example"] {
        for _ in 0..5 {
            assert_eq!(
                attempt(&app, email, "a wrong guess").await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let refused = attempt(&app, email, "a wrong guess").await;
        assert_eq!(refused.headers()["retry-after"], "60");
        answers.push(assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "too-many-requests").await);
    }
    assert_eq!(answers[0], answers[1], "an unknown address is throttled the same way");

    let right_too_soon = attempt(&app, "ada@northwind.example", PASSWORD).await;
    assert_eq!(
        right_too_soon.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    app.clock.advance(time::Duration::seconds(60));
    assert_eq!(
        attempt(&app, "ada@northwind.example", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_five_answers() {
    let app = spawn_app().await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..100 {
        let request = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "ada@northwind.example", "password": format!("guess {n}")}));
        guesses.spawn(async move { request.send().await.expect("request sent").status() });
    }
    let statuses = guesses.join_all().await;
    let unauthorised = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((unauthorised, throttled), (5, 95));
}

/// A client of the server seen from another loopback address, as a second machine would be.
fn client_at(last_octet: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, last_octet)))
        .build()
        .expect("client")
}

/// No stranger can lock an owner out: correct sign-ins spend nothing, and someone guessing at the
/// account from another address, however long, never makes the owner's right password wait.
/// The guesser is still slowed.
#[tokio::test]
async fn a_stranger_guessing_never_keeps_the_owner_out() {
    let app = spawn_app().await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    let (owner, stranger) = (client_at(3), client_at(2));
    let sign_in = |client: &reqwest::Client, password: &str| {
        client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "ada@northwind.example", "password": password}))
            .send()
    };
    for _ in 0..8 {
        let status = sign_in(&owner, PASSWORD).await.expect("sent").status();
        assert_eq!(status, StatusCode::OK, "correct sign-ins do not add up");
    }
    let mut stranger_statuses = Vec::new();
    for _ in 0..13 {
        stranger_statuses.push(sign_in(&stranger, "a guess").await.expect("sent").status());
        let owner_status = sign_in(&owner, PASSWORD).await.expect("sent").status();
        assert_eq!(
            owner_status,
            StatusCode::OK,
            "the owner gets in while the stranger guesses"
        );
        app.clock.advance(time::Duration::seconds(10));
    }
    let guessed = stranger_statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(guessed, 7, "five guesses, then one a minute: {stranger_statuses:?}");
}
