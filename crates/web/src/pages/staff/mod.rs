//! Programme staff's pages, under `/staff`: the dashboard (their home), breakdowns, firms,
//! accounts, the catalogue and its exams, and certificates. Every handler takes a
//! [`crate::access::StaffPage`].

pub mod accounts;
pub mod blueprint_editor;
pub mod breakdowns;
pub mod catalogue;
pub mod catalogue_new;
pub mod certificates;
pub mod dashboard;
pub mod exams;
pub mod firms;

use crate::routing::{Audience, PageRoutes};

pub(crate) fn routes() -> PageRoutes {
    PageRoutes::new(Audience::Staff)
        .get("/breakdowns", breakdowns::breakdowns)
        .get("/breakdowns.csv", breakdowns::export)
        .get("/firms", firms::firms)
        .get("/accounts", accounts::accounts)
        .post("/accounts", accounts::create)
        .get("/accounts/{id}", accounts::account)
        .get("/catalogue", catalogue::catalogue)
        .post("/catalogue/{kind}/{id}/status", catalogue::set_status)
        .get("/catalogue/tracks/new", catalogue_new::new_track)
        .post("/catalogue/tracks", catalogue_new::create_track)
        .get("/tracks/{id}/courses/new", catalogue_new::new_course)
        .post("/tracks/{id}/courses", catalogue_new::create_course)
        .get("/courses/{id}/modules/new", catalogue_new::new_module)
        .post("/courses/{id}/modules", catalogue_new::create_module)
        .get("/modules/{id}/edit", catalogue::edit_module)
        .post("/modules/{id}/edit", catalogue::save_module)
        .get("/exams/{id}", exams::exam)
        .post("/exams/{id}/bank", exams::import)
        .get("/exams/{id}/blueprint", blueprint_editor::edit)
        .post("/exams/{id}/blueprint", blueprint_editor::save)
        .get("/exams/{id}/bank.json", exams::export)
        .get("/certificates", certificates::search)
        .get("/certificates/export", certificates::export)
        .get("/certificates/{id}", certificates::certificate)
        .post("/certificates/{id}/revocation", certificates::revoke)
        .post("/certificates/{id}/holder-name", certificates::correct_name)
}
