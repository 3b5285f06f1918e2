//! Staff exports: a filtered CSV of certificates and a ZIP of their PDFs.

use std::io::Read as _;

use certify_accounts::Role;
use certify_certificates::IssueRequest;
use certify_core::Clock as _;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::certificates::revoke;
use crate::exams::exam_setup;
use crate::helpers::{TestApp, assert_problem, invalid_fields, spawn_app};

/// Issues certificates of `track_id` to `holders` new consultants, straight through the domain.
async fn issue(app: &TestApp, track_id: Uuid, holders: &[&str]) -> Vec<Uuid> {
    let issuer = app.issuer();
    let mut ids = Vec::new();
    for email in holders {
        let account = app.create_account(email, Role::Consultant).await;
        let request = IssueRequest {
            account_id: account.id,
            achievement: app.achievement(track_id).await,
            attempt_id: None,
            earned_at: None,
        };
        let certificate = certify_certificates::issue_certificate(&app.db, app.clock.now(), &issuer, request)
            .await
            .expect("issued");
        ids.push(certificate.id);
    }
    ids
}

async fn csv_rows(app: &TestApp, query: &str, token: &str) -> Vec<csv::StringRecord> {
    let response = app
        .get(&format!("/api/v1/certificates/export.csv{query}"), Some(token))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let body = response.bytes().await.expect("body");
    let mut reader = csv::Reader::from_reader(&body[..]);
    assert_eq!(reader.headers().expect("header").get(0), Some("certificate_id"));
    reader.records().map(|r| r.expect("a CSV row")).collect()
}

#[tokio::test]
async fn the_certificates_export_never_hands_a_spreadsheet_a_formula() {
    use certify_accounts::{NewAccount, Password};
    use certify_core::{DisplayName, Email};

    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let account = certify_accounts::create_account(
        &app.db,
        app.clock.now(),
        NewAccount {
            email: Email::parse("formula@example.com").expect("email"),
            display_name: DisplayName::parse("=HYPERLINK(\"http://evil.example\",\"x\")").expect("name"),
            role: Role::Consultant,
            password: Some(Password::parse(crate::helpers::PASSWORD, &[]).expect("password")),
            must_change_password: false,
        },
    )
    .await
    .expect("account");
    let request = IssueRequest {
        account_id: account.id,
        achievement: app.achievement(setup.track_id).await,
        attempt_id: None,
        earned_at: None,
    };
    let certificate = certify_certificates::issue_certificate(&app.db, app.clock.now(), &app.issuer(), request)
        .await
        .expect("issued");
    let revoked = revoke(&app, certificate.id, "-cmd|' /C calc'!A0", &setup.staff).await;
    assert_eq!(revoked.status(), StatusCode::OK);

    let rows = csv_rows(&app, "", &setup.staff).await;
    assert_eq!(&rows[0][3], "'=HYPERLINK(\"http://evil.example\",\"x\")");
    assert_eq!(&rows[0][11], "'-cmd|' /C calc'!A0");
}

#[tokio::test]
async fn staff_export_a_filtered_csv_of_certificates() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let ids = issue(
        &app,
        setup.track_id,
        &["a@example.com", "b@example.com", "c@example.com"],
    )
    .await;
    let revoked = revoke(&app, ids[1], "Identity fraud, confirmed", &setup.staff).await;
    assert_eq!(revoked.status(), StatusCode::OK);

    let all = csv_rows(&app, "", &setup.staff).await;
    let listed: Vec<String> = all.iter().map(|row| row[0].to_owned()).collect();
    assert_eq!(
        listed,
        ids.iter().map(Uuid::to_string).collect::<Vec<_>>(),
        "in issue order"
    );
    let revoked_row = &all[1];
    assert_eq!(&revoked_row[9], "revoked");
    assert_eq!(&revoked_row[11], "Identity fraud, confirmed", "commas survive quoting");
    assert_eq!(&all[0][9], "valid");
    assert!(all[0][14].ends_with(&format!("/verify/{}", &all[0][13])));

    let only_revoked = csv_rows(&app, "?status=revoked", &setup.staff).await;
    assert_eq!(only_revoked.len(), 1);
    assert_eq!(&only_revoked[0][0], ids[1].to_string());
    let other_track = csv_rows(&app, &format!("?track_id={}", Uuid::now_v7()), &setup.staff).await;
    assert!(other_track.is_empty());
    assert_eq!(
        csv_rows(&app, "?issued_from=2026-11-22&issued_until=2026-11-22", &setup.staff)
            .await
            .len(),
        3
    );
    assert!(csv_rows(&app, "?issued_from=2026-11-23", &setup.staff).await.is_empty());

    let bad = app
        .get(
            "/api/v1/certificates/export.csv?status=lapsed&issued_from=22/11/2026",
            Some(&setup.staff),
        )
        .await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
    assert_eq!(invalid_fields(&problem), ["status", "issued_from"]);

    let consultant = app.token_for("d@example.com", Role::Consultant).await;
    let refused = app.get("/api/v1/certificates/export.csv", Some(&consultant)).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn staff_export_the_pdfs_as_one_zip() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let ids = issue(&app, setup.track_id, &["a@example.com", "b@example.com"]).await;

    let response = app.get("/api/v1/certificates/export.zip", Some(&setup.staff)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let body = response.bytes().await.expect("body");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).expect("a valid ZIP");
    let names: Vec<String> = archive
        .file_names()
        .map(|name| name.expect("a UTF-8 name").into_owned())
        .collect();
    assert_eq!(
        names,
        ids.iter().map(|id| format!("certificate-{id}.pdf")).collect::<Vec<_>>()
    );
    for (index, id) in ids.iter().enumerate() {
        let mut pdf = Vec::new();
        archive
            .by_index(index)
            .expect("entry")
            .read_to_end(&mut pdf)
            .expect("read");
        let downloaded = app
            .get(&format!("/api/v1/certificates/{id}/pdf"), Some(&setup.staff))
            .await
            .bytes()
            .await
            .expect("pdf");
        assert_eq!(pdf, downloaded.to_vec(), "the same bytes as the single download");
    }

    let none = app
        .get("/api/v1/certificates/export.zip?status=revoked", Some(&setup.staff))
        .await;
    let archive = zip::ZipArchive::new(std::io::Cursor::new(none.bytes().await.expect("body").to_vec()))
        .expect("an empty but valid ZIP");
    assert_eq!(archive.len(), 0);
}
