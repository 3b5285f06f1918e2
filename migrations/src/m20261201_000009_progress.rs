//! The programme's counters toward its target, kept in the same transactions as the certificate
//! changes that move them, so that reading the headline never scans certificates.
//!
//! - `progress_holdings`: the certificates counted as active now (issued, not revoked, not
//!   superseded, not yet swept as expired); expiry is a whole-second Unix time so that the sweep's
//!   range query means the same on SQLite (text instants) and PostgreSQL.
//! - `progress_consultants`: every consultant ever certified, with how many holdings they have.
//! - `progress_totals`: one row, the headline; `version` moves on every change. `initialised` is
//!   false until the counters were first computed from the certificates already stored.
//! - `progress_days`: per UTC day, the net change of the certified count, first-time
//!   certifications and certificates earned (reissues excluded).
//!
//! It also gives earlier name corrections their own history kind, `reissued`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Name corrections were recorded as `issued` until now; the counters must not take a
        // reissue for a new certification.
        manager
            .exec_stmt(
                Query::update()
                    .table(CertificateEvents::Table)
                    .value(CertificateEvents::Kind, "reissued")
                    .and_where(Expr::col(CertificateEvents::Kind).eq("issued"))
                    .and_where(Expr::col(CertificateEvents::Detail).eq("reissued with a corrected holder name"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgressHoldings::Table)
                    .if_not_exists()
                    .col(pk_uuid(ProgressHoldings::CertificateId))
                    .col(uuid(ProgressHoldings::AccountId))
                    .col(uuid(ProgressHoldings::TrackId))
                    .col(big_integer(ProgressHoldings::ExpiresUnix))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("progress_holdings_account", ProgressHoldings::AccountId),
            ("progress_holdings_expiry", ProgressHoldings::ExpiresUnix),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ProgressHoldings::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ProgressConsultants::Table)
                    .if_not_exists()
                    .col(pk_uuid(ProgressConsultants::AccountId))
                    .col(integer(ProgressConsultants::ActiveCertificates))
                    .col(timestamp_with_time_zone(ProgressConsultants::FirstCertifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgressTotals::Table)
                    .if_not_exists()
                    .col(integer(ProgressTotals::Id).primary_key())
                    .col(big_integer(ProgressTotals::Certified))
                    .col(big_integer(ProgressTotals::EverCertified))
                    .col(big_integer(ProgressTotals::Version))
                    .col(boolean(ProgressTotals::Initialised))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ProgressTotals::Table)
                    .columns([
                        ProgressTotals::Id,
                        ProgressTotals::Certified,
                        ProgressTotals::EverCertified,
                        ProgressTotals::Version,
                        ProgressTotals::Initialised,
                    ])
                    .values_panic([1.into(), 0.into(), 0.into(), 0.into(), false.into()])
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgressDays::Table)
                    .if_not_exists()
                    .col(string_len(ProgressDays::Day, 10).primary_key())
                    .col(big_integer(ProgressDays::CertifiedDelta))
                    .col(big_integer(ProgressDays::NewlyCertified))
                    .col(big_integer(ProgressDays::Certifications))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ProgressDays::Table.into_iden(),
            ProgressTotals::Table.into_iden(),
            ProgressConsultants::Table.into_iden(),
            ProgressHoldings::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ProgressHoldings {
    Table,
    CertificateId,
    AccountId,
    TrackId,
    ExpiresUnix,
}

#[derive(DeriveIden)]
enum ProgressConsultants {
    Table,
    AccountId,
    ActiveCertificates,
    FirstCertifiedAt,
}

#[derive(DeriveIden)]
enum ProgressTotals {
    Table,
    Id,
    Certified,
    EverCertified,
    Version,
    Initialised,
}

#[derive(DeriveIden)]
enum ProgressDays {
    Table,
    Day,
    CertifiedDelta,
    NewlyCertified,
    Certifications,
}

#[derive(DeriveIden)]
enum CertificateEvents {
    Table,
    Kind,
    Detail,
}
