//! The partner-firm portal over plain HTTP: the certified-staff table with its filters in the
//! address, keyset pages both ways and an export of exactly the filtered set; the consultant
//! page; the roster upload with its per-row errors; and tenancy on every one of them.

use certify_accounts::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use time::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use crate::page_client::{Browser, header};
use crate::rosters::certify;

struct Portal {
    firm_id: Uuid,
    other_firm_id: Uuid,
    track_id: Uuid,
    admin: String,
}

/// Northwind with 30 consultants (Consultant 01 … 30, odd ones in DE, even ones in FR), 01–03
/// certified; Bluefield with one certified consultant of its own.
async fn portal(app: &TestApp) -> Portal {
    let staff = app.staff_token().await;
    let firm_id = app.create_firm(&staff, "Northwind Consulting").await;
    let other_firm_id = app.create_firm(&staff, "Bluefield Systems").await;
    let admin = app
        .token_for("admin@northwind.example", Role::FirmAdmin { firm_id })
        .await;
    let other_admin = app
        .token_for("admin@bluefield.example", Role::FirmAdmin { firm_id: other_firm_id })
        .await;
    let track_id = app.published_track(&staff, &[1]).await.track_id;
    // Each firm's roster puts its own domain's addresses on directly.
    app.verify_domain(&staff, firm_id, "northwind.example").await;
    app.verify_domain(&staff, other_firm_id, "bluefield.example").await;
    let mut roster = String::from("email,full_name,country\n");
    for n in 1..=30 {
        let country = if n % 2 == 0 { "FR" } else { "DE" };
        roster.push_str(&format!("c{n:02}@northwind.example,Consultant {n:02},{country}\n"));
    }
    import(app, firm_id, &roster, &admin).await;
    import(
        app,
        other_firm_id,
        "email,full_name\nbea@bluefield.example,Bea Blue\n",
        &other_admin,
    )
    .await;
    for n in 1..=3 {
        certify(app, &format!("c{n:02}@northwind.example"), track_id).await;
    }
    certify(app, "bea@bluefield.example", track_id).await;
    Portal {
        firm_id,
        other_firm_id,
        track_id,
        admin,
    }
}

async fn import(app: &TestApp, firm_id: Uuid, csv: &str, token: &str) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/firms/{firm_id}/roster")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
}

/// The consultants' names in the table, in order.
fn names(page: &str) -> Vec<String> {
    page.split("/consultants/")
        .skip(1)
        .filter_map(|rest| rest.split_once("\">")?.1.split_once("</a>"))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// The address a pager link points to.
fn link(page: &str, rel: &str) -> Option<String> {
    let end = page.find(&format!("\" rel=\"{rel}\""))?;
    let start = page[..end].rfind("href=\"")? + "href=\"".len();
    Some(page[start..end].replace("&amp;", "&"))
}

#[tokio::test]
async fn the_staff_table_filters_pages_both_ways_and_exports_what_it_shows() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let mut browser = Browser::signed_in(&app, "admin@northwind.example").await;
    let base = format!("/firms/{}/consultants", portal.firm_id);

    let (status, _, page) = browser.get(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("30 consultants match"), "{page}");
    let first = names(&page);
    assert_eq!(first.len(), 25);
    assert_eq!(first[0], "Consultant 01");
    assert!(link(&page, "prev").is_none());
    let (_, _, second) = browser.get(&link(&page, "next").expect("a next page")).await;
    assert_eq!(
        names(&second),
        [
            "Consultant 26",
            "Consultant 27",
            "Consultant 28",
            "Consultant 29",
            "Consultant 30"
        ]
    );
    assert!(link(&second, "next").is_none());
    let (_, _, back) = browser.get(&link(&second, "prev").expect("a previous page")).await;
    assert_eq!(names(&back), first, "previous leads back to the same first page");

    let filtered = format!("{base}?track={}&status=active&country=DE", portal.track_id);
    let (_, _, page) = browser.get(&filtered).await;
    assert_eq!(names(&page), ["Consultant 01", "Consultant 03"], "02 is in FR: {page}");
    let (_, _, page) = browser
        .get(&format!("{base}?track={}&status=active", portal.track_id))
        .await;
    assert_eq!(names(&page), ["Consultant 01", "Consultant 02", "Consultant 03"]);
    assert!(
        page.contains(r#"<option value="active" selected>"#),
        "the filter shows what it applies"
    );
    let (_, _, page) = browser.get(&format!("{base}?q=consultant%2029")).await;
    assert_eq!(names(&page), ["Consultant 29"]);

    // Expiring soonest: the three certified first, the latest-issued last of them.
    app.clock.advance(Duration::hours(1));
    certify(&app, "c30@northwind.example", portal.track_id).await;
    let (_, _, page) = browser.get(&format!("{base}?sort=expiring&status=active")).await;
    assert_eq!(
        names(&page),
        ["Consultant 01", "Consultant 02", "Consultant 03", "Consultant 30"]
    );

    let export_url = link_to_export(&page);
    let (status, headers, csv) = browser.get(&export_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "text/csv; charset=utf-8");
    let rows: Vec<String> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.expect("row")[1].to_owned())
        .collect();
    assert_eq!(rows, names(&page), "the export holds exactly the rows shown, in order");

    let (status, _, page) = browser.get(&format!("{base}?status=gold&country=Germany")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="status-error""#) && page.contains(r#"id="country-error""#),
        "{page}"
    );
    assert!(
        page.contains(r#"value="gold""#) || page.contains("Any status"),
        "the form keeps its place"
    );
    let (status, _, page) = browser.get(&format!("{base}?after=forged")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("This page link is not a position in this table: follow"),
        "{page}"
    );
}

fn link_to_export(page: &str) -> String {
    let end = page.find("\" download>Download these as CSV").expect("an export link");
    let start = page[..end].rfind("href=\"").expect("href") + "href=\"".len();
    page[start..end].replace("&amp;", "&")
}

#[tokio::test]
async fn a_consultant_page_shows_learning_and_certificates_and_no_other_firms_people() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let mut browser = Browser::signed_in(&app, "admin@northwind.example").await;
    let (_, _, table) = browser
        .get(&format!("/firms/{}/consultants?q=consultant%2001", portal.firm_id))
        .await;
    let start = table
        .find(&format!("/firms/{}/consultants/", portal.firm_id))
        .expect("a row link");
    let path: String = table[start..].chars().take_while(|c| *c != '"').collect();
    let (status, _, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<h1>Consultant 01</h1>") && page.contains("c01@northwind.example"),
        "{page}"
    );
    assert!(
        page.contains("Valid until") && page.contains("certificate.pdf"),
        "{page}"
    );
    let pdf = page
        .split("href=\"")
        .find(|s| s.starts_with("/certificates/"))
        .expect("pdf link");
    let pdf: String = pdf.chars().take_while(|c| *c != '"').collect();
    let (status, headers, _) = browser.get(&pdf).await;
    assert_eq!(
        (status, header(&headers, "content-type")),
        (StatusCode::OK, "application/pdf")
    );

    let bea = certify_accounts::accounts_by_email(
        &app.db,
        &[certify_core::Email::parse("bea@bluefield.example").expect("email")],
    )
    .await
    .expect("accounts")
    .pop()
    .expect("Bea")
    .id;
    let (_, _, missing) = browser
        .get(&format!("/firms/{}/consultants/{}", portal.firm_id, Uuid::nil()))
        .await;
    for theirs in [
        format!("/firms/{}/consultants/{bea}", portal.firm_id),
        format!("/firms/{}/consultants/{bea}", portal.other_firm_id),
        format!("/firms/{}/consultants", portal.other_firm_id),
        format!("/firms/{}/roster", portal.other_firm_id),
    ] {
        let (status, _, page) = browser.get(&theirs).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{theirs}");
        assert_eq!(page, missing, "{theirs} looks exactly like nothing");
    }
}

fn roster_form(csrf: &str, name: &str, csv: &str) -> Form {
    Form::new().text("csrf", csrf.to_owned()).part(
        "file",
        Part::bytes(csv.as_bytes().to_vec())
            .file_name(name.to_owned())
            .mime_str("text/csv")
            .expect("mime"),
    )
}

async fn roster_size(app: &TestApp, portal: &Portal) -> usize {
    let page: serde_json::Value = app
        .get(
            &format!("/api/v1/firms/{}/consultants?limit=200", portal.firm_id),
            Some(&portal.admin),
        )
        .await
        .json()
        .await
        .expect("json");
    page["items"].as_array().expect("items").len()
}

#[tokio::test]
async fn a_roster_upload_lists_every_bad_row_changes_nothing_then_imports_when_fixed() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let mut browser = Browser::signed_in(&app, "admin@northwind.example").await;
    let path = format!("/firms/{}/roster", portal.firm_id);
    let (status, _, form) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("roster/template.csv"), "{form}");
    let (status, _, template) = browser.get(&format!("{path}/template.csv")).await;
    assert_eq!(
        (status, template.as_str()),
        (StatusCode::OK, "email,full_name,country,employee_id\r\n")
    );

    let bad = "email,full_name,country\n\
               new1@northwind.example,New One,DE\n\
               not-an-address,New Two,DE\n\
               new3@northwind.example,New Three,Germany\n";
    let csrf = browser.csrf();
    let (status, _, page) = browser
        .post_multipart(&path, roster_form(&csrf, "roster.csv", bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The roster has 2 problems; nothing was changed"),
        "{page}"
    );
    assert!(page.contains("<td class=\"number\">3</td><td>email</td>"), "{page}");
    assert!(page.contains("<td class=\"number\">4</td><td>country</td>"), "{page}");
    assert_eq!(roster_size(&app, &portal).await, 30, "nothing was imported");

    let (status, _, _) = browser
        .post_multipart(&path, roster_form("forged", "roster.csv", bad))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, page) = browser
        .post_multipart(&path, roster_form(&csrf, "roster.pdf", "%PDF-1.7 not a roster"))
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        page.contains("This is not a CSV file") && page.contains(r#"id="file-error""#),
        "{page}"
    );

    let fixed = bad
        .replace("not-an-address", "new2@northwind.example")
        .replace("Germany", "DE");
    let fixed =
        format!("{fixed}c01@northwind.example,Consultant 01 Renamed,DE\nc03@northwind.example,Consultant 03,DE\n");
    let (status, _, page) = browser
        .post_multipart(&path, roster_form(&csrf, "roster.csv", &fixed))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("The roster was imported"), "{page}");
    assert!(
        page.contains("<dt>Added to the roster</dt><dd>3</dd>")
            && page.contains("<dd>1</dd>")
            && page.contains("<dt>Unchanged</dt><dd>1</dd>"),
        "{page}"
    );
    assert_eq!(roster_size(&app, &portal).await, 33);
}

#[tokio::test]
async fn expiring_soon_lists_whose_certificates_end_within_the_window() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    // Certificates last 24 months: 22 months on, 01–03 end within 90 days; 04 is new.
    app.clock.advance(Duration::days(22 * 30));
    certify(&app, "c04@northwind.example", portal.track_id).await;
    let mut browser = Browser::signed_in(&app, "admin@northwind.example").await;
    let base = format!("/firms/{}/consultants", portal.firm_id);
    let (status, _, page) = browser.get(&format!("{base}?expiring=90&sort=expiring")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&page), ["Consultant 01", "Consultant 02", "Consultant 03"]);
    assert!(
        page.contains(r#"<option value="90" selected>Within 90 days</option>"#),
        "{page}"
    );
    let (_, _, csv) = browser.get(&link_to_export(&page)).await;
    assert_eq!(csv.lines().count(), 4, "a header and the three: {csv}");
    let (_, _, page) = browser.get(&format!("{base}?expiring=30")).await;
    assert!(names(&page).is_empty(), "none ends within 30 days: {page}");
    let (status, _, page) = browser.get(&format!("{base}?expiring=1000")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="expiring-error""#), "{page}");
}

#[tokio::test]
async fn a_firm_claims_a_domain_staff_verify_it_and_a_wrong_one_is_answered_beside_the_field() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let mut browser = Browser::signed_in(&app, "admin@northwind.example").await;
    let path = format!("/firms/{}/domains", portal.firm_id);
    let csrf = browser.csrf();
    let (status, _, page) = browser
        .post(&path, &[("csrf", &csrf), ("domain", "not a domain")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="domain-error""#) && page.contains(r#"value="not a domain""#),
        "{page}"
    );
    let (status, _, _) = browser
        .post(&path, &[("csrf", &csrf), ("domain", "@Northwind-Labs.Example")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = browser.get(&path).await;
    assert!(
        page.contains("<strong>northwind-labs.example</strong>") && page.contains("Pending"),
        "{page}"
    );
    assert!(
        !page.contains("/verification\""),
        "a firm admin cannot verify its own claim"
    );

    let mut other = Browser::signed_in(&app, "admin@bluefield.example").await;
    let other_path = format!("/firms/{}/domains", portal.other_firm_id);
    let other_csrf = other.csrf();
    let (status, _, page) = other
        .post(
            &other_path,
            &[("csrf", &other_csrf), ("domain", "northwind-labs.example")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("is claimed by another firm"), "{page}");
    let (status, _, _) = other
        .post(
            &format!("{path}/northwind-labs.example/withdrawal"),
            &[("csrf", &other_csrf)],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another firm's claim cannot be withdrawn"
    );

    let mut staff = Browser::signed_in(&app, "staff@certify.example").await;
    let staff_csrf = staff.csrf();
    let (status, _, _) = staff
        .post(
            &format!("{path}/northwind-labs.example/verification"),
            &[("csrf", &staff_csrf)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = staff.get(&path).await;
    assert!(page.contains("northwind-labs.example verified"), "{page}");
    let (_, _, page) = browser.get(&path).await;
    assert!(page.contains("Verified on"), "{page}");
    let (status, _, _) = browser
        .post(&format!("{path}/northwind-labs.example/withdrawal"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = browser.get(&path).await;
    assert!(page.contains("northwind-labs.example withdrawn."), "said once: {page}");
    let (_, _, page) = browser.get(&path).await;
    assert!(!page.contains("northwind-labs.example"), "withdrawn: {page}");
}

#[tokio::test]
async fn a_person_a_roster_invites_sees_the_invitation_at_home_and_joins_by_accepting() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm_id = app.create_firm(&staff, "Northwind Consulting").await;
    let admin = app
        .token_for("admin@northwind.example", Role::FirmAdmin { firm_id })
        .await;
    app.create_account("kim@freelance.example", Role::Consultant).await;
    import(
        &app,
        firm_id,
        "email,full_name,country\nkim@freelance.example,Kim Park,DE\n",
        &admin,
    )
    .await;

    let mut kim = Browser::signed_in(&app, "kim@freelance.example").await;
    let (_, _, home) = kim.get("/home").await;
    assert!(home.contains("Northwind Consulting invites you"), "{home}");
    let action = home
        .split("action=\"/invitations/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the answer form");
    let csrf = kim.csrf();
    let (status, _, _) = kim.post(&format!("/invitations/{action}"), &[("csrf", &csrf)]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no answer is no refusal either"
    );
    let (status, _, _) = kim
        .post(
            &format!("/invitations/{action}"),
            &[("csrf", &csrf), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, home) = kim.get("/home").await;
    assert!(!home.contains("invites you"), "answered: {home}");
    let members = app
        .get(&format!("/api/v1/firms/{firm_id}/consultants"), Some(&admin))
        .await
        .text()
        .await
        .expect("text");
    assert!(
        members.contains("kim@freelance.example") && members.contains("\"DE\""),
        "{members}"
    );

    // Answering twice, or someone else's invitation, finds nothing.
    let (status, _, _) = kim
        .post(
            &format!("/invitations/{action}"),
            &[("csrf", &csrf), ("answer", "decline")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Starts a roster post that announces a 60 MiB body but sends only the form's head (and the
/// token, when given), then waits for the answer: the status the server gives without the file.
async fn answer_without_the_file(app: &TestApp, cookies: &str, path: &str, token: Option<&str>) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connected");
    let boundary = "ROSTERBOUNDARY";
    let mut body = String::new();
    if let Some(token) = token {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n\
         Content-Type: text/csv\r\n\r\nemail,full_name\r\n"
    ));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookies}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        60 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    stream.write_all(body.as_bytes()).await.expect("sent");
    let mut answer = [0_u8; 12];
    tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_exact(&mut answer))
        .await
        .expect("answered before the file arrived")
        .expect("read");
    std::str::from_utf8(&answer[9..12])
        .expect("status")
        .parse()
        .expect("a number")
}

#[tokio::test]
async fn a_roster_post_is_refused_before_its_file_is_read_and_problems_quote_little() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let path = format!("/firms/{}/roster", portal.firm_id);
    app.create_account("lin@freelance.example", Role::Consultant).await;
    let mut lin = Browser::signed_in(&app, "lin@freelance.example").await;
    lin.get("/home").await;
    let token = lin.csrf();
    assert_eq!(
        answer_without_the_file(&app, &lin.cookie_header(), &path, Some(&token)).await,
        403
    );

    let mut admin = Browser::signed_in(&app, "admin@northwind.example").await;
    admin.get(&path).await;
    let cookies = admin.cookie_header();
    assert_eq!(
        answer_without_the_file(&app, &cookies, &path, None).await,
        403,
        "no token first"
    );
    assert_eq!(
        answer_without_the_file(&app, &cookies, &path, Some("forged")).await,
        403
    );

    // A 2 MiB column name and address are quoted in a few hundred characters.
    let huge = "x".repeat(2 * 1024 * 1024);
    let csv = format!("email,full_name,{huge}\n{huge}@northwind.example,Somebody\n");
    let csrf = admin.csrf();
    let (status, _, page) = admin
        .post_multipart(&path, roster_form(&csrf, "roster.csv", &csv))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("xxx…"),
        "the quote is cut: {}",
        &page[..page.len().min(2000)]
    );
    assert!(page.len() < 100_000, "a {} byte page", page.len());
}

/// How the token endpoint answers a client's id and secret.
async fn token_status(app: &TestApp, id: &str, secret: &str) -> StatusCode {
    app.client
        .post(app.url("/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("sent")
        .status()
}

/// The value of the read-only field `id` on a page.
fn field_value(page: &str, id: &str) -> String {
    let start = page.find(&format!(r#"id="{id}""#)).expect("the field");
    let value = &page[start..];
    let value = &value[value.find("value=\"").expect("a value") + 7..];
    value[..value.find('"').expect("closed")].to_owned()
}

#[tokio::test]
async fn a_firm_admin_creates_an_api_client_sees_its_secret_once_and_revokes_it() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let mut browser = Browser::signed_in(&app, "admin@northwind.example").await;
    let path = format!("/firms/{}/api-clients", portal.firm_id);
    let (status, _, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("no API clients yet"), "{page}");
    let csrf = browser.csrf();

    let (status, _, page) = browser
        .post(&path, &[("csrf", &csrf), ("name", "  "), ("scope", "roster:write")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="name-error""#), "{page}");
    assert!(
        page.contains(r#"value="roster:write" checked"#),
        "the ticked scope stays ticked: {page}"
    );
    let (status, _, page) = browser.post(&path, &[("csrf", &csrf), ("name", "HR")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="scopes-error""#), "{page}");
    let (_, _, page) = browser.post(&path, &[("name", "HR"), ("scope", "firm:read")]).await;
    assert!(!page.contains("client-secret"), "no client without the form token");

    let (status, _, page) = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Staffing system"),
                ("scope", "consultants:read"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = field_value(&page, "client-id");
    let secret = field_value(&page, "client-secret");
    assert!(secret.starts_with("ccs_"), "{secret}");
    assert_eq!(
        token_status(&app, &id, &secret).await,
        StatusCode::OK,
        "the secret on the page works"
    );

    let (_, _, page) = browser.get(&path).await;
    assert!(!page.contains(&secret), "the secret is shown only once");
    assert!(
        page.contains("Staffing system")
            && page.contains(r#"<code class="scope">consultants:read</code>"#)
            && !page.contains("Never"),
        "listed with its scope and when it was used: {page}"
    );

    let mut other = Browser::signed_in(&app, "admin@bluefield.example").await;
    let (status, _, _) = other.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another firm's clients are not found");

    let (status, headers, _) = browser
        .post(&format!("{path}/{id}/revocation"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, "location"), path);
    let (_, _, page) = browser.get(&path).await;
    assert!(page.contains("Revoked on"), "{page}");
    assert_eq!(
        token_status(&app, &id, &secret).await,
        StatusCode::UNAUTHORIZED,
        "a revoked client gets no token"
    );
}
