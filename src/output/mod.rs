//! Everything gongkai writes. A run's outputs are written into a staging
//! folder and swapped into OUT/<year> as a set (see [`stage`]); each file is
//! also written under a temporary name and renamed into place, so a file
//! outside a run (`gongkai template`, `gongkai demo`) is never half there.
//! Files are created as any new file is, under the user's umask, so
//! colleagues on a shared folder can open them.

mod docx;
pub mod draft;
pub mod form;
mod layout;
pub(crate) mod names;
pub(crate) mod progress;
pub(crate) mod redraft;
pub(crate) mod remarks;
pub mod returns;
pub(crate) mod run_json;
pub(crate) mod set;
pub mod stage;
pub mod summary;
pub mod tables;
mod trend;
pub mod workbook;

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("无法写入 {path}：{source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("无法生成工作簿 {path}：{source}")]
    Xlsx {
        path: String,
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("无法写出表格 {path}：{source}")]
    Table {
        path: String,
        source: polars::error::PolarsError,
    },
    #[error("无法写入 {path}：{why}")]
    Stopped { path: String, why: String },
    #[error("拒绝写入 {file:?}：它不是 {dir} 之内的普通文件名")]
    Outside { dir: String, file: String },
}

/// A workbook writer that panicked (rust_xlsxwriter does when the temporary
/// files of a streamed sheet cannot be written), as one plain sentence.
pub fn stopped(path: &Path, panic: &str) -> WriteError {
    let why = if panic.contains("StorageFull") || panic.contains("code: 28") {
        "the disk is full"
    } else if panic.contains("FileTooLarge") {
        "a limit on the size of files was reached"
    } else if panic.contains("PermissionDenied") {
        "permission was denied"
    } else {
        "writing its temporary files failed"
    };
    WriteError::Stopped {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

/// A file as it was written: its size and SHA-256, taken from the bytes on
/// their way to the file, so run.json can describe a 250 MB set without
/// reading it back. The hashing itself stays (on the writing thread); what
/// goes is the second read of every output.
#[derive(Debug, Clone)]
pub struct Saved {
    pub bytes: u64,
    pub sha256: String,
}

/// A writer that hashes what passes through it.
pub struct Hashing<W> {
    inner: W,
    hasher: sha2::Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What `atomic` hands the code that fills a file.
pub type Sink<'a> = std::io::BufWriter<Hashing<&'a std::fs::File>>;

/// Writes `path` atomically: `fill` writes into a temporary file beside it,
/// which replaces `path` only once complete and synced.
pub fn atomic<F>(path: &Path, fill: F) -> Result<Saved, WriteError>
where
    F: FnOnce(&mut Sink) -> Result<(), WriteError>,
{
    let io = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".gongkai-{name}.part"));
    let written = (|| {
        use sha2::Digest;
        let file = std::fs::File::create(&tmp).map_err(io)?;
        let mut w = std::io::BufWriter::new(Hashing {
            inner: &file,
            hasher: sha2::Sha256::new(),
            bytes: 0,
        });
        fill(&mut w)?;
        let hashed = w.into_inner().map_err(|e| io(e.into_error()))?;
        fault_point("mid-file");
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(Saved {
            bytes: hashed.bytes,
            sha256: format!("{:x}", hashed.hasher.finalize()),
        })
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Saves a workbook atomically. The workbook is built in memory and then
/// written, so a full disk is one plain I/O error, not a zip library's.
pub fn save_workbook(
    workbook: &mut rust_xlsxwriter::Workbook,
    path: &Path,
) -> Result<Saved, WriteError> {
    // Deflate level 3 rather than the default 6: a little larger, and
    // deflate no longer dominates writing the analyst workbook; level 1
    // makes it half as large again (BENCHMARKS.md).
    workbook.set_zip_compression_level(3);
    let bytes = workbook
        .save_to_buffer()
        .map_err(|source| WriteError::Xlsx {
            path: path.display().to_string(),
            source,
        })?;
    atomic(path, |w| {
        w.write_all(&bytes).map_err(|source| WriteError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

/// A test hook: `GONGKAI_FAULT=<point>` stops the process at that point of
/// its writing as a kill would (`mid-file`: a file written but not yet in
/// place; `before-swap`: the set staged, not yet in place; `after-swap`:
/// the new set in place, the old not yet removed), so tests reach each
/// point without timing.
pub(crate) fn fault_point(point: &str) {
    if std::env::var_os("GONGKAI_FAULT").is_some_and(|v| v == point) {
        std::process::abort();
    }
}
