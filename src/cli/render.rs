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
        say!(out, "  {sheet}“{}”({format}),{}年度", f.sheet, s.info.year);
        say!(out, "  单位:{}/{}({})", f.district, f.township, f.matched);
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
        "不能计入汇总,不可报送;请按上面的提示处理后重新报送".to_string()
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
pub fn text_report(s: &Summary, verbose: bool, checking: bool) -> String {
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
