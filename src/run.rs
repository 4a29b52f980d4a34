//! One run, in one direction: discover → read → assign → check → records →
//! rollup → write → report.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Datelike;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;

use crate::assign::{FileStatus, Submission, assign};
use crate::codes::Code;
use crate::discover::{Found, discover, single_file, year_folder, year_of_path};
use crate::reader::read_file;
use crate::report::{Issue, Severity, sort_issues};
use crate::rollup::{Return, rollup};
use crate::roster::Roster;
use crate::template::{RuleKind, Template};
use crate::write::{tables, workbook};
use crate::{explain, history};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error(transparent)]
    Roster(#[from] crate::roster::RosterError),
    #[error(transparent)]
    Discover(#[from] crate::discover::DiscoverError),
    #[error(transparent)]
    Write(#[from] crate::write::WriteError),
    #[error("the records table could not be built: {0}")]
    Table(#[from] polars::error::PolarsError),
    #[error(transparent)]
    Previous(#[from] crate::history::PreviousError),
    #[error("cannot read the explanations file {0}: {1}")]
    Explanations(String, std::io::Error),
    #[error("cannot start {0} threads: {1}")]
    Threads(usize, String),
}

/// What to run on, and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: PathBuf,
    pub out: PathBuf,
    pub year: Option<i32>,
    pub hierarchy: Option<PathBuf>,
    pub template: String,
    pub jobs: Option<usize>,
    pub progress: bool,
    /// `false` for `gongkai check`: read and check, write nothing.
    pub write: bool,
    /// Last year's records; by default OUT/<year-1>/records.parquet when it exists.
    pub previous: Option<PathBuf>,
    /// The office's explanations; by default explanations.csv in the year folder.
    pub explanations: Option<PathBuf>,
    /// Unexplained warnings count toward the exit code too.
    pub strict: bool,
    /// Overrides the template's swing thresholds: ratio, and the value the
    /// larger side must reach.
    pub swing_ratio: Option<f64>,
    pub swing_at_least: Option<f64>,
}

/// Facts about the run, for 说明 and run.json.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub tool: String,
    pub started: String,
    pub input: String,
    pub year: i32,
    pub city: String,
    pub template: String,
    pub template_name: String,
    pub roster: String,
    /// Last year's records compared against, when there were any.
    pub previous: Option<String>,
    pub explanations: Option<String>,
    pub strict: bool,
}

impl RunInfo {
    pub fn describe(&self) -> Vec<(String, String)> {
        [
            ("工具", self.tool.as_str()),
            ("运行时间", &self.started),
            ("输入", &self.input),
            ("数据年度", &self.year.to_string()),
            ("城市", &self.city),
            (
                "模板",
                &format!("{} ({})", self.template_name, self.template),
            ),
            ("名册", &self.roster),
            ("上年记录", self.previous.as_deref().unwrap_or("无")),
            ("说明文件", self.explanations.as_deref().unwrap_or("无")),
            (
                "退出码计入",
                if self.strict {
                    "未说明的错误和警告(--strict)"
                } else {
                    "未说明的错误"
                },
            ),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

/// One line of 报送情况: a roster unit, or a file from outside the roster.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub district: String,
    pub township: String,
    /// submitted / missing / rejected / duplicate / not_in_roster
    pub status: &'static str,
    pub file: String,
    pub filler: String,
    pub phone: String,
    pub date: String,
    pub matched: String,
    pub sha256: String,
    /// Findings about the unit (explained ones included) and how many of them are explained.
    pub errors: usize,
    pub warnings: usize,
    pub explained: usize,
}

impl StatusRow {
    pub fn status_zh(&self) -> &'static str {
        match self.status {
            "submitted" => "已报送",
            "missing" => "未报送",
            "rejected" => "无法读取",
            "duplicate" => "重复报送",
            _ => "名册外",
        }
    }
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Counts {
    pub files: usize,
    pub used: usize,
    pub superseded: usize,
    pub rejected: usize,
    pub ignored: usize,
    pub units_expected: usize,
    pub units_reported: usize,
    pub units_missing: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings marked explained by explanations.csv.
    pub explained: usize,
    /// Findings that set the exit code: unexplained errors (and warnings under --strict).
    pub counted: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub status: FileStatus,
    pub district: String,
    pub township: String,
    pub matched: String,
    pub format: Option<crate::sniff::Format>,
    pub sheet: String,
    pub date: Option<String>,
    pub sha256: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Timings {
    pub discover_ms: u128,
    pub read_ms: u128,
    pub check_ms: u128,
    pub records_ms: u128,
    pub rollup_ms: u128,
    pub write_ms: u128,
}

/// Everything a run found and made: the content of run.json.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub info: RunInfo,
    pub counts: Counts,
    pub files: Vec<FileReport>,
    pub units: Vec<StatusRow>,
    pub issues: Vec<Issue>,
    pub returns: Vec<Return>,
    pub outputs: Vec<String>,
    pub timings: Timings,
}

impl Summary {
    /// 0: done, warnings allowed; 1: done, but unexplained errors were found
    /// (a rejected file is one), or unexplained warnings under `--strict`.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.counts.counted > 0)
    }
}

/// Progress for people at a terminal, plain log lines for logs.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        // indicatif hides itself off a terminal; the log lines must know too.
        let bar = (enabled && std::io::stderr().is_terminal()).then(ProgressBar::hidden);
        Progress { bar }
    }

    fn log(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("gongkai: {line}"),
        }
    }

    fn start(&self, len: usize) {
        if let Some(bar) = &self.bar {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_length(len as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} reading {pos}/{len} [{bar:30}] {elapsed} {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
        }
    }

    fn tick(&self, shown: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(shown.to_string());
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs on `opts.jobs` threads (all cores by default): reading, checks,
/// records and writing all share that pool.
pub fn run(opts: &Options) -> Result<Summary, RunError> {
    let threads = opts.jobs.unwrap_or(0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads(threads, e.to_string()))?
        .install(|| run_here(opts))
}

fn run_here(opts: &Options) -> Result<Summary, RunError> {
    let started = chrono::Local::now();
    let progress = Progress::new(opts.progress);
    let mut template = Template::load(&opts.template)?;
    for rule in template
        .rules
        .iter_mut()
        .filter(|r| r.kind == RuleKind::Swing)
    {
        rule.ratio = opts.swing_ratio.unwrap_or(rule.ratio);
        rule.at_least = opts.swing_at_least.unwrap_or(rule.at_least);
    }
    let mut timings = Timings::default();

    let clock = Instant::now();
    let single = opts.input.is_file();
    let (year_dir, found, mut ignored) = if single {
        (None, vec![single_file(&opts.input)], Vec::new())
    } else {
        let (dir, year) = year_folder(&opts.input, opts.year)?;
        let d = discover(&dir)?;
        (Some((dir, year)), d.forms, d.ignored)
    };
    timings.discover_ms = clock.elapsed().as_millis();
    progress.log(&format!(
        "{}: {} form files in {}",
        year_dir
            .as_ref()
            .map_or_else(|| "one file".to_string(), |(_, y)| y.to_string()),
        found.len(),
        opts.input.display()
    ));

    let clock = Instant::now();
    progress.start(found.len());
    let mut loaded = read_all(found, &template, &progress);
    progress.finish();
    timings.read_ms = clock.elapsed().as_millis();

    let year = match &year_dir {
        Some((_, year)) => *year,
        None => opts
            .year
            .or_else(|| year_of_path(&opts.input))
            .or_else(|| year_of_form(&loaded))
            .unwrap_or_else(|| started.year() - 1),
    };
    let roster = match &opts.hierarchy {
        Some(path) => Roster::from_csv(path)?,
        None => Roster::liupanshui(year),
    };

    let clock = Instant::now();
    if single {
        // One file checked where a clerk keeps it: a folder that is no
        // district says nothing about the unit.
        for (found, _) in &mut loaded {
            if let Some(folder) = &found.folder
                && roster.district_for_folder(folder).is_none()
            {
                found.folder = None;
            }
        }
    }
    let mut issues = Vec::new();
    let subs = assign(loaded, &roster, &mut issues);
    if single {
        // A lone file is no year: nobody else is missing; and a file that
        // cannot be read has no unit to look for.
        let rejected = subs[0].status == FileStatus::Rejected;
        issues.retain(|i| {
            i.code != Code::UnitMissing.as_str()
                && !(rejected && i.code == Code::UnitNotInRoster.as_str())
        });
    }
    let explanations = opts.explanations.clone().or_else(|| {
        year_dir
            .as_ref()
            .map(|(dir, _)| dir.join(explain::FILE_NAME))
            .filter(|p| p.is_file())
    });
    ignored.retain(|f| Some(&f.path) != explanations.as_ref());
    for f in &ignored {
        issues.push(
            Issue::new(
                Severity::Info,
                Code::FileIgnored,
                "not a spreadsheet (xlsx, xlsm, xls, xlsb, ods); not read",
            )
            .file(&f.shown),
        );
    }
    let per_file: Vec<Vec<Issue>> = subs
        .par_iter()
        .filter(|s| s.status != FileStatus::Rejected)
        .map(|sub| {
            let mut found = Vec::new();
            for note in sub.form().map(|f| f.notes.as_slice()).unwrap_or_default() {
                let mut note = note.clone();
                note.district.clone_from(&sub.district);
                note.township.clone_from(&sub.township);
                note.file.clone_from(&sub.found.shown);
                found.push(note);
            }
            if sub.status == FileStatus::Used {
                found.extend(crate::checks::check(sub, &template));
            }
            found
        })
        .collect();
    issues.extend(per_file.into_iter().flatten());
    let previous = last_year(opts, year, &template, &mut issues)?;
    if let Some(previous) = &previous {
        issues.extend(history::compare(&subs, previous, &template));
    }
    if let Some(path) = &explanations {
        let (found, problems) = explain::load(path)
            .map_err(|e| RunError::Explanations(path.display().to_string(), e))?;
        issues.extend(problems);
        explain::apply(&found, &mut issues, &path.display().to_string());
    }
    sort_issues(&mut issues);
    timings.check_ms = clock.elapsed().as_millis();

    let clock = Instant::now();
    let mut records = crate::records::build(&subs, &template, year, &roster.city)?;
    timings.records_ms = clock.elapsed().as_millis();
    let clock = Instant::now();
    let (districts, city) = rollup(&records, &template, &roster)?;
    timings.rollup_ms = clock.elapsed().as_millis();

    let info = RunInfo {
        tool: format!("gongkai {}", env!("CARGO_PKG_VERSION")),
        started: started.format("%Y-%m-%d %H:%M:%S").to_string(),
        input: opts.input.display().to_string(),
        year,
        city: roster.city.clone(),
        template: template.id.clone(),
        template_name: template.name.clone(),
        roster: roster.source.clone(),
        previous: previous
            .as_ref()
            .map(|p| format!("{} ({})", p.year, p.source)),
        explanations: explanations.as_ref().map(|p| p.display().to_string()),
        strict: opts.strict,
    };
    let mut status = unit_status(&roster, &subs, single);
    tally(&mut status, &issues);
    let mut summary = Summary {
        counts: count(&subs, &issues, &status, ignored.len(), opts.strict),
        files: subs.iter().map(file_report).collect(),
        units: status,
        info,
        issues,
        returns: districts
            .iter()
            .cloned()
            .chain(std::iter::once(city.clone()))
            .collect(),
        outputs: Vec::new(),
        timings,
    };

    if opts.write {
        let clock = Instant::now();
        let dir = opts.out.join(year.to_string());
        let analysis = dir.join(format!("{}_{year}_汇总.xlsx", roster.city));
        let returns: Vec<(PathBuf, &Return)> = districts
            .iter()
            .chain(std::iter::once(&city))
            .map(|ret| (dir.join(format!("{}_{year}_统计表.xlsx", ret.name)), ret))
            .collect();
        let csv = dir.join("records.csv");
        let parquet = dir.join("records.parquet");
        // The outputs are independent: written side by side.
        let (written, (returned, tabled)) = rayon::join(
            || {
                workbook::write_analysis(
                    &analysis,
                    &workbook::Analysis {
                        info: &summary.info,
                        template: &template,
                        districts: &districts,
                        city: &city,
                        submissions: &subs,
                        issues: &summary.issues,
                        status: &summary.units,
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        returns.par_iter().try_for_each(|(path, ret)| {
                            workbook::write_return(path, &template, ret, year)
                        })
                    },
                    || {
                        tables::write_csv(&mut records, &csv)?;
                        tables::write_parquet(&mut records, &parquet)
                    },
                )
            },
        );
        written?;
        returned?;
        tabled?;
        let mut outputs = vec![analysis];
        outputs.extend(returns.into_iter().map(|(path, _)| path));
        outputs.extend([csv, parquet]);
        let json = dir.join("run.json");
        outputs.push(json.clone());
        summary.outputs = outputs.iter().map(|p| p.display().to_string()).collect();
        summary.timings.write_ms = clock.elapsed().as_millis();
        write_json(&json, &summary)?;
        progress.log(&format!(
            "wrote {} files to {}",
            summary.outputs.len(),
            dir.display()
        ));
    }
    Ok(summary)
}

/// Last year's records: `--previous`, or what a run of last year left in
/// OUT. A missing default is the first year of a series, not a problem; a
/// default that is there but unusable is reported; a `--previous` that is
/// unusable stops the run, since the user asked for it.
fn last_year(
    opts: &Options,
    year: i32,
    template: &Template,
    issues: &mut Vec<Issue>,
) -> Result<Option<history::Previous>, RunError> {
    if let Some(path) = &opts.previous {
        return Ok(Some(history::Previous::load(path, year, template)?));
    }
    if !opts.write {
        return Ok(None);
    }
    let path = opts
        .out
        .join((year - 1).to_string())
        .join("records.parquet");
    if !path.is_file() {
        return Ok(None);
    }
    match history::Previous::load(&path, year, template) {
        Ok(previous) => Ok(Some(previous)),
        Err(e) => {
            issues.push(
                Issue::new(
                    Severity::Warning,
                    Code::PreviousUnreadable,
                    format!("{e};本年未与上年比较"),
                )
                .file(&path.display().to_string()),
            );
            Ok(None)
        }
    }
}

/// The data year of a lone file: forms for a year are filled in early the
/// next year, so a 填报日期 in 2019 means the 2018 form.
fn year_of_form(loaded: &[(Found, crate::reader::Loaded)]) -> Option<i32> {
    loaded
        .iter()
        .filter_map(|(_, l)| l.outcome.as_ref().ok())
        .filter_map(|f| f.date.as_deref())
        .filter_map(|d| d.get(..4)?.parse::<i32>().ok())
        .map(|y| y - 1)
        .next()
}

fn write_json(path: &Path, summary: &Summary) -> Result<(), crate::write::WriteError> {
    crate::write::atomic(path, |w| {
        serde_json::to_writer_pretty(w, summary).map_err(|e| crate::write::WriteError::Io {
            path: path.display().to_string(),
            source: e.into(),
        })
    })
}

/// Reads every file, in parallel.
fn read_all(
    found: Vec<Found>,
    template: &Template,
    progress: &Progress,
) -> Vec<(Found, crate::reader::Loaded)> {
    found
        .into_par_iter()
        .map(|f| {
            let loaded = read_file(&f.path, template);
            progress.tick(&f.shown);
            (f, loaded)
        })
        .collect()
}

fn unit_status(roster: &Roster, subs: &[Submission], single: bool) -> Vec<StatusRow> {
    let row = |district: &str, township: &str, status: &'static str, sub: Option<&Submission>| {
        let footer = |key: &str| {
            sub.and_then(|s| s.form())
                .and_then(|f| {
                    f.footer
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.clone())
                })
                .unwrap_or_default()
        };
        StatusRow {
            district: district.to_string(),
            township: township.to_string(),
            status,
            file: sub.map(|s| s.found.shown.clone()).unwrap_or_default(),
            filler: footer("填报人"),
            phone: footer("联系电话"),
            date: sub
                .and_then(|s| s.form())
                .and_then(|f| f.date.clone())
                .unwrap_or_else(|| footer("填报日期")),
            matched: sub.map(|s| s.matched.clone()).unwrap_or_default(),
            sha256: sub.and_then(|s| s.sha256.clone()).unwrap_or_default(),
            errors: 0,
            warnings: 0,
            explained: 0,
        }
    };
    let mut out = Vec::new();
    let mut by_unit: HashMap<(&str, &str), Vec<&Submission>> = HashMap::new();
    for s in subs.iter().filter(|s| s.in_roster && !single) {
        by_unit
            .entry((&s.district, &s.township))
            .or_default()
            .push(s);
    }
    if !single {
        for u in &roster.units {
            let mine = by_unit
                .remove(&(u.district.as_str(), u.township.as_str()))
                .unwrap_or_default();
            let used = mine.iter().find(|s| s.status == FileStatus::Used).copied();
            let status = match (used, mine.len()) {
                (_, 0) => "missing",
                (None, _) => "rejected",
                (Some(_), 1) => "submitted",
                (Some(_), _) => "duplicate",
            };
            out.push(row(
                &u.district,
                &u.township,
                status,
                used.or(mine.first().copied()),
            ));
        }
    }
    for s in subs.iter().filter(|s| single || !s.in_roster) {
        let status = match s.status {
            FileStatus::Rejected => "rejected",
            _ if s.in_roster => "submitted",
            _ => "not_in_roster",
        };
        out.push(row(&s.district, &s.township, status, Some(s)));
    }
    // What is left was filed under another district's folder: listed there too.
    let mut moved: Vec<&Submission> = by_unit.into_values().flatten().collect();
    moved.sort_by(|a, b| a.found.shown.cmp(&b.found.shown));
    for s in moved {
        out.push(row(&s.district, &s.township, "not_in_roster", Some(s)));
    }
    out
}

/// The findings of each unit in 报送情况: by unit, or by file for files
/// that belong to no unit.
fn tally(status: &mut [StatusRow], issues: &[Issue]) {
    let mut by: HashMap<(&str, &str), (usize, usize, usize)> = HashMap::new();
    for i in issues {
        let key = if i.township.is_empty() {
            ("", i.file.as_str())
        } else {
            (i.district.as_str(), i.township.as_str())
        };
        let t = by.entry(key).or_default();
        match i.severity {
            Severity::Error => t.0 += 1,
            Severity::Warning => t.1 += 1,
            Severity::Info => continue,
        }
        t.2 += usize::from(i.explained.is_some());
    }
    for row in status.iter_mut() {
        let key = if row.township.is_empty() {
            ("", row.file.as_str())
        } else {
            (row.district.as_str(), row.township.as_str())
        };
        if let Some(&(errors, warnings, explained)) = by.get(&key) {
            (row.errors, row.warnings, row.explained) = (errors, warnings, explained);
        }
    }
}

fn count(
    subs: &[Submission],
    issues: &[Issue],
    status: &[StatusRow],
    ignored: usize,
    strict: bool,
) -> Counts {
    let by = |st: FileStatus| subs.iter().filter(|s| s.status == st).count();
    let sev = |sv: Severity| issues.iter().filter(|i| i.severity == sv).count();
    let roster_rows = status.iter().filter(|s| s.status != "not_in_roster");
    Counts {
        files: subs.len(),
        used: by(FileStatus::Used),
        superseded: by(FileStatus::Superseded),
        rejected: by(FileStatus::Rejected),
        ignored,
        units_expected: roster_rows.clone().count(),
        units_reported: roster_rows
            .clone()
            .filter(|s| matches!(s.status, "submitted" | "duplicate"))
            .count(),
        units_missing: roster_rows.filter(|s| s.status == "missing").count(),
        errors: sev(Severity::Error),
        warnings: sev(Severity::Warning),
        infos: sev(Severity::Info),
        explained: issues.iter().filter(|i| i.explained.is_some()).count(),
        counted: issues.iter().filter(|i| i.counts(strict)).count(),
    }
}

fn file_report(s: &Submission) -> FileReport {
    FileReport {
        file: s.found.shown.clone(),
        status: s.status,
        district: s.district.clone(),
        township: s.township.clone(),
        matched: s.matched.clone(),
        format: s.form().map(|f| f.format),
        sheet: s.form().map(|f| f.sheet.clone()).unwrap_or_default(),
        date: s.form().and_then(|f| f.date.clone()),
        sha256: s.sha256.clone(),
        error: s.outcome.as_ref().err().map(|e| e.to_string()),
    }
}
