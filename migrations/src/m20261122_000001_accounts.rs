//! Partner firms, accounts with their roles, linked external identities (single sign-on) and
//! bearer-token sessions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Firms::Table)
                    .if_not_exists()
                    .col(pk_uuid(Firms::Id))
                    .col(string_len(Firms::Name, 200))
                    .col(string_len(Firms::Kind, 32))
                    .col(string_len(Firms::Country, 2))
                    .col(string_len_null(Firms::Website, 2048))
                    .col(timestamp_with_time_zone(Firms::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .if_not_exists()
                    .col(pk_uuid(Accounts::Id))
                    .col(string_len_uniq(Accounts::Email, 254))
                    .col(string_len(Accounts::DisplayName, 200))
                    .col(string_len(Accounts::Role, 32))
                    .col(uuid_null(Accounts::FirmId))
                    // NULL for accounts that only ever sign in through an external identity.
                    .col(text_null(Accounts::PasswordHash))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Accounts::Table, Accounts::FirmId)
                            .to(Firms::Table, Firms::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    // A firm admin is always bound to exactly one firm; nobody else is.
                    .check(
                        Expr::col(Accounts::Role)
                            .eq("firm_admin")
                            .and(Expr::col(Accounts::FirmId).is_not_null())
                            .or(Expr::col(Accounts::Role)
                                .ne("firm_admin")
                                .and(Expr::col(Accounts::FirmId).is_null())),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_accounts_firm_id")
                    .table(Accounts::Table)
                    .col(Accounts::FirmId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ExternalIdentities::Table)
                    .if_not_exists()
                    .col(pk_uuid(ExternalIdentities::Id))
                    .col(uuid(ExternalIdentities::AccountId))
                    // The OpenID Connect `iss` and `sub` claims: together they name one person.
                    .col(string_len(ExternalIdentities::Issuer, 2048))
                    .col(string_len(ExternalIdentities::Subject, 255))
                    .col(timestamp_with_time_zone(ExternalIdentities::LinkedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExternalIdentities::Table, ExternalIdentities::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("uq_external_identities_issuer_subject")
                    .table(ExternalIdentities::Table)
                    .col(ExternalIdentities::Issuer)
                    .col(ExternalIdentities::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::AccountId))
                    // SHA-256 of the bearer token; the token itself is never stored.
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_sessions_account_id")
                    .table(Sessions::Table)
                    .col(Sessions::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Sessions::Table.into_iden(),
            ExternalIdentities::Table.into_iden(),
            Accounts::Table.into_iden(),
            Firms::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Firms {
    Table,
    Id,
    Name,
    Kind,
    Country,
    Website,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    DisplayName,
    Role,
    FirmId,
    PasswordHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ExternalIdentities {
    Table,
    Id,
    AccountId,
    Issuer,
    Subject,
    LinkedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    AccountId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}
