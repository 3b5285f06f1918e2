//! Editing an exam's blueprint from the web: time allowed, pass mark, and the domains with their
//! weights and questions per sitting. Rows left blank are ignored, a ticked "Remove" drops a
//! domain (refused while items belong to it), and each problem is shown beside its field with
//! what was typed kept. The retake policy is kept as it is (the API changes it).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use certify_api::AppState;
use certify_exams::{Blueprint, BlueprintInput, DomainSpec, Exam, ExamError, FieldProblem};
use uuid::Uuid;

use crate::access::StaffPage;
use crate::csrf::CheckedForm;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::pages::{Chrome, capitalised, chrome_for};
use crate::session::Visitor;

/// Blank rows offered for new domains.
const NEW_ROWS: usize = 2;

/// One domain row as typed.
#[derive(Debug, Clone, Default)]
pub struct DomainRow {
    pub id: String,
    pub name: String,
    pub weight: String,
    pub items: String,
    pub remove: bool,
    pub error: Option<String>,
}

impl DomainRow {
    fn is_blank(&self) -> bool {
        [&self.id, &self.name, &self.weight, &self.items]
            .iter()
            .all(|field| field.is_empty())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "blueprint_editor.html")]
pub struct BlueprintEditor {
    chrome: Chrome,
    exam_id: Uuid,
    track_id: Uuid,
    title: String,
    title_error: Option<String>,
    minutes: String,
    minutes_error: Option<String>,
    cut_score: String,
    cut_score_error: Option<String>,
    cut_percent: String,
    cut_percent_error: Option<String>,
    rows: Vec<DomainRow>,
    /// About the domains together (weights that do not add up, a domain still holding items).
    domains_error: Option<String>,
}

impl BlueprintEditor {
    fn of(exam: &Exam) -> Self {
        let mut rows: Vec<DomainRow> = exam
            .domains
            .iter()
            .map(|d| DomainRow {
                id: d.id.to_string(),
                name: d.name.clone(),
                weight: d.weight_percent.to_string(),
                items: d.items_per_form.to_string(),
                ..DomainRow::default()
            })
            .collect();
        rows.extend(std::iter::repeat_n(DomainRow::default(), NEW_ROWS));
        Self {
            chrome: Chrome::default(),
            exam_id: exam.id,
            track_id: exam.track_id,
            title: exam.title.clone(),
            title_error: None,
            minutes: exam.duration.whole_minutes().to_string(),
            minutes_error: None,
            cut_score: exam.cut_score.get().to_string(),
            cut_score_error: None,
            cut_percent: exam.cut_percent.to_string(),
            cut_percent_error: None,
            rows,
            domains_error: None,
        }
    }

    /// Takes what was typed (each row `d{n}_…`, as many as the page showed).
    fn typed(&mut self, form: &CheckedForm) {
        let value = |name: &str| form.value(name).unwrap_or_default().trim().to_owned();
        self.title = value("title");
        self.minutes = value("minutes");
        self.cut_score = value("cut_score");
        self.cut_percent = value("cut_percent");
        self.rows = (0..)
            .map_while(|n| {
                form.value(&format!("d{n}_name")).map(|_| DomainRow {
                    id: value(&format!("d{n}_id")),
                    name: value(&format!("d{n}_name")),
                    weight: value(&format!("d{n}_weight")),
                    items: value(&format!("d{n}_items")),
                    remove: form.value(&format!("d{n}_remove")).is_some(),
                    error: None,
                })
            })
            .take(500)
            .collect();
    }

    /// The rows kept: not removed, not left blank.
    fn kept(&self) -> impl Iterator<Item = (usize, &DomainRow)> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, row)| !row.remove && !row.is_blank())
    }

    /// The blueprint typed, or the problems beside their fields.
    fn parse(&mut self, exam: &Exam) -> Option<Blueprint> {
        let number = |raw: &str| raw.parse::<i64>().unwrap_or(-1);
        let kept: Vec<usize> = self.kept().map(|(index, _)| index).collect();
        let mut bad_numbers = Vec::new();
        let domains: Vec<DomainSpec> = kept
            .iter()
            .map(|&index| {
                let row = &self.rows[index];
                let weight = row.weight.parse::<u8>();
                let items = row.items.parse::<u32>();
                if weight.is_err() || items.is_err() {
                    bad_numbers.push(index);
                }
                DomainSpec {
                    id: Uuid::parse_str(&row.id).ok(),
                    name: row.name.clone(),
                    weight_percent: weight.unwrap_or(0),
                    items_per_form: items.unwrap_or(0),
                }
            })
            .collect();
        for index in bad_numbers {
            self.rows[index].error =
                Some("Give the weight (1 to 100) and the questions (1 to 200) as whole numbers.".to_owned());
        }
        let input = BlueprintInput {
            title: self.title.clone(),
            duration_minutes: number(&self.minutes),
            cut_score: number(&self.cut_score),
            cut_percent: number(&self.cut_percent),
            retake: exam.retake.input(),
            domains,
        };
        let parsed = Blueprint::parse(input).map_err(|problems| self.place(&problems, &kept));
        let no_row_errors = self.rows.iter().all(|row| row.error.is_none());
        parsed.ok().filter(|_| no_row_errors)
    }

    /// Puts each problem beside its field; `kept[i]` is the row of the blueprint's domain `i`.
    fn place(&mut self, problems: &[FieldProblem], kept: &[usize]) {
        for problem in problems {
            let message = format!("{}.", capitalised(&problem.message));
            match problem.field.as_str() {
                "title" => self.title_error = Some(format!("The title {}.", problem.message)),
                "duration_minutes" => self.minutes_error = Some(format!("The time {}.", problem.message)),
                "cut_score" => self.cut_score_error = Some(message),
                "cut_percent" => self.cut_percent_error = Some(message),
                field => match domain_index(field).and_then(|i| kept.get(i)) {
                    Some(&row) => {
                        let row = &mut self.rows[row];
                        row.error.get_or_insert(message);
                    }
                    None => {
                        self.domains_error
                            .get_or_insert(format!("The domains: {}.", problem.message));
                    }
                },
            }
        }
    }
}

/// `domains[3].name` → 3.
fn domain_index(field: &str) -> Option<usize> {
    field.strip_prefix("domains[")?.split_once(']')?.0.parse().ok()
}

async fn exam_for_staff(state: &AppState, id: Uuid) -> Result<Exam, PageError> {
    Ok(certify_exams::get_exam(&state.db, id).await?)
}

fn show(
    state: &AppState,
    jar: CookieJar,
    visitor: &Visitor,
    status: StatusCode,
    mut page: BlueprintEditor,
) -> Result<Response, PageError> {
    let (jar, chrome) = chrome_for(state, jar, Some(visitor))?;
    page.chrome = chrome;
    Ok((status, jar, page).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
) -> Result<Response, PageError> {
    let exam = exam_for_staff(&state, id).await?;
    show(&state, jar, &visitor, StatusCode::OK, BlueprintEditor::of(&exam))
}

/// Saves the blueprint, all or nothing; back on the exam's page when it is saved.
pub async fn save(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffPage(visitor): StaffPage,
    PagePath(id): PagePath<Uuid>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let exam = exam_for_staff(&state, id).await?;
    let mut page = BlueprintEditor::of(&exam);
    page.typed(&form);
    let Some(blueprint) = page.parse(&exam) else {
        return show(&state, jar, &visitor, StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    match certify_exams::update_blueprint(&state.db, state.clock.now(), id, blueprint).await {
        Ok(_) => {
            let said = "Blueprint saved. Attempts already started keep the blueprint they began with.";
            let to = format!("/staff/exams/{id}#blueprint-heading");
            Ok(crate::notice::redirect(&state, jar, said, &to).into_response())
        }
        Err(ExamError::InvalidState(why)) => {
            page.domains_error = Some(format!("Nothing was changed: {why}."));
            show(&state, jar, &visitor, StatusCode::CONFLICT, page)
        }
        Err(ExamError::Invalid(problems)) => {
            let kept: Vec<usize> = page.kept().map(|(index, _)| index).collect();
            page.place(&problems, &kept);
            show(&state, jar, &visitor, StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(other) => Err(other.into()),
    }
}
