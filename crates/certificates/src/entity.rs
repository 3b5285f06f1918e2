//! sea-orm entities of the tables this crate owns.

pub mod signing_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "signing_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub public_key_multibase: String,
        pub secret_key_multibase: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub retired_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod certificate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "certificates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub account_id: Uuid,
        pub track_id: Uuid,
        pub attempt_id: Option<Uuid>,
        pub firm_id_at_issuance: Option<Uuid>,
        pub holder_name: String,
        pub achievement_name: String,
        pub issued_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
        pub hash: String,
        /// `urn:uuid:…`, as in the credential; unique.
        pub credential_id: Option<String>,
        pub signing_key_id: String,
        pub credential: String,
        pub revoked_at: Option<TimeDateTimeWithTimeZone>,
        pub revocation_reason: Option<String>,
        pub superseded_by: Option<Uuid>,
        pub superseded_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The holder's memberships; joined with `left_at IS NULL` it is the current firm, the
        /// one a certificate counts for (certificates stay with their holder when they move).
        #[sea_orm(
            belongs_to = "certify_firms::entity::membership::Entity",
            from = "Column::AccountId",
            to = "certify_firms::entity::membership::Column::AccountId"
        )]
        CurrentMembership,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod certificate_event {
    use sea_orm::entity::prelude::*;

    /// What happened to a certificate. An issuance or a reissue starts it (for the counters).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
    pub enum EventKind {
        /// Earned: by a pass, or issued directly.
        Issued,
        /// Issued in place of another (a corrected holder name), keeping its dates.
        Reissued,
        Superseded,
        Revoked,
    }

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "certificate_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub certificate_id: Uuid,
        pub kind: EventKind,
        pub actor_id: Option<Uuid>,
        pub at: TimeDateTimeWithTimeZone,
        pub detail: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use certificate_event::EventKind;

pub mod certificate_change {
    use sea_orm::entity::prelude::*;

    /// One change of a certificate's standing; `seq` orders the feed.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "certificate_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub seq: i64,
        pub certificate_id: Uuid,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
