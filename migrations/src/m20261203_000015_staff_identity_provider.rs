//! The programme's own provider, through which programme staff sign in: a provider row with no
//! firm. At most one such row may exist, which a partial unique index enforces.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const ONE_FOR_STAFF: &str = "CREATE UNIQUE INDEX identity_providers_one_for_staff \
                             ON identity_providers ((firm_id IS NULL)) WHERE firm_id IS NULL";
const COLUMNS: &str = "id, firm_id, name, issuer, client_id, client_secret, domains, created_at, updated_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => rebuild(manager, true).await?,
            _ => {
                db.execute_unprepared("ALTER TABLE identity_providers ALTER COLUMN firm_id DROP NOT NULL")
                    .await?;
            }
        }
        db.execute_unprepared(ONE_FOR_STAFF).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX identity_providers_one_for_staff")
            .await?;
        db.execute_unprepared("DELETE FROM identity_providers WHERE firm_id IS NULL")
            .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => rebuild(manager, false).await,
            _ => db
                .execute_unprepared("ALTER TABLE identity_providers ALTER COLUMN firm_id SET NOT NULL")
                .await
                .map(drop),
        }
    }
}

/// SQLite cannot change a column's nullability in place: copy the rows into a table made the
/// new way and put it in the old one's place. Sign-ins in progress through a provider go with
/// the old table (they last minutes; people start again).
async fn rebuild(manager: &SchemaManager<'_>, firm_optional: bool) -> Result<(), DbErr> {
    let mut firm_id = uuid(IdentityProviders::FirmId);
    if firm_optional {
        firm_id.null();
    }
    firm_id.unique_key();
    manager
        .create_table(
            Table::create()
                .table(NewIdentityProviders::Table)
                .col(pk_uuid(IdentityProviders::Id))
                .col(firm_id)
                .col(string_len(IdentityProviders::Name, 100))
                .col(string_len_uniq(IdentityProviders::Issuer, 500))
                .col(string_len(IdentityProviders::ClientId, 500))
                .col(string_len(IdentityProviders::ClientSecret, 500))
                .col(string_len(IdentityProviders::Domains, 2000))
                .col(timestamp_with_time_zone(IdentityProviders::CreatedAt))
                .col(timestamp_with_time_zone(IdentityProviders::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(NewIdentityProviders::Table, IdentityProviders::FirmId)
                        .to(Firms::Table, Firms::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO identity_providers_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM identity_providers"
    ))
    .await?;
    db.execute_unprepared("DROP TABLE identity_providers").await?;
    db.execute_unprepared("ALTER TABLE identity_providers_rebuilt RENAME TO identity_providers")
        .await?;
    Ok(())
}

#[derive(DeriveIden)]
enum Firms {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum NewIdentityProviders {
    #[sea_orm(iden = "identity_providers_rebuilt")]
    Table,
}

#[derive(DeriveIden)]
enum IdentityProviders {
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
