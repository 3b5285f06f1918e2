//! Which account a vouched-for identity signs in as. Accounts are found by issuer + subject,
//! never by e-mail alone (some providers let people change their e-mail claim). A first sign-in
//! links an account only through an e-mail the provider marks verified, at a domain the
//! provider speaks for and the firm has verified: the roster's account with that address if
//! there is one, else a new consultant in the firm.

use anyhow::Context as _;
use certify_accounts::{Account, AccountError, NewAccount, Role};
use certify_core::{DisplayName, Email};
use certify_firms::EmailDomain;
use sea_orm::{ConnectionTrait, TransactionSession as _, TransactionTrait};
use time::OffsetDateTime;

use crate::flow::VouchedIdentity;

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
}

/// The account `identity` signs in as, linking or creating it on a first sign-in.
pub async fn admit<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    identity: &VouchedIdentity,
) -> Result<Account, crate::SsoError> {
    let issuer = identity.provider.issuer.as_str();
    if let Some(account) = certify_accounts::account_for_external_identity(db, issuer, &identity.subject).await? {
        return Ok(account);
    }
    let email = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
        .and_then(|raw| Email::parse(raw).ok())
        .ok_or(NotAdmitted::NoVerifiedEmail)?;
    let domain = EmailDomain::of(&email);
    let firm = certify_firms::find_firm(db, identity.provider.firm_id)
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
    };
    certify_accounts::create_account(db, now, new)
        .await
        .map_err(|err| match err {
            AccountError::Unexpected(cause) => cause.into(),
            other => anyhow::Error::new(other).into(),
        })
}
