//! Which account a vouched-for identity signs in as. Accounts are found by issuer + subject,
//! never by e-mail alone (some providers let people change their e-mail claim). A first sign-in
//! links an account only through an e-mail the provider marks verified, at a domain the
//! provider speaks for and the firm has verified: the roster's account with that address if
//! there is one, else a new consultant in the firm. The staff provider creates nobody: it
//! signs in the staff account with the verified e-mail, if staff made one.

use anyhow::Context as _;
use certify_accounts::{Account, AccountError, NewAccount, Role};
use certify_core::{DisplayName, Email};
use certify_firms::EmailDomain;
use sea_orm::{ConnectionTrait, TransactionSession as _, TransactionTrait};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::flow::VouchedIdentity;
use crate::providers::Serves;

/// Why the identity may not sign in here, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAdmitted {
    #[error(
        "your firm's sign-in did not give an e-mail address it has verified, so the platform cannot tell which consultant you are"
    )]
    NoVerifiedEmail,
    #[error(
        "{firm}'s sign-in speaks for {domain} only once {firm} has verified that domain with the programme; ask your administrator"
    )]
    DomainNotVerified { firm: String, domain: String },
    #[error("{email} belongs to a programme account that cannot sign in through a firm's sign-in; use your password")]
    PrivilegedAccount { email: String },
    #[error(
        "no programme staff account has the address {email}; the staff sign-in is for accounts programme staff have made"
    )]
    NotStaff { email: String },
    #[error("your account does not sign in through {provider}; use your own firm's sign-in, or your password")]
    NotThroughThisProvider { provider: String },
}

/// The account `identity` signs in as, linking or creating it on a first sign-in.
pub async fn admit<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    identity: &VouchedIdentity,
) -> Result<Account, crate::SsoError> {
    let issuer = identity.provider.issuer.as_str();
    if let Some(account) = certify_accounts::account_for_external_identity(db, issuer, &identity.subject).await? {
        return admissible_through(db, &identity.provider, account).await;
    }
    let email = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
        .and_then(|raw| Email::parse(raw).ok())
        .ok_or(NotAdmitted::NoVerifiedEmail)?;
    match identity.provider.serves {
        Serves::Firm(firm_id) => admit_to_firm(db, now, identity, firm_id, email).await,
        Serves::ProgrammeStaff => admit_staff(db, now, identity, email).await,
    }
}

/// The rules of who signs in through which provider, applied on every sign-in and not only the
/// first: staff only through the staff provider; a firm's admin only through that firm's; a
/// consultant only through the provider of the firm they belong to now.
async fn admissible_through(
    db: &impl ConnectionTrait,
    provider: &crate::Provider,
    account: Account,
) -> Result<Account, crate::SsoError> {
    let admitted = match (provider.serves, account.role) {
        (Serves::ProgrammeStaff, role) => role == Role::ProgrammeStaff,
        (Serves::Firm(firm_id), Role::FirmAdmin { firm_id: admin_of }) => admin_of == firm_id,
        (Serves::Firm(firm_id), Role::Consultant) => {
            certify_firms::current_firm_of(db, account.id)
                .await
                .context("reading the consultant's firm")?
                == Some(firm_id)
        }
        (Serves::Firm(_), Role::ProgrammeStaff) => false,
    };
    if admitted {
        Ok(account)
    } else {
        Err(NotAdmitted::NotThroughThisProvider {
            provider: provider.name.clone(),
        }
        .into())
    }
}

/// A first sign-in through a firm's provider: the roster's account, or a new consultant.
async fn admit_to_firm<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    identity: &VouchedIdentity,
    firm_id: Uuid,
    email: Email,
) -> Result<Account, crate::SsoError> {
    let issuer = identity.provider.issuer.as_str();
    let domain = EmailDomain::of(&email);
    let firm = certify_firms::find_firm(db, firm_id)
        .await
        .context("reading the provider's firm")?;
    let vouched = identity.provider.speaks_for(&domain)
        && certify_firms::firm_for_email(db, &email)
            .await
            .context("reading who verified the domain")?
            == Some(firm.id);
    if !vouched {
        return Err(NotAdmitted::DomainNotVerified {
            firm: firm.name,
            domain: domain.to_string(),
        }
        .into());
    }
    // Link (or create), join and remember the identity together, or not at all.
    let txn = certify_core::begin_write(db)
        .await
        .context("starting a first sign-in")?;
    let account = match certify_accounts::accounts_by_email(&txn, std::slice::from_ref(&email))
        .await
        .context("looking for the roster's account")?
        .pop()
    {
        Some(account) => match account.role {
            Role::Consultant => account,
            Role::FirmAdmin { firm_id } if firm_id == firm.id => account,
            Role::FirmAdmin { .. } | Role::ProgrammeStaff => {
                return Err(NotAdmitted::PrivilegedAccount {
                    email: email.to_string(),
                }
                .into());
            }
        },
        None => new_consultant(&txn, now, email.clone(), identity.name.as_deref()).await?,
    };
    if account.role == Role::Consultant {
        certify_firms::join_firm(&txn, now, firm.id, account.id)
            .await
            .context("joining the firm")?;
    }
    certify_accounts::link_external_identity(&txn, now, account.id, issuer, &identity.subject)
        .await
        .context("linking the identity")?;
    txn.commit().await.context("committing a first sign-in")?;
    Ok(account)
}

/// A first sign-in through the staff provider: only an existing staff account, never a new one.
async fn admit_staff(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    identity: &VouchedIdentity,
    email: Email,
) -> Result<Account, crate::SsoError> {
    let account = certify_accounts::accounts_by_email(db, std::slice::from_ref(&email))
        .await
        .context("looking for the staff account")?
        .pop()
        .filter(|account| account.role == Role::ProgrammeStaff)
        .ok_or_else(|| NotAdmitted::NotStaff {
            email: email.to_string(),
        })?;
    certify_accounts::link_external_identity(db, now, account.id, &identity.provider.issuer, &identity.subject)
        .await
        .context("linking the identity")?;
    Ok(account)
}

async fn new_consultant(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    email: Email,
    name: Option<&str>,
) -> Result<Account, crate::SsoError> {
    let display_name = name
        .and_then(|name| DisplayName::parse(name).ok())
        .or_else(|| DisplayName::parse(email.as_str().split('@').next().unwrap_or_default()).ok())
        .context("naming a new consultant")?;
    let new = NewAccount {
        email,
        display_name,
        role: Role::Consultant,
        password: None,
        must_change_password: false,
    };
    certify_accounts::create_account(db, now, new)
        .await
        .map_err(|err| match err {
            AccountError::Unexpected(cause) => cause.into(),
            other => anyhow::Error::new(other).into(),
        })
}
