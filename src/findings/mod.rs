//! Findings: every problem the run notices, with where it was found.

use serde::{Deserialize, Serialize};

pub mod codes;

use codes::Code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The form cannot be right, or a file could not be used.
    Error,
    /// Needs a look or an explanation.
    Warning,
    /// Worth knowing: how an unusual cell was read.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The word a clerk reads in the workbook.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// A finding's stable code: one of gongkai's own kinds of finding, or a
/// rule of the form's template (`SUM-R05`). Written as its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FindingCode {
    Fixed(Code),
    Rule(String),
}

impl FindingCode {
    pub fn as_str(&self) -> &str {
        match self {
            FindingCode::Fixed(code) => code.as_str(),
            FindingCode::Rule(code) => code,
        }
    }
}

impl PartialEq<Code> for FindingCode {
    fn eq(&self, other: &Code) -> bool {
        *self == FindingCode::Fixed(*other)
    }
}

/// Ordered as its text, as the report lists findings.
impl Ord for FindingCode {
    fn cmp(&self, other: &FindingCode) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for FindingCode {
    fn partial_cmp(&self, other: &FindingCode) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One finding, traceable to a file, a sheet and a cell where it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub severity: Severity,
    pub code: FindingCode,
    /// Where the finding is, each part where it has one; run.json writes a
    /// part it lacks as "" (the column is left out), as it always has.
    #[serde(serialize_with = "or_empty")]
    pub district: Option<String>,
    #[serde(serialize_with = "or_empty")]
    pub township: Option<String>,
    #[serde(serialize_with = "or_empty")]
    pub file: Option<String>,
    #[serde(serialize_with = "or_empty")]
    pub sheet: Option<String>,
    #[serde(serialize_with = "or_empty")]
    pub cell: Option<String>,
    /// The template row the finding is about (`R05`), where it has one.
    #[serde(serialize_with = "or_empty")]
    pub row: Option<String>,
    /// The template column, on a form of several columns (`C7`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
    /// The explanation from explanations.csv, when the finding has one: it
    /// stays in the report but no longer counts toward the exit code.
    pub explained: Option<String>,
}

impl Issue {
    /// A finding of one of gongkai's own kinds, of the code's severity.
    pub fn new(code: Code, message: impl Into<String>) -> Issue {
        Issue::of(code.severity(), FindingCode::Fixed(code), message.into())
    }

    /// A finding of a template rule, whose code and severity are the template's.
    pub fn rule(severity: Severity, code: &str, message: impl Into<String>) -> Issue {
        Issue::of(
            severity,
            FindingCode::Rule(code.to_string()),
            message.into(),
        )
    }

    /// The same finding, only worth knowing (an unreadable copy of a form
    /// that was read from another file).
    pub fn as_info(mut self) -> Issue {
        self.severity = Severity::Info;
        self
    }

    fn of(severity: Severity, code: FindingCode, message: String) -> Issue {
        Issue {
            severity,
            code,
            district: None,
            township: None,
            file: None,
            sheet: None,
            cell: None,
            row: None,
            column: None,
            message,
            explained: None,
        }
    }

    /// At a unit (a township of a district, or a district alone with `""`).
    pub fn unit(mut self, district: &str, township: &str) -> Issue {
        self.district = given(district);
        self.township = given(township);
        self
    }

    pub fn file(mut self, file: &str) -> Issue {
        self.file = given(file);
        self
    }

    /// At a sheet, and a cell of it where `cell` is not `""`.
    pub fn at(mut self, sheet: &str, cell: &str) -> Issue {
        self.sheet = given(sheet);
        self.cell = given(cell);
        self
    }

    /// The template cell the finding is about, by its row's and column's codes.
    pub fn cell_code(mut self, row: &str, column: &str) -> Issue {
        self.row = given(row);
        self.column = given(column);
        self
    }

    /// Whose finding it is, as 报送情况 and the progress page list them:
    /// its unit (district, township), or for a file that belongs to no
    /// unit `("", file)`.
    pub fn whose(&self) -> (&str, &str) {
        match &self.township {
            Some(township) => (self.district.as_deref().unwrap_or_default(), township),
            None => ("", self.file.as_deref().unwrap_or_default()),
        }
    }

    /// Whether it counts toward the exit code: errors, and warnings too
    /// under `--strict`, unless explained.
    pub fn counts(&self, strict: bool) -> bool {
        self.explained.is_none()
            && (self.severity == Severity::Error || strict && self.severity == Severity::Warning)
    }

    /// `水城县/金盆乡 [Sheet1!C7]` or as much of it as is known. A finding
    /// about a whole file (it was refused, renamed, superseded) names the file,
    /// which is what the clerk has to find.
    pub fn place(&self) -> String {
        let file = self.file.clone().unwrap_or_default();
        let mut place = match (&self.district, &self.township, &self.sheet) {
            (_, _, None) if self.file.is_some() => file,
            (Some(district), Some(township), _) => format!("{district}/{township}"),
            (None, Some(township), _) => township.clone(),
            (Some(district), None, _) => district.clone(),
            (None, None, _) => file,
        };
        let sheet = self.sheet.as_deref().unwrap_or_default();
        match &self.cell {
            Some(cell) => place.push_str(&format!(" [{sheet}!{cell}]")),
            None if self.sheet.is_some() => place.push_str(&format!(" [{sheet}]")),
            None => {}
        }
        place
    }
}

/// A part of a finding's place: none for `""`.
fn given(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// A part of a finding's place as run.json writes it: "" for none.
fn or_empty<S: serde::Serializer>(part: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(part.as_deref().unwrap_or_default())
}

/// Orders issues for reading: errors first, then by unit, then by where in the file.
pub fn sort_issues(issues: &mut [Issue]) {
    issues.sort_by(|a, b| {
        (a.severity, &a.district, &a.township, &a.file, &a.code).cmp(&(
            b.severity,
            &b.district,
            &b.township,
            &b.file,
            &b.code,
        ))
    });
}

/// `A1`-style address of a zero-based cell.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 2), "C7");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}
