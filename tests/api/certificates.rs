//! Certificates end to end: issued by a pass, verified by anyone, revoked, expired, superseded.

use certify_accounts::Role;
use certify_certificates::keys::PublishedKey;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;

use crate::exams::{ExamSetup, answer, exam_setup, json_of, start, submit};
use crate::helpers::{TestApp, assert_problem, invalid_fields, spawn_app};

/// Staff (or whoever `token` belongs to) revoke certificate `id` for `reason`.
pub(crate) async fn revoke(app: &TestApp, id: impl std::fmt::Display, reason: &str, token: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/certificates/{id}/revocation"),
        &json!({ "reason": reason }),
        Some(token),
    )
    .await
}

/// Passes the setup's exam and returns the new certificate as the holder sees it.
pub(crate) async fn pass(app: &TestApp, setup: &ExamSetup) -> Value {
    let attempt = start(app, setup).await;
    answer(app, setup, &attempt, 5).await;
    assert_eq!(submit(app, setup, &attempt).await["result"]["passed"], true);
    let mine = json_of(app.get("/api/v1/me/certificates", Some(&setup.candidate)).await).await;
    mine[0].clone()
}

async fn verify(app: &TestApp, hash: &str) -> Value {
    json_of(app.get(&format!("/api/v1/verify/{hash}"), None).await).await
}

fn checks(verification: &Value) -> Vec<(String, bool)> {
    verification["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["passed"].as_bool().expect("passed"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_pass_issues_a_certificate_anyone_can_verify_without_an_account() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    assert_eq!(certificate["status"], "valid");
    assert_eq!(certificate["holder_name"], "Test Person");
    assert_eq!(certificate["achievement"], "AI Deployment");
    assert_eq!(
        certificate["expires_at"], "2028-11-22T09:00:00Z",
        "24 months after the pass"
    );
    let hash = certificate["hash"].as_str().expect("hash");
    assert_eq!(certificate["verify_url"], format!("{}/verify/{hash}", app.address));
    assert!(
        certificate["credential_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("urn:uuid:"))
    );
    let linkedin = certificate["linkedin_add_url"].as_str().expect("linkedin url");
    assert!(
        linkedin.starts_with("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"),
        "{linkedin}"
    );
    assert!(linkedin.contains("certId=urn%3Auuid%3A"), "{linkedin}");

    let verification = verify(&app, hash).await;
    assert_eq!(verification["status"], "valid");
    assert!(
        checks(&verification).iter().all(|(_, passed)| *passed),
        "{verification}"
    );
    assert_eq!(verification["holder_name"], "Test Person");
    assert_eq!(verification["issuer"], "Certify Test Programme");
    let upper = verify(&app, &hash.to_uppercase()).await;
    assert_eq!(upper["status"], "valid", "hashes copied in capitals still verify");

    let page = app.get(&format!("/verify/{hash}"), None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Valid certificate") && html.contains("Test Person"),
        "{html}"
    );
    for malformed in ["not-a-hash", "abc123", &"g".repeat(64)] {
        let page = app.get(&format!("/verify/{malformed}"), None).await;
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY, "as the API answers");
        let html = page.text().await.expect("html");
        assert!(html.contains("64 characters"), "{html}");
    }
}

#[tokio::test]
async fn the_credential_is_open_badges_signed_and_hides_the_email() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let credential = json_of(
        app.get(&format!("/api/v1/certificates/{id}/credential"), Some(&setup.candidate))
            .await,
    )
    .await;
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(
        credential["@context"][1],
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    );
    // A proof set: the JSON proof, and the RDF proof 1EdTech's conformance accepts.
    assert_eq!(credential["proof"][0]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(credential["proof"][1]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(
        credential["proof"][0]["verificationMethod"], credential["proof"][1]["verificationMethod"],
        "one key signs both"
    );
    assert!(
        !credential.to_string().contains("candidate@northwind.example"),
        "the e-mail never appears in clear"
    );
    let email_identifier = &credential["credentialSubject"]["identifier"][0];
    let salt = email_identifier["salt"].as_str().expect("salt");
    assert_eq!(
        email_identifier["identityHash"],
        certify_certificates::credential::identity_hash("candidate@northwind.example", salt)
    );

    // The hash printed on the certificate is the SHA-256 of the JCS form without the proof.
    assert_eq!(
        certify_certificates::proof::credential_hash(&credential)
            .expect("hash")
            .as_str(),
        certificate["hash"].as_str().expect("hash")
    );
    // And the proof verifies offline with nothing but the published JWK Set.
    let jwks = json_of(app.get("/.well-known/jwks.json", None).await).await;
    let keys = PublishedKey::from_jwks(&jwks);
    assert_eq!(keys.len(), 1);
    assert!(certify_certificates::proof::verify(&credential, &keys).is_ok());
    let issuer = json_of(app.get("/issuer", None).await).await;
    assert_eq!(issuer["verificationMethod"][0]["type"], "Multikey");
    assert_eq!(issuer["verificationMethod"][0]["publicKeyMultibase"], keys[0].id);
    assert_eq!(
        issuer["assertionMethod"][0], credential["proof"][0]["verificationMethod"],
        "the key the proof names is one the issuer asserts with"
    );
    // Both documents are valid JSON-LD with every term defined by their pinned contexts.
    certify_certificates::jsonld::dataset(&issuer, &[]).expect("the issuer profile");
    certify_certificates::jsonld::dataset(&credential, &[]).expect("the credential");
}

#[tokio::test]
async fn any_changed_byte_of_an_uploaded_credential_fails_with_a_reason() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let credential = json_of(
        app.get(&format!("/api/v1/certificates/{id}/credential"), Some(&setup.candidate))
            .await,
    )
    .await;

    let genuine = json_of(app.post_json("/api/v1/verify", &credential, None).await).await;
    assert_eq!(genuine["status"], "valid");
    assert!(
        genuine["checks"][1]["detail"]
            .as_str()
            .is_some_and(|detail| detail.starts_with("eddsa-jcs-2022 and eddsa-rdfc-2022 signature valid")),
        "an uploaded credential's proofs are all checked: {genuine}"
    );

    // The JSON proof intact, the RDF proof a wallet would check replaced: not valid.
    let mut wrong_rdf_proof = credential.clone();
    wrong_rdf_proof["proof"][1]["proofValue"] = credential["proof"][0]["proofValue"].clone();
    let verdict = json_of(app.post_json("/api/v1/verify", &wrong_rdf_proof, None).await).await;
    assert_ne!(verdict["status"], "valid", "{verdict}");
    assert_eq!(checks(&verdict)[1], ("signature".to_owned(), false), "{verdict}");

    let mut forged = credential.clone();
    forged["credentialSubject"]["identifier"][1]["identityHash"] = json!("Mallory Forger");
    let verdict = json_of(app.post_json("/api/v1/verify", &forged, None).await).await;
    assert_eq!(verdict["status"], "unknown");
    assert_eq!(
        checks(&verdict),
        [("hash_known".to_owned(), false), ("signature".to_owned(), false)]
    );
    assert!(
        verdict["checks"][1]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("altered"),
        "{verdict}"
    );
    assert!(
        verdict.get("holder_name").is_none(),
        "nothing of a forgery is vouched for"
    );

    let mut extended = credential;
    extended["validUntil"] = json!("2099-01-01T00:00:00Z");
    assert_eq!(
        json_of(app.post_json("/api/v1/verify", &extended, None).await).await["status"],
        "unknown"
    );
}

#[tokio::test]
async fn revocation_expiry_and_unknown_hashes_are_reported_as_such() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let (id, hash) = (
        certificate["id"].as_str().expect("id"),
        certificate["hash"].as_str().expect("hash"),
    );

    assert_eq!(
        verify(&app, hash).await["status"],
        "valid",
        "and its answer is now cached"
    );
    let consultant_try = revoke(&app, id, "mine", &setup.candidate).await;
    assert_problem(consultant_try, StatusCode::FORBIDDEN, "forbidden").await;
    let empty = revoke(&app, id, " ", &setup.staff).await;
    assert_eq!(
        invalid_fields(&assert_problem(empty, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await),
        ["reason"]
    );
    let revoked = revoke(&app, id, "Exam misconduct", &setup.staff).await;
    assert_eq!(json_of(revoked).await["status"], "revoked");
    let again = revoke(&app, id, "again", &setup.staff).await;
    assert_problem(again, StatusCode::CONFLICT, "invalid-state").await;

    let verification = verify(&app, hash).await;
    assert_eq!(verification["status"], "revoked");
    assert_eq!(verification["revocation_reason"], "Exam misconduct");
    assert_eq!(verification["revoked_at"], "2026-11-22T09:00:00Z");
    assert!(checks(&verification).contains(&("not_revoked".to_owned(), false)));

    let unknown = verify(&app, &"0".repeat(64)).await;
    assert_eq!(unknown["status"], "unknown");
    let malformed = app.get("/api/v1/verify/not-a-hash", None).await;
    assert_problem(malformed, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await;
}

#[tokio::test]
async fn certificates_expire_and_passing_again_supersedes_them() {
    let app = spawn_app().await;
    let policy = json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 10, "window_days": 365, "recertification_window_days": 3650});
    let mut setup = exam_setup(&app, Some(policy)).await;
    let first = pass(&app, &setup).await;
    let first_hash = first["hash"].as_str().expect("hash").to_owned();

    assert_eq!(
        verify(&app, &first_hash).await["status"],
        "valid",
        "and its answer is now cached"
    );
    app.clock.advance(Duration::days(2 * 365 + 1));
    let expired = verify(&app, &first_hash).await;
    assert_eq!(expired["status"], "expired");
    assert!(checks(&expired).contains(&("not_expired".to_owned(), false)));

    setup.sign_in_again(&app).await;
    let second = pass(&app, &setup).await;
    assert_eq!(second["status"], "valid");
    let old = verify(&app, &first_hash).await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"], second["verify_url"]);
    let mine = json_of(app.get("/api/v1/me/certificates", Some(&setup.candidate)).await).await;
    let statuses: Vec<&str> = mine
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["valid", "superseded"], "newest first");
}

#[tokio::test]
async fn old_certificates_still_verify_after_a_key_rotation() {
    use certify_core::Clock as _;

    let app = spawn_app().await;
    let policy = json!({"wait_after_first_fail_minutes": 0, "wait_after_later_fails_minutes": 0, "max_attempts_in_window": 10, "window_days": 365, "recertification_window_days": 3650});
    let setup = exam_setup(&app, Some(policy)).await;
    let before = pass(&app, &setup).await;
    let new_key = certify_certificates::key_store::rotate_signing_key(&app.db, app.clock.now())
        .await
        .expect("rotated");
    let after = pass(&app, &setup).await;

    let jwks = json_of(app.get("/.well-known/jwks.json", None).await).await;
    assert_eq!(
        jwks["keys"].as_array().map(Vec::len),
        Some(2),
        "the retired key stays published"
    );
    let after_id = after["id"].as_str().expect("id");
    let credential = json_of(
        app.get(
            &format!("/api/v1/certificates/{after_id}/credential"),
            Some(&setup.candidate),
        )
        .await,
    )
    .await;
    assert!(
        credential["proof"][0]["verificationMethod"]
            .as_str()
            .is_some_and(|m| m.ends_with(&new_key))
    );
    let old = verify(&app, before["hash"].as_str().expect("hash")).await;
    assert!(checks(&old).contains(&("signature".to_owned(), true)), "{old}");
}

#[tokio::test]
async fn only_the_holder_and_staff_read_a_certificate() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let other = app.token_for("other@northwind.example", Role::Consultant).await;
    for path in [
        format!("/api/v1/certificates/{id}"),
        format!("/api/v1/certificates/{id}/credential"),
    ] {
        assert_problem(app.get(&path, Some(&other)).await, StatusCode::NOT_FOUND, "not-found").await;
        assert_eq!(app.get(&path, Some(&setup.staff)).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn the_offline_verifier_checks_files_and_asks_the_server_about_standing() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let credential = json_of(
        app.get(&format!("/api/v1/certificates/{id}/credential"), Some(&setup.candidate))
            .await,
    )
    .await;
    let jwks = json_of(app.get("/.well-known/jwks.json", None).await).await;
    let dir = tempfile::tempdir().expect("dir");
    let (credential_file, keys_file, forged_file) = (
        dir.path().join("credential.json"),
        dir.path().join("jwks.json"),
        dir.path().join("forged.json"),
    );
    std::fs::write(&credential_file, credential.to_string()).expect("written");
    std::fs::write(&keys_file, jwks.to_string()).expect("written");
    let mut forged = credential.clone();
    forged["name"] = json!("Chief Everything Officer");
    std::fs::write(&forged_file, forged.to_string()).expect("written");

    let run = |args: Vec<String>| {
        let binary = env!("CARGO_BIN_EXE_certify");
        tokio::task::spawn_blocking(move || std::process::Command::new(binary).args(args).output().expect("runs"))
    };
    let path = |p: &std::path::Path| p.display().to_string();
    let offline = run(vec![
        "verify".into(),
        path(&credential_file),
        "--keys".into(),
        path(&keys_file),
    ])
    .await
    .expect("joined");
    let stdout = String::from_utf8_lossy(&offline.stdout);
    assert!(offline.status.success(), "{stdout}");
    assert!(
        stdout.contains(certificate["hash"].as_str().expect("hash")) && stdout.contains("VALID"),
        "{stdout}"
    );

    let online = run(vec![
        "verify".into(),
        path(&credential_file),
        "--server".into(),
        app.address.clone(),
    ])
    .await
    .expect("joined");
    assert!(online.status.success(), "{}", String::from_utf8_lossy(&online.stdout));

    let tampered = run(vec![
        "verify".into(),
        path(&forged_file),
        "--keys".into(),
        path(&keys_file),
    ])
    .await
    .expect("joined");
    assert_eq!(tampered.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&tampered.stdout).contains("altered"));

    revoke(&app, id, "Withdrawn", &setup.staff).await;
    let revoked = run(vec![
        "verify".into(),
        path(&credential_file),
        "--server".into(),
        app.address.clone(),
    ])
    .await
    .expect("joined");
    assert_eq!(revoked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("`revoked`"));

    let no_keys = run(vec!["verify".into(), path(&credential_file)])
        .await
        .expect("joined");
    assert_eq!(no_keys.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_keys.stderr).starts_with("error: give --keys"));
}

#[tokio::test]
async fn look_ups_are_rate_limited_per_client_address() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.verify_requests_per_second = 1;
        settings.verify_burst = 3;
    })
    .await;
    let hash = "0".repeat(64);
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("/api/v1/verify/{hash}"), None).await.status(),
            StatusCode::OK
        );
    }
    let limited = app.get(&format!("/api/v1/verify/{hash}"), None).await;
    assert!(limited.headers().contains_key("retry-after"), "{:?}", limited.headers());
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too-many-requests").await;
    assert_eq!(
        app.get(&format!("/verify/{hash}"), None).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the page shares the budget"
    );
    assert_eq!(
        app.get("/healthz", None).await.status(),
        StatusCode::OK,
        "other routes are not limited"
    );
}

#[tokio::test]
async fn a_name_correction_reissues_with_the_original_dates_and_is_recorded() {
    let app = spawn_app().await;
    let mut setup = exam_setup(&app, None).await;
    let original = pass(&app, &setup).await;
    let id = original["id"].as_str().expect("id");
    app.clock.advance(Duration::days(30));
    setup.sign_in_again(&app).await;
    let staff = app.log_in("staff@certify.example", crate::helpers::PASSWORD).await;

    let consultant_try = app
        .post_json(
            &format!("/api/v1/certificates/{id}/name-correction"),
            &json!({"holder_name": "Me"}),
            Some(&setup.candidate),
        )
        .await;
    assert_problem(consultant_try, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app
        .post_json(
            &format!("/api/v1/certificates/{id}/name-correction"),
            &json!({"holder_name": "Adaeze Okafor"}),
            Some(&staff),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let corrected = json_of(response).await;
    assert_eq!(corrected["holder_name"], "Adaeze Okafor");
    assert_eq!(
        (&corrected["issued_at"], &corrected["expires_at"]),
        (&original["issued_at"], &original["expires_at"]),
        "original dates"
    );
    assert_ne!(corrected["hash"], original["hash"]);

    let old = verify(&app, original["hash"].as_str().expect("hash")).await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"], corrected["verify_url"]);
    let again = app
        .post_json(
            &format!("/api/v1/certificates/{id}/name-correction"),
            &json!({"holder_name": "X"}),
            Some(&staff),
        )
        .await;
    let problem = assert_problem(again, StatusCode::CONFLICT, "invalid-state").await;
    assert_eq!(
        problem["current_certificate_id"], corrected["id"],
        "names the current one"
    );
    // Revoking the superseded certificate would change nothing a verifier sees: refused alike.
    let revoked_old = assert_problem(
        revoke(&app, id, "Shared exam content", &staff).await,
        StatusCode::CONFLICT,
        "invalid-state",
    )
    .await;
    assert_eq!(revoked_old["current_certificate_id"], corrected["id"]);
    assert_eq!(
        verify(&app, corrected["hash"].as_str().expect("hash")).await["status"],
        "valid"
    );

    let history = json_of(
        app.get(&format!("/api/v1/certificates/{id}/history"), Some(&staff))
            .await,
    )
    .await;
    let kinds: Vec<&str> = history
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["issued", "superseded"]);
    assert_eq!(history[0]["actor_id"], Value::Null, "issued by the platform on a pass");
    let staff_id = json_of(app.get("/api/v1/me", Some(&staff)).await).await["id"].clone();
    assert_eq!(history[1]["actor_id"], staff_id, "the correction names who made it");
    assert_eq!(history[1]["at"], "2026-12-22T09:00:00Z");
}

#[tokio::test]
async fn a_tracks_validity_decides_when_its_certificates_expire() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let patched = app
        .patch_json(
            &format!("/api/v1/tracks/{}", setup.track_id),
            &json!({"certificate_validity_months": 12}),
            &setup.staff,
        )
        .await;
    assert_eq!(json_of(patched).await["certificate_validity_months"], 12);
    let bad = app
        .patch_json(
            &format!("/api/v1/tracks/{}", setup.track_id),
            &json!({"certificate_validity_months": 0}),
            &setup.staff,
        )
        .await;
    assert_eq!(
        invalid_fields(&assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation-failed").await),
        ["certificate_validity_months"]
    );
    let certificate = pass(&app, &setup).await;
    assert_eq!(certificate["expires_at"], "2027-11-22T09:00:00Z");
}

#[tokio::test]
async fn a_revocation_reaches_the_cached_answers_of_every_instance() {
    let app = spawn_app().await;
    let other = app.start_other_instance().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let hash = certificate["hash"].as_str().expect("hash");
    let verify_on = |address: String| {
        let client = app.client.clone();
        let url = format!("{address}/api/v1/verify/{hash}");
        async move { json_of(client.get(url).send().await.expect("sent")).await }
    };
    // Both instances now hold the answer "valid" in their caches.
    for _ in 0..2 {
        assert_eq!(verify_on(app.address.clone()).await["status"], "valid");
        assert_eq!(verify_on(other.address.clone()).await["status"], "valid");
    }

    let id = certificate["id"].as_str().expect("id");
    let revoked = revoke(&app, id, "Exam misconduct", &setup.staff).await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(
        verify_on(app.address.clone()).await["status"],
        "revoked",
        "the instance that revoked answers so at once"
    );
    let mut seen_by_other = verify_on(other.address.clone()).await;
    for _ in 0..40 {
        if seen_by_other["status"] == "revoked" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        seen_by_other = verify_on(other.address.clone()).await;
    }
    assert_eq!(
        seen_by_other["status"], "revoked",
        "the other instance follows the change feed within two seconds"
    );
    assert_eq!(seen_by_other["revocation_reason"], "Exam misconduct");

    // Expiry needs no change at all: it is decided on each request from the clock.
    app.clock.advance(Duration::days(2 * 366));
    assert_eq!(verify_on(app.address.clone()).await["checks"][4]["passed"], false);
}
