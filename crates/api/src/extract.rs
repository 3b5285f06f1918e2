//! Extractors that answer bad input with problem+json instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::{StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError, ProblemType};

/// A JSON body. Malformed JSON is a 400, a missing or wrong content type a 415, an oversized body
/// a 413, and JSON of the wrong shape a 422 that names the offending field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(&req) {
            return Err(ApiError::new(
                ProblemType::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = body_bytes(req, state).await?;
        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(deserializer) {
            Ok(value) => Ok(Self(value)),
            Err(err) => Err(json_error(err)),
        }
    }
}

/// The whole body, within the route's size limit.
pub(crate) async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ProblemType::PayloadTooLarge,
                "the request body is larger than this route accepts",
            )
        } else {
            ApiError::new(ProblemType::MalformedRequest, rejection.body_text())
        }
    })
}

fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let field = err.path().to_string();
    let inner = err.into_inner();
    match inner.classify() {
        serde_json::error::Category::Data => ApiError::invalid_fields(vec![FieldError {
            // serde names the path `.` when the body as a whole has the wrong shape.
            field: if field == "." { "body".to_owned() } else { field },
            message: strip_position(&inner.to_string()),
        }]),
        _ => ApiError::new(
            ProblemType::MalformedRequest,
            format!("the body is not valid JSON: {inner}"),
        ),
    }
}

/// serde_json appends " at line 1 column 42", which says nothing about a field.
fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_owned()
}

fn has_json_content_type(req: &Request) -> bool {
    let essence = media_type(req);
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The request's media type without parameters, lowercase (`application/pdf`); empty if absent.
pub(crate) fn media_type(req: &Request) -> String {
    media_type_of(req.headers())
}

/// [`media_type`] from the headers alone, for handlers that stream the body themselves.
pub(crate) fn media_type_of(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Path parameters. A parameter that does not parse (say, an id that is not a UUID) cannot name
/// anything that exists, so it is a 404 like any unknown id.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(err)) => Err(ApiError::not_found(format!(
                "nothing exists at this address: {}",
                err.body_text()
            ))),
            Err(other) => Err(ApiError::internal(anyhow::anyhow!(
                "path extraction failed: {}",
                other.body_text()
            ))),
        }
    }
}

/// Query parameters; ones that do not parse are a 422.
#[derive(Debug, Clone, Copy)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection: QueryRejection| ApiError::invalid_field("query", rejection.body_text()))
    }
}
