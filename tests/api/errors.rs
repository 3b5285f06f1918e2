//! Every kind of bad input gets a problem+json answer with a stable type.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_problem, invalid_fields, spawn_app};

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/api/v1/no-such-thing", None).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_that_keeps_the_allow_header() {
    let app = spawn_app().await;
    let response = app.client.delete(app.url("/healthz")).send().await.expect("sent");
    let allow = response
        .headers()
        .get("allow")
        .expect("Allow header")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(allow.contains("GET"), "{allow}");
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("sent");
    assert_problem(response, StatusCode::BAD_REQUEST, "malformed-request").await;
}

#[tokio::test]
async fn missing_or_wrong_content_type_is_a_415_problem() {
    let app = spawn_app().await;
    let wrong = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body(r#"{"email":"a@b.example","password":"x"}"#)
        .send()
        .await
        .expect("sent");
    assert_problem(wrong, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type").await;

    let missing = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .body(r#"{"email":"a@b.example","password":"x"}"#)
        .send()
        .await
        .expect("sent");
    assert_problem(missing, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type").await;
}

#[tokio::test]
async fn oversized_body_is_a_413_problem() {
    let app = spawn_app().await;
    let huge = json!({"email": "a@b.example", "password": "x".repeat(certify_api::MAX_BODY_BYTES + 1)});
    let response = app.post_json("/api/v1/auth/login", &huge, None).await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").await;
}

#[tokio::test]
async fn wrongly_shaped_json_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let missing = app
        .post_json("/api/v1/auth/login", &json!({"email": "a@b.example"}), None)
        .await;
    let problem = assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("password"),
        "{problem}"
    );

    let wrong_type = app
        .post_json("/api/v1/auth/login", &json!({"email": 42, "password": "x"}), None)
        .await;
    let problem = assert_problem(wrong_type, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    assert_eq!(invalid_fields(&problem), ["email"]);

    let unknown = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "a@b.example", "password": "x", "admin": true}),
            None,
        )
        .await;
    assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let response = app
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "not-an-email", "display_name": "  ", "role": "firm_admin", "password": "short"}),
            Some(&staff),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    let mut fields = invalid_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["display_name", "email", "firm_id", "password"]);
}

#[tokio::test]
async fn bad_path_and_query_parameters_are_problems() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    assert_problem(
        app.get("/api/v1/accounts/not-a-uuid", Some(&staff)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    for query in ["limit=0", "limit=201", "limit=ten", "role=emperor", "colour=blue"] {
        let response = app.get(&format!("/api/v1/accounts?{query}"), Some(&staff)).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    }
}

#[tokio::test]
async fn a_server_failure_reveals_nothing_internal() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    app.db.close_by_ref().await.expect("pool closes");
    let response = app.get("/api/v1/me", Some(&staff)).await;
    let problem = assert_problem(response, StatusCode::INTERNAL_SERVER_ERROR, "internal").await;
    let text = problem.to_string().to_lowercase();
    for internal in ["sqlx", "sea_orm", "pool", "sqlite", "postgres", "select", "closed"] {
        assert!(!text.contains(internal), "500 body leaks `{internal}`: {text}");
    }
}

/// Sends `head` as raw bytes and reads the whole answer (the server closes the connection).
async fn raw_exchange(address: &str, head: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connects");
    // The server may answer and close before reading everything; a failed write is fine then.
    let _ = stream.write_all(&head).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// What the HTTP parser refuses before the router sees it is a problem too, not a bare status.
#[tokio::test]
async fn requests_the_http_parser_refuses_get_problems() {
    let app = spawn_app().await;
    let long_address = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100_000)).into_bytes();
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        "a".repeat(1_000_000)
    )
    .into_bytes();
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..300).map(|n| format!("X-Header-{n}: v\r\n")).collect::<String>()
    )
    .into_bytes();
    for (head, status, slug) in [
        (long_address, "414", "uri-too-long"),
        (huge_header, "431", "header-fields-too-large"),
        (many_headers, "431", "header-fields-too-large"),
    ] {
        let answer = raw_exchange(&app.address, head).await;
        let (head, body) = answer.split_once("\r\n\r\n").expect("a complete response");
        assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
        assert!(head.contains("content-type: application/problem+json"), "{head}");
        let problem: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
        assert_eq!(problem["type"], format!("/problems/{slug}"), "{problem}");
        assert_eq!(problem["status"].to_string(), status);
    }
    // The server still answers ordinary requests afterwards.
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}
