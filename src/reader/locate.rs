//! Finding the form in a workbook by its labels, wherever it is.
//!
//! The form is never found by fixed positions: clerks insert title rows, move
//! the table, put it on a second sheet or beside another table. The column
//! holding the most template labels is the form; its rows are matched to
//! the template in order, so that labels the form repeats (`(二)被依法纠错数`
//! under 行政复议 and again under 行政诉讼) land on the right code.

use std::collections::HashMap;
use std::sync::LazyLock;

use calamine::Data;

use super::grid::Grid;
use super::open::Sheet;
use super::value::{fmt_num, read_cell};
use super::{CellValue, Form, ReadError, footer};
use crate::codes::Code;
use crate::normalize::normalize_label;
use crate::report::{Issue, Severity, cell_name};
use crate::sniff::Format;
use crate::template::Template;

/// Labels that only other statistics forms carry, and what to call them.
const OTHER_FORMS: &[(&str, &str)] = &[
    (
        "本年新制作数量",
        "the national annual-report tables, 2019 format (国办公开办函〔2019〕60号)",
    ),
    (
        "第二十条第（九）项",
        "the national annual-report tables, 2019 format (国办公开办函〔2019〕60号)",
    ),
    (
        "本年制发件数",
        "the national annual-report tables, 2021 format (国办公开办函〔2021〕30号)",
    ),
    (
        "本年收费金额（单位：万元）",
        "the national annual-report tables, 2021 format (国办公开办函〔2021〕30号)",
    ),
    (
        "一、本年新收政府信息公开申请数量",
        "the national annual-report tables (2019 or later)",
    ),
];

/// [`OTHER_FORMS`] with their labels normalized, once.
static OTHER_FORM_KEYS: LazyLock<Vec<(String, &str)>> = LazyLock::new(|| {
    OTHER_FORMS
        .iter()
        .map(|(marker, what)| (normalize_label(marker), *what))
        .collect()
});

/// Where the form sits: the sheet, its column of labels and how many
/// distinct template rows that column names.
#[derive(Clone, Copy)]
struct Candidate {
    sheet: usize,
    label_col: u32,
    matched: usize,
}

pub fn locate(sheets: &[Sheet], format: Format, template: &Template) -> Result<Form, ReadError> {
    let markers = &*OTHER_FORM_KEYS;
    let mut best: Option<Candidate> = None;
    let mut other_form: Option<&str> = None;
    for (s, sheet) in sheets.iter().enumerate() {
        let mut per_col: HashMap<u32, Vec<bool>> = HashMap::new();
        for cell in sheet.grid.cells() {
            let Data::String(text) = &cell.data else {
                continue;
            };
            let key = normalize_label(text);
            if let Some(rows) = template.rows_labelled(&key) {
                let seen = per_col
                    .entry(cell.col)
                    .or_insert_with(|| vec![false; template.rows.len()]);
                for &r in rows {
                    seen[r] = true;
                }
            } else if other_form.is_none() {
                other_form = markers
                    .iter()
                    .find(|(marker, _)| key == *marker)
                    .map(|(_, what)| *what);
            }
        }
        for (col, seen) in per_col {
            let matched = seen.iter().filter(|&&b| b).count();
            let better = best.as_ref().is_none_or(|b| {
                matched > b.matched || (matched == b.matched && (s, col) < (b.sheet, b.label_col))
            });
            if better {
                best = Some(Candidate {
                    sheet: s,
                    label_col: col,
                    matched,
                });
            }
        }
    }

    // A third of the labels is a form with rows missing; fewer is something else.
    let needed = (template.rows.len() / 3).max(3);
    let found = best.filter(|b| b.matched >= needed);
    let Some(found) = found else {
        if let Some(what) = other_form {
            return Err(ReadError::OtherForm {
                template: template.id.clone(),
                what: what.to_string(),
            });
        }
        let closest = match best {
            None if sheets.iter().all(|s| s.grid.is_empty()) => "the workbook is empty".to_string(),
            None => format!("no sheet has any of its {} row labels", template.rows.len()),
            Some(b) => format!(
                "the closest sheet, `{}`, has {} of {} row labels",
                sheets[b.sheet].name,
                b.matched,
                template.rows.len()
            ),
        };
        return Err(ReadError::NoForm {
            template: template.id.clone(),
            closest,
        });
    };
    Ok(read_form(
        &sheets[found.sheet],
        found.label_col,
        format,
        template,
    ))
}

/// A label cell of the form's label column.
struct Label {
    row: u32,
    text: String,
    key: String,
}

fn read_form(sheet: &Sheet, label_col: u32, format: Format, template: &Template) -> Form {
    let grid = &sheet.grid;
    let labels: Vec<Label> = grid
        .cells()
        .iter()
        .filter(|c| c.col == label_col)
        .filter_map(|c| match &c.data {
            Data::String(text) => Some(Label {
                row: c.row,
                key: normalize_label(text),
                text: text.clone(),
            }),
            _ => None,
        })
        .filter(|l| !l.key.is_empty())
        .collect();

    // Rows in order: each label is matched to the next template row with that
    // label, so repeated labels keep their places.
    let mut rows_found: Vec<Option<u32>> = vec![None; template.rows.len()];
    let mut unmatched: Vec<&Label> = Vec::new();
    let mut next = 0;
    for label in &labels {
        match (next..template.rows.len()).find(|&i| template.rows[i].key == label.key) {
            Some(i) => {
                rows_found[i] = Some(label.row);
                next = i + 1;
            }
            None => unmatched.push(label),
        }
    }
    let first = rows_found.iter().flatten().min().copied().unwrap_or(0);
    let last = rows_found.iter().flatten().max().copied().unwrap_or(0);
    unmatched.retain(|l| l.row > first && l.row < last);

    let mut notes = Vec::new();
    let mut unknown = Vec::new();
    for label in unmatched {
        match closest_row(label, &rows_found, template) {
            Some((i, distance)) => {
                rows_found[i] = Some(label.row);
                let row = &template.rows[i];
                notes.push(
                    Issue::new(
                        Severity::Warning,
                        Code::FormLabelTypo,
                        format!(
                            "row label `{}` differs from the template's {} `{}` by {distance} character{}; it was read as {}",
                            label.text.trim(),
                            row.code,
                            row.label,
                            if distance == 1 { "" } else { "s" },
                            row.code
                        ),
                    )
                    .at(&sheet.name, &cell_name(label.row, label_col))
                    .row(&row.code),
                );
            }
            None => unknown.push(label),
        }
    }

    let value_col = value_column(grid, label_col, first, &rows_found);
    let mut values = Vec::with_capacity(template.rows.len());
    for (i, found) in rows_found.iter().enumerate() {
        let Some(r) = *found else {
            values.push(None);
            continue;
        };
        let reading = read_cell(grid.cell(r, value_col), grid);
        if let Some((severity, code, text)) = &reading.note {
            let row = &template.rows[i];
            notes.push(
                Issue::new(
                    *severity,
                    *code,
                    format!("{} {}: {text}", row.code, row.label),
                )
                .at(&sheet.name, &cell_name(r, value_col))
                .row(&row.code),
            );
        }
        values.push(Some(CellValue::new(
            reading.value,
            reading.raw,
            reading.read_as,
            r,
            value_col,
        )));
    }

    let missing: Vec<&str> = (0..template.rows.len())
        .filter(|&i| rows_found[i].is_none())
        .map(|i| template.rows[i].code.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(
            Issue::new(
                Severity::Warning,
                Code::FormRowsMissing,
                format!(
                    "the form lacks {} of the template's rows: {}",
                    missing.len(),
                    missing.join(", ")
                ),
            )
            .at(&sheet.name, ""),
        );
    }
    for label in unknown {
        let value = match grid.get(label.row, value_col) {
            Some(Data::Float(f)) => format!(" (it holds {})", fmt_num(*f)),
            Some(Data::Int(i)) => format!(" (it holds {i})"),
            _ => String::new(),
        };
        notes.push(
            Issue::new(
                Severity::Warning,
                Code::FormRowUnknown,
                format!(
                    "row `{}` is not in the template; its value is not used{value}",
                    label.text.trim()
                ),
            )
            .at(&sheet.name, &cell_name(label.row, label_col)),
        );
    }

    let footer = footer::read(grid, last, template);
    if footer.date.is_none()
        && let Some((_, text)) = footer
            .fields
            .iter()
            .find(|(k, v)| k == "填报日期" && !v.is_empty())
    {
        notes.push(
            Issue::new(
                Severity::Info,
                Code::FooterDate,
                format!(
                    "填报日期 `{text}` is not a date gongkai can read; write it as 2019年2月18日"
                ),
            )
            .at(&sheet.name, ""),
        );
    }
    Form {
        format,
        sheet: sheet.name.clone(),
        values,
        unit_name: footer::unit_name(grid, first),
        footer: footer.fields,
        date: footer.date,
        notes,
    }
}

/// The template row an unmatched label was meant to be: a row not yet found,
/// between the rows found above and below it, whose label differs by a
/// character or two (two only for long labels). Ties are not guessed.
fn closest_row(
    label: &Label,
    rows_found: &[Option<u32>],
    template: &Template,
) -> Option<(usize, usize)> {
    let above = rows_found
        .iter()
        .rposition(|r| r.is_some_and(|r| r < label.row))
        .map_or(0, |i| i + 1);
    let below = rows_found
        .iter()
        .position(|r| r.is_some_and(|r| r > label.row))
        .unwrap_or(rows_found.len());
    let allowed = if label.key.chars().count() >= 12 {
        2
    } else {
        1
    };
    let mut best: Option<(usize, usize)> = None;
    let mut tie = false;
    for (i, found) in rows_found.iter().enumerate().take(below).skip(above) {
        if found.is_some() {
            continue;
        }
        let distance = strsim::levenshtein(&label.key, &template.rows[i].key);
        if distance > allowed {
            continue;
        }
        match best {
            Some((_, d)) if d == distance => tie = true,
            Some((_, d)) if d < distance => {}
            _ => {
                best = Some((i, distance));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie)
}

/// The column of values: under the `统计数` header nearest the labels when
/// there is one, otherwise the column right of the labels holding the most
/// numbers.
fn value_column(grid: &Grid, label_col: u32, first_row: u32, rows: &[Option<u32>]) -> u32 {
    let header = grid
        .cells()
        .iter()
        .take_while(|c| c.row <= first_row)
        .filter(|c| c.col > label_col)
        .filter(|c| matches!(&c.data, Data::String(s) if normalize_label(s) == "统计数"))
        .map(|c| c.col)
        .min();
    if let Some(c) = header {
        return c;
    }
    let numbers_in = |c: u32| {
        rows.iter()
            .flatten()
            .filter(|&&r| read_cell(grid.cell(r, c), grid).value.is_some())
            .count()
    };
    (label_col + 1..=label_col + 3)
        .max_by_key(|&c| (numbers_in(c), std::cmp::Reverse(c)))
        .unwrap_or(label_col + 2)
}
