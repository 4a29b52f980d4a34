//! The command line as clap parses it. Nothing here has a default that a
//! `GONGKAI_*` variable or gongkai.toml could also give: those are merged
//! in [`super::settings`], so each setting has one precedence.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::settings::{self, Given};

/// Yearly rollup of 政府信息公开情况统计表 from township spreadsheets to district and city returns.
#[derive(Parser)]
#[command(name = "gongkai", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Read a year's township forms, check them, roll them up and write the returns,
    /// the analyst workbook, records.csv/.parquet and run.json to OUT/<year>/.
    Run(RunArgs),
    /// Read and check forms without writing anything. INPUT may be one file, so a
    /// clerk can check a form before sending it.
    Check(CheckArgs),
    /// Write a blank form in exactly the layout the reader expects, for townships to fill in.
    Template(TemplateArgs),
    /// Write the drafts of the annual reports again from a finished run's OUT/<year>
    /// (its run.json and last year's records), without reading the forms.
    Report(ReportArgs),
    /// Generate a synthetic year of realistic, consistent forms (and a hierarchy.csv)
    /// for trying the tool and for benchmarks.
    Demo(DemoArgs),
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: Common,
    /// Where results go; they are written to OUT/<year>/ (default: outputs;
    /// also GONGKAI_OUT or gongkai.toml's `out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seconds to wait for another run writing the same OUT/<year> before
    /// giving up (exit code 4; default 300; also GONGKAI_WAIT).
    #[arg(long, value_parser = seconds)]
    pub wait: Option<u64>,
    /// Write records.csv even when it has more rows than a spreadsheet
    /// opens (1,048,576); by default records.parquet alone then.
    #[arg(long)]
    pub csv: bool,
    /// Do not write the drafts of the annual reports
    /// (<unit>_<year>_政府信息公开工作年度报告（草稿）.docx).
    #[arg(long)]
    pub no_report: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct TemplateArgs {
    /// The file to write.
    #[arg(long, default_value = "统计表模板.xlsx")]
    pub out: PathBuf,
    /// Template id (lps2018, nat2019, nat2021) or template file (default:
    /// the form in force for last year's data).
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Args)]
pub struct ReportArgs {
    /// The OUT/<year> folder of a finished run (default: the latest year in
    /// OUT, which is outputs, GONGKAI_OUT or gongkai.toml's `out`).
    pub dir: Option<PathBuf>,
    /// Template id or file, when the run used a template file.
    #[arg(long)]
    pub template: Option<String>,
    /// Last year's records (default: OUT/<year-1>/records.parquet).
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Seconds to wait for a run writing the same OUT/<year> (default 300;
    /// also GONGKAI_WAIT).
    #[arg(long, value_parser = seconds)]
    pub wait: Option<u64>,
}

#[derive(Args)]
pub struct DemoArgs {
    /// How many township forms.
    #[arg(long, default_value_t = 93)]
    pub townships: usize,
    /// Folder to write OUT/<year>/<county>/<township>.xlsx and OUT/hierarchy.csv to.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed: the same seed makes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Data year of the forms (default: the last year the template is in force,
    /// up to last year).
    #[arg(long)]
    pub year: Option<i32>,
    /// Template id (lps2018, nat2019, nat2021) or template file (default: the year's form).
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Args)]
pub struct Common {
    /// A folder holding year folders (INPUT/<year>/<county>/<township>.xlsx), a year folder,
    /// a district's folder of a year, or one file (default: inputs; also
    /// GONGKAI_INPUT or gongkai.toml's `input`).
    pub input: Option<PathBuf>,
    /// Data year to read (default: the latest year folder).
    #[arg(long)]
    pub year: Option<i32>,
    /// Roster CSV `office,unit,kind[,aliases]` (or `city,district,township[,aliases]`); by default 名册.csv in the year folder, else the built-in 六盘水 roster
    /// (also GONGKAI_HIERARCHY).
    #[arg(long)]
    pub hierarchy: Option<PathBuf>,
    /// Template id (lps2018, nat2019, nat2021) or template file (default: the
    /// form in force for the data year; also GONGKAI_TEMPLATE).
    #[arg(long)]
    pub template: Option<String>,
    /// Threads for the whole run, 1 to 256 (default: one per core; also GONGKAI_JOBS).
    #[arg(long, value_parser = jobs)]
    pub jobs: Option<usize>,
    /// No progress bar, even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// List notes (how unusual cells were read) too, not only errors and warnings.
    #[arg(short, long)]
    pub verbose: bool,
    /// Last year's records (records.parquet or records.csv of a previous run) to
    /// compare with; `run` uses OUT/<year-1>/records.parquet when it exists.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// The office's explanations (unit,code,explanation); default: explanations.csv
    /// in the year folder (also GONGKAI_EXPLANATIONS).
    #[arg(long)]
    pub explanations: Option<PathBuf>,
    /// Unexplained warnings make the exit code 1 too, not only errors
    /// (`--strict=false` turns off GONGKAI_STRICT or gongkai.toml's `strict`).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = boolean)]
    pub strict: Option<bool>,
    /// A value more than this many times up or down from last year is a swing
    /// (default: the template's, 3).
    #[arg(long, value_parser = above_one)]
    pub swing_ratio: Option<f64>,
    /// Swings where both years' values are below this are not reported (default: the template's, 20).
    #[arg(long, value_parser = not_negative)]
    pub swing_at_least: Option<f64>,
}

impl Common {
    /// What these flags give of the settings gongkai.toml and the environment also give.
    pub fn given(&self) -> Given {
        Given {
            input: self.input.clone(),
            hierarchy: self.hierarchy.clone(),
            template: self.template.clone(),
            explanations: self.explanations.clone(),
            strict: self.strict,
            jobs: self.jobs,
            ..Given::default()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

fn jobs(text: &str) -> Result<usize, String> {
    settings::jobs(text).map_err(str::to_string)
}

fn seconds(text: &str) -> Result<u64, String> {
    settings::seconds(text).map_err(str::to_string)
}

fn boolean(text: &str) -> Result<bool, String> {
    settings::boolean(text).map_err(str::to_string)
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
