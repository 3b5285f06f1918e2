//! The consultant's pages and upload verification over plain HTTP, as a browser without
//! JavaScript uses them: every change is a form post with its token, and every refusal a page.

use certify_accounts::Role;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::Value;

use crate::certificates::pass;
use crate::exams::exam_setup;
use crate::helpers::spawn_app;
use crate::page_client::{Browser, header};

#[tokio::test]
async fn a_consultant_enrols_and_completes_modules_with_forms_that_carry_their_token() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[2]).await;
    app.create_account("emil@northwind.example", Role::Consultant).await;
    let mut browser = Browser::signed_in(&app, "emil@northwind.example").await;

    let (_, _, home) = browser.get("/home").await;
    assert!(home.contains("You are not enrolled in a track yet"), "{home}");
    let (_, _, catalogue) = browser.get("/catalogue").await;
    assert!(catalogue.contains("AI Deployment") && catalogue.contains("Enrol in this track"));

    let enrol = format!("/tracks/{}/enrolment", ids.track_id);
    let (status, _, page) = browser.post(&enrol, &[("csrf", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Nothing was changed"), "{page}");
    let (_, _, home) = browser.get("/home").await;
    assert!(
        home.contains("You are not enrolled in a track yet"),
        "a forged form changed nothing"
    );

    let csrf = browser.csrf();
    let (status, headers, _) = browser.post(&enrol, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, LOCATION.as_str()), format!("/tracks/{}", ids.track_id));
    let (_, _, home) = browser.get("/home").await;
    assert!(home.contains("0 of 1 required courses done"), "{home}");
    assert!(home.contains("Continue with “Module 0.0”"), "{home}");

    let (course_id, modules) = &ids.courses[0];
    let (status, _, module) = browser.get(&format!("/modules/{}", modules[0])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        module.matches("<h1").count(),
        1,
        "the body's heading sits under the title"
    );
    assert!(
        module.contains("<h2>Read me</h2>") && module.contains("About 10 minutes"),
        "{module}"
    );
    assert!(
        module.contains("Module 1 of 2") && module.contains("Module 0.1 →"),
        "{module}"
    );

    let (status, headers, _) = browser
        .post(&format!("/modules/{}/completion", modules[0]), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, LOCATION.as_str()), format!("/modules/{}", modules[1]));
    let (_, headers, _) = browser
        .post(&format!("/modules/{}/completion", modules[1]), &[("csrf", &csrf)])
        .await;
    assert_eq!(header(&headers, LOCATION.as_str()), format!("/courses/{course_id}"));
    let (_, _, course) = browser.get(&format!("/courses/{course_id}")).await;
    assert!(course.contains("You have completed this course.") && course.contains("2 of 2 modules done"));
    let (_, _, home) = browser.get("/home").await;
    assert!(home.contains("you can sit the certification exam"), "{home}");
}

#[tokio::test]
async fn the_end_of_a_course_leads_to_the_next_required_course_and_then_to_the_exam() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let ids = app.published_track(&staff, &[1, 1]).await;
    let blueprint = serde_json::json!({
        "title": "Exam", "duration_minutes": 30, "cut_percent": 70,
        "domains": [
            {"name": "Architecture", "weight_percent": 60, "items_per_form": 3},
            {"name": "Governance", "weight_percent": 40, "items_per_form": 2}
        ]
    });
    let exam_id = app
        .create(&format!("/api/v1/tracks/{}/exam", ids.track_id), &blueprint, &staff)
        .await;
    app.create_account("emil@northwind.example", Role::Consultant).await;
    let mut browser = Browser::signed_in(&app, "emil@northwind.example").await;
    let csrf = browser.csrf();
    browser
        .post(&format!("/tracks/{}/enrolment", ids.track_id), &[("csrf", &csrf)])
        .await;

    let [(first, first_modules), (second, second_modules)] = &ids.courses[..] else {
        panic!("two courses")
    };
    browser
        .post(&format!("/modules/{}/completion", first_modules[0]), &[("csrf", &csrf)])
        .await;
    let (_, _, course) = browser.get(&format!("/courses/{first}")).await;
    assert!(course.contains("You have completed this course."), "{course}");
    assert!(
        course.contains(&format!("href=\"/courses/{second}\">Course 1</a>")),
        "the next required course is offered: {course}"
    );
    assert!(!course.contains("Go to the exam"), "not yet: {course}");

    browser
        .post(
            &format!("/modules/{}/completion", second_modules[0]),
            &[("csrf", &csrf)],
        )
        .await;
    let (_, _, course) = browser.get(&format!("/courses/{second}")).await;
    assert!(course.contains("you can now sit the exam"), "{course}");
    assert!(
        course.contains(&format!("href=\"/exams/{exam_id}\">Go to the exam</a>")),
        "{course}"
    );
}

#[tokio::test]
async fn pages_that_name_nothing_or_are_not_yours_answer_in_the_sites_look() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    for missing in [
        "/courses/00000000-0000-0000-0000-000000000000",
        "/modules/nonsense",
        "/no/such/page",
    ] {
        let (status, headers, page) = browser.get(missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert!(header(&headers, "content-type").starts_with("text/html"), "{missing}");
        assert!(
            page.contains("Page not found") && page.contains("Certify"),
            "{missing}: {page}"
        );
    }
    let (status, _, page) = browser.get(&format!("/exams/{}", setup.exam_id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("Not allowed") && page.contains("only consultants"),
        "{page}"
    );

    let (status, headers, _) = Browser::new(&app).get("/certificates").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a visitor is sent to sign in, and back after"
    );
    assert_eq!(header(&headers, LOCATION.as_str()), "/sign-in?next=%2Fcertificates");
}

/// With the attempt open in two tabs, the stale one posts only what it changed: answers saved in
/// the other tab since it was served stay, and the question it did change is saved.
#[tokio::test]
async fn a_stale_second_tab_never_erases_answers_saved_elsewhere() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let mut browser = Browser::signed_in(&app, "candidate@northwind.example").await;
    let (_, _, _) = browser.get(&format!("/exams/{}", setup.exam_id)).await;
    let csrf = browser.csrf();
    let start = format!("/exams/{}/attempts", setup.exam_id);
    let (_, headers, _) = browser.post(&start, &[("csrf", &csrf)]).await;
    let attempt = header(&headers, LOCATION.as_str()).to_owned();
    let (_, _, stale) = browser.get(&attempt).await;
    assert!(stale.contains(r#"name="served1" value="""#), "{stale}");

    for position in 1..=3 {
        let (status, _, _) = browser
            .post(
                &format!("{attempt}/answers/{position}"),
                &[("csrf", &csrf), ("answer", "A")],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "answered in the first tab");
    }
    let served: Vec<(String, String)> = (1..=5).map(|n| (format!("served{n}"), String::new())).collect();
    let mut form: Vec<(&str, &str)> = served
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    form.extend([("csrf", csrf.as_str()), ("q4", "B"), ("then", "review")]);
    let (status, headers, _) = browser.post(&attempt, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, review) = browser.get(header(&headers, LOCATION.as_str())).await;
    assert!(
        review.contains("1 of 5 questions are not answered"),
        "questions 1 to 3 kept, 4 saved: {review}"
    );
    let (_, _, fresh) = browser.get(&attempt).await;
    assert!(
        fresh.contains(r#"name="q1" value="A" checked"#) && fresh.contains(r#"name="served4" value="B""#),
        "{fresh}"
    );
}

#[tokio::test]
async fn an_exam_is_sat_with_plain_form_posts_and_the_server_keeps_the_time() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let mut browser = Browser::signed_in(&app, "candidate@northwind.example").await;
    let exam = format!("/exams/{}", setup.exam_id);
    let (_, _, page) = browser.get(&exam).await;
    assert!(
        page.contains("30 minutes") && page.contains("Start the exam now"),
        "{page}"
    );
    assert!(page.contains("0 of 5 used"), "{page}");

    let start = format!("{exam}/attempts");
    let (status, _, _) = browser.post(&start, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no attempt");
    let (_, _, page) = browser.get(&exam).await;
    assert!(page.contains("Start the exam now"), "nothing was started");

    let csrf = browser.csrf();
    let (status, headers, _) = browser.post(&start, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let attempt = header(&headers, LOCATION.as_str()).to_owned();
    assert!(attempt.starts_with("/attempts/"), "{attempt}");
    let (_, _, page) = browser.get(&attempt).await;
    assert!(
        page.contains("Question 1 of 5") && page.contains(r#"data-remaining="1800""#),
        "{page}"
    );

    // Ten minutes later, a reload shows the time the server counts.
    app.clock.advance(time::Duration::minutes(10));
    let (status, headers, _) = browser
        .post(&attempt, &[("csrf", &csrf), ("q1", "A"), ("then", "stay")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "a reload never posts the answers again");
    let (_, _, page) = browser.get(header(&headers, LOCATION.as_str())).await;
    assert!(
        page.contains("Answers saved") && page.contains(r#"data-remaining="1200""#),
        "{page}"
    );
    assert!(page.contains(r#"name="q1" value="A" checked"#), "{page}");

    // The page's script saves one answer at a time.
    let (status, _, _) = browser
        .post(&format!("{attempt}/answers/2"), &[("csrf", &csrf), ("answer", "B")])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, review) = browser.get(&format!("{attempt}/review")).await;
    assert!(review.contains("3 of 5 questions are not answered"), "{review}");

    // Past the deadline the attempt is finalised with what was saved, and the page says so.
    app.clock.advance(time::Duration::minutes(25));
    let (status, _, page) = browser
        .post(&format!("{attempt}/answers/3"), &[("csrf", &csrf), ("answer", "A")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let (_, _, result) = browser.get(&attempt).await;
    assert!(result.contains("The time ran out at"), "{result}");
    assert!(result.contains("the pass mark is"), "{result}");
}

#[tokio::test]
async fn an_uploaded_file_is_checked_and_a_wrong_one_is_answered_beside_the_field() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let pdf = app
        .get(&format!("/api/v1/certificates/{id}/pdf"), Some(&setup.candidate))
        .await
        .bytes()
        .await
        .expect("pdf");
    let credential: Value = app
        .get(&format!("/api/v1/certificates/{id}/credential"), Some(&setup.candidate))
        .await
        .json()
        .await
        .expect("credential");

    let upload = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        app.client.post(app.url("/verify")).multipart(form).send()
    };
    let read = |response: reqwest::Response| async move { (response.status(), response.text().await.expect("page")) };

    let (status, page) = read(upload("certificate.pdf", pdf.to_vec()).await.expect("sent")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This certificate is genuine and valid."), "{page}");

    let forgery = crate::certificate_pdfs::forged(&pdf, "Test Person", "Pat Stone");
    let (status, page) = read(upload("certificate.pdf", forgery).await.expect("sent")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("This document was altered") && page.contains("The genuine certificate says: Test Person holds"),
        "{page}"
    );
    assert!(
        !page.contains("genuine and valid") && !page.contains("Pat Stone"),
        "{page}"
    );

    let (status, page) = read(
        upload("credential.json", credential.to_string().into_bytes())
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This certificate is genuine and valid."), "{page}");

    let mut altered = credential.clone();
    altered["validUntil"] = Value::String("2099-01-01T00:00:00Z".to_owned());
    let (status, page) = read(
        upload("credential.json", altered.to_string().into_bytes())
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("has been changed since it was issued"), "{page}");
    assert!(!page.contains("2099"), "nothing of an altered file is vouched for");

    let (status, page) = read(upload("notes.txt", b"just notes".to_vec()).await.expect("sent")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        page.contains("neither a certificate PDF nor a credential JSON file") && page.contains(r#"id="file-error""#)
    );

    let (status, page) = read(upload("huge.pdf", vec![b'%'; 3 * 1024 * 1024]).await.expect("sent")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("This file is larger than"), "{page}");

    let (status, page) = read(upload("empty.pdf", Vec::new()).await.expect("sent")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Choose a file to upload"), "{page}");
}

#[tokio::test]
async fn a_refused_method_and_a_rate_limit_are_pages_on_the_site_and_problems_in_the_api() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.verify_requests_per_second = 1;
        settings.verify_burst = 2;
    })
    .await;
    let mut browser = Browser::new(&app);
    let (status, headers, page) = browser.post("/catalogue", &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert_eq!(header(&headers, "allow"), "GET,HEAD");
    assert!(page.contains("This address does not take that request"), "{page}");
    let api = app
        .client
        .get(app.url("/api/v1/auth/login"))
        .send()
        .await
        .expect("sent");
    assert_eq!(api.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(api.headers(), "content-type"), "application/problem+json");

    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (status, headers, page) = browser.get("/verify").await;
        statuses.push(status);
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(header(&headers, "content-type").starts_with("text/html"));
            assert!(!header(&headers, "retry-after").is_empty());
            assert!(page.contains("Too many attempts"), "{page}");
        }
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn a_firm_admin_lands_on_the_firms_home_and_no_other_firm_is_found() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let northwind = app.create_firm(&staff, "Northwind Consulting").await;
    let bluefield = app.create_firm(&staff, "Bluefield Systems").await;
    app.create_account("admin@northwind.example", Role::FirmAdmin { firm_id: northwind })
        .await;
    let mut browser = Browser::signed_in(&app, "admin@northwind.example").await;

    let (status, _, home) = browser.get("/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Northwind Consulting") && home.contains("Partner tier: Registered"),
        "{home}"
    );
    assert!(home.contains("10 more certified consultants reach Select"), "{home}");
    assert!(
        home.contains("Nobody at the firm holds an active certificate yet."),
        "{home}"
    );

    let (_, _, missing) = browser.get("/firms/00000000-0000-0000-0000-000000000000").await;
    let (status, _, other) = browser.get(&format!("/firms/{bluefield}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(other, missing, "another firm looks exactly like no firm");
    assert!(!other.contains("Bluefield"));

    let mut staff_browser = Browser::signed_in(&app, "staff@certify.example").await;
    let (status, _, page) = staff_browser.get(&format!("/firms/{bluefield}")).await;
    assert_eq!(status, StatusCode::OK, "staff open any firm's home");
    assert!(page.contains("Bluefield Systems"), "{page}");
}
