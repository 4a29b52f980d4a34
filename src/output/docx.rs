//! A Word document (.docx) written as text: the package's fixed parts
//! around a body, named styles and one footer that a caller lays out as
//! WordprocessingML.
//!
//! Written as text against named styles rather than through a document
//! builder that repeats every run's fonts and adds parts a draft does not
//! use: a fifth of the time and a twentieth of the bytes (BENCHMARKS.md).
//! Parts are deflated with a fixed date, so the same draft is the same
//! bytes.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The relationship id by which every section names the one footer.
pub const FOOTER: &str = "rIdFooter";

/// The parts a caller writes; the package supplies the rest.
pub struct Document<'a> {
    /// The document's title, in its properties.
    pub title: &'a str,
    /// The `w:style` elements of styles.xml.
    pub styles: &'a str,
    /// The children of `w:body`, the last section's `w:sectPr` included.
    pub body: &'a str,
    /// The children of the footer's `w:ftr`.
    pub footer: &'a str,
}

/// The package as bytes.
pub fn package(doc: &Document) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut part = |name: &str, pieces: &[&str]| -> zip::result::ZipResult<()> {
        zip.start_file(name, options)?;
        for piece in pieces {
            zip.write_all(piece.as_bytes())?;
        }
        Ok(())
    };
    part("[Content_Types].xml", &[CONTENT_TYPES])?;
    part("_rels/.rels", &[PACKAGE_RELS])?;
    let mut title = String::new();
    text(&mut title, doc.title);
    part("docProps/core.xml", &[CORE_START, &title, CORE_END])?;
    part("word/_rels/document.xml.rels", &[DOCUMENT_RELS])?;
    part("word/settings.xml", &[SETTINGS])?;
    let styles_start = format!("{PROLOG}<w:styles xmlns:w=\"{W}\">");
    part(
        "word/styles.xml",
        &[&styles_start, doc.styles, "</w:styles>"],
    )?;
    let footer_start = format!("{PROLOG}<w:ftr xmlns:w=\"{W}\" xmlns:r=\"{R}\">");
    part("word/footer1.xml", &[&footer_start, doc.footer, "</w:ftr>"])?;
    let document_start = format!("{PROLOG}<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>");
    part(
        "word/document.xml",
        &[&document_start, doc.body, "</w:body></w:document>"],
    )?;
    Ok(zip.finish()?.into_inner())
}

/// Appends `s` as XML character data: markup characters escaped, and the
/// control characters XML 1.0 cannot carry (a stray one in a unit's name
/// would make the document unreadable) left out.
pub fn text(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

const PROLOG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>",
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>",
    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>",
    "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>",
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
    "</Types>"
);

const PACKAGE_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>",
    "</Relationships>"
);

const DOCUMENT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>",
    "<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>",
    "</Relationships>"
);

/// Word 2013 and later's layout (not its compatibility mode), and East
/// Asian line breaking.
const SETTINGS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:defaultTabStop w:val=\"420\"/>",
    "<w:characterSpacingControl w:val=\"compressPunctuation\"/>",
    "<w:compat><w:useFELayout/>",
    "<w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/>",
    "</w:compat></w:settings>"
);

const CORE_START: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" ",
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>"
);
const CORE_END: &str = "</dc:title><dc:creator>gongkai</dc:creator></cp:coreProperties>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_leaves_out_what_xml_cannot_carry() {
        let mut out = String::new();
        text(&mut out, "A&B <c> \"d\"\u{1}\u{b}e\tf");
        assert_eq!(out, "A&amp;B &lt;c&gt; &quot;d&quot;e\tf");
    }
}
