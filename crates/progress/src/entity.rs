//! sea-orm entities of the tables this crate owns (see the migration for what each holds).

pub mod holding {
    use sea_orm::entity::prelude::*;

    /// A certificate counted as active now.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "progress_holdings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub certificate_id: Uuid,
        pub account_id: Uuid,
        pub track_id: Uuid,
        pub expires_unix: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod consultant {
    use sea_orm::entity::prelude::*;

    /// A consultant ever certified, and how many active certificates they hold.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "progress_consultants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        pub active_certificates: i32,
        pub first_certified_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod totals {
    use sea_orm::entity::prelude::*;

    /// The headline: one row, id 1.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "progress_totals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub certified: i64,
        pub ever_certified: i64,
        pub version: i64,
        pub initialised: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod day {
    use sea_orm::entity::prelude::*;

    /// What one UTC day (`YYYY-MM-DD`) changed.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "progress_days")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: String,
        pub certified_delta: i64,
        pub newly_certified: i64,
        pub certifications: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
