use certify_accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;

use crate::helpers::{TestApp, assert_problem, demo_account, spawn_app};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json")
}

async fn learning(app: &TestApp, token: &str) -> Value {
    json_of(app.get("/api/v1/me/learning", Some(token)).await).await
}

#[tokio::test]
async fn enrolling_twice_returns_the_same_enrolment() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let me = app.token_for("c@northwind.example", Role::Consultant).await;
    let ids = app.published_track(&staff, &[2]).await;
    let course = ids.courses[0].0;

    let first = app.put(&format!("/api/v1/courses/{course}/enrolment"), &me).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json_of(first).await;
    app.clock.advance(Duration::hours(1));
    let second = app.put(&format!("/api/v1/courses/{course}/enrolment"), &me).await;
    assert_eq!(second.status(), StatusCode::OK);
    let second = json_of(second).await;
    assert_eq!(first, second, "same id and original enrolment time");
}

#[tokio::test]
async fn completing_a_module_without_enrolment_is_refused_and_records_nothing() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let me = app.token_for("c@northwind.example", Role::Consultant).await;
    let ids = app.published_track(&staff, &[2]).await;
    let module = ids.courses[0].1[0];
    let response = app.put(&format!("/api/v1/modules/{module}/completion"), &me).await;
    let problem = assert_problem(response, StatusCode::CONFLICT, "not-enrolled").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("enrol in the course"),
        "{problem}"
    );

    app.put(&format!("/api/v1/courses/{}/enrolment", ids.courses[0].0), &me)
        .await;
    let picture = learning(&app, &me).await;
    assert_eq!(
        picture["courses"][0]["progress"]["completed_modules"], 0,
        "the refused completion left nothing"
    );
}

#[tokio::test]
async fn completion_is_idempotent_and_the_last_module_completes_the_course() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let me = app.token_for("c@northwind.example", Role::Consultant).await;
    let ids = app.published_track(&staff, &[3]).await;
    let (course, modules) = &ids.courses[0];
    app.put(&format!("/api/v1/courses/{course}/enrolment"), &me).await;

    let first = app
        .put(&format!("/api/v1/modules/{}/completion", modules[1]), &me)
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json_of(first).await;
    assert_eq!(first["course_progress"]["percent"], 33);
    assert_eq!(
        first["course_progress"]["next_module_id"],
        modules[0].to_string(),
        "first open module in order"
    );

    app.clock.advance(Duration::hours(1));
    let again = app
        .put(&format!("/api/v1/modules/{}/completion", modules[1]), &me)
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again = json_of(again).await;
    assert_eq!(
        again["completed_at"], first["completed_at"],
        "completing twice changes nothing"
    );

    app.put(&format!("/api/v1/modules/{}/completion", modules[0]), &me)
        .await;
    app.clock.advance(Duration::hours(2));
    let last = json_of(
        app.put(&format!("/api/v1/modules/{}/completion", modules[2]), &me)
            .await,
    )
    .await;
    assert_eq!(last["course_progress"]["percent"], 100);
    assert_eq!(last["course_progress"]["next_module_id"], Value::Null);
    assert_eq!(
        last["course_completed_at"], "2026-11-22T12:00:00Z",
        "completed when the last module was"
    );
}

#[tokio::test]
async fn a_completion_records_the_version_that_was_completed() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let me = app.token_for("c@northwind.example", Role::Consultant).await;
    let ids = app.published_track(&staff, &[2]).await;
    let (course, modules) = &ids.courses[0];
    app.put(&format!("/api/v1/courses/{course}/enrolment"), &me).await;
    let completed = json_of(
        app.put(&format!("/api/v1/modules/{}/completion", modules[0]), &me)
            .await,
    )
    .await;
    assert_eq!(completed["module_version"], 1);

    app.patch_json(
        &format!("/api/v1/modules/{}", modules[0]),
        &json!({"body_markdown": "Rewritten"}),
        &staff,
    )
    .await;
    app.patch_json(
        &format!("/api/v1/modules/{}", modules[1]),
        &json!({"body_markdown": "Rewritten"}),
        &staff,
    )
    .await;
    let still = json_of(
        app.put(&format!("/api/v1/modules/{}/completion", modules[0]), &me)
            .await,
    )
    .await;
    assert_eq!(still["module_version"], 1, "the earlier completion keeps its version");
    let newer = json_of(
        app.put(&format!("/api/v1/modules/{}/completion", modules[1]), &me)
            .await,
    )
    .await;
    assert_eq!(newer["module_version"], 2);
}

#[tokio::test]
async fn eligibility_names_exactly_what_remains() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let me = app.token_for("c@northwind.example", Role::Consultant).await;
    let ids = app.published_track(&staff, &[1, 2]).await;
    let track = ids.track_id;
    let optional = app
        .create(
            &format!("/api/v1/tracks/{track}/courses"),
            &json!({"title": "Optional", "summary": "S", "required": false}),
            &staff,
        )
        .await;
    let optional_module = app
        .create(
            &format!("/api/v1/courses/{optional}/modules"),
            &json!({"title": "Extra", "body_markdown": "B", "estimated_minutes": 5}),
            &staff,
        )
        .await;
    app.publish("modules", optional_module, &staff).await;
    app.publish("courses", optional, &staff).await;

    let enrolled = json_of(app.put(&format!("/api/v1/tracks/{track}/enrolment"), &me).await).await;
    assert_eq!(enrolled["courses_newly_enrolled"], 3);
    let again = json_of(app.put(&format!("/api/v1/tracks/{track}/enrolment"), &me).await).await;
    assert_eq!(again["courses_newly_enrolled"], 0);

    let (first_course, first_modules) = &ids.courses[0];
    let (second_course, second_modules) = &ids.courses[1];
    app.put(&format!("/api/v1/modules/{}/completion", first_modules[0]), &me)
        .await;
    app.put(&format!("/api/v1/modules/{}/completion", second_modules[0]), &me)
        .await;

    let eligibility = json_of(app.get(&format!("/api/v1/me/eligibility/{track}"), Some(&me)).await).await;
    assert_eq!(eligibility["eligible"], false);
    let remaining = eligibility["remaining"].as_array().expect("remaining");
    assert_eq!(remaining.len(), 1, "the optional course is not required: {eligibility}");
    assert_eq!(remaining[0]["course_id"], second_course.to_string());
    assert_eq!(
        remaining[0]["modules_remaining"],
        json!([{"module_id": second_modules[1], "title": "Module 1.1"}])
    );
    assert_ne!(first_course, second_course);

    app.put(&format!("/api/v1/modules/{}/completion", second_modules[1]), &me)
        .await;
    let eligibility = json_of(app.get(&format!("/api/v1/me/eligibility/{track}"), Some(&me)).await).await;
    assert_eq!(eligibility, json!({"eligible": true, "remaining": []}));

    let picture = learning(&app, &me).await;
    let track_picture = &picture["tracks"][0];
    assert_eq!(
        (
            &track_picture["required_courses_completed"],
            &track_picture["required_courses_total"],
            &track_picture["percent"]
        ),
        (&json!(2), &json!(2), &json!(100))
    );
    assert_eq!(track_picture["eligibility"]["eligible"], true);
    assert_eq!(picture["courses"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn retiring_a_course_keeps_the_records_of_those_enrolled() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let me = app.token_for("c@northwind.example", Role::Consultant).await;
    let newcomer = app.token_for("n@northwind.example", Role::Consultant).await;
    let ids = app.published_track(&staff, &[2, 1]).await;
    let (course, modules) = &ids.courses[0];
    app.put(&format!("/api/v1/courses/{course}/enrolment"), &me).await;
    app.put(&format!("/api/v1/modules/{}/completion", modules[0]), &me)
        .await;

    let retired = app
        .put_json(
            &format!("/api/v1/courses/{course}/status"),
            &json!({"status": "retired"}),
            &staff,
        )
        .await;
    assert_eq!(retired.status(), StatusCode::OK);

    let picture = learning(&app, &me).await;
    let kept = &picture["courses"][0];
    assert_eq!(kept["course"]["status"], "retired");
    assert_eq!(kept["progress"]["completed_modules"], 1);
    assert_problem(
        app.put(&format!("/api/v1/courses/{course}/enrolment"), &newcomer).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let stats = json_of(
        app.get(&format!("/api/v1/courses/{course}/statistics"), Some(&staff))
            .await,
    )
    .await;
    assert_eq!(stats["enrolments"], 1);

    // A retired course is no longer required for the track's exam.
    let eligibility = json_of(
        app.get(&format!("/api/v1/me/eligibility/{}", ids.track_id), Some(&me))
            .await,
    )
    .await;
    let remaining: Vec<&str> = eligibility["remaining"]
        .as_array()
        .expect("remaining")
        .iter()
        .map(|c| c["title"].as_str().expect("title"))
        .collect();
    assert_eq!(remaining, ["Course 1"]);
}

#[tokio::test]
async fn course_statistics_count_rate_and_median_time_to_complete() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let (course, modules) = &ids.courses[0];
    let mut learners = Vec::new();
    for n in 0..3 {
        let token = app
            .token_for(&format!("c{n}@northwind.example"), Role::Consultant)
            .await;
        app.put(&format!("/api/v1/courses/{course}/enrolment"), &token).await;
        learners.push(token);
    }
    app.clock.advance(Duration::hours(2));
    app.put(&format!("/api/v1/modules/{}/completion", modules[0]), &learners[0])
        .await;
    app.clock.advance(Duration::hours(4));
    app.put(&format!("/api/v1/modules/{}/completion", modules[0]), &learners[1])
        .await;

    let stats = json_of(
        app.get(&format!("/api/v1/courses/{course}/statistics"), Some(&staff))
            .await,
    )
    .await;
    assert_eq!(stats["enrolments"], 3);
    assert_eq!(stats["completions"], 2);
    let rate = stats["completion_rate"].as_f64().expect("rate");
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{rate}");
    assert_eq!(stats["median_seconds_to_completion"], 4 * 3600, "median of 2 h and 6 h");
    let per_track = json_of(
        app.get(&format!("/api/v1/tracks/{}/statistics", ids.track_id), Some(&staff))
            .await,
    )
    .await;
    assert_eq!(per_track[0], stats);
}

#[tokio::test]
async fn course_enrolments_page_by_cursor() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let course = ids.courses[0].0;
    for n in 0..5 {
        let token = app
            .token_for(&format!("c{n}@northwind.example"), Role::Consultant)
            .await;
        app.put(&format!("/api/v1/courses/{course}/enrolment"), &token).await;
    }
    let mut seen = 0;
    let mut path = format!("/api/v1/courses/{course}/enrolments?limit=2");
    loop {
        let page = json_of(app.get(&path, Some(&staff)).await).await;
        seen += page["items"].as_array().expect("items").len();
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/courses/{course}/enrolments?limit=2&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, 5);
}

#[tokio::test]
async fn progress_is_visible_to_oneself_ones_firm_admin_and_staff_only() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let northwind = app.create_firm(&staff, "Northwind").await;
    let contoso = app.create_firm(&staff, "Contoso").await;
    let ada = app.create_account("ada@northwind.example", Role::Consultant).await;
    let ada_token = app.log_in("ada@northwind.example", crate::helpers::PASSWORD).await;
    let bob_token = app.token_for("bob@northwind.example", Role::Consultant).await;
    let northwind_admin = app
        .token_for("admin@northwind.example", Role::FirmAdmin { firm_id: northwind })
        .await;
    let contoso_admin = app
        .token_for("admin@contoso.example", Role::FirmAdmin { firm_id: contoso })
        .await;
    let joined = app
        .put(&format!("/api/v1/firms/{northwind}/members/{}", ada.id), &staff)
        .await;
    assert_eq!(joined.status(), StatusCode::NO_CONTENT);
    let ids = app.published_track(&staff, &[1]).await;
    app.put(&format!("/api/v1/tracks/{}/enrolment", ids.track_id), &ada_token)
        .await;

    let path = format!("/api/v1/consultants/{}/learning", ada.id);
    let eligibility_path = format!("/api/v1/consultants/{}/eligibility/{}", ada.id, ids.track_id);
    for token in [&ada_token, &northwind_admin, &staff] {
        let picture = json_of(app.get(&path, Some(token)).await).await;
        assert_eq!(picture["courses"].as_array().map(Vec::len), Some(1));
        assert_eq!(app.get(&eligibility_path, Some(token)).await.status(), StatusCode::OK);
    }
    for token in [&bob_token, &contoso_admin] {
        assert_problem(app.get(&path, Some(token)).await, StatusCode::NOT_FOUND, "not-found").await;
        assert_problem(
            app.get(&eligibility_path, Some(token)).await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
    }

    // When Ada moves firm, her old firm's admin loses sight of her and the new one gains it.
    app.put(&format!("/api/v1/firms/{contoso}/members/{}", ada.id), &staff)
        .await;
    assert_problem(
        app.get(&path, Some(&northwind_admin)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(app.get(&path, Some(&contoso_admin)).await.status(), StatusCode::OK);

    // Only consultants learn.
    for token in [&staff, &northwind_admin] {
        let response = app
            .put(&format!("/api/v1/tracks/{}/enrolment", ids.track_id), token)
            .await;
        assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let not_a_consultant = app
        .put(
            &format!("/api/v1/firms/{northwind}/members/{}", uuid::Uuid::now_v7()),
            &staff,
        )
        .await;
    assert_problem(not_a_consultant, StatusCode::NOT_FOUND, "not-found").await;
}

#[tokio::test]
async fn the_demo_track_is_real_and_its_demo_consultant_is_eligible() {
    use certify_core::Clock as _;

    let app = spawn_app().await;
    certify::demo::seed(&app.db, app.clock.now(), &app.issuer(), &app.pass_hook())
        .await
        .expect("seeded");
    let consultant = demo_account("ada@northwind.example");
    let token = app.log_in(consultant.email, consultant.password).await;
    let tracks = json_of(app.get("/api/v1/tracks", Some(&token)).await).await;
    let track_id = tracks["items"][0]["id"].as_str().expect("a published track").to_owned();
    let track = json_of(app.get(&format!("/api/v1/tracks/{track_id}"), Some(&token)).await).await;
    let courses = track["courses"].as_array().expect("courses");
    assert!(courses.len() >= 3);
    let mut modules = 0;
    for course in courses {
        let detail = json_of(
            app.get(
                &format!("/api/v1/courses/{}", course["id"].as_str().expect("id")),
                Some(&token),
            )
            .await,
        )
        .await;
        modules += detail["modules"].as_array().map_or(0, Vec::len);
        let first = &detail["modules"][0]["id"];
        let module = json_of(
            app.get(
                &format!("/api/v1/modules/{}", first.as_str().expect("id")),
                Some(&token),
            )
            .await,
        )
        .await;
        assert!(
            module["body_markdown"].as_str().is_some_and(|b| b.len() > 500),
            "real content, not a stub"
        );
    }
    assert!(modules >= 10, "{modules} modules");
    let eligibility = json_of(
        app.get(&format!("/api/v1/me/eligibility/{track_id}"), Some(&token))
            .await,
    )
    .await;
    assert_eq!(eligibility["eligible"], true);
}
