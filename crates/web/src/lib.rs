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

pub mod access;
mod chart;
pub mod csrf;
mod error;
mod extract;
mod markdown;
pub mod notice;
pub mod pages;
pub mod routing;
pub mod session;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use certify_api::AppState;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::PageError;

/// The stylesheet every page uses, compiled into the binary.
const STYLESHEET: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/style.css"));
/// Keeps the landing page's count live; the page works without it.
const LIVE_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/live.js"));
/// Drag and drop onto the verify form, and the result's print link; both work without it.
const VERIFY_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/verify.js"));
/// Drag and drop and progress for upload forms; they work without it.
const UPLOAD_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/upload.js"));
/// Moments in the viewer's own time beside UTC; pages read in UTC without it.
const LOCAL_TIME_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/web/local-time.js"));
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
                .route(
                    "/verify",
                    get(pages::everyone::verify::form).post(pages::everyone::verify::upload),
                )
                .route("/verify/{hash}", get(pages::everyone::verify::result)),
        ),
        error_page,
    }
}

/// Every page's method, path and audience, in the order the router takes them.
pub fn page_routes() -> Vec<routing::PageRoute> {
    grouped_pages().into_parts().1
}

/// The pages, one group per audience: the URL prefix, the folder under `pages/` and the
/// extractor that admits the visitor say the same thing.
fn grouped_pages() -> routing::PageRoutes {
    pages::everyone::routes()
        .merge(pages::learner::routes())
        .nest("/firms/{firm_id}", pages::firm::routes())
        .nest("/staff", pages::staff::routes())
}

fn router() -> Router<AppState> {
    let (pages, _) = grouped_pages().into_parts();
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
            "/assets/local-time.js",
            get(|| asset("text/javascript; charset=utf-8", LOCAL_TIME_SCRIPT)),
        )
        .route(
            "/assets/exam.js",
            get(|| asset("text/javascript; charset=utf-8", EXAM_SCRIPT)),
        )
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
