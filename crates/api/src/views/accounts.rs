//! Accounts as every route shows them.

use certify_accounts::{Account, RoleKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Consultant,
    FirmAdmin,
    ProgrammeStaff,
}

impl From<RoleKind> for RoleName {
    fn from(kind: RoleKind) -> Self {
        match kind {
            RoleKind::Consultant => Self::Consultant,
            RoleKind::FirmAdmin => Self::FirmAdmin,
            RoleKind::ProgrammeStaff => Self::ProgrammeStaff,
        }
    }
}

impl From<RoleName> for RoleKind {
    fn from(name: RoleName) -> Self {
        match name {
            RoleName::Consultant => Self::Consultant,
            RoleName::FirmAdmin => Self::FirmAdmin,
            RoleName::ProgrammeStaff => Self::ProgrammeStaff,
        }
    }
}

/// An account as clients see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: RoleName,
    /// The firm a firm admin administers; absent for other roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firm_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Someone else chose the password: until `PUT /api/v1/me/password`, every other route
    /// answers `password-change-required`.
    pub must_change_password: bool,
}

impl From<Account> for AccountView {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            email: account.email.to_string(),
            display_name: account.display_name,
            role: account.role.kind().into(),
            firm_id: account.role.firm_id(),
            created_at: account.created_at,
            must_change_password: account.must_change_password,
        }
    }
}
