//! Any bytes as a web page, through the reader: charset declaration and
//! detection, html5ever's parse, the walk over tables, spans.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static TEMPLATE: LazyLock<gongkai::form::Template> =
    LazyLock::new(|| gongkai::form::Template::load("nat2021").unwrap());

fuzz_target!(|data: &[u8]| {
    gongkai_fuzz::abort_on_own_panics();
    // The marker makes the bytes sniff as a page whatever follows.
    let mut page = b"<!doctype html>".to_vec();
    page.extend_from_slice(data);
    let _ = gongkai::read::read_bytes(page, "html", &TEMPLATE);
});
