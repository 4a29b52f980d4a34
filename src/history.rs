//! Last year's records beside this year's forms: values that swing far (统计
//! review's 大起大落) and units that reported last year but not this year.
//!
//! Last year is the records table a previous run wrote (`records.parquet`, or
//! `records.csv`), so nothing but gongkai's own output is needed.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::assign::{FileStatus, Submission};
use crate::checks::{render, values_of};
use crate::codes::Code;
use crate::report::{Issue, Severity};
use crate::roster::place_core;
use crate::template::{RuleKind, Template};

#[derive(Debug, thiserror::Error)]
#[error("cannot use last year's records {path}: {message}")]
pub struct PreviousError {
    pub path: String,
    pub message: String,
}

/// One unit's values of a year.
#[derive(Debug, Clone)]
pub struct PastUnit {
    pub district: String,
    pub township: String,
    pub values: HashMap<String, f64>,
}

/// The records of the latest year before `year` in a records file.
#[derive(Debug, Clone)]
pub struct Previous {
    pub year: i32,
    pub source: String,
    pub units: Vec<PastUnit>,
}

impl Previous {
    /// Reads `records.parquet` or `records.csv` as a run wrote it, keeping the
    /// latest year before `year` and only records of `template`.
    pub fn load(path: &Path, year: i32, template: &Template) -> Result<Previous, PreviousError> {
        let fail = |message: String| PreviousError {
            path: path.display().to_string(),
            message,
        };
        let frame = read_frame(path).map_err(|e| fail(e.to_string()))?;
        let column = |name: &str, dtype: DataType| -> Result<Column, PreviousError> {
            frame
                .column(name)
                .map_err(|_| {
                    fail(format!(
                        "it has no `{name}` column; give a records file gongkai wrote"
                    ))
                })?
                .cast(&dtype)
                .map_err(|e| fail(e.to_string()))
        };
        let text = |name: &str| -> Result<Vec<String>, PreviousError> {
            let col = column(name, DataType::String)?;
            let ca = col.str().map_err(|e| fail(e.to_string()))?;
            Ok(ca.iter().map(|v| v.unwrap_or("").to_string()).collect())
        };
        let number = |name: &str| -> Result<Vec<Option<f64>>, PreviousError> {
            let col = column(name, DataType::Float64)?;
            Ok(col.f64().map_err(|e| fail(e.to_string()))?.iter().collect())
        };
        let years = number("year")?;
        let (districts, townships, codes) = (text("district")?, text("township")?, text("code")?);
        let templates = text("template")?;
        let values = number("value")?;

        let Some(last) = years
            .iter()
            .flatten()
            .map(|&y| y as i32)
            .filter(|&y| y < year)
            .max()
        else {
            return Err(fail(format!("it holds no year before {year}")));
        };
        let mut units: Vec<PastUnit> = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        let mut other_template = None;
        for i in 0..years.len() {
            if years[i].map(|y| y as i32) != Some(last) {
                continue;
            }
            if templates[i] != template.id {
                other_template = Some(templates[i].clone());
                continue;
            }
            let key = (districts[i].clone(), townships[i].clone());
            let n = *index.entry(key).or_insert_with(|| {
                units.push(PastUnit {
                    district: districts[i].clone(),
                    township: townships[i].clone(),
                    values: HashMap::new(),
                });
                units.len() - 1
            });
            if let Some(v) = values[i] {
                units[n].values.insert(codes[i].clone(), v);
            }
        }
        if units.is_empty()
            && let Some(other) = other_template
        {
            return Err(fail(format!(
                "its {last} records use template {other}, not {}; their rows cannot be compared",
                template.id
            )));
        }
        Ok(Previous {
            year: last,
            source: path.display().to_string(),
            units,
        })
    }
}

fn read_frame(path: &Path) -> PolarsResult<DataFrame> {
    let file = std::fs::File::open(path)?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(None)
            .into_reader_with_file_handle(file)
            .finish()
    } else {
        ParquetReader::new(file).finish()
    }
}

/// Swings per unit and indicator, and the units gone since last year.
pub fn compare(subs: &[Submission], previous: &Previous, template: &Template) -> Vec<Issue> {
    let mut out = Vec::new();
    let exact: HashMap<(&str, &str), usize> = previous
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| ((u.district.as_str(), u.township.as_str()), i))
        .collect();
    // A unit may have moved district (水城县 → 钟山区 in 2020): match it by its
    // name alone when that name is unique last year.
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, u) in previous.units.iter().enumerate() {
        by_name.entry(place_core(&u.township)).or_default().push(i);
    }
    let mut seen = vec![false; previous.units.len()];
    let swings: Vec<_> = template.rules_of(RuleKind::Swing).collect();

    for sub in subs.iter().filter(|s| s.status == FileStatus::Used) {
        let Some(form) = sub.form() else { continue };
        let found = exact
            .get(&(sub.district.as_str(), sub.township.as_str()))
            .copied()
            .or_else(|| match by_name.get(&place_core(&sub.township)) {
                Some(only) if only.len() == 1 => Some(only[0]),
                _ => None,
            });
        let Some(p) = found else { continue };
        seen[p] = true;
        let past = &previous.units[p];
        let values = values_of(sub, template);
        for rule in &swings {
            for (i, row) in template.rows.iter().enumerate() {
                let (Some(now), Some(&last)) = (values[i], past.values.get(&row.code)) else {
                    continue;
                };
                if !row.is_summed() || !swung(now, last, rule.ratio, rule.at_least) {
                    continue;
                }
                let vars = [
                    ("last", crate::reader::fmt_num(last)),
                    ("last_year", previous.year.to_string()),
                    ("ratio", crate::reader::fmt_num(rule.ratio)),
                ];
                let cell = form.cell_of(i);
                out.push(
                    sub.rule_issue(
                        rule.severity,
                        &format!("{}-{}", rule.code, row.code),
                        render(template, rule, row, Some(now), &vars),
                    )
                    .at(&form.sheet, &cell)
                    .row(&row.code),
                );
            }
        }
    }
    for (past, _) in previous.units.iter().zip(seen).filter(|(_, s)| !s) {
        out.push(
            Issue::new(
                Severity::Warning,
                Code::UnitGone,
                format!(
                    "{}年报送了统计表,本年没有可用的统计表;请确认该单位是否撤并或漏报",
                    previous.year
                ),
            )
            .unit(&past.district, &past.township),
        );
    }
    out
}

/// More than `ratio` times up or down, or from or to 0, when the larger
/// value is at least `at_least`.
fn swung(now: f64, last: f64, ratio: f64, at_least: f64) -> bool {
    let (small, big) = if now < last { (now, last) } else { (last, now) };
    big > 0.0 && big >= at_least && (small <= 0.0 || big / small > ratio)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swings() {
        assert!(swung(100.0, 30.0, 3.0, 20.0), "down more than 3×");
        assert!(swung(30.0, 100.0, 3.0, 20.0), "up more than 3×");
        assert!(!swung(90.0, 30.0, 3.0, 20.0), "exactly 3× is not more");
        assert!(swung(25.0, 0.0, 3.0, 20.0), "from 0 to a large number");
        assert!(swung(0.0, 25.0, 3.0, 20.0), "to 0 from a large number");
        assert!(!swung(12.0, 0.0, 3.0, 20.0), "small numbers move freely");
        assert!(!swung(0.0, 0.0, 3.0, 0.0), "0 to 0 is no swing");
    }
}
