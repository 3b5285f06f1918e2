//! The route table: every page's method, path and audience, kept beside the router built from
//! it, so a test can walk every page as every kind of visitor and no page is left out.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;
use certify_api::AppState;

/// Who a page is for; the extractor its handlers take says the same (`crate::access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not: the landing page, signing in, verifying.
    Anyone,
    /// Anyone signed in (`SignedIn`): one's home and account, reading the catalogue.
    SignedIn,
    /// Consultants (`LearnerPage`).
    Learner,
    /// Programme staff and the firm's own administrators (`FirmPage`).
    Firm,
    /// Programme staff (`StaffPage`).
    Staff,
}

/// One page route.
#[derive(Debug, Clone)]
pub struct PageRoute {
    pub method: Method,
    pub path: String,
    pub audience: Audience,
}

/// A router of pages and the table of its routes, built together.
pub struct PageRoutes {
    router: Router<AppState>,
    table: Vec<PageRoute>,
    audience: Audience,
}

impl PageRoutes {
    /// Routes for `audience`; [`Self::merge`] joins groups with other audiences.
    pub fn new(audience: Audience) -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
            audience,
        }
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.route(path, Method::GET, axum::routing::get(handler))
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.route(path, Method::POST, axum::routing::post(handler))
    }

    /// A route whose method router carries its own layers (a larger body limit, say).
    pub fn route(mut self, path: &str, method: Method, method_router: MethodRouter<AppState>) -> Self {
        // axum merges method routers given for the same path.
        self.router = self.router.route(path, method_router);
        self.table.push(PageRoute {
            method,
            path: path.to_owned(),
            audience: self.audience,
        });
        self
    }

    pub fn merge(mut self, other: Self) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// `other`'s routes under `prefix` (`/staff`, `/firms/{firm_id}`).
    pub fn nest(mut self, prefix: &str, other: Self) -> Self {
        self.router = self.router.nest(prefix, other.router);
        self.table.extend(other.table.into_iter().map(|route| PageRoute {
            path: match route.path.as_str() {
                "/" => prefix.to_owned(),
                path => format!("{prefix}{path}"),
            },
            ..route
        }));
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<PageRoute>) {
        (self.router, self.table)
    }
}
