//! One value cell, read as a clerk meant it, with a note when the reading
//! needed explaining.

use crate::text::{WRITTEN_WHOLE_BELOW, fmt_num};
use calamine::Data;

use super::formula;
use super::grid::{Grid, GridCell};
use crate::findings::codes::Code;
use crate::text::{ReadAs, excel_serial_to_iso, parse_text_value};

/// A value cell as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub value: Option<f64>,
    /// The cell as typed (a formula `=…`). Empty for a number cell that
    /// shows its number: [`super::CellValue::raw`] writes it when asked,
    /// so the 800,000 number cells of a year are not formatted to be dropped.
    pub raw: String,
    pub read_as: ReadAs,
    /// What the report should say about the cell: severity, code and what
    /// happened, without the row (the caller names it).
    pub note: Option<(Code, String)>,
}

impl Reading {
    fn new(value: Option<f64>, raw: String, read_as: ReadAs) -> Reading {
        Reading {
            value,
            raw,
            read_as,
            note: None,
        }
    }

    /// A number cell: its text is kept only when it is not the number
    /// written again (a whole number too long to show as one).
    fn number(value: f64, text: impl FnOnce() -> String) -> Reading {
        let shown = value.abs() < WRITTEN_WHOLE_BELOW;
        let raw = if shown { String::new() } else { text() };
        Reading::new(Some(value), raw, ReadAs::Number)
    }

    fn noted(mut self, code: Code, text: String) -> Reading {
        self.note = Some((code, text));
        self
    }

    fn invalid(raw: String, code: Code, text: String) -> Reading {
        Reading::new(None, raw, ReadAs::Invalid).noted(code, text)
    }
}

pub fn read_cell(cell: Option<&GridCell>, grid: &Grid) -> Reading {
    let Some(cell) = cell else {
        return Reading::new(None, String::new(), ReadAs::Blank);
    };
    match &cell.data {
        Data::Empty => match &cell.formula {
            Some(f) => match formula::evaluate(f, grid) {
                Ok(v) => Reading::new(Some(v), format!("={f}"), ReadAs::Computed).noted(
                    Code::ValueFormulaComputed,
                    format!("`={f}` 保存时没有计算结果；gongkai 算得 {}", fmt_num(v)),
                ),
                Err(why) => Reading::invalid(
                    format!("={f}"),
                    Code::ValueFormula,
                    format!("`={f}` 保存时没有计算结果，且{why}；请用 Excel 或 WPS 打开后重新保存"),
                ),
            },
            None => Reading::new(None, String::new(), ReadAs::Blank),
        },
        Data::Int(i) => Reading::number(*i as f64, || i.to_string()),
        Data::Float(f) if f.is_finite() => Reading::number(*f, || fmt_num(*f)),
        Data::String(s) => {
            let (value, read_as) = parse_text_value(s);
            let reading = Reading::new(value, s.clone(), read_as);
            match read_as {
                ReadAs::Dash => reading.noted(Code::ValueDash, format!("`{s}` 按 0 读取")),
                ReadAs::UnitStripped => reading.noted(
                    Code::ValueUnit,
                    format!("`{s}` 按 {} 读取", fmt_num(value.unwrap_or(0.0))),
                ),
                ReadAs::Invalid => reading.noted(
                    Code::ValueInvalid,
                    format!("`{s}` 不是数字；该单元格不计入合计"),
                ),
                _ => reading,
            }
        }
        Data::Error(e) => Reading::invalid(
            e.to_string(),
            Code::ValueErrorCell,
            format!("单元格显示错误值 `{e}`；请更正公式后重新报送"),
        ),
        Data::Bool(b) => {
            let text = if *b { "TRUE" } else { "FALSE" };
            Reading::invalid(
                text.to_string(),
                Code::ValueInvalid,
                format!("`{text}` 是是/否值，不是数字；该单元格不计入合计"),
            )
        }
        Data::DateTime(d) => {
            let date = excel_serial_to_iso(d.as_f64()).unwrap_or_else(|| d.to_string());
            Reading::invalid(
                date.clone(),
                Code::ValueDate,
                format!(
                    "单元格是日期 {date}，不是数字；`2/3` 这样输入的数会变成日期，请重新输入为普通数字"
                ),
            )
        }
        other => Reading::invalid(
            other.to_string(),
            Code::ValueInvalid,
            format!("`{other}` 不是数字；该单元格不计入合计"),
        ),
    }
}
