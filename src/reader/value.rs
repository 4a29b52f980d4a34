//! One value cell, read as a clerk meant it, with a note when the reading
//! needed explaining.

use calamine::Data;

use super::formula;
use super::grid::{Grid, GridCell};
use crate::codes::Code;
use crate::normalize::{ReadAs, excel_serial_to_iso, parse_text_value};
use crate::report::Severity;

/// A value cell as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub value: Option<f64>,
    /// The cell as typed (a number cell shows its number, a formula `=…`).
    pub raw: String,
    pub read_as: ReadAs,
    /// What the report should say about the cell: severity, code and what
    /// happened, without the row (the caller names it).
    pub note: Option<(Severity, Code, String)>,
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

    fn noted(mut self, severity: Severity, code: Code, text: String) -> Reading {
        self.note = Some((severity, code, text));
        self
    }

    fn invalid(raw: String, code: Code, text: String) -> Reading {
        Reading::new(None, raw, ReadAs::Invalid).noted(Severity::Error, code, text)
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
                    Severity::Info,
                    Code::ValueFormulaComputed,
                    format!(
                        "`={f}` was saved without its result; gongkai computed {}",
                        fmt_num(v)
                    ),
                ),
                Err(why) => Reading::invalid(
                    format!("={f}"),
                    Code::ValueFormula,
                    format!(
                        "`={f}` was saved without its result and {why}; open the file in Excel or WPS and save it again"
                    ),
                ),
            },
            None => Reading::new(None, String::new(), ReadAs::Blank),
        },
        Data::Int(i) => Reading::new(Some(*i as f64), i.to_string(), ReadAs::Number),
        Data::Float(f) if f.is_finite() => Reading::new(Some(*f), fmt_num(*f), ReadAs::Number),
        Data::String(s) => {
            let (value, read_as) = parse_text_value(s);
            let reading = Reading::new(value, s.clone(), read_as);
            match read_as {
                ReadAs::Dash => {
                    reading.noted(Severity::Info, Code::ValueDash, format!("`{s}` read as 0"))
                }
                ReadAs::UnitStripped => reading.noted(
                    Severity::Info,
                    Code::ValueUnit,
                    format!("`{s}` read as {}", fmt_num(value.unwrap_or(0.0))),
                ),
                ReadAs::Invalid => reading.noted(
                    Severity::Error,
                    Code::ValueInvalid,
                    format!("`{s}` is not a number; the cell is left out of the totals"),
                ),
                _ => reading,
            }
        }
        Data::Error(e) => Reading::invalid(
            e.to_string(),
            Code::ValueErrorCell,
            format!("the cell shows the error `{e}`; correct its formula and send the form again"),
        ),
        Data::Bool(b) => {
            let text = if *b { "TRUE" } else { "FALSE" };
            Reading::invalid(
                text.to_string(),
                Code::ValueInvalid,
                format!(
                    "`{text}` is a yes/no value, not a number; the cell is left out of the totals"
                ),
            )
        }
        Data::DateTime(d) => {
            let date = excel_serial_to_iso(d.as_f64()).unwrap_or_else(|| d.to_string());
            Reading::invalid(
                date.clone(),
                Code::ValueDate,
                format!(
                    "the cell holds the date {date}, not a number; a number typed as `2/3` becomes a date, so type it again as a plain number"
                ),
            )
        }
        other => Reading::invalid(
            other.to_string(),
            Code::ValueInvalid,
            format!("`{other}` is not a number; the cell is left out of the totals"),
        ),
    }
}

/// Whole numbers below this are written as integers by [`fmt_num`], the way
/// a number cell shows them.
pub(crate) const WRITTEN_WHOLE_BELOW: f64 = 1e15;

/// A number as a person writes it: `33`, `0.35`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < WRITTEN_WHOLE_BELOW {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
