//! sea-orm entities of the tables this crate owns. Other crates change accounts only through
//! the functions of this crate; they may join these entities in read queries (a firm's members
//! searched by name and e-mail).

pub mod account;
pub mod api_client;
pub mod api_client_token;
pub mod external_identity;
pub mod session;
