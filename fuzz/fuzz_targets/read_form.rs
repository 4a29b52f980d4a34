//! Any bytes, as a township's file, through the reader.
//!
//! `read_bytes` catches a panic inside a reader library and reports it as
//! that file's error, as a run does; libFuzzer still finds what would stop a
//! run: aborts, stack overflows, runaway memory, hangs. A panic in gongkai's
//! own code is a bug even when caught, so the panic hook aborts on it.

#![no_main]

use std::sync::{LazyLock, Once};

use libfuzzer_sys::fuzz_target;

static TEMPLATE: LazyLock<gongkai::template::Template> =
    LazyLock::new(|| gongkai::template::Template::load("lps2018").unwrap());

static HOOK: Once = Once::new();

fn abort_on_own_panics() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let file = info.location().map(|l| l.file()).unwrap_or("");
            // Libraries live under the cargo registry; gongkai's code does not.
            if !file.contains("/.cargo/registry/") {
                eprintln!("gongkai panicked: {info}");
                std::process::abort();
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    abort_on_own_panics();
    // The format is sniffed from the bytes; the extension only decides
    // whether a "renamed" note is added.
    let _ = gongkai::reader::read_bytes(data.to_vec(), "xlsx", &TEMPLATE);
});
