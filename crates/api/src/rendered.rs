//! The JSON bodies of hot verification answers, rendered once.
//!
//! A verification answer depends on the certificate (kept fresh by the domain's
//! [`VerificationCache`]) and on whether it has expired at the moment of the request. So a body
//! is reused only while the domain cache still holds the very entry it was rendered from (the
//! same `Arc`: any change of standing replaces that entry) and the certificate is on the same side
//! of its expiry. Expiry stays decided per request; revocation still reaches every instance
//! through the change feed; only the formatting and serialising are saved.

use std::sync::Arc;

use axum::body::Bytes;
use certify_certificates::{VerificationCache, VerifiedCertificate};
use certify_core::Sha256Hex;
use moka::sync::Cache;
use time::OffsetDateTime;

#[derive(Clone)]
struct Rendered {
    certificate: Arc<VerifiedCertificate>,
    expired: bool,
    body: Bytes,
}

pub struct RenderedAnswers {
    bodies: Cache<Sha256Hex, Rendered>,
}

impl std::fmt::Debug for RenderedAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedAnswers")
            .field("bodies", &self.bodies.entry_count())
            .finish_non_exhaustive()
    }
}

fn expired_at(certificate: &VerifiedCertificate, now: OffsetDateTime) -> bool {
    now >= certificate.expires_at
}

impl RenderedAnswers {
    /// Room for `capacity` bodies (about a kilobyte each).
    pub fn new(capacity: u64) -> Self {
        Self {
            bodies: Cache::builder().max_capacity(capacity).build(),
        }
    }

    /// The body rendered from the answer `answers` holds for `hash` now, if it is still that answer
    /// and the certificate has not crossed its expiry since.
    pub fn get(&self, answers: &VerificationCache, hash: &Sha256Hex, now: OffsetDateTime) -> Option<Bytes> {
        let current = answers.get(hash)?;
        let rendered = self.bodies.get(hash)?;
        (Arc::ptr_eq(&rendered.certificate, &current) && rendered.expired == expired_at(&current, now))
            .then_some(rendered.body)
    }

    /// Keeps `body`, the answer about `certificate` at `now`.
    pub fn insert(&self, hash: Sha256Hex, certificate: Arc<VerifiedCertificate>, now: OffsetDateTime, body: Bytes) {
        let expired = expired_at(&certificate, now);
        self.bodies.insert(
            hash,
            Rendered {
                certificate,
                expired,
                body,
            },
        );
    }
}
