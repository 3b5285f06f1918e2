//! Programme staff's pages over plain HTTP: the dashboard's burn-up chart, its conclusion and
//! its table, which must say what the API's series says; certificates; breakdowns; firms.

use certify_core::Clock as _;
use reqwest::StatusCode;
use serde_json::Value;
use time::Duration;

use crate::helpers::spawn_app;
use crate::page_client::Browser;
use crate::rosters::certify;

/// (day, certified) of each row of the dashboard's table.
fn table_rows(page: &str) -> Vec<(String, i64)> {
    page.split("<tr data-day=\"")
        .skip(1)
        .map(|row| {
            let (day, rest) = row.split_once('"').expect("a day");
            let cells: Vec<&str> = rest.split("<td class=\"number\">").skip(1).collect();
            let certified = cells[0].split_once('<').expect("cell").0.replace(',', "");
            (day.to_owned(), certified.parse().expect("a count"))
        })
        .collect()
}

#[tokio::test]
async fn the_dashboard_draws_the_burn_up_and_its_table_matches_the_series() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let track_id = app.published_track(&staff, &[1]).await.track_id;
    // Five consultants certified on five days, one a day.
    for n in 0..5 {
        let email = format!("c{n}@consultants.example");
        app.create_account(&email, certify_accounts::Role::Consultant).await;
        certify(&app, &email, track_id).await;
        app.clock.advance(Duration::days(1));
    }
    let staff = app.log_in("staff@certify.example", crate::helpers::PASSWORD).await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let (status, _, page) = browser.get("/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Progress toward 300,000</h1>"), "{page}");
    assert!(
        page.contains("Off track"),
        "five in five days is far from 300,000: {page}"
    );
    for part in [
        "<svg class=\"chart wide\"",
        "<svg class=\"chart narrow\"",
        "<title id=\"burn-up-wide-title\">",
        "class=\"line actual\"",
        "class=\"line target dashed\"",
        "class=\"band forecast\"",
        "class=\"line forecast dashed\"",
        ">today</text>",
    ] {
        assert!(page.contains(part), "{part} in the chart");
    }
    assert!(page.contains("data-live=\"certified\">5<"), "{page}");

    let rows = table_rows(&page);
    assert_eq!(rows.len(), 180);
    let (newest, oldest) = (&rows[0].0, &rows[rows.len() - 1].0);
    let series: Value = app
        .get(
            &format!("/api/v1/progress/series?from={oldest}&to={newest}"),
            Some(&staff),
        )
        .await
        .json()
        .await
        .expect("json");
    let from_api: Vec<(String, i64)> = series["days"]
        .as_array()
        .expect("days")
        .iter()
        .rev()
        .map(|d| {
            (
                d["date"].as_str().expect("date").to_owned(),
                d["certified"].as_i64().expect("count"),
            )
        })
        .collect();
    assert_eq!(rows, from_api, "the table says what the series endpoint says");
    assert_eq!(rows[0].1, 5);
}

#[tokio::test]
async fn staff_find_a_certificate_and_revoke_it_only_after_confirming() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let track_id = app.published_track(&staff, &[1]).await.track_id;
    app.create_account("holder@consultants.example", certify_accounts::Role::Consultant)
        .await;
    let id = certify(&app, "holder@consultants.example", track_id).await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;

    let (status, _, found) = browser.get("/staff/certificates?q=HOLDER@consultants").await;
    assert_eq!(status, StatusCode::OK);
    assert!(found.contains("<title>Certificates · Certify</title>"), "{found}");
    assert!(
        found.contains("1 certificate found") && found.contains(&format!("/staff/certificates/{id}")),
        "{found}"
    );
    let (status, _, short) = browser.get("/staff/certificates?q=h").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.contains(r#"id="q-error""#), "{short}");

    let path = format!("/staff/certificates/{id}/revocation");
    let csrf = browser.csrf();
    let (status, _, page) = browser.post(&path, &[("csrf", &csrf), ("reason", "   ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="reason-error""#), "{page}");
    let (status, _, page) = browser
        .post(&path, &[("csrf", &csrf), ("reason", "Exam content shared")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Revoke this certificate?") && page.contains("Exam content shared"),
        "{page}"
    );
    let (status, _, _) = browser
        .post(&path, &[("reason", "Exam content shared"), ("confirmed", "yes")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no revocation");
    let headline: Value = app.get("/api/v1/progress", None).await.json().await.expect("json");
    assert_eq!(headline["certified"], 1, "asking to confirm changed nothing");

    let (status, headers, _) = browser
        .post(
            &path,
            &[("csrf", &csrf), ("reason", "Exam content shared"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = browser.get(crate::page_client::header(&headers, "location")).await;
    assert!(
        page.contains("The certificate was revoked") && page.contains("Exam content shared"),
        "{page}"
    );
    let headline: Value = app.get("/api/v1/progress", None).await.json().await.expect("json");
    assert_eq!(headline["certified"], 0);

    let (status, headers, csv) = browser
        .get("/staff/certificates/export?status=revoked&track=&firm=&format=csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        crate::page_client::header(&headers, "content-type"),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        csv.lines().count(),
        2,
        "the header and the one revoked certificate: {csv}"
    );
    assert!(csv.contains("Exam content shared"), "{csv}");
    let (status, headers, _) = browser.get("/staff/certificates/export?status=valid&format=zip").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(crate::page_client::header(&headers, "content-type"), "application/zip");
    let (status, _, page) = browser
        .get("/staff/certificates/export?issued_from=2026-12-01&issued_until=2026-01-01&format=csv")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="export-problem""#) && page.contains("issued_until"),
        "{page}"
    );
    assert!(page.contains(r#"value="2026-12-01""#), "the form keeps its values");

    let mut admin = Browser::signed_in(&app, "holder@consultants.example").await;
    let (status, _, _) = admin.get(&format!("/staff/certificates/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only staff manage certificates");
}

#[tokio::test]
async fn breakdowns_are_tables_with_bars_and_csv_and_are_computed_once_per_change() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let track_id = app.published_track(&staff, &[1]).await.track_id;
    let northwind = app.create_firm(&staff, "Northwind Consulting").await;
    let bluefield = app.create_firm(&staff, "Bluefield Systems").await;
    let mut consultants = Vec::new();
    for n in 0..3 {
        let email = format!("c{n}@consultants.example");
        let account = app.create_account(&email, certify_accounts::Role::Consultant).await;
        let firm = if n == 0 { bluefield } else { northwind };
        certify_firms::join_firm(&app.db, app.clock.now(), firm, account.id)
            .await
            .expect("joined");
        certify(&app, &email, track_id).await;
        consultants.push(account.id);
    }
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let (status, _, page) = browser.get("/staff/breakdowns?by=firm").await;
    assert_eq!(status, StatusCode::OK);
    let northwind_row = page
        .find("<td data-label=\"Group\">Northwind Consulting</td>")
        .expect("a Northwind row");
    let bluefield_row = page
        .find("<td data-label=\"Group\">Bluefield Systems</td>")
        .expect("a Bluefield row");
    assert!(northwind_row < bluefield_row, "largest first");
    assert!(
        page.contains(r#"<td class="number" data-label="Share">66.7 %</td>"#)
            && page.contains(r#"<rect width="100" height="1"/>"#),
        "{page}"
    );
    let (_, _, by_name) = browser.get("/staff/breakdowns?by=firm&sort=name").await;
    assert!(
        by_name.find("<td data-label=\"Group\">Bluefield Systems</td>")
            < by_name.find("<td data-label=\"Group\">Northwind Consulting</td>")
    );
    let (status, headers, csv) = browser.get("/staff/breakdowns.csv?by=firm").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        crate::page_client::header(&headers, "content-type"),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        csv,
        "Firm,Certified consultants\nNorthwind Consulting,2\nBluefield Systems,1\n"
    );
    let (status, _, _) = browser.get("/staff/breakdowns?by=planet").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A move between firms leaves the counters where they were: the breakdown shown is the one
    // computed for them, until it is BREAKDOWN_MAX_AGE old.
    certify_firms::join_firm(&app.db, app.clock.now(), bluefield, consultants[1])
        .await
        .expect("moved");
    let (_, _, csv) = browser.get("/staff/breakdowns.csv?by=firm").await;
    assert_eq!(
        csv,
        "Firm,Certified consultants\nNorthwind Consulting,2\nBluefield Systems,1\n"
    );
    app.clock.advance(certify_progress::BREAKDOWN_MAX_AGE);
    let (_, _, csv) = browser.get("/staff/breakdowns.csv?by=firm").await;
    assert_eq!(
        csv,
        "Firm,Certified consultants\nBluefield Systems,2\nNorthwind Consulting,1\n"
    );

    // A new certificate moves the counters' version: once the breakdown is BREAKDOWN_MIN_AGE
    // old, the next view recomputes.
    let email = "c3@consultants.example";
    let account = app.create_account(email, certify_accounts::Role::Consultant).await;
    certify_firms::join_firm(&app.db, app.clock.now(), northwind, account.id)
        .await
        .expect("joined");
    certify(&app, email, track_id).await;
    let (_, _, csv) = browser.get("/staff/breakdowns.csv?by=firm").await;
    assert!(
        csv.contains("Northwind Consulting,1"),
        "not recomputed within the minimum age: {csv}"
    );
    app.clock.advance(certify_progress::BREAKDOWN_MIN_AGE);
    let (_, _, csv) = browser.get("/staff/breakdowns.csv?by=firm").await;
    assert!(csv.contains("Northwind Consulting,2"), "{csv}");
}

#[tokio::test]
async fn staff_find_firms_by_kind_country_and_tier_beside_the_tier_distribution() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let track_id = app.published_track(&staff, &[1]).await.track_id;
    let northwind = app.create_firm(&staff, "Northwind Consulting").await;
    app.create_firm(&staff, "Bluefield Systems").await;
    for n in 0..10 {
        let email = format!("c{n}@consultants.example");
        let account = app.create_account(&email, certify_accounts::Role::Consultant).await;
        certify_firms::join_firm(&app.db, app.clock.now(), northwind, account.id)
            .await
            .expect("joined");
        certify(&app, &email, track_id).await;
    }
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let (status, _, page) = browser.get("/staff/firms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("2 firms in the network") && page.contains("2 firms match"),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"<a href="/firms/{northwind}">Northwind Consulting</a>"#)),
        "{page}"
    );
    let (_, _, select) = browser.get("/staff/firms?tier=Select").await;
    assert!(
        select.contains("1 firm match") && select.contains("Northwind Consulting"),
        "{select}"
    );
    let (_, _, by_name) = browser.get("/staff/firms?q=blue&country=in").await;
    assert!(
        by_name.contains("1 firm match") && by_name.contains("Bluefield Systems"),
        "{by_name}"
    );
    let (status, _, bad) = browser.get("/staff/firms?country=India").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains(r#"id="country-error""#), "{bad}");
    let pasted = "a".repeat(60_000);
    let (status, _, too_long) = browser.get(&format!("/staff/firms?q={pasted}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_long.contains(r#"<p class="error" id="q-error">Search with at most 200 characters.</p>"#),
        "{too_long:.2000}"
    );
    let (status, _, accounts) = browser.get(&format!("/staff/accounts?q={pasted}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(accounts.contains(r#"id="q-error""#) && !accounts.contains("found</h2>"));
}

#[tokio::test]
async fn staff_create_accounts_with_errors_beside_fields_and_find_them_with_their_memberships() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let northwind = app.create_firm(&staff, "Northwind Consulting").await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    let csrf = browser.csrf();
    let northwind_id = northwind.to_string();
    let (status, _, page) = browser
        .post(
            "/staff/accounts",
            &[
                ("csrf", &csrf),
                ("email", "not-an-address"),
                ("name", "Ada"),
                ("role", "firm_admin"),
                ("firm", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="email-error""#) && page.contains(r#"id="firm-error""#),
        "{page}"
    );
    assert!(
        page.contains(r#"value="not-an-address""#) && page.contains(r#"<option value="firm_admin" selected>"#),
        "{page}"
    );

    let consultant = [
        ("csrf", csrf.as_str()),
        ("email", "ada@northwind.example"),
        ("name", "Ada Lovelace"),
        ("role", "consultant"),
        ("firm", northwind_id.as_str()),
        ("password", crate::helpers::PASSWORD),
    ];
    let (status, headers, _) = browser.post("/staff/accounts", &consultant).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = browser.get(crate::page_client::header(&headers, "location")).await;
    assert!(
        page.contains("<h1>Ada Lovelace</h1>") && page.contains("Northwind Consulting</a> <span class=\"muted\">since"),
        "{page}"
    );
    let (status, _, page) = browser.post("/staff/accounts", &consultant).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("already exists"), "{page}");
    let (_, _, found) = browser.get("/staff/accounts?q=lovelace").await;
    assert!(
        found.contains("1 account found") && found.contains("ada@northwind.example"),
        "{found}"
    );

    // Staff chose her password: she chooses her own first, and is still not staff after.
    let mut ada = Browser::signed_in(&app, "ada@northwind.example").await;
    let (status, headers, _) = ada.get("/staff/accounts").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(crate::page_client::header(&headers, "location"), "/account");
    ada.get("/account").await;
    let csrf = ada.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("current_password", crate::helpers::PASSWORD),
        ("new_password", "lantern orchard velvet compass"),
    ];
    assert_eq!(ada.post("/account/password", &form).await.0, StatusCode::SEE_OTHER);
    let (status, _, _) = ada.get("/staff/accounts").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn past_two_hundred_firms_staff_type_the_firms_name_instead_of_scrolling_a_list() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let mut browser = Browser::signed_in(&app, "staff@certify.example").await;
    app.create_firm(&staff, "Zephyr Partners").await;
    let (_, _, page) = browser.get("/staff/accounts").await;
    assert!(page.contains(r#"<select id="firm" name="firm""#), "a few firms: a list");
    for n in 0..200 {
        app.create_firm(&staff, &format!("Firm {n:03}")).await;
    }
    // The firm created first is not among the first 200 by name: typing finds it all the same.
    let (_, _, page) = browser.get("/staff/accounts").await;
    assert!(page.contains(r#"<input id="firm" name="firm" type="text""#), "{page}");
    let csrf = browser.csrf();
    let unknown = [
        ("csrf", csrf.as_str()),
        ("email", "zoe@zephyr.example"),
        ("name", "Zoe Admin"),
        ("role", "firm_admin"),
        ("firm", "Zephyr"),
    ];
    let (status, _, page) = browser.post("/staff/accounts", &unknown).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="firm-error""#) && page.contains("No firm is called “Zephyr”"),
        "{page}"
    );
    assert!(page.contains(r#"value="Zephyr""#), "what was typed stays");
    let mut named = unknown;
    named[4].1 = "zephyr partners";
    let (status, headers, _) = browser.post("/staff/accounts", &named).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = browser.get(crate::page_client::header(&headers, "location")).await;
    assert!(page.contains("Zephyr Partners"), "{page}");

    let (status, _, page) = browser
        .get("/staff/certificates/export?firm=Nowhere+Ltd&format=csv")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="firm-error""#), "{page}");
    let (status, _, _) = browser
        .get("/staff/certificates/export?firm=Zephyr+Partners&format=csv")
        .await;
    assert_eq!(status, StatusCode::OK, "a typed firm name filters the export");
}
