use certify_accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, invalid_fields, spawn_app};

#[tokio::test]
async fn learners_see_only_published_content_under_published_parents() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let consultant = app.token_for("c@northwind.example", Role::Consultant).await;
    let track = app
        .create("/api/v1/tracks", &json!({"title": "Track", "description": "D"}), &staff)
        .await;
    let course = app
        .create(
            &format!("/api/v1/tracks/{track}/courses"),
            &json!({"title": "Course", "summary": "S"}),
            &staff,
        )
        .await;
    let module_body = json!({"title": "M", "body_markdown": "Body", "estimated_minutes": 5});
    let published = app
        .create(&format!("/api/v1/courses/{course}/modules"), &module_body, &staff)
        .await;
    let draft = app
        .create(&format!("/api/v1/courses/{course}/modules"), &module_body, &staff)
        .await;

    // Nothing is published: the consultant sees nothing, staff see everything.
    assert_problem(
        app.get(&format!("/api/v1/tracks/{track}"), Some(&consultant)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let listed: Value = app
        .get("/api/v1/tracks", Some(&consultant))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"], json!([]));
    let staff_view: Value = app
        .get(&format!("/api/v1/tracks/{track}"), Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(staff_view["status"], "draft");

    app.publish("modules", published, &staff).await;
    app.publish("courses", course, &staff).await;
    // A published course of a draft track is still invisible.
    assert_problem(
        app.get(&format!("/api/v1/courses/{course}"), Some(&consultant)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    app.publish("tracks", track, &staff).await;

    let detail: Value = app
        .get(&format!("/api/v1/courses/{course}"), Some(&consultant))
        .await
        .json()
        .await
        .expect("json");
    let modules = detail["modules"].as_array().expect("modules");
    assert_eq!(modules.len(), 1, "the draft module is hidden: {detail}");
    assert_eq!(modules[0]["id"], published.to_string());
    assert_problem(
        app.get(&format!("/api/v1/modules/{draft}"), Some(&consultant)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let module: Value = app
        .get(&format!("/api/v1/modules/{published}"), Some(&consultant))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(module["body_markdown"], "Body");
    let staff_detail: Value = app
        .get(&format!("/api/v1/courses/{course}"), Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(staff_detail["modules"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn nothing_empty_can_be_published_and_status_only_moves_forward() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let track = app
        .create("/api/v1/tracks", &json!({"title": "Track", "description": "D"}), &staff)
        .await;
    let course = app
        .create(
            &format!("/api/v1/tracks/{track}/courses"),
            &json!({"title": "Course", "summary": "S"}),
            &staff,
        )
        .await;
    let publish = json!({"status": "published"});
    let empty_course = app
        .put_json(&format!("/api/v1/courses/{course}/status"), &publish, &staff)
        .await;
    assert_problem(empty_course, StatusCode::CONFLICT, "invalid-state").await;
    let empty_track = app
        .put_json(&format!("/api/v1/tracks/{track}/status"), &publish, &staff)
        .await;
    assert_problem(empty_track, StatusCode::CONFLICT, "invalid-state").await;

    let ids = app.published_track(&staff, &[1]).await;
    let back_to_draft = app
        .put_json(
            &format!("/api/v1/tracks/{}/status", ids.track_id),
            &json!({"status": "draft"}),
            &staff,
        )
        .await;
    assert_problem(back_to_draft, StatusCode::CONFLICT, "invalid-state").await;
    let again = app
        .put_json(&format!("/api/v1/tracks/{}/status", ids.track_id), &publish, &staff)
        .await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "asking for the current status changes nothing"
    );
}

#[tokio::test]
async fn editing_a_published_module_creates_a_new_version_and_drafts_are_edited_in_place() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let (course, modules) = &ids.courses[0];
    let draft = app
        .create(
            &format!("/api/v1/courses/{course}/modules"),
            &json!({"title": "Draft", "body_markdown": "v1", "estimated_minutes": 5}),
            &staff,
        )
        .await;
    let edited: Value = app
        .patch_json(
            &format!("/api/v1/modules/{draft}"),
            &json!({"body_markdown": "still v1"}),
            &staff,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (edited["version"].as_i64(), edited["body_markdown"].as_str()),
        (Some(1), Some("still v1"))
    );

    let edited: Value = app
        .patch_json(
            &format!("/api/v1/modules/{}", modules[0]),
            &json!({"title": "Renamed"}),
            &staff,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (edited["version"].as_i64(), edited["title"].as_str()),
        (Some(2), Some("Renamed"))
    );
    assert_eq!(
        edited["body_markdown"], "# Read me",
        "unchanged fields carry over to the new version"
    );

    let unchanged: Value = app
        .patch_json(
            &format!("/api/v1/modules/{}", modules[0]),
            &json!({"title": "Renamed"}),
            &staff,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(unchanged["version"], 2, "an edit that changes nothing makes no version");
}

#[tokio::test]
async fn courses_and_modules_can_be_reordered() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1, 1, 3]).await;
    let last_course = ids.courses[2].0;
    let moved = app
        .patch_json(
            &format!("/api/v1/courses/{last_course}"),
            &json!({"position": 0}),
            &staff,
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let track: Value = app
        .get(&format!("/api/v1/tracks/{}", ids.track_id), Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    let order: Vec<&str> = track["courses"]
        .as_array()
        .expect("courses")
        .iter()
        .map(|c| c["title"].as_str().expect("title"))
        .collect();
    assert_eq!(order, ["Course 2", "Course 0", "Course 1"]);

    let modules = &ids.courses[2].1;
    app.patch_json(
        &format!("/api/v1/modules/{}", modules[0]),
        &json!({"position": 2}),
        &staff,
    )
    .await;
    let course: Value = app
        .get(&format!("/api/v1/courses/{last_course}"), Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    let order: Vec<&str> = course["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .map(|m| m["title"].as_str().expect("title"))
        .collect();
    assert_eq!(order, ["Module 2.1", "Module 2.2", "Module 2.0"]);
}

#[tokio::test]
async fn only_staff_write_the_catalogue() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm = app.create_firm(&staff, "Northwind").await;
    let consultant = app.token_for("c@northwind.example", Role::Consultant).await;
    let admin = app
        .token_for("a@northwind.example", Role::FirmAdmin { firm_id: firm })
        .await;
    let ids = app.published_track(&staff, &[1]).await;
    let (course, modules) = &ids.courses[0];
    let module = modules[0];
    let track = ids.track_id;
    let text = json!({"title": "Mine", "description": "x", "summary": "x"});
    for token in [&consultant, &admin] {
        let attempts = [
            app.post_json(
                "/api/v1/tracks",
                &json!({"title": "T", "description": "D"}),
                Some(token),
            )
            .await,
            app.patch_json(&format!("/api/v1/tracks/{track}"), &json!({"title": "Mine"}), token)
                .await,
            app.put_json(
                &format!("/api/v1/tracks/{track}/status"),
                &json!({"status": "retired"}),
                token,
            )
            .await,
            app.post_json(&format!("/api/v1/tracks/{track}/courses"), &text, Some(token))
                .await,
            app.patch_json(&format!("/api/v1/courses/{course}"), &json!({"title": "Mine"}), token)
                .await,
            app.put_json(
                &format!("/api/v1/courses/{course}/status"),
                &json!({"status": "retired"}),
                token,
            )
            .await,
            app.post_json(&format!("/api/v1/courses/{course}/modules"), &text, Some(token))
                .await,
            app.patch_json(&format!("/api/v1/modules/{module}"), &json!({"title": "Mine"}), token)
                .await,
            app.put_json(
                &format!("/api/v1/modules/{module}/status"),
                &json!({"status": "retired"}),
                token,
            )
            .await,
            app.get(&format!("/api/v1/courses/{course}/statistics"), Some(token))
                .await,
            app.get(&format!("/api/v1/courses/{course}/enrolments"), Some(token))
                .await,
        ];
        for response in attempts {
            assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        }
    }
    let track: Value = app
        .get(&format!("/api/v1/tracks/{track}"), Some(&staff))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (track["title"].as_str(), track["status"].as_str()),
        (Some("AI Deployment"), Some("published"))
    );
}

#[tokio::test]
async fn catalogue_input_is_validated_and_unknown_ids_are_404() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let course = ids.courses[0].0;
    let bad = json!({"title": " ", "body_markdown": "", "estimated_minutes": 0});
    let problem = assert_problem(
        app.post_json(&format!("/api/v1/courses/{course}/modules"), &bad, Some(&staff))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    )
    .await;
    let mut fields = invalid_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["body_markdown", "estimated_minutes", "title"]);

    let ghost = uuid::Uuid::now_v7();
    for path in [
        format!("/api/v1/tracks/{ghost}"),
        format!("/api/v1/courses/{ghost}"),
        format!("/api/v1/modules/{ghost}"),
        format!("/api/v1/courses/{ghost}/statistics"),
    ] {
        assert_problem(app.get(&path, Some(&staff)).await, StatusCode::NOT_FOUND, "not-found").await;
    }
    let module = json!({"title": "M", "body_markdown": "B", "estimated_minutes": 5});
    let orphan = app
        .post_json(&format!("/api/v1/courses/{ghost}/modules"), &module, Some(&staff))
        .await;
    assert_problem(orphan, StatusCode::NOT_FOUND, "not-found").await;
}
