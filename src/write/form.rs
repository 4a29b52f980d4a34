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

use crate::template::{RowKind, Table, Template, ValueType};

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
}

/// The row of the first template row of a one-column form (0-based): title,
/// unit line and header above it.
pub const FIRST_ROW: u32 = 3;

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

/// One printed part of the form: the tables (blocks) that share a title.
struct Part<'t> {
    title: &'t str,
    tables: Vec<&'t Table>,
}

fn parts(template: &Template) -> Vec<Part<'_>> {
    let mut out: Vec<Part> = Vec::new();
    for table in template.tables() {
        match out.last_mut() {
            Some(p) if p.title == table.title => p.tables.push(table),
            _ => out.push(Part {
                title: &table.title,
                tables: vec![table],
            }),
        }
    }
    out
}

/// The columns a part's labels take: the deepest row's groups and label.
fn label_width(part: &Part) -> u16 {
    part.tables
        .iter()
        .filter(|t| t.has_row_labels())
        .flat_map(|t| &t.rows)
        .map(|r| r.groups.len() as u16 + 1)
        .max()
        .unwrap_or(0)
}

/// Where a part's value columns start, and how many there are.
struct Grid {
    labels: u16,
    unit: bool,
    values: u16,
}

impl Grid {
    fn of(part: &Part) -> Grid {
        Grid {
            labels: label_width(part),
            unit: part.tables.iter().any(|t| t.unit_header.is_some()),
            values: part
                .tables
                .iter()
                .map(|t| t.columns.len() as u16)
                .max()
                .unwrap_or(1),
        }
    }

    fn first_value(&self) -> u16 {
        self.labels + u16::from(self.unit)
    }

    fn width(&self) -> u16 {
        self.first_value() + self.values
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
    let parts = parts(template);
    let width = parts.iter().map(|p| Grid::of(p).width()).max().unwrap_or(1)
        + u16::from(content.extra.is_some());
    let mut r = heading(ws, template, content, width, &f)?;
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            r += 1;
        }
        r = write_part(ws, template, part, content, r, &f)?;
    }
    signatures(ws, content, r + 1, width, &f)?;
    set_widths(ws, template, &parts, content)?;
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
    let parts = parts(template);
    if parts.len() == 1 {
        return write_form(wb.add_worksheet().set_name("统计表")?, template, content);
    }
    let f = Formats::new();
    for (n, part) in parts.iter().enumerate() {
        let ws = wb.add_worksheet().set_name(part_sheet_name(part.title))?;
        let width = Grid::of(part).width();
        let r = heading(ws, template, content, width, &f)?;
        let r = write_part(ws, template, part, content, r, &f)?;
        if n + 1 == parts.len() {
            signatures(ws, content, r + 1, width, &f)?;
        }
        set_widths(ws, template, std::slice::from_ref(part), content)?;
        page(ws, width, false)?;
    }
    Ok(())
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

/// One part from row `r`: its title, then each table's caption, header and
/// rows. Returns the row after it.
fn write_part(
    ws: &mut Worksheet,
    template: &Template,
    part: &Part,
    content: &FormContent,
    mut r: u32,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let grid = Grid::of(part);
    let width = grid.width();
    if !part.title.is_empty() {
        put(ws, (r, 0), (r, width - 1), part.title, &f.part)?;
        r += 1;
    }
    for table in &part.tables {
        if !table.caption.is_empty() {
            put(ws, (r, 0), (r, width - 1), &table.caption, &f.header)?;
            r += 1;
        }
        r = header(ws, table, &grid, content, r, f)?;
        r = body(ws, template, table, &grid, content, r, f)?;
    }
    Ok(r)
}

/// The last sheet column a table's column `c` spans: a block with fewer
/// columns than its part spreads its last one over the rest
/// (表二's 本年处理决定数量).
fn column_span(table: &Table, grid: &Grid, c: usize) -> (u16, u16) {
    let first = grid.first_value() + c as u16;
    let last = if c + 1 == table.columns.len() {
        grid.width() - 1
    } else {
        first
    };
    (first, last)
}

/// A table's header rows: the corner (or the 勾稽关系 note) over the label
/// columns, the unit header, and each column's path, merged across the
/// columns that share a header and down where a path is shorter.
fn header(
    ws: &mut Worksheet,
    table: &Table,
    grid: &Grid,
    content: &FormContent,
    r: u32,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let depth = table.header_depth() as u32;
    let bottom = r + depth - 1;
    if grid.labels > 0 {
        let corner = if table.note.is_empty() {
            &table.corner
        } else {
            &table.note
        };
        put(ws, (r, 0), (bottom, grid.labels - 1), corner, &f.header)?;
    }
    if let Some(unit) = &table.unit_header {
        put(ws, (r, grid.labels), (bottom, grid.labels), unit, &f.header)?;
    }
    for level in 0..depth as usize {
        let mut c = 0;
        while c < table.columns.len() {
            let column = &table.columns[c];
            let Some(text) = column.path.get(level) else {
                c += 1;
                continue;
            };
            // The columns under the same header at this level.
            let mut end = c;
            while end + 1 < table.columns.len()
                && table.columns[end + 1].path.get(..=level) == column.path.get(..=level)
                && column.path.len() > level + 1
            {
                end += 1;
            }
            let row = r + level as u32;
            let last_row = if level + 1 == column.path.len() {
                bottom
            } else {
                row
            };
            let (first, _) = column_span(table, grid, c);
            let (_, last) = column_span(table, grid, end);
            put(ws, (row, first), (last_row, last), text, &f.header)?;
            c = end + 1;
        }
    }
    if let Some((name, _)) = content.extra {
        put(
            ws,
            (r, grid.width()),
            (bottom, grid.width()),
            name,
            &f.header,
        )?;
    }
    Ok(bottom + 1)
}

/// A table's rows: the merged row groups, the label, the unit, the values.
fn body(
    ws: &mut Worksheet,
    template: &Template,
    table: &Table,
    grid: &Grid,
    content: &FormContent,
    r: u32,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let rows = table.rows.len() as u32;
    if grid.labels > 0 {
        for (i, row) in table.rows.iter().enumerate() {
            let y = r + i as u32;
            // Each group once, over the rows it heads.
            for (level, group) in row.groups.iter().enumerate() {
                let starts = i == 0 || table.rows[i - 1].groups.get(level) != Some(group);
                if !starts {
                    continue;
                }
                let span = table.rows[i..]
                    .iter()
                    .take_while(|x| x.groups.get(level) == Some(group))
                    .count() as u32;
                let c = level as u16;
                put(ws, (y, c), (y + span - 1, c), group, &f.group)?;
            }
            let fmt = if row.kind == RowKind::Heading {
                &f.heading
            } else {
                &f.label
            };
            let c = row.groups.len() as u16;
            put(ws, (y, c), (y, grid.labels - 1), &row.label, fmt)?;
            if !template.is_single_column() {
                // Spreadsheets do not grow a row for a wrapped label in a
                // merged cell: give a long label (表三's （六）1 and 2) its lines.
                let room = LABEL_WIDTH + f64::from(grid.labels - 1 - c) * GROUP_WIDTH;
                let lines = (row.label.width() as f64 / room).ceil();
                if lines > 1.0 {
                    ws.set_row_height(y, lines * LINE_HEIGHT)?;
                }
            }
            if grid.unit {
                let unit = &template.cells()[table.cell(i, 0)].unit;
                ws.write_string_with_format(y, grid.labels, unit, &f.unit)?;
            }
        }
    }
    for i in 0..table.rows.len() {
        let y = r + i as u32;
        for c in 0..table.columns.len() {
            let cell = table.cell(i, c);
            let num = match template.cells()[cell].value {
                ValueType::Money => &f.money,
                ValueType::Count | ValueType::Signed => &f.count,
            };
            let (first, last) = column_span(table, grid, c);
            let typed = content.typed.iter().find(|(at, _)| *at == cell);
            if first != last {
                // The merged value cell: its number in the first cell.
                ws.merge_range(y, first, y, last, "", num)?;
            }
            match (typed, content.values.get(cell).copied().flatten()) {
                (Some((_, text)), _) => ws.write_string_with_format(y, first, text, num)?,
                (None, Some(v)) => ws.write_number_with_format(y, first, v, num)?,
                (None, None) if first == last => ws.write_blank(y, first, num)?,
                (None, None) => ws,
            };
        }
        if let Some((_, extra)) = content.extra {
            let n = extra.get(table.cell(i, 0)).copied().unwrap_or(0);
            ws.write_number_with_format(y, grid.width(), n as f64, &f.count)?;
        }
    }
    Ok(r + rows)
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
                    format!("{k}:            ")
                } else {
                    format!("{k}:{v}    ")
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

fn set_widths(
    ws: &mut Worksheet,
    template: &Template,
    parts: &[Part],
    content: &FormContent,
) -> Result<(), XlsxError> {
    if template.is_single_column() {
        let widest = template.tables()[0]
            .rows
            .iter()
            .map(|r| r.label.width())
            .max()
            .unwrap_or(20);
        ws.set_column_width(0, (widest as f64 * 1.1).clamp(30.0, 62.0))?;
        ws.set_column_width(1, 8)?;
        ws.set_column_width(2, 12)?;
        if content.extra.is_some() {
            ws.set_column_width(3, 12)?;
        }
        return Ok(());
    }
    let labels = parts.iter().map(label_width).max().unwrap_or(0);
    let values = parts.iter().map(|p| Grid::of(p).width()).max().unwrap_or(1);
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
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    if repeat_header {
        ws.set_repeat_rows(2, 2)?;
    }
    Ok(())
}
