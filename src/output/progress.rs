//! 报送进度.html: the collection month at a glance, for the district office.
//!
//! During January a cron job runs gongkai hourly while the forms arrive; the
//! office opens this page from the shared folder. It is one self-contained
//! file (no server, no scripts, no fonts or styles from elsewhere, the chart
//! inline SVG), written with the rest of the set and swapped in with it.
//! Every text from the inputs (unit, file and sheet names, findings) goes
//! through maud, which escapes it: a file named `<script>.xlsx` is shown,
//! never run.

use std::collections::HashMap;
use std::path::Path;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{WriteError, atomic};
use crate::findings::{Issue, Severity};
use crate::output::summary::{StatusRow, Summary, UnitStatus};

/// Where a unit stands on the page: its status, or 有错误 when its form is
/// in but has unexplained errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    Submitted,
    WithErrors,
    Refused,
    Missing,
    Other,
}

impl Standing {
    fn of(row: &StatusRow) -> Standing {
        match row.status {
            UnitStatus::Submitted | UnitStatus::Duplicate if row.errors > row.explained => {
                Standing::WithErrors
            }
            UnitStatus::Submitted | UnitStatus::Duplicate | UnitStatus::Covered => {
                Standing::Submitted
            }
            UnitStatus::Rejected => Standing::Refused,
            UnitStatus::Missing => Standing::Missing,
            UnitStatus::NotInRoster => Standing::Other,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Standing::Submitted => "已报送",
            Standing::WithErrors => "有错误",
            Standing::Refused => "不能计入",
            Standing::Missing => "未报送",
            Standing::Other => "名册外",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Standing::Submitted => "#5b9b4a",
            Standing::WithErrors => "#d9534f",
            Standing::Refused => "#e69138",
            Standing::Missing => "#b7b7b7",
            Standing::Other => "#8e7cc3",
        }
    }

    const ALL: [Standing; 5] = [
        Standing::Submitted,
        Standing::WithErrors,
        Standing::Refused,
        Standing::Missing,
        Standing::Other,
    ];
}

/// Writes the page. `inputs` is the year folder the files are in (for links
/// to them); `outputs` are the names of the files written beside the page.
pub fn write_progress(
    path: &Path,
    summary: &Summary,
    inputs: &Path,
    outputs: &[String],
) -> Result<super::Saved, WriteError> {
    let links = Links::new(path.parent().unwrap_or(Path::new(".")), inputs);
    let page = page(summary, &links, outputs).into_string();
    atomic(path, |w| {
        std::io::Write::write_all(w, page.as_bytes()).map_err(|source| WriteError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}\
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
th{background:#d9e1f2}.n{text-align:right}\
.tag{display:inline-block;padding:0 .4em;border-radius:.3em;color:#fff;white-space:nowrap}\
.t{white-space:nowrap}\
ul{margin:0;padding-left:1.2em}small{color:#666}\
#index a{margin-right:1em;white-space:nowrap}summary{cursor:pointer;font-weight:bold}\
#pending td{background:#fff4f0}\
@media print{body{margin:0}#index{display:none}h2{break-after:avoid}\
tr{break-inside:avoid}thead{display:table-header-group}a{color:inherit;text-decoration:none}}";

/// Districts with more units than this are folded on the page: the
/// missing and refused units are listed above them anyway.
const FOLDED_ABOVE: usize = 30;

fn page(summary: &Summary, links: &Links, outputs: &[String]) -> Markup {
    let info = &summary.info;
    let title = format!(
        "{}{}年度 政府信息公开工作年度报表 报送进度",
        info.city, info.year
    );
    let rows: Vec<(&StatusRow, Standing)> =
        summary.units.iter().map(|r| (r, Standing::of(r))).collect();
    let count = |s: Standing| rows.iter().filter(|(_, x)| *x == s).count();
    // The errors and warnings of each unit (or of each file outside the
    // roster), gathered once: a year has 40,000 units.
    let mut about: HashMap<(&str, &str), Vec<&Issue>> = HashMap::new();
    for i in summary
        .issues
        .iter()
        .filter(|i| i.severity != Severity::Info)
    {
        let key = i.whose();
        about.entry(key).or_default().push(i);
    }
    // The units of each district, districts in the order of 报送情况.
    let mut districts: Vec<District> = Vec::new();
    let mut index: HashMap<std::borrow::Cow<str>, usize> = HashMap::new();
    for &(r, s) in &rows {
        let office = r.office_shown();
        let i = *index.entry(office.clone()).or_insert_with(|| {
            districts.push(District {
                name: office,
                units: Vec::new(),
            });
            districts.len() - 1
        });
        districts[i].units.push((r, s));
    }
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                p {
                    "本页由 " (info.tool) " 于 " span #run-time { (info.started) } " 生成；"
                    "名册：" (info.roster) "；表格：" (info.template_name) "。"
                }
                table #totals {
                    tr { @for s in Standing::ALL { th { (s.label()) } } th { "应报" } }
                    tr {
                        @for s in Standing::ALL {
                            td.n data-status=(s.label()) { (count(s)) }
                        }
                        td.n #expected { (summary.counts.units_expected) }
                    }
                }
                (pending(&districts))
                (chart(&districts))
                p #index {
                    @for (n, d) in districts.iter().enumerate() {
                        a href=(format!("#d{n}")) { (shown_name(&d.name)) " " (d.counts()) }
                    }
                }
                @for (n, d) in districts.iter().enumerate() {
                    h2 id=(format!("d{n}")) { (shown_name(&d.name)) " " small { (d.counts()) } }
                    @if d.units.len() > FOLDED_ABOVE {
                        details {
                            summary { "展开 " (d.units.len()) " 个单位" }
                            (units_table(d, links, &about))
                        }
                    } @else {
                        (units_table(d, links, &about))
                    }
                }
                h2 { "本次生成的文件" }
                ul #outputs { @for o in outputs { li { a href=(encode(o)) { (o) } } } }
            }
        }
    }
}

/// A district as the page names it.
fn shown_name(name: &str) -> &str {
    if name.is_empty() {
        "（未分区县）"
    } else {
        name
    }
}

/// 待催报: the units that sent nothing and those whose file could not be
/// used, by district, before anything else: who the office must call.
fn pending(districts: &[District]) -> Markup {
    let waiting = |s: &Standing| matches!(s, Standing::Missing | Standing::Refused);
    let total: usize = districts
        .iter()
        .map(|d| d.units.iter().filter(|(_, s)| waiting(s)).count())
        .sum();
    html! {
        h2 { "待催报（" (total) " 个单位）" }
        @if total == 0 {
            p { "应报单位均已报送，且报表都能计入。" }
        } @else {
            table #pending {
                thead { tr { th { "区县" } th { "单位" } th { "情况" } th { "联系人和电话" } } }
                @for d in districts {
                    @for (r, s) in d.units.iter().filter(|(_, s)| waiting(s)) {
                        tr {
                            td { (shown_name(&d.name)) }
                            td { (r.township) }
                            td { span.tag style={ "background:" (s.color()) } { (s.label()) } }
                            td {
                                @if r.phone.is_empty() { (r.last_contact) } @else { (r.phone) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One district's units, a row each.
fn units_table(d: &District, links: &Links, about: &HashMap<(&str, &str), Vec<&Issue>>) -> Markup {
    html! {
        table.units {
            thead {
                tr { th { "单位" } th { "类别" } th { "情况" } th { "文件" } th { "到达时间" }
                     th { "错误" } th { "警告" } th { "问题" } }
            }
            @for (r, s) in &d.units {
                tr.unit data-status=(s.label()) {
                    td { (r.township) }
                    td { (r.kind.label()) }
                    td { span.tag style={ "background:" (s.color()) } { (s.label()) } }
                    td {
                        @if let Some(href) = links.to_input(&r.file) {
                            a href=(href) { (r.file) }
                        } @else {
                            (r.file)
                        }
                    }
                    td.t { (r.arrived) }
                    td.n { (r.errors) }
                    td.n { (r.warnings) }
                    td { (findings(about, r)) }
                }
            }
        }
    }
}

/// Errors and warnings about one unit (or one file outside the roster).
fn findings(about: &HashMap<(&str, &str), Vec<&Issue>>, row: &StatusRow) -> Markup {
    let key = if row.township.is_empty() {
        ("", row.file.as_str())
    } else {
        (row.district.as_str(), row.township.as_str())
    };
    html! {
        ul {
            @for i in about.get(&key).into_iter().flatten() {
                li {
                    (i.severity.label_zh()) " " code { (i.code) } " " (i.message)
                    @if let Some(why) = &i.explained { br; small { "已说明：" (why) } }
                }
            }
        }
    }
}

/// A district's rows of 报送情况.
struct District<'a> {
    name: std::borrow::Cow<'a, str>,
    units: Vec<(&'a StatusRow, Standing)>,
}

impl District<'_> {
    /// `已报送 27/29`: units whose form is in, of those expected.
    fn counts(&self) -> String {
        let expected = self
            .units
            .iter()
            .filter(|(_, s)| *s != Standing::Other)
            .count();
        let reported = self
            .units
            .iter()
            .filter(|(_, s)| matches!(s, Standing::Submitted | Standing::WithErrors))
            .count();
        format!("已报送 {reported}/{expected}")
    }
}

/// One bar of the chart: a district's units of one standing.
struct Segment {
    x: f64,
    width: f64,
    standing: Standing,
    units: usize,
}

/// One horizontal bar per district, its units by standing.
fn chart(districts: &[District]) -> Markup {
    const LEFT: f64 = 140.0;
    const BAR: f64 = 420.0;
    const ROW: usize = 22;
    let widest = districts
        .iter()
        .map(|d| d.units.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let bars: Vec<Vec<Segment>> = districts
        .iter()
        .map(|d| {
            let mut x = LEFT;
            Standing::ALL
                .iter()
                .map(|&standing| {
                    let units = d.units.iter().filter(|(_, t)| *t == standing).count();
                    let width = BAR * units as f64 / widest as f64;
                    let segment = Segment {
                        x,
                        width,
                        standing,
                        units,
                    };
                    x += width;
                    segment
                })
                .filter(|s| s.units > 0)
                .collect()
        })
        .collect();
    let height = districts.len() * ROW + 30;
    html! {
        svg #chart xmlns="http://www.w3.org/2000/svg" width="700" height=(height)
            role="img" aria-label="各区县报送情况" {
            @for (n, (d, bar)) in districts.iter().zip(&bars).enumerate() {
                text x="0" y=(n * ROW + 15) font-size="13" { (shown_name(&d.name)) }
                text x=(format!("{:.1}", bar.last().map_or(LEFT, |s| s.x + s.width) + 6.0)) y=(n * ROW + 15)
                    font-size="12" { (d.counts()) }
                @for s in bar {
                    rect x=(format!("{:.1}", s.x)) y=(n * ROW + 3) width=(format!("{:.1}", s.width))
                        height="16" fill=(s.standing.color()) {
                        title { (s.standing.label()) " " (s.units) }
                    }
                }
            }
            @for (n, s) in Standing::ALL.iter().enumerate() {
                rect x=(140 + n * 90) y=(height - 16) width="12" height="12" fill=(s.color()) {}
                text x=(156 + n * 90) y=(height - 6) font-size="12" { (s.label()) }
            }
        }
    }
}

/// Links from the page to the input files. A link is a relative path,
/// every part of it percent-encoded, from OUT/<year> to the file in the
/// year folder, so it opens from a shared folder on any machine, and no
/// file's name can become a link of another kind (`javascript:`): what
/// cannot be made such a path is shown without a link.
struct Links {
    /// The steps up from the page's folder to what it shares with the inputs,
    /// and the way down from there to the year folder.
    prefix: Option<String>,
}

impl Links {
    fn new(page_dir: &Path, inputs: &Path) -> Links {
        let prefix = (|| {
            let from = page_dir.canonicalize().ok()?;
            let to = inputs.canonicalize().ok()?;
            let (from, to): (Vec<_>, Vec<_>) =
                (from.components().collect(), to.components().collect());
            let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            let mut prefix = "../".repeat(from.len() - shared);
            for part in &to[shared..] {
                prefix.push_str(&encode(part.as_os_str().to_str()?));
                prefix.push('/');
            }
            Some(prefix)
        })();
        Links { prefix }
    }

    /// The link to an input file, as the summary shows its path (relative
    /// to the year folder, `/` between folders).
    fn to_input(&self, file: &str) -> Option<String> {
        // A name that was not UTF-8 is shown with U+FFFD: no path to link.
        if file.is_empty() || file.contains('\u{FFFD}') {
            return None;
        }
        let parts: Vec<String> = file.split('/').map(encode).collect();
        Some(format!("{}{}", self.prefix.as_deref()?, parts.join("/")))
    }
}

/// A path's part as a URL holds it: letters, digits and `-._~` as they
/// are, every other byte percent-encoded (`/` and `:` included).
fn encode(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for b in part.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
