use std::collections::HashSet;

use certify_accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, invalid_fields, spawn_app};

#[tokio::test]
async fn staff_open_accounts_of_every_role() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm_id = app.create_firm(&staff, "Contoso Integration").await;

    for (email, role, firm) in [
        ("c@contoso.example", "consultant", None),
        ("a@contoso.example", "firm_admin", Some(firm_id)),
        ("s@certify.example", "programme_staff", None),
    ] {
        let body = json!({"email": email, "display_name": "New Person", "role": role, "firm_id": firm, "password": "a sufficiently long one"});
        let response = app.post_json("/api/v1/accounts", &body, Some(&staff)).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{role}");
        let created: Value = response.json().await.expect("json");
        assert_eq!(created["role"], role);
        assert_eq!(created["firm_id"], firm.map_or(Value::Null, |id| json!(id)));
        assert!(created.get("password").is_none() && created.get("password_hash").is_none());
        let token = app.log_in(email, "a sufficiently long one").await;
        let me: Value = app.get("/api/v1/me", Some(&token)).await.json().await.expect("json");
        assert_eq!(me["id"], created["id"]);
    }
}

#[tokio::test]
async fn an_email_can_hold_only_one_account_whatever_its_case() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let body = json!({"email": "Ada@Northwind.example", "display_name": "Ada", "role": "consultant"});
    assert_eq!(
        app.post_json("/api/v1/accounts", &body, Some(&staff)).await.status(),
        StatusCode::CREATED
    );
    let again = json!({"email": "ada@northwind.EXAMPLE", "display_name": "Ada Again", "role": "consultant"});
    let response = app.post_json("/api/v1/accounts", &again, Some(&staff)).await;
    assert_problem(response, StatusCode::CONFLICT, "email-taken").await;

    let page: Value = app
        .get("/api/v1/accounts?role=consultant", Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "nothing half-written");
}

#[tokio::test]
async fn role_and_firm_must_agree() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm_id = app.create_firm(&staff, "Contoso Integration").await;
    let cases = [
        (json!({"role": "firm_admin"}), "firm_id"),
        (json!({"role": "consultant", "firm_id": firm_id}), "firm_id"),
        (
            json!({"role": "firm_admin", "firm_id": uuid::Uuid::now_v7()}),
            "firm_id",
        ),
        (json!({"role": "emperor"}), "role"),
    ];
    for (mut body, field) in cases {
        body["email"] = json!("x@contoso.example");
        body["display_name"] = json!("X");
        let response = app.post_json("/api/v1/accounts", &body, Some(&staff)).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert_eq!(invalid_fields(&problem), [field], "{body}");
    }
}

#[tokio::test]
async fn guessable_passwords_and_ones_built_on_the_account_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    for (password, why) in [
        ("123456789012", "too easy to guess"),
        ("password1234", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("ada.okafor@contoso.example", "e-mail address or name"),
        ("okafor-okafor-okafor", "e-mail address or name"),
    ] {
        let body = json!({"email": "ada.okafor@contoso.example", "display_name": "Ada Okafor",
                          "role": "consultant", "password": password});
        let response = app.post_json("/api/v1/accounts", &body, Some(&staff)).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert_eq!(invalid_fields(&problem), ["password"], "{password}");
        assert!(problem.to_string().contains(why), "{password}: {problem}");
    }
}

#[tokio::test]
async fn only_staff_manage_accounts() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm_id = app.create_firm(&staff, "Contoso Integration").await;
    let consultant = app.token_for("c@contoso.example", Role::Consultant).await;
    let admin = app.token_for("a@contoso.example", Role::FirmAdmin { firm_id }).await;
    let victim = app.create_account("v@contoso.example", Role::Consultant).await;
    let body = json!({"email": "new@contoso.example", "display_name": "New", "role": "programme_staff"});

    for token in [&consultant, &admin] {
        let create = app.post_json("/api/v1/accounts", &body, Some(token)).await;
        assert_problem(create, StatusCode::FORBIDDEN, "forbidden").await;
        assert_problem(
            app.get("/api/v1/accounts", Some(token)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let read = app.get(&format!("/api/v1/accounts/{}", victim.id), Some(token)).await;
        assert_problem(read, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let found: Value = app
        .get("/api/v1/accounts?role=programme_staff", Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        found["items"].as_array().map(Vec::len),
        Some(1),
        "no staff account was created"
    );
}

#[tokio::test]
async fn account_lists_page_by_cursor_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    for n in 0..7 {
        app.create_account(&format!("c{n}@contoso.example"), Role::Consultant)
            .await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/accounts?role=consultant&limit=3".to_owned();
    loop {
        let page: Value = app.get(&path, Some(&staff)).await.json().await.expect("json");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|item| item["email"].as_str().expect("email").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/accounts?role=consultant&limit=3&after={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).map(|n| format!("c{n}@contoso.example")).collect();
    assert_eq!(seen, expected, "creation order, each once");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);
}

#[tokio::test]
async fn unknown_account_is_a_404() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let response = app
        .get(&format!("/api/v1/accounts/{}", uuid::Uuid::now_v7()), Some(&staff))
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found").await;
}

#[tokio::test]
async fn an_external_identity_links_to_exactly_one_account() {
    use certify_accounts::{LinkError, account_for_external_identity, link_external_identity};
    use certify_core::Clock as _;

    let app = spawn_app().await;
    let ada = app.create_account("ada@northwind.example", Role::Consultant).await;
    let bob = app.create_account("bob@northwind.example", Role::Consultant).await;
    let issuer = "https://login.northwind.example";
    let now = app.clock.now();

    assert_eq!(
        account_for_external_identity(&app.db, issuer, "ada-123")
            .await
            .expect("lookup"),
        None
    );
    link_external_identity(&app.db, now, ada.id, issuer, "ada-123")
        .await
        .expect("linked");
    let found = account_for_external_identity(&app.db, issuer, "ada-123")
        .await
        .expect("lookup");
    assert_eq!(found.map(|account| account.id), Some(ada.id));

    let stolen = link_external_identity(&app.db, now, bob.id, issuer, "ada-123").await;
    assert!(matches!(stolen, Err(LinkError::AlreadyLinked)), "{stolen:?}");
    let other_issuer = account_for_external_identity(&app.db, "https://elsewhere.example", "ada-123").await;
    assert_eq!(
        other_issuer.expect("lookup"),
        None,
        "a subject is only unique within its issuer"
    );

    let ghost = uuid::Uuid::now_v7();
    let missing = link_external_identity(&app.db, now, ghost, issuer, "ghost").await;
    assert!(
        matches!(missing, Err(LinkError::AccountNotFound(id)) if id == ghost),
        "{missing:?}"
    );
}
