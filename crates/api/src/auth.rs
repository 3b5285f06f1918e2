//! Who may call what, decided in one place.
//!
//! * [`require_session`] is a layer on every route except the ones `routes::public` lists: it
//!   turns the bearer token into a [`Principal`] or answers 401. A new route is therefore
//!   protected unless someone deliberately makes it public.
//! * [`Caller`], [`Staff`] and [`FirmScope`] are extractors that check the role (403) and the
//!   tenant (404, exactly as for a firm that does not exist) before a handler runs.
//! * An API client's token reaches only [`FirmScope`] routes whose [`ClientAccess`] names a scope
//!   the token holds; every other extractor refuses it (403), so a new route is closed to
//!   clients unless someone deliberately opens it.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use certify_accounts::{Principal, Role, Scope};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{ApiError, ProblemType};
use crate::extract::ApiPath;
use crate::state::AppState;

pub async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer_token(request.headers())
        .ok_or_else(|| ApiError::unauthenticated("send a bearer token: `Authorization: Bearer <token>`"))?;
    let principal = certify_accounts::authenticate(&state.db, state.clock.now(), state.sessions, token)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::unauthenticated("the bearer token is unknown, expired or revoked"))?;
    if principal.must_change_password && !open_before_password_change(request.method(), request.uri().path()) {
        return Err(ApiError::new(
            ProblemType::PasswordChangeRequired,
            "someone else chose this account's password: choose your own with PUT /api/v1/me/password first",
        ));
    }
    request.extensions_mut().insert(principal);
    Ok(next.run(request).await)
}

/// What a person whose password someone else chose may do before choosing their own: change
/// it, see who they are, sign out.
fn open_before_password_change(method: &axum::http::Method, path: &str) -> bool {
    use axum::http::Method;
    matches!(
        (method, path),
        (&Method::PUT, "/api/v1/me/password") | (&Method::GET, "/api/v1/me") | (&Method::POST, "/api/v1/auth/logout")
    )
}

fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Any signed-in account.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let principal = any_principal(parts)?;
        if principal.client.is_some() {
            return Err(people_only());
        }
        Ok(Self(principal))
    }
}

/// The principal of a person or an API client.
fn any_principal(parts: &Parts) -> Result<Principal, ApiError> {
    // Absent only on a public route, where no handler should ask for a caller.
    parts
        .extensions
        .get::<Principal>()
        .cloned()
        .ok_or_else(|| ApiError::unauthenticated("this route needs a signed-in account"))
}

fn people_only() -> ApiError {
    ApiError::forbidden("API clients may not use this route; it is for people signed in to their account")
}

/// Programme staff only.
#[derive(Debug, Clone)]
pub struct Staff(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Caller(principal) = Caller::from_request_parts(parts, state).await?;
        match principal.role {
            Role::ProgrammeStaff => Ok(Self(principal)),
            Role::Consultant | Role::FirmAdmin { .. } => Err(ApiError::forbidden("only programme staff may do this")),
        }
    }
}

/// Which API clients a firm route admits: the scope their token must hold, or none at all.
pub trait ClientAccess {
    const SCOPE: Option<Scope>;
}

/// Markers for [`FirmScope`]'s parameter, one per scope, and [`PeopleOnly`].
pub mod scopes {
    use certify_accounts::Scope;

    use super::ClientAccess;

    macro_rules! scope_marker {
        ($($marker:ident => $scope:expr),* $(,)?) => {$(
            #[derive(Debug, Clone, Copy)]
            pub struct $marker;
            impl ClientAccess for $marker {
                const SCOPE: Option<Scope> = $scope;
            }
        )*};
    }

    scope_marker! {
        PeopleOnly => None,
        FirmRead => Some(Scope::FirmRead),
        ConsultantsRead => Some(Scope::ConsultantsRead),
        CertificatesRead => Some(Scope::CertificatesRead),
        RosterWrite => Some(Scope::RosterWrite),
    }
}

/// Access to the firm named by the `{firm_id}` path parameter: programme staff reach every firm,
/// a firm admin only their own, and the firm exists (handlers need not check). Another firm's id
/// answers 404 exactly like an id that does not exist, so a firm admin cannot even learn which
/// firms exist. An API client of the firm passes when its token holds `A`'s scope (403 naming
/// the scope otherwise); with [`scopes::PeopleOnly`], the default, no client passes.
#[derive(Debug, Clone)]
pub struct FirmScope<A: ClientAccess = scopes::PeopleOnly> {
    pub firm_id: Uuid,
    pub principal: Principal,
    /// The firm, as the check that it exists read it.
    pub firm: certify_firms::Firm,
    access: PhantomData<A>,
}

#[derive(Deserialize)]
struct FirmIdParam {
    firm_id: Uuid,
}

impl<A: ClientAccess + Send + Sync> FromRequestParts<AppState> for FirmScope<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let principal = any_principal(parts)?;
        let ApiPath(FirmIdParam { firm_id }) = ApiPath::from_request_parts(parts, state).await?;
        // Tenancy first: another firm's route is a 404 whatever the token's scopes.
        let firm = firm_in_scope(state, &principal, firm_id).await?;
        if let Some(grant) = principal.client {
            match A::SCOPE {
                None => return Err(people_only()),
                Some(scope) if !grant.scopes.contains(scope) => return Err(ApiError::insufficient_scope(scope)),
                Some(_) => {}
            }
        }
        Ok(Self {
            firm_id,
            principal,
            firm,
            access: PhantomData,
        })
    }
}

/// The firm `firm_id`, if `principal` may see it: programme staff any firm, a firm admin only
/// their own (another firm is the same 404 as one that does not exist), a consultant none.
/// Both edges decide tenancy here.
pub async fn firm_in_scope(
    state: &AppState,
    principal: &Principal,
    firm_id: Uuid,
) -> Result<certify_firms::Firm, ApiError> {
    match principal.role {
        Role::ProgrammeStaff => {}
        Role::FirmAdmin { firm_id: own } if own == firm_id => {}
        Role::FirmAdmin { .. } => return Err(firm_not_found(firm_id)),
        Role::Consultant => {
            return Err(ApiError::forbidden(
                "only programme staff and firm admins may see firms",
            ));
        }
    }
    Ok(certify_firms::find_firm(&state.db, firm_id).await?)
}

/// The one wording for "no such firm", shared by unknown ids and other tenants' firms.
pub fn firm_not_found(firm_id: Uuid) -> ApiError {
    ApiError::not_found(format!("no firm with id {firm_id}"))
}

/// A consultant acting for themselves: enrolling and completing modules.
#[derive(Debug, Clone)]
pub struct Consultant(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Consultant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Caller(principal) = Caller::from_request_parts(parts, state).await?;
        match principal.role {
            Role::Consultant => Ok(Self(principal)),
            Role::FirmAdmin { .. } | Role::ProgrammeStaff => {
                Err(ApiError::forbidden("only consultants learn and enrol"))
            }
        }
    }
}

/// Access to the consultant named by the `{account_id}` path parameter: programme staff reach
/// every consultant, a firm admin the current members of their firm, a consultant only
/// themselves. Anyone else answers 404, exactly as for an account that does not exist.
#[derive(Debug, Clone)]
pub struct ConsultantScope {
    pub account_id: Uuid,
    pub principal: Principal,
}

#[derive(Deserialize)]
struct AccountIdParam {
    account_id: Uuid,
}

impl FromRequestParts<AppState> for ConsultantScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(principal) = Caller::from_request_parts(parts, state).await?;
        let ApiPath(AccountIdParam { account_id }) = ApiPath::from_request_parts(parts, state).await?;
        let not_found = || ApiError::not_found(format!("no consultant with id {account_id}"));
        let allowed = certify_firms::may_see_records_of(&state.db, &principal, account_id)
            .await
            .map_err(ApiError::internal)?;
        if !allowed {
            return Err(not_found());
        }
        let account = match certify_accounts::find_account(&state.db, account_id).await {
            Ok(account) => account,
            Err(certify_accounts::AccountError::NotFound(_)) => return Err(not_found()),
            Err(other) => return Err(ApiError::internal(other)),
        };
        if account.role != Role::Consultant {
            return Err(not_found());
        }
        Ok(Self { account_id, principal })
    }
}
