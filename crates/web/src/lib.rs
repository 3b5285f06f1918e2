//! certify-web: the pages people use, rendered on the server. A second edge beside the JSON
//! API, not a client of it: handlers call the same domain functions with the same
//! [`certify_api::AppState`], and map the same domain errors (through `certify_api::ApiError`)
//! to pages instead of problem documents.
//!
//! * [`session`] carries the API's opaque session token in a cookie and turns it into a
//!   [`session::Visitor`]; [`csrf`] guards every form that changes something.
//! * [`pages`] holds the handlers, each building a small view that a template (under
//!   `templates/`, checked by the compiler) lays out.
//! * [`security_headers`] are set on every answer of this edge.

pub mod csrf;
mod error;
pub mod pages;
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

/// Scripts only from this server, no inline script, nothing may frame a page, forms post only
/// here; inline `style` attributes are allowed for progress bars' widths.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every page of the web edge, as the API mounts them beside itself (`certify::startup` hands
/// them over).
pub fn pages() -> certify_api::Pages {
    certify_api::Pages {
        routes: router(),
        verification: with_security_headers(
            Router::new()
                .route("/verify", get(pages::verify::form))
                .route("/verify/{hash}", get(pages::verify::result)),
        ),
        not_found: not_found_page,
    }
}

fn router() -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(pages::home::landing))
        .route("/home", get(pages::home::home))
        .route("/sign-in", get(pages::sign_in::form).post(pages::sign_in::submit))
        .route("/sign-out", axum::routing::post(pages::sign_in::sign_out));
    with_security_headers(pages)
        .route(
            "/assets/style.css",
            get(|| asset("text/css; charset=utf-8", STYLESHEET)),
        )
        .route(
            "/assets/live.js",
            get(|| asset("text/javascript; charset=utf-8", LIVE_SCRIPT)),
        )
}

/// The page for an address that matches nothing.
pub fn not_found_page() -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let mut response = PageError::not_found("nothing here").into_response();
    for (name, value) in security_headers() {
        response.headers_mut().entry(name).or_insert(value);
    }
    response
}

/// The headers every page carries. Pages may show personal data, so nothing is stored by the
/// browser or a proxy.
fn security_headers() -> [(HeaderName, HeaderValue); 5] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

/// Sets [`security_headers`] on every answer of `router` (tower-http's layer, so no handler can
/// forget them; a handler may still set its own value).
fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    security_headers().into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(name, value))
    })
}

/// A file every page may load: cached for an hour, never sniffed.
async fn asset(content_type: &'static str, body: &'static str) -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
}
