//! Programme staff's accounts: find one by name or e-mail, see its role and firm memberships,
//! and create staff, consultants (optionally on a firm's roster) and firm admins. A consultant
//! created with a firm gets the account and the membership in one transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_accounts::{Account, AccountError, NewAccount, Password, Role};
use certify_api::AppState;
use certify_core::{DisplayName, Email};
use serde::Deserialize;
use uuid::Uuid;

use crate::access::StaffPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{
    Choice, Chrome, FirmPicker, Moment, choices, chosen_firm, chrome_for, date_time, firm_picker, long_date,
};
use crate::session::Visitor;

/// Accounts a search lists.
const FOUND: u64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    pub q: String,
}

#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: &'static str,
}

/// The create form's values and what is wrong with them.
#[derive(Debug, Clone, Default)]
pub struct CreateForm {
    pub email: String,
    pub email_error: Option<String>,
    pub name: String,
    pub name_error: Option<String>,
    pub role: String,
    pub firm: String,
    pub firm_error: Option<String>,
    pub password_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts_admin.html")]
pub struct AccountsPage {
    chrome: Chrome,
    q: String,
    q_error: Option<&'static str>,
    results: Option<Vec<AccountRow>>,
    roles: Vec<Choice>,
    firms: FirmPicker,
    form: CreateForm,
    /// The role list holds only valid choices.
    no_error: Option<&'static str>,
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Consultant => "Consultant",
        Role::FirmAdmin { .. } => "Firm administrator",
        Role::ProgrammeStaff => "Programme staff",
    }
}

const ROLES: [(&str, &str); 3] = [
    ("consultant", "Consultant"),
    ("firm_admin", "Firm administrator"),
    ("programme_staff", "Programme staff"),
];

async fn accounts_page(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    q: String,
    form: CreateForm,
) -> Result<(CookieJar, AccountsPage), PageError> {
    let search = crate::pages::search_field(&q);
    let q_error = search.as_ref().err().copied();
    let results = if let Ok(Some(search)) = search {
        let found = certify_accounts::search_accounts(&state.db, &search, FOUND)
            .await
            .map_err(PageError::internal)?;
        Some(
            found
                .into_iter()
                .map(|a| AccountRow {
                    id: a.id,
                    name: a.display_name,
                    email: a.email.to_string(),
                    role: role_label(a.role),
                })
                .collect(),
        )
    } else {
        None
    };
    let roles = choices(
        ROLES
            .iter()
            .map(|(value, label)| ((*value).to_owned(), (*label).to_owned())),
        &form.role,
    );
    let firms = firm_picker(state, &form.firm).await?;
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    Ok((
        jar,
        AccountsPage {
            chrome,
            q,
            q_error,
            results,
            roles,
            firms,
            form,
            no_error: None,
        },
    ))
}

pub async fn accounts(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    Query(query): Query<FindQuery>,
) -> Result<Response, PageError> {
    let form = CreateForm {
        role: "consultant".to_owned(),
        ..CreateForm::default()
    };
    Ok(accounts_page(&state, jar, &visitor, query.q, form)
        .await?
        .into_response())
}

/// The form parsed, or the form with its problems.
fn parse_form(
    form: &CheckedForm,
    firm: Result<Option<Uuid>, String>,
) -> Result<(NewAccount, Option<Uuid>), Box<CreateForm>> {
    let text = |name: &str| form.value(name).unwrap_or_default().trim().to_owned();
    let mut view = CreateForm {
        email: text("email"),
        name: text("name"),
        role: text("role"),
        firm: text("firm"),
        ..CreateForm::default()
    };
    let email = Email::parse(&view.email)
        .map_err(|e| view.email_error = Some(format!("{}.", crate::pages::capitalised(&e.to_string()))));
    let name = DisplayName::parse(&view.name).map_err(|e| view.name_error = Some(format!("The name {e}.")));
    let raw_password = form.value("password").unwrap_or_default();
    let password = if raw_password.is_empty() {
        Ok(None)
    } else {
        Password::parse(raw_password, &[&view.email, &view.name])
            .map(Some)
            .map_err(|e| view.password_error = Some(format!("The password {e}.")))
    };
    let role = firm
        .and_then(|firm| match (view.role.as_str(), firm) {
            ("firm_admin", Some(firm_id)) => Ok((Role::FirmAdmin { firm_id }, Some(firm_id))),
            ("firm_admin", None) => Err("Choose the firm this administrator manages.".to_owned()),
            ("programme_staff", None) => Ok((Role::ProgrammeStaff, None)),
            ("programme_staff", Some(_)) => Err("Programme staff belong to no firm.".to_owned()),
            (_, firm) => Ok((Role::Consultant, firm)),
        })
        .map_err(|problem| view.firm_error = Some(problem));
    match (email, name, password, role) {
        (Ok(email), Ok(display_name), Ok(password), Ok((role, firm))) => {
            let membership = if role == Role::Consultant { firm } else { None };
            Ok((
                NewAccount {
                    email,
                    display_name,
                    role,
                    password,
                    must_change_password: true,
                },
                membership,
            ))
        }
        _ => Err(Box::new(view)),
    }
}

/// Creates the account (and a consultant's membership, in the same transaction) and shows it.
pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let notice_jar = jar.clone();
    let refused = |view: CreateForm| async {
        let page = accounts_page(&state, jar, &visitor, String::new(), view).await?;
        Ok::<_, PageError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let firm = chosen_firm(&state, form.value("firm").unwrap_or_default()).await?;
    let (new, membership) = match parse_form(&form, firm) {
        Ok(parsed) => parsed,
        Err(view) => return refused(*view).await,
    };
    let view_of = |new: &NewAccount| CreateForm {
        email: new.email.to_string(),
        name: new.display_name.as_str().to_owned(),
        role: form.value("role").unwrap_or_default().to_owned(),
        firm: form.value("firm").unwrap_or_default().to_owned(),
        ..CreateForm::default()
    };
    let mut view = view_of(&new);
    match create_with_membership(&state, new, membership).await {
        Ok(account) => {
            let said = format!("Account created for {}.", account.email);
            let to = format!("/staff/accounts/{}", account.id);
            Ok(crate::notice::redirect(&state, notice_jar, &said, &to).into_response())
        }
        Err(AccountError::EmailTaken) => {
            view.email_error = Some("An account with this e-mail address already exists: find it above.".to_owned());
            refused(view).await
        }
        Err(AccountError::FirmNotFound(_)) => {
            view.firm_error = Some("Choose a firm from the list.".to_owned());
            refused(view).await
        }
        Err(other) => Err(PageError::Api(other.into())),
    }
}

async fn create_with_membership(
    state: &AppState,
    new: NewAccount,
    membership: Option<Uuid>,
) -> Result<Account, AccountError> {
    let now = state.clock.now();
    let txn = certify_core::begin_write(&state.db)
        .await
        .map_err(anyhow::Error::from)?;
    let account = certify_accounts::create_account(&txn, now, new).await?;
    if let Some(firm_id) = membership {
        certify_firms::join_firm(&txn, now, firm_id, account.id)
            .await
            .map_err(|err| match err {
                certify_firms::FirmError::NotFound(id) => AccountError::FirmNotFound(id),
                other => AccountError::Unexpected(other.into()),
            })?;
    }
    txn.commit().await.map_err(anyhow::Error::from)?;
    Ok(account)
}

/// One membership of an account, oldest first.
#[derive(Debug, Clone)]
pub struct MembershipLine {
    pub firm_id: Uuid,
    pub firm: String,
    pub period: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_admin.html")]
pub struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    role: &'static str,
    /// A firm admin's firm.
    administers: Option<(Uuid, String)>,
    created: Moment,
    memberships: Vec<MembershipLine>,
}

pub async fn account(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let account = match certify_accounts::find_account(&state.db, id).await {
        Ok(account) => account,
        Err(AccountError::NotFound(_)) => return Err(PageError::not_found(format!("no account {id}"))),
        Err(other) => return Err(PageError::Api(other.into())),
    };
    let administers = match account.role {
        Role::FirmAdmin { firm_id } => Some((firm_id, certify_firms::find_firm(&state.db, firm_id).await?.name)),
        _ => None,
    };
    let mut memberships = Vec::new();
    for row in certify_firms::membership_history(&state.db, id).await? {
        let firm = certify_firms::find_firm(&state.db, row.firm_id).await?;
        let period = match row.left_at {
            Some(left) => format!("{} to {}", long_date(row.joined_at.date()), long_date(left.date())),
            None => format!("since {}", long_date(row.joined_at.date())),
        };
        memberships.push(MembershipLine {
            firm_id: row.firm_id,
            firm: firm.name,
            period,
        });
    }
    let (jar, chrome) = chrome_for(&state, jar, Some(&visitor))?;
    let page = AccountPage {
        chrome,
        name: account.display_name,
        email: account.email.to_string(),
        role: role_label(account.role),
        administers,
        created: date_time(account.created_at),
        memberships,
    };
    Ok((jar, page).into_response())
}
