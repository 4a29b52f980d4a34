//! Panics caught where a library may panic on what it is given: a reader
//! on a hostile file, the workbook writer on a full disk (it writes its
//! streamed sheets to temporary files and panics when that fails). The
//! panic becomes one finding or one error line; the hook keeps its message
//! and backtrace off stderr, where a cron log would carry them for nothing.
//! Any other panic is printed as usual.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    /// Set while a library runs under [`guarded`].
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Installs the hook that keeps guarded panics quiet. Call once, first thing.
pub fn quiet_caught_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(Cell::get) {
            default(info);
        }
    }));
}

/// Runs `work` under `catch_unwind`, its panic kept quiet.
pub fn guarded<T>(work: impl FnOnce() -> T) -> std::thread::Result<T> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(work));
    GUARDED.with(|g| g.set(outer));
    result
}

/// The text a panic was raised with.
pub fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
