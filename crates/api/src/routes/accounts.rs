//! Accounts, managed by programme staff.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_accounts::{AccountFilter, NewAccount, Password, Role, RoleKind};
use certify_core::{DisplayName, Email};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Staff;
use crate::error::PROBLEM_JSON;
use crate::error::{ApiError, Problem, Validation};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::paging::{PageView, page_request};
use crate::problem_responses::{Forbidden, Invalid, NotFound};
use crate::state::AppState;
use crate::views::accounts::{AccountView, RoleName};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    #[schema(example = "ada@northwind.example")]
    pub email: String,
    #[schema(example = "Ada Lovelace")]
    pub display_name: String,
    pub role: RoleName,
    /// Required for `firm_admin`, forbidden for other roles.
    pub firm_id: Option<Uuid>,
    /// At least 12 characters, not guessable (checked with the zxcvbn estimator) and not built on
    /// the e-mail address or name. Omit for an account that will sign in only through single
    /// sign-on.
    pub password: Option<String>,
}

impl CreateAccountRequest {
    fn parse(self) -> Result<NewAccount, ApiError> {
        let mut v = Validation::default();
        let email = v.check("email", Email::parse(&self.email));
        let display_name = v.check("display_name", DisplayName::parse(&self.display_name));
        let about = [self.email.as_str(), self.display_name.as_str()];
        let password = v.check_optional(
            "password",
            self.password.as_deref().map(|raw| Password::parse(raw, &about)),
        );
        let role = match (self.role, self.firm_id) {
            (RoleName::FirmAdmin, Some(firm_id)) => Some(Role::FirmAdmin { firm_id }),
            (RoleName::FirmAdmin, None) => {
                v.fail("firm_id", "a firm admin must be bound to a firm");
                None
            }
            (_, Some(_)) => {
                v.fail("firm_id", "only a firm admin is bound to a firm");
                None
            }
            (RoleName::Consultant, None) => Some(Role::Consultant),
            (RoleName::ProgrammeStaff, None) => Some(Role::ProgrammeStaff),
        };
        let parsed = (|| {
            Some(NewAccount {
                email: email?,
                display_name: display_name?,
                role: role?,
                password: password?,
                must_change_password: true,
            })
        })();
        v.finish(parsed)
    }
}

/// Open an account (programme staff).
#[utoipa::path(
    post,
    path = "/api/v1/accounts",
    tag = "accounts",
    request_body = CreateAccountRequest,
    responses(
        (status = CREATED, body = AccountView),
        Forbidden,
        (status = CONFLICT, description = "e-mail already in use", body = Problem, content_type = PROBLEM_JSON),
        Invalid,
    )
)]
pub async fn create_account(
    State(state): State<AppState>,
    _staff: Staff,
    ApiJson(request): ApiJson<CreateAccountRequest>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    let new = request.parse()?;
    let account = certify_accounts::create_account(&state.db, state.clock.now(), new).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListAccountsQuery {
    /// Only accounts with this role.
    pub role: Option<RoleName>,
    /// Only firm admins of this firm.
    pub firm_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// List accounts (programme staff), keyset-paginated.
#[utoipa::path(
    get,
    path = "/api/v1/accounts",
    tag = "accounts",
    params(ListAccountsQuery),
    responses(
        (status = OK, description = "one page of accounts, oldest first", body = PageView<AccountView>),
        Forbidden,
        Invalid,
    )
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(query): ApiQuery<ListAccountsQuery>,
) -> Result<Json<PageView<AccountView>>, ApiError> {
    let page = page_request(query.after, query.limit)?;
    let filter = AccountFilter {
        role: query.role.map(RoleKind::from),
        firm_id: query.firm_id,
    };
    let found = certify_accounts::list_accounts(&state.db, filter, page).await?;
    Ok(Json(found.into()))
}

/// One account (programme staff).
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}",
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = OK, body = AccountView),
        Forbidden,
        NotFound,
    )
)]
pub async fn get_account(
    State(state): State<AppState>,
    _staff: Staff,
    ApiPath(account_id): ApiPath<Uuid>,
) -> Result<Json<AccountView>, ApiError> {
    let account = certify_accounts::find_account(&state.db, account_id).await?;
    Ok(Json(account.into()))
}
