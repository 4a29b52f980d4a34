//! Last year's records beside this year's forms: values that swing far (统计
//! review's 大起大落) and units that reported last year but not this year.
//!
//! Last year is the records table a previous run wrote (`records.parquet`, or
//! `records.csv`), so nothing but gongkai's own output is needed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use polars::prelude::*;

use crate::audit::rules::{render, values_of};
use crate::audit::units::{FileStatus, Submission, reach_up};
use crate::findings::Issue;
use crate::findings::codes::Code;
use crate::form::{Check, Rule, Template, UnitKind};
use crate::input::records::columns;
use crate::input::roster::place_core;
use crate::text::fmt_num;
use crate::text::normalize_label;

#[derive(Debug, thiserror::Error)]
#[error("上年记录 {path} 无法使用：{message}")]
pub struct PreviousError {
    pub path: String,
    pub message: String,
}

/// One unit's values of a year, by cell (see [`Previous::key`]).
#[derive(Debug, Clone)]
pub struct PastUnit {
    pub district: String,
    pub township: String,
    /// As the unit's form gave them.
    pub values: HashMap<String, f64>,
    /// As that year's returns summed them, where that differs (a total
    /// recomputed from its parts; `None`: summed as blank).
    rolled: HashMap<String, Option<f64>>,
    /// A lower office's own return, summed in place of its units.
    lower: bool,
    /// Its office and each above it, nearest first, below the top.
    chain: Vec<String>,
}

impl PastUnit {
    /// Whether that year's return of `office` (`None`: the run's own)
    /// summed this unit's form, by the rule the rollup follows: up its
    /// offices to the first whose own return arrived (`covered`).
    fn summed_into(&self, office: Option<&str>, covered: &HashSet<&str>) -> bool {
        let chain = self.chain.iter().map(String::as_str);
        let reach = reach_up(chain, self.lower, |o| covered.contains(o));
        match office {
            Some(office) => reach.offices.contains(&office),
            None => reach.top,
        }
    }

    /// A cell's value as that year's returns summed it.
    fn rolled(&self, key: &str) -> Option<f64> {
        match self.rolled.get(key) {
            Some(rolled) => *rolled,
            None => self.values.get(key).copied(),
        }
    }
}

/// The records of the latest year before `year` in a records file.
#[derive(Debug, Clone)]
pub struct Previous {
    pub year: i32,
    pub source: String,
    pub units: Vec<PastUnit>,
    /// Last year was another form (the 2019 tables before a 2021 year): its
    /// cells are found by their printed table, row and column, which the two
    /// forms share, instead of by code.
    by_label: bool,
    /// Every cell key last year's form had, filled or blank.
    known: std::collections::HashSet<String>,
}

/// A cell by its printed labels, as two forms that share it print it.
fn label_key(table: &str, row: &str, column: &str) -> String {
    format!(
        "{}|{}|{}",
        normalize_label(table),
        normalize_label(row),
        normalize_label(column)
    )
}

impl Previous {
    /// The key of a template cell among last year's values.
    pub fn key(&self, template: &Template, cell: usize) -> String {
        if self.by_label {
            label_key(
                template.table_title(cell),
                &template.row_of(cell).label,
                &template.column_of(cell).label,
            )
        } else {
            template.cells()[cell].code.clone()
        }
    }
}

impl Previous {
    /// Reads `records.parquet` or `records.csv` as a run wrote it, keeping the
    /// latest year before `year` and only records of `template`.
    ///
    /// `units` is how many units this year has: a records file declaring far
    /// more rows than that many units' forms could fill is refused before it
    /// is read (see [`record_budget`]).
    pub fn load(
        path: &Path,
        year: i32,
        template: &Template,
        units: usize,
    ) -> Result<Previous, PreviousError> {
        let fail = |message: String| PreviousError {
            path: path.display().to_string(),
            message,
        };
        let budget = record_budget(units, template.cells().len());
        // Bounded by its size as well as by what it declares: a few rows of
        // enormous texts are as costly as many rows.
        let size = std::fs::metadata(path)
            .map_err(|e| fail(e.to_string()))?
            .len();
        let most = (budget as u64).saturating_mul(BYTES_PER_RECORD);
        if size > most {
            return Err(fail(format!(
                "文件有 {size} 字节，多于 {budget} 条记录所需的 {most} 字节；请给出一个年度的记录文件"
            )));
        }
        let declared = declared_rows(path).map_err(|e| fail(e.to_string()))?;
        if declared > budget {
            return Err(fail(format!(
                "其中有 {declared} 条记录,多于 {budget} 条({units} 个单位、每份 {} 个单元格的报表,\
                 几个年度也填不满);请给出一个年度的记录文件",
                template.cells().len()
            )));
        }
        let frame = read_frame(path).map_err(|e| fail(e.to_string()))?;
        let column = |name: &str, dtype: DataType| -> Result<Column, PreviousError> {
            frame
                .column(name)
                .map_err(|_| {
                    fail(format!(
                        "其中没有“{name}”列；请给出 gongkai 写出的记录文件（records.parquet 或 records.csv）"
                    ))
                })?
                .cast(&dtype)
                .map_err(|e| fail(e.to_string()))
        };
        // Text columns are walked in place, never copied out a string per
        // record: last year's records.csv of a national year is millions of
        // rows.
        let text = |name: &str| -> Result<StringChunked, PreviousError> {
            let col = column(name, DataType::String)?;
            Ok(col.str().map_err(|e| fail(e.to_string()))?.clone())
        };
        let number = |name: &str| -> Result<Float64Chunked, PreviousError> {
            let col = column(name, DataType::Float64)?;
            Ok(col.f64().map_err(|e| fail(e.to_string()))?.clone())
        };
        let years = number(columns::YEAR)?;
        let (districts, townships, codes) = (
            text(columns::DISTRICT)?,
            text(columns::TOWNSHIP)?,
            text(columns::CODE)?,
        );
        let templates = text(columns::TEMPLATE)?;
        let values = number(columns::VALUE)?;
        // Records written before these columns have none: each value summed
        // as given, every unit a township right below the top.
        let rolled = number(columns::ROLLUP_VALUE).ok();
        let (kinds, paths) = (
            text(columns::UNIT_KIND).ok(),
            text(columns::OFFICE_PATH).ok(),
        );
        fn optional(c: &Option<StringChunked>) -> Box<dyn Iterator<Item = Option<&str>> + '_> {
            match c {
                Some(c) => Box::new(c.iter()),
                None => Box::new(std::iter::repeat(None)),
            }
        }
        let rolled_of: Box<dyn Iterator<Item = Option<Option<f64>>>> = match &rolled {
            Some(r) => Box::new(r.iter().map(Some)),
            None => Box::new(std::iter::repeat(None)),
        };
        // Records written before forms had tables name no table or column.
        let labels = match (
            text(columns::TABLE),
            text(columns::ROW),
            text(columns::COLUMN),
        ) {
            (Ok(t), Ok(r), Ok(c)) => Some((t, r, c)),
            _ => None,
        };

        let Some(last) = years
            .iter()
            .flatten()
            .map(|y| y as i32)
            .filter(|&y| y < year)
            .max()
        else {
            return Err(fail(format!("其中没有 {year} 年以前的记录")));
        };
        let in_last = |y: Option<f64>| y.map(|y| y as i32) == Some(last);
        let last_year_forms = || {
            years
                .iter()
                .zip(templates.iter())
                .filter(|(y, _)| in_last(*y))
                .map(|(_, t)| t.unwrap_or(""))
        };
        let same_form = last_year_forms().any(|t| t == template.id);
        let other_template = last_year_forms()
            .find(|t| *t != template.id)
            .map(str::to_string);
        let by_label = !same_form && labels.is_some();
        let labels_of: Box<dyn Iterator<Item = Option<(&str, &str, &str)>>> = match &labels {
            Some((t, r, c)) => Box::new(
                t.iter()
                    .zip(r.iter())
                    .zip(c.iter())
                    .map(|((t, r), c)| Some((t.unwrap_or(""), r.unwrap_or(""), c.unwrap_or("")))),
            ),
            None => Box::new(std::iter::repeat(None)),
        };
        let mut units: Vec<PastUnit> = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        let mut known = std::collections::HashSet::new();
        let mut unit_at = usize::MAX;
        let records = years
            .iter()
            .zip(templates.iter())
            .zip(districts.iter().zip(townships.iter()))
            .zip(codes.iter().zip(values.iter().zip(rolled_of)))
            .zip(labels_of)
            .zip(optional(&kinds).zip(optional(&paths)));
        for (
            ((((y, form), (district, township)), (code, (value, rolled))), labelled),
            (kind, path),
        ) in records
        {
            let form = form.unwrap_or("");
            if !in_last(y) || (!by_label && form != template.id) {
                continue;
            }
            let (district, township) = (district.unwrap_or(""), township.unwrap_or(""));
            // A unit's records come together: look it up once, not per record.
            let same_unit = units
                .get(unit_at)
                .is_some_and(|u: &PastUnit| u.district == district && u.township == township);
            let n = if same_unit {
                unit_at
            } else {
                let key = (district.to_string(), township.to_string());
                *index.entry(key).or_insert_with(|| {
                    // 贵州省 / 六盘水市 / 水城区 → 水城区, 六盘水市.
                    let chain = match path {
                        Some(path) => {
                            let mut chain: Vec<String> =
                                path.split(" / ").skip(1).map(String::from).collect();
                            chain.reverse();
                            chain
                        }
                        None => vec![district.to_string()],
                    };
                    units.push(PastUnit {
                        district: district.to_string(),
                        township: township.to_string(),
                        values: HashMap::new(),
                        rolled: HashMap::new(),
                        lower: kind == Some(UnitKind::Lower.as_str()),
                        chain,
                    });
                    units.len() - 1
                })
            };
            unit_at = n;
            let key = match labelled {
                Some((t, r, c)) if by_label => label_key(t, r, c),
                _ => code.unwrap_or("").to_string(),
            };
            if let Some(v) = value {
                units[n].values.insert(key.clone(), v);
            }
            if let Some(rolled) = rolled.filter(|r| *r != value) {
                units[n].rolled.insert(key.clone(), rolled);
            }
            known.insert(key);
        }
        if units.is_empty()
            && let Some(other) = other_template
        {
            return Err(fail(format!(
                "其 {last} 年的记录是 {other} 格式，不是 {}；各行无法对照",
                template.id
            )));
        }
        Ok(Previous {
            year: last,
            source: path.display().to_string(),
            units,
            by_label,
            known,
        })
    }
}

/// Which units a return adds up: the whole city's, or one lower office's
/// (`offices`: it, then the offices below it), and by its townships.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    City,
    District {
        offices: &'a [String],
        units: &'a [String],
    },
}

impl Previous {
    /// Last year's values of a return, by cell, as last year's return of
    /// the same office printed them: the sum over the units it summed, each
    /// cell as summed (a total recomputed from its parts), the units a
    /// lower office's own return stood for left out. A district renamed
    /// since is found by its townships. `None` when last year has none of
    /// its units.
    pub fn return_values(&self, template: &Template, scope: Scope) -> Option<Vec<Option<f64>>> {
        let covered: HashSet<&str> = self
            .units
            .iter()
            .filter(|u| u.lower)
            .map(|u| u.district.as_str())
            .collect();
        let units: Vec<&PastUnit> = match scope {
            Scope::City => self
                .units
                .iter()
                .filter(|u| u.summed_into(None, &covered))
                .collect(),
            Scope::District { offices, units } => {
                let office = offices.first().map(String::as_str);
                let named: Vec<&PastUnit> = self
                    .units
                    .iter()
                    .filter(|u| offices.contains(&u.district))
                    .collect();
                if named.is_empty() {
                    self.units
                        .iter()
                        .filter(|u| units.contains(&u.township))
                        .collect()
                } else {
                    named
                        .into_iter()
                        .filter(|u| u.summed_into(office, &covered))
                        .collect()
                }
            }
        };
        if units.is_empty() {
            return None;
        }
        let values = (0..template.cells().len())
            .map(|cell| {
                let key = self.key(template, cell);
                let found: Vec<f64> = units.iter().filter_map(|u| u.rolled(&key)).collect();
                (!found.is_empty()).then(|| found.iter().sum())
            })
            .collect();
        Some(values)
    }
}

/// The most records last year's file may hold: [`YEARS_KEPT`] years of this
/// year's units, each a form of `cells` cells, with room for units that
/// have since merged or been renamed; never less than [`MIN_RECORDS`], so a
/// small office may still compare with a larger year. The floor is what
/// reads within 1 GiB (BENCHMARKS.md, "Last year's records").
pub(crate) fn record_budget(units: usize, cells: usize) -> usize {
    (units.saturating_mul(2).saturating_add(100))
        .saturating_mul(cells.max(1))
        .saturating_mul(YEARS_KEPT)
        .max(MIN_RECORDS)
}

/// The most bytes a record may take in a records file: twice what
/// records.csv takes (196 MB for 795,800 records, BENCHMARKS.md, "Last
/// year's records").
const BYTES_PER_RECORD: u64 = 512;

/// Years one records file may hold (a run writes one; an analyst may join a few).
const YEARS_KEPT: usize = 3;
const MIN_RECORDS: usize = 1_000_000;

/// How many records a file says it holds, without reading them: a Parquet
/// file's footer, or a CSV file's lines counted a block at a time.
fn declared_rows(path: &Path) -> PolarsResult<usize> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut file = std::fs::File::open(path)?;
    if !is_csv {
        return ParquetReader::new(file).num_rows();
    }
    use std::io::Read;
    let mut block = vec![0u8; 1 << 20];
    let mut lines = 0usize;
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            return Ok(lines.saturating_sub(1));
        }
        lines += memchr::memchr_iter(b'\n', &block[..n]).count();
    }
}

fn read_frame(path: &Path) -> PolarsResult<DataFrame> {
    // Only the columns compared are read: the rest of a national year's
    // records (files, sheets, cells, raw texts) would be held for nothing.
    // Records written before forms had tables have no table, row or column.
    let wanted = [
        columns::YEAR,
        columns::DISTRICT,
        columns::TOWNSHIP,
        columns::CODE,
        columns::TEMPLATE,
        columns::VALUE,
    ];
    // Records of earlier versions lack some of these: read those they have.
    let optional = [
        columns::TABLE,
        columns::ROW,
        columns::COLUMN,
        columns::ROLLUP_VALUE,
        columns::UNIT_KIND,
        columns::OFFICE_PATH,
    ];
    let present = columns_of(path)?;
    let names: Vec<&str> = wanted
        .into_iter()
        .chain(
            optional
                .into_iter()
                .filter(|c| present.iter().any(|p| p == c)),
        )
        .collect();
    read_columns(path, &names)
}

/// The columns a records file has: its header (CSV) or schema (Parquet).
fn columns_of(path: &Path) -> PolarsResult<Vec<String>> {
    let file = std::fs::File::open(path)?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv {
        let schema = ParquetReader::new(file).schema()?;
        return Ok(schema.iter_names().map(|n| n.to_string()).collect());
    }
    use std::io::{BufRead, Read};
    let mut header = Vec::new();
    // The header is a line of short names: a first line longer than this
    // is no records file, and the read that follows says so.
    std::io::BufReader::new(file)
        .take(1 << 16)
        .read_until(b'\n', &mut header)?;
    let header = String::from_utf8_lossy(&header);
    Ok(header
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split(',')
        .map(|c| c.trim_matches('"').to_string())
        .collect())
}

fn read_columns(path: &Path, names: &[&str]) -> PolarsResult<DataFrame> {
    let file = std::fs::File::open(path)?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let names: Vec<PlSmallStr> = names.iter().map(|n| PlSmallStr::from(*n)).collect();
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(None)
            .with_columns(Some(names.into()))
            .into_reader_with_file_handle(file)
            .finish()
    } else {
        ParquetReader::new(file)
            .with_columns(Some(names.iter().map(|n| n.to_string()).collect()))
            .finish()
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
        let last_of = |cell: usize| past.values.get(&previous.key(template, cell)).copied();
        let mut found = |rule: &Rule, code: String, cell: usize, vars: &[(&str, String)]| {
            let message = render(template, rule, cell, values[cell], vars);
            out.push(form.locate(
                sub.rule_issue(rule.severity, &code, message),
                cell,
                template,
            ));
        };
        for rule in template.rules() {
            match rule.check {
                Check::Swing { ratio, at_least } => {
                    for (i, now) in values.iter().enumerate() {
                        let (Some(now), Some(last)) = (*now, last_of(i)) else {
                            continue;
                        };
                        if !template.is_summed(i) || !swung(now, last, ratio, at_least) {
                            continue;
                        }
                        let vars = [
                            ("last", fmt_num(last)),
                            ("last_year", previous.year.to_string()),
                            ("ratio", fmt_num(ratio)),
                        ];
                        let code = format!("{}-{}", rule.code, template.cells()[i].code);
                        found(rule, code, i, &vars);
                    }
                }
                Check::Carried { this, last } => {
                    // Blank is none, this year and last; a cell last year's
                    // form did not have is not compared.
                    if !previous.known.contains(&previous.key(template, last)) {
                        continue;
                    }
                    let now = values[this].unwrap_or(0.0);
                    let then = last_of(last).unwrap_or(0.0);
                    if (now - then).abs() < 1e-6 {
                        continue;
                    }
                    let vars = [
                        ("last", fmt_num(then)),
                        ("last_year", previous.year.to_string()),
                        ("last_label", template.row_of(last).label.clone()),
                    ];
                    found(rule, rule.code.clone(), this, &vars);
                }
                _ => {}
            }
        }
    }
    for (past, _) in previous.units.iter().zip(seen).filter(|(_, s)| !s) {
        out.push(
            Issue::new(
                Code::UnitGone,
                format!(
                    "{}年报送了统计表，本年没有可用的统计表；请确认该单位是否撤并或漏报",
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
