use std::sync::Arc;

use certify::startup::Application;
use certify_core::TestClock;
use sea_orm::{ConnectionTrait as _, Statement};
use time::macros::datetime;

use crate::helpers::{TestDatabase, spawn_app, test_settings};

async fn pragma(app: &crate::helpers::TestApp, name: &str) -> String {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("PRAGMA {name}"),
        ))
        .await
        .expect("pragma")
        .expect("a row");
    row.try_get_by_index::<String>(0)
        .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
        .expect("value")
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_enforced() {
    let app = spawn_app().await;
    if !app.database.is_sqlite() {
        return;
    }
    assert_eq!(pragma(&app, "journal_mode").await, "wal");
    assert_eq!(pragma(&app, "foreign_keys").await, "1");
}

#[tokio::test]
async fn foreign_keys_are_enforced_on_every_backend() {
    let app = spawn_app().await;
    let orphan = format!(
        "INSERT INTO sessions (id, account_id, token_hash, created_at, expires_at) VALUES ('{}', '{}', 'x', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')",
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7()
    );
    let inserted = app.db.execute_unprepared(&orphan).await;
    assert!(inserted.is_err(), "a session of a missing account was accepted");
}

/// Staff, four firm admins, six consultants per firm and Northwind's eleven extra.
const DEMO_ACCOUNT_COUNT: u64 = 1 + 4 + 4 * 6 + 11;

#[tokio::test]
async fn starting_twice_on_one_database_migrates_once_and_keeps_data() {
    let database = TestDatabase::create().await;
    let settings = test_settings(database.url());
    let clock = Arc::new(TestClock::new(datetime!(2026-11-22 09:00 UTC)));
    let first = Application::build(&settings, clock.clone()).await.expect("first start");
    first.seed_demo(datetime!(2026-11-22 09:00 UTC)).await.expect("seeded");
    drop(first);

    let second = Application::build(&settings, clock)
        .await
        .expect("second start migrates nothing");
    let accounts = certify_accounts::count_accounts(second.database())
        .await
        .expect("count");
    assert_eq!(accounts, DEMO_ACCOUNT_COUNT);
    let again = second.seed_demo(datetime!(2026-11-22 09:00 UTC)).await.expect("seed");
    assert_eq!(again, certify::demo::SeedOutcome::AlreadyPopulated);
    assert_eq!(
        certify_accounts::count_accounts(second.database())
            .await
            .expect("count"),
        DEMO_ACCOUNT_COUNT
    );
}

/// Every authenticated request looks its token up by hash; on PostgreSQL a column/parameter type
/// mismatch (e.g. `CHAR(n)` against a text bind) silently turns that into a full scan.
#[tokio::test]
async fn the_token_lookup_uses_its_index_on_postgres() {
    use sea_orm::{DbBackend, QueryTrait as _};

    let app = spawn_app().await;
    if app.database.is_sqlite() {
        return;
    }
    let query = certify_accounts::session_lookup("ctk_any").build(DbBackend::Postgres);
    let explain = Statement {
        sql: format!("EXPLAIN {}", query.sql),
        ..query
    };
    let txn = certify_core::begin_write(&app.db).await.expect("transaction");
    // With sequential scans priced out, the planner still picks one if the index is unusable.
    txn.execute_unprepared("SET LOCAL enable_seqscan = off")
        .await
        .expect("set");
    let plan: Vec<String> = txn
        .query_all_raw(explain)
        .await
        .expect("explain")
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("plan line"))
        .collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("Index Scan using sessions_token_hash_key"),
        "token lookup does not use its index:\n{plan}"
    );
}

/// A write transaction that reads first must not fail because another connection wrote in the
/// meantime. On SQLite a deferred `BEGIN` fails exactly so (`SQLITE_BUSY_SNAPSHOT`, "database is
/// locked", at once and without retry); `begin_write` takes the write lock up front instead, and
/// the other writer waits its turn.
#[tokio::test]
async fn a_write_transaction_is_not_failed_by_a_write_committed_meanwhile() {
    let database = TestDatabase::create().await;
    let db = certify::db::connect(database.url(), 4).await.expect("connects");
    db.execute_unprepared("CREATE TABLE counters (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        .await
        .expect("table");
    db.execute_unprepared("INSERT INTO counters VALUES (1, 0), (2, 0)")
        .await
        .expect("rows");

    let txn = certify_core::begin_write(&db).await.expect("begins");
    txn.execute_unprepared("SELECT value FROM counters WHERE id = 1")
        .await
        .expect("reads");
    let other = db.clone();
    let meanwhile = tokio::spawn(async move {
        other
            .execute_unprepared("UPDATE counters SET value = value + 1 WHERE id = 2")
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    txn.execute_unprepared("UPDATE counters SET value = value + 1 WHERE id = 1")
        .await
        .expect("the transaction's own write succeeds");
    txn.commit().await.expect("commits");
    meanwhile
        .await
        .expect("task")
        .expect("the other writer waited for its turn and succeeded");
    let total = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT SUM(value) AS total FROM counters",
        ))
        .await
        .expect("sum")
        .expect("row")
        .try_get_by_index::<i64>(0)
        .expect("total");
    assert_eq!(total, 2);
}

async fn count_providers(app: &crate::helpers::TestApp) -> u64 {
    use sea_orm::{EntityTrait as _, PaginatorTrait as _};
    certify_sso::entity::identity_provider::Entity::find()
        .count(&app.db)
        .await
        .expect("count")
}

/// The staff-provider migration rebuilds a table on SQLite: rolling it back (with the ones after
/// it) and applying it again keeps the firms' providers, and afterwards the programme may have
/// one staff provider, not two.
#[tokio::test]
async fn the_staff_provider_migration_rolls_back_and_forward_keeping_firms_providers() {
    use certify_migrations::{Migrator, MigratorTrait as _};
    use certify_sso::entity::identity_provider;
    use sea_orm::{ActiveModelTrait as _, Set};
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let firm = app.create_firm(&staff, "Northwind Consulting").await;
    let provider = |firm_id: Option<uuid::Uuid>, issuer: &str| identity_provider::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        firm_id: Set(firm_id),
        name: Set("Sign-in".to_owned()),
        issuer: Set(issuer.to_owned()),
        client_id: Set("certify".to_owned()),
        client_secret: Set("secret".to_owned()),
        domains: Set(String::new()),
        created_at: Set(datetime!(2026-12-01 00:00 UTC)),
        updated_at: Set(datetime!(2026-12-01 00:00 UTC)),
    };
    provider(Some(firm), "https://login.northwind.example")
        .insert(&app.db)
        .await
        .expect("a firm's provider");

    // As `certify migrate` runs them: in one write transaction, on one connection. On the pool,
    // each statement of the SQLite rebuild could land on another connection while the server's
    // own tasks read, and the rename then found the dropped table still there.
    let txn = certify_core::begin_write(&app.db).await.expect("write transaction");
    Migrator::down(&txn, Some(3)).await.expect("rolled back");
    txn.commit().await.expect("committed");
    assert_eq!(count_providers(&app).await, 1);
    let staff_provider = provider(None, "https://login.programme.example");
    assert!(
        staff_provider.clone().insert(&app.db).await.is_err(),
        "before it, a provider needs a firm"
    );

    let txn = certify_core::begin_write(&app.db).await.expect("write transaction");
    Migrator::up(&txn, None).await.expect("applied again");
    txn.commit().await.expect("committed");
    assert_eq!(count_providers(&app).await, 1);
    staff_provider.insert(&app.db).await.expect("the staff provider");
    let second = provider(None, "https://login.elsewhere.example");
    assert!(second.insert(&app.db).await.is_err(), "one staff provider at most");
    assert_eq!(count_providers(&app).await, 2);
}
