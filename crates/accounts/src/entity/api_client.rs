use sea_orm::entity::prelude::*;

/// A firm's system that signs in with the OAuth2 client credentials grant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub firm_id: Uuid,
    pub name: String,
    pub scopes: String,
    pub secret_hash: String,
    pub created_by: Uuid,
    pub created_at: TimeDateTimeWithTimeZone,
    pub secret_rotated_at: TimeDateTimeWithTimeZone,
    pub last_used_at: Option<TimeDateTimeWithTimeZone>,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::api_client_token::Entity")]
    Token,
}

impl Related<super::api_client_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Token.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
