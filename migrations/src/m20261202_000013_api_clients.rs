//! API clients: a firm's own systems (HR, staffing, CRM) reach the firm's routes with the OAuth2
//! client credentials grant. A client holds the scopes its firm admin chose; its secret and the
//! short-lived access tokens it exchanges the secret for are kept only as SHA-256 hashes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiClients::Table)
                    .if_not_exists()
                    .col(pk_uuid(ApiClients::Id))
                    .col(uuid(ApiClients::FirmId))
                    .col(string_len(ApiClients::Name, 100))
                    // Space-separated, as OAuth2 writes scopes.
                    .col(string_len(ApiClients::Scopes, 200))
                    .col(string_len(ApiClients::SecretHash, 64))
                    // The firm admin (or staff) who created it: a client acts for them.
                    .col(uuid(ApiClients::CreatedBy))
                    .col(timestamp_with_time_zone(ApiClients::CreatedAt))
                    .col(timestamp_with_time_zone(ApiClients::SecretRotatedAt))
                    .col(timestamp_with_time_zone_null(ApiClients::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiClients::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiClients::Table, ApiClients::FirmId)
                            .to(Firms::Table, Firms::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiClients::Table, ApiClients::CreatedBy)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_api_clients_firm_id")
                    .table(ApiClients::Table)
                    .col(ApiClients::FirmId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiClientTokens::Table)
                    .if_not_exists()
                    .col(pk_uuid(ApiClientTokens::Id))
                    .col(uuid(ApiClientTokens::ClientId))
                    .col(string_len_uniq(ApiClientTokens::TokenHash, 64))
                    // The scopes granted to this token: those asked for, or all of the client's.
                    .col(string_len(ApiClientTokens::Scopes, 200))
                    .col(timestamp_with_time_zone(ApiClientTokens::IssuedAt))
                    .col(timestamp_with_time_zone(ApiClientTokens::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiClientTokens::Table, ApiClientTokens::ClientId)
                            .to(ApiClients::Table, ApiClients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_api_client_tokens_client_id")
                    .table(ApiClientTokens::Table)
                    .col(ApiClientTokens::ClientId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [ApiClientTokens::Table.into_iden(), ApiClients::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Firms {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    FirmId,
    Name,
    Scopes,
    SecretHash,
    CreatedBy,
    CreatedAt,
    SecretRotatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ApiClientTokens {
    Table,
    Id,
    ClientId,
    TokenHash,
    Scopes,
    IssuedAt,
    ExpiresAt,
}
