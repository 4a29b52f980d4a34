//! The return forms and the analyst workbook.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::form::{FormContent, write_form};
use super::{WriteError, save_workbook};
use crate::assign::{FileStatus, Submission};
use crate::report::{Issue, Severity};
use crate::rollup::Return;
use crate::run::{RunInfo, StatusRow};
use crate::template::Template;

fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> WriteError + '_ {
    move |source| WriteError::Xlsx {
        path: path.display().to_string(),
        source,
    }
}

fn return_content<'a>(ret: &'a Return, year: i32, with_counts: bool) -> FormContent<'a> {
    let scope = if ret.level == "city" {
        "全市"
    } else {
        "全区(县)"
    };
    FormContent {
        unit_line: format!(
            "填报单位:{}        {}年度        ({scope}汇总 {} 个乡镇(街道))",
            ret.name,
            year,
            ret.units.len()
        ),
        values: &ret.values,
        footer: ["单位负责人", "审核人", "填报人", "联系电话", "填报日期"]
            .iter()
            .map(|k| (k.to_string(), String::new()))
            .collect(),
        extra: with_counts.then_some(("报送单位数", ret.reporting.as_slice())),
    }
}

/// `<name>_<year>_统计表.xlsx`: one return alone, ready to print and send up.
pub fn write_return(
    path: &Path,
    template: &Template,
    ret: &Return,
    year: i32,
) -> Result<(), WriteError> {
    let mut wb = Workbook::new();
    let ws = wb
        .add_worksheet()
        .set_name("统计表")
        .map_err(xlsx_error(path))?;
    write_form(ws, template, &return_content(ret, year, false)).map_err(xlsx_error(path))?;
    save_workbook(&mut wb, path)
}

/// A blank form, exactly the layout the reader expects, for townships to fill in.
pub fn write_blank(path: &Path, template: &Template) -> Result<(), WriteError> {
    let mut wb = Workbook::new();
    let ws = wb
        .add_worksheet()
        .set_name("统计表")
        .map_err(xlsx_error(path))?;
    let values = vec![None; template.rows.len()];
    let content = FormContent {
        unit_line: "填报单位:".into(),
        values: &values,
        footer: template
            .footer
            .iter()
            .map(|k| (k.clone(), String::new()))
            .collect(),
        extra: None,
    };
    write_form(ws, template, &content).map_err(xlsx_error(path))?;
    save_workbook(&mut wb, path)
}

/// What the analyst workbook is made of.
pub struct Analysis<'a> {
    pub info: &'a RunInfo,
    pub template: &'a Template,
    pub districts: &'a [Return],
    pub city: &'a Return,
    pub submissions: &'a [Submission],
    pub issues: &'a [Issue],
    pub status: &'a [StatusRow],
}

/// `<city>_<year>_汇总.xlsx`.
pub fn write_analysis(path: &Path, a: &Analysis) -> Result<(), WriteError> {
    let err = xlsx_error(path);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);

    let ws = wb.add_worksheet().set_name("说明").map_err(&err)?;
    ws.write_string_with_format(0, 0, "政府信息公开情况统计 汇总", &bold)
        .map_err(&err)?;
    for (r, (k, v)) in a.info.describe().iter().enumerate() {
        ws.write_string(r as u32 + 2, 0, k).map_err(&err)?;
        ws.write_string(r as u32 + 2, 1, v).map_err(&err)?;
    }
    ws.set_column_width(0, 22).map_err(&err)?;
    ws.set_column_width(1, 80).map_err(&err)?;

    let ws = wb.add_worksheet().set_name("全市").map_err(&err)?;
    write_form(ws, a.template, &return_content(a.city, a.info.year, true)).map_err(&err)?;
    for d in a.districts {
        let ws = wb
            .add_worksheet()
            .set_name(sheet_name(&d.name))
            .map_err(&err)?;
        write_form(ws, a.template, &return_content(d, a.info.year, true)).map_err(&err)?;
    }

    let ws = wb.add_worksheet().set_name("乡镇明细").map_err(&err)?;
    details(ws, a, &head).map_err(&err)?;
    let ws = wb.add_worksheet().set_name("校验").map_err(&err)?;
    findings(ws, a.issues, &head).map_err(&err)?;
    let ws = wb.add_worksheet().set_name("报送情况").map_err(&err)?;
    status(ws, a.status, &head).map_err(&err)?;
    save_workbook(&mut wb, path)
}

/// Excel forbids `[]:*?/\` in sheet names and allows 31 characters.
fn sheet_name(name: &str) -> String {
    name.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

/// One row per township, one column per indicator (reported values).
fn details(ws: &mut Worksheet, a: &Analysis, head: &Format) -> Result<(), XlsxError> {
    let fixed = ["区县", "乡镇(街道)", "文件"];
    for (c, name) in fixed.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, "", head)?;
        ws.write_string_with_format(1, c as u16, *name, head)?;
    }
    let first = fixed.len() as u16;
    for (i, row) in a.template.rows.iter().enumerate() {
        ws.write_string_with_format(0, first + i as u16, &row.code, head)?;
        ws.write_string_with_format(1, first + i as u16, &row.label, head)?;
        ws.set_column_width(first + i as u16, 10)?;
    }
    let mut r = 2;
    for sub in a
        .submissions
        .iter()
        .filter(|s| s.status == FileStatus::Used)
    {
        let Some(form) = sub.form() else { continue };
        ws.write_string(r, 0, &sub.district)?;
        ws.write_string(r, 1, &sub.township)?;
        ws.write_string(r, 2, &sub.found.shown)?;
        for (i, v) in form.values.iter().enumerate() {
            if let Some(value) = v.as_ref().and_then(|c| c.value) {
                ws.write_number(r, first + i as u16, value)?;
            }
        }
        r += 1;
    }
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 30)?;
    ws.set_freeze_panes(2, first)?;
    ws.autofilter(1, 0, r.max(2) - 1, first + a.template.rows.len() as u16 - 1)?;
    Ok(())
}

/// A plain table: a header row, frozen and filterable, one row per item.
fn table(
    ws: &mut Worksheet,
    head: &Format,
    columns: &[(&str, u16)],
    rows: &[Vec<&str>],
) -> Result<(), XlsxError> {
    for (c, (name, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, head)?;
        ws.set_column_width(c as u16, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, columns.len() as u16 - 1)?;
    Ok(())
}

fn findings(ws: &mut Worksheet, issues: &[Issue], head: &Format) -> Result<(), XlsxError> {
    let columns = [
        ("级别", 8),
        ("区县", 10),
        ("乡镇(街道)", 22),
        ("文件", 30),
        ("工作表", 10),
        ("单元格", 8),
        ("规则", 20),
        ("说明", 90),
    ];
    let rows: Vec<Vec<&str>> = issues
        .iter()
        .map(|i| {
            vec![
                i.severity.label_zh(),
                &i.district,
                &i.township,
                &i.file,
                &i.sheet,
                &i.cell,
                &i.code,
                &i.message,
            ]
        })
        .collect();
    table(ws, head, &columns, &rows)?;
    // Errors and warnings stand out when the sheet is scrolled.
    for (r, issue) in issues.iter().enumerate() {
        let fill = match issue.severity {
            Severity::Error => 0xF8CBAD,
            Severity::Warning => 0xFFF2CC,
            Severity::Info => continue,
        };
        let format = Format::new().set_background_color(Color::RGB(fill));
        ws.write_string_with_format(r as u32 + 1, 0, issue.severity.label_zh(), &format)?;
    }
    Ok(())
}

fn status(ws: &mut Worksheet, rows: &[StatusRow], head: &Format) -> Result<(), XlsxError> {
    let columns = [
        ("区县", 10),
        ("乡镇(街道)", 22),
        ("报送情况", 10),
        ("文件", 34),
        ("填报人", 10),
        ("联系电话", 16),
        ("填报日期", 12),
        ("如何识别", 40),
        ("SHA-256", 20),
    ];
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|s| {
            vec![
                &s.district,
                &s.township,
                s.status_zh(),
                &s.file,
                &s.filler,
                &s.phone,
                &s.date,
                &s.matched,
                &s.sha256,
            ]
        })
        .collect();
    table(ws, head, &columns, &rows)
}
