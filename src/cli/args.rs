//! The command line as clap parses it. Nothing here has a default that a
//! `GONGKAI_*` variable or gongkai.toml could also give: those are merged
//! in [`super::settings`], so each setting has one precedence.

use std::path::PathBuf;

use clap::{Arg, ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use super::settings::{self, Given};

/// 政府信息公开工作年度报告统计表的年度汇总：读取各单位报送的报表，校验，汇总为本级和下级的汇总表，并写出分析工作簿和年度报告草稿。
#[derive(Parser)]
#[command(name = "gongkai", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// 读取一个年度各单位的报表，校验、汇总，把汇总表、分析工作簿、年度报告草稿、
    /// records.csv/.parquet 和 run.json 写到 OUT/<年度>/<单位>/
    Run(RunArgs),
    /// 只读取和校验，不写出任何文件；输入可以是单个文件，报送前先检查一份报表
    Check(CheckArgs),
    /// 写出一份空白报表（与读取时期望的版式完全一致），供各单位填报
    Template(TemplateArgs),
    /// 根据一次完成的运行（其 run.json 和上年记录）重新写出年度报告草稿，不再读取报表
    Report(ReportArgs),
    /// 生成一个虚构年度的报表（及 hierarchy.csv），供试用和性能测试
    Demo(DemoArgs),
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: Common,
    /// 输出文件夹，结果写到 OUT/<年度>/<单位>/（默认 outputs；也可用 GONGKAI_OUT 或 gongkai.toml 的 out）
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 另一个运行正在写入同一输出时最多等待的秒数，超时退出码为 4（默认 300；也可用 GONGKAI_WAIT）
    #[arg(long, value_parser = seconds)]
    pub wait: Option<u64>,
    /// 即使行数超过电子表格能打开的 1,048,576 行也写出 records.csv（默认此时只写 records.parquet）
    #[arg(long)]
    pub csv: bool,
    /// 不写出年度报告草稿（<单位>_<年度>_政府信息公开工作年度报告（草稿）.docx）
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
    /// 要写出的文件（默认 统计表模板.xlsx）
    #[arg(long, default_value = "统计表模板.xlsx")]
    pub out: PathBuf,
    /// 格式编号（lps2018、nat2019、nat2021）或格式文件（默认：上一年度数据适用的格式）
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Args)]
pub struct ReportArgs {
    /// 一次完成的运行的输出文件夹 OUT/<年度>/<单位>（默认：OUT 中最近的年度；OUT 为 outputs、GONGKAI_OUT 或 gongkai.toml 的 out）
    pub dir: Option<PathBuf>,
    /// 格式编号或格式文件（该次运行用的是格式文件时）
    #[arg(long)]
    pub template: Option<String>,
    /// 上年记录（默认：同一单位上一年度输出中的 records.parquet）
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// 另一个运行正在写入同一输出时最多等待的秒数（默认 300；也可用 GONGKAI_WAIT）
    #[arg(long, value_parser = seconds)]
    pub wait: Option<u64>,
}

#[derive(Args)]
pub struct DemoArgs {
    /// 报表份数（默认 93）
    #[arg(long, default_value_t = 93)]
    pub townships: usize,
    /// 写出 OUT/<年度>/<区县>/<乡镇>.xlsx 和 OUT/hierarchy.csv 的文件夹
    #[arg(long)]
    pub out: PathBuf,
    /// 随机种子：相同的种子生成相同的文件（默认 1）
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 报表的数据年度（默认：格式适用的最后一年，至多上一年）
    #[arg(long)]
    pub year: Option<i32>,
    /// 格式编号（lps2018、nat2019、nat2021）或格式文件（默认：该年度适用的格式）
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Args)]
pub struct Common {
    /// 存放年度文件夹的文件夹（输入/<年度>/<区县>/<单位>.xlsx）、一个年度文件夹、某区县的文件夹或单个文件（默认 inputs；也可用 GONGKAI_INPUT 或 gongkai.toml 的 input）
    pub input: Option<PathBuf>,
    /// 要读取的数据年度（默认：最近的年度文件夹）
    #[arg(long)]
    pub year: Option<i32>,
    /// 名册 CSV：office,unit,kind[,aliases]（或 city,district,township[,aliases]）；默认为年度文件夹中的 名册.csv，没有则用内置的六盘水名册（也可用 GONGKAI_HIERARCHY）
    #[arg(long)]
    pub hierarchy: Option<PathBuf>,
    /// 格式编号（lps2018、nat2019、nat2021）或格式文件（默认：该数据年度适用的格式；也可用 GONGKAI_TEMPLATE）
    #[arg(long)]
    pub template: Option<String>,
    /// 整个运行使用的线程数，1 到 256（默认：每个处理器核心一个；也可用 GONGKAI_JOBS）
    #[arg(long, value_parser = jobs)]
    pub jobs: Option<usize>,
    /// 不显示进度条（即使在终端上）
    #[arg(long)]
    pub no_progress: bool,
    /// 标准输出上报告的格式：text（文字，默认）或 json
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// 也列出提示（特殊单元格是如何读取的）和每个输出文件，而不只是错误和警告
    #[arg(short, long)]
    pub verbose: bool,
    /// 用于比较的上年记录（上次运行的 records.parquet 或 records.csv）；run 在同一单位上一年度的输出中有记录时自动使用
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// 本单位对问题的说明（unit,code,explanation）；默认为年度文件夹中的 explanations.csv（也可用 GONGKAI_EXPLANATIONS）
    #[arg(long)]
    pub explanations: Option<PathBuf>,
    /// 未说明的警告也使退出码为 1，而不只是错误（--strict=false 关闭 GONGKAI_STRICT 或 gongkai.toml 的 strict）
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = boolean)]
    pub strict: Option<bool>,
    /// 与上年相比增减超过这个倍数即为大起大落（默认：格式中的 3）
    #[arg(long, value_parser = above_one)]
    pub swing_ratio: Option<f64>,
    /// 两年数值都小于此数时不报大起大落（默认：格式中的 20）
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
        _ => Err("请给出大于 1 的数，如 3".into()),
    }
}

fn not_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v >= 0.0 => Ok(v),
        _ => Err("请给出不小于 0 的数，如 20".into()),
    }
}

/// The command line, parsed with its help in Chinese: clap's own headings
/// and help and version flags are replaced, and its errors said again in
/// Chinese before the usage.
pub fn parse() -> Cli {
    let matches = chinese(Cli::command())
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本"),
        )
        .try_get_matches();
    let parsed = matches.and_then(|m| Cli::from_arg_matches(&m));
    parsed.unwrap_or_else(|e| exit_with(e))
}

/// Help's layout with Chinese headings and punctuation: clap's own headings
/// end in an ASCII colon, so each section is named here, and only the
/// sections a command has.
fn chinese(command: clap::Command) -> clap::Command {
    let name = command.get_name().to_string();
    let positionals: Vec<String> = command
        .get_arguments()
        .filter(|a| a.is_positional())
        .map(|a| format!("[{}]", value_name(a.get_id().as_str())))
        .collect();
    let has_subcommands = command.has_subcommands();
    let (usage, sections) = if has_subcommands {
        (
            format!("{name} <命令>"),
            "命令：\n{subcommands}\n\n选项：\n{options}",
        )
    } else if positionals.is_empty() {
        (format!("gongkai {name} [选项]"), "选项：\n{options}")
    } else {
        (
            format!("gongkai {name} [选项] {}", positionals.join(" ")),
            "参数：\n{positionals}\n\n选项：\n{options}",
        )
    };
    command
        .help_template(format!(
            "{{about-with-newline}}\n用法：{{usage}}\n\n{sections}\n"
        ))
        .override_usage(usage)
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .mut_args(|a| match a.get_action().takes_values() {
            true => {
                let name = value_name(a.get_id().as_str());
                a.hide_default_value(true)
                    .hide_possible_values(true)
                    .value_name(name)
            }
            false => a,
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助"),
        )
        .mut_subcommands(chinese)
}

/// What a flag's value is, as help shows it (`--year <年度>`).
fn value_name(id: &str) -> &'static str {
    match id {
        "input" => "输入",
        "dir" => "输出文件夹",
        "out" => "文件夹",
        "wait" => "秒数",
        "year" => "年度",
        "hierarchy" => "名册",
        "template" => "格式",
        "jobs" => "线程数",
        "format" => "text|json",
        "previous" => "上年记录",
        "explanations" => "说明文件",
        "strict" => "true|false",
        "swing_ratio" => "倍数",
        "swing_at_least" => "数值",
        "townships" => "份数",
        "seed" => "种子",
        _ => "值",
    }
}

/// Help and version as asked; any other error in Chinese, with exit code 2.
fn exit_with(e: clap::Error) -> ! {
    use clap::error::{ContextKind, ErrorKind};
    let context = |kind: ContextKind| e.get(kind).map(|v| v.to_string()).unwrap_or_default();
    let said = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        ErrorKind::UnknownArgument => format!("不认识的参数 {}", context(ContextKind::InvalidArg)),
        ErrorKind::InvalidSubcommand => format!(
            "没有命令 {}；命令有 run、check、template、report、demo",
            context(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let arg = context(ContextKind::InvalidArg);
            let value = context(ContextKind::InvalidValue);
            // The value parsers' own reasons are Chinese already.
            let why = std::error::Error::source(&e)
                .map(|s| format!(":{s}"))
                .unwrap_or_default();
            format!("{arg} 的值“{value}”无效{why}")
        }
        ErrorKind::MissingRequiredArgument => {
            format!("缺少参数 {}", context(ContextKind::InvalidArg))
        }
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
            format!("参数 {} 用法有误", context(ContextKind::InvalidArg))
        }
        _ => "命令行参数有误".to_string(),
    };
    eprintln!("gongkai: 错误：{said}（gongkai --help 查看用法）");
    std::process::exit(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chinese_command_line_is_well_formed_and_helps_in_chinese() {
        let mut command = chinese(Cli::command());
        command.build();
        command.clone().debug_assert();
        for sub in command.get_subcommands_mut() {
            let help = sub.render_help().to_string();
            assert!(help.contains("用法：gongkai "), "{help}");
            assert!(
                help.contains("选项：") && help.contains("显示帮助"),
                "{help}"
            );
            assert!(
                !help.contains("Options") && !help.contains("[default"),
                "{help}"
            );
        }
    }
}
