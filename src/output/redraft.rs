//! `gongkai report OUT/<year>`: the drafts of the annual reports written
//! again from a finished run, without reading a single form: its run.json
//! gives the returns, the units and the form, and last year's records the
//! comparison. For the office that changed a template's sentences, or
//! spoiled a draft and wants it back.
//!
//! It holds OUT/<year>'s lock as a run does, replaces each draft whole
//! (written beside it, then renamed), and brings run.json's list of outputs
//! up to date with the drafts' sizes and SHA-256.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::draft::{DraftContent, write_draft};
use super::names::{RunFiles, inside};
use super::remarks::{Finding, remarks};
use super::stage::{Stage, StageError};
use super::summary::{Members, OutputFile, SavedRun};
use super::{Saved, WriteError, atomic};
use crate::audit::last_year::Previous;
use crate::form::Template;
use crate::rollup::Return;

#[derive(Debug, thiserror::Error)]
pub enum RedraftError {
    #[error(
        "{path} 无法读取（{why}）；请给出一次完成的 `gongkai run` 的输出文件夹 OUT/<年度>/<单位>"
    )]
    NoRun { path: String, why: String },
    #[error("该次运行使用的格式 {id} 不是内置格式；请用 --template 文件 给出格式文件")]
    Template { id: String },
    #[error("run.json 中的汇总表不是 {id} 格式：没有单元格 {code}")]
    OtherForm { id: String, code: String },
    #[error(transparent)]
    Lock(#[from] StageError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What `gongkai report` was asked.
pub struct RedraftOptions {
    /// The set of a finished run: OUT/<year>/<office>.
    pub dir: PathBuf,
    pub template: Option<String>,
    /// Last year's records; by default the same office's set of last year.
    pub previous: Option<PathBuf>,
    pub wait: Duration,
}

/// Writes the drafts again and returns their paths; when last year's
/// records cannot be used, `log` says why.
pub fn redraft(opts: &RedraftOptions, log: &dyn Fn(&str)) -> Result<Vec<PathBuf>, RedraftError> {
    let json_path = opts.dir.join(super::run_json::FILE);
    let no_run = |why: String| RedraftError::NoRun {
        path: json_path.display().to_string(),
        why,
    };
    // The lock first, then run.json: a run swapping in a new set meanwhile
    // must not leave its drafts written from the set it replaced. The
    // drafts are written into a staging folder beside the set, with the
    // rest of the set linked in, and swapped in whole as a run's set is:
    // killed part-way, OUT/<year> keeps the set run.json describes.
    let stage = Stage::begin(&opts.dir, opts.wait, log)?;
    let (saved, issues) = SavedRun::read_with_issues(&json_path).map_err(no_run)?;
    let id = opts.template.clone().unwrap_or(saved.template.clone());
    let template = Template::load(&id).map_err(|_| RedraftError::Template { id: id.clone() })?;
    let mut returns = saved
        .returns
        .iter()
        .map(|r| {
            r.to_return(&template)
                .map_err(|code| RedraftError::OtherForm {
                    id: template.id.clone(),
                    code,
                })
        })
        .collect::<Result<Vec<Return>, RedraftError>>()?;

    let last_records = opts
        .previous
        .clone()
        .unwrap_or_else(|| last_years_records(&opts.dir, saved.year));
    let previous = match Previous::load(&last_records, saved.year, &template, saved.units.len()) {
        Ok(p) => Some(p),
        Err(e) if last_records.exists() || opts.previous.is_some() => {
            log(&format!("{e}; the drafts do not compare with last year"));
            None
        }
        Err(_) => None,
    };

    let files = RunFiles::of(
        &saved.city,
        returns.iter().map(|r| r.name.as_str()),
        saved.year,
    );
    let drafts: Vec<&str> = files.returns.iter().map(|f| f.draft.as_str()).collect();
    stage.carry_over(&drafts)?;
    let mut written = Vec::new();
    let members = Members::of(saved.unit_status());
    let found: Vec<Finding> = issues.iter().map(Finding::from).collect();
    for (ret, named) in returns.iter_mut().zip(&files.returns) {
        let path = inside(stage.dir(), &named.draft)?;
        ret.last = previous
            .as_ref()
            .and_then(|p| p.return_values(&template, ret.scope()));
        let ret = &*ret;
        let notes = remarks(&template, ret, &found);
        let content = DraftContent {
            template: &template,
            ret,
            year: saved.year,
            members: members.of_return(ret),
            notes: &notes,
        };
        let saved = write_draft(&path, &content)?;
        written.push((stage.target().join(&named.draft), saved));
    }
    list_outputs(
        &json_path,
        &stage.dir().join(super::run_json::FILE),
        &written,
    )?;
    stage.commit()?;
    Ok(written.into_iter().map(|(path, _)| path).collect())
}

/// The set's run.json (`json_path`) written to `to` with each draft's size
/// and SHA-256 as now written.
fn list_outputs(
    json_path: &Path,
    to: &Path,
    drafts: &[(PathBuf, Saved)],
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: json_path.display().to_string(),
        source,
    };
    let text = std::fs::read_to_string(json_path).map_err(io)?;
    let mut json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| io(std::io::Error::other(e)))?;
    let outputs = json["outputs"]
        .as_array_mut()
        .ok_or_else(|| io(std::io::Error::other("run.json lists no outputs")))?;
    for (draft, saved) in drafts {
        let name = draft.file_name().unwrap_or_default().to_string_lossy();
        let entry = serde_json::to_value(OutputFile::saved(draft, saved))
            .map_err(|e| io(std::io::Error::other(e)))?;
        let listed = outputs.iter_mut().find(|o| {
            o["file"].as_str().is_some_and(|f| {
                Path::new(f)
                    .file_name()
                    .is_some_and(|f| f.to_string_lossy() == name)
            })
        });
        match listed {
            Some(o) => {
                o["bytes"] = entry["bytes"].clone();
                o["sha256"] = entry["sha256"].clone();
            }
            None => outputs.push(entry),
        }
    }
    atomic(to, |w| {
        serde_json::to_writer_pretty(w, &json).map_err(|e| io(std::io::Error::other(e)))
    })
    .map(|_| ())
}

/// The records of the same office's set last year: OUT/<year-1>/<office>
/// beside OUT/<year>/<office>, or, for a set written before each office
/// had its own folder (OUT/<year> itself), OUT/<year-1>.
fn last_years_records(set: &Path, year: i32) -> PathBuf {
    let last = (year - 1).to_string();
    let folder = set.parent().unwrap_or(Path::new("."));
    let own = set.file_name().map(|office| {
        folder
            .parent()
            .unwrap_or(Path::new("."))
            .join(&last)
            .join(office)
    });
    own.into_iter()
        .chain([folder.join(&last)])
        .map(|dir| dir.join("records.parquet"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| folder.join(&last).join("records.parquet"))
}
