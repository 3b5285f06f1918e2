//! Answers that a browser saves as a file.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse as _, Response};

pub fn streamed_attachment(content_type: &'static str, filename: &str, body: Body) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}
