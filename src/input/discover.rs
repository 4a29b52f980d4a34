//! Finding the forms of a year: `INPUT/<year>/<district>/<township>.<ext>`.
//!
//! The tree is taken as it is meant: a year folder is recognized only at the
//! top of INPUT; the folders in it are districts (or, for a province, its
//! cities), and a district's files are its townships' forms. A folder inside
//! one is read only when the roster names an office for it (a city's
//! district in a province's year: `六盘水市/水城区/`); named after a year it
//! is an archive (`水城县/2017/`), anything else is reported. A symbolic
//! link is never followed (it can lead out of the input folder, or in a
//! circle that would count the same forms again and again); it is reported
//! once.
//!
//! Owner files Excel leaves beside an open workbook (`~$金盆乡.xlsx`), hidden
//! files, LibreOffice lock files and editors' temp files are skipped silently:
//! they are never a township's form. Anything else that is not a spreadsheet is
//! listed, so a township that sent a PDF is noticed.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::read::sniff::is_submission_extension;

/// The office's explanations of findings, looked for in the year folder.
pub const EXPLANATIONS: &str = "explanations.csv";

/// The office's roster of the year, looked for in the year folder when
/// `--hierarchy` does not name one: units change from year to year, so the
/// year's list sits with its forms.
pub const ROSTER: &str = "名册.csv";

/// A lone file's place in a year folder.
#[derive(Debug, Clone)]
pub struct InYear {
    pub dir: PathBuf,
    pub year: i32,
    /// The folders between the year folder and the file: `[水城区]`, or a
    /// province's `[六盘水市, 水城区]`.
    pub folders: Vec<String>,
}

/// How many folders up a lone file's year folder is looked for: a
/// province's year, its city, the city's district and one more.
const YEAR_UP: usize = 4;

/// The nearest year folder above a lone file (`2025/x.xlsx`,
/// `2025/水城区/x.xlsx`, `2025/六盘水市/水城区/x.xlsx`), a few folders up at
/// most; whether the folders between belong to the year is the roster's
/// to say.
pub fn year_of_file(path: &Path) -> Option<InYear> {
    year_above(path.parent()?)
}

/// The nearest year folder that is `folder` or a few folders above it,
/// and the folders from there down to `folder`.
fn year_above(folder: &Path) -> Option<InYear> {
    let dir = folder
        .ancestors()
        .take(YEAR_UP)
        .find(|p| folder_year(p).is_some())?;
    Some(InYear {
        year: folder_year(dir)?,
        folders: folder
            .strip_prefix(dir)
            .ok()?
            .iter()
            .map(display_name)
            .collect(),
        dir: dir.to_path_buf(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("输入 {0} 不存在")]
    Missing(String),
    #[error("无法读取输入文件夹 {path}：{source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} 中没有年度文件夹；请把各单位的报表放在 {path}/<年度>/<区县>/ 下（如 {path}/2025/水城区/以朵街道.xlsx），或直接给出年度文件夹"
    )]
    NoYear { path: String },
    #[error("{path} 中没有 {year} 年度的文件夹；现有：{have}")]
    YearMissing {
        path: String,
        year: i32,
        have: String,
    },
}

/// A file found in the year folder.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// The path as shown in reports: relative to the year folder.
    pub shown: String,
    /// The folders from the year folder down to the file: the district,
    /// by convention, or a city and its district in a province's year.
    pub folders: Vec<String>,
    /// The file name without its extension.
    pub stem: String,
}

/// What a walk of the year folder found.
#[derive(Debug, Default)]
pub struct Discovery {
    pub forms: Vec<Found>,
    /// Files that are not spreadsheets by their name (listed in the report).
    pub ignored: Vec<Found>,
    /// Entries not read, and why (listed in the report).
    pub skipped: Vec<Skipped>,
}

/// An entry of the input tree that is not read.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// As shown in reports: relative to the year folder.
    pub shown: String,
    pub why: Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// A symbolic link.
    Link,
    /// A year-named folder inside a district: last years' forms.
    Archive,
    /// Any other folder inside a district.
    Nested,
    /// Neither a file nor a folder: a named pipe, a device, a socket.
    Special,
}

/// An office's folder given as the input (`2025/水城区`, or a province's
/// `2025/六盘水市/水城区`): its year folder, year and the folders from there
/// down to it, the input's own last.
pub fn district_folder(input: &Path) -> Option<InYear> {
    // A year folder itself is no office's.
    year_above(input).filter(|y| !y.folders.is_empty())
}

/// The year folder to read and its year. `input` may be the root holding year
/// folders (the latest is taken unless `year` says otherwise) or a year folder.
pub fn year_folder(input: &Path, year: Option<i32>) -> Result<(PathBuf, i32), DiscoverError> {
    let shown = input.display().to_string();
    if !input.exists() {
        return Err(DiscoverError::Missing(shown));
    }
    if let Some(y) = folder_year(input) {
        return Ok((input.to_path_buf(), year.unwrap_or(y)));
    }
    let entries = std::fs::read_dir(input).map_err(|source| DiscoverError::Io {
        path: shown.clone(),
        source,
    })?;
    let mut years: Vec<(i32, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| folder_year(&e.path()).map(|y| (y, e.path())))
        .collect();
    years.sort();
    match year {
        Some(y) => years
            .into_iter()
            .find(|(fy, _)| *fy == y)
            .map(|(y, p)| (p, y))
            .ok_or_else(|| DiscoverError::YearMissing {
                path: shown,
                year: y,
                have: list_years(input),
            }),
        None => years
            .pop()
            .map(|(y, p)| (p, y))
            .ok_or(DiscoverError::NoYear { path: shown }),
    }
}

fn list_years(input: &Path) -> String {
    let mut ys: Vec<String> = std::fs::read_dir(input)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| folder_year(&e.path()).map(|y| y.to_string()))
        .collect();
    ys.sort();
    if ys.is_empty() {
        "no year folders".into()
    } else {
        ys.join(", ")
    }
}

fn folder_year(path: &Path) -> Option<i32> {
    let name = path.file_name()?.to_str()?;
    let name = name.strip_suffix('年').unwrap_or(name);
    (name.len() == 4 && name.chars().all(|c| c.is_ascii_digit()))
        .then(|| name.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

/// Whether a chain of folders below the year folder is an office's, whose
/// files are read: the roster's answer.
pub type Office<'a> = &'a (dyn Fn(&[String]) -> bool + Sync);

/// Every file of the year folder's districts, in path order so runs are
/// repeatable.
pub fn discover(year_dir: &Path, office: Office) -> Result<Discovery, DiscoverError> {
    walk(year_dir, year_dir, &[], office).map(Discovery::sorted)
}

/// Every file of one office's folder of a year, `folders` the way down to it.
pub fn discover_district(
    year_dir: &Path,
    dir: &Path,
    folders: &[String],
    office: Office,
) -> Result<Discovery, DiscoverError> {
    walk(year_dir, dir, folders, office).map(Discovery::sorted)
}

impl Discovery {
    /// The entries not read in the order they are shown; the files are in
    /// path order already (see [`walk`]).
    fn sorted(mut self) -> Discovery {
        self.skipped.sort_by(|a, b| a.shown.cmp(&b.shown));
        self
    }
}

/// Walks `dir`: the year folder (`folders` is empty: its folders are
/// districts) or an office's folder below it (its files are forms).
/// Entries are taken in name order and their findings joined in that
/// order, which is the order of their paths (a path compares by its
/// components), so no sort of the whole year is needed; the folders are
/// walked side by side.
fn walk(
    year_dir: &Path,
    dir: &Path,
    folders: &[String],
    office: Office,
) -> Result<Discovery, DiscoverError> {
    let entries = std::fs::read_dir(dir).map_err(|source| DiscoverError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut entries: Vec<(std::ffi::OsString, std::fs::DirEntry)> =
        entries.flatten().map(|e| (e.file_name(), e)).collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let found = entries
        .par_iter()
        .map(|(name, entry)| walk_entry(year_dir, name, entry, folders, office))
        .collect::<Result<Vec<Discovery>, DiscoverError>>()?;
    let mut out = Discovery::default();
    for part in found {
        out.forms.extend(part.forms);
        out.ignored.extend(part.ignored);
        out.skipped.extend(part.skipped);
    }
    Ok(out)
}

/// What one entry of a year or office folder holds.
fn walk_entry(
    year_dir: &Path,
    name: &OsStr,
    entry: &std::fs::DirEntry,
    folders: &[String],
    office: Office,
) -> Result<Discovery, DiscoverError> {
    let mut out = Discovery::default();
    let path = entry.path();
    let name = display_name(name);
    if skipped_silently(&name) {
        return Ok(out);
    }
    let shown = display_path(path.strip_prefix(year_dir).unwrap_or(&path));
    // The entry itself, not what a link points to.
    let kind = entry.file_type().ok();
    let skip = |why| Skipped {
        shown: shown.clone(),
        why,
    };
    if kind.is_some_and(|k| k.is_symlink()) {
        out.skipped.push(skip(Skip::Link));
        return Ok(out);
    }
    if kind.is_some_and(|k| k.is_dir()) {
        let inner: Vec<String> = folders.iter().cloned().chain([name]).collect();
        if folders.is_empty() {
            return walk(year_dir, &path, &inner, office);
        }
        if folder_year(&path).is_some() {
            out.skipped.push(skip(Skip::Archive));
        } else if office(&inner) {
            return walk(year_dir, &path, &inner, office);
        } else {
            out.skipped.push(skip(Skip::Nested));
        }
        return Ok(out);
    }
    // A named pipe would block the read that opens it: only files are forms.
    if kind.is_some_and(|k| !k.is_file()) {
        out.skipped.push(skip(Skip::Special));
        return Ok(out);
    }
    let found = Found {
        shown,
        folders: folders.to_vec(),
        stem: stem(&path),
        path,
    };
    let ext = found
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_string())
        .unwrap_or_default();
    if is_submission_extension(&ext) {
        out.forms.push(found);
    } else {
        out.ignored.push(found);
    }
    Ok(out)
}

/// A single file given on the command line (for `gongkai check FILE`).
pub fn single_file(path: &Path) -> Found {
    let folders = path.parent().and_then(|p| p.file_name()).map(display_name);
    Found {
        path: path.to_path_buf(),
        shown: display_path(path),
        folders: folders.into_iter().collect(),
        stem: stem(path),
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map(display_name).unwrap_or_default()
}

/// A file name as text. Names copied out of a Windows zip archive often
/// arrive as GBK bytes, which are not UTF-8: those are decoded as GBK when
/// they are valid GBK, and shown with replacement characters otherwise.
pub fn display_name(name: &OsStr) -> String {
    if let Some(text) = name.to_str() {
        return text.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = name.as_bytes();
        if let Some(text) =
            encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes)
        {
            return text.into_owned();
        }
    }
    name.to_string_lossy().into_owned()
}

fn display_path(path: &Path) -> String {
    path.iter()
        .map(display_name)
        .collect::<PathBuf>()
        .display()
        .to_string()
}

/// Owner files (`~$x.xlsx`), hidden and lock files (`.x`, `.~lock.x#`), temp files.
fn skipped_silently(name: &str) -> bool {
    name.starts_with("~$")
        || name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || name.to_ascii_lowercase().ends_with(".tmp")
        || name == "Thumbs.db"
        || name == "desktop.ini"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_what_is_never_a_form() {
        for name in [
            "~$金盆乡.xlsx",
            ".hidden.xlsx",
            ".~lock.金盆乡.xlsx#",
            "~WRL0001.tmp",
            "a.xlsx~",
            "Thumbs.db",
        ] {
            assert!(skipped_silently(name), "{name}");
        }
        assert!(!skipped_silently("金盆乡.xlsx"));
    }

    #[cfg(unix)]
    #[test]
    fn gbk_file_names_are_decoded() {
        use std::os::unix::ffi::OsStrExt;
        // 甲镇.xlsx in GBK, as a Windows zip archive stores it.
        let gbk = OsStr::from_bytes(b"\xbc\xd7\xd5\xf2.xlsx");
        assert_eq!(display_name(gbk), "甲镇.xlsx");
        let broken = OsStr::from_bytes(b"\xff\xfe.xlsx");
        assert_eq!(display_name(broken), "\u{fffd}\u{fffd}.xlsx");
        assert_eq!(display_path(Path::new("/a/b.xlsx")), "/a/b.xlsx");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_not_followed_and_folders_inside_a_district_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let year = dir.path().join("2018");
        let county = year.join("水城县");
        std::fs::create_dir_all(county.join("2017")).unwrap();
        std::fs::create_dir_all(county.join("旧表")).unwrap();
        std::fs::write(county.join("化乐镇.xlsx"), "x").unwrap();
        std::fs::write(county.join("2017/化乐镇.xlsx"), "x").unwrap();
        std::fs::write(county.join("旧表/化乐镇.xlsx"), "x").unwrap();
        std::os::unix::fs::symlink("..", county.join("loop")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", county.join("外部.xlsx")).unwrap();
        let found = discover(&year, &|_| false).unwrap();
        let forms: Vec<&str> = found.forms.iter().map(|f| f.shown.as_str()).collect();
        assert_eq!(forms, ["水城县/化乐镇.xlsx"]);
        let skipped: Vec<(&str, Skip)> = found
            .skipped
            .iter()
            .map(|s| (s.shown.as_str(), s.why))
            .collect();
        assert_eq!(
            skipped,
            [
                ("水城县/2017", Skip::Archive),
                ("水城县/loop", Skip::Link),
                ("水城县/外部.xlsx", Skip::Link),
                ("水城县/旧表", Skip::Nested),
            ]
        );
        // A district folder as the input: its year above it.
        let office = district_folder(&county).unwrap();
        assert_eq!(
            (office.dir, office.year, office.folders),
            (year.clone(), 2018, vec!["水城县".to_string()])
        );
        assert!(district_folder(&year).is_none());
        let one = discover_district(&year, &county, &["水城县".into()], &|_| false).unwrap();
        assert_eq!(one.forms[0].folders, ["水城县"]);
        // A folder the roster names an office is read: a city's district.
        let offices = |f: &[String]| f.last().is_some_and(|f| f == "旧表");
        let deeper = discover(&year, &offices).unwrap();
        let forms: Vec<&str> = deeper.forms.iter().map(|f| f.shown.as_str()).collect();
        assert_eq!(forms, ["水城县/化乐镇.xlsx", "水城县/旧表/化乐镇.xlsx"]);
        assert_eq!(deeper.forms[1].folders, ["水城县", "旧表"]);
        let archived = year_of_file(&county.join("2017/化乐镇.xlsx")).unwrap();
        assert_eq!((archived.year, archived.folders.len()), (2017, 0));
        let nested = year_of_file(&county.join("旧表/化乐镇.xlsx")).unwrap();
        assert_eq!(
            (nested.year, nested.folders),
            (2018, vec!["水城县".to_string(), "旧表".into()])
        );
    }

    #[test]
    fn year_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("2017")).unwrap();
        std::fs::create_dir_all(dir.path().join("2018")).unwrap();
        std::fs::create_dir_all(dir.path().join("other")).unwrap();
        let (p, y) = year_folder(dir.path(), None).unwrap();
        assert_eq!((p.ends_with("2018"), y), (true, 2018));
        let (p, y) = year_folder(dir.path(), Some(2017)).unwrap();
        assert_eq!((p.ends_with("2017"), y), (true, 2017));
        let err = year_folder(dir.path(), Some(2016)).unwrap_err().to_string();
        assert!(err.contains("2017, 2018"), "{err}");
    }
}
