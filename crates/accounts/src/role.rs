use sea_orm::entity::prelude::*;
use uuid::Uuid;

/// What an account may do, as stored in the `accounts.role` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
pub enum RoleKind {
    Consultant,
    FirmAdmin,
    ProgrammeStaff,
}

impl RoleKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Consultant => "consultant",
            Self::FirmAdmin => "firm_admin",
            Self::ProgrammeStaff => "programme_staff",
        }
    }
}

/// A role with what it is bound to: a firm admin always belongs to exactly one firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Consultant,
    FirmAdmin { firm_id: Uuid },
    ProgrammeStaff,
}

impl Role {
    pub const fn kind(self) -> RoleKind {
        match self {
            Self::Consultant => RoleKind::Consultant,
            Self::FirmAdmin { .. } => RoleKind::FirmAdmin,
            Self::ProgrammeStaff => RoleKind::ProgrammeStaff,
        }
    }

    pub const fn firm_id(self) -> Option<Uuid> {
        match self {
            Self::FirmAdmin { firm_id } => Some(firm_id),
            Self::Consultant | Self::ProgrammeStaff => None,
        }
    }

    /// Rebuilds a role from its stored columns; `None` when they disagree (the schema's CHECK
    /// constraint makes that impossible for rows written through this crate).
    pub fn from_columns(kind: RoleKind, firm_id: Option<Uuid>) -> Option<Self> {
        match (kind, firm_id) {
            (RoleKind::Consultant, None) => Some(Self::Consultant),
            (RoleKind::FirmAdmin, Some(firm_id)) => Some(Self::FirmAdmin { firm_id }),
            (RoleKind::ProgrammeStaff, None) => Some(Self::ProgrammeStaff),
            _ => None,
        }
    }
}
