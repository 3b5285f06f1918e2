//! The exam rules as plain functions over plain data, tested without a database: scaling,
//! scoring, the retake policy, form assembly, key balance and item statistics.

pub mod form;
pub mod key_balance;
pub mod retake;
pub mod scaling;
pub mod scoring;
pub mod statistics;
