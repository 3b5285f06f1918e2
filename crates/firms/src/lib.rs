//! Partner firms: consulting firms, systems integrators, technology providers and deployment
//! specialists. A firm admin account is bound to exactly one firm and sees only that firm.
//!
//! [`tiers`] holds the partner-tier rules and the tier forecast (pure), [`thresholds`] the
//! thresholds staff configure; [`domains`] the e-mail domains firms claim and staff verify;
//! [`roster`] the CSV roster import; [`members`] a firm's current members as its admin sees them.
//! A consultant's certificates are counted against their firm by `certify_certificates::firm_view`,
//! which sits above this crate.

pub mod domains;
pub mod entity;
mod invitations;
mod members;
mod membership;
pub mod roster;
mod store;
pub mod thresholds;
pub mod tiers;
mod types;

pub use domains::{
    EmailDomain, FirmDomain, InvalidDomain, claim_domain, domains_of, firm_for_email, join_by_domain, release_domain,
    verify_domain,
};
pub use invitations::{Invited, PendingInvitation, answer_invitation, pending_invitations};
pub use members::{
    Member, MemberQuery, current_member, member_countries, member_ids, members_after, members_among, membership_history,
};
pub use membership::{current_firm_of, join_firm, may_see_records_of};
pub use store::{
    Firm, FirmChanges, FirmError, FirmQuery, NewFirm, all_firm_ids, create_firm, find_firm, list_firms, update_firm,
};
pub use tiers::{Tier, TierForecast, TierThresholds};
pub use types::{CountryCode, FirmKind, InvalidCountryCode, InvalidWebsite, Website};
