//! The course catalogue (tracks → courses → modules, with module versions), enrolments, module
//! completions, and consultants' firm memberships (needed to scope firm admins to their staff).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_catalogue(manager).await?;
        create_learning_records(manager).await?;
        create_memberships(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "firm_memberships",
            "module_completions",
            "track_enrolments",
            "course_enrolments",
            "module_versions",
            "modules",
            "courses",
            "tracks",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_catalogue(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Tracks::Table)
                .if_not_exists()
                .col(pk_uuid(Tracks::Id))
                .col(string_len(Tracks::Title, 200))
                .col(text(Tracks::Description))
                // draft → published → retired
                .col(string_len(Tracks::Status, 16))
                .col(timestamp_with_time_zone(Tracks::CreatedAt))
                .col(timestamp_with_time_zone(Tracks::UpdatedAt))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(Courses::Table)
                .if_not_exists()
                .col(pk_uuid(Courses::Id))
                .col(uuid(Courses::TrackId))
                .col(integer(Courses::Position))
                .col(string_len(Courses::Title, 200))
                .col(text(Courses::Summary))
                // Required courses must be complete before the track's exam may be started.
                .col(boolean(Courses::Required))
                .col(string_len(Courses::Status, 16))
                .col(timestamp_with_time_zone(Courses::CreatedAt))
                .col(timestamp_with_time_zone(Courses::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Courses::Table, Courses::TrackId)
                        .to(Tracks::Table, Tracks::Id),
                )
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_courses_track_position",
        Courses::Table,
        [Courses::TrackId, Courses::Position],
    )
    .await?;
    manager
        .create_table(
            Table::create()
                .table(Modules::Table)
                .if_not_exists()
                .col(pk_uuid(Modules::Id))
                .col(uuid(Modules::CourseId))
                .col(integer(Modules::Position))
                .col(string_len(Modules::Status, 16))
                // The version learners see; older versions stay for the completions that cite them.
                .col(integer(Modules::CurrentVersion))
                .col(timestamp_with_time_zone(Modules::CreatedAt))
                .col(timestamp_with_time_zone(Modules::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Modules::Table, Modules::CourseId)
                        .to(Courses::Table, Courses::Id),
                )
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_modules_course_position",
        Modules::Table,
        [Modules::CourseId, Modules::Position],
    )
    .await?;
    manager
        .create_table(
            Table::create()
                .table(ModuleVersions::Table)
                .if_not_exists()
                .col(pk_uuid(ModuleVersions::Id))
                .col(uuid(ModuleVersions::ModuleId))
                .col(integer(ModuleVersions::Version))
                .col(string_len(ModuleVersions::Title, 200))
                .col(text(ModuleVersions::BodyMarkdown))
                .col(integer(ModuleVersions::EstimatedMinutes))
                .col(timestamp_with_time_zone(ModuleVersions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ModuleVersions::Table, ModuleVersions::ModuleId)
                        .to(Modules::Table, Modules::Id),
                )
                .to_owned(),
        )
        .await?;
    unique_index(
        manager,
        "uq_module_versions_module_version",
        ModuleVersions::Table,
        [ModuleVersions::ModuleId, ModuleVersions::Version],
    )
    .await
}

async fn create_learning_records(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(CourseEnrolments::Table)
                .if_not_exists()
                .col(pk_uuid(CourseEnrolments::Id))
                .col(uuid(CourseEnrolments::AccountId))
                .col(uuid(CourseEnrolments::CourseId))
                .col(timestamp_with_time_zone(CourseEnrolments::EnrolledAt))
                // Set once, when the last published module is completed; never cleared.
                .col(timestamp_with_time_zone_null(CourseEnrolments::CompletedAt))
                .foreign_key(&mut account_fk(CourseEnrolments::Table, CourseEnrolments::AccountId))
                .foreign_key(
                    ForeignKey::create()
                        .from(CourseEnrolments::Table, CourseEnrolments::CourseId)
                        .to(Courses::Table, Courses::Id),
                )
                .to_owned(),
        )
        .await?;
    unique_index(
        manager,
        "uq_course_enrolments_account_course",
        CourseEnrolments::Table,
        [CourseEnrolments::AccountId, CourseEnrolments::CourseId],
    )
    .await?;
    index(
        manager,
        "idx_course_enrolments_course",
        CourseEnrolments::Table,
        [CourseEnrolments::CourseId, CourseEnrolments::Id],
    )
    .await?;
    manager
        .create_table(
            Table::create()
                .table(TrackEnrolments::Table)
                .if_not_exists()
                .col(pk_uuid(TrackEnrolments::Id))
                .col(uuid(TrackEnrolments::AccountId))
                .col(uuid(TrackEnrolments::TrackId))
                .col(timestamp_with_time_zone(TrackEnrolments::EnrolledAt))
                .foreign_key(&mut account_fk(TrackEnrolments::Table, TrackEnrolments::AccountId))
                .foreign_key(
                    ForeignKey::create()
                        .from(TrackEnrolments::Table, TrackEnrolments::TrackId)
                        .to(Tracks::Table, Tracks::Id),
                )
                .to_owned(),
        )
        .await?;
    unique_index(
        manager,
        "uq_track_enrolments_account_track",
        TrackEnrolments::Table,
        [TrackEnrolments::AccountId, TrackEnrolments::TrackId],
    )
    .await?;
    manager
        .create_table(
            Table::create()
                .table(ModuleCompletions::Table)
                .if_not_exists()
                .col(pk_uuid(ModuleCompletions::Id))
                .col(uuid(ModuleCompletions::AccountId))
                .col(uuid(ModuleCompletions::ModuleId))
                // Which version of the module the consultant completed.
                .col(integer(ModuleCompletions::ModuleVersion))
                .col(timestamp_with_time_zone(ModuleCompletions::CompletedAt))
                .foreign_key(&mut account_fk(ModuleCompletions::Table, ModuleCompletions::AccountId))
                .foreign_key(
                    ForeignKey::create()
                        .from(ModuleCompletions::Table, ModuleCompletions::ModuleId)
                        .to(Modules::Table, Modules::Id),
                )
                .to_owned(),
        )
        .await?;
    unique_index(
        manager,
        "uq_module_completions_account_module",
        ModuleCompletions::Table,
        [ModuleCompletions::AccountId, ModuleCompletions::ModuleId],
    )
    .await
}

async fn create_memberships(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(FirmMemberships::Table)
                .if_not_exists()
                .col(pk_uuid(FirmMemberships::Id))
                .col(uuid(FirmMemberships::FirmId))
                .col(uuid(FirmMemberships::AccountId))
                .col(timestamp_with_time_zone(FirmMemberships::JoinedAt))
                .col(timestamp_with_time_zone_null(FirmMemberships::LeftAt))
                .foreign_key(&mut account_fk(FirmMemberships::Table, FirmMemberships::AccountId))
                .foreign_key(
                    ForeignKey::create()
                        .from(FirmMemberships::Table, FirmMemberships::FirmId)
                        .to(Alias::new("firms"), Alias::new("id")),
                )
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_firm_memberships_firm",
        FirmMemberships::Table,
        [FirmMemberships::FirmId],
    )
    .await?;
    // A consultant belongs to at most one firm at a time; past memberships are kept as history.
    // Partial unique indexes are written the same way in SQLite and PostgreSQL.
    manager
        .get_connection()
        .execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_firm_memberships_current \
             ON firm_memberships (account_id) WHERE left_at IS NULL",
        )
        .await
        .map(|_| ())
}

fn account_fk<T: IntoIden + 'static, C: IntoIden + 'static>(table: T, column: C) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Alias::new("accounts"), Alias::new("id"))
        .to_owned()
}

async fn index<T: IntoIden + 'static, C: IntoIden + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    let mut statement = Index::create().if_not_exists().name(name).table(table).to_owned();
    for column in columns {
        statement.col(column);
    }
    manager.create_index(statement).await
}

async fn unique_index<T: IntoIden + 'static, C: IntoIden + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    let mut statement = Index::create()
        .if_not_exists()
        .unique()
        .name(name)
        .table(table)
        .to_owned();
    for column in columns {
        statement.col(column);
    }
    manager.create_index(statement).await
}

#[derive(DeriveIden)]
enum Tracks {
    Table,
    Id,
    Title,
    Description,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    TrackId,
    Position,
    Title,
    Summary,
    Required,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
    CourseId,
    Position,
    Status,
    CurrentVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ModuleVersions {
    Table,
    Id,
    ModuleId,
    Version,
    Title,
    BodyMarkdown,
    EstimatedMinutes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CourseEnrolments {
    Table,
    Id,
    AccountId,
    CourseId,
    EnrolledAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum TrackEnrolments {
    Table,
    Id,
    AccountId,
    TrackId,
    EnrolledAt,
}

#[derive(DeriveIden)]
enum ModuleCompletions {
    Table,
    Id,
    AccountId,
    ModuleId,
    ModuleVersion,
    CompletedAt,
}

#[derive(DeriveIden)]
enum FirmMemberships {
    Table,
    Id,
    FirmId,
    AccountId,
    JoinedAt,
    LeftAt,
}
