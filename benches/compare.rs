//! The end-to-end comparison: `gongkai check` and `gongkai run` against the
//! bare calamine read of the same files, on all cores (and `run` on one), and
//! against the Python peers a user would write instead (benches/peers/).
//!
//! The bare read, `check` and `run` take turns (bare, check, run, bare, …)
//! and each ratio is the median of the ratios of one turn, so a machine whose
//! speed drifts during the bench moves all three together.
//!
//! ```sh
//! cargo bench --bench compare
//! ```
//!
//! - `GONGKAI_BENCH_FORMS` (default 40000): forms of the big year, made once
//!   by `gongkai demo` (seed 1) under target/bench-data/ and kept;
//! - `GONGKAI_BENCH_REPS` (default 3): timed turns after one warm-up; the
//!   median is reported;
//! - `GONGKAI_BENCH_PEER_FORMS` (default 2000): forms of the smaller year the
//!   peers run on (they are slow), `0` to skip them. The peers' packages are
//!   installed by benches/peers/setup.sh into target/peers-venv;
//! - `GONGKAI_BENCH_TEMPLATE` (default lps2018): the form of the generated
//!   years, `nat2021` for the national tables (the peers read only the 2018
//!   form, so they run with lps2018 alone).
//!
//! gongkai runs as its own process (the release binary), so its time includes
//! start-up and every output file, and its peak memory is the process's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use calamine::{Reader, open_workbook_auto};
use rayon::prelude::*;

/// Set to a year folder, the bench only reads it bare (a child of itself).
const BARE_READ: &str = "GONGKAI_BENCH_BARE_READ";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The form of the generated years and the data year it is in force for.
fn form() -> (String, i32) {
    let template = std::env::var("GONGKAI_BENCH_TEMPLATE").unwrap_or_else(|_| "lps2018".into());
    let year = match template.as_str() {
        "lps2018" => 2018,
        "nat2019" => 2020,
        _ => 2025,
    };
    (template, year)
}

/// A generated year of `forms` forms, made on first use.
fn year(forms: usize) -> PathBuf {
    let (template, data_year) = form();
    let name = if template == "lps2018" {
        format!("demo-{forms}")
    } else {
        format!("demo-{template}-{forms}")
    };
    let dir = root().join("target/bench-data").join(name);
    if !dir.join("hierarchy.csv").is_file() {
        let t = Instant::now();
        let ok = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args([
                "demo",
                "--townships",
                &forms.to_string(),
                "--seed",
                "1",
                "--template",
                &template,
                "--year",
                &data_year.to_string(),
                "--out",
            ])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "gongkai demo failed");
        println!("demo: {forms} forms generated in {:.1?}", t.elapsed());
    }
    dir
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "xlsx") {
            out.push(path);
        }
    }
    out
}

/// What any tool must do at least: open each workbook and read its sheets,
/// on `threads` threads. Run in a process of its own (see `main`), like
/// everything measured here, so each peak memory is that program's alone.
fn bare_read(files: &[PathBuf], threads: usize) -> usize {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                let mut wb = open_workbook_auto(f).expect("a demo form opens");
                wb.worksheets()
                    .iter()
                    .map(|(_, r)| r.get_size().0)
                    .sum::<usize>()
            })
            .sum()
    })
}

/// A child process's wall time and peak resident memory (bytes).
#[allow(
    clippy::zombie_processes,
    reason = "waited by wait4, which also gives its memory"
)]
fn measure(cmd: &mut Command) -> (Duration, u64) {
    let t = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    // SAFETY: rusage is plain data, and the pid is our own child, waited once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let elapsed = t.elapsed();
    assert!(pid > 0, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
        "{cmd:?} failed with status {status}"
    );
    (elapsed, usage.ru_maxrss as u64 * 1024)
}

/// One warm-up, then the median of `reps` runs (and the largest peak memory).
fn median(reps: usize, mut f: impl FnMut() -> (Duration, u64)) -> (Duration, u64) {
    f();
    let mut runs: Vec<(Duration, u64)> = (0..reps).map(|_| f()).collect();
    let rss = runs.iter().map(|r| r.1).max().unwrap_or(0);
    runs.sort();
    (runs[runs.len() / 2].0, rss)
}

/// One `gongkai run` over the year in `dir` on `threads` threads: its time,
/// peak memory and phase timings; its run.json is copied to `keep`.
fn gongkai(dir: &Path, threads: usize, keep: Option<&Path>) -> (Duration, u64, serde_json::Value) {
    let out = tempfile::tempdir().expect("temp dir");
    let (time, rss) = measure(
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .arg("run")
            .arg(dir)
            .arg("--hierarchy")
            .arg(dir.join("hierarchy.csv"))
            .arg("--out")
            .arg(out.path())
            .args(["--no-progress", "--jobs", &threads.to_string()]),
    );
    let json = out.path().join(form().1.to_string()).join("run.json");
    if let Some(keep) = keep {
        std::fs::copy(&json, keep).expect("copy run.json");
    }
    // Only the timings: the rest of a national run.json is tens of megabytes,
    // which would sit in this process and in the peak of every child after.
    #[derive(serde::Deserialize)]
    struct Timings {
        timings: serde_json::Value,
    }
    let file = std::io::BufReader::new(std::fs::File::open(json).expect("run.json"));
    let parsed: Timings = serde_json::from_reader(file).expect("run.json parses");
    (time, rss, parsed.timings)
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / (1024 * 1024))
}

/// One `gongkai check` over the year in `dir` on `threads` threads: its
/// time and peak memory.
fn check(dir: &Path, threads: usize) -> (Duration, u64) {
    measure(
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .arg("check")
            .arg(dir)
            .arg("--hierarchy")
            .arg(dir.join("hierarchy.csv"))
            .args(["--no-progress", "--jobs", &threads.to_string()]),
    )
}

fn main() {
    if let Some(dir) = std::env::var_os(BARE_READ) {
        let threads = env_or("GONGKAI_BENCH_THREADS", 1);
        std::hint::black_box(bare_read(&files(Path::new(&dir)), threads));
        return;
    }
    let forms = env_or("GONGKAI_BENCH_FORMS", 40_000);
    let reps = env_or("GONGKAI_BENCH_REPS", 3).max(1);
    let peer_forms = env_or("GONGKAI_BENCH_PEER_FORMS", 2000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let dir = year(forms);
    println!(
        "{} forms, {cores} cores; median of {reps} after one warm-up",
        files(&dir).len()
    );
    let me = std::env::current_exe().expect("the bench's own path");
    let bare = || {
        measure(
            Command::new(&me)
                .env(BARE_READ, dir.join(form().1.to_string()))
                .env("GONGKAI_BENCH_THREADS", cores.to_string()),
        )
    };
    let check_year = || check(&dir, cores);
    let mut phases = serde_json::Value::Null;
    // Each run's read phase (ms), beside the bare read of its own turn.
    let mut reads: Vec<f64> = Vec::new();
    let mut run = || {
        let (time, rss, timings) = gongkai(&dir, cores, None);
        reads.push(timings["read_ms"].as_f64().unwrap_or(f64::NAN));
        phases = timings;
        (time, rss)
    };
    // One warm-up of each, then turns.
    let (_, _, _) = (bare(), check_year(), run());
    let turns: Vec<[(Duration, u64); 3]> =
        (0..reps).map(|_| [bare(), check_year(), run()]).collect();
    let reads = &reads[1..];
    let of = |i: usize| -> (Duration, u64) {
        let mut times: Vec<Duration> = turns.iter().map(|t| t[i].0).collect();
        times.sort();
        let peak = turns.iter().map(|t| t[i].1).max().unwrap_or(0);
        (times[times.len() / 2], peak)
    };
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let paired = |i: usize| {
        let mut ratios: Vec<f64> = turns.iter().map(|t| ratio(t[i].0, t[0].0)).collect();
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    };
    let ((bare, bare_rss), (checked, check_rss), (full, rss)) = (of(0), of(1), of(2));
    let read_phase = {
        let mut ratios: Vec<f64> = (turns.iter().zip(reads))
            .map(|(t, ms)| ms / 1000.0 / t[0].0.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    };
    let (single, rss1) = median(reps, || {
        let (time, rss, _) = gongkai(&dir, 1, None);
        (time, rss)
    });
    println!(
        "bare calamine read, {cores} threads   {bare:>9.2?}                        peak {}",
        mib(bare_rss)
    );
    println!(
        "gongkai check, {cores} threads        {checked:>9.2?}  {:.2}x the bare read  peak {}",
        paired(1),
        mib(check_rss)
    );
    println!(
        "gongkai run, {cores} threads          {full:>9.2?}  {:.2}x the bare read  peak {}",
        paired(2),
        mib(rss)
    );
    println!("  its read phase                          {read_phase:.2}x the bare read");
    println!(
        "gongkai run, 1 thread           {single:>9.2?}  {cores} threads {:.2}x faster  peak {}",
        ratio(single, full),
        mib(rss1)
    );
    println!("phases of the last {cores}-thread run (ms): {phases}");

    if peer_forms == 0 || form().0 != "lps2018" {
        return;
    }
    let small = year(peer_forms);
    let setup = Command::new("bash")
        .arg(root().join("benches/peers/setup.sh"))
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("run benches/peers/setup.sh");
    assert!(setup.status.success(), "benches/peers/setup.sh failed");
    let python = String::from_utf8_lossy(&setup.stdout)
        .lines()
        .last()
        .unwrap_or("python3")
        .trim()
        .to_string();
    let run_json = std::env::temp_dir().join("gongkai-peer-run.json");
    let (ours, _) = median(reps, || {
        let (time, rss, _) = gongkai(&small, cores, Some(&run_json));
        (time, rss)
    });
    // The peers write one small table; `check` does the same work as they
    // do and more (read, match, check, records, sums) and writes nothing.
    let (checked, _) = median(reps, || check(&small, cores));
    println!("\n{peer_forms} forms, each peer once (after gongkai's runs warmed the file cache)");
    println!("gongkai run, {cores} threads          {ours:>9.2?}  (every output file)");
    println!("gongkai check, {cores} threads        {checked:>9.2?}  (no files written)");
    let year_dir = small.join("2018");
    for peer in ["pandas_openpyxl", "calamine_polars"] {
        let result = std::env::temp_dir().join(format!("gongkai-peer-{peer}.csv"));
        let (time, rss) = measure(
            Command::new(&python)
                .arg(root().join(format!("benches/peers/{peer}.py")))
                .arg(&year_dir)
                .arg("--template")
                .arg(root().join("templates/lps2018.toml"))
                .arg("--out")
                .arg(&result)
                .args(["--jobs", &cores.to_string()]),
        );
        let same = Command::new(&python)
            .arg(root().join("benches/peers/same_totals.py"))
            .arg(&run_json)
            .arg(&result)
            .status()
            .is_ok_and(|s| s.success());
        println!(
            "{peer:<31} {time:>9.2?}  gongkai run {:.1}x faster, check {:.1}x  peak {}  {}",
            ratio(time, ours),
            ratio(time, checked),
            mib(rss),
            if same { "same totals" } else { "TOTALS DIFFER" }
        );
    }
}
