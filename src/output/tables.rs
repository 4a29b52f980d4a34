//! The long table for analysts: CSV with a BOM (so Excel shows the Chinese)
//! and Parquet.
//!
//! Every text in the records can come from an input: a value typed as
//! `=HYPERLINK(…)`, a label, a file name. A spreadsheet opening the CSV would
//! run such a text as a formula, so in the CSV a text a spreadsheet would run
//! is written after an apostrophe, as OWASP's guidance on CSV injection
//! says. The Parquet file, read by programs, keeps every text as typed.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

use super::{Saved, WriteError, atomic};

/// Rows encoded by one task: a few megabytes of text.
const CHUNK_ROWS: usize = 16_384;

/// Writes the records as CSV. The records are encoded here rather than by
/// polars' CSV writer: their text columns are categorical, so each distinct
/// text is quoted, neutralized and encoded once and every row copies bytes,
/// where polars' writer formatted each of the rows' texts again (its string
/// serializer was the top of a national run's profile; see BENCHMARKS.md).
/// Chunks of rows are encoded in parallel and written in order.
pub fn write_csv(records: &DataFrame, path: &Path) -> Result<Saved, WriteError> {
    let failed = |source| table_error(path, source);
    let columns: Vec<Column> = records.columns().iter().map(Column::rechunk).collect();
    let fields = columns
        .iter()
        .map(Field::of)
        .collect::<PolarsResult<Vec<Field>>>()
        .map_err(failed)?;
    let io = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    atomic(path, |w| {
        let names: Vec<Vec<u8>> = columns.iter().map(|c| encode_text(c.name())).collect();
        w.write_all("\u{feff}".as_bytes()).map_err(io)?;
        w.write_all(&names.join(&b","[..])).map_err(io)?;
        w.write_all(b"\n").map_err(io)?;
        let window = CHUNK_ROWS * rayon::current_num_threads().max(1) * 2;
        for start in (0..records.height()).step_by(window) {
            let end = (start + window).min(records.height());
            let chunks: Vec<Vec<u8>> = (start..end)
                .step_by(CHUNK_ROWS)
                .collect::<Vec<usize>>()
                .into_par_iter()
                .map(|from| encode_rows(&fields, from..(from + CHUNK_ROWS).min(end)))
                .collect();
            for chunk in chunks {
                w.write_all(&chunk).map_err(io)?;
            }
        }
        Ok(())
    })
}

/// One column of the records, ready to encode row by row.
enum Field<'a> {
    /// A categorical column: each category's text encoded once.
    Text {
        ids: &'a [u32],
        valid: Option<Valid<'a>>,
        texts: Vec<Vec<u8>>,
    },
    Number {
        values: &'a [f64],
        valid: Option<Valid<'a>>,
    },
    Whole {
        values: &'a [i32],
        valid: Option<Valid<'a>>,
    },
    /// Any other column, as polars writes it as text.
    Other(StringChunked),
}

impl<'a> Field<'a> {
    /// `column` must be in one chunk.
    fn of(column: &'a Column) -> PolarsResult<Field<'a>> {
        Ok(match column.dtype() {
            DataType::Categorical(..) => {
                let ca = column.cat32()?;
                let mapping = ca.get_mapping();
                let texts = (0..mapping.num_cats_upper_bound() as u32)
                    .map(|id| encode_text(mapping.cat_to_str(id).unwrap_or_default()))
                    .collect();
                let (ids, valid) = single(ca.physical())?;
                Field::Text { ids, valid, texts }
            }
            DataType::Float64 => {
                let (values, valid) = single(column.f64()?)?;
                Field::Number { values, valid }
            }
            DataType::Int32 => {
                let (values, valid) = single(column.i32()?)?;
                Field::Whole { values, valid }
            }
            _ => Field::Other(column.cast(&DataType::String)?.str()?.clone()),
        })
    }

    /// Appends row `i`'s field to `out`; a null is an empty field.
    fn encode(&self, i: usize, out: &mut Vec<u8>) {
        let present = |valid: &Option<Valid>| valid.as_ref().is_none_or(|v| v.get(i));
        match self {
            Field::Text { ids, valid, texts } => {
                if present(valid) {
                    out.extend_from_slice(&texts[ids[i] as usize]);
                }
            }
            Field::Number { values, valid } => {
                if present(valid) {
                    encode_number(values[i], out);
                }
            }
            Field::Whole { values, valid } => {
                if present(valid) {
                    out.extend_from_slice(itoa::Buffer::new().format(values[i]).as_bytes());
                }
            }
            Field::Other(ca) => {
                if let Some(text) = ca.get(i) {
                    out.extend_from_slice(&encode_text(text));
                }
            }
        }
    }
}

/// Which rows of a column hold a value: its validity bits.
struct Valid<'a> {
    bits: &'a [u8],
    offset: usize,
}

impl Valid<'_> {
    fn get(&self, i: usize) -> bool {
        let bit = self.offset + i;
        self.bits[bit / 8] & (1 << (bit % 8)) != 0
    }
}

/// The values and validity of a column in one chunk.
fn single<T: PolarsNumericType>(
    ca: &ChunkedArray<T>,
) -> PolarsResult<(&[T::Native], Option<Valid<'_>>)> {
    match ca.downcast_iter().collect::<Vec<_>>()[..] {
        [array] => {
            let valid = array.validity().map(|bitmap| {
                let (bits, offset, _) = bitmap.as_slice();
                Valid { bits, offset }
            });
            Ok((array.values().as_slice(), valid))
        }
        [] => Ok((&[], None)),
        _ => polars_bail!(ComputeError: "column {} is not in one chunk", ca.name()),
    }
}

fn encode_rows(fields: &[Field], rows: std::ops::Range<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 256);
    for i in rows {
        for (n, field) in fields.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            field.encode(i, &mut out);
        }
        out.push(b'\n');
    }
    out
}

/// A number as the forms show it: a whole number without `.0`.
fn encode_number(v: f64, out: &mut Vec<u8>) {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
    } else {
        let _ = write!(out, "{v}");
    }
}

/// A text as one CSV field: quoted when it holds a comma, a quote or a line
/// break (and when empty, which tells it from a blank), and after an
/// apostrophe when a spreadsheet would run it.
fn encode_text(text: &str) -> Vec<u8> {
    let text = if runs_in_spreadsheet(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    if text.is_empty() || text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into_bytes()
    } else {
        text.as_bytes().to_vec()
    }
}

/// Whether a spreadsheet would take `text` for a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return and is not a number.
pub fn runs_in_spreadsheet(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.trim().parse::<f64>().is_err()
}

pub fn write_parquet(records: &DataFrame, path: &Path) -> Result<Saved, WriteError> {
    // A clone shares the columns; the writer wants to rechunk its own.
    let mut records = records.clone();
    atomic(path, |w| {
        ParquetWriter::new(w)
            .finish(&mut records)
            .map(|_| ())
            .map_err(|source| table_error(path, source))
    })
}

fn table_error(path: &Path, source: PolarsError) -> WriteError {
    WriteError::Table {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_quotes_what_it_must_neutralizes_formulas_and_writes_numbers_as_the_forms_show_them()
    {
        let text = Column::new(
            "text".into(),
            [
                Some("a,b"),
                None,
                Some("say \"hi\""),
                Some(""),
                Some("=1+1"),
                Some("line\ntwo"),
            ],
        )
        .cast(&DataType::from_categories(Categories::random(
            "test".into(),
            CategoricalPhysical::U32,
        )))
        .unwrap();
        let records = DataFrame::new(
            6,
            vec![
                Column::new("year".into(), [2025i32; 6]),
                text,
                Column::new(
                    "value".into(),
                    [Some(3.0), Some(1.5), None, Some(-3.0), Some(0.0), Some(1e5)],
                ),
            ],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.csv");
        write_csv(&records, &path).unwrap();
        let want = "\u{feff}year,text,value\n\
                    2025,\"a,b\",3\n\
                    2025,,1.5\n\
                    2025,\"say \"\"hi\"\"\",\n\
                    2025,\"\",-3\n\
                    2025,'=1+1,0\n\
                    2025,\"line\ntwo\",100000\n";
        assert_eq!(std::fs::read_to_string(&path).unwrap(), want);
    }

    #[test]
    fn texts_a_spreadsheet_would_run_are_told_from_numbers_and_plain_text() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"点我\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1,2)",
            "\t=1",
            "\r=1",
            "-",
        ] {
            assert!(runs_in_spreadsheet(formula), "{formula:?}");
        }
        for plain in ["-5", "+3.5", "-0.25", "33条", "大河镇", "", "a=b"] {
            assert!(!runs_in_spreadsheet(plain), "{plain:?}");
        }
    }
}
