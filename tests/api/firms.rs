use certify_accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, invalid_fields, spawn_app};

#[tokio::test]
async fn staff_register_firms_and_bad_fields_are_named() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let body = json!({"name": "Northwind", "kind": "consulting_firm", "country": "de", "website": "https://northwind.example"});
    let response = app.post_json("/api/v1/firms", &body, Some(&staff)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let firm: Value = response.json().await.expect("json");
    assert_eq!(firm["country"], "DE");
    assert_eq!(firm["kind"], "consulting_firm");

    let bad = json!({"name": "", "kind": "consulting_firm", "country": "Germany", "website": "northwind"});
    let problem = assert_problem(
        app.post_json("/api/v1/firms", &bad, Some(&staff)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    )
    .await;
    let mut fields = invalid_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["country", "name", "website"]);
}

#[tokio::test]
async fn a_firm_admin_sees_their_own_firm_and_no_other() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let own = app.create_firm(&staff, "Northwind").await;
    let other = app.create_firm(&staff, "Contoso").await;
    let admin = app
        .token_for("admin@northwind.example", Role::FirmAdmin { firm_id: own })
        .await;

    let mine: Value = app
        .get(&format!("/api/v1/firms/{own}"), Some(&admin))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(mine["name"], "Northwind");

    // Another firm's id answers exactly like an id that does not exist.
    let foreign = assert_problem(
        app.get(&format!("/api/v1/firms/{other}"), Some(&admin)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let missing_id = uuid::Uuid::now_v7();
    let missing = assert_problem(
        app.get(&format!("/api/v1/firms/{missing_id}"), Some(&admin)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(
        foreign["detail"].as_str().map(|d| d.replace(&other.to_string(), "ID")),
        missing["detail"]
            .as_str()
            .map(|d| d.replace(&missing_id.to_string(), "ID"))
    );

    let by_staff = app.get(&format!("/api/v1/firms/{other}"), Some(&staff)).await;
    assert_eq!(by_staff.status(), StatusCode::OK, "staff see every firm");
}

#[tokio::test]
async fn consultants_cannot_read_or_register_firms() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm = app.create_firm(&staff, "Northwind").await;
    let consultant = app.token_for("c@northwind.example", Role::Consultant).await;
    assert_problem(
        app.get(&format!("/api/v1/firms/{firm}"), Some(&consultant)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let body = json!({"name": "Mine", "kind": "consulting_firm", "country": "DE"});
    assert_problem(
        app.post_json("/api/v1/firms", &body, Some(&consultant)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

/// Search text is bounded where it arrives: 60,000 characters (which SQLite refuses as a `LIKE`
/// pattern) are a 422 naming `q`, in the firm list, the staff list and its export; 200 are fine.
#[tokio::test]
async fn search_text_longer_than_anyone_types_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm = app.create_firm(&staff, "Northwind Consulting").await;
    let pasted = "a".repeat(60_000);
    for path in [
        format!("/api/v1/firms?q={pasted}"),
        format!("/api/v1/firms/{firm}/consultants?q={pasted}"),
        format!("/api/v1/firms/{firm}/consultants/export.csv?q={pasted}"),
    ] {
        let problem = assert_problem(
            app.get(&path, Some(&staff)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        )
        .await;
        assert_eq!(invalid_fields(&problem), ["q"], "{path:.40}");
    }
    let typed = app
        .get(&format!("/api/v1/firms?q={}", "a".repeat(200)), Some(&staff))
        .await;
    assert_eq!(typed.status(), StatusCode::OK);
}
