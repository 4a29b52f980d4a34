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

/// The office whose set `set` holds, as its run.json names it near its top
/// (`"city": "…"`); `None` where there is no run.json or it names none.
/// Only the head of the file is read: run.json of a national year is large.
pub fn office_of(set: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = vec![0u8; 4096];
    let mut file = std::fs::File::open(set.join(FILE)).ok()?;
    let n = file.read(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let at = text.find("\n  \"city\": ")? + "\n  \"city\": ".len();
    serde_json::Deserializer::from_str(&text[at..])
        .into_iter::<String>()
        .next()?
        .ok()
}
