//! Reading one township's file: what it really is (sniff), its sheets within
//! limits (open), where the form is (locate), every value with the cell it
//! came from (value, formula) and the lines around the table (footer).
//!
//! Whatever the file holds, reading it ends in a form or in one error that
//! says what is wrong and what to do; a panic inside a reader library is
//! caught and becomes that file's error.

mod docx;
mod footer;
mod formula;
mod grid;
mod html;
mod layout;
mod locate;
mod open;
mod sheet;
pub mod sniff;
mod value;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::findings::Issue;
use crate::findings::codes::Code;
use crate::form::Template;
use crate::panics::{guarded, panic_message};
use crate::read::sniff::{Format, Sniffed, format_from_extension, sniff};
use crate::text::ReadAs;

/// Files larger than this are not township forms (a filled form is ~20 KB).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(String),
    #[error("文件是空的（0 字节）；请该单位重新报送")]
    Empty,
    #[error("文件有 {0} 字节，远大于任何统计表，未读取；请该单位只报送统计表")]
    TooLarge(u64),
    #[error(
        "文件解压后有 {} MB，远超任何统计表，未读取（文件可能已损坏，或有意为之）；请该单位重新报送统计表",
        .0 / 1_000_000
    )]
    Unpacked(u64),
    #[error(
        "有工作表的范围超过一百万个单元格，远超任何统计表，常因表格右下远处的某个单元格有内容；请删除它（Ctrl+End 可找到最后使用的单元格），保存后重新报送"
    )]
    TooManyCells,
    #[error("文档中的表格超过一千个，远超任何年度报告，未读取；请该单位只报送年度报告或统计表")]
    TooManyTables,
    #[error("这是 Excel 2003 XML 表格，网站系统常这样导出；请用 Excel 或 WPS 打开，另存为 .xlsx")]
    Xml2003,
    #[error(
        "这是旧版 Word（.doc）或 WPS 文字（.wps）文档，无法读取其中的表格；请用 Word 或 WPS 打开，另存为 .docx 后报送"
    )]
    LegacyWord,
    #[error(
        "这是 PDF 文档，其中的表格无法可靠读取；请该单位报送统计表的 Excel 版本（.xlsx）或年度报告的 Word 版本（.docx）"
    )]
    Pdf,
    #[error(
        "这是{0}，拍照或扫描的表格无法读取；请该单位报送统计表的 Excel 版本（.xlsx）或年度报告的 Word 版本（.docx）"
    )]
    Image(&'static str),
    #[error("这是{0}，不是电子表格；请该单位报送 .xlsx 或 .xls 格式的统计表")]
    NotSpreadsheet(&'static str),
    #[error("工作簿设有密码；请该单位报送一份没有密码的")]
    Password,
    #[error("{format} 工作簿已损坏，无法打开（{detail}）；请该单位重新保存后报送")]
    Corrupt { format: Format, detail: String },
    #[error(
        "未找到 {template} 统计表；{closest}；请该单位报送填好的统计表（`gongkai template` 可生成空白表）"
    )]
    NoForm { template: String, closest: String },
    #[error("这是{what}，不是本次汇总的 {template} 统计表；请该单位报送 {template} 统计表")]
    OtherForm { template: String, what: String },
    #[error(
        "这是{found}，不是本年度汇总所用的{expected}；不计入汇总；请该单位把数字填入{expected}（`gongkai template --template {id}` 可生成空白表）"
    )]
    WrongFormat {
        found: String,
        expected: String,
        id: String,
    },
    #[error("读取程序处理该文件时失败（{0}）；请用 Excel 或 WPS 打开，重新保存后报送")]
    Panic(String),
}

impl ReadError {
    /// A stable code for the report.
    pub fn code(&self) -> Code {
        match self {
            ReadError::Io(_) => Code::FileIo,
            ReadError::Empty => Code::FileEmpty,
            ReadError::TooLarge(_) => Code::FileTooLarge,
            ReadError::Unpacked(_) => Code::FileUnpacksTooLarge,
            ReadError::TooManyCells | ReadError::TooManyTables => Code::FileTooManyCells,
            ReadError::Xml2003 => Code::FileXml2003,
            ReadError::LegacyWord => Code::FileLegacyWord,
            ReadError::Pdf => Code::FilePdf,
            ReadError::Image(_) => Code::FileImage,
            ReadError::NotSpreadsheet(_) => Code::FileNotSpreadsheet,
            ReadError::Password => Code::FilePassword,
            ReadError::Corrupt { .. } => Code::FileCorrupt,
            ReadError::NoForm { .. } => Code::FileNoForm,
            ReadError::OtherForm { .. } => Code::FileOtherForm,
            ReadError::WrongFormat { .. } => Code::FormWrongFormat,
            ReadError::Panic(_) => Code::FileReaderFailed,
        }
    }

    /// What the file is, when it is one a unit often sends beside its form
    /// (its report as .doc, a PDF, a scan of the signed form): refused, but
    /// no error when the unit's form was read from another file.
    pub fn companion(&self) -> Option<&'static str> {
        match self {
            ReadError::LegacyWord => Some("旧版 Word 或 WPS 文字文档"),
            ReadError::Pdf => Some("PDF 文档"),
            ReadError::Image(what) => Some(what),
            _ => None,
        }
    }

    /// An I/O error as a clerk understands it.
    pub fn io(e: &std::io::Error) -> ReadError {
        use std::io::ErrorKind;
        ReadError::Io(match e.kind() {
            ErrorKind::PermissionDenied => {
                "无权读取该文件；请重新复制一份，或让运行本程序的账户可以读取它".into()
            }
            ErrorKind::NotFound => {
                "文件已不存在或是指向空处的链接；请把文件重新复制到文件夹中".into()
            }
            _ => format!("无法读取该文件：{e}"),
        })
    }
}

/// One value cell of the form, as read. Kept small (32 bytes): a national
/// year holds one per township and template cell, 8 million of them, so the
/// cell's name and a number's text are made when asked for, not stored.
#[derive(Debug, Clone)]
pub struct CellValue {
    number: f64,
    has_number: bool,
    pub read_as: ReadAs,
    /// Sheet position (0-based). No sheet gongkai reads is wider than
    /// 16,384 columns.
    pub row: u32,
    col: u16,
    /// The text as typed, when it is not just the number shown (see [`CellValue::raw`]).
    text: Option<Box<str>>,
}

impl CellValue {
    pub fn new(value: Option<f64>, raw: String, read_as: ReadAs, row: u32, col: u32) -> CellValue {
        // A number cell's text is its number, which `raw` writes again.
        let shown = read_as == ReadAs::Number
            && value.is_some_and(|v| v.abs() < crate::text::WRITTEN_WHOLE_BELOW);
        CellValue {
            number: value.unwrap_or(0.0),
            has_number: value.is_some(),
            read_as,
            row,
            col: u16::try_from(col).unwrap_or(u16::MAX),
            text: (!shown && !raw.is_empty()).then(|| raw.into_boxed_str()),
        }
    }

    /// The number read, `None` for a blank cell or one that holds no number.
    pub fn value(&self) -> Option<f64> {
        self.has_number.then_some(self.number)
    }

    pub fn col(&self) -> u32 {
        u32::from(self.col)
    }

    /// The text as typed, when it is more than the number shown.
    pub fn typed(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The cell as typed: a number cell shows its number, a formula `=…`.
    pub fn raw(&self) -> std::borrow::Cow<'_, str> {
        match (&self.text, self.value()) {
            (Some(text), _) => std::borrow::Cow::Borrowed(text),
            (None, Some(v)) if self.read_as == ReadAs::Number => {
                std::borrow::Cow::Owned(crate::text::fmt_num(v))
            }
            _ => std::borrow::Cow::Borrowed(""),
        }
    }

    /// The cell's name, `C8`.
    pub fn cell(&self) -> String {
        crate::findings::cell_name(self.row, self.col())
    }
}

/// The form found in a file.
#[derive(Debug, Clone)]
pub struct Form {
    pub format: Format,
    /// The sheet each template table was found on, `""` where it was not.
    pub sheets: Vec<String>,
    /// One entry per template cell, `None` where the form lacks it.
    pub values: Vec<Option<CellValue>>,
    /// `填报单位` as written above the table, if it is.
    pub unit_name: Option<String>,
    /// Footer fields in the template's order: (name, value as written).
    pub footer: Vec<(String, String)>,
    /// `填报日期` as an ISO date, when it could be read.
    pub date: Option<String>,
    /// What was noticed while reading (how odd cells were read, missing rows).
    pub notes: Vec<Issue>,
}

impl Form {
    /// The name of the sheet cell template cell `i` was read from, `""` when
    /// the form lacks it.
    pub fn cell_of(&self, i: usize) -> String {
        self.values[i]
            .as_ref()
            .map(CellValue::cell)
            .unwrap_or_default()
    }

    /// The sheet template cell `i` was read from.
    pub fn sheet_of(&self, i: usize, template: &Template) -> &str {
        &self.sheets[template.cells()[i].table]
    }

    /// The sheets the form was found on, in order: `统计表`, or `表二, 表三, 表四`.
    pub fn sheet(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for s in self.sheets.iter().filter(|s| !s.is_empty()) {
            if !names.contains(&s.as_str()) {
                names.push(s);
            }
        }
        names.join(", ")
    }
}

/// A file as loaded: its fingerprint beside what was found in it.
#[derive(Debug)]
pub struct Loaded {
    /// SHA-256 of the file's bytes, for provenance.
    pub sha256: Option<String>,
    pub modified: Option<std::time::SystemTime>,
    pub outcome: Result<Form, ReadError>,
}

/// Reads a file and finds the form in it. Never panics (see [`read_bytes`]).
pub fn read_file(path: &Path, template: &Template) -> Loaded {
    let (modified, bytes) = load(path);
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            return Loaded {
                sha256: None,
                modified,
                outcome: Err(e),
            };
        }
    };
    let sha256 = Some(format!("{:x}", Sha256::digest(&bytes)));
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_string())
        .unwrap_or_default();
    let outcome = read_bytes(bytes, &ext, template);
    Loaded {
        sha256,
        modified,
        outcome,
    }
}

/// A file's bytes and when it was last changed, from one handle: the size
/// check, the time and the read do not each look the path up again. A
/// file that grows past the limit while it is read is refused as one that
/// was too large.
fn load(path: &Path) -> (Option<std::time::SystemTime>, Result<Vec<u8>, ReadError>) {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opening a named pipe put where a form was found would wait for a
    // writer forever; without blocking it opens, and is refused below.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = match options.open(path) {
        Ok(f) => f,
        // An unreadable file still shows when it arrived.
        Err(e) => {
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            return (modified, Err(ReadError::io(&e)));
        }
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return (None, Err(ReadError::io(&e))),
    };
    let modified = meta.modified().ok();
    if !meta.is_file() {
        let e = std::io::Error::other("不是普通文件（命名管道、设备或套接字）");
        return (modified, Err(ReadError::io(&e)));
    }
    if meta.len() > MAX_FILE_BYTES {
        return (modified, Err(ReadError::TooLarge(meta.len())));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    let read = file
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(&e));
    let bytes = match read {
        Ok(n) if n as u64 > MAX_FILE_BYTES => Err(ReadError::TooLarge(n as u64)),
        Ok(_) => Ok(bytes),
        Err(e) => Err(e),
    };
    (modified, bytes)
}

/// Reads a workbook held in memory. `ext` is the file's extension, used only
/// to say when it disagrees with the content. Never panics: a panic inside a
/// reader library becomes this file's error.
pub fn read_bytes(bytes: Vec<u8>, ext: &str, template: &Template) -> Result<Form, ReadError> {
    guarded(|| read_workbook(bytes, ext, template))
        .unwrap_or_else(|payload| Err(ReadError::Panic(panic_message(&payload))))
}

/// The sheets of a workbook of any format gongkai reads; a document's or
/// page's tables are its sheets.
fn sheets_of(bytes: Vec<u8>) -> Result<(Format, Vec<sheet::Sheet>), ReadError> {
    let format = match sniff(&bytes) {
        Sniffed::Readable(f) => f,
        Sniffed::Empty => return Err(ReadError::Empty),
        Sniffed::Xml2003 => return Err(ReadError::Xml2003),
        Sniffed::Encrypted => return Err(ReadError::Password),
        Sniffed::LegacyWord => return Err(ReadError::LegacyWord),
        Sniffed::Pdf => return Err(ReadError::Pdf),
        Sniffed::Image(what) => return Err(ReadError::Image(what)),
        Sniffed::Other(what) => return Err(ReadError::NotSpreadsheet(what)),
    };
    Ok((format, open::open(bytes, format)?))
}

/// Which built-in form a lone file holds, told by the labels only that form
/// carries, and the year of its 填报日期: what `gongkai check FILE` needs
/// to know before it reads the file as that form. Anything that fails
/// here is said when the file is read.
pub fn identify(path: &Path) -> (Option<&'static str>, Option<i32>) {
    let Ok(bytes) = std::fs::metadata(path)
        .ok()
        .filter(|m| m.len() <= MAX_FILE_BYTES)
        .map_or(Err(()), |_| std::fs::read(path).map_err(|_| ()))
    else {
        return (None, None);
    };
    let found = guarded(|| {
        let (_, sheets) = sheets_of(bytes).ok()?;
        let id = locate::identify(&sheets)?;
        let template = Template::load(id).ok()?;
        let form = locate::locate(&sheets, Format::Xlsx, &template).ok();
        let year = form
            .and_then(|f| f.date)
            .and_then(|d| d.get(..4)?.parse::<i32>().ok());
        Some((id, year))
    });
    match found {
        Ok(Some((id, year))) => (Some(id), year),
        _ => (None, None),
    }
}

fn read_workbook(bytes: Vec<u8>, ext: &str, template: &Template) -> Result<Form, ReadError> {
    let (format, sheets) = sheets_of(bytes)?;
    let mut form = locate::locate(&sheets, format, template)?;
    if let Some(named) = format_from_extension(ext)
        && named != format
    {
        form.notes.push(Issue::new(
            Code::FileRenamed,
            format!("文件扩展名为 .{ext}，实际是 {format}；已按 {format} 读取"),
        ));
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    #[test]
    fn io_errors_say_what_to_do() {
        let denied = ReadError::io(&Error::from(ErrorKind::PermissionDenied)).to_string();
        assert!(denied.contains("无权读取") && denied.contains("重新复制"));
        let gone = ReadError::io(&Error::from(ErrorKind::NotFound)).to_string();
        assert!(gone.contains("指向空处的链接"));
        assert_eq!(ReadError::io(&Error::other("x")).code(), Code::FileIo);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_unread_and_a_missing_one_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("大.xlsx");
        // Sparse: 64 MiB and a byte, none of it on disk.
        std::fs::File::create(&big)
            .and_then(|f| f.set_len(MAX_FILE_BYTES + 1))
            .unwrap();
        let (modified, bytes) = load(&big);
        assert!(modified.is_some());
        assert!(matches!(bytes, Err(ReadError::TooLarge(n)) if n == MAX_FILE_BYTES + 1));

        let small = dir.path().join("小.xlsx");
        std::fs::write(&small, b"PK\x03\x04 form").unwrap();
        let (modified, bytes) = load(&small);
        assert!(modified.is_some());
        assert_eq!(bytes.unwrap(), b"PK\x03\x04 form");

        let (modified, bytes) = load(&dir.path().join("不在.xlsx"));
        assert!(modified.is_none());
        assert_eq!(bytes.unwrap_err().code(), Code::FileIo);
    }

    #[test]
    fn a_cell_value_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Option<CellValue>>(), 32);
    }

    #[test]
    fn a_number_cell_keeps_no_text_but_shows_it() {
        let number = CellValue::new(Some(33.0), "33".into(), ReadAs::Number, 7, 2);
        assert!(number.text.is_none());
        assert_eq!(number.raw(), "33");
        assert_eq!(number.cell(), "C8");
        let typed = CellValue::new(Some(33.0), "33条".into(), ReadAs::UnitStripped, 7, 2);
        assert_eq!(typed.raw(), "33条");
        let huge = CellValue::new(Some(1e16), "10000000000000000".into(), ReadAs::Number, 0, 0);
        assert_eq!(huge.raw(), "10000000000000000");
        let blank = CellValue::new(None, String::new(), ReadAs::Blank, 0, 0);
        assert_eq!(blank.raw(), "");
    }

    #[test]
    fn bytes_that_are_no_workbook_are_refused() {
        let template = Template::load("lps2018").unwrap();
        for bytes in [
            &b""[..],
            b"PK\x03\x04",
            b"PK\x03\x04xl/workbook.xml",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            b"<html>",
        ] {
            assert!(read_bytes(bytes.to_vec(), "xlsx", &template).is_err());
        }
    }
}
