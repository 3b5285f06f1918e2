//! Cross-site request forgery: every form that changes something carries a token that must
//! equal the one in this site's `certify_csrf` cookie (the signed double-submit pattern, OWASP).
//! Another site can make a browser post a form here, but it can neither read the cookie nor set
//! it (`HttpOnly`, `SameSite=Lax`, `__Host-` on https), so it cannot know the value to put in the
//! form. Once signed in, the token is bound to the session: `<random>.<HMAC-SHA256 of the random
//! part, keyed by the session token>`, so a token planted from elsewhere (a sibling domain on
//! plain http can set cookies) or minted in another session is refused, and signing in issues a
//! new one ([`for_new_session`]). The session token is the key: no server-wide secret to share
//! between instances. Chosen over a strict `Origin` check because some privacy tools strip
//! `Origin`, and over a server-side token table because it needs no storage and works before
//! sign-in (the sign-in form is protected too, by an unbound token). A present `Origin` from
//! elsewhere is refused as well.

use axum::http::{HeaderMap, header};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use crate::error::PageError;
use crate::session::{SESSION, cookie_name, site_cookie};

const CSRF: &str = "certify_csrf";

/// The token to put in this page's forms, setting the cookie if the browser has none for its
/// current session yet.
pub fn token(state: &AppState, jar: CookieJar) -> Result<(CookieJar, String), PageError> {
    let session = session_token(state, &jar);
    if let Some(existing) = jar.get(&cookie_name(state, CSRF))
        && fits_session(existing.value(), session.as_deref())
    {
        let value = existing.value().to_owned();
        return Ok((jar, value));
    }
    let value = fresh(session.as_deref())?;
    Ok((jar.add(site_cookie(state, CSRF, value.clone())), value))
}

/// The form-token cookie for a session that has just begun (at sign-in): the one from before
/// no longer fits.
pub fn for_new_session(
    state: &AppState,
    session_token: &str,
) -> Result<axum_extra::extract::cookie::Cookie<'static>, PageError> {
    Ok(site_cookie(state, CSRF, fresh(Some(session_token))?))
}

fn session_token(state: &AppState, jar: &CookieJar) -> Option<String> {
    jar.get(&cookie_name(state, SESSION))
        .map(|cookie| cookie.value().to_owned())
}

/// A new token: random, and bound to `session` when there is one.
fn fresh(session: Option<&str>) -> Result<String, PageError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| PageError::internal(anyhow::anyhow!("no randomness: {err}")))?;
    let random = hex::encode(bytes);
    Ok(match session {
        Some(session) => format!("{random}.{}", hex::encode(binding(session, &random))),
        None => random,
    })
}

fn binding(session: &str, random: &str) -> Vec<u8> {
    // HMAC takes a key of any length; this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(session.as_bytes()) else {
        return Vec::new();
    };
    mac.update(b"certify form token\0");
    mac.update(random.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether `token` may be used with `session`: bound to it when signed in, unbound otherwise.
fn fits_session(token: &str, session: Option<&str>) -> bool {
    match (token.split_once('.'), session) {
        (Some((random, mac)), Some(session)) => {
            hex::decode(mac).is_ok_and(|mac| bool::from(mac.as_slice().ct_eq(&binding(session, random))))
        }
        (None, None) => !token.is_empty(),
        _ => false,
    }
}

/// Refuses a form post whose token does not match the cookie's, or that comes from another
/// origin. Call it before anything changes.
pub fn check(state: &AppState, headers: &HeaderMap, jar: &CookieJar, submitted: &str) -> Result<(), PageError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ours = state.issuer.public_base_url.trim_end_matches('/');
        let host_origin = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|host| [format!("http://{host}"), format!("https://{host}")]);
        let origin = origin.to_str().unwrap_or_default();
        let same = origin == ours || host_origin.is_some_and(|candidates| candidates.iter().any(|c| c == origin));
        if !same {
            return Err(PageError::Forgery);
        }
    }
    let expected = jar.get(&cookie_name(state, CSRF)).map(|c| c.value().to_owned());
    let session = session_token(state, jar);
    match expected {
        Some(expected)
            if !submitted.is_empty()
                && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
                && fits_session(&expected, session.as_deref()) =>
        {
            Ok(())
        }
        _ => Err(PageError::Forgery),
    }
}

/// A posted form whose token has been checked: the fields as name–value pairs in the order
/// sent, so a question's several checked options all arrive.
#[derive(Debug, Clone)]
pub struct CheckedForm {
    fields: Vec<(String, String)>,
}

impl CheckedForm {
    /// The first value of `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(key, _)| key == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in the order sent.
    pub fn values(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Every field, in the order sent.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }
}

impl axum::extract::FromRequest<AppState> for CheckedForm {
    type Rejection = PageError;

    /// Refuses, before any handler runs, a post without this site's token.
    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let jar = CookieJar::from_headers(&headers);
        let body = axum::body::Bytes::from_request(req, state).await.map_err(|_| {
            PageError::Api(certify_api::ApiError::new(
                certify_api::ProblemType::PayloadTooLarge,
                "the form is larger than this site accepts",
            ))
        })?;
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
        let form = Self { fields };
        check(state, &headers, &jar, form.value("csrf").unwrap_or_default())?;
        Ok(form)
    }
}
