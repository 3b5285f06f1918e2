//! Pages for anyone: the landing page, signing in (by password or a firm's provider) and out,
//! verifying a certificate; and, once signed in, one's home and one's own account.

pub mod home;
pub mod own_account;
pub mod sign_in;
pub mod sso;
pub mod verify;

use crate::routing::{Audience, PageRoutes};

pub(crate) fn routes() -> PageRoutes {
    let public = PageRoutes::new(Audience::Anyone)
        .get("/", home::landing)
        .get("/sign-in", sign_in::form)
        .post("/sign-in", sign_in::submit)
        .post("/sign-out", sign_in::sign_out)
        .post("/sign-in/firm", sso::start)
        .get("/sign-in/sso/callback", sso::callback);
    let signed_in = PageRoutes::new(Audience::SignedIn)
        .get("/home", home::home)
        .get("/account", own_account::page)
        .post("/account/password", own_account::change_password)
        .post("/account/sessions/others", own_account::end_other_sessions);
    public.merge(signed_in)
}
