//! What the fuzz targets share.

use std::sync::Once;

static HOOK: Once = Once::new();

/// `read_bytes` catches a panic inside a reader library and reports it as
/// that file's error, as a run does. A panic in gongkai's own code is a bug
/// even when caught, so the panic hook aborts on it.
pub fn abort_on_own_panics() {
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
