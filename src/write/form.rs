//! The statistics form in its official layout: title, 填报单位 line, header
//! `统计指标 | 单位 | 统计数`, the template's rows, signature lines; A4, ready to
//! print and sign. The same layout serves the district and city returns, the
//! blank form townships fill in, and the synthetic forms of `gongkai demo`.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use crate::template::{RowKind, Template, ValueType};

/// What goes into one form besides the template.
pub struct FormContent<'a> {
    /// `填报单位:` and what follows.
    pub unit_line: String,
    /// One value per template row.
    pub values: &'a [Option<f64>],
    /// Footer fields (name, value) in the template's order; empty values leave
    /// a line to sign on.
    pub footer: Vec<(String, String)>,
    /// A fourth column, e.g. how many units reported each row (analyst copy only).
    pub extra: Option<(&'a str, &'a [u32])>,
    /// Values typed as text, the way clerks type them (`33条`), by row index;
    /// they replace the number of that row.
    pub typed: Vec<(usize, String)>,
}

/// The row of the first template row (0-based): title, unit line, header above it.
pub const FIRST_ROW: u32 = 3;

pub fn write_form(
    ws: &mut Worksheet,
    template: &Template,
    content: &FormContent,
) -> Result<(), XlsxError> {
    let last_col: u16 = if content.extra.is_some() { 3 } else { 2 };
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let plain = Format::new().set_align(FormatAlign::VerticalCenter);
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let header = cell
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let label = cell.clone().set_text_wrap();
    let heading = label.clone().set_bold();
    let unit = cell.clone().set_align(FormatAlign::Center);
    let count = cell.clone().set_num_format("0");
    let money = cell.clone().set_num_format("0.00##");

    ws.merge_range(0, 0, 0, last_col, &template.title, &title)?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(1, 0, 1, last_col, &content.unit_line, &plain)?;
    for (c, text) in template.header.iter().take(3).enumerate() {
        ws.write_string_with_format(2, c as u16, text, &header)?;
    }
    if let Some((name, _)) = content.extra {
        ws.write_string_with_format(2, 3, name, &header)?;
    }

    for (i, row) in template.rows.iter().enumerate() {
        let r = FIRST_ROW + i as u32;
        let fmt = if row.kind == RowKind::Heading {
            &heading
        } else {
            &label
        };
        ws.write_string_with_format(r, 0, &row.label, fmt)?;
        ws.write_string_with_format(r, 1, &row.unit, &unit)?;
        let num = if row.value == ValueType::Money {
            &money
        } else {
            &count
        };
        let typed = content.typed.iter().find(|(row, _)| *row == i);
        match (typed, content.values.get(i).copied().flatten()) {
            (Some((_, text)), _) => ws.write_string_with_format(r, 2, text, num)?,
            (None, Some(v)) => ws.write_number_with_format(r, 2, v, num)?,
            (None, None) => ws.write_blank(r, 2, num)?,
        };
        if let Some((_, extra)) = content.extra {
            ws.write_number_with_format(r, 3, extra.get(i).copied().unwrap_or(0) as f64, &count)?;
        }
    }

    // Signature lines: three names on one line, phone and date on the next,
    // as the official form prints them.
    let after = FIRST_ROW + template.rows.len() as u32 + 1;
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
            ws.merge_range(
                after + n as u32,
                0,
                after + n as u32,
                last_col,
                &line(part),
                &plain,
            )?;
        }
    }

    let widest = template
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
    ws.set_paper_size(9); // A4
    ws.set_portrait();
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_repeat_rows(2, 2)?;
    Ok(())
}
