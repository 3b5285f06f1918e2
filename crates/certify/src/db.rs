//! Opening the database and bringing its schema up to date.

use std::time::Duration;

use anyhow::Context as _;
use certify_migrations::{Migrator, MigratorTrait as _};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

/// Arbitrary but fixed: every instance of a deployment takes this PostgreSQL advisory lock while
/// migrating and while seeding the demo, so instances starting together do each once.
const MIGRATION_LOCK_ID: i64 = 0x0000_C3E7_1F7D_0001;

/// Connects with the settings this platform relies on: SQLite in WAL mode with foreign keys
/// enforced and a larger page cache, and a pool that pings only connections that have sat idle (pinging on every checkout
/// costs 12–20 % on hot lookups).
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                // 32 MiB of page cache per connection instead of SQLite's 2 MiB: a firm's pages
                // read thousands of rows scattered over a large file, and a small cache turns each
                // into a system call.
                .pragma("cache_size", "-32768")
        });
    let mut attempts = 0;
    loop {
        match Database::connect(options.clone()).await {
            // Switching a new SQLite file to WAL needs a moment of exclusive access, and SQLite
            // answers "database is locked" at once, without waiting, when another process
            // starting on the same file holds it: try again for a while.
            Err(err) if attempts < LOCKED_AT_START_RETRIES && err.to_string().contains("database is locked") => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            connected => return connected.with_context(|| format!("cannot open database {}", redact(url))),
        }
    }
}

/// How often start-up tries again to open an SQLite file another process holds (100 ms apart).
const LOCKED_AT_START_RETRIES: u32 = 100;

/// Applies every pending migration in one transaction: on failure nothing is half-applied.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let txn = certify_core::begin_write(db)
        .await
        .context("starting the migration transaction")?;
    hold_start_up_lock(&txn).await.context("taking the migration lock")?;
    Migrator::up(&txn, None).await.context("applying migrations")?;
    txn.commit().await.context("committing migrations")
}

/// Serialises start-up work (migrations, the demo seed) across instances sharing one
/// PostgreSQL database, until the transaction ends. SQLite needs nothing: a write transaction
/// (`BEGIN IMMEDIATE`) already excludes every other writer.
pub async fn hold_start_up_lock(txn: &impl ConnectionTrait) -> anyhow::Result<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})"))
            .await?;
    }
    Ok(())
}

/// The URL with any password replaced, fit for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Cannot fail for a URL that already has a password.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://certify:s3cret@db:5432/certify"),
            "postgres://certify:***@db:5432/certify"
        );
        assert_eq!(redact("sqlite://certify.db?mode=rwc"), "sqlite://certify.db?mode=rwc");
    }
}
