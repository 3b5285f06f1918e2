//! A feed of changes to certificates' standing (revoked, superseded), in commit-friendly order.
//! Every server instance caches verification answers and follows this feed to drop the copies a
//! change makes stale, whichever instance made the change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertificateChanges::Table)
                    .if_not_exists()
                    .col(big_pk_auto(CertificateChanges::Seq))
                    .col(uuid(CertificateChanges::CertificateId))
                    .col(string_len(CertificateChanges::Hash, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertificateChanges::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CertificateChanges {
    Table,
    Seq,
    CertificateId,
    Hash,
}
