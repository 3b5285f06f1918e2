//! certify-web: the pages people use, rendered on the server. A second edge beside the JSON
//! API, not a client of it: handlers call the same domain functions with the same
//! [`certify_api::AppState`], and map the same domain errors (through `certify_api::ApiError`)
//! to pages instead of problem documents.
//!
//! * [`session`] carries the API's opaque session token in a cookie and turns it into a
//!   [`session::Visitor`]; [`csrf`] guards every form that changes something.
//! * [`pages`] holds the handlers, each building a small view that a template (under
//!   `templates/`, checked by the compiler) lays out.
//! * [`security_headers`] are what a page's answer carries beyond the headers the whole
//!   application sets (`certify_api::app`: nosniff, no framing, `no-store`, HSTS).

mod chart;
pub mod csrf;
mod error;
mod extract;
mod markdown;
pub mod pages;
pub mod session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use certify_api::AppState;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::PageError;
use pages::{
    accounts_admin, api_clients, blueprint_editor, breakdowns, catalogue_admin, catalogue_new, certificates, domains,
    exam, exam_admin, firm, firm_staff, firms, learning, roster, staff_certificates,
};

/// The stylesheet every page uses, compiled into the binary.
const STYLESHEET: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/style.css"));
/// Keeps the landing page's count live; the page works without it.
const LIVE_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/live.js"));
/// Drag and drop onto the verify form, and the result's print link; both work without it.
const VERIFY_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/verify.js"));
/// Drag and drop and progress for upload forms; they work without it.
const UPLOAD_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/upload.js"));
/// The exam's countdown and autosave; the exam works without it.
const EXAM_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/exam.js"));

/// Scripts and styles only from this server, nothing inline (bars are SVG rectangles whose width
/// is an attribute, not a style), nothing may frame a page, forms post only here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// [`CONTENT_SECURITY_POLICY`] for a page whose forms may also lead to `origins`: a form's
/// redirect is held to `form-action` too, so the sign-in page names the firms' providers.
pub(crate) fn content_security_policy_with_form_targets<'a>(origins: impl IntoIterator<Item = &'a str>) -> String {
    let extra: String = origins.into_iter().map(|origin| format!(" {origin}")).collect();
    CONTENT_SECURITY_POLICY.replace("form-action 'self'", &format!("form-action 'self'{extra}"))
}

/// Every page of the web edge, as the API mounts them beside itself (`certify::startup` hands
/// them over).
pub fn pages() -> certify_api::Pages {
    certify_api::Pages {
        routes: router(),
        verification: with_security_headers(
            Router::new()
                .route("/verify", get(pages::verify::form).post(pages::verify::upload))
                .route("/verify/{hash}", get(pages::verify::result)),
        ),
        error_page,
    }
}

fn router() -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(pages::home::landing))
        .route("/home", get(pages::home::home))
        .route("/sign-in", get(pages::sign_in::form).post(pages::sign_in::submit))
        .route("/sign-out", post(pages::sign_in::sign_out))
        .route("/account", get(pages::own_account::page))
        .route("/invitations/{id}/answer", post(pages::learning::answer_invitation))
        .route("/account/password", post(pages::own_account::change_password))
        .route("/account/sessions/others", post(pages::own_account::end_other_sessions))
        .route("/sign-in/firm", post(pages::sso::start))
        .route("/sign-in/sso/callback", get(pages::sso::callback))
        .route("/catalogue", get(learning::catalogue))
        .route("/tracks/{id}", get(learning::track))
        .route("/tracks/{id}/enrolment", post(learning::enrol_in_track))
        .route("/courses/{id}", get(learning::course))
        .route("/courses/{id}/enrolment", post(learning::enrol_in_course))
        .route("/modules/{id}", get(learning::module))
        .route("/modules/{id}/completion", post(learning::complete_module))
        .route("/exams/{id}", get(exam::exam))
        .route("/exams/{id}/attempts", post(exam::start))
        .route("/attempts/{id}", get(exam::attempt).post(exam::save_answers))
        .route("/attempts/{id}/answers/{position}", post(exam::save_answer))
        .route("/attempts/{id}/review", get(exam::review))
        .route("/attempts/{id}/submission", post(exam::submit))
        .route("/firms/{id}", get(firm::firm))
        .route("/firms/{id}/consultants", get(firm_staff::staff))
        .route("/firms/{id}/consultants.csv", get(firm_staff::export))
        .route("/firms/{id}/consultants/{account_id}", get(firm_staff::consultant))
        .route(
            "/firms/{id}/roster",
            get(roster::form)
                .post(roster::upload)
                // The form carries the file and a few short fields.
                .layer(DefaultBodyLimit::max(roster_upload_limit())),
        )
        .route("/firms/{id}/roster/template.csv", get(roster::template))
        .route("/firms/{id}/domains", get(domains::domains).post(domains::claim))
        .route("/firms/{id}/domains/{domain}/withdrawal", post(domains::withdraw))
        .route("/firms/{id}/domains/{domain}/verification", post(domains::verify))
        .route(
            "/firms/{id}/api-clients",
            get(api_clients::clients).post(api_clients::create),
        )
        .route("/firms/{id}/api-clients/{client_id}/secret", post(api_clients::rotate))
        .route(
            "/firms/{id}/api-clients/{client_id}/revocation",
            post(api_clients::revoke),
        )
        .route("/certificates", get(certificates::my_certificates))
        .route("/staff/breakdowns", get(breakdowns::breakdowns))
        .route("/staff/breakdowns.csv", get(breakdowns::export))
        .route("/staff/firms", get(firms::firms))
        .route(
            "/staff/accounts",
            get(accounts_admin::accounts).post(accounts_admin::create),
        )
        .route("/staff/accounts/{id}", get(accounts_admin::account))
        .route("/staff/catalogue", get(catalogue_admin::catalogue))
        .route("/staff/catalogue/{kind}/{id}/status", post(catalogue_admin::set_status))
        .route("/staff/catalogue/tracks/new", get(catalogue_new::new_track))
        .route("/staff/catalogue/tracks", post(catalogue_new::create_track))
        .route("/staff/tracks/{id}/courses/new", get(catalogue_new::new_course))
        .route("/staff/tracks/{id}/courses", post(catalogue_new::create_course))
        .route("/staff/courses/{id}/modules/new", get(catalogue_new::new_module))
        .route("/staff/courses/{id}/modules", post(catalogue_new::create_module))
        .route(
            "/staff/modules/{id}/edit",
            get(catalogue_admin::edit_module).post(catalogue_admin::save_module),
        )
        .route("/staff/exams/{id}", get(exam_admin::exam))
        .route("/staff/exams/{id}/bank", post(exam_admin::import))
        .route(
            "/staff/exams/{id}/blueprint",
            get(blueprint_editor::edit).post(blueprint_editor::save),
        )
        .route("/staff/exams/{id}/bank.json", get(exam_admin::export))
        .route("/staff/certificates", get(staff_certificates::search))
        .route("/staff/certificates/export", get(staff_certificates::export))
        .route("/staff/certificates/{id}", get(staff_certificates::certificate))
        .route("/staff/certificates/{id}/revocation", post(staff_certificates::revoke))
        .route(
            "/staff/certificates/{id}/holder-name",
            post(staff_certificates::correct_name),
        )
        .route("/certificates/{id}/certificate.pdf", get(certificates::download_pdf))
        .route(
            "/certificates/{id}/credential.json",
            get(certificates::download_credential),
        );
    with_security_headers(pages)
        .route(
            "/assets/style.css",
            get(|| asset("text/css; charset=utf-8", STYLESHEET)),
        )
        .route(
            "/assets/live.js",
            get(|| asset("text/javascript; charset=utf-8", LIVE_SCRIPT)),
        )
        .route(
            "/assets/verify.js",
            get(|| asset("text/javascript; charset=utf-8", VERIFY_SCRIPT)),
        )
        .route(
            "/assets/upload.js",
            get(|| asset("text/javascript; charset=utf-8", UPLOAD_SCRIPT)),
        )
        .route(
            "/assets/exam.js",
            get(|| asset("text/javascript; charset=utf-8", EXAM_SCRIPT)),
        )
}

/// The largest roster upload: the API's largest roster and room for the form's other fields.
fn roster_upload_limit() -> usize {
    usize::try_from(certify_api::routes::rosters::MAX_ROSTER_BYTES).unwrap_or(usize::MAX) + 64 * 1024
}

/// The page for an error status that arrived without an explanation: an address that matches
/// nothing, a method it does not take, a body too large, a rate limit.
pub fn error_page(status: axum::http::StatusCode) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let kind = certify_api::ProblemType::for_status(status);
    let detail = status.canonical_reason().unwrap_or("the request was refused");
    let mut response = PageError::Api(certify_api::ApiError::new(kind, detail)).into_response();
    for (name, value) in security_headers() {
        response.headers_mut().entry(name).or_insert(value);
    }
    response
}

/// What a page carries beyond the application's own protective headers (`nosniff`, no framing,
/// `no-store`, set once for every answer by `certify_api::app`): a page's policy, which lets it
/// load this server's scripts and styles, and a referrer kept to this site.
fn security_headers() -> [(HeaderName, HeaderValue); 2] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    ]
}

/// Sets [`security_headers`] on every answer of `router` (tower-http's layer, so no handler can
/// forget them; a handler may still set its own value).
fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    security_headers().into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(name, value))
    })
}

/// A file every page may load: cached for an hour (never sniffed, as every answer).
async fn asset(content_type: &'static str, body: &'static str) -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
