//! Every route of the web router, walked as every kind of visitor: who may open a page is
//! decided by its audience, and a refusal reads the same on every page of that audience, so no
//! page can tell a stranger more than another.

use std::collections::BTreeMap;

use certify_accounts::Role;
use certify_core::Clock as _;
use certify_web::routing::{Audience, PageRoute};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use crate::page_client::{Browser, header};

/// Northwind (whose pages are walked), Bluefield (whose administrator tries them) and one
/// account of each kind.
struct Visitors {
    northwind: Uuid,
}

async fn visitors(app: &TestApp) -> Visitors {
    let staff = app.staff_token().await;
    let northwind = app.create_firm(&staff, "Northwind Consulting").await;
    let bluefield = app.create_firm(&staff, "Bluefield Systems").await;
    app.create_account("ada@northwind.example", Role::Consultant).await;
    app.create_account("admin@bluefield.example", Role::FirmAdmin { firm_id: bluefield })
        .await;
    app.create_account("programme@certify.example", Role::ProgrammeStaff)
        .await;
    Visitors { northwind }
}

/// An address for `route`, its parameters filled with `firm` and ids of nothing.
fn address(route: &PageRoute, firm: Uuid) -> String {
    let nothing = "0190a4c2-0000-7000-8000-000000000000";
    route
        .path
        .replace("{firm_id}", &firm.to_string())
        .replace("{domain}", "northwind.example")
        .replace("{kind}", "tracks")
        .replace("{position}", "1")
        .replace("{account_id}", nothing)
        .replace("{client_id}", nothing)
        .replace("{id}", nothing)
}

/// What `browser` gets from `route`; a post carries the page's own form token.
async fn answer(browser: &mut Browser<'_>, route: &PageRoute, firm: Uuid) -> (StatusCode, String, String) {
    let path = address(route, firm);
    let (status, headers, body) = if route.method == reqwest::Method::GET {
        browser.get(&path).await
    } else {
        let csrf = browser.csrf();
        browser.post(&path, &[("csrf", &csrf)]).await
    };
    (status, header(&headers, "location").to_owned(), body)
}

fn routes_for(audiences: &[Audience]) -> Vec<PageRoute> {
    let routes: Vec<PageRoute> = certify_web::page_routes()
        .into_iter()
        .filter(|route| audiences.contains(&route.audience))
        .collect();
    assert!(!routes.is_empty(), "no routes for {audiences:?}");
    routes
}

/// Asserts every route of `audiences` answers `browser` with `status` and one and the same page.
async fn same_refusal_everywhere(
    browser: &mut Browser<'_>,
    who: &str,
    audiences: &[Audience],
    firm: Uuid,
    status: StatusCode,
) -> String {
    let mut pages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for route in routes_for(audiences) {
        let (got, _, body) = answer(browser, &route, firm).await;
        assert_eq!(got, status, "{who}: {} {}", route.method, route.path);
        pages
            .entry(body)
            .or_default()
            .push(format!("{} {}", route.method, route.path));
    }
    assert_eq!(
        pages.len(),
        1,
        "{who} got {} different pages: {:?}",
        pages.len(),
        pages.values().collect::<Vec<_>>()
    );
    pages.into_keys().next().expect("one page")
}

#[tokio::test]
async fn a_stranger_is_sent_to_sign_in_from_every_page_that_needs_an_account() {
    let app = spawn_app().await;
    let visitors = visitors(&app).await;
    let mut stranger = Browser::new(&app);
    stranger.get("/sign-in").await;
    let walked = routes_for(&[Audience::SignedIn, Audience::Learner, Audience::Firm, Audience::Staff]);
    for route in &walked {
        let (status, location, _) = answer(&mut stranger, route, visitors.northwind).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{} {}", route.method, route.path);
        assert!(
            location.starts_with("/sign-in?next="),
            "{} {} sent the stranger to {location}",
            route.method,
            route.path
        );
    }
    assert!(walked.len() >= 50, "only {} routes walked", walked.len());
}

#[tokio::test]
async fn a_consultant_gets_one_refusal_on_every_staff_page_and_every_firm_page() {
    let app = spawn_app().await;
    let visitors = visitors(&app).await;
    let mut ada = Browser::signed_in(&app, "ada@northwind.example").await;
    let staff = same_refusal_everywhere(
        &mut ada,
        "a consultant",
        &[Audience::Staff],
        visitors.northwind,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(staff.contains("only programme staff"), "{staff}");
    let firm = same_refusal_everywhere(
        &mut ada,
        "a consultant",
        &[Audience::Firm],
        visitors.northwind,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(firm.contains("firm"), "{firm}");
}

#[tokio::test]
async fn another_firms_admin_finds_no_such_firm_on_every_firm_page() {
    let app = spawn_app().await;
    let visitors = visitors(&app).await;
    let mut admin = Browser::signed_in(&app, "admin@bluefield.example").await;
    let northwind = same_refusal_everywhere(
        &mut admin,
        "Bluefield's administrator",
        &[Audience::Firm],
        visitors.northwind,
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = Uuid::now_v7();
    let nowhere = same_refusal_everywhere(
        &mut admin,
        "Bluefield's administrator",
        &[Audience::Firm],
        missing,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        northwind.replace(&visitors.northwind.to_string(), "FIRM"),
        nowhere.replace(&missing.to_string(), "FIRM"),
        "Northwind's pages read exactly as a firm that does not exist"
    );
    same_refusal_everywhere(
        &mut admin,
        "Bluefield's administrator",
        &[Audience::Staff],
        visitors.northwind,
        StatusCode::FORBIDDEN,
    )
    .await;
    same_refusal_everywhere(
        &mut admin,
        "Bluefield's administrator",
        &[Audience::Learner],
        visitors.northwind,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn programme_staff_get_one_refusal_on_every_learners_action() {
    let app = spawn_app().await;
    let visitors = visitors(&app).await;
    let mut staff = Browser::signed_in(&app, "programme@certify.example").await;
    let page = same_refusal_everywhere(
        &mut staff,
        "programme staff",
        &[Audience::Learner],
        visitors.northwind,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(page.contains("only consultants"), "{page}");
}

#[tokio::test]
async fn someone_whose_password_was_chosen_for_them_can_open_only_their_account_first() {
    let app = spawn_app().await;
    let visitors = visitors(&app).await;
    let new = certify_accounts::NewAccount {
        email: certify_core::Email::parse("new@certify.example").expect("email"),
        display_name: certify_core::DisplayName::parse("New Staff").expect("name"),
        role: Role::ProgrammeStaff,
        password: Some(certify_accounts::Password::parse(crate::helpers::PASSWORD, &[]).expect("password")),
        must_change_password: true,
    };
    certify_accounts::create_account(&app.db, app.clock.now(), new)
        .await
        .expect("account");
    let mut newcomer = Browser::signed_in(&app, "new@certify.example").await;
    let (status, _, page) = newcomer.get("/account").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Choose your own before you go on"), "{page}");
    for route in routes_for(&[Audience::SignedIn, Audience::Learner, Audience::Firm, Audience::Staff]) {
        let (status, location, _) = answer(&mut newcomer, &route, visitors.northwind).await;
        // The account's own pages stay open: what each does is tested with them.
        if !route.path.starts_with("/account") {
            assert_eq!(
                (status, location.as_str()),
                (StatusCode::SEE_OTHER, "/account"),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
