//! What a change did, said once on the page it leads to ("Module added as a draft",
//! "Blueprint saved"). A form's handler sets the message with its redirect; the next page's
//! header (`pages::chrome_for`) takes it out and shows it, so a reload does not say it again and
//! it works without JavaScript. A cookie carries it for at most a minute.

use axum::response::Redirect;
use axum_extra::extract::CookieJar;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use certify_api::AppState;

use crate::session::{cookie_name, site_cookie};

const NOTICE: &str = "certify_notice";

/// The longest message kept; longer ones are cut (a message may quote what someone typed).
const MAX_CHARS: usize = 300;

/// A redirect to `to` whose page will say `message`.
pub fn redirect(state: &AppState, jar: CookieJar, message: &str, to: &str) -> (CookieJar, Redirect) {
    let encoded = URL_SAFE_NO_PAD.encode(certify_core::text::cut(message, MAX_CHARS).as_bytes());
    let mut cookie = site_cookie(state, NOTICE, encoded);
    cookie.set_max_age(time::Duration::minutes(1));
    (jar.add(cookie), Redirect::to(to))
}

/// The message waiting for this page, if any, and `jar` without it.
pub fn take(state: &AppState, jar: CookieJar) -> (CookieJar, Option<String>) {
    let Some(cookie) = jar.get(&cookie_name(state, NOTICE)) else {
        return (jar, None);
    };
    let message = URL_SAFE_NO_PAD
        .decode(cookie.value())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(|text| certify_core::text::cut(&text, MAX_CHARS).into_owned());
    (jar.remove(site_cookie(state, NOTICE, String::new())), message)
}
