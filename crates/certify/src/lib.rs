//! The `certify` program: configuration, start-up, demo data and the command line. Business
//! rules live in the domain crates; HTTP lives in `certify-api`.

pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod issuance;
pub mod listener;
pub mod startup;
pub mod synthetic;
pub mod telemetry;
pub mod verify_cli;
