use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

pub(crate) fn generated() -> Value {
    serde_json::to_value(certify_api::openapi()).expect("document serialises")
}

#[test]
fn committed_document_matches_the_handlers() {
    let committed: Value = serde_json::from_str(COMMITTED).expect("openapi/openapi.json is JSON");
    assert!(
        committed == generated(),
        "openapi/openapi.json is stale; regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn served_document_is_openapi_3_1_and_the_generated_one() {
    let app = spawn_app().await;
    let served: Value = app.get("/openapi.json", None).await.json().await.expect("json");
    assert!(
        served["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")),
        "{}",
        served["openapi"]
    );
    assert_eq!(served, generated());
}

#[tokio::test]
async fn interactive_docs_work_without_a_network() {
    let app = spawn_app().await;
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(!html.contains("src=\"http"), "docs load a script from elsewhere");
    assert!(!html.contains("href=\"http"), "docs load a stylesheet from elsewhere");
    let initializer = app
        .get("/docs/swagger-initializer.js", None)
        .await
        .text()
        .await
        .expect("js");
    assert!(initializer.contains("/openapi.json"));
    let bundle = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(bundle.status(), StatusCode::OK, "the UI's script is served locally");
}

/// Every documented operation is either marked public or refuses a request without a token, so
/// the document and the router cannot disagree about what needs an account.
#[tokio::test]
async fn every_operation_needing_a_token_refuses_anonymous_calls() {
    let app = spawn_app().await;
    let document = generated();
    let paths = document["paths"].as_object().expect("paths");
    let mut protected = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let url = app.url(&fill_path_parameters(path));
            let response = app
                .client
                .request(method.clone(), url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("sent");
            // `{}` among the requirements makes authentication optional (the token endpoint's
            // HTTP Basic, which may also come as form fields).
            let needs_token = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty() && s.iter().all(|r| r.as_object().is_some_and(|r| !r.is_empty())));
            if needs_token {
                protected += 1;
                assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
            } else {
                assert_ne!(
                    response.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} is documented as public"
                );
            }
        }
    }
    assert!(protected >= 5, "the walk found the protected operations");
}

fn fill_path_parameters(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every operation of the generated document, with its path and method.
pub(crate) fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            found.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    found
}

#[test]
fn parameters_are_where_the_server_reads_them_and_every_extractor_answer_is_documented() {
    let doc = generated();
    for (path, method, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().expect("name");
            let in_template = path.contains(&format!("{{{name}}}"));
            assert_eq!(
                parameter["in"] == "path",
                in_template,
                "{method} {path}: `{name}` is declared in {}",
                parameter["in"]
            );
            if name == "limit" {
                assert!(
                    operation["responses"]["422"].is_object(),
                    "{method} {path}: 422 for limit"
                );
            }
        }
        if operation.get("requestBody").is_some() {
            for status in ["400", "415", "422"] {
                assert!(operation["responses"][status].is_object(), "{method} {path}: {status}");
            }
        }
        let rate_limited = path.starts_with("/api/v1/verify");
        if rate_limited {
            assert!(operation["responses"]["429"].is_object(), "{method} {path}: 429");
        }
    }
    let firm_domains = &doc["paths"]["/api/v1/firms/{firm_id}/domains"]["get"]["responses"]["200"];
    assert_eq!(
        firm_domains["content"]["application/json"]["schema"]["items"]["$ref"], "#/components/schemas/FirmDomainView",
        "firm e-mail domains have a schema of their own"
    );
}
