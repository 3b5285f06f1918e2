//! What more than one route file shows: the wire form of domain values that several areas
//! answer with, so route files are siblings that never import one another.

pub mod accounts;
pub mod catalogue;
pub mod certificates;
pub mod downloads;
pub mod firms;
pub mod items;
