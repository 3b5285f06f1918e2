//! The retake policy's recertification window: how long before a held certificate expires its
//! holder may sit the track's exam again (90 days unless staff choose otherwise).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Exams::Table)
                    .add_column(integer(Exams::RecertificationWindowDays).default(90))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Exams::Table)
                    .drop_column(Exams::RecertificationWindowDays)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Exams {
    Table,
    RecertificationWindowDays,
}
