//! What a verifier is told about a genuine certificate; the verification cache holds these.

use certify_core::Sha256Hex;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::Standing;

/// A genuine certificate as verifiers see it: what it says and where it stands, without the
/// credential itself (which keeps cached entries small).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCertificate {
    pub id: Uuid,
    pub credential_id: String,
    pub holder_name: String,
    pub achievement_name: String,
    pub issuer_name: String,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The key whose signature verified.
    pub key_id: String,
    /// The cryptosuites whose proofs were checked and verified ("eddsa-jcs-2022", or
    /// "eddsa-jcs-2022 and eddsa-rdfc-2022" for an uploaded credential).
    pub suites: String,
    pub revoked: Option<(OffsetDateTime, String)>,
    /// The newer certificate's id and hash, and when it took over.
    pub superseded: Option<(Uuid, Sha256Hex, OffsetDateTime)>,
}

impl VerifiedCertificate {
    pub fn standing_at(&self, now: OffsetDateTime) -> Standing {
        Standing::of(
            self.revoked.as_ref(),
            self.superseded.as_ref().map(|(by, _, at)| (*by, *at)),
            self.expires_at,
            now,
        )
    }
}
