//! The web edge over plain HTTP, where no browser is needed: security headers, cookie flags,
//! the sign-in form's errors, cross-site request forgery refused, sign-out ending the session.

use certify_accounts::Role;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

use crate::helpers::{PASSWORD, spawn_app};
use crate::page_client::{Browser, header};

#[tokio::test]
async fn every_page_carries_the_security_headers_and_the_landing_page_shows_the_count() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    for path in ["/", "/sign-in", "/no-such-page"] {
        let (status, headers, body) = browser.get(path).await;
        assert_eq!(
            status,
            if path == "/no-such-page" {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            },
            "{path}"
        );
        assert!(header(&headers, "content-type").starts_with("text/html"), "{path}");
        let csp = header(&headers, "content-security-policy");
        assert!(
            csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("'unsafe-inline'"),
            "no inline script or style: {path}: {csp}"
        );
        assert!(!body.contains(" style=\""), "no inline style attribute: {path}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&headers, "referrer-policy"), "same-origin", "{path}");
        assert_eq!(header(&headers, "cache-control"), "no-store", "{path}");
        assert!(
            body.contains("<html lang=\"en\">") && body.contains("Skip to content"),
            "{path}"
        );
    }
    let (_, _, landing) = browser.get("/").await;
    assert!(
        landing.contains("Certified consultants") && landing.contains("of 300,000 by"),
        "{landing}"
    );
    let (status, headers, _) = browser.get("/api/v1/no-such-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        header(&headers, "content-type"),
        "application/problem+json",
        "the API keeps its problems"
    );
    let (status, headers, css) = browser.get("/assets/style.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/css") && css.contains("--primary"));
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(&headers, "cache-control"), "public, max-age=3600");
}

#[tokio::test]
async fn signing_in_sets_a_protected_cookie_and_signing_out_ends_the_session() {
    let app = spawn_app().await;
    app.create_account("lin@northwind.example", Role::Consultant).await;
    let mut browser = Browser::new(&app);

    let (status, headers, _) = browser.get("/home").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a page that needs an account sends people to sign in"
    );
    assert_eq!(header(&headers, "location"), "/sign-in?next=%2Fhome");

    let (_, headers, form) = browser.get("/sign-in?next=/home").await;
    let csrf_cookie = header(&headers, "set-cookie");
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"),
        "{csrf_cookie}"
    );
    assert!(
        form.contains(&format!("value=\"{}\"", browser.csrf())),
        "the form carries the token"
    );

    let (status, headers, _) = browser.sign_in("lin@northwind.example", "/home").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, LOCATION.as_str()), "/home");
    let session = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("certify_session="))
        .expect("a session cookie")
        .to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    assert!(!session.contains("Secure"), "plain http in tests: no Secure flag");

    let (status, _, home) = browser.get("/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Welcome, Test Person") && home.contains("Consultant"),
        "{home}"
    );
    let copied = browser.cookies.get("certify_session").cloned().expect("session");

    let csrf = browser.csrf();
    let (status, headers, _) = browser.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, LOCATION.as_str()), "/");
    assert!(
        !browser.cookies.contains_key("certify_session"),
        "the cookie is forgotten"
    );

    // The old cookie, replayed, no longer works: the session was revoked on the server.
    browser.cookies.insert("certify_session".to_owned(), copied);
    let (status, _, _) = browser.get("/home").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_form_without_this_sites_token_changes_nothing() {
    let app = spawn_app().await;
    app.create_account("lin@northwind.example", Role::Consultant).await;
    let mut browser = Browser::new(&app);
    browser.get("/sign-in").await;
    for forged in ["", "0000", "not-the-token"] {
        let (status, headers, page) = browser
            .post(
                "/sign-in",
                &[
                    ("email", "lin@northwind.example"),
                    ("password", PASSWORD),
                    ("csrf", forged),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{forged:?}");
        assert!(page.contains("This form could not be accepted") && page.contains("Nothing was changed"));
        assert!(headers.get(SET_COOKIE).is_none(), "no session for a forged form");
    }
    // Another site's page posting the right token is refused by its origin.
    let csrf = browser.csrf();
    let response = browser
        .client
        .post(app.url("/sign-in"))
        .header("cookie", browser.cookie_header())
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "lin@northwind.example"),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_form_token_is_bound_to_the_session_and_renewed_at_sign_in() {
    let app = spawn_app().await;
    app.create_account("lin@northwind.example", Role::Consultant).await;
    app.create_account("eve@northwind.example", Role::Consultant).await;
    let mut browser = Browser::new(&app);
    browser.get("/sign-in").await;
    let before = browser.csrf();
    browser.sign_in("lin@northwind.example", "/home").await;
    let after = browser.csrf();
    assert_ne!(before, after, "signing in issues a new form token");

    // Someone who planted the token from before sign-in (or their own session's) in Lin's
    // browser cannot post as her.
    let mut eve = Browser::signed_in(&app, "eve@northwind.example").await;
    eve.get("/home").await;
    for planted in [before, eve.csrf()] {
        browser.cookies.insert("certify_csrf".to_owned(), planted.clone());
        let (status, _, page) = browser.post("/account/sessions/others", &[("csrf", &planted)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{planted}: {page}");
    }
    browser.cookies.insert("certify_csrf".to_owned(), after.clone());
    let (status, _, _) = browser.post("/account/sessions/others", &[("csrf", &after)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "her own session's token works");
}

#[tokio::test]
async fn wrong_credentials_keep_the_address_and_say_the_same_for_unknown_accounts() {
    let app = spawn_app().await;
    app.create_account("lin@northwind.example", Role::Consultant).await;
    let mut browser = Browser::new(&app);
    browser.get("/sign-in").await;
    let csrf = browser.csrf();
    let mut pages = Vec::new();
    for email in ["lin@northwind.example", "nobody@northwind.example"] {
        let (status, _, page) = browser
            .post(
                "/sign-in",
                &[("email", email), ("password", "wrong password!"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(page.contains(&format!("value=\"{email}\"")), "the address is kept");
        pages.push(page.replace(email, "EMAIL"));
    }
    assert_eq!(
        pages[0], pages[1],
        "an unknown address reads exactly like a wrong password"
    );
    assert!(pages[0].contains("do not match an account"));

    let (status, _, page) = browser
        .post(
            "/sign-in",
            &[("email", "not an address"), ("password", ""), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"email-error\"") && page.contains("id=\"password-error\""),
        "{page}"
    );
    assert!(page.contains("value=\"not an address\""));

    // After sign-in, only a path of this site is followed.
    let (status, headers, _) = browser.sign_in("lin@northwind.example", "//evil.example/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, LOCATION.as_str()), "/home");
}

#[tokio::test]
async fn the_verify_pages_lead_with_a_sentence_and_find_certificates_by_either_code() {
    use certify_core::Clock as _;

    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let track = app.published_track(&staff, &[1]).await;
    let holder = app.create_account("lin@northwind.example", Role::Consultant).await;
    let request = certify_certificates::IssueRequest {
        account_id: holder.id,
        achievement: app.achievement(track.track_id).await,
        attempt_id: None,
        earned_at: None,
    };
    let certificate = certify_certificates::issue_certificate(&app.db, app.clock.now(), &app.issuer(), request)
        .await
        .expect("issued");
    let mut browser = Browser::new(&app);

    let (status, _, page) = browser.get(&format!("/verify/{}", certificate.hash)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This certificate is genuine and valid."), "{page}");
    assert!(page.contains("Test Person holds"), "who holds what, in one sentence");
    assert!(page.contains("<summary>Technical details</summary>") && page.contains("eddsa-jcs-2022"));

    // The form finds it by its hash and by its credential id, and says what a code looks like.
    let credential_id = certificate.credential_id.clone();
    for code in [
        certificate.hash.to_string(),
        credential_id.clone(),
        credential_id.replace("urn:uuid:", ""),
    ] {
        let (status, headers, _) = browser.get(&format!("/verify?code={code}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{code}");
        assert_eq!(header(&headers, "location"), format!("/verify/{}", certificate.hash));
    }
    let (status, _, page) = browser.get("/verify?code=not-a-code").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"code-error\"") && page.contains("value=\"not-a-code\""),
        "{page}"
    );
    let (status, _, page) = browser
        .get(&format!("/verify?code=urn:uuid:{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("We have no certificate with this code."));

    let (status, _, page) = browser.get(&format!("/verify/{}", "ab".repeat(32))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("We have no certificate with this code."));

    let revoked = app
        .post_json(
            &format!("/api/v1/certificates/{}/revocation", certificate.id),
            &serde_json::json!({"reason": "Shared exam content"}),
            Some(&staff),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let (_, _, page) = browser.get(&format!("/verify/{}", certificate.hash)).await;
    assert!(
        page.contains("This certificate was revoked on") && page.contains("Shared exam content"),
        "{page}"
    );
}

/// Firm sign-in starts are open to anyone and each would store a sign-in in progress: one address
/// may start sixty at once, then one a second, and the place to return to is bounded.
#[tokio::test]
async fn firm_sign_in_starts_are_throttled_per_address() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.get("/sign-in").await;
    let csrf = browser.csrf();
    let next = format!("/verify?{}", "a".repeat(256 * 1024));
    let mut statuses = Vec::new();
    for _ in 0..61 {
        let form = [
            ("csrf", csrf.as_str()),
            ("firm_email", "ada@nowhere.example"),
            ("next", &next),
        ];
        let (status, _, page) = browser.post("/sign-in/firm", &form).await;
        assert!(
            !page.contains(&"a".repeat(4096)),
            "a quarter megabyte of `next` is not echoed"
        );
        statuses.push(status);
    }
    assert!(
        statuses[..60]
            .iter()
            .all(|status| *status == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    assert_eq!(statuses[60], StatusCode::TOO_MANY_REQUESTS);
}

/// One header layer covers every answer: nothing is sniffed or framed, data may load nothing,
/// personal data is never stored by a browser or a proxy, and the documentation gets a policy of
/// its own.
#[tokio::test]
async fn every_answer_carries_the_protective_headers() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let data = [
        "/api/v1/me",
        "/api/v1/accounts",
        "/.well-known/jwks.json",
        "/issuer",
        "/openapi.json",
        "/api/v1/progress",
        "/api/v1/nothing-here",
    ];
    for path in data {
        let answer = app.get(path, Some(&staff)).await;
        let headers = answer.headers();
        assert_eq!(header(headers, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(headers, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(headers, "cache-control"), "no-store", "{path}");
        assert!(
            header(headers, "content-security-policy").starts_with("default-src 'none'"),
            "{path}"
        );
        assert!(
            header(headers, "strict-transport-security").is_empty(),
            "not over plain http"
        );
    }
    let token = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("sent");
    assert_eq!(header(token.headers(), "x-content-type-options"), "nosniff");
    for path in ["/docs/", "/problems/not-found"] {
        let answer = app.get(path, None).await;
        let policy = header(answer.headers(), "content-security-policy").to_owned();
        assert!(
            policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"),
            "{path}: {policy}"
        );
        assert_eq!(header(answer.headers(), "x-frame-options"), "DENY", "{path}");
    }
}

/// Reached over https, every answer promises browsers to come back only over https.
#[tokio::test]
async fn an_https_deployment_sends_strict_transport_security_everywhere() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.public_base_url = Some("https://certify.example".to_owned());
    })
    .await;
    for path in ["/", "/api/v1/progress", "/verify", "/docs/"] {
        let answer = app.get(path, None).await;
        assert_eq!(
            header(answer.headers(), "strict-transport-security"),
            "max-age=31536000",
            "{path}"
        );
    }
}
