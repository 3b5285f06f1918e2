//! A firm's pages, under `/firms/{firm_id}`: the firm's home, its consultants, roster imports,
//! e-mail domains and API clients. Every handler takes a [`crate::access::FirmPage`], so
//! programme staff see every firm and a firm's administrator only their own.

pub mod api_clients;
pub mod consultants;
pub mod domains;
pub mod overview;
pub mod roster;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;

use crate::routing::{Audience, PageRoutes};

pub(crate) fn routes() -> PageRoutes {
    PageRoutes::new(Audience::Firm)
        .get("/", overview::firm)
        .get("/consultants", consultants::staff)
        .get("/consultants.csv", consultants::export)
        .get("/consultants/{account_id}", consultants::consultant)
        .get("/roster", roster::form)
        .route(
            "/roster",
            Method::POST,
            // The form carries the file and a few short fields.
            axum::routing::post(roster::upload).layer(DefaultBodyLimit::max(roster::upload_limit())),
        )
        .get("/roster/template.csv", roster::template)
        .get("/domains", domains::domains)
        .post("/domains", domains::claim)
        .post("/domains/{domain}/withdrawal", domains::withdraw)
        // Programme staff only, on top of the firm's own check.
        .post("/domains/{domain}/verification", domains::verify)
        .get("/api-clients", api_clients::clients)
        .post("/api-clients", api_clients::create)
        .post("/api-clients/{client_id}/secret", api_clients::rotate)
        .post("/api-clients/{client_id}/revocation", api_clients::revoke)
}
