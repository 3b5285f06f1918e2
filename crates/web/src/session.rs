//! Browser sessions: the API's opaque session token, carried in a cookie instead of an
//! `Authorization` header. The cookie is `HttpOnly` and `SameSite=Lax`; when the public address
//! is https it is also `Secure` and named with the `__Host-` prefix, so no subdomain can set it.
//! Signing out revokes the session in the database, so a copied cookie stops working too.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use certify_accounts::{Account, Principal, Role};
use certify_api::AppState;

use crate::error::PageError;

/// Whether cookies must be `Secure` (and `__Host-` prefixed): the site is served over https.
pub fn secure(state: &AppState) -> bool {
    state.issuer.public_base_url.starts_with("https://")
}

/// A cookie name, with the `__Host-` prefix on an https site.
pub fn cookie_name(state: &AppState, base: &'static str) -> String {
    if secure(state) {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// A cookie only this site's pages send back: `HttpOnly`, `SameSite=Lax`, path `/`, and
/// `Secure` on https.
pub fn site_cookie(state: &AppState, base: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((cookie_name(state, base), value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(secure(state))
        .build()
}

pub(crate) const SESSION: &str = "certify_session";

/// The signed-in person behind the session cookie.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub principal: Principal,
    pub account: Account,
}

impl Visitor {
    /// How the header names the role.
    pub fn role_name(&self) -> &'static str {
        match self.account.role {
            Role::Consultant => "Consultant",
            Role::FirmAdmin { .. } => "Firm administrator",
            Role::ProgrammeStaff => "Programme staff",
        }
    }
}

impl Visitor {
    /// Whether this is a consultant, who enrols, learns and sits exams (pages show them the
    /// buttons for it; `crate::access::LearnerPage` admits them to the actions).
    pub fn is_consultant(&self) -> bool {
        self.account.role == Role::Consultant
    }
}

/// The visitor if the cookie names a live session; `None` for anyone else.
pub async fn visitor(state: &AppState, jar: &CookieJar) -> Result<Option<Visitor>, PageError> {
    let Some(cookie) = jar.get(&cookie_name(state, SESSION)) else {
        return Ok(None);
    };
    let Some(principal) = certify_accounts::authenticate(&state.db, state.clock.now(), state.sessions, cookie.value())
        .await
        .map_err(PageError::internal)?
    else {
        return Ok(None);
    };
    // An API client's token is for the API only: in a cookie it signs nobody in.
    if principal.client.is_some() {
        return Ok(None);
    }
    let account = certify_accounts::find_account(&state.db, principal.account_id)
        .await
        .map_err(PageError::internal)?;
    Ok(Some(Visitor { principal, account }))
}

/// A page that needs a signed-in person: anyone else is sent to sign in, and back here after.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Visitor);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        // The address as sent: inside a nested router `parts.uri` has lost its prefix
        // (`/staff/accounts` reads `/accounts`).
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |original| original.0.clone());
        match visitor(state, &jar).await? {
            // Someone else chose this password: nothing but choosing one's own until it is done.
            Some(visitor) if visitor.account.must_change_password && !is_own_account_page(uri.path()) => {
                Err(PageError::PasswordChangeRequired)
            }
            Some(visitor) => Ok(Self(visitor)),
            None => {
                let next = uri.path_and_query().map_or("/home", |p| p.as_str()).to_owned();
                Err(PageError::SignInRequired { next })
            }
        }
    }
}

/// The pages of one's own account (`/account`, `/account/…`), the only ones open before a
/// password someone else chose is changed.
fn is_own_account_page(path: &str) -> bool {
    path == "/account" || path.starts_with("/account/")
}

/// Where to go after signing in: only a path of this site (`/…`, never `//host` or a scheme),
/// so the sign-in page cannot be used to send people elsewhere.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.len() <= certify_sso::MAX_NEXT_BYTES
                && path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/home".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/verify?x=1")), "/verify?x=1");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/\nLocation: x",
            "",
        ] {
            assert_eq!(local_path(Some(elsewhere)), "/home", "{elsewhere:?}");
        }
        assert_eq!(local_path(None), "/home");
        let long = format!("/verify?q={}", "a".repeat(certify_sso::MAX_NEXT_BYTES));
        assert_eq!(local_path(Some(&long)), "/home", "a megabyte of `next` is not kept");
    }
}
