//! Extractors whose rejections are pages, not axum's plain-text answers.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::PageError;

/// A path parameter; an address whose parameter does not parse (`/courses/nonsense`) is the
/// same not-found page as one that names nothing.
#[derive(Debug, Clone, Copy)]
pub struct PagePath<T>(pub T);

impl<T, S> FromRequestParts<S> for PagePath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Self(value))
            .map_err(|_| PageError::not_found("no page at this address"))
    }
}
