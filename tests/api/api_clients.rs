//! API clients of firms: a token reaches only its own firm and only the routes its scopes name;
//! revoking or rotating ends tokens at once; expired tokens and sessions are purged on the clock.

use certify_accounts::{
    ClientTokenSettings, GrantError, NewApiClient, Role, Scope, Scopes, create_api_client, grant_client_token,
    purge_expired, revoke_api_client, rotate_api_client_secret,
};
use certify_core::Clock as _;
use reqwest::StatusCode;
use time::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem, spawn_app};

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
    let firms = two_firms(&app).await;
    let path = format!("/api/v1/firms/{}/tier", firms.a);
    let (client, old_secret, token) = client_token(&app, &firms, &[Scope::FirmRead]).await;
    assert_eq!(app.get(&path, Some(&token)).await.status(), StatusCode::OK);

    let (_, new_secret) = rotate_api_client_secret(&app.db, app.clock.now(), firms.a, client)
        .await
        .expect("rotated");
    assert_eq!(app.get(&path, Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
    let settings = ClientTokenSettings::default();
    let stale = grant_client_token(&app.db, app.clock.now(), settings, client, &old_secret, None).await;
    assert!(matches!(stale, Err(GrantError::InvalidClient)), "{stale:?}");
    let fresh = grant_client_token(&app.db, app.clock.now(), settings, client, new_secret.expose(), None)
        .await
        .expect("new secret works");
    let fresh = fresh.token.expose().to_owned();
    assert_eq!(app.get(&path, Some(&fresh)).await.status(), StatusCode::OK);

    revoke_api_client(&app.db, app.clock.now(), firms.a, client)
        .await
        .expect("revoked");
    assert_eq!(app.get(&path, Some(&fresh)).await.status(), StatusCode::UNAUTHORIZED);
    let after = grant_client_token(&app.db, app.clock.now(), settings, client, new_secret.expose(), None).await;
    assert!(matches!(after, Err(GrantError::InvalidClient)), "{after:?}");
    let elsewhere = revoke_api_client(&app.db, app.clock.now(), firms.b, client).await;
    assert!(elsewhere.is_err(), "another firm cannot even find the client");
}

#[tokio::test]
async fn a_token_holds_what_was_asked_for_and_no_more() {
    let app = spawn_app().await;
    let firms = two_firms(&app).await;
    let (client, secret, _) = client_token(&app, &firms, &[Scope::FirmRead, Scope::ConsultantsRead]).await;
    let settings = ClientTokenSettings::default();
    let narrow = grant_client_token(
        &app.db,
        app.clock.now(),
        settings,
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
        client,
        &secret,
        Some(Scopes::of([Scope::RosterWrite])),
    )
    .await;
    assert!(
        matches!(&wider, Err(GrantError::InvalidScope(name, _)) if name == "roster:write"),
        "{wider:?}"
    );
    let wrong = grant_client_token(&app.db, app.clock.now(), settings, client, "ccs_wrong", None).await;
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
