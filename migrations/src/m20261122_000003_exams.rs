//! Exams: one per track, with its blueprint (domains, duration, cut score, retake policy), the
//! versioned item bank, and attempts with the exact item versions they served.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Exams::Table)
                    .if_not_exists()
                    .col(pk_uuid(Exams::Id))
                    .col(uuid_uniq(Exams::TrackId))
                    .col(string_len(Exams::Title, 200))
                    .col(integer(Exams::DurationMinutes))
                    // On the 100–1000 reporting scale.
                    .col(integer(Exams::CutScore))
                    // Percentage of a form's items that must be right to pass.
                    .col(integer(Exams::CutPercent))
                    .col(integer(Exams::WaitAfterFirstFailMinutes))
                    .col(integer(Exams::WaitAfterLaterFailsMinutes))
                    .col(integer(Exams::MaxAttemptsInWindow))
                    .col(integer(Exams::WindowDays))
                    .col(timestamp_with_time_zone(Exams::CreatedAt))
                    .col(timestamp_with_time_zone(Exams::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Exams::Table, Exams::TrackId)
                            .to(Alias::new("tracks"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExamDomains::Table)
                    .if_not_exists()
                    .col(pk_uuid(ExamDomains::Id))
                    .col(uuid(ExamDomains::ExamId))
                    .col(integer(ExamDomains::Position))
                    .col(string_len(ExamDomains::Name, 200))
                    .col(integer(ExamDomains::WeightPercent))
                    .col(integer(ExamDomains::ItemsPerForm))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExamDomains::Table, ExamDomains::ExamId)
                            .to(Exams::Table, Exams::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Items::Table)
                    .if_not_exists()
                    .col(pk_uuid(Items::Id))
                    .col(uuid(Items::ExamId))
                    .col(uuid(Items::DomainId))
                    // active | retired
                    .col(string_len(Items::Status, 16))
                    .col(integer(Items::CurrentVersion))
                    .col(timestamp_with_time_zone(Items::CreatedAt))
                    .col(timestamp_with_time_zone(Items::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Items::Table, Items::ExamId)
                            .to(Exams::Table, Exams::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Items::Table, Items::DomainId)
                            .to(ExamDomains::Table, ExamDomains::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_items_exam")
                    .table(Items::Table)
                    .col(Items::ExamId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ItemVersions::Table)
                    .if_not_exists()
                    .col(pk_uuid(ItemVersions::Id))
                    .col(uuid(ItemVersions::ItemId))
                    .col(integer(ItemVersions::Version))
                    // single_choice | multiple_response | true_false
                    .col(string_len(ItemVersions::Kind, 32))
                    .col(text(ItemVersions::Stem))
                    // JSON: [{"id": "a", "text": "..."}, ...]
                    .col(text(ItemVersions::Options))
                    // JSON: ["a", ...]; never leaves the server towards a consultant.
                    .col(text(ItemVersions::AnswerKey))
                    .col(timestamp_with_time_zone(ItemVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ItemVersions::Table, ItemVersions::ItemId)
                            .to(Items::Table, Items::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .unique()
                    .name("uq_item_versions_item_version")
                    .table(ItemVersions::Table)
                    .col(ItemVersions::ItemId)
                    .col(ItemVersions::Version)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Attempts::Table)
                    .if_not_exists()
                    .col(pk_uuid(Attempts::Id))
                    .col(uuid(Attempts::ExamId))
                    .col(uuid(Attempts::AccountId))
                    // open | submitted | expired
                    .col(string_len(Attempts::Status, 16))
                    .col(big_integer(Attempts::Seed))
                    .col(timestamp_with_time_zone(Attempts::StartedAt))
                    .col(timestamp_with_time_zone(Attempts::Deadline))
                    .col(timestamp_with_time_zone_null(Attempts::FinishedAt))
                    .col(integer_null(Attempts::RawScore))
                    .col(integer_null(Attempts::MaxRaw))
                    .col(integer_null(Attempts::ScaledScore))
                    .col(boolean_null(Attempts::Passed))
                    // JSON: [{"domain_id": ..., "meets": true}, ...]
                    .col(text_null(Attempts::DomainFeedback))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attempts::Table, Attempts::ExamId)
                            .to(Exams::Table, Exams::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attempts::Table, Attempts::AccountId)
                            .to(Alias::new("accounts"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_attempts_account_exam")
                    .table(Attempts::Table)
                    .col(Attempts::AccountId)
                    .col(Attempts::ExamId)
                    .to_owned(),
            )
            .await?;
        // At most one open attempt per consultant and exam, even under concurrent starts.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS uq_attempts_one_open \
                 ON attempts (account_id, exam_id) WHERE status = 'open'",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AttemptItems::Table)
                    .if_not_exists()
                    .col(pk_uuid(AttemptItems::Id))
                    .col(uuid(AttemptItems::AttemptId))
                    .col(integer(AttemptItems::Position))
                    .col(uuid(AttemptItems::ItemId))
                    .col(integer(AttemptItems::ItemVersion))
                    .col(uuid(AttemptItems::DomainId))
                    // JSON: the option ids in the order this attempt shows them.
                    .col(text(AttemptItems::OptionOrder))
                    // JSON: the selected option ids; NULL until answered.
                    .col(text_null(AttemptItems::Response))
                    .col(timestamp_with_time_zone_null(AttemptItems::AnsweredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttemptItems::Table, AttemptItems::AttemptId)
                            .to(Attempts::Table, Attempts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttemptItems::Table, AttemptItems::ItemId)
                            .to(Items::Table, Items::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .unique()
                    .name("uq_attempt_items_attempt_position")
                    .table(AttemptItems::Table)
                    .col(AttemptItems::AttemptId)
                    .col(AttemptItems::Position)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "attempt_items",
            "attempts",
            "item_versions",
            "items",
            "exam_domains",
            "exams",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Exams {
    Table,
    Id,
    TrackId,
    Title,
    DurationMinutes,
    CutScore,
    CutPercent,
    WaitAfterFirstFailMinutes,
    WaitAfterLaterFailsMinutes,
    MaxAttemptsInWindow,
    WindowDays,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ExamDomains {
    Table,
    Id,
    ExamId,
    Position,
    Name,
    WeightPercent,
    ItemsPerForm,
}

#[derive(DeriveIden)]
enum Items {
    Table,
    Id,
    ExamId,
    DomainId,
    Status,
    CurrentVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ItemVersions {
    Table,
    Id,
    ItemId,
    Version,
    Kind,
    Stem,
    Options,
    AnswerKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
    ExamId,
    AccountId,
    Status,
    Seed,
    StartedAt,
    Deadline,
    FinishedAt,
    RawScore,
    MaxRaw,
    ScaledScore,
    Passed,
    DomainFeedback,
}

#[derive(DeriveIden)]
enum AttemptItems {
    Table,
    Id,
    AttemptId,
    Position,
    ItemId,
    ItemVersion,
    DomainId,
    OptionOrder,
    Response,
    AnsweredAt,
}
