use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn liveness_and_readiness_answer_without_an_account() {
    let app = spawn_app().await;
    let live = app.get("/healthz", None).await;
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(live.json::<Value>().await.expect("json")["status"], "ok");

    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await.expect("json")["status"], "ready");
}

#[tokio::test]
async fn readiness_fails_with_a_problem_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.close_by_ref().await.expect("pool closes");
    let body = assert_problem(
        app.get("/readyz", None).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    assert_eq!(body["detail"], "the database is unreachable");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let generated = app.get("/healthz", None).await;
    let id = generated.headers().get("x-request-id").expect("generated request id");
    assert_eq!(id.len(), 36, "a UUID");

    let propagated = app
        .client
        .get(app.url("/nowhere"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("sent");
    assert_eq!(propagated.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn landing_page_and_problem_type_pages_are_served() {
    let app = spawn_app().await;
    let index = app.get("/", None).await;
    assert_eq!(index.status(), StatusCode::OK);
    assert!(index.text().await.expect("html").contains("href=\"/docs/\""));

    let page = app.get("/problems/validation-failed", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains("HTTP status 422"));
    assert_problem(
        app.get("/problems/no-such-problem", None).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}
