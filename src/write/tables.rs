//! The long table for analysts: CSV with a BOM (so Excel shows the Chinese)
//! and Parquet.
//!
//! Every text in the records can come from an input: a value typed as
//! `=HYPERLINK(…)`, a label, a file name. A spreadsheet opening the CSV would
//! run such a text as a formula, so in the CSV a text a spreadsheet would run
//! is written after an apostrophe, as OWASP's guidance on CSV injection
//! says. The Parquet file, read by programs, keeps every text as typed.

use std::path::Path;

use polars::prelude::*;

use super::{WriteError, atomic};

pub fn write_csv(records: &DataFrame, path: &Path) -> Result<(), WriteError> {
    let mut neutral = neutralized(records).map_err(|source| table_error(path, source))?;
    atomic(path, |w| {
        CsvWriter::new(w)
            .include_bom(true)
            .finish(&mut neutral)
            .map_err(|source| table_error(path, source))
    })
}

/// Whether a spreadsheet would take `text` for a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return and is not a number.
pub fn runs_in_spreadsheet(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.trim().parse::<f64>().is_err()
}

/// The records with every text a spreadsheet would run quoted by a leading
/// apostrophe. The text columns are categorical, so only their distinct
/// texts are looked at, and a column with none to quote is shared as it is.
fn neutralized(records: &DataFrame) -> PolarsResult<DataFrame> {
    let columns = records
        .columns()
        .iter()
        .map(|column| match column.dtype() {
            DataType::Categorical(..) => neutral_categories(column),
            _ => Ok(column.clone()),
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(records.height(), columns)
}

fn neutral_categories(column: &Column) -> PolarsResult<Column> {
    let ca = column.cat32()?;
    let mapping = ca.get_mapping();
    let texts: Vec<Option<&str>> = (0..mapping.num_cats_upper_bound() as u32)
        .map(|id| mapping.cat_to_str(id))
        .collect();
    if !texts.iter().flatten().any(|t| runs_in_spreadsheet(t)) {
        return Ok(column.clone());
    }
    let cats = Categories::random(column.name().clone(), CategoricalPhysical::U32);
    let quoted = cats.mapping();
    let to_quoted = texts
        .iter()
        .map(|text| {
            text.map(|t| {
                if runs_in_spreadsheet(t) {
                    quoted.insert_cat(&format!("'{t}"))
                } else {
                    quoted.insert_cat(t)
                }
            })
            .transpose()
        })
        .collect::<PolarsResult<Vec<Option<u32>>>>()?;
    let ids: UInt32Chunked = ca
        .physical()
        .iter()
        .map(|id| id.and_then(|id| to_quoted[id as usize]))
        .collect_ca(column.name().clone());
    let column = Categorical32Chunked::from_cats_and_dtype(ids, DataType::from_categories(cats));
    Ok(column.into_series().into_column())
}

pub fn write_parquet(records: &DataFrame, path: &Path) -> Result<(), WriteError> {
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
