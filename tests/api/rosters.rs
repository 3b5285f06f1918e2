//! Partner firms at work: roster imports, the consultants view, domains, tiers and the isolation
//! of one firm from another.

use certify_accounts::Role;
use certify_certificates::IssueRequest;
use certify_core::Clock as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::certificates::revoke;
use crate::helpers::{PASSWORD, TestApp, assert_problem, spawn_app};

/// Staff, one firm with its admin, and a published track.
struct Firm {
    /// To sign in again after the clock moved past the sessions' lifetime.
    admin_email: &'static str,
    staff: String,
    firm_id: Uuid,
    admin: String,
    track_id: Uuid,
}

async fn firm_with_admin(app: &TestApp) -> Firm {
    let staff = app.staff_token().await;
    let firm_id = app.create_firm(&staff, "Northwind").await;
    let admin = app
        .token_for("admin@northwind.example", Role::FirmAdmin { firm_id })
        .await;
    let track_id = app.published_track(&staff, &[1]).await.track_id;
    Firm {
        admin_email: "admin@northwind.example",
        staff,
        firm_id,
        admin,
        track_id,
    }
}

/// Northwind with northwind.example verified: its roster puts those addresses on directly
/// (anyone else it names is invited).
async fn firm_with_verified_domain(app: &TestApp) -> Firm {
    let firm = firm_with_admin(app).await;
    app.verify_domain(&firm.staff, firm.firm_id, "northwind.example").await;
    firm
}

/// `email` accepts the invitation `firm_id` sent them, as they would on their home page.
async fn accept_invitation(app: &TestApp, email: &str, firm_id: Uuid) {
    let account = certify_accounts::accounts_by_email(&app.db, &[certify_core::Email::parse(email).expect("email")])
        .await
        .expect("accounts")
        .pop()
        .expect("the invited account exists");
    let invitation = certify_firms::pending_invitations(&app.db, account.id)
        .await
        .expect("invitations")
        .into_iter()
        .find(|invitation| invitation.firm_id == firm_id)
        .expect("an invitation from the firm");
    let now = certify_core::Clock::now(&app.clock);
    certify_firms::answer_invitation(&app.db, now, account.id, invitation.id, true)
        .await
        .expect("accepted");
}

impl Firm {
    async fn sign_in_again(&mut self, app: &TestApp) {
        self.staff = app.log_in("staff@certify.example", PASSWORD).await;
        self.admin = app.log_in(self.admin_email, PASSWORD).await;
    }
}

async fn upload(app: &TestApp, firm_id: Uuid, csv: impl Into<Vec<u8>>, token: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/firms/{firm_id}/roster")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.into())
        .send()
        .await
        .expect("request sent")
}

async fn imported(app: &TestApp, firm_id: Uuid, csv: &str, token: &str) -> Value {
    let response = upload(app, firm_id, csv, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

async fn json(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("json")
}

fn counts(report: &Value) -> [u64; 4] {
    ["rows", "created", "updated", "unchanged"].map(|k| report[k].as_u64().expect("count"))
}

fn emails(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["email"].as_str().expect("email").to_owned())
        .collect()
}

/// Issues a certificate of `track_id` to the consultant with `email`, at the test clock's now.
pub(crate) async fn certify(app: &TestApp, email: &str, track_id: Uuid) -> Uuid {
    let account = certify_accounts::accounts_by_email(&app.db, &[certify_core::Email::parse(email).expect("email")])
        .await
        .expect("accounts")
        .pop()
        .expect("the consultant exists");
    let issuer = app.issuer();
    let request = IssueRequest {
        account_id: account.id,
        achievement: app.achievement(track_id).await,
        attempt_id: None,
        earned_at: None,
    };
    certify_certificates::issue_certificate(&app.db, app.clock.now(), &issuer, request)
        .await
        .expect("issued")
        .id
}

#[tokio::test]
async fn a_roster_import_creates_updates_and_is_idempotent() {
    let app = spawn_app().await;
    let firm = firm_with_verified_domain(&app).await;
    let roster = "email,full_name,country,employee_id\n\
                  ada@northwind.example,Ada Okafor,DE,E-1\n\
                  \"grace@northwind.example\",\"Hopper, Grace\",us,\n\
                  linus@northwind.example,Linus T,,E-3\n";
    let first = imported(&app, firm.firm_id, roster, &firm.admin).await;
    assert_eq!(counts(&first), [3, 3, 0, 0]);
    let again = imported(&app, firm.firm_id, roster, &firm.admin).await;
    assert_eq!(counts(&again), [3, 0, 0, 3], "the same file changes nothing");

    // Columns in another order, one renamed, one moved country, one new, one left out.
    let changed = "full_name,email,country\n\
                   Ada Okafor-Lovelace,ada@northwind.example,DE\n\
                   \"Hopper, Grace\",GRACE@northwind.example,GB\n\
                   Alan Turing,alan@northwind.example,GB\n";
    let report = imported(&app, firm.firm_id, changed, &firm.admin).await;
    assert_eq!(counts(&report), [3, 1, 2, 0]);

    let page = json(
        &app,
        &format!("/api/v1/firms/{}/consultants", firm.firm_id),
        &firm.admin,
    )
    .await;
    assert_eq!(
        emails(&page),
        [
            "ada@northwind.example",
            "grace@northwind.example",
            "linus@northwind.example",
            "alan@northwind.example"
        ]
    );
    let ada = &page["items"][0];
    assert_eq!(ada["name"], "Ada Okafor-Lovelace");
    assert!(
        ada.get("employee_id").is_none(),
        "the file without the column clears it: {ada}"
    );
    assert_eq!(page["items"][1]["country"], "GB");
    assert_eq!(page["items"][2]["employee_id"], "E-3", "rows not in the file stay");
}

/// The errors a bad roster must report: row and column.
type Expected = Vec<(u64, Option<&'static str>)>;

#[tokio::test]
async fn a_bad_roster_is_rejected_with_row_and_column_and_nothing_changes() {
    let app = spawn_app().await;
    let firm = firm_with_admin(&app).await;
    let cases: Vec<(&str, Vec<u8>, Expected)> = vec![
        ("empty file", b"".to_vec(), vec![(1, None)]),
        ("header only", b"email,full_name\n".to_vec(), vec![(2, None)]),
        (
            "wrong header",
            b"mail,name\na@x.example,A\n".to_vec(),
            vec![(1, Some("mail"))],
        ),
        (
            "missing column",
            b"email\na@x.example\n".to_vec(),
            vec![(1, Some("full_name"))],
        ),
        (
            "semicolons",
            b"email;full_name\na@x.example;A\n".to_vec(),
            vec![(1, None)],
        ),
        (
            "broken quoting",
            b"email,full_name\na@x.example,\"Ada\nb@x.example,Bob\n".to_vec(),
            vec![(2, Some("full_name"))],
        ),
        (
            "too many fields",
            b"email,full_name\na@x.example,Ada,extra\n".to_vec(),
            vec![(2, None)],
        ),
        (
            "duplicates and invalid e-mails",
            b"email,full_name,country\na@x.example,Ada,DE\nnot-an-email,Bob,DE\nA@x.example,Ada again,Germany\n"
                .to_vec(),
            vec![(3, Some("email")), (4, Some("country")), (4, Some("email"))],
        ),
        (
            "not UTF-8",
            b"email,full_name\na@x.example,Jos\xe9\n".to_vec(),
            vec![(2, Some("full_name"))],
        ),
    ];
    for (case, csv, expected) in cases {
        let problem = assert_problem(
            upload(&app, firm.firm_id, csv, &firm.admin).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-roster",
        )
        .await;
        let mut found: Vec<(u64, Option<String>)> = problem["row_errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{case}: {problem}"))
            .iter()
            .map(|e| (e["row"].as_u64().expect("row"), e["column"].as_str().map(str::to_owned)))
            .collect();
        found.sort();
        let expected: Vec<(u64, Option<String>)> = expected
            .into_iter()
            .map(|(row, column)| (row, column.map(str::to_owned)))
            .collect();
        assert_eq!(found, expected, "{case}: {problem}");
        assert_eq!(problem["error_count"], expected.len(), "{case}");
    }
    let page = json(
        &app,
        &format!("/api/v1/firms/{}/consultants", firm.firm_id),
        &firm.admin,
    )
    .await;
    assert_eq!(
        emails(&page),
        Vec::<String>::new(),
        "valid rows of rejected files were not kept"
    );

    let wrong_type = app
        .client
        .post(app.url(&format!("/api/v1/firms/{}/roster", firm.firm_id)))
        .bearer_auth(&firm.admin)
        .json(&json!({"email": "a@x.example"}))
        .send()
        .await
        .expect("sent");
    assert_problem(wrong_type, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type").await;
}

#[tokio::test]
async fn a_roster_spanning_many_chunks_catches_a_late_duplicate() {
    let app = spawn_app().await;
    let firm = firm_with_verified_domain(&app).await;
    let mut csv = String::from("email,full_name\n");
    for i in 0..1200 {
        csv.push_str(&format!("c{i}@northwind.example,Consultant {i}\n"));
    }
    csv.push_str("c7@northwind.example,Seven Again\n");
    let problem = assert_problem(
        upload(&app, firm.firm_id, csv.clone(), &firm.admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-roster",
    )
    .await;
    assert_eq!(problem["row_errors"][0]["row"], 1202, "{problem}");
    assert_eq!(problem["row_errors"][0]["column"], "email");

    let valid = csv.rsplit_once("c7@").map(|(head, _)| head.to_owned()).expect("split");
    let report = imported(&app, firm.firm_id, &valid, &firm.admin).await;
    assert_eq!(counts(&report), [1200, 1200, 0, 0]);
}

#[tokio::test]
async fn domains_are_claimed_verified_and_joined_by() {
    let app = spawn_app().await;
    let firm = firm_with_admin(&app).await;
    let other = app.create_firm(&firm.staff, "Contoso").await;
    let other_admin = app
        .token_for("admin@contoso.example", Role::FirmAdmin { firm_id: other })
        .await;
    let domains = format!("/api/v1/firms/{}/domains", firm.firm_id);

    let claim = app
        .post_json(&domains, &json!({"domain": "Northwind.Example"}), Some(&firm.admin))
        .await;
    assert_eq!(claim.status(), StatusCode::CREATED);
    let claim: Value = claim.json().await.expect("json");
    assert_eq!(
        (claim["domain"].as_str(), claim["verified"].as_bool()),
        (Some("northwind.example"), Some(false))
    );
    assert_problem(
        app.post_json(
            &format!("/api/v1/firms/{other}/domains"),
            &json!({"domain": "northwind.example"}),
            Some(&other_admin),
        )
        .await,
        StatusCode::CONFLICT,
        "domain-taken",
    )
    .await;
    assert_problem(
        app.post_json(&domains, &json!({"domain": "not a domain"}), Some(&firm.admin))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    )
    .await;

    let consultant = app.token_for("kim@northwind.example", Role::Consultant).await;
    assert_problem(
        app.put("/api/v1/me/firm", &consultant).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let verification = format!("{domains}/northwind.example/verification");
    assert_problem(
        app.post_json(&verification, &json!({}), Some(&firm.admin)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let verified = app.post_json(&verification, &json!({}), Some(&firm.staff)).await;
    assert_eq!(verified.status(), StatusCode::OK);

    let joined = app.put("/api/v1/me/firm", &consultant).await;
    assert_eq!(joined.status(), StatusCode::OK);
    let mine = json(&app, "/api/v1/me/firm", &consultant).await;
    assert_eq!(mine["id"], firm.firm_id.to_string());
    let page = json(
        &app,
        &format!("/api/v1/firms/{}/consultants", firm.firm_id),
        &firm.admin,
    )
    .await;
    assert_eq!(emails(&page), ["kim@northwind.example"]);

    let listed = json(&app, &domains, &firm.admin).await;
    assert_eq!(listed[0]["verified"], true);
}

/// The row errors of a rejected import, as (row, column, message).
async fn row_errors(response: reqwest::Response) -> Vec<(u64, String, String)> {
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid-roster").await;
    problem["row_errors"]
        .as_array()
        .expect("row errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or_default(),
                e["column"].as_str().unwrap_or_default().to_owned(),
                e["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_roster_says_the_same_of_every_address_the_firm_cannot_claim() {
    let app = spawn_app().await;
    let firm = firm_with_admin(&app).await;
    let contoso = app.create_firm(&firm.staff, "Contoso").await;
    let contoso_admin = app
        .token_for("admin@contoso.example", Role::FirmAdmin { firm_id: contoso })
        .await;
    imported(
        &app,
        contoso,
        "email,full_name\nsam@contoso.example,Sam Lee\n",
        &contoso_admin,
    )
    .await;
    accept_invitation(&app, "sam@contoso.example", contoso).await;
    let bluefield = app.create_firm(&firm.staff, "Bluefield").await;
    app.verify_domain(&firm.staff, bluefield, "bluefield.example").await;
    // Kim belongs to no firm: before, the first roster to name her took her, unasked.
    app.create_account("kim@freelance.example", Role::Consultant).await;

    // Only an address at a domain another firm verified is refused, and it is refused alike
    // whether or not it has an account.
    let refused = "email,full_name\n\
                   someone@bluefield.example,Someone New\n\
                   sam@bluefield.example,Sam Lee\n";
    let seen_by_firm = row_errors(upload(&app, firm.firm_id, refused, &firm.admin).await).await;
    let messages: std::collections::HashSet<&str> = seen_by_firm.iter().map(|(_, _, m)| m.as_str()).collect();
    assert_eq!((seen_by_firm.len(), messages.len()), (2, 1), "{seen_by_firm:?}");

    // Everyone else at a domain Northwind has not verified is invited, and every row reads the
    // same: a fresh address, an unaffiliated consultant, another firm's consultant and admin,
    // programme staff.
    let roster = "email,full_name\n\
                  sam@contoso.example,Sam Lee\n\
                  admin@contoso.example,Contoso Admin\n\
                  staff@certify.example,Programme Staff\n\
                  kim@freelance.example,Kim Park\n\
                  new@freelance.example,Fresh Face\n";
    let report = imported(&app, firm.firm_id, roster, &firm.admin).await;
    assert_eq!(
        (&report["created"], &report["invited"], &report["invited_rows"]),
        (&json!(0), &json!(5), &json!([2, 3, 4, 5, 6])),
        "{report}"
    );
    let ours = json(
        &app,
        &format!("/api/v1/firms/{}/consultants", firm.firm_id),
        &firm.admin,
    )
    .await;
    assert_eq!(emails(&ours), Vec::<String>::new(), "nobody joined without saying yes");
    let theirs = json(&app, &format!("/api/v1/firms/{contoso}/consultants"), &contoso_admin).await;
    assert_eq!(emails(&theirs), ["sam@contoso.example"], "Sam is still Contoso's");

    // Kim says yes: she is Northwind's, with what the roster said.
    accept_invitation(&app, "kim@freelance.example", firm.firm_id).await;
    let ours = json(
        &app,
        &format!("/api/v1/firms/{}/consultants", firm.firm_id),
        &firm.admin,
    )
    .await;
    assert_eq!(emails(&ours), ["kim@freelance.example"]);
}

#[tokio::test]
async fn a_roster_moves_another_firms_consultant_only_through_a_verified_domain() {
    let app = spawn_app().await;
    let firm = firm_with_admin(&app).await;
    let other = app.create_firm(&firm.staff, "Contoso").await;
    let other_admin = app
        .token_for("admin@contoso.example", Role::FirmAdmin { firm_id: other })
        .await;
    let row = "email,full_name\nsam@northwind.example,Sam Lee\n";
    imported(&app, other, row, &other_admin).await;
    accept_invitation(&app, "sam@northwind.example", other).await;
    let certificate = certify(&app, "sam@northwind.example", firm.track_id).await;

    // Before Northwind verifies the domain, its roster only invites Sam.
    let report = imported(&app, firm.firm_id, row, &firm.admin).await;
    assert_eq!(report["invited"], 1, "{report}");
    let theirs = json(&app, &format!("/api/v1/firms/{other}/consultants"), &other_admin).await;
    assert_eq!(emails(&theirs), ["sam@northwind.example"], "Sam is still Contoso's");

    let domains = format!("/api/v1/firms/{}/domains", firm.firm_id);
    app.post_json(&domains, &json!({"domain": "northwind.example"}), Some(&firm.admin))
        .await;
    app.post_json(
        &format!("{domains}/northwind.example/verification"),
        &json!({}),
        Some(&firm.staff),
    )
    .await;
    let report = imported(&app, firm.firm_id, row, &firm.admin).await;
    assert_eq!(counts(&report), [1, 1, 0, 0]);

    let theirs = json(&app, &format!("/api/v1/firms/{other}/consultants"), &other_admin).await;
    assert_eq!(emails(&theirs), Vec::<String>::new(), "Sam left Contoso");
    let ours = json(
        &app,
        &format!("/api/v1/firms/{}/certificates", firm.firm_id),
        &firm.admin,
    )
    .await;
    assert_eq!(
        ours["items"][0]["id"],
        certificate.to_string(),
        "the certificate moved with Sam"
    );
    assert_eq!(
        ours["items"][0]["firm_id_at_issuance"],
        other.to_string(),
        "and still names where it was earned"
    );
    let history = json(
        &app,
        &format!(
            "/api/v1/consultants/{}/memberships",
            ours["items"][0]["holder_id"].as_str().unwrap_or_default()
        ),
        &firm.staff,
    )
    .await;
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");
    assert!(
        history[0]["left_at"].is_string() && history[1].get("left_at").is_none(),
        "{history}"
    );
}

#[tokio::test]
async fn the_consultants_export_never_hands_a_spreadsheet_a_formula() {
    let app = spawn_app().await;
    let firm = firm_with_verified_domain(&app).await;
    let roster = "email,full_name,country,employee_id\n\
                  f@northwind.example,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",DE,@SUM(A1)\n\
                  g@northwind.example,+Plus Minus,DE,-42\n\
                  h@northwind.example,Plain Name,DE,E-7\n";
    imported(&app, firm.firm_id, roster, &firm.admin).await;
    let export = app
        .get(
            &format!("/api/v1/firms/{}/consultants/export.csv", firm.firm_id),
            Some(&firm.admin),
        )
        .await;
    assert_eq!(export.status(), StatusCode::OK);
    let body = export.bytes().await.expect("body");
    let rows: Vec<(String, String)> = csv::Reader::from_reader(&body[..])
        .records()
        .map(|r| r.expect("row"))
        .map(|r| (r[1].to_owned(), r[3].to_owned()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "'=HYPERLINK(\"http://evil.example\",\"x\")".to_owned(),
                "'@SUM(A1)".to_owned()
            ),
            ("'+Plus Minus".to_owned(), "'-42".to_owned()),
            ("Plain Name".to_owned(), "E-7".to_owned()),
        ]
    );
}

#[tokio::test]
async fn the_consultants_view_filters_searches_pages_and_exports() {
    let app = spawn_app().await;
    let mut firm = firm_with_verified_domain(&app).await;
    let roster = "email,full_name,country\n\
                  active@northwind.example,Ana Active,DE\n\
                  expired@northwind.example,Eve Expired,FR\n\
                  revoked@northwind.example,Rob Revoked,DE\n\
                  none@northwind.example,Ned None,DE\n";
    imported(&app, firm.firm_id, roster, &firm.admin).await;
    certify(&app, "expired@northwind.example", firm.track_id).await;
    app.clock.advance(Duration::days(800));
    firm.sign_in_again(&app).await;
    certify(&app, "active@northwind.example", firm.track_id).await;
    let revoked = certify(&app, "revoked@northwind.example", firm.track_id).await;
    assert_eq!(
        revoke(&app, revoked, "Shared exam content", &firm.staff).await.status(),
        StatusCode::OK
    );

    let base = format!("/api/v1/firms/{}/consultants", firm.firm_id);
    let track = firm.track_id;
    for (query, expected) in [
        (format!("?track_id={track}&status=active"), vec!["active"]),
        (format!("?track_id={track}&status=expired"), vec!["expired"]),
        (format!("?track_id={track}&status=revoked"), vec!["revoked"]),
        (format!("?track_id={track}&status=none"), vec!["none"]),
        (format!("?track_id={track}"), vec!["active", "expired", "revoked"]),
        ("?status=none".to_owned(), vec!["none"]),
        ("?country=fr".to_owned(), vec!["expired"]),
        ("?q=ROB".to_owned(), vec!["revoked"]),
        ("?q=%25".to_owned(), vec![]),
        ("?q=active@".to_owned(), vec!["active"]),
    ] {
        let page = json(&app, &format!("{base}{query}"), &firm.admin).await;
        let expected: Vec<String> = expected.iter().map(|p| format!("{p}@northwind.example")).collect();
        assert_eq!(emails(&page), expected, "{query}");
    }
    let active = json(&app, &format!("{base}?status=active"), &firm.admin).await;
    assert_eq!(active["items"][0]["tracks"][0]["status"], "active");

    // Keyset pages of one, filtered, never repeat or skip.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = json(&app, &format!("{base}?country=DE&limit=1{cursor}"), &firm.admin).await;
        seen.extend(emails(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "active@northwind.example",
            "revoked@northwind.example",
            "none@northwind.example"
        ]
    );

    for bad in ["?status=gold", "?country=Germany", "?limit=0"] {
        assert_problem(
            app.get(&format!("{base}{bad}"), Some(&firm.admin)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        )
        .await;
    }

    let export = app
        .get(&format!("{base}/export.csv?country=DE"), Some(&firm.admin))
        .await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(export.headers()["content-type"], "text/csv; charset=utf-8");
    let body = export.bytes().await.expect("body");
    let mut reader = csv::Reader::from_reader(&body[..]);
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| r.expect("row"))
        .map(|r| (r[0].to_owned(), r[6].to_owned()))
        .collect();
    assert_eq!(
        rows,
        [
            ("active@northwind.example".to_owned(), "active".to_owned()),
            ("revoked@northwind.example".to_owned(), "revoked".to_owned()),
            ("none@northwind.example".to_owned(), "none".to_owned()),
        ]
    );

    let summary = json(&app, &format!("/api/v1/firms/{}/summary", firm.firm_id), &firm.admin).await;
    assert_eq!(summary["active_consultants"], 1);
    assert_eq!(
        summary["by_track"],
        json!([{"track_id": track, "active_consultants": 1}])
    );
}

#[tokio::test]
async fn tiers_follow_active_certificates_and_forecast_their_loss() {
    let app = spawn_app().await;
    let mut firm = firm_with_verified_domain(&app).await;
    let thresholds = json!({"select": 2, "advanced": 3, "premier": 5});
    assert_problem(
        app.put_json("/api/v1/tier-thresholds", &thresholds, &firm.admin).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_problem(
        app.put_json(
            "/api/v1/tier-thresholds",
            &json!({"select": 5, "advanced": 5, "premier": 9}),
            &firm.staff,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    )
    .await;
    let defaults = json(&app, "/api/v1/tier-thresholds", &firm.admin).await;
    assert_eq!(
        [&defaults["select"], &defaults["advanced"], &defaults["premier"]],
        [10, 50, 250]
    );
    let set = app.put_json("/api/v1/tier-thresholds", &thresholds, &firm.staff).await;
    assert_eq!(set.status(), StatusCode::OK);

    let roster = "email,full_name\na@northwind.example,A\nb@northwind.example,B\nc@northwind.example,C\n";
    imported(&app, firm.firm_id, roster, &firm.admin).await;
    let tier_url = format!("/api/v1/firms/{}/tier", firm.firm_id);
    let tier = json(&app, &tier_url, &firm.admin).await;
    assert_eq!(
        (tier["tier"].as_str(), tier["needed_for_next"].as_u64()),
        (Some("registered"), Some(2))
    );
    assert!(tier.get("falls_below_on").is_none());

    certify(&app, "a@northwind.example", firm.track_id).await;
    app.clock.advance(Duration::days(30));
    certify(&app, "b@northwind.example", firm.track_id).await;
    app.clock.advance(Duration::days(30));
    certify(&app, "c@northwind.example", firm.track_id).await;
    firm.sign_in_again(&app).await;
    let tier = json(&app, &tier_url, &firm.admin).await;
    assert_eq!(tier["tier"], "advanced");
    assert_eq!(tier["active_consultants"], 3);
    assert_eq!(
        (tier["next_tier"].as_str(), tier["needed_for_next"].as_u64()),
        (Some("premier"), Some(2))
    );
    // Advanced needs all three; the first expiry (A's, 24 months after 2026-11-22) ends it.
    assert_eq!(tier["falls_below_on"], "2028-11-22T09:00:00Z");

    app.clock.advance(Duration::days(731 - 60));
    firm.sign_in_again(&app).await;
    let tier = json(&app, &tier_url, &firm.admin).await;
    assert_eq!(
        (tier["tier"].as_str(), tier["active_consultants"].as_u64()),
        (Some("select"), Some(2))
    );

    let distribution = json(&app, "/api/v1/firms/tier-distribution", &firm.staff).await;
    assert_eq!(distribution["total_firms"], 1);
    assert_eq!(
        distribution["tiers"],
        json!([{"tier": "registered", "firms": 0}, {"tier": "select", "firms": 1}, {"tier": "advanced", "firms": 0}, {"tier": "premier", "firms": 0}])
    );
    assert_problem(
        app.get("/api/v1/firms/tier-distribution", Some(&firm.admin)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn staff_list_and_search_firms_with_their_tiers() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    for name in ["Northwind", "Contoso", "Northern Lights"] {
        app.create_firm(&staff, name).await;
    }
    let page = json(&app, "/api/v1/firms?q=north", &staff).await;
    let names: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Northwind", "Northern Lights"]);
    assert_eq!(page["items"][0]["tier"], "registered");
    let first = json(&app, "/api/v1/firms?limit=2", &staff).await;
    let rest = json(
        &app,
        &format!(
            "/api/v1/firms?limit=2&after={}",
            first["next_cursor"].as_str().expect("cursor")
        ),
        &staff,
    )
    .await;
    assert_eq!(rest["items"][0]["name"], "Northern Lights");
    assert!(rest.get("next_cursor").is_none());
}

/// What a walk of the document's operations under one path parameter found.
#[derive(Debug)]
struct Walk {
    operations: usize,
    /// Answered 404 as for an id that does not exist (the rest are refused by role, 403).
    as_missing: usize,
}

/// Asks every documented operation whose path has `param`, with `theirs` and with a random id
/// in it, and asserts that the two answers are the same, up to the id itself.
async fn answered_alike(app: &TestApp, token: &str, param: &str, theirs: Uuid, fill: &dyn Fn(&str) -> String) -> Walk {
    let document = crate::openapi::generated();
    let mut walk = Walk {
        operations: 0,
        as_missing: 0,
    };
    for (template, method, _) in crate::openapi::operations(&document) {
        let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
            continue;
        };
        if !template.contains(param) {
            continue;
        }
        walk.operations += 1;
        let mut answers = Vec::new();
        for target in [theirs, Uuid::now_v7()] {
            let path = fill(&template.replace(param, &target.to_string()));
            let path = path.replace("{account_id}", &Uuid::now_v7().to_string());
            let response = app
                .client
                .request(method.clone(), app.url(&path))
                .header("content-type", "application/json")
                .body("{}")
                .bearer_auth(token)
                .send()
                .await
                .expect("sent");
            let status = response.status();
            let problem = response.json::<Value>().await.unwrap_or(Value::Null);
            let detail = problem["detail"].as_str().map(|d| d.replace(&target.to_string(), "ID"));
            answers.push((status, problem["type"].clone(), detail));
        }
        assert_eq!(
            answers[0], answers[1],
            "{method} {template}: another firm's answer gives it away"
        );
        let (status, kind, _) = &answers[0];
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(status),
            "{method} {template} answered {status}"
        );
        if *status == StatusCode::NOT_FOUND && kind == "/problems/not-found" {
            walk.as_missing += 1;
        }
    }
    walk
}

/// Every firm-scoped route, asked by firm A's admin about firm B, answers exactly like a firm id
/// that does not exist.
#[tokio::test]
async fn a_firm_admin_reaches_no_other_firm_through_any_route() {
    let app = spawn_app().await;
    let firm = firm_with_admin(&app).await;
    let other = app.create_firm(&firm.staff, "Contoso").await;
    let other_admin = app
        .token_for("admin@contoso.example", Role::FirmAdmin { firm_id: other })
        .await;
    imported(&app, other, "email,full_name\nzoe@contoso.example,Zoe\n", &other_admin).await;
    accept_invitation(&app, "zoe@contoso.example", other).await;
    let certificate = certify(&app, "zoe@contoso.example", firm.track_id).await;
    app.post_json(
        &format!("/api/v1/firms/{other}/domains"),
        &json!({"domain": "contoso.example"}),
        Some(&other_admin),
    )
    .await;

    // Every operation the document lists under a firm, or under a consultant, asked about firm B
    // (or its consultant) and about one that does not exist: the two answers must not differ.
    let zoe = certify_accounts::accounts_by_email(
        &app.db,
        &[certify_core::Email::parse("zoe@contoso.example").expect("email")],
    )
    .await
    .expect("accounts")
    .pop()
    .expect("zoe exists")
    .id;
    let fill = |template: &str| {
        template
            .replace("{domain}", "contoso.example")
            .replace("{track_id}", &firm.track_id.to_string())
            .replace("{firm_id}", &other.to_string())
    };
    let firm_scoped = answered_alike(&app, &firm.admin, "{firm_id}", other, &fill).await;
    assert!(
        firm_scoped.operations > 11 && firm_scoped.as_missing >= 11,
        "{firm_scoped:?}: the walk found the firm-scoped operations"
    );
    let consultant_scoped = answered_alike(&app, &firm.admin, "{account_id}", zoe, &fill).await;
    assert!(
        consultant_scoped.as_missing >= 3,
        "{consultant_scoped:?}: the walk found the consultant-scoped operations"
    );
    // Nor through a consultant or a certificate of the other firm.
    for path in [
        format!("/api/v1/certificates/{certificate}"),
        format!("/api/v1/certificates/{certificate}/pdf"),
    ] {
        assert_problem(
            app.get(&path, Some(&firm.admin)).await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
    }
    let theirs = json(&app, &format!("/api/v1/firms/{other}/certificates"), &other_admin).await;
    assert_eq!(theirs["items"][0]["id"], certificate.to_string());
    let own_view = app
        .get(&format!("/api/v1/certificates/{certificate}"), Some(&other_admin))
        .await;
    assert_eq!(
        own_view.status(),
        StatusCode::OK,
        "a firm admin reads their own consultants' certificates"
    );
    let firm_b = json(&app, &format!("/api/v1/firms/{other}"), &other_admin).await;
    assert_eq!(firm_b["name"], "Contoso", "nothing was changed by the other admin");
}
