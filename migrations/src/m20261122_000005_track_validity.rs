//! How long a track's certificates hold, per track.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tracks::Table)
                    .add_column(integer(Tracks::CertificateValidityMonths).default(24))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tracks::Table)
                    .drop_column(Tracks::CertificateValidityMonths)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Tracks {
    Table,
    CertificateValidityMonths,
}
