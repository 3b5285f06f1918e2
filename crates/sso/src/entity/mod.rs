//! The tables of single sign-on.

pub mod identity_provider;
pub mod pending_sign_in;
