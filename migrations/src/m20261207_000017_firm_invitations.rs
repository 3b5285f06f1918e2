//! Invitations to a firm's roster. A roster row whose address is not at a domain the firm has
//! verified does not attach anyone: the person is invited, and joins once they accept.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FirmInvitations::Table)
                    .if_not_exists()
                    .col(pk_uuid(FirmInvitations::Id))
                    .col(uuid(FirmInvitations::FirmId))
                    .col(uuid(FirmInvitations::AccountId))
                    .col(uuid_null(FirmInvitations::RosterImportId))
                    // What the roster said, applied to the membership on acceptance.
                    .col(string_len_null(FirmInvitations::EmployeeId, 64))
                    .col(string_len_null(FirmInvitations::Country, 2))
                    .col(timestamp_with_time_zone(FirmInvitations::InvitedAt))
                    .col(timestamp_with_time_zone_null(FirmInvitations::AnsweredAt))
                    .col(boolean_null(FirmInvitations::Accepted))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FirmInvitations::Table, FirmInvitations::FirmId)
                            .to(Firms::Table, Firms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FirmInvitations::Table, FirmInvitations::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One invitation per firm and person: importing the roster again does not invite twice,
        // and a declined invitation stays declined.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_firm_invitations_firm_account")
                    .table(FirmInvitations::Table)
                    .col(FirmInvitations::FirmId)
                    .col(FirmInvitations::AccountId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_firm_invitations_account")
                    .table(FirmInvitations::Table)
                    .col(FirmInvitations::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FirmInvitations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum FirmInvitations {
    Table,
    Id,
    FirmId,
    AccountId,
    RosterImportId,
    EmployeeId,
    Country,
    InvitedAt,
    AnsweredAt,
    Accepted,
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
