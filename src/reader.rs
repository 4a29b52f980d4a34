//! Reading one township's file: find the form by its labels, wherever it is,
//! and read every value with the cell it came from.
//!
//! The form is never found by fixed positions: clerks insert title rows, move
//! the table, put it on a second sheet. The sheet whose column holds the most
//! template labels is the form; its rows are matched to the template in order,
//! so that labels the form repeats (`(二)被依法纠错数` under 行政复议 and again
//! under 行政诉讼) land on the right code.

use std::collections::HashMap;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use calamine::{Data, Ods, Range, Reader, Xls, Xlsb, Xlsx, open_workbook_from_rs};
use sha2::{Digest, Sha256};

use crate::normalize::{
    ReadAs, excel_serial_to_iso, normalize_label, parse_date_text, parse_text_value,
};
use crate::report::{Issue, Severity, cell_name};
use crate::sniff::{Format, Sniffed, format_from_extension, sniff};
use crate::template::Template;

/// Files larger than this are not township forms (a filled form is ~20 KB).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot open the file: {0}")]
    Io(String),
    #[error("the file is empty (0 bytes); ask the township to send it again")]
    Empty,
    #[error("the file is {0} bytes, far larger than any statistics form; it was not read")]
    TooLarge(u64),
    #[error(
        "this file is an HTML page saved with a spreadsheet name; open it in Excel or WPS and save it as .xlsx"
    )]
    Html,
    #[error(
        "this is not a spreadsheet (its first bytes match no Excel, WPS or LibreOffice format)"
    )]
    NotSpreadsheet,
    #[error("the workbook is password protected; ask the township for an unprotected copy")]
    Password,
    #[error("the {format} workbook is damaged and cannot be opened: {detail}")]
    Corrupt { format: Format, detail: String },
    #[error("no {template} statistics form found; {closest}")]
    NoForm { template: String, closest: String },
    #[error("the reader failed on this file: {0}")]
    Panic(String),
}

impl ReadError {
    /// A stable code for the report.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Io(_) => "FILE-IO",
            ReadError::Empty => "FILE-EMPTY",
            ReadError::TooLarge(_) => "FILE-TOO-LARGE",
            ReadError::Html => "FILE-HTML",
            ReadError::NotSpreadsheet => "FILE-NOT-SPREADSHEET",
            ReadError::Password => "FILE-PASSWORD",
            ReadError::Corrupt { .. } => "FILE-CORRUPT",
            ReadError::NoForm { .. } => "FILE-NO-FORM",
            ReadError::Panic(_) => "FILE-READER-FAILED",
        }
    }
}

/// One value cell of the form, as read.
#[derive(Debug, Clone)]
pub struct CellValue {
    pub value: Option<f64>,
    /// The text as typed (a number cell shows its number).
    pub raw: String,
    pub read_as: ReadAs,
    pub cell: String,
}

/// The form found in a file.
#[derive(Debug, Clone)]
pub struct Form {
    pub format: Format,
    pub sheet: String,
    /// One entry per template row, `None` where the form lacks the row.
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

/// A file as loaded: its fingerprint beside what was found in it.
#[derive(Debug)]
pub struct Loaded {
    /// SHA-256 of the file's bytes, for provenance.
    pub sha256: Option<String>,
    pub modified: Option<std::time::SystemTime>,
    pub outcome: Result<Form, ReadError>,
}

/// Reads a file and finds the form in it. Never panics: a panic inside a
/// reader library becomes this file's error.
pub fn read_file(path: &Path, template: &Template) -> Loaded {
    let meta = std::fs::metadata(path);
    let modified = meta.as_ref().ok().and_then(|m| m.modified().ok());
    let bytes = match meta {
        Ok(m) if m.len() > MAX_FILE_BYTES => Err(ReadError::TooLarge(m.len())),
        Ok(_) => std::fs::read(path).map_err(|e| ReadError::Io(e.to_string())),
        Err(e) => Err(ReadError::Io(e.to_string())),
    };
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
    let outcome = catch_unwind(AssertUnwindSafe(|| read_bytes(bytes, &ext, template)))
        .unwrap_or_else(|payload| Err(ReadError::Panic(panic_message(&payload))));
    Loaded {
        sha256,
        modified,
        outcome,
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Reads a workbook held in memory. `ext` is the file's extension, used only
/// to say when it disagrees with the content.
pub fn read_bytes(bytes: Vec<u8>, ext: &str, template: &Template) -> Result<Form, ReadError> {
    let format = match sniff(&bytes) {
        Sniffed::Spreadsheet(f) => f,
        Sniffed::Empty => return Err(ReadError::Empty),
        Sniffed::Html => return Err(ReadError::Html),
        Sniffed::Unknown => return Err(ReadError::NotSpreadsheet),
    };
    let sheets = open_sheets(bytes, format)?;
    let mut form = locate(&sheets, format, template)?;
    if let Some(named) = format_from_extension(ext)
        && named != format
    {
        form.notes.push(Issue::new(
            Severity::Info,
            "FILE-RENAMED",
            format!("the file is named .{ext} but is really {format}; it was read as {format}"),
        ));
    }
    Ok(form)
}

/// Every sheet's cells, in workbook order.
fn open_sheets(bytes: Vec<u8>, format: Format) -> Result<Vec<(String, Range<Data>)>, ReadError> {
    let corrupt = |detail: String| {
        if detail.contains("password") {
            ReadError::Password
        } else {
            ReadError::Corrupt { format, detail }
        }
    };
    let cursor = Cursor::new(bytes);
    match format {
        Format::Xlsx => all_sheets(
            open_workbook_from_rs::<Xlsx<_>, _>(cursor).map_err(|e| corrupt(e.to_string()))?,
        ),
        Format::Xlsb => all_sheets(
            open_workbook_from_rs::<Xlsb<_>, _>(cursor).map_err(|e| corrupt(e.to_string()))?,
        ),
        Format::Xls => all_sheets(
            open_workbook_from_rs::<Xls<_>, _>(cursor).map_err(|e| corrupt(e.to_string()))?,
        ),
        Format::Ods => all_sheets(
            open_workbook_from_rs::<Ods<_>, _>(cursor).map_err(|e| corrupt(e.to_string()))?,
        ),
    }
    .map_err(corrupt)
}

fn all_sheets<R: Reader<Cursor<Vec<u8>>>>(mut wb: R) -> Result<Vec<(String, Range<Data>)>, String>
where
    R::Error: std::fmt::Display,
{
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| format!("sheet {name}: {e}"))?;
        out.push((name, range));
    }
    Ok(out)
}

/// Where the form sits in a sheet: the column of labels and how many
/// distinct template rows it names.
#[derive(Clone, Copy)]
struct Candidate {
    sheet: usize,
    label_col: usize,
    matched: usize,
}

fn locate(
    sheets: &[(String, Range<Data>)],
    format: Format,
    template: &Template,
) -> Result<Form, ReadError> {
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, row) in template.rows.iter().enumerate() {
        by_key.entry(row.key.as_str()).or_default().push(i);
    }

    let mut best: Option<Candidate> = None;
    for (s, (_, range)) in sheets.iter().enumerate() {
        let mut per_col: HashMap<usize, Vec<bool>> = HashMap::new();
        for (_, c, data) in range.used_cells() {
            if let Data::String(text) = data
                && let Some(rows) = by_key.get(normalize_label(text).as_str())
            {
                let seen = per_col
                    .entry(c)
                    .or_insert_with(|| vec![false; template.rows.len()]);
                for &r in rows {
                    seen[r] = true;
                }
            }
        }
        for (col, seen) in per_col {
            let matched = seen.iter().filter(|&&b| b).count();
            if best.as_ref().is_none_or(|b| matched > b.matched) {
                best = Some(Candidate {
                    sheet: s,
                    label_col: col,
                    matched,
                });
            }
        }
    }

    // A third of the labels is a form with rows missing; fewer is something else.
    let needed = (template.rows.len() / 3).max(3);
    let found = best.filter(|b| b.matched >= needed);
    let Some(found) = found else {
        let closest = match best {
            None if sheets.iter().all(|(_, r)| r.is_empty()) => "the workbook is empty".to_string(),
            None => format!("no sheet has any of its {} row labels", template.rows.len()),
            Some(b) => format!(
                "the closest sheet, `{}`, has {} of {} row labels",
                sheets[b.sheet].0,
                b.matched,
                template.rows.len()
            ),
        };
        return Err(ReadError::NoForm {
            template: template.id.clone(),
            closest,
        });
    };
    let (sheet, range) = &sheets[found.sheet];
    Ok(read_form(sheet, range, found.label_col, format, template))
}

fn read_form(
    sheet: &str,
    range: &Range<Data>,
    label_col: usize,
    format: Format,
    template: &Template,
) -> Form {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let addr = |r: usize, c: usize| cell_name(r0 + r as u32, c0 + c as u32);
    let text_at = |r: usize, c: usize| match range.get((r, c)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };

    // Rows in order: each label is matched to the next template row with that
    // label, so repeated labels keep their places.
    let mut rows_found: Vec<Option<usize>> = vec![None; template.rows.len()];
    let mut unknown: Vec<(usize, String)> = Vec::new();
    let mut next = 0;
    let (mut first, mut last) = (usize::MAX, 0);
    for r in 0..range.height() {
        let text = text_at(r, label_col);
        let key = normalize_label(&text);
        if key.is_empty() {
            continue;
        }
        match (next..template.rows.len()).find(|&i| template.rows[i].key == key) {
            Some(i) => {
                rows_found[i] = Some(r);
                next = i + 1;
                first = first.min(r);
                last = r;
            }
            None if first != usize::MAX => unknown.push((r, text)),
            None => {}
        }
    }
    unknown.retain(|&(r, _)| r < last);

    let value_col = value_column(range, label_col, &rows_found);
    let mut notes = Vec::new();
    let mut values = Vec::with_capacity(template.rows.len());
    for (i, found) in rows_found.iter().enumerate() {
        let Some(r) = *found else {
            values.push(None);
            continue;
        };
        let cell = addr(r, value_col);
        let (value, raw, read_as) = read_value(range.get((r, value_col)));
        let row = &template.rows[i];
        let note = |severity, code: &str, message: String| {
            Issue::new(severity, code, message).at(sheet, &cell)
        };
        match read_as {
            ReadAs::Dash => notes.push(note(
                Severity::Info,
                "VALUE-DASH",
                format!("{} {}: `{raw}` read as 0", row.code, row.label),
            )),
            ReadAs::UnitStripped => notes.push(note(
                Severity::Info,
                "VALUE-UNIT",
                format!(
                    "{} {}: `{raw}` read as {}",
                    row.code,
                    row.label,
                    fmt_num(value.unwrap_or(0.0))
                ),
            )),
            ReadAs::Invalid => notes.push(note(
                Severity::Error,
                "VALUE-INVALID",
                format!(
                    "{} {}: `{raw}` is not a number; the cell is left out of the totals",
                    row.code, row.label
                ),
            )),
            _ => {}
        }
        values.push(Some(CellValue {
            value,
            raw,
            read_as,
            cell,
        }));
    }

    let missing: Vec<&str> = (0..template.rows.len())
        .filter(|&i| rows_found[i].is_none())
        .map(|i| template.rows[i].code.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(
            Issue::new(
                Severity::Warning,
                "FORM-ROWS-MISSING",
                format!(
                    "the form lacks {} of the template's rows: {}",
                    missing.len(),
                    missing.join(", ")
                ),
            )
            .at(sheet, ""),
        );
    }
    for (r, text) in &unknown {
        notes.push(
            Issue::new(
                Severity::Warning,
                "FORM-ROW-UNKNOWN",
                format!(
                    "row `{}` is not in the template; its value is not used",
                    text.trim()
                ),
            )
            .at(sheet, &addr(*r, label_col)),
        );
    }

    let (footer, date) = read_footer(range, last, template);
    Form {
        format,
        sheet: sheet.to_string(),
        values,
        unit_name: read_unit_name(range, first),
        footer,
        date,
        notes,
    }
}

/// The column of values: under a `统计数` header when there is one, otherwise
/// the column right of the labels holding the most numbers.
fn value_column(range: &Range<Data>, label_col: usize, rows: &[Option<usize>]) -> usize {
    let header = (0..range.height()).find_map(|r| {
        (label_col + 1..range.width()).find(|&c| {
            matches!(range.get((r, c)), Some(Data::String(s)) if normalize_label(s) == "统计数")
        })
    });
    if let Some(c) = header {
        return c;
    }
    let numbers_in = |c: usize| {
        rows.iter()
            .flatten()
            .filter(|&&r| read_value(range.get((r, c))).0.is_some())
            .count()
    };
    (label_col + 1..=label_col + 3)
        .max_by_key(|&c| (numbers_in(c), std::cmp::Reverse(c)))
        .unwrap_or(label_col + 2)
}

fn read_value(data: Option<&Data>) -> (Option<f64>, String, ReadAs) {
    match data {
        None | Some(Data::Empty) => (None, String::new(), ReadAs::Blank),
        Some(Data::Int(i)) => (Some(*i as f64), i.to_string(), ReadAs::Number),
        Some(Data::Float(f)) if f.is_finite() => (Some(*f), fmt_num(*f), ReadAs::Number),
        Some(Data::String(s)) => {
            let (value, read_as) = parse_text_value(s);
            (value, s.clone(), read_as)
        }
        Some(other) => (None, other.to_string(), ReadAs::Invalid),
    }
}

/// A number as a person writes it: `33`, `0.35`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `填报单位:金盆乡` above the table.
fn read_unit_name(range: &Range<Data>, first_row: usize) -> Option<String> {
    for r in 0..first_row.min(range.height()) {
        for c in 0..range.width() {
            if let Some(Data::String(s)) = range.get((r, c)) {
                let norm = normalize_label(s);
                if let Some(rest) = norm.strip_prefix("填报单位") {
                    let name = rest.trim_start_matches([':', '：']).to_string();
                    let name = if name.is_empty() {
                        match range.get((r, c + 1)) {
                            Some(Data::String(n)) => normalize_label(n),
                            _ => String::new(),
                        }
                    } else {
                        name
                    };
                    return (!name.is_empty()).then_some(name);
                }
            }
        }
    }
    None
}

/// The signature lines below the table. Clerks write them in one cell
/// (`单位负责人:张三 审核人:李四 填报人:王五`) or as name and value in
/// neighbouring cells; both are read.
fn read_footer(
    range: &Range<Data>,
    last_row: usize,
    template: &Template,
) -> (Vec<(String, String)>, Option<String>) {
    let mut found: HashMap<&str, String> = HashMap::new();
    let mut date_serial: Option<f64> = None;
    let keys: Vec<&str> = template.footer.iter().map(String::as_str).collect();
    for r in last_row + 1..range.height() {
        for c in 0..range.width() {
            let Some(Data::String(text)) = range.get((r, c)) else {
                continue;
            };
            let text: String =
                unicode_normalization::UnicodeNormalization::nfkc(text.as_str()).collect();
            let mut hits: Vec<(usize, &str)> = keys
                .iter()
                .filter_map(|k| text.find(k).map(|p| (p, *k)))
                .collect();
            hits.sort();
            for (n, &(pos, key)) in hits.iter().enumerate() {
                let end = hits.get(n + 1).map_or(text.len(), |h| h.0);
                let mut value = text[pos + key.len()..end]
                    .trim_matches(|ch: char| ch.is_whitespace() || ch == ':' || ch == '_')
                    .to_string();
                if value.is_empty() && n + 1 == hits.len() {
                    // The value sits in the next cell to the right.
                    match range.get((r, c + 1)) {
                        Some(Data::String(s)) if !keys.iter().any(|k| s.contains(k)) => {
                            value = s.trim().to_string()
                        }
                        Some(Data::DateTime(d)) => date_serial = Some(d.as_f64()),
                        Some(Data::Float(f)) if key == "填报日期" => date_serial = Some(*f),
                        Some(Data::Int(i)) => value = i.to_string(),
                        Some(Data::Float(f)) => value = fmt_num(*f),
                        _ => {}
                    }
                }
                found.entry(key).or_insert(value);
            }
        }
    }
    let mut date = found.get("填报日期").and_then(|t| parse_date_text(t));
    if let Some(serial) = date_serial {
        date = excel_serial_to_iso(serial);
        if let Some(iso) = &date {
            found.insert("填报日期", iso.clone());
        }
    }
    let footer = keys
        .iter()
        .map(|k| (k.to_string(), found.get(k).cloned().unwrap_or_default()))
        .collect();
    (footer, date)
}
