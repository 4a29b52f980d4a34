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
    Html,
    Unknown,
}

const ZIP: &[u8] = b"PK\x03\x04";
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::Empty;
    }
    if bytes.starts_with(ZIP) {
        // ODS stores its `mimetype` entry first and uncompressed; xlsb names its
        // binary workbook part in the zip directory at the end.
        let head = &bytes[..bytes.len().min(256)];
        if contains(head, b"application/vnd.oasis.opendocument.spreadsheet") {
            return Sniffed::Spreadsheet(Format::Ods);
        }
        let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
        if contains(tail, b"xl/workbook.bin") {
            return Sniffed::Spreadsheet(Format::Xlsb);
        }
        return Sniffed::Spreadsheet(Format::Xlsx);
    }
    if bytes.starts_with(CFB) {
        return Sniffed::Spreadsheet(Format::Xls);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<')
        && (head.contains("<html") || head.contains("<table") || head.contains("<!doctype"))
    {
        return Sniffed::Html;
    }
    Sniffed::Unknown
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
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Spreadsheet(Format::Xlsx));
        assert_eq!(
            sniff(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK"),
            Sniffed::Spreadsheet(Format::Ods)
        );
        assert_eq!(sniff(CFB), Sniffed::Spreadsheet(Format::Xls));
        assert_eq!(sniff(b"\xef\xbb\xbf <html><table>"), Sniffed::Html);
        assert_eq!(sniff(b"hello"), Sniffed::Unknown);
    }
}
