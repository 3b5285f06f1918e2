use sea_orm::entity::prelude::*;

/// A short-lived access token an API client exchanged its secret for.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_client_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub scopes: String,
    pub issued_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::api_client::Entity",
        from = "Column::ClientId",
        to = "super::api_client::Column::Id"
    )]
    Client,
}

impl Related<super::api_client::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Client.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
