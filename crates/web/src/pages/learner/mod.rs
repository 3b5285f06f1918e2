//! A consultant's pages: the catalogue (which anyone signed in may read), enrolling, modules,
//! exams and their attempts, and one's own certificates. Acting on one's learning takes a
//! [`crate::access::LearnerPage`].

pub mod certificates;
pub mod exam;
pub mod learning;

use crate::routing::{Audience, PageRoutes};

pub(crate) fn routes() -> PageRoutes {
    let reading = PageRoutes::new(Audience::SignedIn)
        .get("/catalogue", learning::catalogue)
        .get("/tracks/{id}", learning::track)
        .get("/courses/{id}", learning::course)
        .get("/modules/{id}", learning::module)
        // Whoever may read the certificate: its holder, their firm, programme staff.
        .get("/certificates/{id}/certificate.pdf", certificates::download_pdf)
        .get("/certificates/{id}/credential.json", certificates::download_credential);
    let learning = PageRoutes::new(Audience::Learner)
        .post("/invitations/{id}/answer", learning::answer_invitation)
        .post("/tracks/{id}/enrolment", learning::enrol_in_track)
        .post("/courses/{id}/enrolment", learning::enrol_in_course)
        .post("/modules/{id}/completion", learning::complete_module)
        .get("/exams/{id}", exam::exam)
        .post("/exams/{id}/attempts", exam::start)
        .get("/attempts/{id}", exam::attempt)
        .post("/attempts/{id}", exam::save_answers)
        .post("/attempts/{id}/answers/{position}", exam::save_answer)
        .get("/attempts/{id}/review", exam::review)
        .post("/attempts/{id}/submission", exam::submit)
        .get("/certificates", certificates::my_certificates);
    reading.merge(learning)
}
