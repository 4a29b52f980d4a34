//! What is wrong with the forms, and who has not sent one: files to roster
//! units, the form's rules on each submission, last year's comparison, and
//! the office's explanations.

mod explain;
mod input;
pub(crate) mod last_year;
mod lower;
pub mod rules;
pub mod units;

use rayon::prelude::*;

use crate::findings::Issue;
use crate::findings::codes::Code;
use crate::input::plan::{LastYear, Plan};
use last_year::Previous;
use units::{FileStatus, Submission};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Previous(#[from] last_year::PreviousError),
    #[error("无法读取说明文件 {0}：{1}")]
    Explanations(String, std::io::Error),
}

/// Every finding about the submissions, and last year's records.
pub struct Audited {
    pub issues: Vec<Issue>,
    /// Last year's records, when they were compared.
    pub previous: Option<Previous>,
}

/// Every finding beside those of the assignment: the input tree's, how each
/// file was read, the template's rules on each form, last year, and the
/// office's explanations.
pub fn audit(
    plan: &Plan,
    subs: &[Submission],
    mut issues: Vec<Issue>,
) -> Result<Audited, AuditError> {
    let template = &plan.template;
    issues.extend(input::findings(&plan.ignored, &plan.skipped));
    let per_file: Vec<Vec<Issue>> = subs
        .par_iter()
        .filter(|s| s.status != FileStatus::Rejected)
        .map(|sub| {
            let mut found = Vec::new();
            for note in sub.form().map(|f| f.notes.as_slice()).unwrap_or_default() {
                let note = note
                    .clone()
                    .unit(&sub.district, &sub.township)
                    .file(&sub.found.shown);
                found.push(note);
            }
            if sub.status == FileStatus::Used {
                found.extend(rules::check(sub, template));
            }
            found
        })
        .collect();
    issues.extend(per_file.into_iter().flatten());
    issues.extend(lower::compare(subs, template, &plan.office.tree));
    let previous = last_year(plan, &mut issues)?;
    if let Some(previous) = &previous {
        issues.extend(last_year::compare(subs, previous, template));
    }
    if let Some(path) = &plan.explanations {
        let (found, problems) = explain::load(path)
            .map_err(|e| AuditError::Explanations(path.display().to_string(), e))?;
        issues.extend(problems);
        explain::apply(&found, &mut issues, &path.display().to_string());
    }
    Ok(Audited { issues, previous })
}

/// Last year's records. A missing default is the first year of a series,
/// not a problem; a default that is there but unusable is reported; a
/// `--previous` that is unusable stops the run, since the user asked for it.
fn last_year(plan: &Plan, issues: &mut Vec<Issue>) -> Result<Option<Previous>, AuditError> {
    let units = plan.roster.units.len().max(plan.files.len());
    let load = |path| Previous::load(path, plan.year, &plan.template, units);
    match &plan.last_year {
        LastYear::Given(path) => Ok(Some(load(path)?)),
        LastYear::Found(path) => match load(path) {
            Ok(previous) => Ok(Some(previous)),
            Err(e) => {
                issues.push(
                    Issue::new(Code::PreviousUnreadable, format!("{e}；本年未与上年比较"))
                        .file(&path.display().to_string()),
                );
                Ok(None)
            }
        },
        LastYear::None => Ok(None),
    }
}
