//! sea-orm entities of the tables this crate owns.

pub mod firm {
    use sea_orm::entity::prelude::*;

    use crate::FirmKind;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firms")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub kind: FirmKind,
        pub country: String,
        pub website: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod membership {
    use sea_orm::entity::prelude::*;

    /// A consultant's time at a firm; `left_at` is `None` for the current one.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firm_memberships")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Uuid,
        pub account_id: Uuid,
        pub joined_at: TimeDateTimeWithTimeZone,
        pub left_at: Option<TimeDateTimeWithTimeZone>,
        /// What the firm's roster says of this member.
        pub employee_id: Option<String>,
        pub country: Option<String>,
        /// The roster import that last touched this membership.
        pub roster_import_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "certify_accounts::entity::account::Entity",
            from = "Column::AccountId",
            to = "certify_accounts::entity::account::Column::Id"
        )]
        Account,
    }

    impl Related<certify_accounts::entity::account::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Account.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod domain {
    use sea_orm::entity::prelude::*;

    /// An e-mail domain a firm claimed; verified once staff approved it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firm_domains")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Uuid,
        #[sea_orm(unique)]
        pub domain: String,
        pub claimed_at: TimeDateTimeWithTimeZone,
        pub claimed_by: Option<Uuid>,
        pub verified_at: Option<TimeDateTimeWithTimeZone>,
        pub verified_by: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod roster_import {
    use sea_orm::entity::prelude::*;

    /// One applied roster import and what it changed.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "roster_imports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Uuid,
        pub imported_by: Uuid,
        pub imported_at: TimeDateTimeWithTimeZone,
        pub rows: i64,
        pub created: i64,
        pub updated: i64,
        pub unchanged: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tier_thresholds {
    use sea_orm::entity::prelude::*;

    /// The programme's tier thresholds; one row, id 1, once staff changed the defaults.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tier_thresholds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub select_min: i64,
        pub advanced_min: i64,
        pub premier_min: i64,
        pub updated_at: TimeDateTimeWithTimeZone,
        pub updated_by: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod invitation {
    use sea_orm::entity::prelude::*;

    /// An invitation to a firm's roster; `accepted` is `None` until the person answers.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firm_invitations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Uuid,
        pub account_id: Uuid,
        pub roster_import_id: Option<Uuid>,
        pub employee_id: Option<String>,
        pub country: Option<String>,
        pub invited_at: TimeDateTimeWithTimeZone,
        pub answered_at: Option<TimeDateTimeWithTimeZone>,
        pub accepted: Option<bool>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
