//! Descriptions of problem types, for a developer who followed a problem's `type`.

use axum::extract::Path;
use axum::response::Html;

use crate::error::{ApiError, ProblemType};

/// What a problem `type` means, for a developer who followed the link.
pub async fn problem_type(Path(slug): Path<String>) -> Result<Html<String>, ApiError> {
    let kind = ProblemType::from_slug(&slug).ok_or_else(|| ApiError::not_found(format!("no problem type `{slug}`")))?;
    Ok(Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>HTTP status {status}. Problem type <code>{uri}</code>.</p>\
         <p>Responses of this type are <code>application/problem+json</code> documents (RFC 9457) whose \
         <code>detail</code> explains the specific request{fields}.</p><p><a href=\"/docs/\">API documentation</a></p></body></html>",
        title = kind.title(),
        status = kind.status().as_u16(),
        uri = kind.type_uri(),
        fields = if kind == ProblemType::ValidationFailed {
            " and whose <code>errors</code> list each offending field with a message"
        } else {
            ""
        },
    )))
}
