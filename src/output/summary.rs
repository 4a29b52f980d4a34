//! The run's model for every writer: what was run, every file's and unit's
//! status, the counts, the findings and the returns, cell by cell. run.json
//! is this serialized; the analyst workbook and the report read it too.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::audit::units::{Covered, FileStatus, Submission};
use crate::findings::{Issue, Severity};
use crate::form::{FooterRole, Template};
use crate::input::plan::Coverage;
use crate::input::roster::Roster;
use crate::input::roster::UnitKind;
use crate::rollup::{Level, Return};

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
    /// Why this form: the data year's, or `--template`, or the file's own.
    pub template_why: String,
    pub roster: String,
    /// Last year's records compared against, when there were any.
    pub previous: Option<String>,
    pub explanations: Option<String>,
    pub strict: bool,
    /// Why records.csv was or was not written, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv_note: Option<String>,
    /// Names that had to change to become file names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renamed: Vec<crate::output::names::Renamed>,
}

impl RunInfo {
    /// A path inside the input folder as relative to it, as the office
    /// knows its files (`2025/explanations.csv`); others as given.
    fn relative(&self, path: &str) -> String {
        std::path::Path::new(path)
            .strip_prefix(&self.input)
            .map_or_else(|_| path.to_string(), |p| p.display().to_string())
    }

    pub fn describe(&self) -> Vec<(String, String)> {
        let mut lines: Vec<(&str, String)> = vec![
            ("工具", self.tool.clone()),
            ("运行时间", self.started.clone()),
            ("输入", self.input.clone()),
            ("数据年度", self.year.to_string()),
            ("汇总单位", self.city.clone()),
            (
                "模板",
                format!(
                    "{} ({}){}",
                    self.template_name, self.template, self.template_why
                ),
            ),
            ("名册", self.roster.clone()),
            (
                "上年记录",
                self.previous.clone().unwrap_or_else(|| "无".into()),
            ),
            (
                "说明文件",
                self.explanations
                    .as_deref()
                    .map_or_else(|| "无".into(), |p| self.relative(p)),
            ),
            (
                "退出码计入",
                if self.strict {
                    "未说明的错误和警告（--strict）"
                } else {
                    "未说明的错误"
                }
                .to_string(),
            ),
        ];
        if let Some(note) = &self.csv_note {
            lines.push(("records.csv", note.clone()));
        }
        for r in &self.renamed {
            lines.push((
                "文件名",
                format!("「{}」不能用作文件名，写作 {}", r.name, r.file),
            ));
        }
        lines.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

/// Where a roster unit (or a file from outside the roster) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    Submitted,
    Missing,
    Rejected,
    Duplicate,
    NotInRoster,
    /// No form of its own, but its office's return (or that of an office
    /// above it) arrived and is summed.
    Covered,
}

impl UnitStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitStatus::Submitted => "已报送",
            UnitStatus::Missing => "未报送",
            UnitStatus::Rejected => "不能计入",
            UnitStatus::Duplicate => "重复报送",
            UnitStatus::NotInRoster => "名册外",
            UnitStatus::Covered => "含在下级单位汇总表中",
        }
    }

    /// Whether the unit's own form is summed (a unit covered by its
    /// district's return is in the sum through the return).
    pub fn summed(self) -> bool {
        matches!(
            self,
            UnitStatus::Submitted | UnitStatus::Duplicate | UnitStatus::NotInRoster
        )
    }

    /// Whether the unit's figures are in the rollup.
    pub fn reported(self) -> bool {
        matches!(
            self,
            UnitStatus::Submitted | UnitStatus::Duplicate | UnitStatus::Covered
        )
    }
}

/// One line of 报送情况: a roster unit, or a file from outside the roster.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub district: String,
    pub township: String,
    /// The offices from the top down to the one it reports to:
    /// 贵州省, 六盘水市, 水城区.
    pub path: Vec<String>,
    /// A unit's own form, or its district's return.
    pub kind: UnitKind,
    pub status: UnitStatus,
    pub file: String,
    pub filler: String,
    pub phone: String,
    /// For a unit with no usable form this year: who filled in its form
    /// last year and their phone, from last year's run.json, to call.
    pub last_contact: String,
    pub date: String,
    pub matched: String,
    pub sha256: String,
    /// When the file was last changed (`2026-01-15 09:30`): when it arrived.
    pub arrived: String,
    /// Findings about the unit (explained ones included) and how many of them are explained.
    pub errors: usize,
    pub warnings: usize,
    pub explained: usize,
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
    /// Units whose only file could not be used: expected = reported +
    /// missing + rejected.
    pub units_rejected: usize,
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
    pub format: Option<crate::read::sniff::Format>,
    pub sheet: String,
    pub date: Option<String>,
    pub sha256: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Timings {
    pub discover_ms: u128,
    pub read_ms: u128,
    /// Putting each file in its place: its unit, duplicates, the missing.
    pub assign_ms: u128,
    pub check_ms: u128,
    pub records_ms: u128,
    pub rollup_ms: u128,
    pub write_ms: u128,
}

/// One cell of a return, named as the form prints it.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnCell {
    pub table: String,
    pub row: String,
    pub column: String,
    pub code: String,
    /// `null` where no unit reported the cell.
    pub value: Option<f64>,
    /// How many units gave the cell a value.
    pub reporting: u32,
}

/// A return as run.json gives it: a list of cells, no positional arrays.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnSummary {
    pub level: Level,
    pub name: String,
    pub units: Vec<String>,
    /// The office and every office below it, whose units it accounts for.
    pub offices: Vec<String>,
    /// How many offices it is below the run's (0: the run's own return).
    pub depth: usize,
    pub cells: Vec<ReturnCell>,
}

impl ReturnSummary {
    pub fn of(ret: &Return, template: &Template) -> ReturnSummary {
        let cells = template
            .cells()
            .iter()
            .enumerate()
            .map(|(i, cell)| ReturnCell {
                table: template.table_title(i).to_string(),
                row: template.row_of(i).label.clone(),
                column: template.column_of(i).label.clone(),
                code: cell.code.clone(),
                value: ret.values[i],
                reporting: ret.reporting[i],
            })
            .collect();
        ReturnSummary {
            level: ret.level,
            name: ret.name.clone(),
            units: ret.units.clone(),
            offices: ret.offices.clone(),
            depth: ret.depth,
            cells,
        }
    }
}

/// One output file, as it lies in OUT/<year>.
#[derive(Debug, Clone, Serialize)]
pub struct OutputFile {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

impl OutputFile {
    /// A file as it was written, listed as `listed_as`.
    pub fn saved(listed_as: &Path, saved: &crate::output::Saved) -> OutputFile {
        OutputFile {
            file: listed_as.display().to_string(),
            bytes: saved.bytes,
            sha256: saved.sha256.clone(),
        }
    }
}

/// A unit of a return's area, as its draft accounts for it.
#[derive(Debug, Clone)]
pub struct Member {
    /// The office it reports to.
    pub office: String,
    pub name: String,
    pub kind: UnitKind,
    pub status: UnitStatus,
}

/// Each return's units, found once for all the drafts of a run: the office's
/// return has every unit, a lower office's its own and those of the offices
/// below it. (Searching every unit for each draft would grow with the
/// square of a national year.)
pub struct Members<'a> {
    all: Vec<Member>,
    by_office: HashMap<&'a str, Vec<Member>>,
}

impl<'a> Members<'a> {
    /// From (path, unit, kind, status) of every unit in the roster's order,
    /// the path from the top office down to the unit's own.
    pub fn of(
        units: impl IntoIterator<Item = (&'a [String], &'a str, UnitKind, UnitStatus)>,
    ) -> Members<'a> {
        let mut all = Vec::new();
        let mut by_office: HashMap<&str, Vec<Member>> = HashMap::new();
        for (path, name, kind, status) in units {
            let member = Member {
                office: path.last().cloned().unwrap_or_default(),
                name: name.to_string(),
                kind,
                status,
            };
            for office in path.iter().skip(1) {
                by_office.entry(office).or_default().push(member.clone());
            }
            all.push(member);
        }
        Members { all, by_office }
    }

    /// The units `ret` accounts for.
    pub fn of_return(&self, ret: &Return) -> &[Member] {
        match ret.level {
            Level::Office => &self.all,
            Level::District => self
                .by_office
                .get(ret.name.as_str())
                .map_or(&[], Vec::as_slice),
        }
    }
}

/// A finished run as its run.json gives it back: what `gongkai report`
/// writes the drafts from, and 概览's trend reads of earlier years.
#[derive(Debug, serde::Deserialize)]
pub struct SavedRun {
    pub year: i32,
    pub city: String,
    pub template: String,
    pub units: Vec<SavedUnit>,
    pub returns: Vec<SavedReturn>,
}

/// run.json's findings alone: `gongkai report`'s 备注 need them, the trend
/// and last year's contacts do not, and a national year has a hundred
/// megabytes of them.
#[derive(Debug, serde::Deserialize)]
struct SavedIssues {
    #[serde(default)]
    issues: Vec<SavedIssue>,
}

/// A finding as run.json gives it back, as far as a 备注 needs it.
#[derive(Debug, serde::Deserialize)]
pub struct SavedIssue {
    pub code: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub township: String,
    #[serde(default)]
    pub explained: Option<String>,
}

impl<'a> From<&'a SavedIssue> for crate::output::remarks::Finding<'a> {
    fn from(i: &'a SavedIssue) -> Self {
        crate::output::remarks::Finding {
            code: &i.code,
            district: &i.district,
            unit: &i.township,
            explained: i.explained.is_some(),
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedUnit {
    pub district: String,
    pub township: String,
    #[serde(default)]
    pub filler: String,
    #[serde(default)]
    pub phone: String,
    /// Runs before kinds wrote none: every unit a township.
    #[serde(default = "township")]
    pub kind: UnitKind,
    pub status: UnitStatus,
    /// Runs before offices nested wrote none: the city, then the district.
    #[serde(default)]
    pub path: Vec<String>,
}

fn township() -> UnitKind {
    UnitKind::Township
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedReturn {
    pub level: Level,
    pub name: String,
    pub units: Vec<String>,
    /// Runs before offices nested wrote none: the office alone.
    #[serde(default)]
    pub offices: Vec<String>,
    #[serde(default)]
    pub depth: usize,
    pub cells: Vec<SavedCell>,
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedCell {
    pub code: String,
    pub value: Option<f64>,
    pub reporting: u32,
}

impl SavedRun {
    pub fn read(path: &Path) -> Result<SavedRun, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        serde_json::from_str(&text)
            .map(SavedRun::settled)
            .map_err(|e| e.to_string())
    }

    /// The run and its findings, from one read of the file.
    pub fn read_with_issues(path: &Path) -> Result<(SavedRun, Vec<SavedIssue>), String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let run = serde_json::from_str(&text)
            .map(SavedRun::settled)
            .map_err(|e| e.to_string())?;
        let issues: SavedIssues = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        Ok((run, issues.issues))
    }

    /// What runs written before offices nested left out, as they meant
    /// it: each unit under its city and district, each return its office's.
    fn settled(mut self) -> SavedRun {
        for u in self.units.iter_mut().filter(|u| u.path.is_empty()) {
            u.path = vec![self.city.clone()];
            if u.district != self.city {
                u.path.push(u.district.clone());
            }
        }
        for r in self.returns.iter_mut().filter(|r| r.offices.is_empty()) {
            r.offices = vec![r.name.clone()];
            r.depth = usize::from(r.level == Level::District);
        }
        self
    }

    /// (path, township, kind, status) of each unit, for [`Members`].
    pub fn unit_status(&self) -> impl Iterator<Item = (&[String], &str, UnitKind, UnitStatus)> {
        self.units
            .iter()
            .map(|u| (u.path.as_slice(), u.township.as_str(), u.kind, u.status))
    }
}

impl SavedReturn {
    /// The return in `template`'s cells; `Err` names a cell the template lacks.
    pub fn to_return(&self, template: &Template) -> Result<Return, String> {
        let mut values = vec![None; template.cells().len()];
        let mut reporting = vec![0; template.cells().len()];
        for cell in &self.cells {
            let i = template
                .position(&cell.code)
                .ok_or_else(|| cell.code.clone())?;
            values[i] = cell.value;
            reporting[i] = cell.reporting;
        }
        Ok(Return {
            level: self.level,
            name: self.name.clone(),
            values,
            reporting,
            units: self.units.clone(),
            offices: self.offices.clone(),
            depth: self.depth,
            last: None,
            filer: None,
        })
    }
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
    pub returns: Vec<ReturnSummary>,
    /// The files written beside run.json.
    pub outputs: Vec<OutputFile>,
    pub timings: Timings,
}

/// 报送情况: every roster unit with its status, then files from outside the
/// roster (in a one-file check, the file alone).
pub fn unit_status(
    roster: &Roster,
    subs: &[Submission],
    coverage: Coverage,
    template: &Template,
) -> Vec<StatusRow> {
    let row = |unit: (&str, &str, UnitKind), status: UnitStatus, sub: Option<&Submission>| {
        let (district, township, kind) = unit;
        let footer = |role: FooterRole| {
            let key = template.footer_label(role)?;
            sub.and_then(|s| s.form())?
                .footer
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        StatusRow {
            path: roster.tree.path(district),
            last_contact: String::new(),
            kind,
            district: district.to_string(),
            township: township.to_string(),
            status,
            file: sub.map(|s| s.found.shown.clone()).unwrap_or_default(),
            filler: footer(FooterRole::Filler).unwrap_or_default(),
            phone: footer(FooterRole::Phone).unwrap_or_default(),
            date: sub
                .and_then(|s| s.form())
                .and_then(|f| f.date.clone())
                .or_else(|| footer(FooterRole::Date))
                .unwrap_or_default(),
            matched: sub.map(|s| s.matched.clone()).unwrap_or_default(),
            sha256: sub.and_then(|s| s.sha256.clone()).unwrap_or_default(),
            arrived: sub
                .and_then(|s| s.modified)
                .map(|t| {
                    chrono::DateTime::<chrono::Local>::from(t)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            errors: 0,
            warnings: 0,
            explained: 0,
        }
    };
    let single = coverage == Coverage::OneFile;
    let mut out = Vec::new();
    let mut by_unit: HashMap<(&str, &str), Vec<&Submission>> = HashMap::new();
    let covered = Covered::of(subs);
    let returns = || subs.iter().filter(|s| s.kind == UnitKind::Lower);
    for s in subs
        .iter()
        .filter(|s| s.in_roster && !single && s.kind != UnitKind::Lower)
    {
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
                (_, 0) if covered.covers(&roster.tree, &u.district) => UnitStatus::Covered,
                (_, 0) => UnitStatus::Missing,
                (None, _) => UnitStatus::Rejected,
                (Some(_), 1) => UnitStatus::Submitted,
                (Some(_), _) => UnitStatus::Duplicate,
            };
            out.push(row(
                (&u.district, &u.township, u.kind),
                status,
                used.or(mine.first().copied()),
            ));
        }
    }
    // Each district's own return, after the roster's units.
    for s in returns().filter(|_| !single) {
        let status = match s.status {
            FileStatus::Used => UnitStatus::Submitted,
            FileStatus::Superseded => UnitStatus::Duplicate,
            FileStatus::Rejected => UnitStatus::Rejected,
        };
        out.push(row((&s.district, &s.township, s.kind), status, Some(s)));
    }
    for s in subs.iter().filter(|s| single || !s.in_roster) {
        let status = match s.status {
            FileStatus::Rejected => UnitStatus::Rejected,
            _ if s.in_roster => UnitStatus::Submitted,
            _ => UnitStatus::NotInRoster,
        };
        out.push(row((&s.district, &s.township, s.kind), status, Some(s)));
    }
    // What is left was filed under another district's folder: listed there too.
    let mut moved: Vec<&Submission> = by_unit.into_values().flatten().collect();
    moved.sort_by(|a, b| a.found.shown.cmp(&b.found.shown));
    for s in moved {
        out.push(row(
            (&s.district, &s.township, s.kind),
            UnitStatus::NotInRoster,
            Some(s),
        ));
    }
    out
}

impl StatusRow {
    /// The office it reports to as 报送情况 shows it: below an office under
    /// the top, with the offices above it (六盘水市 / 水城区 in a province's
    /// run).
    pub fn office_shown(&self) -> std::borrow::Cow<'_, str> {
        match self.path.get(1..).filter(|below| below.len() > 1) {
            Some(below) => below.join(" / ").into(),
            None => self.district.as_str().into(),
        }
    }
}

/// The findings of each unit in 报送情况: by unit, or by file for files
/// that belong to no unit.
pub fn tally(status: &mut [StatusRow], issues: &[Issue]) {
    let mut by: HashMap<(&str, &str), (usize, usize, usize)> = HashMap::new();
    for i in issues {
        let key = i.whose();
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

pub fn count(
    subs: &[Submission],
    issues: &[Issue],
    status: &[StatusRow],
    ignored: usize,
    strict: bool,
) -> Counts {
    let by = |st: FileStatus| subs.iter().filter(|s| s.status == st).count();
    let sev = |sv: Severity| issues.iter().filter(|i| i.severity == sv).count();
    let roster_rows = status
        .iter()
        .filter(|s| s.status != UnitStatus::NotInRoster && s.kind != UnitKind::Lower);
    Counts {
        files: subs.len(),
        used: by(FileStatus::Used),
        superseded: by(FileStatus::Superseded),
        rejected: by(FileStatus::Rejected),
        ignored,
        units_expected: roster_rows.clone().count(),
        units_reported: roster_rows.clone().filter(|s| s.status.reported()).count(),
        units_missing: roster_rows
            .clone()
            .filter(|s| s.status == UnitStatus::Missing)
            .count(),
        units_rejected: roster_rows
            .filter(|s| s.status == UnitStatus::Rejected)
            .count(),
        errors: sev(Severity::Error),
        warnings: sev(Severity::Warning),
        infos: sev(Severity::Info),
        explained: issues.iter().filter(|i| i.explained.is_some()).count(),
        counted: issues.iter().filter(|i| i.counts(strict)).count(),
    }
}

pub fn file_report(s: &Submission) -> FileReport {
    FileReport {
        file: s.found.shown.clone(),
        status: s.status,
        district: s.district.clone(),
        township: s.township.clone(),
        matched: s.matched.clone(),
        format: s.form().map(|f| f.format),
        sheet: s.form().map(|f| f.sheet()).unwrap_or_default(),
        date: s.form().and_then(|f| f.date.clone()),
        sha256: s.sha256.clone(),
        error: s.outcome.as_ref().err().map(|e| e.to_string()),
    }
}

/// Who to call for each unit that has no usable form this year: the 填报人
/// and 联系电话 its form gave last year, from last year's run.json (beside
/// last year's records). Nothing when last year's run is not at hand.
pub fn last_contacts(rows: &mut [StatusRow], last_run: &std::path::Path) {
    let waiting = |r: &StatusRow| matches!(r.status, UnitStatus::Missing | UnitStatus::Rejected);
    if !rows.iter().any(waiting) {
        return;
    }
    let Ok(last) = SavedRun::read(last_run) else {
        return;
    };
    let known: HashMap<(&str, &str), &SavedUnit> = last
        .units
        .iter()
        .filter(|u| !u.filler.is_empty() || !u.phone.is_empty())
        .map(|u| ((u.district.as_str(), u.township.as_str()), u))
        .collect();
    for row in rows.iter_mut().filter(|r| waiting(r)) {
        if let Some(u) = known.get(&(row.district.as_str(), row.township.as_str())) {
            let who = [u.filler.as_str(), u.phone.as_str()]
                .iter()
                .filter(|t| !t.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            row.last_contact = format!("{who}（{}年）", last.year);
        }
    }
}
