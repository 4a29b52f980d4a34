//! The analyst workbook: 概览, 说明, the returns, 乡镇明细, 报送情况 and 校验.

use crate::output::remarks::{Finding, remarks};
use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatBorder, Url, Workbook, Worksheet, XlsxError};

mod overview;

use super::form::write_form;
use super::names::numbered;
use super::returns::{return_content, xlsx_error};
use super::{Saved, WriteError, save_workbook};
use crate::audit::units::{FileStatus, Submission};
use crate::findings::{Issue, Severity, cell_name};
use crate::form::Template;
use crate::output::summary::{RunInfo, StatusRow, UnitStatus};
use crate::rollup::Return;
use crate::text::fit_cell;

/// What the analyst workbook is made of.
pub struct Analysis<'a> {
    pub info: &'a RunInfo,
    pub template: &'a Template,
    pub districts: &'a [Return],
    pub city: &'a Return,
    /// The sums of each kind of unit present, for 概览's subtotals.
    pub by_kind: &'a [(crate::form::UnitKind, Vec<Option<f64>>)],
    pub submissions: &'a [Submission],
    pub issues: &'a [Issue],
    pub status: &'a [StatusRow],
    /// The city's values in earlier years of the same form, oldest first.
    pub past: &'a [(i32, Vec<Option<f64>>)],
}

/// `<city>_<year>_汇总.xlsx`.
pub fn write_analysis(path: &Path, a: &Analysis) -> Result<Saved, WriteError> {
    let err = xlsx_error(path);
    let mut wb = Workbook::new();
    // The sheets streamed to disk go beside the workbook, on the disk the
    // outputs are written to, not to TMPDIR (which may be small, or full).
    if let Some(dir) = path.parent() {
        wb.set_tempdir(dir).map_err(&err)?;
    }
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);

    let ws = wb.add_worksheet().set_name(overview::SHEET).map_err(&err)?;
    overview::overview(ws, a, &head).map_err(&err)?;

    let ws = wb.add_worksheet().set_name("说明").map_err(&err)?;
    let heading = format!(
        "{}{}年度 {} 汇总",
        a.city.name, a.info.year, a.template.title
    );
    ws.write_string_with_format(0, 0, &heading, &bold)
        .map_err(&err)?;
    for (r, (k, v)) in a.info.describe().iter().enumerate() {
        ws.write_string(r as u32 + 2, 0, fit_cell(k))
            .map_err(&err)?;
        ws.write_string(r as u32 + 2, 1, fit_cell(v))
            .map_err(&err)?;
    }
    ws.set_column_width(0, 22).map_err(&err)?;
    ws.set_column_width(1, 80).map_err(&err)?;
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 1);

    // A one-column form shows how many units reported each row beside it;
    // on the national matrices those counts are in run.json.
    let counts = a.template.is_single_column();
    let found: Vec<Finding> = a.issues.iter().map(Finding::from).collect();
    let notes = |ret: &Return| remarks(a.template, ret, &found);
    let whole = crate::input::roster::area_word(&a.city.name);
    let ws = wb.add_worksheet().set_name(whole).map_err(&err)?;
    write_form(
        ws,
        a.template,
        &return_content(a.template, a.city, a.info.year, counts, notes(a.city)),
    )
    .map_err(&err)?;
    let mut names =
        SheetNames::reserving(&[overview::SHEET, "说明", whole, DETAILS, "校验", "报送情况"]);
    for d in a.districts {
        let ws = wb
            .add_worksheet()
            .set_name(names.unique(&d.name))
            .map_err(&err)?;
        write_form(
            ws,
            a.template,
            &return_content(a.template, d, a.info.year, counts, notes(d)),
        )
        .map_err(&err)?;
    }

    // The two sheets with a row per unit (40,000 at national scale) are
    // streamed to disk as they are written instead of held in memory.
    let ws = wb
        .add_worksheet_with_constant_memory()
        .and_then(|ws| ws.set_name(DETAILS))
        .map_err(&err)?;
    let rows = details(ws, a, &head).map_err(&err)?;
    let ws = wb.add_worksheet().set_name("校验").map_err(&err)?;
    findings(ws, a, &rows, &head).map_err(&err)?;
    let ws = wb
        .add_worksheet_with_constant_memory()
        .and_then(|ws| ws.set_name("报送情况"))
        .map_err(&err)?;
    status(ws, a.status, &head).map_err(&err)?;
    save_workbook(&mut wb, path)
}

/// Sheet names for the districts, each one Excel, WPS and LibreOffice
/// accept: without `[]:*?/\`, not starting or ending with `'`, at most 31
/// characters, and none the same as another's or a fixed sheet's when case
/// is ignored (`(2)`, `(3)` … where two would be). A district's name never
/// stops the workbook from being written.
struct SheetNames {
    /// The names taken, in lower case.
    taken: std::collections::HashSet<String>,
}

/// The most characters a sheet name has.
const SHEET_CHARS: usize = 31;

impl SheetNames {
    fn reserving(fixed: &[&str]) -> SheetNames {
        SheetNames {
            taken: fixed.iter().map(|n| n.to_lowercase()).collect(),
        }
    }

    fn unique(&mut self, name: &str) -> String {
        let clean: String = name
            .chars()
            .map(|c| {
                if "[]:*?/\\".contains(c) || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let clean = clean.trim().trim_matches('\'');
        let clean = if clean.is_empty() { "区县" } else { clean };
        let name = numbered(
            |suffix| {
                let room = SHEET_CHARS - suffix.chars().count();
                let base: String = clean.chars().take(room).collect();
                format!("{}{suffix}", base.trim_end_matches('\''))
            },
            |n| !self.taken.contains(&n.to_lowercase()),
        );
        self.taken.insert(name.to_lowercase());
        name
    }
}

const DETAILS: &str = "乡镇明细";

/// The first 乡镇明细 column holding an indicator.
const FIRST_VALUE_COLUMN: u16 = 3;

/// One row per township, one column per template cell (reported values),
/// under header rows that name each cell: its code and label on a
/// one-column form; its code, table, row and column on the national tables.
/// Returns the row each used file is on, for the links of 校验.
fn details<'a>(
    ws: &mut Worksheet,
    a: &'a Analysis,
    head: &Format,
) -> Result<HashMap<&'a str, u32>, XlsxError> {
    let mut at = HashMap::new();
    let t = a.template;
    // The sheet is streamed to disk, so it is written row by row: the
    // header rows, then a row per township.
    type Name = fn(&Template, usize) -> &str;
    let mut names: Vec<Name> = vec![|t, i| &t.cells()[i].code];
    if t.is_single_column() {
        names.push(|t, i| &t.row_of(i).label);
    } else {
        names.push(|t, i| t.table_title(i));
        names.push(|t, i| &t.row_of(i).label);
        names.push(|t, i| &t.column_of(i).label);
    }
    let fixed = ["区县", "乡镇（街道）", "文件"];
    let first = FIRST_VALUE_COLUMN;
    let header_rows = names.len() as u32;
    for (r, name) in names.iter().enumerate() {
        let r = r as u32;
        for (c, text) in fixed.iter().enumerate() {
            let text = if r + 1 == header_rows { text } else { "" };
            ws.write_string_with_format(r, c as u16, text, head)?;
        }
        for i in 0..t.cells().len() {
            ws.write_string_with_format(r, first + i as u16, name(t, i), head)?;
            if r == 0 {
                ws.set_column_width(first + i as u16, 10)?;
            }
        }
    }
    let mut r = header_rows;
    for sub in a
        .submissions
        .iter()
        .filter(|s| s.status == FileStatus::Used)
    {
        let Some(form) = sub.form() else { continue };
        at.insert(sub.found.shown.as_str(), r);
        ws.write_string(r, 0, fit_cell(&sub.district))?;
        ws.write_string(r, 1, fit_cell(&sub.township))?;
        ws.write_string(r, 2, fit_cell(&sub.found.shown))?;
        for (i, v) in form.values.iter().enumerate() {
            if let Some(value) = v.as_ref().and_then(crate::read::CellValue::value) {
                ws.write_number(r, first + i as u16, value)?;
            }
        }
        r += 1;
    }
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 30)?;
    ws.set_freeze_panes(header_rows, first)?;
    ws.autofilter(
        header_rows - 1,
        0,
        r.max(header_rows) - 1,
        first + t.cells().len() as u16 - 1,
    )?;
    // A column per value cell is hundreds wide: printed at a scale that can
    // be read, pages across, each with the header rows and the unit's
    // columns repeated, rather than squeezed onto one illegible page.
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_scale(70);
    ws.set_repeat_rows(0, header_rows - 1)?;
    ws.set_repeat_columns(0, first - 1)?;
    Ok(at)
}

/// A cell of a plain table.
enum Cell<'a> {
    Text(&'a str),
    /// A text made for the cell, or borrowed when nothing had to be made.
    Made(std::borrow::Cow<'a, str>),
    Number(usize),
}

/// A plain table: a header row, frozen and filterable, one row per item,
/// each row in its own format.
fn table(
    ws: &mut Worksheet,
    head: &Format,
    columns: &[(&str, u16)],
    rows: &[(Vec<Cell>, Format)],
) -> Result<(), XlsxError> {
    for (c, (name, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, head)?;
        ws.set_column_width(c as u16, *width)?;
    }
    for (r, (row, format)) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Text(text) => ws.write_string_with_format(r, c, fit_cell(text), format)?,
                Cell::Made(text) => ws.write_string_with_format(r, c, fit_cell(text), format)?,
                Cell::Number(n) => ws.write_number_with_format(r, c, *n as f64, format)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, columns.len() as u16 - 1)?;
    print_wide(ws, 1)
}

/// A4 landscape, one page wide, the first `header_rows` on every page.
fn print_wide(ws: &mut Worksheet, header_rows: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, header_rows - 1)?;
    Ok(())
}

/// Errors red, warnings yellow, explained findings green, notes plain;
/// each wrapped.
fn finding_format(issue: &Issue) -> Format {
    // Messages wrap in their column instead of running past it, on screen
    // and on paper.
    let wrapped = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let fill = match (issue.severity, &issue.explained) {
        (Severity::Info, _) => return wrapped,
        (_, Some(_)) => 0xE2EFDA,
        (Severity::Error, None) => 0xF8CBAD,
        (Severity::Warning, None) => 0xFFF2CC,
    };
    wrapped.set_background_color(Color::RGB(fill))
}

/// 校验: every finding, errors first, then by unit (the order of the run),
/// each with a link to its value in 乡镇明细 where it has one.
fn findings(
    ws: &mut Worksheet,
    a: &Analysis,
    detail_rows: &HashMap<&str, u32>,
    head: &Format,
) -> Result<(), XlsxError> {
    let columns = [
        ("级别", 8),
        ("区县", 10),
        ("乡镇（街道）", 22),
        ("规则", 16),
        ("说明", 90),
        ("已说明", 30),
        ("文件", 30),
        ("原表单元格", 18),
        ("乡镇明细", 14),
    ];
    let places: Vec<String> = a
        .issues
        .iter()
        .map(|i| match (&i.sheet, &i.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
            (sheet, _) => sheet.clone().unwrap_or_default(),
        })
        .collect();
    let rows: Vec<(Vec<Cell>, Format)> = a
        .issues
        .iter()
        .zip(&places)
        .map(|(i, place)| {
            let cells = vec![
                Cell::Text(i.severity.label_zh()),
                Cell::Text(i.district.as_deref().unwrap_or_default()),
                Cell::Text(i.township.as_deref().unwrap_or_default()),
                Cell::Text(i.code.as_str()),
                Cell::Text(&i.message),
                Cell::Text(i.explained.as_deref().unwrap_or("")),
                Cell::Text(i.file.as_deref().unwrap_or_default()),
                Cell::Text(place),
            ];
            (cells, finding_format(i))
        })
        .collect();
    table(ws, head, &columns, &rows)?;
    let link_column = columns.len() as u16 - 1;
    for (r, issue) in a.issues.iter().enumerate() {
        let Some(&detail_row) = issue.file.as_deref().and_then(|f| detail_rows.get(f)) else {
            continue;
        };
        let row = issue.row.as_deref().unwrap_or_default();
        let column = a
            .template
            .find_cell(row, issue.column.as_deref().unwrap_or_default())
            .map_or(0, |i| FIRST_VALUE_COLUMN + i as u16);
        let target = cell_name(detail_row, column as u32);
        let link = Url::new(format!("internal:'{DETAILS}'!{target}"));
        ws.write_url_with_text(r as u32 + 1, link_column, link, target)?;
    }
    Ok(())
}

fn status(ws: &mut Worksheet, rows: &[StatusRow], head: &Format) -> Result<(), XlsxError> {
    let columns = [
        ("上级", 10),
        ("单位", 22),
        ("类别", 12),
        ("报送情况", 10),
        ("错误", 6),
        ("警告", 6),
        ("已说明", 7),
        ("文件", 34),
        ("填报人", 10),
        ("联系电话", 16),
        ("填报日期", 12),
        ("如何识别", 40),
        ("SHA-256", 20),
    ];
    let rows: Vec<(Vec<Cell>, Format)> = rows
        .iter()
        .map(|s| {
            let fill = match s.status {
                UnitStatus::Submitted | UnitStatus::Duplicate if s.errors > s.explained => {
                    Some(0xF8CBAD)
                }
                UnitStatus::Submitted | UnitStatus::Covered => None,
                UnitStatus::Duplicate | UnitStatus::NotInRoster => Some(0xFFF2CC),
                UnitStatus::Missing | UnitStatus::Rejected => Some(0xF8CBAD),
            };
            let format = fill.map_or_else(Format::new, |f| {
                Format::new().set_background_color(Color::RGB(f))
            });
            let cells = vec![
                Cell::Made(s.office_shown()),
                Cell::Text(&s.township),
                Cell::Text(s.kind.label()),
                Cell::Text(s.status.label_zh()),
                Cell::Number(s.errors),
                Cell::Number(s.warnings),
                Cell::Number(s.explained),
                Cell::Text(&s.file),
                Cell::Text(&s.filler),
                Cell::Text(&s.phone),
                Cell::Text(&s.date),
                Cell::Text(&s.matched),
                Cell::Text(&s.sha256),
            ];
            (cells, format)
        })
        .collect();
    table(ws, head, &columns, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_district_gets_a_sheet_name_of_its_own_that_excel_accepts() {
        let mut names = SheetNames::reserving(&["说明", "全市"]);
        let long = "甲".repeat(40);
        let given = [
            "说明", "abc", "ABC", "甲[乙", "甲]乙", "'x'", &long, &long, "", "全市",
        ];
        let got: Vec<String> = given.iter().map(|n| names.unique(n)).collect();
        assert_eq!(got[0], "说明(2)");
        assert_eq!((got[1].as_str(), got[2].as_str()), ("abc", "ABC(2)"));
        assert_eq!((got[3].as_str(), got[4].as_str()), ("甲_乙", "甲_乙(2)"));
        assert_eq!(got[5], "x");
        assert_eq!(got[6].chars().count(), 31);
        assert_eq!(got[7], format!("{}(2)", "甲".repeat(28)));
        assert_eq!(got[8], "区县");
        assert_eq!(got[9], "全市(2)");
        let mut seen = std::collections::HashSet::new();
        for name in &got {
            assert!(seen.insert(name.to_lowercase()), "{name} twice");
            assert!(name.chars().count() <= 31 && !name.starts_with('\''));
        }
    }
}
