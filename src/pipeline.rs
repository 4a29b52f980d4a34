//! One run, in one direction: plan → read → assign → audit beside the
//! rollup and records → summarize → write the set → swap it in. Each step
//! is a function of what the steps before it made; this module orchestrates
//! them and does nothing else.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use polars::prelude::DataFrame;
use rayon::prelude::*;

use crate::audit::Audited;
use crate::audit::last_year as history;
use crate::audit::units::{Submission, assign};
use crate::findings::{Issue, sort_issues};
use crate::input::discover::Found;

use crate::input::plan::{LastYear, Plan};
use crate::output::names::RunFiles;
use crate::output::stage::{Stage, StageError};
use crate::output::summary::{
    ReturnSummary, RunInfo, Summary, Timings, count, file_report, tally, unit_status,
};
use crate::output::{run_json, set};
use crate::read::read_file;
use crate::rollup::{Return, rollup};

pub use crate::input::plan::Options;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Plan(#[from] crate::input::plan::PlanError),
    #[error(transparent)]
    Write(#[from] crate::output::WriteError),
    #[error(transparent)]
    Stage(#[from] StageError),
    #[error("记录表无法生成：{0}")]
    Table(#[from] polars::error::PolarsError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error("无法启动 {0} 个线程：{1}")]
    Threads(usize, String),
    #[error(
        "{path} 中是 {owner} 的输出，不是 {office} 的；本次运行不会覆盖它。请用 --out 另给一个输出文件夹，如 `gongkai run {input} --out {input}-输出`"
    )]
    OtherOffice {
        path: String,
        owner: String,
        office: String,
        input: String,
    },
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

    /// A line above the bar on a terminal; off one (a cron job's log, where
    /// hourly runs append to one file) a line that starts with its time.
    fn log(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!(
                "{} gongkai: {line}",
                chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
            ),
        }
    }

    fn start(&self, len: usize) {
        if let Some(bar) = &self.bar {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_length(len as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} 读取 {pos}/{len} [{bar:30}] {elapsed} {wide_msg}",
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

    /// A phase after reading (校验和汇总, 写出): a spinner that names it, so
    /// the screen is never blank while the run works.
    fn phase(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.reset();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(name.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
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
    let mut timings = Timings::default();

    let clock = Instant::now();
    let plan = Plan::resolve(opts)?;
    timings.discover_ms = clock.elapsed().as_millis();

    // A set in place is this office's, or it is left alone: two offices
    // whose names make the same folder name never write over each other.
    if let Some(dir) = &plan.out
        && let Some(owner) = crate::output::run_json::office_of(dir)
        && owner != plan.office.name
    {
        return Err(RunError::OtherOffice {
            path: dir.display().to_string(),
            owner,
            office: plan.office.name.clone(),
            input: opts.input.display().to_string(),
        });
    }
    // OUT is locked and known to be writable before a single form is read.
    let stage = match &plan.out {
        Some(dir) => Some(Stage::begin(dir, opts.wait, &|line| progress.log(line))?),
        None => None,
    };
    progress.log(&format!(
        "{}：{} 中有 {} 个报表文件，格式 {}",
        plan.what(),
        opts.input.display(),
        plan.files.len(),
        plan.template.id
    ));

    let clock = Instant::now();
    progress.start(plan.files.len());
    let loaded = read_all(&plan.files, &plan.template, &progress);
    timings.read_ms = clock.elapsed().as_millis();
    progress.phase("校验和汇总");

    let clock = Instant::now();
    let (subs, assigned) = assign_files(&plan, loaded);
    timings.assign_ms = clock.elapsed().as_millis();
    let (
        Audited {
            mut issues,
            previous,
        },
        Summed {
            records,
            mut districts,
            mut city,
        },
    ) = audit_and_sum(&plan, &subs, assigned, &mut timings)?;
    for left in stage.iter().flat_map(|s| &s.leftovers) {
        progress.log(&format!("已删除上次中断的运行留下的 {left}"));
    }
    issues.extend(stage.iter().flat_map(Stage::findings));
    sort_issues(&mut issues);

    let clock = Instant::now();
    // Each return's values last year, for the drafts' comparisons.
    for r in districts.iter_mut().chain([&mut city]) {
        r.last = previous
            .as_ref()
            .and_then(|p| p.return_values(&plan.template, r.scope()));
    }
    timings.rollup_ms += clock.elapsed().as_millis();

    let files = RunFiles::of(
        &plan.office.name,
        districts.iter().chain([&city]).map(|r| r.name.as_str()),
        plan.year,
    );
    let rows = records.as_ref().map_or(0, DataFrame::height);
    let info = run_info(opts, &plan, started, previous, rows, &files);
    let mut status = unit_status(&plan.roster, &subs, plan.coverage(), &plan.template);
    tally(&mut status, &issues);
    // Last year's run.json sits beside last year's records.
    if let LastYear::Found(records) | LastYear::Given(records) = &plan.last_year
        && let Some(set) = records.parent()
    {
        crate::output::summary::last_contacts(&mut status, &set.join(run_json::FILE));
    }
    let mut summary = Summary {
        counts: count(&subs, &issues, &status, plan.ignored.len(), plan.strict),
        files: subs.iter().map(file_report).collect(),
        units: status,
        info,
        issues,
        returns: districts
            .iter()
            .chain(std::iter::once(&city))
            .map(|r| ReturnSummary::of(r, &plan.template))
            .collect(),
        outputs: Vec::new(),
        timings,
    };
    // A run that writes has a stage and records; a check has neither.
    if let (Some(stage), Some(records)) = (stage, &records) {
        let rolled = set::Rolled {
            subs: &subs,
            districts: &districts,
            city: &city,
            records,
        };
        progress.phase("写出");
        publish(&plan, stage, &files, &mut summary, &rolled, &progress)?;
    }
    progress.finish();
    Ok(summary)
}

/// What was run, for 说明 and run.json.
fn run_info(
    opts: &Options,
    plan: &Plan,
    started: chrono::DateTime<chrono::Local>,
    previous: Option<history::Previous>,
    records: usize,
    files: &RunFiles,
) -> RunInfo {
    RunInfo {
        tool: format!("gongkai {}", env!("CARGO_PKG_VERSION")),
        started: started.format("%Y-%m-%d %H:%M:%S").to_string(),
        input: opts.input.display().to_string(),
        year: plan.year,
        city: plan.office.name.clone(),
        template: plan.template.id.clone(),
        template_name: plan.template.name.clone(),
        template_why: plan.form_choice.describe(plan.year),
        roster: plan.roster.source.clone(),
        previous: previous.map(|p| format!("{} ({})", p.year, p.source)),
        explanations: plan.explanations.as_ref().map(|p| p.display().to_string()),
        strict: plan.strict,
        csv_note: set::csv_note(plan, records),
        renamed: files.renamed.clone(),
    }
}

/// Writes the outputs into the staging folder, then the progress page and
/// run.json describing them, and swaps the set into OUT/<year>.
fn publish(
    plan: &Plan,
    stage: Stage,
    files: &RunFiles,
    summary: &mut Summary,
    rolled: &set::Rolled,
    progress: &Progress,
) -> Result<(), RunError> {
    let clock = Instant::now();
    let mut staged = set::write(plan, files, stage.dir(), summary, rolled)?;
    // The progress page lists the set, run.json included, and is part of it.
    let page = stage.dir().join("报送进度.html");
    let names: Vec<String> = staged
        .iter()
        .map(|(path, _)| path)
        .chain([&page, &stage.dir().join(run_json::FILE)])
        .filter_map(|p| Some(p.file_name()?.to_string_lossy().to_string()))
        .collect();
    let saved =
        crate::output::progress::write_progress(&page, summary, &plan.inputs_dir(), &names)?;
    staged.push((page, saved));
    summary.outputs = run_json::describe(&staged, stage.target());
    summary.timings.write_ms = clock.elapsed().as_millis();
    run_json::write(&stage.dir().join(run_json::FILE), summary)?;
    let target = stage.target().display().to_string();
    stage.commit()?;
    progress.log(&format!(
        "已写出 {} 个文件和 run.json 到 {target}",
        summary.outputs.len()
    ));
    Ok(())
}

/// Reads every file, in parallel.
fn read_all(
    found: &[Found],
    template: &crate::form::Template,
    progress: &Progress,
) -> Vec<(Found, crate::read::Loaded)> {
    found
        .par_iter()
        .map(|f| {
            let loaded = read_file(&f.path, template);
            progress.tick(&f.shown);
            (f.clone(), loaded)
        })
        .collect()
}

/// The findings beside the sums and the records: they read the same
/// submissions and nothing of each other, so neither's short serial steps
/// wait for the other's. Each phase's time is its own.
fn audit_and_sum(
    plan: &Plan,
    subs: &[Submission],
    assigned: Vec<Issue>,
    timings: &mut Timings,
) -> Result<(Audited, Summed), RunError> {
    let since = |clock: Instant| clock.elapsed().as_millis();
    let (audited, summed) = rayon::join(
        || {
            let clock = Instant::now();
            (crate::audit::audit(plan, subs, assigned), since(clock))
        },
        || {
            let clock = Instant::now();
            let returns = rollup(subs, &plan.template, &plan.office);
            let rollup_ms = since(clock);
            let clock = Instant::now();
            // The records are an output: a check, which writes nothing, has none.
            let records = plan
                .out
                .as_ref()
                .map(|_| {
                    let (template, tree) = (&plan.template, &plan.roster.tree);
                    crate::rollup::records::build(subs, template, plan.year, tree)
                })
                .transpose();
            (records.map(|r| (r, returns)), since(clock), rollup_ms)
        },
    );
    let (audited, check_ms) = audited;
    let (summed, records_ms, rollup_ms) = summed;
    (timings.check_ms, timings.records_ms, timings.rollup_ms) = (check_ms, records_ms, rollup_ms);
    let audited = audited?;
    let (records, (districts, city)) = summed?;
    let summed = Summed {
        records,
        districts,
        city,
    };
    Ok((audited, summed))
}

/// The returns, and the records when the run writes them.
struct Summed {
    records: Option<DataFrame>,
    districts: Vec<Return>,
    city: Return,
}

/// Files to units, with what that found (missing units, duplicates, files
/// outside the roster).
fn assign_files(
    plan: &Plan,
    loaded: Vec<(Found, crate::read::Loaded)>,
) -> (Vec<Submission>, Vec<Issue>) {
    let mut issues = Vec::new();
    let subs = assign(loaded, &plan.roster, plan.coverage(), &mut issues);
    (subs, issues)
}
