//! The form in its official layout, from the template alone: title, 填报单位
//! line, then each printed part (the 2018 form's one table; the national
//! 表二 with its blocks, 表三, 表四) with its merged multi-level headers, its
//! merged row groups, values as numbers, and the signature lines; A4, fitted
//! to the page, landscape where a part is wide. The same layout serves the
//! district and city returns, the blank form townships fill in, the analyst
//! copies and the synthetic forms of `gongkai demo`, and it is exactly what
//! the reader finds.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::layout::{self, Content, PartLayout, Reporting, Role};
use super::{WriteError, save_workbook};
use crate::form::{Template, ValueType};

/// What goes into one form besides the template.
pub struct FormContent<'a> {
    /// `填报单位:` and what follows.
    pub unit_line: String,
    /// One value per template cell.
    pub values: &'a [Option<f64>],
    /// Footer fields (name, value) in the template's order; empty values leave
    /// a line to sign on.
    pub footer: Vec<(String, String)>,
    /// A column after the values, e.g. how many units reported each row
    /// (analyst copy of a one-column form only).
    pub extra: Option<(&'a str, &'a [u32])>,
    /// Values typed as text, the way clerks type them (`33条`), by cell
    /// index; they replace the number of that cell.
    pub typed: Vec<(usize, String)>,
    /// 备注 under the form, above the signature lines: a return's
    /// relations that its units' forms break (see `remarks`).
    pub notes: Vec<String>,
}

/// Column widths of the tables (in characters of the default font): the
/// merged row groups narrow, the rows' own labels wide, the values.
const GROUP_WIDTH: f64 = 10.0;
const LABEL_WIDTH: f64 = 36.0;
const VALUE_WIDTH: f64 = 10.0;
/// The height of one line of text, in points.
const LINE_HEIGHT: f64 = 15.0;

/// The formats of a form, made once per sheet.
struct Formats {
    title: Format,
    part: Format,
    plain: Format,
    header: Format,
    label: Format,
    heading: Format,
    group: Format,
    unit: Format,
    count: Format,
    money: Format,
}

impl Formats {
    fn of(&self, role: Role) -> &Format {
        match role {
            Role::Caption | Role::Header => &self.header,
            Role::Group => &self.group,
            Role::Label => &self.label,
            Role::Heading => &self.heading,
            Role::Unit => &self.unit,
            Role::Value(ValueType::Money) => &self.money,
            Role::Value(ValueType::Count | ValueType::Signed) | Role::Reporting => &self.count,
        }
    }

    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let label = cell.clone().set_text_wrap();
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            part: Format::new().set_bold().set_font_size(12),
            plain: Format::new().set_align(FormatAlign::VerticalCenter),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E1F2)),
            heading: label.clone().set_bold(),
            group: label.clone().set_align(FormatAlign::Center),
            label,
            unit: cell.clone().set_align(FormatAlign::Center),
            count: cell.clone().set_num_format("0"),
            money: cell.set_num_format("0.00##"),
        }
    }
}

/// Writes `text` over a range, merged when it is more than one cell.
fn put(
    ws: &mut Worksheet,
    (r0, c0): (u32, u16),
    (r1, c1): (u32, u16),
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if (r0, c0) == (r1, c1) {
        ws.write_string_with_format(r0, c0, text, format)?;
    } else {
        ws.merge_range(r0, c0, r1, c1, text, format)?;
    }
    Ok(())
}

/// The whole form on one sheet, parts one below another.
pub fn write_form(
    ws: &mut Worksheet,
    template: &Template,
    content: &FormContent,
) -> Result<(), XlsxError> {
    let f = Formats::new();
    let parts = layout::parts(template, reporting(content));
    let width = parts.iter().map(|p| p.width).max().unwrap_or(1);
    let mut r = heading(ws, template, content, width, &f)?;
    // Each printed part on a page of its own, the last with the 备注 and
    // the signature lines under it.
    let mut breaks = Vec::new();
    let labels = parts.iter().map(|p| p.labels).max().unwrap_or(0);
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            r += 1;
            breaks.push(r);
        }
        // A part without row labels (表四's one row) keeps its columns.
        let shift = if part.labels == 0 {
            0
        } else {
            labels - part.labels
        };
        r = write_part(ws, template, part, content, (r, shift), &f)?;
    }
    let r = notes(ws, content, r + 1, width, &f)?;
    signatures(ws, content, r, width, &f)?;
    set_widths(ws, template, &parts, content)?;
    ws.set_page_breaks(&breaks)?;
    page(ws, width, template.is_single_column())
}

/// The form with each printed part on a sheet of its own (表二, 表三, 表四),
/// so each prints on its own page in its own orientation: the returns. A
/// one-part form is one sheet named `统计表`.
pub fn write_form_by_part(
    wb: &mut Workbook,
    template: &Template,
    content: &FormContent,
) -> Result<(), XlsxError> {
    let parts = layout::parts(template, reporting(content));
    if parts.len() == 1 {
        return write_form(wb.add_worksheet().set_name("统计表")?, template, content);
    }
    let f = Formats::new();
    for (n, part) in parts.iter().enumerate() {
        let ws = wb.add_worksheet().set_name(part_sheet_name(part.title))?;
        let width = part.width;
        let r = heading(ws, template, content, width, &f)?;
        let r = write_part(ws, template, part, content, (r, 0), &f)?;
        if n + 1 == parts.len() {
            let r = notes(ws, content, r + 1, width, &f)?;
            signatures(ws, content, r, width, &f)?;
        }
        set_widths(ws, template, std::slice::from_ref(part), content)?;
        page(ws, width, false)?;
    }
    Ok(())
}

fn reporting(content: &FormContent) -> Reporting {
    if content.extra.is_some() {
        Reporting::Shown
    } else {
        Reporting::Hidden
    }
}

/// `二、主动公开政府信息情况` → `表二`.
fn part_sheet_name(title: &str) -> String {
    match title.split_once('、') {
        Some((number, _)) => format!("表{number}"),
        None => title.chars().take(31).collect(),
    }
}

/// Title and 填报单位 line; returns the next free row.
fn heading(
    ws: &mut Worksheet,
    template: &Template,
    content: &FormContent,
    width: u16,
    f: &Formats,
) -> Result<u32, XlsxError> {
    put(ws, (0, 0), (0, width - 1), &template.title, &f.title)?;
    ws.set_row_height(0, 30)?;
    put(ws, (1, 0), (1, width - 1), &content.unit_line, &f.plain)?;
    Ok(2)
}

/// One part from row `r`: its title, then its laid-out tables. Returns the
/// row after it.
/// Writes one printed part from row `r`. `shift`: label columns the part
/// lacks against the widest part on its sheet (表二's one beside 表三's
/// three): its innermost label spans them, and its values move right to
/// stand under the other parts' values.
fn write_part(
    ws: &mut Worksheet,
    template: &Template,
    part: &PartLayout,
    content: &FormContent,
    (mut r, shift): (u32, u16),
    f: &Formats,
) -> Result<u32, XlsxError> {
    if !part.title.is_empty() {
        put(ws, (r, 0), (r, part.width - 1 + shift), part.title, &f.part)?;
        r += 1;
    }
    let shifted = |left: u16, right: u16| {
        let labels = part.labels;
        match (left < labels, right + 1 < labels) {
            (true, true) => (left, right),
            (true, false) => (left, right + shift),
            (false, _) => (left + shift, right + shift),
        }
    };
    for p in &part.cells {
        let (top, bottom) = (r + p.top, r + p.bottom);
        let (left, right) = shifted(p.left, p.right);
        let p = &layout::Placed {
            left,
            right,
            ..p.clone()
        };
        match &p.content {
            Content::Text(text) => {
                put(ws, (top, p.left), (bottom, p.right), text, f.of(p.role))?;
                if p.role == Role::Label {
                    // Spreadsheets do not grow a row for a wrapped label (nor
                    // for one in a merged cell): give a long label (表三's
                    // （六）1 and 2, the 2018 form's 专项经费) its lines.
                    let room = if template.is_single_column() {
                        single_label_width(template)
                    } else {
                        LABEL_WIDTH + f64::from(part.labels - 1 - p.left) * GROUP_WIDTH
                    };
                    let lines = (text.width() as f64 / room).ceil();
                    if lines > 1.0 {
                        ws.set_row_height(top, lines * LINE_HEIGHT)?;
                    }
                }
            }
            Content::Cell(cell) => {
                let num = f.of(p.role);
                let (first, last) = (p.left, p.right);
                if first != last {
                    // The merged value cell: its number in the first cell.
                    ws.merge_range(top, first, top, last, "", num)?;
                }
                let typed = content.typed.iter().find(|(at, _)| at == cell);
                match (typed, content.values.get(*cell).copied().flatten()) {
                    (Some((_, text)), _) => ws.write_string_with_format(top, first, text, num)?,
                    (None, Some(v)) => ws.write_number_with_format(top, first, v, num)?,
                    (None, None) if first == last => ws.write_blank(top, first, num)?,
                    (None, None) => ws,
                };
            }
            Content::Reported(cell) => {
                let n = content
                    .extra
                    .and_then(|(_, counts)| counts.get(*cell).copied())
                    .unwrap_or(0);
                ws.write_number_with_format(top, p.left, f64::from(n), &f.count)?;
            }
        }
    }
    Ok(r + part.rows)
}

/// Signature lines: three names on one line, phone and date on the next,
/// as the official form prints them.
fn signatures(
    ws: &mut Worksheet,
    content: &FormContent,
    r: u32,
    width: u16,
    f: &Formats,
) -> Result<(), XlsxError> {
    let line = |fields: &[(String, String)]| {
        fields
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    format!("{k}：            ")
                } else {
                    format!("{k}：{v}    ")
                }
            })
            .collect::<String>()
            .trim_end()
            .to_string()
    };
    let split = content.footer.len().min(3);
    for (n, part) in [&content.footer[..split], &content.footer[split..]]
        .iter()
        .enumerate()
    {
        if !part.is_empty() {
            let y = r + n as u32;
            put(ws, (y, 0), (y, width - 1), &line(part), &f.plain)?;
        }
    }
    Ok(())
}

/// The 备注 lines from row `r`, each across the form's width and tall
/// enough for its text; the row after them.
fn notes(
    ws: &mut Worksheet,
    content: &FormContent,
    r: u32,
    width: u16,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let wrapped = f.plain.clone().set_text_wrap();
    for (n, note) in content.notes.iter().enumerate() {
        let y = r + n as u32;
        let text = match content.notes.len() {
            1 => format!("备注：{note}"),
            _ => format!("备注{}：{note}", n + 1),
        };
        put(ws, (y, 0), (y, width - 1), &text, &wrapped)?;
        // About forty characters a line across a printed table.
        let lines = (text.chars().count() as f64 / 40.0).ceil().max(1.0);
        ws.set_row_height(y, 15.0 * lines)?;
    }
    Ok(r + content.notes.len() as u32 + u32::from(!content.notes.is_empty()))
}

/// The label column of a one-column form: as wide as its widest label,
/// within bounds that keep the form on its page.
fn single_label_width(template: &Template) -> f64 {
    let widest = template.tables()[0]
        .rows
        .iter()
        .map(|r| r.label.width())
        .max()
        .unwrap_or(20);
    (widest as f64 * 1.1).clamp(30.0, 62.0)
}

fn set_widths(
    ws: &mut Worksheet,
    template: &Template,
    parts: &[PartLayout],
    content: &FormContent,
) -> Result<(), XlsxError> {
    if template.is_single_column() {
        ws.set_column_width(0, single_label_width(template))?;
        ws.set_column_width(1, 8)?;
        ws.set_column_width(2, 12)?;
        if content.extra.is_some() {
            ws.set_column_width(3, 12)?;
        }
        return Ok(());
    }
    let labels = parts.iter().map(|p| p.labels).max().unwrap_or(0);
    let values = parts.iter().map(|p| p.width).max().unwrap_or(1);
    for c in 0..labels {
        let width = if c + 1 == labels {
            LABEL_WIDTH
        } else {
            GROUP_WIDTH
        };
        ws.set_column_width(c, width)?;
    }
    for c in labels..values {
        ws.set_column_width(c, VALUE_WIDTH)?;
    }
    Ok(())
}

/// A4, one page wide; landscape when more than six columns.
fn page(ws: &mut Worksheet, width: u16, repeat_header: bool) -> Result<(), XlsxError> {
    ws.set_paper_size(9); // A4
    if width > 6 {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    // A one-part form (the 2018 form's 86 rows) on one page with its
    // signature lines; a part of the national tables one page wide.
    let tall = if repeat_header { 1 } else { 0 };
    ws.set_print_fit_to_pages(1, tall);
    ws.set_print_center_horizontally(true);
    if repeat_header {
        ws.set_repeat_rows(2, 2)?;
    }
    Ok(())
}

/// The form's signature lines, each left blank.
pub fn blank_footer(template: &Template) -> Vec<(String, String)> {
    template
        .footer_labels()
        .map(|label| (label.to_string(), String::new()))
        .collect()
}

/// A blank form, exactly the layout the reader expects, for townships to fill in.
pub fn write_blank(path: &std::path::Path, template: &Template) -> Result<(), WriteError> {
    let mut wb = Workbook::new();
    let values = vec![None; template.cells().len()];
    let content = FormContent {
        unit_line: format!("{}：", template.unit_line),
        values: &values,
        footer: blank_footer(template),
        extra: None,
        typed: Vec::new(),
        notes: Vec::new(),
    };
    write_form_by_part(&mut wb, template, &content).map_err(|source| WriteError::Xlsx {
        path: path.display().to_string(),
        source,
    })?;
    save_workbook(&mut wb, path).map(|_| ())
}
