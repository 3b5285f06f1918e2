//! The HTTP layer: the only crate that speaks the wire. It turns requests into calls on the
//! domain crates and their results into JSON or RFC 9457 problems, and generates the OpenAPI
//! document from the handlers themselves.

pub mod auth;
mod domain_errors;
pub mod error;
pub mod extract;
mod headers;
mod paging;
mod problem_responses;
pub mod routes;
pub mod state;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tower::ServiceBuilder;
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::PeerIpKeyExtractor;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi as _;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{OpenApi, Ref, RefOr, ResponseBuilder, content::ContentBuilder};
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, Problem, ProblemType};
pub use state::{AppState, RateLimit};

/// Largest request body any route accepts unless it raises its own limit.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const BEARER: &str = "bearer";
/// API clients' tokens; a route open to them names the scope it needs under this scheme.
const FIRM_CLIENT: &str = "firm_client";
/// HTTP Basic, one of the two ways a client authenticates at the token endpoint.
const CLIENT_BASIC: &str = "client_basic";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Certify",
        description = "Certification platform of the AI partner network: courses, exams, verifiable certificates, partner firms and programme progress.\n\nEvery error is an RFC 9457 `application/problem+json` document; its `type` is a stable path under `/problems/`.",
    ),
    components(schemas(error::Problem, error::FieldError)),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "accounts", description = "Accounts and roles, managed by programme staff"),
        (name = "firms", description = "Partner firms"),
        (name = "catalogue", description = "Certification tracks, courses and modules"),
        (name = "learning", description = "Enrolment, progress, exam eligibility and course statistics"),
        (name = "exams", description = "Exams and their blueprints"),
        (name = "item bank", description = "Items, their versions, import/export and statistics (programme staff only)"),
        (name = "attempts", description = "Timed exam attempts"),
        (name = "certificates", description = "Holders' certificates and revocation"),
        (name = "verification", description = "Verifying a certificate without an account; the issuer's keys"),
        (name = "progress", description = "The count of certified consultants toward the programme's target: headline, live stream, breakdowns, series, forecast"),
        (name = "operations", description = "Liveness and readiness probes"),
    )
)]
struct ApiDoc;

/// What the binary mounts beside the API: the web edge's pages, which this crate knows nothing
/// of but their routes.
pub struct Pages {
    pub routes: Router<AppState>,
    /// Pages that look certificates up: they share the API look-ups' budget per client address.
    pub verification: Router<AppState>,
    /// The page for an error status that arrives without an explanation (an address that
    /// matches nothing, a method it does not take, a rate limit) outside the API's paths.
    pub error_page: fn(axum::http::StatusCode) -> Response,
}

/// The whole application, ready to serve: the API beside the web edge's `pages`. An address
/// that matches nothing gets a problem under `/api/`, and the pages' own answer elsewhere.
pub fn app(state: AppState, pages: Pages) -> Router {
    let Pages {
        routes: pages,
        verification: verification_pages,
        error_page,
    } = pages;
    let (api_routes, openapi) = documented_routes(state.clone(), verification_pages);
    let https = state.issuer.public_base_url.starts_with("https://");
    Router::new()
        .route("/problems/{slug}", get(routes::pages::problem_type))
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .merge(api_routes)
        .merge(pages)
        .fallback(move |uri: axum::http::Uri| async move {
            if speaks_problems(uri.path()) {
                ApiError::not_found("there is nothing at this address").into_response()
            } else {
                error_page(axum::http::StatusCode::NOT_FOUND)
            }
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(
            move |request: Request<axum::body::Body>, next: middleware::Next| {
                let problems = speaks_problems(request.uri().path());
                async move { explain_bare_errors(next.run(request).await, problems, error_page) }
            },
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
        .layer(middleware::from_fn(
            move |request: Request<axum::body::Body>, next: middleware::Next| {
                headers::defence_in_depth(https, request, next)
            },
        ))
        .with_state(state)
}

/// The OpenAPI document, exactly as `GET /openapi.json` serves it.
pub fn openapi() -> OpenApi {
    let (_, public_api) = routes::public().split_for_parts();
    let (_, verification_api) = routes::verification().split_for_parts();
    let (_, protected_api) = routes::protected().split_for_parts();
    merge_documents(public_api, verification_api, protected_api)
}

fn documented_routes(state: AppState, verification_pages: Router<AppState>) -> (Router<AppState>, OpenApi) {
    let (public, public_api) = routes::public().split_for_parts();
    let (verification, verification_api) = routes::verification().split_for_parts();
    let verification = verification
        .merge(verification_pages)
        .route_layer(GovernorLayer::new(rate_limit_config(state.verify_rate_limit)));
    let (protected, protected_api) = routes::protected().split_for_parts();
    let protected = protected.route_layer(middleware::from_fn_with_state(state, auth::require_session));
    (
        public.merge(verification).merge(protected),
        merge_documents(public_api, verification_api, protected_api),
    )
}

/// Limits requests per client address (the TCP peer: behind a proxy, the proxy's address).
fn rate_limit_config(limit: state::RateLimit) -> GovernorConfig<PeerIpKeyExtractor, NoOpMiddleware<QuantaInstant>> {
    let refill_every_ms = (1000 / u64::from(limit.per_second.max(1))).max(1);
    let config = GovernorConfigBuilder::default()
        .per_millisecond(refill_every_ms)
        .burst_size(limit.burst.max(1))
        .finish()
        // Both numbers are at least 1, the only condition under which `finish` declines.
        .unwrap_or_default();
    let limiter = config.limiter().clone();
    // Forget addresses that have been quiet, so the table does not grow without bound.
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            limiter.retain_recent();
        }
    });
    config
}

/// One document of the three routers: every protected operation marked as needing the bearer
/// token (and as able to answer 401), every rate-limited look-up as able to answer 429, so the
/// document states exactly what the router enforces. A protected operation open to API clients
/// already names its scope under [`FIRM_CLIENT`]; a person's bearer token is the alternative.
fn merge_documents(public: OpenApi, mut verification: OpenApi, mut protected: OpenApi) -> OpenApi {
    for operation in operations_of(&mut verification) {
        add_problem(
            operation,
            "429",
            "too many look-ups from this client address; `Retry-After` says when to try again",
        );
    }
    for operation in operations_of(&mut protected) {
        operation
            .security
            .get_or_insert_default()
            .insert(0, SecurityRequirement::new(BEARER, Vec::<String>::new()));
        add_problem(
            operation,
            "401",
            "no bearer token, or one that is unknown, expired or revoked",
        );
    }
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.merge(public);
    doc.merge(verification);
    doc.merge(protected);
    for operation in operations_of(&mut doc) {
        document_extractor_problems(operation);
    }
    doc.components.get_or_insert_default().add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An opaque token from `POST /api/v1/auth/login`."))
                .build(),
        ),
    );
    let components = doc.components.get_or_insert_default();
    components.add_security_scheme(FIRM_CLIENT, firm_client_scheme());
    components.add_security_scheme(
        CLIENT_BASIC,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Basic)
                .description(Some(
                    "An API client's id and secret at the token endpoint (`client_secret_basic`).",
                ))
                .build(),
        ),
    );
    doc
}

/// The client credentials flow of firms' API clients, with every scope they may hold.
fn firm_client_scheme() -> SecurityScheme {
    let scopes = certify_accounts::Scope::ALL
        .into_iter()
        .map(|scope| (scope.name(), scope.description()));
    let mut scheme = OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(
        routes::oauth::TOKEN_PATH,
        utoipa::openapi::security::Scopes::from_iter(scopes),
    ))]);
    scheme.description = Some(
        "A firm's own systems: a token from `POST /oauth/token` reaches only the client's firm, and only routes naming a scope it holds."
            .to_owned(),
    );
    SecurityScheme::OAuth2(scheme)
}

fn operations_of(doc: &mut OpenApi) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// Documents `status` as a problem on `operation`, unless the handler already did.
fn add_problem(operation: &mut utoipa::openapi::path::Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        error::PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        });
}

/// The answers the shared extractors give on any route that uses them, documented once: a body
/// that is malformed (400), of another content type (415) or of the wrong shape (422), and a
/// `limit` out of range (422).
fn document_extractor_problems(operation: &mut utoipa::openapi::path::Operation) {
    if operation.request_body.is_some() {
        add_problem(
            operation,
            "400",
            "the body could not be read (malformed JSON, or not UTF-8)",
        );
        add_problem(
            operation,
            "415",
            "the body is not of a content type this operation accepts",
        );
        add_problem(
            operation,
            "422",
            "the body is not of the documented shape, or a field is invalid",
        );
    }
    let takes_limit = operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| matches!(parameter, RefOr::T(p) if p.name == "limit"));
    if takes_limit {
        add_problem(
            operation,
            "422",
            "a query parameter is invalid (e.g. `limit` outside 1 to 200)",
        );
    }
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(HeaderName::from_static("x-request-id"))
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", request_id, method = %request.method(), path = %request.uri().path())
}

/// Whether an address belongs to the machine-readable side, which answers errors with
/// problem+json: the API, its documents, the issuer's keys and profile, the probes.
fn speaks_problems(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    matches!(
        first,
        "api" | "oauth" | ".well-known" | "issuer" | "healthz" | "readyz" | "openapi.json" | "docs" | "problems"
    )
}

/// Errors produced outside our handlers (axum's 405, a body-limit 413, a rate limit's 429, ...)
/// arrive without a body or as plain text: give them the problem+json shape of every other API
/// error, or on a page's address the web edge's page for that status.
fn explain_bare_errors(
    response: Response,
    problems: bool,
    error_page: fn(axum::http::StatusCode) -> Response,
) -> Response {
    let status = response.status();
    // A problem, a page for people, or an OAuth2 error (JSON, which only our handlers write)
    // already says what went wrong.
    let already_explained = response.headers().get(header::CONTENT_TYPE).is_some_and(|value| {
        let value = value.as_bytes();
        [error::PROBLEM_JSON.as_bytes(), b"application/json", b"text/html"]
            .iter()
            .any(|explained| value.starts_with(explained))
    });
    if !(status.is_client_error() || status.is_server_error()) || already_explained {
        return response;
    }
    let mut converted = if problems {
        problem_for(status).into_response()
    } else {
        error_page(status)
    };
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            converted.headers_mut().insert(name, value.clone());
        }
    }
    converted
}

fn problem_for(status: axum::http::StatusCode) -> ApiError {
    let kind = ProblemType::for_status(status);
    match kind {
        ProblemType::Internal => ApiError::internal(anyhow::anyhow!("a bare {status} response left the router")),
        ProblemType::MethodNotAllowed => {
            ApiError::new(kind, "this address does not accept this method; see the Allow header")
        }
        ProblemType::PayloadTooLarge => ApiError::new(kind, "the request body is larger than this route accepts"),
        _ => ApiError::new(
            kind,
            status
                .canonical_reason()
                .unwrap_or("the request was refused")
                .to_owned(),
        ),
    }
}
