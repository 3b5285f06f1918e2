//! Partner firms: consulting firms, systems integrators, technology providers and deployment
//! specialists. A firm admin account is bound to exactly one firm and sees only that firm.
//!
//! Rosters, claimed e-mail domains, tiers and tier forecasts grow here.

pub mod entity;
mod membership;
mod store;
mod types;

pub use membership::{current_firm_of, join_firm};
pub use store::{Firm, FirmError, NewFirm, create_firm, find_firm};
pub use types::{CountryCode, FirmKind, InvalidCountryCode, InvalidWebsite, Website};
