//! The long table for analysts: CSV with a BOM (so Excel shows the Chinese)
//! and Parquet.

use std::path::Path;

use polars::prelude::*;

use super::{WriteError, atomic};

pub fn write_csv(records: &mut DataFrame, path: &Path) -> Result<(), WriteError> {
    atomic(path, |w| {
        CsvWriter::new(w)
            .include_bom(true)
            .finish(records)
            .map_err(|source| table_error(path, source))
    })
}

pub fn write_parquet(records: &mut DataFrame, path: &Path) -> Result<(), WriteError> {
    atomic(path, |w| {
        ParquetWriter::new(w)
            .finish(records)
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
