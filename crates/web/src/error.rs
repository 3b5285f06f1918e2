//! The web edge's one error type: every failure becomes a page in the site's look, with the
//! status a browser and a screen reader understand. Domain errors arrive as the API's
//! [`ApiError`], whose status each domain error was given once (`certify_api`'s
//! `domain_errors`); only the wording for people is decided here.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use certify_api::{ApiError, ProblemType};

use crate::pages::Chrome;

#[derive(Debug)]
pub enum PageError {
    /// Not signed in, or the session has ended: sign in, then go on to `next`.
    SignInRequired { next: String },
    /// The person's password was chosen by someone else: choose one's own first.
    PasswordChangeRequired,
    /// A form without this site's token, or posted from another site.
    Forgery,
    /// Anything the API's error type describes.
    Api(ApiError),
    /// A failure this edge words itself, such as a sign-in a firm's provider did not complete.
    Explained {
        status: StatusCode,
        heading: String,
        explanation: String,
    },
}

impl PageError {
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Api(ApiError::internal(cause))
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::Api(ApiError::not_found(detail))
    }
}

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

/// Each domain's errors reach a page through the status and wording the API gave them.
macro_rules! through_the_api {
    ($($error:ty),*) => {$(
        impl From<$error> for PageError {
            fn from(err: $error) -> Self {
                Self::Api(ApiError::from(err))
            }
        }
    )*};
}

through_the_api!(
    certify_accounts::ApiClientError,
    certify_courses::CourseError,
    certify_exams::ExamError,
    certify_certificates::CertificateError,
    certify_firms::FirmError
);

/// A failed request's page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The header of an error page names nobody: the request may have failed before anyone
    /// was known.
    pub chrome: Chrome,
    pub status: u16,
    pub heading: String,
    pub explanation: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, explanation, retry_after) = match self {
            Self::SignInRequired { next } => {
                let target = format!("/sign-in?next={}", encode_query(&next));
                return Redirect::to(&target).into_response();
            }
            Self::PasswordChangeRequired => return Redirect::to("/account").into_response(),
            Self::Forgery => (
                StatusCode::FORBIDDEN,
                "This form could not be accepted".to_owned(),
                "It did not come from this site's own page, or the page was open for too long. Nothing was \
                 changed. Go back, reload the page and try again."
                    .to_owned(),
                None,
            ),
            Self::Explained {
                status,
                heading,
                explanation,
            } => (status, heading, explanation, None),
            Self::Api(mut err) => {
                if let Some(cause) = err.take_cause() {
                    tracing::error!(error = ?cause, "a page failed");
                }
                let status = err.kind().status();
                let (heading, explanation) = wording(&err);
                (status, heading, explanation, err.retry_after())
            }
        };
        let page = ErrorPage {
            chrome: Chrome::default(),
            status: status.as_u16(),
            heading,
            explanation,
        };
        let body = page.render().unwrap_or_else(|_| "Something went wrong.".to_owned());
        let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
        if let Some(wait) = retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// What to tell a person, by kind of failure.
fn wording(err: &ApiError) -> (String, String) {
    match err.kind() {
        ProblemType::NotFound => (
            "Page not found".to_owned(),
            "There is nothing at this address, or it is not yours to see. Check the link, or start again from \
             the home page."
                .to_owned(),
        ),
        ProblemType::Forbidden => (
            "Not allowed".to_owned(),
            format!("Your account cannot do this: {}.", err.detail()),
        ),
        ProblemType::TooManyRequests => (
            "Too many attempts".to_owned(),
            "Please wait a little before trying again.".to_owned(),
        ),
        ProblemType::MethodNotAllowed => (
            "This address does not take that request".to_owned(),
            "Go back and use the page's own links and buttons.".to_owned(),
        ),
        ProblemType::PayloadTooLarge => (
            "Too large".to_owned(),
            "What was sent is larger than this site accepts. Nothing was changed.".to_owned(),
        ),
        ProblemType::Internal => (
            "Something went wrong on our side".to_owned(),
            "The problem has been logged. Please try again in a moment.".to_owned(),
        ),
        _ => (err.kind().title().to_owned(), format!("{}.", err.detail())),
    }
}

/// Percent-encodes a value for a query string.
fn encode_query(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
