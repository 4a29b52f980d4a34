//! The `gongkai` command: a thin layer over the library that parses arguments,
//! prints the report and sets the exit code (0 done, 1 done with rejected files
//! or errors, 2 nothing done).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gongkai::cli::config::Config;
use gongkai::findings::Severity;
use gongkai::form::Template;
use gongkai::input::plan::{Csv, Drafts};
use gongkai::output::summary::Summary;
use gongkai::pipeline::{Options, run};
use mimalloc::MiMalloc;

// mimalloc rather than the system allocator: reading a national year keeps
// 40,000 small forms alive between short-lived workbook buffers, and glibc's
// heap fragments under that pattern (see BENCHMARKS.md). Built without
// transparent huge pages (`no_thp`): with them, a fifth of a check's samples
// were the kernel zeroing 2 MiB pages of which a form's buffers touch a few
// KiB; without, a check of 4,000 national forms is 0.86× the time and 30 MiB
// smaller (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// Yearly rollup of 政府信息公开情况统计表 from township spreadsheets to district and city returns.
#[derive(Parser)]
#[command(name = "gongkai", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a year's township forms, check them, roll them up and write the returns,
    /// the analyst workbook, records.csv/.parquet and run.json to OUT/<year>/.
    Run {
        #[command(flatten)]
        common: Common,
        /// Where results go; they are written to OUT/<year>/ (default: outputs).
        #[arg(long, env = "GONGKAI_OUT")]
        out: Option<PathBuf>,
        /// Seconds to wait for another run writing the same OUT/<year> before
        /// giving up (exit code 4; default 300).
        #[arg(long, env = "GONGKAI_WAIT")]
        wait: Option<u64>,
        /// Write records.csv even when it has more rows than a spreadsheet
        /// opens (1,048,576); by default records.parquet alone then.
        #[arg(long)]
        csv: bool,
        /// Do not write the drafts of the annual reports
        /// (<unit>_<year>_政府信息公开工作年度报告（草稿）.docx).
        #[arg(long)]
        no_report: bool,
    },
    /// Read and check forms without writing anything. INPUT may be one file, so a
    /// clerk can check a form before sending it.
    Check {
        #[command(flatten)]
        common: Common,
    },
    /// Write a blank form in exactly the layout the reader expects, for townships to fill in.
    Template {
        /// The file to write.
        #[arg(long, default_value = "统计表模板.xlsx")]
        out: PathBuf,
        /// Template id (lps2018, nat2019, nat2021) or template file.
        #[arg(long, default_value = "nat2021")]
        template: String,
    },
    /// Write the drafts of the annual reports again from a finished run's OUT/<year>
    /// (its run.json and last year's records), without reading the forms.
    Report {
        /// The OUT/<year> folder of a finished run (default: outputs/<latest year>).
        dir: Option<PathBuf>,
        /// Template id or file, when the run used a template file.
        #[arg(long)]
        template: Option<String>,
        /// Last year's records (default: OUT/<year-1>/records.parquet).
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Seconds to wait for a run writing the same OUT/<year> (default 300).
        #[arg(long, env = "GONGKAI_WAIT")]
        wait: Option<u64>,
    },
    /// Generate a synthetic year of realistic, consistent forms (and a hierarchy.csv)
    /// for trying the tool and for benchmarks.
    Demo {
        /// How many township forms.
        #[arg(long, default_value_t = 93)]
        townships: usize,
        /// Folder to write OUT/<year>/<county>/<township>.xlsx and OUT/hierarchy.csv to.
        #[arg(long)]
        out: PathBuf,
        /// Seed: the same seed makes the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Data year of the forms (default: 2018, or a year the --template is in force).
        #[arg(long)]
        year: Option<i32>,
        /// Template id (lps2018, nat2019, nat2021) or template file (default: the year's form).
        #[arg(long)]
        template: Option<String>,
    },
}

#[derive(Args)]
struct Common {
    /// A folder holding year folders (INPUT/<year>/<county>/<township>.xlsx), a year folder,
    /// a district's folder of a year, or one file (default: inputs, or gongkai.toml's).
    input: Option<PathBuf>,
    /// Data year to read (default: the latest year folder).
    #[arg(long)]
    year: Option<i32>,
    /// Roster CSV `city,district,township[,aliases]`; replaces the built-in 六盘水 roster.
    #[arg(long, env = "GONGKAI_HIERARCHY")]
    hierarchy: Option<PathBuf>,
    /// Template id (lps2018, nat2019, nat2021) or template file (default: the
    /// form in force for the data year: lps2018 up to 2018, nat2019 for 2019
    /// and 2020, nat2021 since).
    #[arg(long, env = "GONGKAI_TEMPLATE")]
    template: Option<String>,
    /// Threads for the whole run (default: one per core).
    #[arg(long, env = "GONGKAI_JOBS", value_parser = at_least_one)]
    jobs: Option<usize>,
    /// No progress bar, even on a terminal.
    #[arg(long)]
    no_progress: bool,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// List notes (how unusual cells were read) too, not only errors and warnings.
    #[arg(short, long)]
    verbose: bool,
    /// Last year's records (records.parquet or records.csv of a previous run) to
    /// compare with; `run` uses OUT/<year-1>/records.parquet when it exists.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// The office's explanations (unit,code,explanation); default: explanations.csv
    /// in the year folder.
    #[arg(long)]
    explanations: Option<PathBuf>,
    /// Unexplained warnings make the exit code 1 too, not only errors.
    #[arg(long, env = "GONGKAI_STRICT", value_parser = clap::builder::BoolishValueParser::new())]
    strict: bool,
    /// A value more than this many times up or down from last year is a swing
    /// (default: the template's, 3).
    #[arg(long, value_parser = above_one)]
    swing_ratio: Option<f64>,
    /// Swings where both years' values are below this are not reported (default: the template's, 20).
    #[arg(long, value_parser = not_negative)]
    swing_at_least: Option<f64>,
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("give a number of threads of 1 or more, such as 2".into()),
    }
}

fn above_one(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v > 1.0 => Ok(v),
        _ => Err("give a number above 1, such as 3".into()),
    }
}

fn not_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v >= 0.0 => Ok(v),
        _ => Err("give a number of 0 or more, such as 20".into()),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    gongkai::panics::quiet_caught_panics();
    let cli = Cli::parse();
    // gongkai.toml in the folder run from: what a cron line needs.
    let config = match Config::load(Path::new(".")) {
        Ok(config) => config.unwrap_or_default(),
        Err(e) => {
            eprintln!("gongkai: error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Run {
            common,
            out,
            csv,
            wait,
            no_report,
        } => {
            let csv = if csv { Csv::Always } else { Csv::WhenItFits };
            let drafts = if no_report {
                Drafts::Skipped
            } else {
                Drafts::Written
            };
            let out = out
                .or(config.out.clone())
                .unwrap_or_else(|| PathBuf::from("outputs"));
            let wait = Duration::from_secs(wait.or(config.wait).unwrap_or(300));
            rollup(common, &config, Some(out), (csv, drafts), wait)
        }
        Command::Check { common } => rollup(
            common,
            &config,
            None,
            (Csv::WhenItFits, Drafts::Skipped),
            Duration::ZERO,
        ),
        Command::Report {
            dir,
            template,
            previous,
            wait,
        } => report(dir, template, previous, wait, &config),
        Command::Template { out, template } => {
            let result = Template::load(&template)
                .map_err(anyhow::Error::from)
                .and_then(|t| Ok(gongkai::output::form::write_blank(&out, &t)?));
            finish(result.map(|_| println!("{}", out.display())))
        }
        Command::Demo {
            townships,
            out,
            seed,
            year,
            template,
        } => {
            let year = year.unwrap_or(match template.as_deref() {
                None | Some("lps2018") => 2018,
                Some("nat2019") => 2020,
                Some(_) => 2025,
            });
            let template = template.unwrap_or_else(|| Template::for_year(year).to_string());
            let result = Template::load(&template)
                .map_err(anyhow::Error::from)
                .and_then(|t| Ok(gongkai::demo::generate(&t, townships, &out, seed, year)?));
            finish(result.map(|dir| {
                println!("{townships} forms in {}", dir.display());
                println!(
                    "roll them up: gongkai run {} --hierarchy {}",
                    out.display(),
                    out.join("hierarchy.csv").display()
                );
            }))
        }
    }
}

/// `gongkai report`: the drafts again from a finished run.
fn report(
    dir: Option<PathBuf>,
    template: Option<String>,
    previous: Option<PathBuf>,
    wait: Option<u64>,
    config: &Config,
) -> ExitCode {
    let out = config
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs"));
    let Some(dir) = dir.or_else(|| latest_year(&out)) else {
        eprintln!(
            "gongkai: error: no finished run in {}; give its OUT/<year> folder",
            out.display()
        );
        return ExitCode::from(2);
    };
    let opts = gongkai::cli::report::RedraftOptions {
        dir,
        template,
        previous,
        wait: Duration::from_secs(wait.or(config.wait).unwrap_or(300)),
    };
    match gongkai::cli::report::redraft(&opts, &|line| eprintln!("gongkai: {line}")) {
        Ok(written) => {
            for path in written {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gongkai: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The latest OUT/<year> holding a run.json.
fn latest_year(out: &std::path::Path) -> Option<PathBuf> {
    std::fs::read_dir(out)
        .ok()?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.len() == 4 && n.parse::<i32>().is_ok())
        })
        .map(|e| e.path())
        .filter(|p| p.join("run.json").is_file())
        .max()
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gongkai: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn rollup(
    common: Common,
    config: &Config,
    out: Option<PathBuf>,
    (csv, drafts): (Csv, Drafts),
    wait: Duration,
) -> ExitCode {
    let write = out.is_some();
    let jobs = common.jobs.or(config.jobs);
    if let Some(jobs) = jobs
        && std::env::var_os("POLARS_MAX_THREADS").is_none()
    {
        // polars sizes its own thread pool from this variable when first used.
        // SAFETY: no other thread is running yet to read the environment.
        unsafe { std::env::set_var("POLARS_MAX_THREADS", jobs.max(1).to_string()) };
    }
    let input = common
        .input
        .or(config.input.clone())
        .unwrap_or_else(|| PathBuf::from("inputs"));
    let one_file = input.is_file();
    let opts = Options {
        input,
        out,
        year: common.year,
        hierarchy: common.hierarchy.or(config.hierarchy.clone()),
        template: common.template.or(config.template.clone()),
        jobs,
        progress: !common.no_progress,
        previous: common.previous,
        explanations: common.explanations.or(config.explanations.clone()),
        strict: common.strict || config.strict.unwrap_or(false),
        swing_ratio: common.swing_ratio,
        swing_at_least: common.swing_at_least,
        csv,
        drafts,
        wait,
    };
    match run(&opts) {
        Ok(summary) => {
            match common.format {
                OutputFormat::Json => match serde_json::to_string_pretty(&summary) {
                    Ok(json) => emit(&(json + "\n")),
                    Err(e) => eprintln!("gongkai: error: {e}"),
                },
                OutputFormat::Text if !write && summary.files.len() == 1 && one_file => {
                    emit(&form_report(&summary))
                }
                OutputFormat::Text => emit(&text_report(&summary, common.verbose, !write)),
            }
            ExitCode::from(summary.exit_code())
        }
        Err(e) => {
            eprintln!("gongkai: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Writes the report to stdout. A reader that stops early (`| head`) is not
/// an error worth a panic.
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

macro_rules! say {
    ($out:ident, $($arg:tt)*) => {{
        use std::fmt::Write;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// The report of `gongkai check FILE`, for the clerk who filled in the form:
/// every finding with its cell, then whether the form can be sent.
fn form_report(s: &Summary) -> String {
    let mut out = String::new();
    let f = &s.files[0];
    let format = f.format.map(|x| x.to_string()).unwrap_or_default();
    say!(out, "检查 {}", f.file);
    if f.sheet.is_empty() {
        say!(out, "  无法使用此文件");
    } else {
        let sheet = match f.format {
            Some(f) if f.is_document() => "表格",
            _ => "工作表",
        };
        say!(out, "  {sheet}“{}”({format}),{}年度", f.sheet, s.info.year);
        say!(out, "  单位:{}/{}({})", f.district, f.township, f.matched);
    }
    if s.issues.is_empty() {
        say!(out, "  没有发现问题");
    }
    for i in &s.issues {
        let place = if i.cell.is_empty() { "-" } else { &i.cell };
        say!(
            out,
            "  {} {:<5} {} {}",
            i.severity.label_zh(),
            place,
            i.code,
            i.message
        );
    }
    let c = &s.counts;
    let verdict = if c.rejected > 0 {
        "文件无法读取,请按上面的提示处理后重新保存".to_string()
    } else if c.errors > 0 {
        format!("有 {} 处错误,请更正后再报送", c.errors)
    } else if c.warnings > 0 {
        format!(
            "没有错误;有 {} 处警告,请核实,必要时附说明后报送",
            c.warnings
        )
    } else {
        "没有错误,可以报送".to_string()
    };
    say!(out, "结论:{verdict}");
    out
}

/// The report for people. Notes (how unusual cells were read) are listed with
/// `--verbose` and always by `check`, where a clerk is fixing one form.
fn text_report(s: &Summary, verbose: bool, checking: bool) -> String {
    let notes = verbose || checking;
    let mut out = String::new();
    let c = &s.counts;
    say!(
        out,
        "{} {} ({}), template {}",
        s.info.city,
        s.info.year,
        s.info.roster,
        s.info.template
    );
    say!(
        out,
        "files: {} read, {} used, {} superseded, {} rejected",
        c.files,
        c.used,
        c.superseded,
        c.rejected
    );
    if c.units_expected > 0 {
        say!(
            out,
            "units: {} of {} reported, {} missing",
            c.units_reported,
            c.units_expected,
            c.units_missing
        );
    }
    say!(
        out,
        "findings: {} errors, {} warnings, {} notes; {} explained, {} count toward the exit code{}",
        c.errors,
        c.warnings,
        c.infos,
        c.explained,
        c.counted,
        if s.info.strict { " (--strict)" } else { "" }
    );
    for issue in s
        .issues
        .iter()
        .filter(|i| notes || i.severity != Severity::Info)
    {
        say!(
            out,
            "  {:<7} {} {}: {}",
            issue.severity.as_str(),
            issue.place(),
            issue.code,
            issue.message
        );
        if let Some(why) = &issue.explained {
            say!(out, "          已说明: {why}");
        }
    }
    if verbose {
        let t = &s.timings;
        say!(
            out,
            "time (ms): discover {}, read {}, check {}, records {}, rollup {}, write {}",
            t.discover_ms,
            t.read_ms,
            t.check_ms,
            t.records_ms,
            t.rollup_ms,
            t.write_ms
        );
    }
    if !s.outputs.is_empty() {
        say!(out, "outputs:");
        for o in &s.outputs {
            say!(out, "  {}", o.file);
        }
    }
    out
}
