//! The problem responses most operations share, documented once: a handler lists `Forbidden`,
//! `NotFound`, `Conflict` or `Invalid` in its `#[utoipa::path(responses(...))]` instead of
//! spelling out the status, the `Problem` body and its content type. An answer particular to one
//! operation keeps its own tuple, with a description that says when it happens.

use utoipa::IntoResponses;

use crate::error::Problem;

/// 403: the caller is signed in but may not do this.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "the caller's role, or firm, may not do this",
    content_type = "application/problem+json"
)]
pub struct Forbidden(#[allow(dead_code)] Problem);

/// 404: nothing the caller may see answers to the path.
#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "nothing with this id, or nothing the caller may see",
    content_type = "application/problem+json"
)]
pub struct NotFound(#[allow(dead_code)] Problem);

/// 409: the request is well formed but the current state refuses it.
#[derive(IntoResponses)]
#[response(
    status = 409,
    description = "the current state refuses this; the problem's `type` says why",
    content_type = "application/problem+json"
)]
pub struct Conflict(#[allow(dead_code)] Problem);

/// 422: a field of the request is invalid.
#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "a field is invalid; `errors` names each one",
    content_type = "application/problem+json"
)]
pub struct Invalid(#[allow(dead_code)] Problem);
