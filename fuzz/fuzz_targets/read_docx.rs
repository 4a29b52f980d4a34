//! Any bytes as the body of a Word document (`word/document.xml` in an
//! otherwise well-formed .docx), through the reader: the docx path's XML
//! walk, spans and merges, nested tables, entities.

#![no_main]

use std::io::Write;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static TEMPLATE: LazyLock<gongkai::form::Template> =
    LazyLock::new(|| gongkai::form::Template::load("nat2021").unwrap());

fn docx(document: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        .unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document).unwrap();
    zip.finish().unwrap().into_inner()
}

fuzz_target!(|data: &[u8]| {
    gongkai_fuzz::abort_on_own_panics();
    let _ = gongkai::read::read_bytes(docx(data), "docx", &TEMPLATE);
});
