//! The one history of Certify's schema, for SQLite and PostgreSQL alike. Migrations are applied
//! at start-up and by `certify migrate`; applying them twice changes nothing.
//!
//! Conventions: ids are UUIDv7 (time-ordered, so keyset pagination by id follows creation order);
//! instants are `timestamp with time zone`; hex keys are `VARCHAR`, never `CHAR(n)` (PostgreSQL
//! skips a `CHAR` index when the value is bound as text).

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_accounts;
mod m20261122_000002_learning;
mod m20261122_000003_exams;
mod m20261122_000004_certificates;
mod m20261122_000005_track_validity;
mod m20261122_000006_credential_ids;
mod m20261122_000007_certificate_changes;
mod m20261122_000008_firm_rosters;
mod m20261201_000009_progress;
mod m20261201_000010_recertification_window;
mod m20261202_000011_certificate_standing_index;
mod m20261202_000012_firm_member_order_index;
mod m20261202_000013_api_clients;
mod m20261202_000014_identity_providers;
mod m20261203_000015_staff_identity_provider;
mod m20261207_000016_account_security;
mod m20261207_000017_firm_invitations;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_accounts::Migration),
            Box::new(m20261122_000002_learning::Migration),
            Box::new(m20261122_000003_exams::Migration),
            Box::new(m20261122_000004_certificates::Migration),
            Box::new(m20261122_000005_track_validity::Migration),
            Box::new(m20261122_000006_credential_ids::Migration),
            Box::new(m20261122_000007_certificate_changes::Migration),
            Box::new(m20261122_000008_firm_rosters::Migration),
            Box::new(m20261201_000009_progress::Migration),
            Box::new(m20261201_000010_recertification_window::Migration),
            Box::new(m20261202_000011_certificate_standing_index::Migration),
            Box::new(m20261202_000012_firm_member_order_index::Migration),
            Box::new(m20261202_000013_api_clients::Migration),
            Box::new(m20261202_000014_identity_providers::Migration),
            Box::new(m20261203_000015_staff_identity_provider::Migration),
            Box::new(m20261207_000016_account_security::Migration),
            Box::new(m20261207_000017_firm_invitations::Migration),
        ]
    }
}
