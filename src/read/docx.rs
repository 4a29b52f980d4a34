//! Word documents (.docx, as Word, WPS and LibreOffice write them): every
//! table of the document body, in the order it starts, as a sheet `表N`.
//!
//! A unit's annual report holds the three tables between paragraphs of
//! prose; the form is found in them by its labels, as in a workbook. The
//! document part is read with quick-xml, which never expands a document
//! type's entities: a file that uses one is refused as damaged, as calamine
//! refuses an xlsx.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::ReadError;
use super::layout::Tables;
use super::sheet::{Budget, Sheet};
use crate::read::sniff::Format;

/// The part holding the document body.
const DOCUMENT: &str = "word/document.xml";

pub fn tables(bytes: &[u8], budget: Budget) -> Result<Vec<Sheet>, ReadError> {
    let corrupt = |detail: String| ReadError::Corrupt {
        format: Format::Docx,
        detail,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let mut xml = String::new();
    zip.by_name(DOCUMENT)
        .map_err(|e| corrupt(format!("{DOCUMENT}: {e}")))?
        .read_to_string(&mut xml)
        .map_err(|e| corrupt(format!("{DOCUMENT}: {e}")))?;
    walk(&xml, budget).map_err(|e| match e {
        Walk::Xml(detail) => corrupt(detail),
        Walk::Read(e) => e,
    })
}

enum Walk {
    Xml(String),
    Read(ReadError),
}

impl From<ReadError> for Walk {
    fn from(e: ReadError) -> Walk {
        Walk::Read(e)
    }
}

fn walk(xml: &str, budget: Budget) -> Result<Vec<Sheet>, Walk> {
    let mut reader = Reader::from_str(xml);
    let mut tables = Tables::new(budget);
    // Inside `w:t` (text) only: field codes, deleted text and the fallback
    // copy of alternate content are not what the page shows.
    let mut in_text = false;
    let mut fallback = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| Walk::Xml(format!("{DOCUMENT}: {e}")))?;
        match &event {
            Event::Start(e) if local(e) == "Fallback" => fallback += 1,
            Event::End(e) if e.local_name().as_ref() == "Fallback" => {
                fallback = fallback.saturating_sub(1);
            }
            _ if fallback > 0 => {}
            Event::Start(e) => match local(e) {
                "tbl" => tables.open_table()?,
                "tr" => tables.start_row()?,
                "tc" => tables.open_cell(1, 1)?,
                "t" => in_text = true,
                _ => element(&mut tables, e),
            },
            Event::Empty(e) => match local(e) {
                "tab" => tables.text(" "),
                "br" | "cr" => tables.line_break(),
                _ => element(&mut tables, e),
            },
            Event::End(e) => match e.local_name().as_ref() {
                "tbl" => tables.close_table()?,
                "tc" => tables.close_cell()?,
                "p" => tables.line_break(),
                "t" => in_text = false,
                _ => {}
            },
            Event::Text(t) if in_text => tables.text(&t.xml10_content()),
            Event::CData(t) if in_text => tables.text(t.as_ref()),
            Event::GeneralRef(r) if in_text => tables.text(&entity(r)?),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(tables.finish()?)
}

fn local<'a>(e: &'a BytesStart) -> &'a str {
    let name = e.name().0;
    name.rsplit(':').next().unwrap_or(name)
}

/// The elements that say how a cell or row is laid out.
fn element(tables: &mut Tables, e: &BytesStart) {
    match local(e) {
        "gridSpan" => tables.span(number(e).unwrap_or(1)),
        "gridBefore" => tables.skip(number(e).unwrap_or(0)),
        // `restart` begins a merge; no value, or `continue`, carries it on.
        "vMerge" if value(e).as_deref() != Some("restart") => tables.continues_merge(),
        _ => {}
    }
}

/// The `w:val` of an element.
fn value(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "val")
        .map(|a| a.value.to_string())
}

fn number(e: &BytesStart) -> Option<u32> {
    value(e)?.trim().parse().ok()
}

/// An entity reference in text: the five XML entities and character
/// references; any other is the document's own, never expanded.
fn entity(r: &BytesRef) -> Result<String, Walk> {
    let name: &str = r.as_ref();
    if let Some(text) = quick_xml::escape::resolve_xml_entity(name) {
        return Ok(text.to_string());
    }
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        _ => Err(Walk::Xml(format!(
            "{DOCUMENT}: unrecognized entity `&{name};`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::layout::tests::texts;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn merged_cells_split_runs_and_nested_tables_read_as_a_spreadsheet_shows_them() {
        let xml = format!(
            r#"<w:document {W}><w:body>
            <w:p><w:r><w:t>填报单位：测试镇</w:t></w:r></w:p>
            <w:tbl>
              <w:tr>
                <w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>申请人情况</w:t></w:r></w:p></w:tc>
                <w:tc><w:p><w:r><w:t>自然</w:t></w:r><w:r><w:t>人</w:t></w:r></w:p></w:tc>
              </w:tr>
              <w:tr>
                <w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge/></w:tcPr><w:p/></w:tc>
                <w:tc><w:p><w:r><w:t>1</w:t></w:r><w:r><w:t>23</w:t></w:r></w:p><w:p/></w:tc>
              </w:tr>
              <w:tr>
                <w:trPr><w:gridBefore w:val="1"/></w:trPr>
                <w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p>
                  <w:tbl><w:tr><w:tc><w:p><w:r><w:t>内</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
                </w:tc>
                <w:tc><w:p><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r><w:r><w:br/><w:t>&#x4E00;</w:t></w:r></w:p></w:tc>
              </w:tr>
            </w:tbl>
            <w:p><w:r><w:t>填报人：王某</w:t></w:r></w:p>
            </w:body></w:document>"#
        );
        let sheets = walk(&xml, Budget::new(1000)).ok().unwrap();
        assert_eq!(
            sheets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["表1", "表2"]
        );
        assert_eq!(
            texts(&sheets)[0],
            [
                (0, 0, "申请人情况".into()),
                (0, 2, "自然人".into()),
                (1, 2, "123".into()),
                (2, 1, "外".into()),
                (2, 2, "a & b\n一".into()),
            ]
        );
        assert_eq!(texts(&sheets)[1], [(0, 0, "内".into())]);
        assert_eq!(
            sheets[0].grid.get(1, 2),
            Some(&calamine::Data::Float(123.0))
        );
        assert_eq!(sheets[0].before.cells().len(), 1);
        assert_eq!(sheets[0].after.cells().len(), 1);
        assert!(sheets[1].before.is_empty());
    }

    #[test]
    fn an_entity_of_the_documents_own_is_refused_not_expanded() {
        let xml = format!(
            r#"<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
            <w:document {W}><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        match walk(&xml, Budget::new(1000)) {
            Err(Walk::Xml(detail)) => assert!(detail.contains("&b;"), "{detail}"),
            _ => panic!("an entity was read"),
        }
    }
}
