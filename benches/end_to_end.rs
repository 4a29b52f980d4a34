//! End-to-end timing: `gongkai run` over a generated year, against the bare
//! calamine open-and-read of the same files on the same threads.
//!
//! `cargo bench --bench end_to_end` (forms: GONGKAI_BENCH_FORMS, default 2000;
//! repetitions: GONGKAI_BENCH_REPS, default 5). One warm-up run, then the
//! median of the repetitions. Results go in BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use calamine::{Reader, open_workbook_auto};
use gongkai::run::{Options, run};
use gongkai::template::Template;
use rayon::prelude::*;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// What any tool must do at least: open each workbook and read its sheets.
fn bare_read(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|f| {
            let mut wb = open_workbook_auto(f).unwrap();
            wb.worksheets()
                .iter()
                .map(|(_, r)| r.get_size().0)
                .sum::<usize>()
        })
        .sum()
}

fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> Duration {
    f();
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let forms = env_or("GONGKAI_BENCH_FORMS", 2000);
    let reps = env_or("GONGKAI_BENCH_REPS", 5);
    let dir = tempfile::tempdir().unwrap();
    let template = Template::load("lps2018").unwrap();

    let t = Instant::now();
    let year_dir = gongkai::demo::generate(&template, forms, dir.path(), 1, 2018).unwrap();
    println!("demo: {forms} forms generated in {:.2?}", t.elapsed());
    let paths = files(&year_dir);

    let opts = |jobs: usize| Options {
        input: dir.path().to_path_buf(),
        out: dir.path().join("out"),
        year: Some(2018),
        hierarchy: Some(dir.path().join("hierarchy.csv")),
        template: "lps2018".into(),
        jobs: Some(jobs),
        progress: false,
        write: true,
        previous: None,
        explanations: None,
        strict: false,
        swing_ratio: None,
        swing_at_least: None,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bare = time(reps, || bare_read(&paths));
    let full = time(reps, || run(&opts(cores)).unwrap());
    let single = time(reps, || run(&opts(1)).unwrap());
    let phases = run(&opts(cores)).unwrap().timings;

    println!("forms: {forms}, threads: {cores}, median of {reps} after one warm-up");
    println!("bare calamine read:        {bare:>10.2?}");
    println!(
        "gongkai run ({cores} threads):   {full:>10.2?}  ({:.2}x the bare read)",
        full.as_secs_f64() / bare.as_secs_f64()
    );
    println!(
        "gongkai run (1 thread):    {single:>10.2?}  (parallel speed-up {:.2}x)",
        single.as_secs_f64() / full.as_secs_f64()
    );
    println!("phases of one run (ms): {phases:?}");
}
