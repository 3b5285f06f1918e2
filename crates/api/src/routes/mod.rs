//! Handlers, grouped by what they serve. [`public`] lists every route that needs no account;
//! everything in [`protected`] sits behind [`crate::auth::require_session`].

pub mod accounts;
pub mod api_clients;
pub mod attempts;
pub mod catalogue;
pub mod certificate_exports;
pub mod certificates;
pub mod exams;
pub mod firm_domains;
pub mod firms;
pub mod health;
pub mod identity_providers;
pub mod item_bank;
pub mod learning;
pub mod oauth;
pub mod pages;
pub mod progress;
pub mod rosters;
pub mod session;
pub mod tiers;
pub mod verification;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Routes anyone may call without an account.
pub fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(session::log_in))
        .routes(routes!(oauth::token))
        .routes(routes!(verification::jwks))
        .routes(routes!(verification::issuer_profile))
        .routes(routes!(progress::headline))
        .routes(routes!(progress::stream))
}

/// Public certificate look-ups, rate limited per client address (see `crate::app`).
pub fn verification() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verification::verify_by_hash))
        .routes(routes!(
            verification::verify_by_credential_id,
            verification::verify_upload
        ))
}

/// Routes that need a signed-in account; role and tenant checks are in their extractors.
pub fn protected() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session::log_out))
        .routes(routes!(session::me))
        .routes(routes!(session::change_password))
        .routes(routes!(accounts::create_account, accounts::list_accounts))
        .routes(routes!(accounts::get_account))
        .routes(routes!(firms::create_firm, firms::list_firms))
        .routes(routes!(firms::get_firm, firms::update_firm))
        .routes(routes!(firms::add_member))
        .routes(routes!(firms::membership_history))
        .routes(routes!(firm_domains::list_domains, firm_domains::claim_domain))
        .routes(routes!(firm_domains::release_domain))
        .routes(routes!(firm_domains::verify_domain))
        .routes(routes!(firm_domains::my_firm, firm_domains::join_my_firm))
        .routes(routes!(api_clients::list_clients, api_clients::create_client))
        .routes(routes!(api_clients::rotate_secret))
        .routes(routes!(api_clients::revoke_client))
        .routes(routes!(
            identity_providers::get_provider,
            identity_providers::set_provider,
            identity_providers::remove_provider
        ))
        .routes(routes!(
            identity_providers::get_staff_provider,
            identity_providers::set_staff_provider,
            identity_providers::remove_staff_provider
        ))
        .routes(routes!(rosters::import))
        .routes(routes!(rosters::list_consultants))
        .routes(routes!(rosters::export_consultants))
        .routes(routes!(rosters::summary))
        .routes(routes!(rosters::firm_certificates))
        .routes(routes!(tiers::get_thresholds, tiers::set_thresholds))
        .routes(routes!(tiers::firm_tier))
        .routes(routes!(tiers::distribution))
        .routes(routes!(catalogue::list_tracks, catalogue::create_track))
        .routes(routes!(catalogue::get_track, catalogue::update_track))
        .routes(routes!(catalogue::set_track_status))
        .routes(routes!(catalogue::create_course))
        .routes(routes!(catalogue::get_course, catalogue::update_course))
        .routes(routes!(catalogue::set_course_status))
        .routes(routes!(catalogue::create_module))
        .routes(routes!(catalogue::get_module, catalogue::update_module))
        .routes(routes!(catalogue::set_module_status))
        .routes(routes!(learning::enrol_in_track))
        .routes(routes!(learning::enrol_in_course))
        .routes(routes!(learning::complete_module))
        .routes(routes!(learning::my_learning))
        .routes(routes!(learning::my_eligibility))
        .routes(routes!(learning::consultant_learning))
        .routes(routes!(learning::consultant_eligibility))
        .routes(routes!(learning::list_course_enrolments))
        .routes(routes!(learning::course_statistics))
        .routes(routes!(learning::track_statistics))
        .routes(routes!(exams::create_exam, exams::exam_of_track))
        .routes(routes!(exams::get_exam))
        .routes(routes!(exams::update_blueprint))
        .routes(routes!(item_bank::create_item, item_bank::list_items))
        .routes(routes!(item_bank::get_item, item_bank::revise_item))
        .routes(routes!(item_bank::set_item_status))
        .routes(routes!(item_bank::export_bank, item_bank::import_bank))
        .routes(routes!(item_bank::exam_statistics))
        .routes(routes!(attempts::start_attempt))
        .routes(routes!(attempts::my_attempts))
        .routes(routes!(attempts::get_attempt))
        .routes(routes!(attempts::save_response))
        .routes(routes!(attempts::submit_attempt))
        .routes(routes!(certificates::my_certificates))
        .routes(routes!(certificates::get_certificate))
        .routes(routes!(certificates::get_credential))
        .routes(routes!(certificates::download_pdf))
        .routes(routes!(certificate_exports::export_csv))
        .routes(routes!(certificate_exports::export_zip))
        .routes(routes!(certificates::revoke_certificate))
        .routes(routes!(certificates::correct_name))
        .routes(routes!(certificates::certificate_history))
        .routes(routes!(progress::breakdown))
        .routes(routes!(progress::series))
        .routes(routes!(progress::forecast))
}
