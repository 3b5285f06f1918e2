//! Partner firms: consulting firms, systems integrators, technology providers and deployment
//! specialists. A firm admin account is bound to exactly one firm and sees only that firm.
//!
//! [`tiers`] holds the partner-tier rules and the tier forecast. Rosters and claimed e-mail
//! domains grow here.

pub mod entity;
mod membership;
mod store;
pub mod tiers;
mod types;

pub use membership::{current_firm_of, join_firm};
pub use store::{Firm, FirmError, NewFirm, create_firm, find_firm};
pub use tiers::{Tier, TierForecast, TierThresholds};
pub use types::{CountryCode, FirmKind, InvalidCountryCode, InvalidWebsite, Website};
