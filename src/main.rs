//! The `gongkai` command: everything is in the library's `cli`.

use mimalloc::MiMalloc;

// mimalloc rather than the system allocator: reading a national year keeps
// 40,000 small forms alive between short-lived workbook buffers, and glibc's
// heap fragments under that pattern; built without transparent huge pages
// (`no_thp`), whose zeroing of 2 MiB pages a form touches a few KiB of was a
// fifth of a check (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

fn main() -> std::process::ExitCode {
    gongkai::cli::main()
}
