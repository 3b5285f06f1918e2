use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem, ProblemType};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up and serving requests.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = OK, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process can reach its database and is ready for traffic.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = OK, body = Health),
        (status = SERVICE_UNAVAILABLE, body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match state.db.ping().await {
        Ok(()) => Ok(Json(Health { status: "ready" })),
        Err(err) => {
            tracing::warn!(error = %err, "database unreachable");
            Err(ApiError::new(ProblemType::Unavailable, "the database is unreachable"))
        }
    }
}
