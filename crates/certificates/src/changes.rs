//! The `certificate_changes` feed, written side: every change of a certificate's standing adds
//! a row in the transaction that makes it. [`crate::VerificationCache`] reads it.

use certify_core::Sha256Hex;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::certificate_change;
use crate::error::CertificateError;

/// Records that a certificate's standing changed; call it in the transaction that changes it.
pub(crate) async fn record_change(
    db: &impl ConnectionTrait,
    certificate_id: uuid::Uuid,
    hash: &Sha256Hex,
) -> Result<(), CertificateError> {
    let inserted = certificate_change::Entity::insert(certificate_change::ActiveModel {
        certificate_id: sea_orm::Set(certificate_id),
        hash: sea_orm::Set(hash.to_string()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    // The feed only needs its recent past; trim it now and then, on the write path.
    if inserted.last_insert_id % 1024 == 0 {
        certificate_change::Entity::delete_many()
            .filter(certificate_change::Column::Seq.lt(inserted.last_insert_id - 100_000))
            .exec(db)
            .await?;
    }
    Ok(())
}
