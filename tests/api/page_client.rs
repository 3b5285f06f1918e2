//! A browser over plain HTTP for the web edge's tests: it follows no redirects, so each answer
//! can be looked at, and keeps cookies by hand.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};

use crate::helpers::{PASSWORD, TestApp};

/// A browser that follows no redirects, so each answer can be looked at, and keeps cookies by
/// hand.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub client: reqwest::Client,
    pub cookies: std::collections::BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            app,
            client,
            cookies: std::collections::BTreeMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for set in headers.get_all(SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let (pair, _) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() || set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, HeaderMap, String) {
        let response = self
            .client
            .get(self.app.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("sent");
        self.finish(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .expect("sent");
        self.finish(response).await
    }

    /// Posts a multipart form, as a browser sends a form with a file.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> (StatusCode, HeaderMap, String) {
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("sent");
        self.finish(response).await
    }

    async fn finish(&mut self, response: reqwest::Response) -> (StatusCode, HeaderMap, String) {
        let status = response.status();
        let headers = response.headers().clone();
        self.keep_cookies(&headers);
        (status, headers, response.text().await.expect("body"))
    }

    /// Posts the sign-in form with the test password, going on to `next`.
    pub async fn sign_in(&mut self, email: &str, next: &str) -> (StatusCode, HeaderMap, String) {
        let csrf = self.csrf();
        let form = [
            ("email", email),
            ("password", PASSWORD),
            ("csrf", &csrf),
            ("next", next),
        ];
        self.post("/sign-in", &form).await
    }

    /// A browser in which `email` has signed in with the test password.
    pub async fn signed_in(app: &'a TestApp, email: &str) -> Self {
        let mut browser = Self::new(app);
        browser.get("/sign-in").await;
        let (status, _, _) = browser.sign_in(email, "/home").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{email} signs in");
        browser
    }

    /// The form token the last page put in its forms.
    pub fn csrf(&self) -> String {
        self.cookies.get("certify_csrf").cloned().expect("a form token cookie")
    }
}

pub fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}
