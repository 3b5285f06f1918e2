//! How every write transaction begins.
//!
//! On SQLite a plain `BEGIN` is deferred: the transaction reads from a snapshot and asks for
//! the write lock only at its first write. If another connection committed a write in between,
//! that first write fails at once with `SQLITE_BUSY_SNAPSHOT` (the busy timeout does not retry
//! it), so two consultants submitting at the same moment could fail one another. `BEGIN
//! IMMEDIATE` takes the write lock up front, and concurrent writers wait their turn instead.
//! PostgreSQL ignores the mode.

use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

/// Begins a transaction that may write (on SQLite, `BEGIN IMMEDIATE`). Inside a transaction it
/// opens a savepoint, as `begin` does.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
