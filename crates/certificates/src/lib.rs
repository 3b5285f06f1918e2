//! Certificates: signed Open Badges 3.0 credentials whose SHA-256 hash is printed on their PDF,
//! the issuer's keys, issuance on a pass, the lifecycle, and verification without an account.
//!
//! [`credential`] builds the credential, [`proof`] canonicalises, hashes and signs it
//! (`eddsa-jcs-2022`), [`keys`] encodes keys; the rest persists and verifies.

mod cache;
mod counting;
pub mod credential;
pub mod entity;
pub mod export;
pub mod firm_view;
pub mod key_store;
pub mod keys;
pub mod pdf;
pub mod proof;
mod store;
mod verification;

pub use cache::VerificationCache;
pub use counting::{initialise_progress, progress_facts, reconcile_progress};
pub use store::{
    Achievement, Certificate, CertificateError, CertificateEvent, IssueRequest, IssuerSettings, Standing, add_months,
    certificates_of, correct_holder_name, find_by_credential_id, find_by_hash, get_certificate, history_of,
    issue_certificate, revoke_certificate,
};
pub use verification::{
    Check, Verdict, Verification, VerifiedCertificate, verify_credential_id, verify_document, verify_hash,
};
