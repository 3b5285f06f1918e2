//! The protective headers of every answer, set in one place for the whole application. A
//! handler or an inner layer may set its own value (the web edge sets a page's policy, its
//! assets say how long they may be kept); the defaults fill in what is not set:
//!
//! - `X-Content-Type-Options: nosniff` and `X-Frame-Options: DENY` on everything;
//! - a Content-Security-Policy: nothing at all for data (`default-src 'none'`), this server's own
//!   files for the documentation and the problem descriptions, and never inside a frame;
//! - `Cache-Control: no-store` on everything not public by nature: answers carry certificates,
//!   credentials, PDFs, account lists and exports;
//! - `Strict-Transport-Security` when the deployment is reached over https.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// For data: JSON, CSV, PDFs, event streams. Nothing in them may run or load anything.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// For the interactive documentation and the problem descriptions: this server's own scripts and
/// styles (Swagger UI styles with attributes), its images, and nothing else.
const DOCUMENT_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A year, the usual lifetime of a Strict-Transport-Security promise.
const HSTS: &str = "max-age=31536000";

/// The defaults, for answers under `path`; `https` when the public base URL is https.
pub async fn defence_in_depth(https: bool, request: Request, next: Next) -> Response {
    let policy = content_policy(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    set_if_absent(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_if_absent(headers, header::X_FRAME_OPTIONS, "DENY");
    set_if_absent(headers, header::CONTENT_SECURITY_POLICY, policy);
    set_if_absent(headers, header::CACHE_CONTROL, "no-store");
    if https {
        set_if_absent(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}

fn content_policy(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    if matches!(first, "docs" | "problems") {
        DOCUMENT_POLICY
    } else {
        DATA_POLICY
    }
}

fn set_if_absent(headers: &mut HeaderMap, name: header::HeaderName, value: &'static str) {
    headers.entry(name).or_insert(HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::content_policy;

    #[test]
    fn documents_may_load_their_own_files_and_data_nothing() {
        assert!(content_policy("/docs/").contains("script-src 'self'"));
        assert!(content_policy("/problems/not-found").contains("default-src 'self'"));
        for data in ["/api/v1/me", "/.well-known/jwks.json", "/openapi.json", "/oauth/token"] {
            assert!(content_policy(data).starts_with("default-src 'none'"), "{data}");
        }
    }
}
