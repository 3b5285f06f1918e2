//! Certificates: signed Open Badges 3.0 credentials whose SHA-256 hash is printed on their PDF,
//! the issuer's keys, issuance on a pass, the lifecycle, and verification without an account.
//!
//! [`credential`] builds the credential, [`proof`] canonicalises, hashes and signs it (a proof
//! set: `eddsa-jcs-2022` and `eddsa-rdfc-2022`), [`jsonld`] reads it as RDF with the pinned
//! contexts, [`keys`] encodes keys; the rest persists and verifies.

mod cache;
mod changes;
pub mod credential;
pub mod entity;
mod error;
pub mod export;
mod facts;
pub mod firm_view;
pub mod jsonld;
pub mod key_store;
pub mod keys;
pub mod pdf;
pub mod proof;
pub mod proof_sets;
pub mod staff_table;
mod store;
mod verification;
mod verified;

pub use cache::VerificationCache;
pub use entity::EventKind;
pub use facts::{StoredCertificates, progress_facts};
pub use store::{
    Achievement, Certificate, CertificateError, CertificateEvent, IssueRequest, IssuerSettings, Standing, add_months,
    certificates_of, correct_holder_name, find_by_credential_id, find_by_hash, get_certificate, history_of,
    issue_certificate, revoke_certificate,
};
pub use verification::{Check, Verdict, Verification, verify_credential_id, verify_document, verify_hash, verify_pdf};
pub use verified::VerifiedCertificate;
