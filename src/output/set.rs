//! The set of outputs of a run, written side by side into the staging
//! folder: the analyst workbook, each return and its draft, the records as
//! CSV (when it fits a spreadsheet) and Parquet. The progress page and
//! run.json, which describe the set, follow it.

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;
use rayon::prelude::*;

use super::draft::{DraftContent, write_draft};
use super::names::{RunFiles, inside};
use super::remarks::{Finding, remarks};
use super::summary::{Members, Summary};
use super::{Saved, WriteError, tables, workbook};
use crate::audit::units::Submission;
use crate::input::plan::{Csv, Drafts, Plan};
use crate::rollup::Return;

/// The most rows a spreadsheet opens (Excel, WPS and LibreOffice alike):
/// beyond it records.csv is of no use to anyone and is not written.
const SPREADSHEET_ROWS: usize = 1_048_576;

/// Why records.csv is left out, when it is: more rows than a spreadsheet opens.
pub fn csv_note(plan: &Plan, rows: usize) -> Option<String> {
    (plan.out.is_some() && plan.csv == Csv::WhenItFits && rows >= SPREADSHEET_ROWS).then(|| {
        format!(
            "未写出：记录共 {rows} 行，超过电子表格可打开的 {SPREADSHEET_ROWS} 行；请用 records.parquet，或加 --csv 强制写出"
        )
    })
}

/// What the outputs are written from.
#[derive(Clone, Copy)]
pub struct Rolled<'a> {
    pub subs: &'a [Submission],
    pub districts: &'a [Return],
    pub city: &'a Return,
    pub records: &'a DataFrame,
}

/// One return's files and what they are written from.
struct ReturnJob<'a> {
    ret: &'a Return,
    sheet: PathBuf,
    /// `None` with `--no-report`.
    draft: Option<PathBuf>,
}

/// The outputs, written side by side: the analyst workbook, the returns,
/// the records as CSV (when it fits a spreadsheet) and Parquet.
pub fn write(
    plan: &Plan,
    files: &RunFiles,
    dir: &Path,
    summary: &Summary,
    rolled: &Rolled,
) -> Result<Vec<(PathBuf, Saved)>, WriteError> {
    let Rolled {
        subs,
        districts,
        city,
        records,
    } = *rolled;
    let year = plan.year;
    let template = &plan.template;
    let analysis = inside(dir, &files.analysis)?;
    let returns = districts
        .iter()
        .chain([city])
        .zip(&files.returns)
        .map(|(ret, named)| {
            Ok(ReturnJob {
                ret,
                sheet: inside(dir, &named.sheet)?,
                draft: match plan.drafts {
                    Drafts::Written => Some(inside(dir, &named.draft)?),
                    Drafts::Skipped => None,
                },
            })
        })
        .collect::<Result<Vec<_>, WriteError>>()?;
    let csv = summary
        .info
        .csv_note
        .is_none()
        .then(|| dir.join("records.csv"));
    let parquet = dir.join("records.parquet");
    let analyst = || {
        // Earlier years' trend, read here on the workbook's own thread:
        // each earlier year's run.json is parsed whole.
        let past = plan
            .out
            .as_deref()
            .and_then(|set| set.parent()?.parent())
            .map(|out| crate::output::trend::past_values(out, &plan.office.name, year, template))
            .unwrap_or_default();
        // Each kind's subtotal, summed here on the workbook's own thread.
        let by_kind = crate::rollup::by_kind(subs, template, &plan.office);
        let analyst = workbook::Analysis {
            info: &summary.info,
            template,
            districts,
            city,
            by_kind: &by_kind,
            submissions: subs,
            issues: &summary.issues,
            status: &summary.units,
            past: &past,
        };
        crate::panics::guarded(|| workbook::write_analysis(&analysis, &analyst))
            .unwrap_or_else(stopped_by(&analysis))
    };
    // The units that sent nothing, found once: each draft names its own,
    // and a search of all units per draft grows with the square of a year.
    let members = Members::of(
        summary
            .units
            .iter()
            .map(|u| (u.path.as_slice(), u.township.as_str(), u.kind, u.status)),
    );
    let findings: Vec<Finding> = summary.issues.iter().map(Finding::from).collect();
    let forms = || {
        returns
            .par_iter()
            .map(|job| {
                let notes = remarks(template, job.ret, &findings);
                let form = crate::output::returns::write_return(
                    &job.sheet,
                    template,
                    job.ret,
                    year,
                    notes.clone(),
                )?;
                let Some(draft) = &job.draft else {
                    return Ok((form, None));
                };
                let content = DraftContent {
                    template,
                    ret: job.ret,
                    year,
                    members: members.of_return(job.ret),
                    notes: &notes,
                };
                Ok((form, Some(write_draft(draft, &content)?)))
            })
            .collect::<Result<Vec<_>, WriteError>>()
    };
    let csv_written = || match &csv {
        Some(csv) => tables::write_csv(records, csv).map(Some),
        None => Ok(None),
    };
    // The analyst workbook and records.csv are each written by one thread
    // from start to end (a workbook's sheets in order, the CSV's bytes in
    // order), so they start first, one on each thread; the returns and
    // drafts, hundreds of small files, fill whichever thread frees first
    // (queued behind the returns, records.csv waited for the workbook's
    // thread; BENCHMARKS.md).
    //
    // Parquet is written on a thread of its own: polars encodes it on its
    // own pool, and a rayon worker waiting for that pool takes other jobs
    // meanwhile and comes back only when they are done, so joined with the
    // returns it ended last. On one thread (`--jobs 1`) it is written after
    // the rest instead, so the run keeps to its one core.
    let parquet_written = || tables::write_parquet(records, &parquet);
    let the_rest = || rayon::join(analyst, || rayon::join(csv_written, forms));
    let ((written, (csv_saved, returned)), parquet_saved) = match rayon::current_num_threads() {
        1 => {
            let the_rest = the_rest();
            let parquet_saved =
                crate::panics::guarded(parquet_written).unwrap_or_else(stopped_by(&parquet));
            (the_rest, parquet_saved)
        }
        _ => std::thread::scope(|scope| {
            let parquet_thread = scope.spawn(parquet_written);
            let the_rest = the_rest();
            (
                the_rest,
                parquet_thread.join().unwrap_or_else(stopped_by(&parquet)),
            )
        }),
    };
    let mut outputs = vec![(analysis, written?)];
    for (job, (form, drafted)) in returns.into_iter().zip(returned?) {
        outputs.push((job.sheet, form));
        outputs.extend(job.draft.zip(drafted));
    }
    outputs.extend(csv.zip(csv_saved?));
    outputs.push((parquet, parquet_saved?));
    Ok(outputs)
}

/// A writer that panicked, as the error of the file it was writing.
fn stopped_by(
    path: &Path,
) -> impl FnOnce(Box<dyn std::any::Any + Send>) -> Result<Saved, WriteError> + '_ {
    move |panic| {
        let message = crate::panics::panic_message(&panic);
        Err(crate::output::stopped(path, &message))
    }
}
