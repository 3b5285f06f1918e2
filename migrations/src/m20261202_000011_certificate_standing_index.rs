//! A covering index for what firm pages read of certificates: each holder's certificates with
//! their track, dates and whether they were revoked or replaced. Certificate rows carry the
//! signed credential, kilobytes of JSON that SQLite keeps in overflow pages; the columns after it
//! can only be read by walking those pages. With this index a firm's standings (thousands of
//! certificates) are read from the index alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_certificates_standing";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Certificates::Table)
                    .col(Certificates::AccountId)
                    .col(Certificates::TrackId)
                    .col(Certificates::ExpiresAt)
                    .col(Certificates::IssuedAt)
                    .col(Certificates::RevokedAt)
                    .col(Certificates::SupersededBy)
                    .col(Certificates::SupersededAt)
                    .col(Certificates::Id)
                    .col(Certificates::AchievementName)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Certificates::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    AccountId,
    TrackId,
    ExpiresAt,
    IssuedAt,
    RevokedAt,
    SupersededBy,
    SupersededAt,
    Id,
    AchievementName,
}
