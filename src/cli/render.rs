//! What a person reads at the end of `run` and `check`: the run's summary,
//! or, for one file a clerk checks, that file's findings and whether it
//! may be sent.

use crate::findings::Severity;
use crate::output::summary::Summary;

/// Writes the report to stdout. A reader that stops early (`| head`) is not
/// an error worth a panic.
pub fn emit(text: &str) {
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
pub fn form_report(s: &Summary) -> String {
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
        say!(
            out,
            "  {sheet}“{}”（{format}），{}年度",
            f.sheet,
            s.info.year
        );
        say!(
            out,
            "  单位：{}/{}（{}）",
            f.district,
            f.township,
            f.matched
        );
    }
    if s.issues.is_empty() {
        say!(out, "  没有发现问题");
    }
    for i in &s.issues {
        let place = i.cell.as_deref().unwrap_or("-");
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
        "不能计入汇总，不可报送；请按上面的提示处理后重新报送".to_string()
    } else if c.errors > 0 {
        format!("有 {} 处错误，请更正后再报送", c.errors)
    } else if c.warnings > 0 {
        format!(
            "没有错误；有 {} 处警告，请核实，必要时附说明后报送",
            c.warnings
        )
    } else {
        "没有错误，可以报送".to_string()
    };
    say!(out, "结论：{verdict}");
    out
}

/// How many errors and warnings the summary lists before it points to 校验:
/// the whole list of a large year would push 下一步 off the screen.
const LISTED: usize = 20;

/// The report for people: what was read and found, then 下一步, what the
/// office does next. Notes (how unusual cells were read) and every output
/// path are listed with `--verbose`.
pub fn text_report(s: &Summary, verbose: bool, checking: bool) -> String {
    let notes = verbose || checking;
    let mut out = String::new();
    let c = &s.counts;
    say!(
        out,
        "{} {}年度（名册：{}），格式 {}",
        s.info.city,
        s.info.year,
        s.info.roster,
        s.info.template
    );
    say!(
        out,
        "文件：读取 {} 个，计入 {} 个，重复报送未用 {} 个，不能计入 {} 个",
        c.files,
        c.used,
        c.superseded,
        c.rejected
    );
    if c.units_expected > 0 {
        say!(
            out,
            "单位：应报 {} 个，已报送 {} 个，未报送 {} 个，报送了但不能计入 {} 个",
            c.units_expected,
            c.units_reported,
            c.units_missing,
            c.units_rejected
        );
    }
    say!(
        out,
        "问题：错误 {} 处，警告 {} 处，提示 {} 处；已说明 {} 处，计入退出码 {} 处{}",
        c.errors,
        c.warnings,
        c.infos,
        c.explained,
        c.counted,
        if s.info.strict { "(--strict)" } else { "" }
    );
    let shown: Vec<_> = s
        .issues
        .iter()
        .filter(|i| notes || i.severity != Severity::Info)
        .collect();
    let limit = if verbose { usize::MAX } else { LISTED };
    for issue in shown.iter().take(limit) {
        say!(
            out,
            "  {} {} {}：{}",
            issue.severity.label_zh(),
            issue.place(),
            issue.code,
            issue.message
        );
        if let Some(why) = &issue.explained {
            say!(out, "       已说明：{why}");
        }
    }
    if shown.len() > limit {
        say!(out, "  ……另有 {} 处，见下", shown.len() - limit);
    }
    if verbose {
        let t = &s.timings;
        say!(
            out,
            "用时（毫秒）：查找 {}，读取 {}，归属 {}，校验 {}，记录 {}，汇总 {}，写出 {}",
            t.discover_ms,
            t.read_ms,
            t.assign_ms,
            t.check_ms,
            t.records_ms,
            t.rollup_ms,
            t.write_ms
        );
    }
    if !checking {
        next_steps(&mut out, s, verbose);
    }
    out
}

/// 下一步: whom to chase, what stops the returns being signed, where the
/// full lists are, and the returns to sign.
fn next_steps(out: &mut String, s: &Summary, verbose: bool) {
    use crate::output::summary::UnitStatus;
    say!(out, "下一步：");
    let mut step = 0;
    let mut next = |out: &mut String, text: String| {
        step += 1;
        say!(out, "  {step}. {text}");
    };
    let named = |status: UnitStatus| -> Vec<String> {
        s.units
            .iter()
            .filter(|u| u.status == status)
            .map(|u| {
                // This year's form's phone, else who filled it in last year.
                let phone = match (u.phone.as_str(), u.last_contact.as_str()) {
                    ("", "") => String::new(),
                    ("", last) => format!("，上年填报人 {last}"),
                    (phone, _) => format!("，电话 {phone}"),
                };
                match u.district.as_str() {
                    "" => u.township.clone(),
                    d => format!("{}（{d}{phone}）", u.township),
                }
            })
            .collect()
    };
    // A long list is cut short here: 报送进度.html lists them all.
    let some = |names: &[String]| -> String {
        match names.len() {
            n if n > LISTED => format!("{}等（全部见 报送进度.html）", names[..LISTED].join("、")),
            _ => names.join("、"),
        }
    };
    let (missing, refused) = (named(UnitStatus::Missing), named(UnitStatus::Rejected));
    if !missing.is_empty() {
        next(
            out,
            format!("催报未报送的 {} 个单位：{}", missing.len(), some(&missing)),
        );
    }
    if !refused.is_empty() {
        next(
            out,
            format!(
                "请这 {} 个单位按提示重新报送：{}",
                refused.len(),
                some(&refused)
            ),
        );
    }
    let blocking = s.counts.counted;
    if blocking > 0 {
        next(
            out,
            format!(
                "更正或说明 {blocking} 处未说明的问题后再签发（说明写在年度文件夹的 explanations.csv）"
            ),
        );
    }
    let workbook = s
        .outputs
        .iter()
        .map(|o| o.file.as_str())
        .find(|f| f.ends_with("_汇总.xlsx"));
    if let Some(workbook) = workbook {
        next(
            out,
            format!(
                "全部问题见 {workbook} 的“校验”工作表，各单位报送情况见同一文件夹的 报送进度.html"
            ),
        );
        let returns: Vec<&str> = s
            .outputs
            .iter()
            .map(|o| o.file.as_str())
            .filter(|f| f.ends_with("_统计表.xlsx"))
            .collect();
        let file_name = |f: &&str| {
            std::path::Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
        };
        let names: Vec<String> = returns.iter().filter_map(file_name).collect();
        let signed = match names.split_last() {
            // The office's own return last; the lower offices' counted.
            Some((own, lower)) if lower.len() > 4 => {
                format!("{own}，及 {} 个下级单位的汇总表", lower.len())
            }
            _ => names.join("、"),
        };
        next(out, format!("核对并签发汇总表：{signed}"));
    }
    if let Some(first) = s.outputs.first() {
        let folder = std::path::Path::new(&first.file)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        say!(
            out,
            "输出文件夹：{folder}（共 {} 个文件和 run.json）",
            s.outputs.len()
        );
        if verbose {
            for o in &s.outputs {
                say!(out, "  {}", o.file);
            }
        }
    }
}
