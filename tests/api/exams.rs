//! The exam engine end to end: blueprints, the bank, attempts under the server's clock, scoring,
//! the retake policy, and that no answer key ever reaches a consultant.

use certify_accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem, demo_account, invalid_fields, spawn_app};

/// An exam whose items make the right answer recognisable to the test (but not to the API).
pub(crate) struct ExamSetup {
    pub(crate) exam_id: Uuid,
    pub(crate) track_id: Uuid,
    pub(crate) staff: String,
    /// A consultant who completed the track.
    pub(crate) candidate: String,
}

fn bank(domain_a: usize, domain_b: usize) -> Value {
    let mut items = Vec::new();
    for n in 0..domain_a {
        items.push(json!({
            "domain": "Architecture", "kind": "single_choice", "stem": format!("Architecture question {n}"),
            "options": [{"id": "a", "text": "Right"}, {"id": "b", "text": "Wrong"}, {"id": "c", "text": "Also wrong"}],
            "key": ["a"]
        }));
    }
    for n in 0..domain_b {
        items.push(json!({
            "domain": "Governance", "kind": "multiple_response", "stem": format!("Governance question {n}"),
            "options": [{"id": "a", "text": "Right"}, {"id": "b", "text": "Right too"}, {"id": "c", "text": "Wrong"}],
            "key": ["a", "b"]
        }));
    }
    json!({"items": items})
}

/// A published track with one course, its exam (3 + 2 items per form, 70 % to pass, 30 minutes),
/// a bank of 5 + 3 items, and a consultant who completed the track.
pub(crate) async fn exam_setup(app: &TestApp, retake_policy: Option<Value>) -> ExamSetup {
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let mut blueprint = json!({
        "title": "Exam", "duration_minutes": 30, "cut_percent": 70,
        "domains": [
            {"name": "Architecture", "weight_percent": 60, "items_per_form": 3},
            {"name": "Governance", "weight_percent": 40, "items_per_form": 2}
        ]
    });
    if let Some(policy) = retake_policy {
        blueprint["retake_policy"] = policy;
    }
    let exam_id = app
        .create(&format!("/api/v1/tracks/{}/exam", ids.track_id), &blueprint, &staff)
        .await;
    let imported = app
        .post_json(&format!("/api/v1/exams/{exam_id}/bank"), &bank(5, 3), Some(&staff))
        .await;
    assert_eq!(imported.status(), StatusCode::OK);
    let candidate = app.token_for("candidate@northwind.example", Role::Consultant).await;
    app.put(&format!("/api/v1/tracks/{}/enrolment", ids.track_id), &candidate)
        .await;
    app.put(
        &format!("/api/v1/modules/{}/completion", ids.courses[0].1[0]),
        &candidate,
    )
    .await;
    ExamSetup {
        exam_id,
        track_id: ids.track_id,
        staff,
        candidate,
    }
}

impl ExamSetup {
    /// Signs the candidate in again: moving the clock by a day outlives a 12-hour token.
    pub(crate) async fn sign_in_again(&mut self, app: &TestApp) {
        self.candidate = app
            .log_in("candidate@northwind.example", crate::helpers::PASSWORD)
            .await;
    }
}

pub(crate) async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json")
}

pub(crate) async fn start(app: &TestApp, setup: &ExamSetup) -> Value {
    let response = app
        .post_json(
            &format!("/api/v1/exams/{}/attempts", setup.exam_id),
            &json!({}),
            Some(&setup.candidate),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    json_of(response).await
}

/// Tries to start an attempt and expects a 409 `slug` problem, which it returns.
async fn refused_start(app: &TestApp, setup: &ExamSetup, slug: &str) -> Value {
    let path = format!("/api/v1/exams/{}/attempts", setup.exam_id);
    let response = app.post_json(&path, &json!({}), Some(&setup.candidate)).await;
    assert_problem(response, StatusCode::CONFLICT, slug).await
}

/// The setup exam's statistics, as its staff read them.
async fn exam_statistics(app: &TestApp, setup: &ExamSetup) -> Value {
    let path = format!("/api/v1/exams/{}/statistics", setup.exam_id);
    json_of(app.get(&path, Some(&setup.staff)).await).await
}

/// Answers `right` questions correctly and the rest wrongly; returns every response body.
pub(crate) async fn answer(app: &TestApp, setup: &ExamSetup, attempt: &Value, right: usize) -> Vec<Value> {
    let id = attempt["id"].as_str().expect("id");
    let mut bodies = Vec::new();
    for (n, item) in attempt["items"].as_array().expect("items").iter().enumerate() {
        let options = item["options"].as_array().expect("options");
        let pick = |wanted: &dyn Fn(&str) -> bool| -> Vec<String> {
            options
                .iter()
                .filter(|o| wanted(o["text"].as_str().unwrap_or_default()))
                .map(|o| o["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        let selected = if n < right {
            pick(&|t| t.starts_with("Right"))
        } else {
            pick(&|t| t == "Wrong")
        };
        let path = format!("/api/v1/attempts/{id}/responses/{}", item["position"]);
        let response = app
            .put_json(&path, &json!({"selected": selected}), &setup.candidate)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        bodies.push(json_of(response).await);
    }
    bodies
}

pub(crate) async fn submit(app: &TestApp, setup: &ExamSetup, attempt: &Value) -> Value {
    let path = format!("/api/v1/attempts/{}/submission", attempt["id"].as_str().expect("id"));
    let response = app.post_json(&path, &json!({}), Some(&setup.candidate)).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await
}

/// Every object key anywhere in `value`.
fn keys(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, nested) in map {
                found.push(key.clone());
                keys(nested, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn a_whole_attempt_never_shows_a_key_a_correctness_flag_or_a_statistic() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let mut seen = vec![
        json_of(
            app.get(&format!("/api/v1/exams/{}", setup.exam_id), Some(&setup.candidate))
                .await,
        )
        .await,
        json_of(
            app.get(
                &format!("/api/v1/tracks/{}/exam", setup.track_id),
                Some(&setup.candidate),
            )
            .await,
        )
        .await,
    ];
    let attempt = start(&app, &setup).await;
    assert_eq!(
        attempt["items"].as_array().map(Vec::len),
        Some(5),
        "3 + 2 items per the blueprint"
    );
    seen.push(attempt.clone());
    seen.extend(answer(&app, &setup, &attempt, 5).await);
    let id = attempt["id"].as_str().expect("id");
    seen.push(json_of(app.get(&format!("/api/v1/attempts/{id}"), Some(&setup.candidate)).await).await);
    let finished = submit(&app, &setup, &attempt).await;
    seen.push(finished.clone());
    seen.push(
        json_of(
            app.get(
                &format!("/api/v1/exams/{}/attempts/mine", setup.exam_id),
                Some(&setup.candidate),
            )
            .await,
        )
        .await,
    );
    seen.push(json_of(app.get("/api/v1/me/learning", Some(&setup.candidate)).await).await);

    let mut found = Vec::new();
    seen.iter().for_each(|v| keys(v, &mut found));
    for forbidden in [
        "key",
        "answer_key",
        "correct",
        "is_correct",
        "p_value",
        "discrimination",
        "raw_score",
        "flags",
    ] {
        assert!(
            !found.iter().any(|k| k == forbidden),
            "`{forbidden}` reached a consultant"
        );
    }
    assert_eq!(finished["status"], "submitted");
    assert_eq!(
        finished["items"],
        json!([]),
        "the form is not shown back after the attempt"
    );
    assert_eq!(finished["result"]["scaled_score"], 1000);
    assert_eq!(finished["result"]["passed"], true);
    let feedback: Vec<&str> = finished["result"]["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .map(|d| d["feedback"].as_str().expect("feedback"))
        .collect();
    assert_eq!(feedback, ["meets", "meets"]);

    // The bank and its statistics stay with staff.
    for path in [
        format!("/api/v1/exams/{}/items", setup.exam_id),
        format!("/api/v1/exams/{}/bank", setup.exam_id),
        format!("/api/v1/exams/{}/statistics", setup.exam_id),
    ] {
        assert_problem(
            app.get(&path, Some(&setup.candidate)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
}

#[tokio::test]
async fn the_raw_cut_maps_exactly_to_the_cut_score() {
    let app = spawn_app().await;
    // 5 items at 70 % → 4 right needed. Waits of zero let the same candidate sit repeatedly.
    let policy = json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 10, "window_days": 365, "recertification_window_days": 3650});
    let setup = exam_setup(&app, Some(policy)).await;
    let mut scores = Vec::new();
    for right in [4, 3, 0] {
        let attempt = start(&app, &setup).await;
        answer(&app, &setup, &attempt, right).await;
        let result = submit(&app, &setup, &attempt).await["result"].clone();
        scores.push((
            result["scaled_score"].as_u64().expect("score"),
            result["passed"].as_bool().expect("passed"),
        ));
    }
    assert_eq!(scores[0], (720, true), "exactly the raw cut is exactly the cut score");
    assert!(scores[1].0 < 720 && !scores[1].1, "{:?}", scores[1]);
    assert_eq!(scores[2], (100, false), "nothing right is the bottom of the scale");
}

#[tokio::test]
async fn after_the_deadline_saves_are_refused_and_the_attempt_is_scored_with_what_was_saved() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    let id = attempt["id"].as_str().expect("id");
    answer(&app, &setup, &attempt, 5).await;
    app.clock.advance(Duration::minutes(30));

    let late = app
        .put_json(
            &format!("/api/v1/attempts/{id}/responses/1"),
            &json!({"selected": []}),
            &setup.candidate,
        )
        .await;
    assert_problem(late, StatusCode::CONFLICT, "attempt-closed").await;
    let read = json_of(app.get(&format!("/api/v1/attempts/{id}"), Some(&setup.candidate)).await).await;
    assert_eq!(read["status"], "expired");
    assert_eq!(read["finished_at"], read["deadline"], "finalised as of the deadline");
    assert_eq!(read["result"]["scaled_score"], 1000, "the late save changed nothing");
}

#[tokio::test]
async fn an_expired_attempt_is_finalised_by_whichever_read_comes_first() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    app.clock.advance(Duration::hours(2));
    let mine = json_of(
        app.get(
            &format!("/api/v1/exams/{}/attempts/mine", setup.exam_id),
            Some(&setup.candidate),
        )
        .await,
    )
    .await;
    assert_eq!(mine[0]["status"], "expired");
    assert_eq!(mine[0]["result"]["passed"], false);
    assert_eq!(mine[0]["id"], attempt["id"]);
}

#[tokio::test]
async fn one_open_attempt_at_a_time_and_only_for_the_eligible() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let first = start(&app, &setup).await;
    let second = app
        .post_json(
            &format!("/api/v1/exams/{}/attempts", setup.exam_id),
            &json!({}),
            Some(&setup.candidate),
        )
        .await;
    let problem = assert_problem(second, StatusCode::CONFLICT, "attempt-open").await;
    assert_eq!(problem["attempt_id"], first["id"]);

    let newcomer = app.token_for("new@northwind.example", Role::Consultant).await;
    let refused = app
        .post_json(
            &format!("/api/v1/exams/{}/attempts", setup.exam_id),
            &json!({}),
            Some(&newcomer),
        )
        .await;
    let problem = assert_problem(refused, StatusCode::CONFLICT, "not-eligible").await;
    assert!(
        problem["detail"].as_str().unwrap_or_default().contains("Course 0"),
        "{problem}"
    );
    let mine = json_of(
        app.get(
            &format!("/api/v1/exams/{}/attempts/mine", setup.exam_id),
            Some(&newcomer),
        )
        .await,
    )
    .await;
    assert_eq!(mine, json!([]), "nothing recorded");

    let staff_start = app
        .post_json(
            &format!("/api/v1/exams/{}/attempts", setup.exam_id),
            &json!({}),
            Some(&setup.staff),
        )
        .await;
    assert_problem(staff_start, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_retake_policy_is_enforced_and_says_when_to_come_back() {
    let app = spawn_app().await;
    let mut setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    let failed = submit(&app, &setup, &attempt).await;
    assert_eq!(failed["result"]["passed"], false);

    let problem = refused_start(&app, &setup, "retake-wait").await;
    assert_eq!(
        problem["may_start_at"], "2026-11-23T09:00:00Z",
        "24 hours after the first fail"
    );

    app.clock.advance(Duration::hours(24));
    setup.sign_in_again(&app).await;
    let second = start(&app, &setup).await;
    submit(&app, &setup, &second).await;
    let problem = refused_start(&app, &setup, "retake-wait").await;
    assert_eq!(
        problem["may_start_at"], "2026-12-07T09:00:00Z",
        "14 days after a later fail"
    );
    app.clock.advance(Duration::days(14));
    setup.sign_in_again(&app).await;
    start(&app, &setup).await;
}

#[tokio::test]
async fn a_holder_sits_again_only_to_recertify_before_expiry() {
    let app = spawn_app().await;
    let mut setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    answer(&app, &setup, &attempt, 5).await;
    assert_eq!(submit(&app, &setup, &attempt).await["result"]["passed"], true);

    let problem = refused_start(&app, &setup, "already-certified").await;
    assert_eq!(
        problem["expires_at"], "2028-11-22T09:00:00Z",
        "24 months after the pass"
    );
    assert_eq!(
        problem["may_start_at"], "2028-08-24T09:00:00Z",
        "90 days before the certificate expires"
    );
    app.clock.set(time::macros::datetime!(2028-08-24 08:59 UTC));
    setup.sign_in_again(&app).await;
    refused_start(&app, &setup, "already-certified").await;
    app.clock.advance(Duration::minutes(1));
    start(&app, &setup).await;
}

#[tokio::test]
async fn out_of_range_numbers_in_a_blueprint_are_refused_not_a_panic() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let path = format!("/api/v1/exams/{}/blueprint", setup.exam_id);
    let blueprint = |policy: Value| {
        json!({
            "title": "Exam", "duration_minutes": 30, "cut_percent": 70, "retake_policy": policy,
            "domains": [
                {"name": "Architecture", "weight_percent": 60, "items_per_form": 3},
                {"name": "Governance", "weight_percent": 40, "items_per_form": 2}
            ]
        })
    };
    let cases = [
        (
            json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 5, "window_days": 106_751_991_167_301_i64}),
            "retake_policy.window_days",
        ),
        (
            json!({"wait_after_first_fail_minutes": i64::MAX, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 5, "window_days": 365}),
            "retake_policy.wait_after_first_fail_minutes",
        ),
        (
            json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": i64::MIN, "max_attempts_in_window": 5, "window_days": 365}),
            "retake_policy.wait_after_later_fails_minutes",
        ),
        (
            json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 5, "window_days": 365, "recertification_window_days": 3651}),
            "retake_policy.recertification_window_days",
        ),
    ];
    for (policy, field) in cases {
        let response = app.put_json(&path, &blueprint(policy), &setup.staff).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert_eq!(invalid_fields(&problem), [field]);
    }
    let track = format!("/api/v1/tracks/{}/exam", Uuid::now_v7());
    let policy = json!({"wait_after_first_fail_minutes": i64::MAX - 1, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 5, "window_days": 365});
    let response = app.post_json(&track, &blueprint(policy), Some(&setup.staff)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_attempt_quota_counts_a_rolling_window() {
    let app = spawn_app().await;
    let policy = json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 2, "window_days": 365});
    let mut setup = exam_setup(&app, Some(policy)).await;
    for _ in 0..2 {
        let attempt = start(&app, &setup).await;
        submit(&app, &setup, &attempt).await;
        app.clock.advance(Duration::days(100));
        setup.sign_in_again(&app).await;
    }
    let problem = refused_start(&app, &setup, "retake-wait").await;
    assert_eq!(
        problem["may_start_at"], "2027-11-22T09:00:00Z",
        "when the first attempt leaves the 365-day window"
    );
    app.clock.set(time::macros::datetime!(2027-11-22 09:00 UTC));
    setup.sign_in_again(&app).await;
    start(&app, &setup).await;
}

#[tokio::test]
async fn bad_answers_are_refused_and_record_nothing() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    let id = attempt["id"].as_str().expect("id");
    let single = attempt["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "single_choice")
        .expect("a single-choice item");
    let position = &single["position"];

    let off_form = app
        .put_json(
            &format!("/api/v1/attempts/{id}/responses/99"),
            &json!({"selected": ["A"]}),
            &setup.candidate,
        )
        .await;
    assert_problem(off_form, StatusCode::NOT_FOUND, "not-found").await;
    // Options are named by their letters on this form; the bank's own ids are not accepted.
    assert_eq!(
        single["options"]
            .as_array()
            .map(|o| o.iter().map(|o| o["id"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("A"), json!("B"), json!("C")])
    );
    for selected in [json!(["zz"]), json!(["a"]), json!(["A", "B"]), json!(["A", "A"])] {
        let response = app
            .put_json(
                &format!("/api/v1/attempts/{id}/responses/{position}"),
                &json!({"selected": selected}),
                &setup.candidate,
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
        assert_eq!(invalid_fields(&problem), ["selected"]);
    }
    let someone_else = app.token_for("other@northwind.example", Role::Consultant).await;
    let foreign = app
        .put_json(
            &format!("/api/v1/attempts/{id}/responses/{position}"),
            &json!({"selected": ["A"]}),
            &someone_else,
        )
        .await;
    assert_problem(foreign, StatusCode::NOT_FOUND, "not-found").await;

    let read = json_of(app.get(&format!("/api/v1/attempts/{id}"), Some(&setup.candidate)).await).await;
    assert!(
        read["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["selected"] == json!([])),
        "nothing was saved"
    );

    // Saving is idempotent and changeable until submission.
    let path = format!("/api/v1/attempts/{id}/responses/{position}");
    for _ in 0..2 {
        let saved = json_of(app.put_json(&path, &json!({"selected": ["B"]}), &setup.candidate).await).await;
        assert_eq!(saved["selected"], json!(["B"]));
    }
    let changed = json_of(app.put_json(&path, &json!({"selected": ["C"]}), &setup.candidate).await).await;
    assert_eq!(changed["selected"], json!(["C"]));
}

#[tokio::test]
async fn an_attempt_keeps_the_item_versions_it_served() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    let page = json_of(
        app.get(
            &format!("/api/v1/exams/{}/items?limit=200", setup.exam_id),
            Some(&setup.staff),
        )
        .await,
    )
    .await;
    for item in page["items"].as_array().expect("items") {
        let mut revised = item.clone();
        let object = revised.as_object_mut().expect("object");
        for field in ["id", "exam_id", "status", "version"] {
            object.remove(field);
        }
        object.insert("stem".into(), json!("Rewritten"));
        let response = app
            .put_json(
                &format!("/api/v1/items/{}", item["id"].as_str().expect("id")),
                &revised,
                &setup.staff,
            )
            .await;
        assert_eq!(json_of(response).await["version"], 2);
    }
    let read = json_of(
        app.get(
            &format!("/api/v1/attempts/{}", attempt["id"].as_str().expect("id")),
            Some(&setup.candidate),
        )
        .await,
    )
    .await;
    assert!(
        read["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["stem"] != "Rewritten")
    );
}

#[tokio::test]
async fn an_invalid_bank_is_rejected_whole_with_an_error_per_bad_item() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let path = format!("/api/v1/exams/{}/bank", setup.exam_id);
    let before = json_of(app.get(&path, Some(&setup.staff)).await).await;

    let mut document = bank(2, 0);
    document["items"].as_array_mut().expect("items").extend([
        json!({"domain": "Nowhere", "kind": "single_choice", "stem": "S", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}], "key": ["a"]}),
        json!({"domain": "Governance", "kind": "true_false", "stem": "S", "options": [{"id": "yes", "text": "Yes"}, {"id": "no", "text": "No"}], "key": ["yes"]}),
        json!({"domain": "Architecture", "kind": "single_choice", "stem": "S", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}], "key": ["a", "b"]}),
    ]);
    let problem = assert_problem(
        app.post_json(&path, &document, Some(&setup.staff)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    )
    .await;
    let fields = invalid_fields(&problem);
    assert!(fields.contains(&"items[2].domain".to_owned()), "{fields:?}");
    assert!(fields.contains(&"items[3].options".to_owned()), "{fields:?}");
    assert!(fields.contains(&"items[4].key".to_owned()), "{fields:?}");
    assert!(
        !fields
            .iter()
            .any(|f| f.starts_with("items[0]") || f.starts_with("items[1]")),
        "valid items raise nothing"
    );
    assert_eq!(
        json_of(app.get(&path, Some(&setup.staff)).await).await,
        before,
        "nothing imported"
    );

    // An export imports back unchanged.
    let report = json_of(app.post_json(&path, &before, Some(&setup.staff)).await).await;
    assert_eq!(
        (&report["created"], &report["revised"], &report["unchanged"]),
        (&json!(0), &json!(0), &json!(8))
    );
    assert_eq!(report["warnings"], json!([]), "five items are too few to call lopsided");
}

#[tokio::test]
async fn a_bank_whose_keys_crowd_one_position_is_reported_to_staff() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let path = format!("/api/v1/exams/{}/bank", setup.exam_id);
    // Three more single-choice items keyed `a`, like the five already there.
    let report = json_of(app.post_json(&path, &bank(3, 0), Some(&setup.staff)).await).await;
    assert_eq!(report["created"], 3);
    let single = &report["key_positions"][0];
    assert_eq!(
        (&single["kind"], &single["items"], &single["keyed"], &single["lopsided"]),
        (&json!("single_choice"), &json!(8), &json!([8, 0, 0]), &json!(true))
    );
    let warnings = report["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].as_str().is_some_and(|w| w.contains("single-choice")),
        "{warnings:?}"
    );

    let stats = exam_statistics(&app, &setup).await;
    assert_eq!(
        stats["key_positions"], report["key_positions"],
        "the same report among the statistics"
    );
}

/// The demo's eligible consultant signed in, the demo exam, and a staff token.
struct DemoExam {
    token: String,
    exam: Value,
    staff_token: String,
}

async fn demo_exam() -> (TestApp, DemoExam) {
    use certify_core::Clock as _;

    let app = spawn_app().await;
    certify::demo::seed(&app.db, app.clock.now(), &app.issuer(), &app.pass_hook())
        .await
        .expect("seeded");
    let consultant = demo_account("ada@northwind.example");
    let token = app.log_in(consultant.email, consultant.password).await;
    let track = json_of(app.get("/api/v1/tracks", Some(&token)).await).await["items"][0]["id"]
        .as_str()
        .expect("track")
        .to_owned();
    let exam = json_of(app.get(&format!("/api/v1/tracks/{track}/exam"), Some(&token)).await).await;
    let staff = certify::demo::DEMO_ACCOUNTS[0];
    let staff_token = app.log_in(staff.email, staff.password).await;
    (
        app,
        DemoExam {
            token,
            exam,
            staff_token,
        },
    )
}

#[tokio::test]
async fn the_reviewed_answer_pattern_fails_the_demo_exam() {
    let (
        app,
        DemoExam {
            token,
            exam,
            staff_token,
        },
    ) = demo_exam().await;
    let exam_id = exam["id"].as_str().expect("id");
    let stats = json_of(
        app.get(&format!("/api/v1/exams/{exam_id}/statistics"), Some(&staff_token))
            .await,
    )
    .await;
    let lopsided: Vec<&Value> = stats["key_positions"]
        .as_array()
        .expect("key positions")
        .iter()
        .filter(|k| k["lopsided"] == true)
        .collect();
    assert!(lopsided.is_empty(), "the demo bank's keys are spread: {lopsided:?}");

    let attempt = json_of(
        app.post_json(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}), Some(&token))
            .await,
    )
    .await;
    let id = attempt["id"].as_str().expect("attempt id");
    for item in attempt["items"].as_array().expect("items") {
        let pattern = match item["kind"].as_str() {
            Some("single_choice") => json!(["B"]),
            Some("multiple_response") => json!(["A", "B", "C"]),
            _ => json!(["A"]),
        };
        let path = format!("/api/v1/attempts/{id}/responses/{}", item["position"]);
        let saved = app.put_json(&path, &json!({"selected": pattern}), &token).await;
        assert_eq!(saved.status(), StatusCode::OK);
    }
    let submitted = json_of(
        app.post_json(&format!("/api/v1/attempts/{id}/submission"), &json!({}), Some(&token))
            .await,
    )
    .await;
    assert_eq!(submitted["result"]["passed"], false, "{}", submitted["result"]);
}

#[tokio::test]
async fn staff_see_pass_rate_distribution_and_flagged_items() {
    let app = spawn_app().await;
    let policy = json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 10, "window_days": 365, "recertification_window_days": 3650});
    let setup = exam_setup(&app, Some(policy)).await;
    for right in [5, 0] {
        let attempt = start(&app, &setup).await;
        answer(&app, &setup, &attempt, right).await;
        submit(&app, &setup, &attempt).await;
    }
    let stats = exam_statistics(&app, &setup).await;
    assert_eq!(
        (stats["finished_attempts"].as_u64(), stats["passed_attempts"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(stats["pass_rate"], 0.5);
    let buckets = stats["score_distribution"].as_array().expect("buckets");
    assert_eq!(
        buckets.first().map(|b| &b["attempts"]),
        Some(&json!(1)),
        "one score of 100"
    );
    assert_eq!(
        buckets.last().map(|b| &b["attempts"]),
        Some(&json!(1)),
        "one score of 1000"
    );
    let served: Vec<&Value> = stats["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["attempts"].as_u64() > Some(0))
        .collect();
    assert!(!served.is_empty());
    assert_eq!(stats["min_sittings_for_flags"], 20);
    for item in served {
        if item["attempts"] == 2 {
            assert_eq!(item["p_value"], 0.5, "right in one attempt, wrong in the other: {item}");
        }
        // All right once and all wrong once would read "too hard" or "too easy" on two sittings.
        assert_eq!(item["flags"], json!([]), "two sittings are too few to flag: {item}");
    }
}

struct FailingHook;

#[async_trait::async_trait]
impl certify_exams::PassHook for FailingHook {
    async fn on_pass(&self, _: &sea_orm::DatabaseTransaction, _: &certify_exams::Pass) -> anyhow::Result<()> {
        anyhow::bail!("issuing the certificate failed")
    }

    async fn valid_certificate_until(
        &self,
        _: &sea_orm::DatabaseTransaction,
        _: uuid::Uuid,
        _: uuid::Uuid,
        _: time::OffsetDateTime,
    ) -> anyhow::Result<Option<time::OffsetDateTime>> {
        Ok(None)
    }

    async fn committed(&self, _: &[certify_exams::Pass]) {}
}

#[tokio::test]
async fn a_failing_pass_hook_rolls_the_finalisation_back() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    answer(&app, &setup, &attempt, 5).await;
    let attempt_id: Uuid = attempt["id"].as_str().expect("id").parse().expect("uuid");
    let me = json_of(app.get("/api/v1/me", Some(&setup.candidate)).await).await;
    let account_id: Uuid = me["id"].as_str().expect("id").parse().expect("uuid");

    let candidate = app.candidate(account_id, &FailingHook);
    let submitted = candidate.submit_attempt(attempt_id).await;
    assert!(submitted.is_err(), "the hook's failure is the submission's failure");
    let read = json_of(
        app.get(&format!("/api/v1/attempts/{attempt_id}"), Some(&setup.candidate))
            .await,
    )
    .await;
    assert_eq!(
        read["status"], "open",
        "the pass was not recorded without its certificate"
    );
    assert_eq!(read["result"], Value::Null);
}

#[tokio::test]
async fn the_demo_exam_has_a_real_bank_and_an_eligible_candidate() {
    let (
        app,
        DemoExam {
            token,
            exam,
            staff_token,
        },
    ) = demo_exam().await;
    assert_eq!(exam["domains"].as_array().map(Vec::len), Some(4));
    let bank = json_of(
        app.get(
            &format!("/api/v1/exams/{}/bank", exam["id"].as_str().expect("id")),
            Some(&staff_token),
        )
        .await,
    )
    .await;
    assert!(bank["items"].as_array().map_or(0, Vec::len) >= 40);
    let response = app
        .post_json(
            &format!("/api/v1/exams/{}/attempts", exam["id"].as_str().expect("id")),
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "the demo consultant may sit the exam"
    );
    assert_eq!(json_of(response).await["items"].as_array().map(Vec::len), Some(30));
}

#[tokio::test]
async fn a_blueprint_is_checked_as_a_whole() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1]).await;
    let bad = json!({
        "title": "", "duration_minutes": 0, "cut_score": 1001, "cut_percent": 99,
        "domains": [
            {"name": "A", "weight_percent": 50, "items_per_form": 1},
            {"name": "a", "weight_percent": 20, "items_per_form": 0}
        ]
    });
    let response = app
        .post_json(&format!("/api/v1/tracks/{}/exam", ids.track_id), &bad, Some(&staff))
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    let mut fields = invalid_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        [
            "cut_percent",
            "cut_score",
            "domains",
            "domains[1].items_per_form",
            "domains[1].name",
            "duration_minutes",
            "title"
        ]
    );
    let exam = app
        .get(&format!("/api/v1/tracks/{}/exam", ids.track_id), Some(&staff))
        .await;
    assert_problem(exam, StatusCode::NOT_FOUND, "not-found").await;
}

/// Counts the passes it is told of after their commit, and otherwise issues as the server does.
struct CountingHook {
    inner: certify::issuance::IssueOnPass,
    committed: std::sync::Mutex<Vec<Uuid>>,
}

#[async_trait::async_trait]
impl certify_exams::PassHook for CountingHook {
    async fn on_pass(&self, txn: &sea_orm::DatabaseTransaction, pass: &certify_exams::Pass) -> anyhow::Result<()> {
        self.inner.on_pass(txn, pass).await
    }

    async fn valid_certificate_until(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        account_id: Uuid,
        track_id: Uuid,
        now: time::OffsetDateTime,
    ) -> anyhow::Result<Option<time::OffsetDateTime>> {
        self.inner.valid_certificate_until(txn, account_id, track_id, now).await
    }

    async fn committed(&self, passes: &[certify_exams::Pass]) {
        self.committed
            .lock()
            .expect("not poisoned")
            .extend(passes.iter().map(|p| p.attempt_id));
        self.inner.committed(passes).await;
    }
}

#[tokio::test]
async fn a_pass_finalised_by_a_read_is_announced_once_after_it_commits() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let attempt = start(&app, &setup).await;
    answer(&app, &setup, &attempt, 5).await;
    let attempt_id: Uuid = attempt["id"].as_str().expect("id").parse().expect("uuid");
    let me = json_of(app.get("/api/v1/me", Some(&setup.candidate)).await).await;
    let account_id: Uuid = me["id"].as_str().expect("id").parse().expect("uuid");
    app.clock.advance(Duration::minutes(30));

    let hook = CountingHook {
        inner: app.pass_hook(),
        committed: std::sync::Mutex::new(Vec::new()),
    };
    let candidate = app.candidate(account_id, &hook);
    let read = candidate.attempt(attempt_id).await.expect("read");
    assert_eq!(read.status, certify_exams::AttemptStatus::Expired);
    assert!(read.result.is_some_and(|r| r.passed));
    candidate.attempt(attempt_id).await.expect("read again");
    candidate.attempts(setup.exam_id).await.expect("listed");
    assert_eq!(
        *hook.committed.lock().expect("not poisoned"),
        vec![attempt_id],
        "the read that finalised the pass announced it; later reads had nothing to say"
    );
}
