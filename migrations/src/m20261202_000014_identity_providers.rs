//! Single sign-on: each partner firm's OpenID Connect provider, and the sign-ins begun through
//! one and not yet finished (what the browser's return must match: state, nonce, PKCE verifier).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdentityProviders::Table)
                    .if_not_exists()
                    .col(pk_uuid(IdentityProviders::Id))
                    // One provider per firm.
                    .col(uuid_uniq(IdentityProviders::FirmId))
                    .col(string_len(IdentityProviders::Name, 100))
                    .col(string_len_uniq(IdentityProviders::Issuer, 500))
                    .col(string_len(IdentityProviders::ClientId, 500))
                    // Sent to the provider with each code exchange, so kept as given; never shown.
                    .col(string_len(IdentityProviders::ClientSecret, 500))
                    // Space-separated e-mail domains the provider speaks for; each verified by the firm.
                    .col(string_len(IdentityProviders::Domains, 2000))
                    .col(timestamp_with_time_zone(IdentityProviders::CreatedAt))
                    .col(timestamp_with_time_zone(IdentityProviders::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdentityProviders::Table, IdentityProviders::FirmId)
                            .to(Firms::Table, Firms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PendingSignIns::Table)
                    .if_not_exists()
                    .col(pk_uuid(PendingSignIns::Id))
                    .col(string_len_uniq(PendingSignIns::StateHash, 64))
                    .col(uuid(PendingSignIns::ProviderId))
                    .col(string_len(PendingSignIns::Nonce, 200))
                    .col(string_len(PendingSignIns::PkceVerifier, 200))
                    // Where to go once signed in: a path of this site.
                    .col(string_len(PendingSignIns::NextPath, 500))
                    .col(timestamp_with_time_zone(PendingSignIns::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PendingSignIns::Table, PendingSignIns::ProviderId)
                            .to(IdentityProviders::Table, IdentityProviders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [PendingSignIns::Table.into_iden(), IdentityProviders::Table.into_iden()] {
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
enum IdentityProviders {
    Table,
    Id,
    FirmId,
    Name,
    Issuer,
    ClientId,
    ClientSecret,
    Domains,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PendingSignIns {
    Table,
    Id,
    StateHash,
    ProviderId,
    Nonce,
    PkceVerifier,
    NextPath,
    ExpiresAt,
}
