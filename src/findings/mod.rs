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
    pub district: String,
    pub township: String,
    pub file: String,
    pub sheet: String,
    pub cell: String,
    /// The template row the finding is about (`R05`), where it has one.
    pub row: String,
    /// The template column, on a form of several columns (`C7`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub column: String,
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
            district: String::new(),
            township: String::new(),
            file: String::new(),
            sheet: String::new(),
            cell: String::new(),
            row: String::new(),
            column: String::new(),
            message,
            explained: None,
        }
    }

    pub fn unit(mut self, district: &str, township: &str) -> Issue {
        self.district = district.to_string();
        self.township = township.to_string();
        self
    }

    pub fn file(mut self, file: &str) -> Issue {
        self.file = file.to_string();
        self
    }

    pub fn at(mut self, sheet: &str, cell: &str) -> Issue {
        self.sheet = sheet.to_string();
        self.cell = cell.to_string();
        self
    }

    /// The template cell the finding is about, by its row's and column's codes.
    pub fn cell_code(mut self, row: &str, column: &str) -> Issue {
        self.row = row.to_string();
        self.column = column.to_string();
        self
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
        let mut place = match (self.district.is_empty(), self.township.is_empty()) {
            _ if self.sheet.is_empty() && !self.file.is_empty() => self.file.clone(),
            (_, false) if !self.district.is_empty() => {
                format!("{}/{}", self.district, self.township)
            }
            (_, false) => self.township.clone(),
            (false, true) => self.district.clone(),
            (true, true) => self.file.clone(),
        };
        if !self.cell.is_empty() {
            place.push_str(&format!(" [{}!{}]", self.sheet, self.cell));
        } else if !self.sheet.is_empty() {
            place.push_str(&format!(" [{}]", self.sheet));
        }
        place
    }
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
