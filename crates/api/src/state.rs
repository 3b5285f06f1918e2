use certify_accounts::SessionSettings;
use certify_core::SharedClock;
use sea_orm::DatabaseConnection;

/// What every handler may use. Cheap to clone: the pool and the clock are shared.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: SharedClock,
    pub sessions: SessionSettings,
}
