//! sea-orm entities of the tables this crate owns. Other crates read accounts through the
//! functions of this crate, not through these entities.

pub mod account;
pub mod external_identity;
pub mod session;
