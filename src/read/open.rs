//! Opening a workbook of a known format into sparse sheets, within limits.
//!
//! A filled form is a few hundred cells in a file of about 20 KB. The limits
//! below are far above that and far below what would hurt the run: a zip
//! that unpacks to gigabytes or a sheet of millions of cells is refused
//! before it is read, and sheets are read cell by cell where the format
//! allows, so nothing is sized by the bounding box of the used cells.

use std::io::Cursor;

use calamine::{Ods, Reader, Xls, Xlsb, Xlsx, XlsxError};

use super::ReadError;
use super::grid::GridCell;
use super::sheet::{Budget, Sheet};
use super::{docx, html};
use crate::read::sniff::Format;

/// The most a zipped workbook (xlsx, xlsb, ods) may unpack to.
const MAX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;
/// The most parts a zipped workbook may hold.
const MAX_PARTS: usize = 10_000;
/// The most non-empty cells read from one workbook, and the largest extent
/// a dense reader may give a sheet (the refusal says "a million").
const MAX_CELLS: usize = 1_000_000;

/// Every sheet of the workbook, in workbook order; every table of a
/// document or page, in document order.
pub fn open(bytes: Vec<u8>, format: Format) -> Result<Vec<Sheet>, ReadError> {
    if matches!(
        format,
        Format::Xlsx | Format::Xlsb | Format::Ods | Format::Docx
    ) {
        check_zip(&bytes, format)?;
    }
    let corrupt = |detail: String| {
        if detail.to_lowercase().contains("password") {
            ReadError::Password
        } else if detail.contains("Cell limit exceeded") {
            // calamine's ods reader sizes a sheet by its extent and refuses
            // one that spreads too far.
            ReadError::TooManyCells
        } else {
            ReadError::Corrupt { format, detail }
        }
    };
    let cursor = Cursor::new(bytes);
    let mut budget = Budget::new(MAX_CELLS);
    match format {
        Format::Xlsx => {
            let mut wb = Xlsx::new(cursor).map_err(|e| corrupt(e.to_string()))?;
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let mut cells_reader = match wb.worksheet_cells_reader(&name) {
                    Ok(r) => r,
                    // A chart sheet holds no cells.
                    Err(XlsxError::NotAWorksheet(_)) => continue,
                    Err(e) => return Err(corrupt(format!("sheet {name}: {e}"))),
                };
                let mut cells = Vec::new();
                while let Some(c) = cells_reader
                    .next_cell_with_formula()
                    .map_err(|e| corrupt(format!("sheet {name}: {e}")))?
                {
                    let formula = c.formula.filter(|f| !f.is_empty());
                    if c.value == calamine::DataRef::Empty && formula.is_none() {
                        continue;
                    }
                    budget.take()?;
                    cells.push(GridCell {
                        row: c.pos.0,
                        col: c.pos.1,
                        data: c.value.into(),
                        formula,
                    });
                }
                sheets.push(Sheet::of(name, cells));
            }
            Ok(sheets)
        }
        Format::Xlsb => {
            let mut wb = Xlsb::new(cursor).map_err(|e| corrupt(e.to_string()))?;
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let mut cells_reader = wb
                    .worksheet_cells_reader(&name)
                    .map_err(|e| corrupt(format!("sheet {name}: {e}")))?;
                let mut cells = Vec::new();
                while let Some(c) = cells_reader
                    .next_cell()
                    .map_err(|e| corrupt(format!("sheet {name}: {e}")))?
                {
                    if *c.get_value() == calamine::DataRef::Empty {
                        continue;
                    }
                    budget.take()?;
                    let (row, col) = c.get_position();
                    cells.push(GridCell {
                        row,
                        col,
                        data: c.get_value().clone().into(),
                        formula: None,
                    });
                }
                sheets.push(Sheet::of(name, cells));
            }
            Ok(sheets)
        }
        // These readers build a dense range over each sheet's extent: for xls
        // the extent is checked first, for ods calamine caps it.
        Format::Xls => {
            check_xls(cursor.get_ref())?;
            ranges(
                Xls::new(cursor).map_err(|e| corrupt(e.to_string()))?,
                &mut budget,
                corrupt,
            )
        }
        Format::Ods => ranges(
            Ods::new(cursor).map_err(|e| corrupt(e.to_string()))?,
            &mut budget,
            corrupt,
        ),
        Format::Docx => docx::tables(cursor.get_ref(), budget),
        Format::Html => html::tables(cursor.get_ref(), budget),
    }
}

fn ranges<R: Reader<Cursor<Vec<u8>>>>(
    mut wb: R,
    budget: &mut Budget,
    corrupt: impl Fn(String) -> ReadError,
) -> Result<Vec<Sheet>, ReadError>
where
    R::Error: std::fmt::Display,
{
    let mut sheets = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| corrupt(format!("sheet {name}: {e}")))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut cells = Vec::new();
        for (r, c, data) in range.used_cells() {
            budget.take()?;
            cells.push(GridCell {
                row: r0 + r as u32,
                col: c0 + c as u32,
                data: data.clone(),
                formula: None,
            });
        }
        sheets.push(Sheet::of(name, cells));
    }
    Ok(sheets)
}

/// Refuses a zip whose parts, as its directory declares them, unpack to more
/// than any workbook needs: a few kilobytes can hold gigabytes of XML.
fn check_zip(bytes: &[u8], format: Format) -> Result<(), ReadError> {
    let corrupt = |e: zip::result::ZipError| ReadError::Corrupt {
        format,
        detail: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if archive.len() > MAX_PARTS {
        return Err(ReadError::Unpacked(u64::MAX));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(corrupt)?;
        total = total.saturating_add(part.size());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(ReadError::Unpacked(total));
    }
    match format {
        Format::Ods => check_ods_repeats(&mut archive),
        Format::Xlsx => check_xlsx_values(&mut archive),
        _ => Ok(()),
    }
}

/// calamine reads a number cell's `<v>` up to its first character
/// reference and drops the rest, so `<v>&#49;</v>` would be a blank and
/// `<v>1&#50;</v>` a 1. No office program writes a number that way; a cell
/// that does is refused, named, instead of read as a different number.
fn check_xlsx_values(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<(), ReadError> {
    use std::io::Read;
    let sheets: Vec<String> = archive
        .file_names()
        .flatten()
        .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
        .map(|n| n.into_owned())
        .collect();
    for name in sheets {
        let mut xml = Vec::new();
        // The part's size was bounded by the archive's check above.
        let read = archive.by_name(&name).map(|mut p| p.read_to_end(&mut xml));
        if !matches!(read, Ok(Ok(_))) {
            continue; // calamine reports a damaged part itself
        }
        if let Some(cell) = number_with_reference(&xml) {
            return Err(ReadError::Corrupt {
                format: Format::Xlsx,
                detail: format!(
                    "{name}: cell {cell} writes its number with an XML character reference"
                ),
            });
        }
    }
    Ok(())
}

/// The cell (its `r`) whose `<v>` of a number, shared-string index, boolean
/// or error holds an `&`, if any. Text results (`t="str"`) may hold `&amp;`.
fn number_with_reference(xml: &[u8]) -> Option<String> {
    use memchr::memmem;
    for amp in memchr::memchr_iter(b'&', xml) {
        let before = &xml[..amp];
        let Some(open) = memmem::rfind(before, b"<") else {
            continue;
        };
        if !before[open..].starts_with(b"<v>") {
            continue;
        }
        let Some(cell_at) = memmem::rfind(before, b"<c ") else {
            continue;
        };
        let tag_end =
            memchr::memchr(b'>', &before[cell_at..]).map_or(before.len(), |e| cell_at + e);
        let tag = String::from_utf8_lossy(&before[cell_at..tag_end]);
        let attr = |key: &str| {
            let at = tag.find(&format!(" {key}=\""))? + key.len() + 3;
            Some(tag[at..].split('"').next()?.to_string())
        };
        if matches!(attr("t").as_deref(), Some("str" | "inlineStr" | "d")) {
            continue;
        }
        return Some(attr("r").unwrap_or_else(|| "?".to_string()));
    }
    None
}

/// An .ods says how often a row or a cell repeats; calamine lays every
/// repeat out. Rows and cells that hold nothing repeat freely (LibreOffice
/// writes a million empty rows that way); a value repeated past
/// [`MAX_CELLS`] cells is refused before calamine would fill them in.
fn check_ods_repeats(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    use std::io::Read;
    let Ok(mut part) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let mut xml = Vec::new();
    // The part's size was bounded by the archive's check above.
    if part.read_to_end(&mut xml).is_err() {
        return Ok(());
    }
    let repeat = |e: &quick_xml::events::BytesStart, name: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.trim().parse().ok())
            .unwrap_or(1)
    };
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let (mut rows, mut cells): (u64, u64) = (1, 0);
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => event,
        };
        if let Event::Start(e) | Event::Empty(e) = &event {
            match e.name().as_ref() {
                "table:table-row" => rows = repeat(e, "table:number-rows-repeated"),
                "table:table-cell" | "table:covered-table-cell"
                    if e.attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "office:value-type") =>
                {
                    let n = repeat(e, "table:number-columns-repeated");
                    cells = cells.saturating_add(rows.saturating_mul(n));
                    if cells > MAX_CELLS as u64 {
                        return Err(ReadError::TooManyCells);
                    }
                }
                _ => {}
            }
        }
        buf.clear();
    }
    Ok(())
}

/// Checks an xls before calamine opens it. calamine's own container reader
/// panics on some truncated files, so the container is opened here first
/// (cfb crate) and a damaged one is refused as damaged. Then the workbook
/// stream's cell records give each sheet's extent: calamine sizes a dense
/// value range and a dense formula range by it, so one stray entry at
/// IV65536 would cost a gigabyte, and a sheet spread over more than
/// [`MAX_CELLS`] is refused.
fn check_xls(bytes: &[u8]) -> Result<(), ReadError> {
    use std::io::Read;
    let damaged = |detail: String| ReadError::Corrupt {
        format: Format::Xls,
        detail,
    };
    let mut ole =
        cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| damaged(e.to_string()))?;
    let mut stream = Vec::new();
    ["/Workbook", "/Book"]
        .iter()
        .find_map(|name| ole.open_stream(name).ok())
        .ok_or_else(|| damaged("it holds no workbook stream".into()))?
        .read_to_end(&mut stream)
        .map_err(|e| damaged(e.to_string()))?;
    // The sheets' offsets, from the BOUNDSHEET records of the globals: each
    // sheet is walked from where calamine will start reading it.
    let offsets: Vec<usize> = records(&stream, 0)
        .take_while(|(kind, _)| *kind != 0x000A)
        .filter(|(kind, data)| *kind == 0x0085 && data.len() >= 4)
        .map(|(_, data)| u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize)
        .collect();
    for offset in offsets {
        check_xls_sheet(&stream, offset)?;
    }
    Ok(())
}

/// One sheet's records as calamine reads them: from its BOF to its EOF,
/// skipping nested substreams (embedded charts).
fn check_xls_sheet(stream: &[u8], offset: usize) -> Result<(), ReadError> {
    let mut extent: Option<(u32, u32, u32, u32)> = None;
    let mut depth = 0usize;
    let mut seen_bof = false;
    for (kind, data) in records(stream, offset) {
        let at = |i: usize| u32::from(u16::from_le_bytes([data[i], data[i + 1]]));
        if depth > 0 {
            match kind {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let (row, first_col, last_col) = match kind {
            0x0809 if seen_bof => {
                depth += 1;
                continue;
            }
            0x0809 => {
                seen_bof = true;
                continue;
            }
            0x000A => break,
            // FILEPASS: the records after it are encrypted; calamine says so.
            0x002F => return Ok(()),
            // DIMENSIONS: calamine reserves room for the extent it declares,
            // so one beyond what the format allows (65,536 rows, 256
            // columns), or one that ends before it starts, would abort the run.
            0x0200 if matches!(data.len(), 10 | 14 | 16) => {
                let (first_row, rows_end, cols_end) = if data.len() == 10 {
                    (at(0), at(2), at(6))
                } else {
                    let u32_at = |i: usize| {
                        u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]])
                    };
                    (u32_at(0), u32_at(4), at(10))
                };
                if rows_end > 65_536 || cols_end > 256 || (rows_end >= 1 && first_row >= rows_end) {
                    return Err(ReadError::Corrupt {
                        format: Format::Xls,
                        detail: format!(
                            "a sheet declares rows {first_row} to {rows_end} and {cols_end} columns, which no xls can hold"
                        ),
                    });
                }
                continue;
            }
            // NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA: row, column.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 if data.len() >= 4 => {
                (at(0), at(2), at(2))
            }
            // MULRK: row, first column, …, last column.
            0x00BD if data.len() >= 6 => (at(0), at(2), at(data.len() - 2)),
            _ => continue,
        };
        let (r0, r1, c0, c1) = extent.unwrap_or((row, row, first_col, last_col));
        let grown = (
            r0.min(row),
            r1.max(row),
            c0.min(first_col.min(last_col)),
            c1.max(last_col.max(first_col)),
        );
        let area = (u64::from(grown.1 - grown.0) + 1) * (u64::from(grown.3 - grown.2) + 1);
        if area > MAX_CELLS as u64 {
            return Err(ReadError::TooManyCells);
        }
        extent = Some(grown);
    }
    Ok(())
}

/// The BIFF records of a workbook stream from `offset`: (type, data).
fn records(stream: &[u8], offset: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut pos = offset;
    std::iter::from_fn(move || {
        let header = stream.get(pos..pos + 4)?;
        let kind = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let data = &stream[pos + 4..(pos + 4 + len).min(stream.len())];
        pos += 4 + len;
        Some((kind, data))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An .ods whose content.xml holds `rows`.
    fn ods(rows: &str) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", options).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        zip.start_file("content.xml", options).unwrap();
        let xml = format!(
            "<office:document-content><office:body><office:spreadsheet>\
             <table:table table:name=\"表\">{rows}</table:table>\
             </office:spreadsheet></office:body></office:document-content>"
        );
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_number_written_with_a_character_reference_is_named_and_text_results_are_not() {
        let sheet = |cells: &str| format!("<sheetData><row r=\"1\">{cells}</row></sheetData>");
        let found = |cells: &str| number_with_reference(sheet(cells).as_bytes());
        assert_eq!(
            found(r#"<c r="D23" s="4" t="n"><v>&#49;</v></c>"#).as_deref(),
            Some("D23")
        );
        assert_eq!(
            found(r#"<c r="B2"><v>1&#50;</v></c>"#).as_deref(),
            Some("B2")
        );
        assert_eq!(
            found(r#"<c r="A1" t="s"><v>&#48;</v></c>"#).as_deref(),
            Some("A1")
        );
        assert_eq!(
            found(r#"<c r="A1" t="str"><f>A2&amp;A3</f><v>x&amp;y</v></c>"#),
            None
        );
        assert_eq!(
            found(r#"<c r="A1" t="n"><f>A2&amp;A3</f><v>3</v></c>"#),
            None
        );
        assert_eq!(found(r#"<c r="A1" t="n"><v>12</v></c>"#), None);
    }

    #[test]
    fn a_value_repeated_past_a_million_cells_is_refused_and_empty_repeats_are_not() {
        let valued = "<table:table-cell office:value-type=\"float\" office:value=\"1\"/>";
        let huge = ods(&format!(
            "<table:table-row table:number-rows-repeated=\"1000000000\">{valued}</table:table-row>"
        ));
        assert!(matches!(
            check_zip(&huge, Format::Ods),
            Err(ReadError::TooManyCells)
        ));
        // As LibreOffice saves a form: a few rows of values, then a million
        // empty rows said once.
        let saved = ods(&format!(
            "<table:table-row>{valued}{valued}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048000\">\
             <table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>"
        ));
        assert!(check_zip(&saved, Format::Ods).is_ok());
    }
}
