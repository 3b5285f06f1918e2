//! End-to-end tests: each test spawns the real server on port 0 with a database of its own and
//! talks HTTP to it. With `CERTIFY_TEST_POSTGRES_URL` set (a URL of a PostgreSQL server whose user
//! may create databases) every test runs on a fresh PostgreSQL database instead of SQLite.
//!
//! One test binary on purpose: each binary must be linked, and linking dominates build time.

mod accounts;
mod api_clients;
mod catalogue;
mod certificate_exports;
mod certificate_pdfs;
mod certificates;
mod cli;
mod database;
mod errors;
mod exams;
mod firms;
mod health;
mod helpers;
mod learning;
mod openapi;
mod own_account;
mod page_client;
mod progress;
mod rosters;
mod sessions;
mod sso;
mod web;
mod web_access;
mod web_catalogue;
mod web_firms;
mod web_journeys;
mod web_staff;
