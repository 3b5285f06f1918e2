//! Certificates: the issuer's signing keys, issued certificates with their signed credential and
//! lifecycle, and an append-only record of every change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .if_not_exists()
                    // The key id published in the JWKS and named by every proof.
                    .col(string_len(SigningKeys::Id, 64).primary_key())
                    // Multibase (base58btc) Multikey encodings.
                    .col(string_len(SigningKeys::PublicKeyMultibase, 128))
                    .col(string_len(SigningKeys::SecretKeyMultibase, 128))
                    .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                    // The newest key signs; older keys stay published so old certificates verify.
                    .col(timestamp_with_time_zone_null(SigningKeys::RetiredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .if_not_exists()
                    .col(pk_uuid(Certificates::Id))
                    .col(uuid(Certificates::AccountId))
                    .col(uuid(Certificates::TrackId))
                    .col(uuid_null(Certificates::AttemptId))
                    .col(uuid_null(Certificates::FirmIdAtIssuance))
                    .col(string_len(Certificates::HolderName, 200))
                    .col(string_len(Certificates::AchievementName, 200))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .col(timestamp_with_time_zone(Certificates::ExpiresAt))
                    // Lowercase hex SHA-256 of the JCS form of the credential without its proof.
                    .col(string_len_uniq(Certificates::Hash, 64))
                    .col(string_len(Certificates::SigningKeyId, 64))
                    // The signed credential exactly as issued.
                    .col(text(Certificates::Credential))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(text_null(Certificates::RevocationReason))
                    .col(uuid_null(Certificates::SupersededBy))
                    .col(timestamp_with_time_zone_null(Certificates::SupersededAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::AccountId)
                            .to(Alias::new("accounts"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::TrackId)
                            .to(Alias::new("tracks"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::SigningKeyId)
                            .to(SigningKeys::Table, SigningKeys::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_certificates_account")
                    .table(Certificates::Table)
                    .col(Certificates::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CertificateEvents::Table)
                    .if_not_exists()
                    .col(pk_uuid(CertificateEvents::Id))
                    .col(uuid(CertificateEvents::CertificateId))
                    // issued | revoked | superseded | expired
                    .col(string_len(CertificateEvents::Kind, 32))
                    // Who did it; NULL when the platform did (issuance on a pass, expiry).
                    .col(uuid_null(CertificateEvents::ActorId))
                    .col(timestamp_with_time_zone(CertificateEvents::At))
                    .col(text_null(CertificateEvents::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CertificateEvents::Table, CertificateEvents::CertificateId)
                            .to(Certificates::Table, Certificates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_certificate_events_certificate")
                    .table(CertificateEvents::Table)
                    .col(CertificateEvents::CertificateId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["certificate_events", "certificates", "signing_keys"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Id,
    PublicKeyMultibase,
    SecretKeyMultibase,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    AccountId,
    TrackId,
    AttemptId,
    FirmIdAtIssuance,
    HolderName,
    AchievementName,
    IssuedAt,
    ExpiresAt,
    Hash,
    SigningKeyId,
    Credential,
    RevokedAt,
    RevocationReason,
    SupersededBy,
    SupersededAt,
}

#[derive(DeriveIden)]
enum CertificateEvents {
    Table,
    Id,
    CertificateId,
    Kind,
    ActorId,
    At,
    Detail,
}
