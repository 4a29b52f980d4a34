//! run.json: the run described for machines, written last into the staged
//! set, listing every other file of the set with its size and SHA-256.

use std::path::{Path, PathBuf};

use super::summary::{OutputFile, Summary};
use super::{Saved, WriteError, atomic};

/// Its name in OUT/<year>.
pub const FILE: &str = "run.json";

/// Each staged output as run.json lists it: where it will be, its size
/// and its SHA-256 as it was written, so run.json describes exactly the
/// files beside it.
pub fn describe(staged: &[(PathBuf, Saved)], target: &Path) -> Vec<OutputFile> {
    staged
        .iter()
        .map(|(path, saved)| {
            OutputFile::saved(&target.join(path.file_name().unwrap_or_default()), saved)
        })
        .collect()
}

/// Writes the summary as run.json, whole or not at all.
pub fn write(path: &Path, summary: &Summary) -> Result<(), WriteError> {
    atomic(path, |w| {
        serde_json::to_writer_pretty(w, summary).map_err(|e| WriteError::Io {
            path: path.display().to_string(),
            source: e.into(),
        })
    })
    .map(|_| ())
}
