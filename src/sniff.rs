//! What a file really is, from its first bytes rather than its name: clerks
//! rename files, and web systems save HTML pages as `.xls`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
        })
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Spreadsheet(Format),
    Empty,
    /// An HTML page, as web systems export "Excel" files.
    Html,
    /// An Excel 2003 XML spreadsheet (SpreadsheetML), another web export.
    Xml2003,
    /// An Office file encrypted with a password (an OLE container holding
    /// an `EncryptedPackage`).
    Encrypted,
    /// Some other kind of file, named for the clerk: "a PDF document".
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
    let has = |needle: &[u8]| contains(head, needle) || contains(tail, needle);
    if bytes.starts_with(ZIP) {
        // ODS stores its `mimetype` entry first and uncompressed.
        if contains(&head[..head.len().min(256)], b"opendocument.spreadsheet") {
            return Sniffed::Spreadsheet(Format::Ods);
        }
        if has(b"xl/workbook.bin") {
            return Sniffed::Spreadsheet(Format::Xlsb);
        }
        if has(b"word/document.xml") {
            return Sniffed::Other("Word 文档(.docx)");
        }
        if has(b"ppt/presentation.xml") {
            return Sniffed::Other("PowerPoint 演示文稿(.pptx)");
        }
        if has(b"opendocument.text") {
            return Sniffed::Other("文字处理文档(.odt)");
        }
        if has(b"xl/") || has(b"[Content_Types].xml") {
            return Sniffed::Spreadsheet(Format::Xlsx);
        }
        return Sniffed::Other("压缩包(zip)");
    }
    if bytes.starts_with(CFB) {
        if has(&utf16(b"EncryptedPackage")) {
            return Sniffed::Encrypted;
        }
        if has(&utf16(b"WordDocument")) {
            return Sniffed::Other("Word 文档(.doc)");
        }
        return Sniffed::Spreadsheet(Format::Xls);
    }
    for (magic, what) in [
        (&b"%PDF"[..], "PDF 文档"),
        (b"\x89PNG", "图片(PNG)"),
        (b"\xFF\xD8\xFF", "图片(JPEG)"),
        (b"GIF8", "图片(GIF)"),
        (b"Rar!", "压缩包(RAR)"),
        (b"7z\xBC\xAF", "压缩包(7z)"),
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
        if text.contains("<html") || text.contains("<table") || text.contains("<!doctype") {
            return Sniffed::Html;
        }
    }
    if !head.contains(&0) {
        return Sniffed::Other("文本文件(如 CSV)");
    }
    Sniffed::Other("任何表格软件都不会写出的文件")
}

fn utf16(ascii: &[u8]) -> Vec<u8> {
    ascii.iter().flat_map(|&b| [b, 0]).collect()
}

/// The format a file's extension promises, if it is a spreadsheet extension.
pub fn format_from_extension(ext: &str) -> Option<Format> {
    match ext.to_ascii_lowercase().as_str() {
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        "xlsb" => Some(Format::Xlsb),
        "xls" => Some(Format::Xls),
        "ods" => Some(Format::Ods),
        _ => None,
    }
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
            Sniffed::Spreadsheet(Format::Xlsx)
        );
        assert_eq!(
            sniff(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK"),
            Sniffed::Spreadsheet(Format::Ods)
        );
        assert_eq!(sniff(CFB), Sniffed::Spreadsheet(Format::Xls));
        assert_eq!(sniff(b"\xef\xbb\xbf <html><table>"), Sniffed::Html);
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"),
            Sniffed::Xml2003
        );
        assert_eq!(sniff(b"%PDF-1.4"), Sniffed::Other("PDF 文档"));
        assert_eq!(
            sniff(b"PK\x03\x04....word/document.xml"),
            Sniffed::Other("Word 文档(.docx)")
        );
        assert_eq!(
            sniff(b"PK\x03\x04....2018/a.xlsx"),
            Sniffed::Other("压缩包(zip)")
        );
        let mut encrypted = CFB.to_vec();
        encrypted.extend(utf16(b"EncryptedPackage"));
        assert_eq!(sniff(&encrypted), Sniffed::Encrypted);
        assert_eq!(sniff(b"a,b\n1,2"), Sniffed::Other("文本文件(如 CSV)"));
    }
}
