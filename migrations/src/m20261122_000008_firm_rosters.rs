//! What partner firms manage themselves: claimed e-mail domains (verified by programme staff),
//! roster imports (the employee id and country a firm records for each member), and the
//! programme's partner-tier thresholds.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_domains(manager).await?;
        create_roster_imports(manager).await?;
        // SQLite adds one column per statement.
        for column in [
            ColumnDef::new(FirmMemberships::EmployeeId)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(FirmMemberships::Country).string_len(2).null().to_owned(),
            ColumnDef::new(FirmMemberships::RosterImportId).uuid().null().to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(FirmMemberships::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        create_tier_thresholds(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            FirmMemberships::EmployeeId,
            FirmMemberships::Country,
            FirmMemberships::RosterImportId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(FirmMemberships::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            TierThresholds::Table.into_iden(),
            RosterImports::Table.into_iden(),
            FirmDomains::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_domains(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(FirmDomains::Table)
                .if_not_exists()
                .col(pk_uuid(FirmDomains::Id))
                .col(uuid(FirmDomains::FirmId))
                // One firm per domain: the unique index is what answers "claimed by another firm".
                .col(string_len_uniq(FirmDomains::Domain, 253))
                .col(timestamp_with_time_zone(FirmDomains::ClaimedAt))
                .col(uuid_null(FirmDomains::ClaimedBy))
                .col(timestamp_with_time_zone_null(FirmDomains::VerifiedAt))
                .col(uuid_null(FirmDomains::VerifiedBy))
                .foreign_key(&mut firm_fk(FirmDomains::Table, FirmDomains::FirmId))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .if_not_exists()
                .name("idx_firm_domains_firm")
                .table(FirmDomains::Table)
                .col(FirmDomains::FirmId)
                .to_owned(),
        )
        .await
}

async fn create_roster_imports(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(RosterImports::Table)
                .if_not_exists()
                .col(pk_uuid(RosterImports::Id))
                .col(uuid(RosterImports::FirmId))
                .col(uuid(RosterImports::ImportedBy))
                .col(timestamp_with_time_zone(RosterImports::ImportedAt))
                .col(big_integer(RosterImports::Rows))
                .col(big_integer(RosterImports::Created))
                .col(big_integer(RosterImports::Updated))
                .col(big_integer(RosterImports::Unchanged))
                .foreign_key(&mut firm_fk(RosterImports::Table, RosterImports::FirmId))
                .to_owned(),
        )
        .await
}

async fn create_tier_thresholds(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // One row (id 1) once staff change the defaults; absent means the defaults apply.
    manager
        .create_table(
            Table::create()
                .table(TierThresholds::Table)
                .if_not_exists()
                .col(integer(TierThresholds::Id).primary_key())
                .col(big_integer(TierThresholds::SelectMin))
                .col(big_integer(TierThresholds::AdvancedMin))
                .col(big_integer(TierThresholds::PremierMin))
                .col(timestamp_with_time_zone(TierThresholds::UpdatedAt))
                .col(uuid_null(TierThresholds::UpdatedBy))
                .to_owned(),
        )
        .await
}

fn firm_fk<T: IntoIden + 'static, C: IntoIden + 'static>(table: T, column: C) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Alias::new("firms"), Alias::new("id"))
        .to_owned()
}

#[derive(DeriveIden)]
enum FirmDomains {
    Table,
    Id,
    FirmId,
    Domain,
    ClaimedAt,
    ClaimedBy,
    VerifiedAt,
    VerifiedBy,
}

#[derive(DeriveIden)]
enum RosterImports {
    Table,
    Id,
    FirmId,
    ImportedBy,
    ImportedAt,
    Rows,
    Created,
    Updated,
    Unchanged,
}

#[derive(DeriveIden)]
enum FirmMemberships {
    Table,
    EmployeeId,
    Country,
    RosterImportId,
}

#[derive(DeriveIden)]
enum TierThresholds {
    Table,
    Id,
    SelectMin,
    AdvancedMin,
    PremierMin,
    UpdatedAt,
    UpdatedBy,
}
