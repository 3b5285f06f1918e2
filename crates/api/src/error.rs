//! The one error type at the edge. Every failure leaves as RFC 9457 `application/problem+json`
//! with a stable `type`; a 5xx body says nothing internal and its cause goes to the log, where
//! the request id (also sent back as `x-request-id`) ties the two together.

use std::fmt::Display;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use strum::IntoEnumIterator as _;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The stable kinds of problem. The `type` member of a problem is `/problems/<slug>`, and that
/// address serves a page describing it.
/// `ProblemType::iter()` (strum) walks every kind, so no list of them is kept by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter)]
pub enum ProblemType {
    /// 400: the body is not well-formed JSON, or the request is otherwise unreadable.
    MalformedRequest,
    /// 401: no bearer token, or one that is unknown, expired or revoked.
    Unauthenticated,
    /// 401: e-mail address or password is wrong (deliberately not saying which).
    InvalidCredentials,
    /// 403: signed in, but the role does not allow this.
    Forbidden,
    /// 403: an API client's token lacks the scope this route needs; `required_scope` names it.
    InsufficientScope,
    /// 403: someone else chose this account's password; until its holder chooses their own
    /// (`PUT /api/v1/me/password`), only that, `GET /api/v1/me` and signing out are open.
    PasswordChangeRequired,
    /// 404: no such resource, or no route at this address.
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: an account with this e-mail address already exists.
    EmailTaken,
    /// 409: the e-mail domain is claimed by another firm.
    DomainTaken,
    /// 409: the resource is not in a state that allows this (e.g. publishing an empty course).
    InvalidState,
    /// 409: completing a module of a course one is not enrolled in.
    NotEnrolled,
    /// 409: the track's required courses are not complete; `detail` lists what remains.
    NotEligible,
    /// 409: an attempt at this exam is already open; finish it first.
    AttemptOpen,
    /// 409: the retake policy allows the next attempt only at `may_start_at`.
    RetakeWait,
    /// 409: a valid certificate for the track is held; the exam may be sat again to recertify
    /// from `may_start_at`, in the window before it expires (`expires_at`).
    AlreadyCertified,
    /// 409: the attempt is finished (submitted or past its deadline); nothing more is saved.
    AttemptClosed,
    /// 413: the body is larger than this route accepts.
    PayloadTooLarge,
    /// 414: the address is longer than the server reads (the HTTP parser refused it).
    UriTooLong,
    /// 431: the request's headers are too many or too large (the HTTP parser refused them).
    HeaderFieldsTooLarge,
    /// 415: the body is not of a content type this route accepts.
    UnsupportedMediaType,
    /// 429: too many requests from this address (or sign-in attempts for this e-mail address);
    /// `Retry-After` says when to try again.
    TooManyRequests,
    /// 422: the body or query is well-formed but some fields are invalid; see `errors`.
    ValidationFailed,
    /// 422: a roster CSV has invalid rows; `row_errors` lists each with its row and column, and
    /// nothing was imported.
    InvalidRoster,
    /// 422: an uploaded file is not a certificate (not a PDF, or a PDF with no `credential.json`).
    UnreadableDocument,
    /// 500: something failed on the server; the body says nothing more.
    Internal,
    /// 503: a dependency (the database) is unreachable.
    Unavailable,
}

impl ProblemType {
    pub const fn slug(self) -> &'static str {
        match self {
            Self::MalformedRequest => "malformed-request",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid-credentials",
            Self::Forbidden => "forbidden",
            Self::InsufficientScope => "insufficient-scope",
            Self::PasswordChangeRequired => "password-change-required",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::EmailTaken => "email-taken",
            Self::DomainTaken => "domain-taken",
            Self::InvalidState => "invalid-state",
            Self::NotEnrolled => "not-enrolled",
            Self::NotEligible => "not-eligible",
            Self::AttemptOpen => "attempt-open",
            Self::RetakeWait => "retake-wait",
            Self::AlreadyCertified => "already-certified",
            Self::AttemptClosed => "attempt-closed",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UriTooLong => "uri-too-long",
            Self::HeaderFieldsTooLarge => "header-fields-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::TooManyRequests => "too-many-requests",
            Self::ValidationFailed => "validation-failed",
            Self::InvalidRoster => "invalid-roster",
            Self::UnreadableDocument => "unreadable-document",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    pub const fn status(self) -> StatusCode {
        match self {
            Self::MalformedRequest => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::InsufficientScope | Self::PasswordChangeRequired => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::EmailTaken
            | Self::DomainTaken
            | Self::InvalidState
            | Self::NotEnrolled
            | Self::NotEligible
            | Self::AttemptOpen
            | Self::RetakeWait
            | Self::AlreadyCertified
            | Self::AttemptClosed => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::HeaderFieldsTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::ValidationFailed | Self::InvalidRoster | Self::UnreadableDocument => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Self::MalformedRequest => "The request could not be read",
            Self::Unauthenticated => "Authentication required",
            Self::InvalidCredentials => "Wrong e-mail address or password",
            Self::Forbidden => "Not allowed for this account",
            Self::InsufficientScope => "The token lacks a scope",
            Self::PasswordChangeRequired => "Choose your own password first",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::EmailTaken => "E-mail address already in use",
            Self::DomainTaken => "Domain claimed by another firm",
            Self::InvalidState => "Not possible in the current state",
            Self::NotEnrolled => "Not enrolled in this course",
            Self::NotEligible => "Not eligible for this exam yet",
            Self::AttemptOpen => "An attempt is already open",
            Self::RetakeWait => "Too early for another attempt",
            Self::AlreadyCertified => "Already certified for this track",
            Self::AttemptClosed => "The attempt is finished",
            Self::PayloadTooLarge => "Request body too large",
            Self::UriTooLong => "Address too long",
            Self::HeaderFieldsTooLarge => "Request headers too large",
            Self::UnsupportedMediaType => "Unsupported content type",
            Self::TooManyRequests => "Too many requests",
            Self::ValidationFailed => "Some fields are invalid",
            Self::InvalidRoster => "The roster has invalid rows",
            Self::UnreadableDocument => "Not a certificate document",
            Self::Internal => "Internal server error",
            Self::Unavailable => "Service unavailable",
        }
    }

    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::iter().find(|kind| kind.slug() == slug)
    }

    /// The kind a bare error status (from axum or tower-http, not from a handler) stands for.
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::URI_TOO_LONG => Self::UriTooLong,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Self::HeaderFieldsTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => Self::ValidationFailed,
            StatusCode::TOO_MANY_REQUESTS => Self::TooManyRequests,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            status if status.is_server_error() => Self::Internal,
            _ => Self::MalformedRequest,
        }
    }
}

/// An RFC 9457 problem details document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem; dereference it for a description.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation-failed")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for people.
    pub detail: String,
    /// For `validation-failed`: one entry per offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Members particular to a problem type, e.g. `may_start_at` for `retake-wait`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the request, e.g. `email` or `items[2].title`.
    pub field: String,
    pub message: String,
}

/// The error every handler returns.
#[derive(Debug)]
pub struct ApiError {
    kind: ProblemType,
    detail: String,
    errors: Vec<FieldError>,
    extensions: serde_json::Map<String, serde_json::Value>,
    /// Logged, never sent: only set for server-side failures.
    cause: Option<anyhow::Error>,
    /// Sent as `Retry-After` (whole seconds, rounded up) with a 429.
    retry_after: Option<std::time::Duration>,
}

impl ApiError {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
            cause: None,
            retry_after: None,
        }
    }

    /// A 429 telling the client to wait `retry_after` before trying again.
    pub fn too_many_requests(detail: impl Into<String>, retry_after: std::time::Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(ProblemType::TooManyRequests, detail)
        }
    }

    /// Adds a member particular to this problem type.
    pub fn with_extension(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extensions.insert(name.to_owned(), value);
        self
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::NotFound, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, detail)
    }

    /// A 403 for an API client whose token does not hold `scope`.
    pub fn insufficient_scope(scope: certify_accounts::Scope) -> Self {
        Self::new(
            ProblemType::InsufficientScope,
            format!(
                "this route needs the `{}` scope, which the token does not hold; a firm admin can add it to the client",
                scope.name()
            ),
        )
        .with_extension("required_scope", scope.name().into())
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Unauthenticated, detail)
    }

    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let fields = errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ");
        Self {
            errors,
            ..Self::new(ProblemType::ValidationFailed, format!("invalid fields: {fields}"))
        }
    }

    pub fn invalid_field(field: &str, message: impl Display) -> Self {
        Self::invalid_fields(vec![FieldError {
            field: field.to_owned(),
            message: message.to_string(),
        }])
    }

    /// A failure the client cannot fix. The cause is logged; the client sees a generic 500.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                ProblemType::Internal,
                "The server failed to handle this request. It has been logged.",
            )
        }
    }

    pub fn kind(&self) -> ProblemType {
        self.kind
    }

    /// What went wrong with this request, for people (never internal detail).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// For `validation-failed`: each offending field and what is wrong with it.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// How long to wait, for a 429.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.retry_after
    }

    /// The server-side cause, to log; an edge that does not answer with this error's own
    /// response (the web pages) logs it itself.
    pub fn take_cause(&mut self) -> Option<anyhow::Error> {
        self.cause.take()
    }

    /// The problem document as JSON bytes, for the few answers written outside the router
    /// (the connection-level 414 and 431).
    pub fn into_json_bytes(self) -> Vec<u8> {
        serde_json::to_vec(&self.into_problem()).unwrap_or_default()
    }

    fn into_problem(self) -> Problem {
        Problem {
            kind: self.kind.type_uri(),
            title: self.kind.title().to_owned(),
            status: self.kind.status().as_u16(),
            detail: self.detail,
            errors: self.errors,
            extensions: self.extensions,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.kind.status();
        if let Some(cause) = &self.cause {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let retry_after = self.retry_after;
        let mut response = (status, axum::Json(self.into_problem())).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(wait) = retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// Collects every invalid field of a request before answering, so a client learns of all its
/// mistakes in one round trip.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    /// Records the error of `result`, if any, under `field`.
    pub fn check<T, E: Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|err| {
                self.errors.push(FieldError {
                    field: field.to_owned(),
                    message: err.to_string(),
                });
            })
            .ok()
    }

    /// Like [`Validation::check`] for a field that may be absent.
    pub fn check_optional<T, E: Display>(&mut self, field: &str, raw: Option<Result<T, E>>) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(result) => self.check(field, result).map(Some),
        }
    }

    pub fn fail(&mut self, field: &str, message: impl Display) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: message.to_string(),
        });
    }

    /// The parsed value when every check passed, else a 422 listing every offending field.
    /// `parsed` is built from the `Option`s that `check` returned.
    pub fn finish<T>(self, parsed: Option<T>) -> Result<T, ApiError> {
        match parsed {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ if self.errors.is_empty() => Err(ApiError::internal(anyhow::anyhow!(
                "a validation check returned nothing without recording an error"
            ))),
            _ => Err(ApiError::invalid_fields(self.errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use strum::IntoEnumIterator as _;

    use super::ProblemType;

    #[test]
    fn every_kind_has_its_own_slug_and_is_found_by_it() {
        let slugs: HashSet<&str> = ProblemType::iter().map(ProblemType::slug).collect();
        assert_eq!(slugs.len(), ProblemType::iter().count(), "slugs are unique");
        for kind in ProblemType::iter() {
            assert_eq!(ProblemType::from_slug(kind.slug()), Some(kind));
        }
    }
}
