//! Programme staff's catalogue and exam pages over plain HTTP: status changes and their
//! refusals, the module editor's preview and save, and the item bank upload with its problems
//! listed per item and field.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::certificates::pass;
use crate::exams::exam_setup;
use crate::helpers::spawn_app;
use crate::page_client::{Browser, header};

#[tokio::test]
async fn staff_publish_and_retire_and_a_refused_change_is_explained() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let empty = app
        .create(
            "/api/v1/tracks",
            &json!({"title": "Empty track", "description": "Nothing yet."}),
            &staff,
        )
        .await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let (status, _, page) = browser.get("/staff/catalogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Empty track") && page.contains(">Draft<"), "{page}");
    let csrf = browser.csrf();
    let (status, _, page) = browser
        .post(
            &format!("/staff/catalogue/tracks/{empty}/status"),
            &[("csrf", &csrf), ("status", "published")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("That change was refused") && page.contains("publish at least one course"),
        "{page}"
    );

    let module = ids.courses[0].1[0];
    let (status, headers, _) = browser
        .post(
            &format!("/staff/catalogue/modules/{module}/status"),
            &[("csrf", &csrf), ("status", "retired")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        header(&headers, "location"),
        format!("/staff/catalogue#module-{module}")
    );
    let (_, _, page) = browser.get("/staff/catalogue").await;
    assert!(page.contains("Reinstate"), "the retired module can come back: {page}");
    let (status, _, _) = browser
        .post(
            &format!("/staff/catalogue/modules/{module}/status"),
            &[("status", "published")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no change");
}

#[tokio::test]
async fn the_module_editor_previews_safely_and_saves_a_new_version() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let module = ids.courses[0].1[0];
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let path = format!("/staff/modules/{module}/edit");
    let (status, _, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Version 1"), "{page}");
    let csrf = browser.csrf();
    let body = "# Prompts\n\nWrite **clear** prompts.<script>alert(1)</script>";
    let form = [
        ("csrf", csrf.as_str()),
        ("title", "Prompting"),
        ("minutes", "15"),
        ("body", body),
    ];
    let (status, _, page) = browser
        .post(&path, &[&form[..], &[("action", "preview")]].concat())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<h2>Prompts</h2>") && page.contains("<strong>clear</strong>"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"), "the preview is sanitised");
    let (status, _, page) = browser
        .post(
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("title", " "),
                ("minutes", "0"),
                ("body", body),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="title-error""#) && page.contains(r#"id="minutes-error""#),
        "{page}"
    );
    assert!(page.contains("Write **clear** prompts."), "the text typed is kept");
    let (status, headers, _) = browser.post(&path, &[&form[..], &[("action", "save")]].concat()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = browser.get(header(&headers, "location")).await;
    assert!(
        page.contains("Module saved.") && page.contains("Version 2"),
        "a published module gets a new version: {page}"
    );
}

#[tokio::test]
async fn staff_add_a_track_a_course_and_a_module_from_the_web_each_as_a_draft() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let (status, _, page) = browser.get("/staff/catalogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"href="/staff/catalogue/tracks/new""#), "{page}");
    let (_, _, page) = browser.get("/staff/catalogue/tracks/new").await;
    assert!(
        page.contains(r#"name="validity_months""#) && page.contains(r#"value="24""#),
        "{page}"
    );
    let csrf = browser.csrf();

    // Wrong fields come back beside themselves, with what was typed; nothing is added.
    let (status, _, page) = browser
        .post(
            "/staff/catalogue/tracks",
            &[
                ("csrf", &csrf),
                ("title", " "),
                ("description", "Agents, **safely**."),
                ("validity_months", "500"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="title-error""#) && page.contains(r#"id="validity_months-error""#),
        "{page}"
    );
    assert!(page.contains("Agents, **safely**."), "{page}");
    assert!(!browser.get("/staff/catalogue").await.2.contains("Agents, **safely**."));
    let (status, _, _) = browser
        .post(
            "/staff/catalogue/tracks",
            &[("title", "No token"), ("description", "x"), ("validity_months", "12")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, nothing added");

    let (status, headers, _) = browser
        .post(
            "/staff/catalogue/tracks",
            &[
                ("csrf", &csrf),
                ("title", "Agent Engineering"),
                ("description", "Agents, **safely**."),
                ("validity_months", "12"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let track_id = header(&headers, "location")
        .rsplit("#track-")
        .next()
        .expect("an anchor")
        .to_owned();
    let (_, _, page) = browser.get(&format!("/staff/tracks/{track_id}/courses/new")).await;
    assert!(page.contains("Add a course to “Agent Engineering”"), "{page}");
    // An unticked box is not sent: the course is optional.
    let (status, headers, _) = browser
        .post(
            &format!("/staff/tracks/{track_id}/courses"),
            &[("csrf", &csrf), ("title", "Tool use"), ("summary", "Calling tools.")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let course_id = header(&headers, "location")
        .rsplit("#course-")
        .next()
        .expect("an anchor")
        .to_owned();
    let (status, _, page) = browser
        .post(
            &format!("/staff/courses/{course_id}/modules"),
            &[
                ("csrf", &csrf),
                ("title", "Schemas"),
                ("minutes", "abc"),
                ("body", "# Schemas"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="minutes-error""#) && page.contains("600 minutes"),
        "{page}"
    );
    let (status, headers, _) = browser
        .post(
            &format!("/staff/courses/{course_id}/modules"),
            &[
                ("csrf", &csrf),
                ("title", "Schemas"),
                ("minutes", "20"),
                ("body", "# Schemas"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The catalogue says what happened, once.
    let catalogue = header(&headers, "location").to_owned();
    let (_, _, page) = browser.get(&catalogue).await;
    assert!(page.contains("Module added as a draft"), "{page}");
    let (_, _, page) = browser.get(&catalogue).await;
    assert!(!page.contains("Module added as a draft"), "said once: {page}");

    let track: serde_json::Value = app
        .get(&format!("/api/v1/tracks/{track_id}"), Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(track["status"], json!("draft"), "{track}");
    assert_eq!(track["certificate_validity_months"], json!(12), "{track}");
    assert_eq!(track["courses"][0]["required"], json!(false), "{track}");
    let course: serde_json::Value = app
        .get(&format!("/api/v1/courses/{course_id}"), Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(course["modules"][0]["title"], json!("Schemas"), "{course}");
    let missing = uuid::Uuid::now_v7();
    assert_eq!(
        browser.get(&format!("/staff/tracks/{missing}/courses/new")).await.0,
        StatusCode::NOT_FOUND
    );
}

fn bank_form(csrf: &str, bank: &serde_json::Value) -> Form {
    Form::new().text("csrf", csrf.to_owned()).part(
        "file",
        Part::bytes(bank.to_string().into_bytes())
            .file_name("bank.json")
            .mime_str("application/json")
            .expect("mime"),
    )
}

#[tokio::test]
async fn an_item_bank_upload_lists_each_problem_by_item_and_field_and_imports_when_fixed() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    pass(&app, &setup).await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let path = format!("/staff/exams/{}", setup.exam_id);
    let (status, _, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Blueprint") && page.contains("Architecture") && page.contains("<rect class=\"column\""),
        "{page}"
    );
    assert!(page.contains("1 finished attempts; 100 % passed"), "{page}");
    let (status, _, exported) = browser.get(&format!("{path}/bank.json")).await;
    assert_eq!(status, StatusCode::OK);
    let exported: serde_json::Value = serde_json::from_str(&exported).expect("a bank document");
    assert_eq!(
        exported["items"].as_array().map(Vec::len),
        Some(8),
        "the setup's 5 + 3 items"
    );

    let good = json!({"domain": "Architecture", "kind": "single_choice", "stem": "A new question",
        "options": [{"id": "a", "text": "Right"}, {"id": "b", "text": "Wrong"}, {"id": "c", "text": "Also wrong"}],
        "key": ["a"]});
    let mut bad_key = good.clone();
    bad_key["key"] = json!(["z"]);
    let mut bad_domain = good.clone();
    bad_domain["domain"] = json!("Astrology");
    let csrf = browser.csrf();
    let (status, _, page) = browser
        .post_multipart(
            &format!("{path}/bank"),
            bank_form(&csrf, &json!({"items": [good, bad_key, bad_domain]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The item bank has 2 problems; nothing was imported"),
        "{page}"
    );
    assert!(page.contains("<td>Item 2</td><td><code>key</code></td>"), "{page}");
    assert!(page.contains("<td>Item 3</td><td><code>domain</code></td>"), "{page}");

    let (status, _, page) = browser
        .post_multipart(&format!("{path}/bank"), bank_form(&csrf, &json!({"questions": []})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("This is not an item bank document") && page.contains(r#"id="file-error""#),
        "{page}"
    );
    let (status, _, _) = browser
        .post_multipart(&format!("{path}/bank"), bank_form("forged", &json!({"items": [good]})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _, page) = browser
        .post_multipart(&format!("{path}/bank"), bank_form(&csrf, &json!({"items": [good]})))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("The item bank was imported") && page.contains("<dt>New items</dt><dd>1</dd>"),
        "{page}"
    );
}

#[tokio::test]
async fn staff_edit_a_blueprint_with_problems_beside_their_fields_and_nothing_half_saved() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let path = format!("/staff/exams/{}/blueprint", setup.exam_id);
    let (status, _, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"name="d0_name" type="text" value="Architecture""#) && page.contains(r#"name="d2_name""#),
        "the domains and a blank row to add one: {page}"
    );
    let (architecture, governance) = {
        let exam = exam_json(&app, &setup).await;
        let id = |n: usize| exam["domains"][n]["id"].as_str().expect("an id").to_owned();
        (id(0), id(1))
    };
    let csrf = browser.csrf();
    let form = |weights: (&'static str, &'static str), remove: bool, new_row: (&'static str, &'static str)| {
        let mut form = vec![
            ("csrf", csrf.clone()),
            ("title", "Exam".to_owned()),
            ("minutes", "45".to_owned()),
            ("cut_score", "700".to_owned()),
            ("cut_percent", "60".to_owned()),
            ("d0_id", architecture.clone()),
            ("d0_name", "Architecture".to_owned()),
            ("d0_weight", weights.0.to_owned()),
            ("d0_items", "3".to_owned()),
            ("d1_id", governance.clone()),
            ("d1_name", "Governance".to_owned()),
            ("d1_weight", weights.1.to_owned()),
            ("d1_items", "2".to_owned()),
            ("d2_id", String::new()),
            ("d2_name", new_row.0.to_owned()),
            ("d2_weight", new_row.1.to_owned()),
            ("d2_items", if new_row.0.is_empty() { "" } else { "1" }.to_owned()),
        ];
        if remove {
            form.push(("d1_remove", "on".to_owned()));
        }
        form
    };

    // Weights that do not add up, and a new row with a weight that is not a number.
    let typed = form(("50", "40"), false, ("Operations", "ten"));
    let (status, _, page) = browser.post(&path, &pairs(&typed)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="d2-error""#) && page.contains(r#"value="ten""#),
        "{page}"
    );
    // A domain still holding items cannot go: nothing changes.
    let typed = form(("100", "40"), true, ("", ""));
    let (status, _, page) = browser.post(&path, &pairs(&typed)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(
        page.contains(r#"id="domains-error""#) && page.contains("still holds"),
        "{page}"
    );
    let typed = form(("50", "40"), false, ("", ""));
    let (status, _, page) = browser.post(&path, &pairs(&typed)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("add up to 100, not 90"), "{page}");
    let unchanged = exam_json(&app, &setup).await;
    assert_eq!(unchanged["duration_minutes"], json!(30), "nothing was saved");

    let typed = form(("50", "30"), false, ("Operations", "20"));
    let (status, _, page) = browser.post(&path, &pairs(&typed)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let saved = exam_json(&app, &setup).await;
    assert_eq!(saved["duration_minutes"], json!(45), "{saved}");
    assert_eq!(saved["form_length"], json!(6), "{saved}");
    assert_eq!(saved["domains"][2]["name"], json!("Operations"), "{saved}");
    assert_eq!(saved["domains"][0]["id"], json!(architecture), "kept by id");
    let (status, _, _) = browser.post(&path, &[("title", "No token")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A form of owned values as the browser posts it.
fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

/// The exam as the API shows it to staff.
async fn exam_json(app: &crate::helpers::TestApp, setup: &crate::exams::ExamSetup) -> serde_json::Value {
    app.get(&format!("/api/v1/exams/{}", setup.exam_id), Some(&setup.staff))
        .await
        .json()
        .await
        .expect("json")
}
