//! Any bytes, as a township's file, through the reader.
//!
//! libFuzzer finds what would stop a run: aborts, stack overflows, runaway
//! memory, hangs, and panics in gongkai's own code (see the library).

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static TEMPLATE: LazyLock<gongkai::form::Template> =
    LazyLock::new(|| gongkai::form::Template::load("lps2018").unwrap());

fuzz_target!(|data: &[u8]| {
    gongkai_fuzz::abort_on_own_panics();
    // The format is sniffed from the bytes; the extension only decides
    // whether a "renamed" note is added.
    let _ = gongkai::read::read_bytes(data.to_vec(), "xlsx", &TEMPLATE);
});
