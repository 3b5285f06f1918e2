//! Certificates are looked up by credential id (`urn:uuid:…`) as well as by hash, so the id gets
//! a column of its own with a unique index, filled in for certificates issued before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "certificates_credential_id_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(ColumnDef::new(Certificates::CredentialId).string_len(45).null())
                    .to_owned(),
            )
            .await?;
        // The id is already inside each stored credential; copy it out.
        let backfill = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "UPDATE certificates SET credential_id = (credential::json ->> 'id')",
            _ => "UPDATE certificates SET credential_id = json_extract(credential, '$.id')",
        };
        manager.get_connection().execute_unprepared(backfill).await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Certificates::Table)
                    .col(Certificates::CredentialId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Certificates::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .drop_column(Certificates::CredentialId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    CredentialId,
}
