//! Certificates: signed Open Badges 3.0 credentials, their canonical form and hash, the
//! `eddsa-jcs-2022` proof, PDFs, verification and the certificate lifecycle.
//!
//! Nothing is implemented here yet; the crate exists so the workspace has its final shape and the
//! dependency invariants in `ARCHITECTURE.md` are checked from the start.
