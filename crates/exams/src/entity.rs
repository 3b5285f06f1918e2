//! sea-orm entities of the tables this crate owns. JSON columns are stored as text so SQLite and
//! PostgreSQL hold them alike; the store (de)serialises them.

macro_rules! entity {
    ($module:ident, $table:literal, { $($field:ident : $ty:ty),* $(,)? }) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub id: Uuid,
                $(pub $field: $ty,)*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

entity!(exam, "exams", {
    track_id: Uuid,
    title: String,
    duration_minutes: i32,
    cut_score: i32,
    cut_percent: i32,
    wait_after_first_fail_minutes: i32,
    wait_after_later_fails_minutes: i32,
    max_attempts_in_window: i32,
    window_days: i32,
    recertification_window_days: i32,
    created_at: TimeDateTimeWithTimeZone,
    updated_at: TimeDateTimeWithTimeZone,
});

entity!(domain, "exam_domains", {
    exam_id: Uuid,
    position: i32,
    name: String,
    weight_percent: i32,
    items_per_form: i32,
});

entity!(item, "items", {
    exam_id: Uuid,
    domain_id: Uuid,
    status: crate::bank::ItemStatus,
    current_version: i32,
    created_at: TimeDateTimeWithTimeZone,
    updated_at: TimeDateTimeWithTimeZone,
});

entity!(item_version, "item_versions", {
    item_id: Uuid,
    version: i32,
    kind: crate::bank::ItemKind,
    stem: String,
    options: String,
    answer_key: String,
    created_at: TimeDateTimeWithTimeZone,
});

entity!(attempt, "attempts", {
    exam_id: Uuid,
    account_id: Uuid,
    status: crate::attempts::AttemptStatus,
    seed: i64,
    started_at: TimeDateTimeWithTimeZone,
    deadline: TimeDateTimeWithTimeZone,
    finished_at: Option<TimeDateTimeWithTimeZone>,
    raw_score: Option<i32>,
    max_raw: Option<i32>,
    scaled_score: Option<i32>,
    passed: Option<bool>,
    domain_feedback: Option<String>,
});

entity!(attempt_item, "attempt_items", {
    attempt_id: Uuid,
    position: i32,
    item_id: Uuid,
    item_version: i32,
    domain_id: Uuid,
    option_order: String,
    response: Option<String>,
    answered_at: Option<TimeDateTimeWithTimeZone>,
});
