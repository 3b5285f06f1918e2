//! Who may open which page, decided by a handler's signature as in the API
//! (`certify_api::auth`): a page for programme staff takes [`StaffPage`], a learner's action
//! [`LearnerPage`], a firm's page [`FirmPage`] (which carries the firm, already checked). A
//! handler never checks a role by hand, so no page can forget to.
//!
//! Every refusal is the same for every page of an audience: the same "only programme staff"
//! page on every `/staff/…` address, and, for another firm's administrator, the page of a firm
//! that does not exist on every `/firms/{firm_id}/…` address (the walk in the web tests checks
//! both).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use certify_accounts::Role;
use certify_api::{ApiError, AppState};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::PageError;
use crate::extract::PagePath;
use crate::session::{SignedIn, Visitor};

/// A page for programme staff only; anyone else signed in gets the same refusal.
#[derive(Debug, Clone)]
pub struct StaffPage(pub Visitor);

impl StaffPage {
    /// The staff member's account, for what they record (who revoked, who verified).
    pub fn id(&self) -> Uuid {
        self.0.account.id
    }
}

impl FromRequestParts<AppState> for StaffPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn(visitor) = SignedIn::from_request_parts(parts, state).await?;
        match visitor.account.role {
            Role::ProgrammeStaff => Ok(Self(visitor)),
            Role::Consultant | Role::FirmAdmin { .. } => Err(PageError::Api(ApiError::forbidden(
                "only programme staff may open this page",
            ))),
        }
    }
}

/// A consultant acting on their own learning: enrolling, completing modules, sitting exams.
#[derive(Debug, Clone)]
pub struct LearnerPage(pub Visitor);

impl LearnerPage {
    /// The consultant's account.
    pub fn id(&self) -> Uuid {
        self.0.account.id
    }
}

impl FromRequestParts<AppState> for LearnerPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn(visitor) = SignedIn::from_request_parts(parts, state).await?;
        match visitor.account.role {
            Role::Consultant => Ok(Self(visitor)),
            Role::FirmAdmin { .. } | Role::ProgrammeStaff => Err(PageError::Api(ApiError::forbidden(
                "only consultants enrol in courses and sit exams",
            ))),
        }
    }
}

/// A page of the firm named by the `{firm_id}` path parameter: programme staff reach every
/// firm, a firm's administrator only their own; another firm is the page of a firm that does
/// not exist, and the firm is known to exist when the handler runs.
#[derive(Debug, Clone)]
pub struct FirmPage {
    pub visitor: Visitor,
    pub firm: certify_firms::Firm,
}

impl FirmPage {
    pub fn firm_id(&self) -> Uuid {
        self.firm.id
    }

    /// Whether programme staff are looking (they see actions a firm's administrator does not).
    pub fn by_staff(&self) -> bool {
        self.visitor.account.role == Role::ProgrammeStaff
    }
}

#[derive(Deserialize)]
struct FirmIdParam {
    firm_id: Uuid,
}

impl FromRequestParts<AppState> for FirmPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn(visitor) = SignedIn::from_request_parts(parts, state).await?;
        let PagePath(FirmIdParam { firm_id }) = PagePath::from_request_parts(parts, state).await?;
        let firm = certify_api::auth::firm_in_scope(state, &visitor.principal, firm_id).await?;
        Ok(Self { visitor, firm })
    }
}
