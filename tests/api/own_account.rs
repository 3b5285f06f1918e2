//! A person's own sign-in: changing their password, their sessions, a password someone else
//! chose, and the idle timeout.

use certify_accounts::Role;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};
use crate::page_client::{Browser, header};

const NEW_PASSWORD: &str = "lantern orchard velvet compass";

async fn change(browser: &mut Browser<'_>, current: &str, new: &str) -> (StatusCode, String, String) {
    browser.get("/account").await;
    let csrf = browser.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("current_password", current),
        ("new_password", new),
    ];
    let (status, headers, page) = browser.post("/account/password", &form).await;
    (status, header(&headers, LOCATION.as_str()).to_owned(), page)
}

#[tokio::test]
async fn a_person_changes_their_password_and_every_other_session_ends() {
    let app = spawn_app().await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    let mut laptop = Browser::signed_in(&app, "ada@northwind.example").await;
    let mut phone = Browser::signed_in(&app, "ada@northwind.example").await;
    let (_, _, page) = laptop.get("/account").await;
    assert_eq!(page.matches("<tr><td>").count(), 2, "both sessions are listed: {page}");
    assert!(
        page.contains("This browser") && page.contains("Sign out everywhere else"),
        "{page}"
    );

    for (current, new, field_says) in [
        ("not my password", NEW_PASSWORD, "This is not your current password."),
        (PASSWORD, "password1234", "The new password is too easy to guess"),
        (PASSWORD, "ada-northwind-2026", "The new password must not contain the"),
        (PASSWORD, PASSWORD, "The new password must differ from the current one."),
    ] {
        let (status, _, page) = change(&mut laptop, current, new).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{new}: {page}");
        assert!(page.contains(field_says), "{new}: {page}");
        assert!(phone.get("/home").await.0 == StatusCode::OK, "nothing changed yet");
    }

    let (status, location, _) = change(&mut laptop, PASSWORD, NEW_PASSWORD).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/account"));
    let (_, _, page) = laptop.get("/account").await;
    assert!(page.contains("Your password was changed"), "{page}");
    let (_, _, again) = laptop.get("/account").await;
    assert!(!again.contains("Your password was changed"), "said once: {again}");
    assert_eq!(laptop.get("/home").await.0, StatusCode::OK, "this session goes on");
    assert_eq!(phone.get("/home").await.0, StatusCode::SEE_OTHER, "the other one ended");

    let old = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ada@northwind.example", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ada@northwind.example", "password": NEW_PASSWORD}),
            None,
        )
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_out_everywhere_else_ends_only_the_other_sessions() {
    let app = spawn_app().await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    let mut laptop = Browser::signed_in(&app, "ada@northwind.example").await;
    let mut phone = Browser::signed_in(&app, "ada@northwind.example").await;
    let token = app.log_in("ada@northwind.example", PASSWORD).await;
    let csrf = laptop.csrf();
    let (status, headers, _) = laptop.post("/account/sessions/others", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, LOCATION.as_str()), "/account");
    let (_, _, page) = laptop.get("/account").await;
    assert!(page.contains("You were signed out everywhere else."), "{page}");
    assert_eq!(laptop.get("/home").await.0, StatusCode::OK);
    assert_eq!(phone.get("/home").await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, _, page) = laptop.get("/account").await;
    assert_eq!(page.matches("<tr><td>").count(), 1, "{page}");
}

#[tokio::test]
async fn a_password_staff_chose_must_be_replaced_before_anything_else() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let created = app
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "emil@northwind.example", "display_name": "Emil Berg",
                    "role": "consultant", "password": PASSWORD}),
            Some(&staff),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let mut browser = Browser::signed_in(&app, "emil@northwind.example").await;
    for path in ["/home", "/catalogue", "/certificates"] {
        let (status, headers, _) = browser.get(path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(header(&headers, LOCATION.as_str()), "/account", "{path}");
    }
    let (_, _, page) = browser.get("/account").await;
    assert!(page.contains("Your password was chosen by someone else"), "{page}");
    let (status, _, _) = change(&mut browser, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/home").await.0, StatusCode::OK, "free to go on");
}

#[tokio::test]
async fn an_unused_session_ends_after_the_idle_timeout_and_an_open_exam_keeps_it() {
    let app = spawn_app_with(|settings| settings.session_idle = time::Duration::minutes(30)).await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    let token = app.log_in("ada@northwind.example", PASSWORD).await;
    let me = |token: String| {
        let app = &app;
        async move { app.get("/api/v1/me", Some(&token)).await.status() }
    };
    for _ in 0..4 {
        app.clock.advance(time::Duration::minutes(20));
        assert_eq!(
            me(token.clone()).await,
            StatusCode::OK,
            "used every 20 minutes, it lasts"
        );
    }
    app.clock.advance(time::Duration::minutes(31));
    assert_eq!(
        me(token.clone()).await,
        StatusCode::UNAUTHORIZED,
        "31 minutes unused end it"
    );

    // A timed exam counts as use until its deadline.
    let token = app.log_in("ada@northwind.example", PASSWORD).await;
    let session = certify_accounts::authenticate(
        &app.db,
        certify_core::Clock::now(&app.clock),
        certify_accounts::SessionSettings::default(),
        &token,
    )
    .await
    .expect("read")
    .expect("live")
    .session_id;
    let deadline = certify_core::Clock::now(&app.clock) + time::Duration::minutes(90);
    certify_accounts::keep_alive_until(&app.db, session, deadline)
        .await
        .expect("kept");
    app.clock.advance(time::Duration::minutes(100));
    assert_eq!(
        me(token.clone()).await,
        StatusCode::OK,
        "within 30 minutes of the deadline"
    );
}

/// Over the API as on the pages: a password staff chose opens nothing but choosing one's own,
/// seeing who one is and signing out; once chosen, everything the role allows is open again.
#[tokio::test]
async fn an_api_caller_whose_password_staff_chose_must_choose_their_own_first() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let chosen = "staff chose this one for Lin";
    let body =
        json!({"email": "lin@northwind.example", "display_name": "Lin Chen", "role": "consultant", "password": chosen});
    assert_eq!(
        app.post_json("/api/v1/accounts", &body, Some(&staff)).await.status(),
        StatusCode::CREATED
    );
    let token = app.log_in("lin@northwind.example", chosen).await;

    let me: serde_json::Value = app.get("/api/v1/me", Some(&token)).await.json().await.expect("json");
    assert_eq!(me["must_change_password"], json!(true), "{me}");
    for path in ["/api/v1/me/certificates", "/api/v1/tracks", "/api/v1/me/learning"] {
        let problem = crate::helpers::assert_problem(
            app.get(path, Some(&token)).await,
            StatusCode::FORBIDDEN,
            "password-change-required",
        )
        .await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("PUT /api/v1/me/password")
        );
    }

    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let wrong = app
        .put_json("/api/v1/me/password", &change("not it at all", NEW_PASSWORD), &token)
        .await;
    let problem = crate::helpers::assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    assert_eq!(crate::helpers::invalid_fields(&problem), ["current_password"]);
    let weak = app
        .put_json("/api/v1/me/password", &change(chosen, "password1234"), &token)
        .await;
    let problem = crate::helpers::assert_problem(weak, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    assert_eq!(crate::helpers::invalid_fields(&problem), ["new_password"]);

    let changed = app
        .put_json("/api/v1/me/password", &change(chosen, NEW_PASSWORD), &token)
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me/certificates", Some(&token)).await.status(),
        StatusCode::OK,
        "open now"
    );
    let me: serde_json::Value = app.get("/api/v1/me", Some(&token)).await.json().await.expect("json");
    assert_eq!(me["must_change_password"], json!(false), "{me}");
}
