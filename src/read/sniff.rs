//! What a file really is, from its first bytes rather than its name: clerks
//! rename files, web systems save HTML pages as `.xls`, and a unit sends its
//! annual report (.docx) or the page it published in place of a spreadsheet.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    /// A Word document (Word 2007+, or WPS saving .docx): its tables.
    Docx,
    /// A web page: its tables.
    Html,
}

impl Format {
    /// Whether the form's tables come from a document's tables rather than
    /// from sheets: `表3` is then the document's third table.
    pub fn is_document(self) -> bool {
        matches!(self, Format::Docx | Format::Html)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Docx => "docx",
            Format::Html => "html",
        })
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A spreadsheet, document or page gongkai reads.
    Readable(Format),
    Empty,
    /// An Excel 2003 XML spreadsheet (SpreadsheetML), another web export.
    Xml2003,
    /// An Office file encrypted with a password (an OLE container holding
    /// an `EncryptedPackage`).
    Encrypted,
    /// A Word 97–2003 document or a WPS 文字 document of the same container.
    LegacyWord,
    Pdf,
    /// A photo or scan, named for the clerk: "图片（PNG）".
    Image(&'static str),
    /// Some other kind of file, named for the clerk: "压缩包(zip)".
    Other(&'static str),
}

const ZIP: &[u8] = b"PK\x03\x04";
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// How much of each end of a file is searched for markers: a zip names its
/// parts in local headers from the start and in its directory at the end.
const SCAN: usize = 64 * 1024;

pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::Empty;
    }
    let head = &bytes[..bytes.len().min(SCAN)];
    let tail = &bytes[bytes.len().saturating_sub(SCAN)..];
    // A small file is its own head and tail: searched once, not twice.
    let ends =
        |needle: &[u8]| contains(head, needle) || (bytes.len() > SCAN && contains(tail, needle));
    if bytes.starts_with(ZIP) {
        // A zip lists its parts in its directory: a few hundred bytes to
        // search instead of the whole file, and never a match by chance in
        // compressed data.
        let directory = zip_directory(bytes);
        let has = |needle: &[u8]| directory.map_or_else(|| ends(needle), |d| contains(d, needle));
        // ODS stores its `mimetype` entry first and uncompressed.
        if contains(&head[..head.len().min(256)], b"opendocument.spreadsheet") {
            return Sniffed::Readable(Format::Ods);
        }
        if has(b"xl/workbook.bin") {
            return Sniffed::Readable(Format::Xlsb);
        }
        if has(b"word/document.xml") {
            return Sniffed::Readable(Format::Docx);
        }
        if has(b"ppt/presentation.xml") {
            return Sniffed::Other("PowerPoint 演示文稿（.pptx）");
        }
        if has(b"opendocument.text") {
            return Sniffed::Other("文字处理文档（.odt）");
        }
        if has(b"xl/") || has(b"[Content_Types].xml") {
            return Sniffed::Readable(Format::Xlsx);
        }
        return Sniffed::Other("压缩包（zip）");
    }
    if bytes.starts_with(CFB) {
        if ends(&utf16(b"EncryptedPackage")) {
            return Sniffed::Encrypted;
        }
        if ends(&utf16(b"WordDocument")) {
            return Sniffed::LegacyWord;
        }
        return Sniffed::Readable(Format::Xls);
    }
    if bytes.starts_with(b"%PDF") {
        return Sniffed::Pdf;
    }
    for (magic, what) in [
        (&b"\x89PNG"[..], "图片（PNG）"),
        (b"\xFF\xD8\xFF", "图片（JPEG）"),
        (b"GIF8", "图片（GIF）"),
        (b"II*\0", "图片（TIFF）"),
        (b"MM\0*", "图片(TIFF)"),
    ] {
        if bytes.starts_with(magic) {
            return Sniffed::Image(what);
        }
    }
    for (magic, what) in [
        (&b"Rar!"[..], "压缩包(RAR)"),
        (b"7z\xBC\xAF", "压缩包（7z）"),
        (b"{\\rtf", "RTF 文档"),
    ] {
        if bytes.starts_with(magic) {
            return Sniffed::Other(what);
        }
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        // SpreadsheetML has a `<Table>` too, so it is told apart first.
        if text.contains("<workbook")
            && text.contains("urn:schemas-microsoft-com:office:spreadsheet")
        {
            return Sniffed::Xml2003;
        }
        let page = ["<html", "<table", "<!doctype", "<head", "<body", "<meta"];
        if page.iter().any(|tag| text.contains(tag)) {
            return Sniffed::Readable(Format::Html);
        }
    }
    if !head.contains(&0) {
        return Sniffed::Other("文本文件（如 CSV）");
    }
    Sniffed::Other("任何表格软件都不会写出的文件")
}

fn utf16(ascii: &[u8]) -> Vec<u8> {
    ascii.iter().flat_map(|&b| [b, 0]).collect()
}

/// The format a file's extension promises, if it names one gongkai reads.
/// WPS 表格's `.et` is the xls format under another name.
pub fn format_from_extension(ext: &str) -> Option<Format> {
    match ext.to_ascii_lowercase().as_str() {
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        "xlsb" => Some(Format::Xlsb),
        "xls" | "et" => Some(Format::Xls),
        "ods" => Some(Format::Ods),
        "docx" => Some(Format::Docx),
        "html" | "htm" => Some(Format::Html),
        _ => None,
    }
}

/// Whether a file of this extension is read as a submission: a format
/// gongkai reads, or one a unit sends in place of it (a .doc or .wps
/// report, a PDF, a scan), which is read to be refused with what to do.
pub fn is_submission_extension(ext: &str) -> bool {
    format_from_extension(ext).is_some()
        || matches!(
            ext.to_ascii_lowercase().as_str(),
            "doc" | "wps" | "pdf" | "png" | "jpg" | "jpeg" | "gif" | "tif" | "tiff"
        )
}

/// A zip's central directory, where it names every part, found from the end
/// record; `None` when the end record is missing or does not point at a
/// directory (a truncated file, a zip64, data prepended to the zip), and
/// the file is then searched at both ends.
fn zip_directory(bytes: &[u8]) -> Option<&[u8]> {
    // The end record is 22 bytes, followed by a comment of at most 65,535.
    let from = bytes.len().saturating_sub(22 + usize::from(u16::MAX));
    let at = from + memchr::memmem::rfind(&bytes[from..], b"PK\x05\x06")?;
    let record = bytes.get(at..at + 22)?;
    let le32 =
        |i: usize| u32::from_le_bytes([record[i], record[i + 1], record[i + 2], record[i + 3]]);
    let (size, offset) = (le32(12) as usize, le32(16) as usize);
    let directory = bytes.get(offset..offset.checked_add(size)?)?;
    directory.starts_with(b"PK\x01\x02").then_some(directory)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(
            sniff(b"PK\x03\x04....xl/workbook.xml"),
            Sniffed::Readable(Format::Xlsx)
        );
        assert_eq!(
            sniff(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK"),
            Sniffed::Readable(Format::Ods)
        );
        assert_eq!(sniff(CFB), Sniffed::Readable(Format::Xls));
        assert_eq!(
            sniff(b"\xef\xbb\xbf <html><table>"),
            Sniffed::Readable(Format::Html)
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"),
            Sniffed::Xml2003
        );
        assert_eq!(sniff(b"%PDF-1.4"), Sniffed::Pdf);
        assert_eq!(sniff(b"\x89PNG\r\n"), Sniffed::Image("图片（PNG）"));
        assert_eq!(
            sniff(b"PK\x03\x04....word/document.xml"),
            Sniffed::Readable(Format::Docx)
        );
        let mut doc = CFB.to_vec();
        doc.extend(utf16(b"WordDocument"));
        assert_eq!(sniff(&doc), Sniffed::LegacyWord);
        assert_eq!(
            sniff(b"PK\x03\x04....2018/a.xlsx"),
            Sniffed::Other("压缩包（zip）")
        );
        let mut encrypted = CFB.to_vec();
        encrypted.extend(utf16(b"EncryptedPackage"));
        assert_eq!(sniff(&encrypted), Sniffed::Encrypted);
        assert_eq!(sniff(b"a,b\n1,2"), Sniffed::Other("文本文件（如 CSV）"));
    }

    /// A zip of the named parts, each holding `content`, stored uncompressed
    /// so the content's bytes are in the file as they are.
    fn zip_of(parts: &[&str], content: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for part in parts {
            zip.start_file(*part, stored).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_is_told_by_the_parts_its_directory_names_not_by_its_contents() {
        // A workbook whose cells quote a Word part's name is still a workbook.
        let workbook = zip_of(
            &["[Content_Types].xml", "xl/workbook.xml"],
            b"see word/document.xml and xl/workbook.bin",
        );
        assert_eq!(sniff(&workbook), Sniffed::Readable(Format::Xlsx));
        let report = zip_of(&["[Content_Types].xml", "word/document.xml"], b"<w/>");
        assert_eq!(sniff(&report), Sniffed::Readable(Format::Docx));
        let binary = zip_of(&["xl/workbook.bin"], b"");
        assert_eq!(sniff(&binary), Sniffed::Readable(Format::Xlsb));
        // Cut off before its directory, a zip is searched at both ends.
        let plain = zip_of(&["[Content_Types].xml", "xl/workbook.xml"], b"<workbook/>");
        let truncated = &plain[..plain.len() - 30];
        assert_eq!(sniff(truncated), Sniffed::Readable(Format::Xlsx));
    }
}
