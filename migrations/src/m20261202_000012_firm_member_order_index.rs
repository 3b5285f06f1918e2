//! A firm's members in account order, straight from an index: the consultants' keyset pages
//! (`WHERE firm_id = ? AND account_id > ? ORDER BY account_id LIMIT n`) otherwise read and sort
//! every member of the firm, and join each to its account, for every page.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_firm_memberships_firm_account";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(FirmMemberships::Table)
                    .col(FirmMemberships::FirmId)
                    .col(FirmMemberships::AccountId)
                    .col(FirmMemberships::LeftAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(FirmMemberships::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum FirmMemberships {
    Table,
    FirmId,
    AccountId,
    LeftAt,
}
