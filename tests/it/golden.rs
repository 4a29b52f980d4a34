//! The sample years' outputs, pinned: run.json, records.csv and
//! records.parquet, every return, every draft and the analyst workbook of
//! `inputs/2018` and `inputs/2025`, against `tests/golden/<year>/`.
//!
//! A change that moves code without changing what it does leaves every
//! line here as it was. A change that means to change an output rewrites
//! the pins with `GONGKAI_BLESS=1 cargo test golden`, and the diff of
//! `tests/golden/` shows what changed.
//!
//! Bytes are pinned where the writer makes the same bytes from the same
//! forms (CSV, Parquet, the drafts); a workbook carries the time it was
//! made, so it is pinned by the values of its cells, sheet by sheet; in
//! run.json the run's time, its phases' times, the input files' arrival
//! times and the workbooks' hashes are left out.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use sha2::{Digest, Sha256};

use crate::common::{gongkai, set_in};

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Every sheet of a workbook as `A1 value` lines, with the run's own
/// time and folder replaced by placeholders.
fn sheets_of(path: &Path, scrub: &dyn Fn(String) -> String) -> Vec<(String, String)> {
    let mut book = open_workbook_auto(path).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let (top, left) = range.start().unwrap_or((0, 0));
            let mut text = String::new();
            for (r, row) in range.rows().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let shown = match cell {
                        Data::Empty => continue,
                        Data::Float(f) => format!("{f}"),
                        Data::Int(i) => format!("{i}"),
                        other => scrub(other.to_string()),
                    };
                    let place = cell_name(top + r as u32, left + c as u32);
                    writeln!(text, "{place}\t{shown}").unwrap();
                }
            }
            (name, text)
        })
        .collect()
}

fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8(letters).unwrap(), row + 1)
}

/// run.json without what differs from one run of the same forms to the next.
fn stable_run_json(path: &Path, scrub: &dyn Fn(String) -> String) -> String {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let top = json.as_object_mut().unwrap();
    top.remove("started");
    top.remove("timings");
    for unit in json["units"].as_array_mut().unwrap() {
        unit.as_object_mut().unwrap().remove("arrived");
    }
    for output in json["outputs"].as_array_mut().unwrap() {
        let file = output["file"].as_str().unwrap().to_string();
        if file.ends_with(".xlsx") || file.ends_with(".html") {
            let output = output.as_object_mut().unwrap();
            output.remove("bytes");
            output.remove("sha256");
        }
    }
    scrub(serde_json::to_string_pretty(&json).unwrap()) + "\n"
}

/// The pins of one sample year's outputs: file (and sheet) → what it holds.
fn pins(year: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = gongkai()
        .current_dir(root)
        .args(["run", "inputs", "--year", year, "--no-progress", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.code().unwrap_or(-1) <= 1,
        "the sample year {year} did not run: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let dir = set_in(out.path(), year.parse().unwrap());
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    let started = run_json["started"].as_str().unwrap().to_string();
    let out_text = out.path().display().to_string();
    let scrub = move |text: String| {
        text.replace(&started, "<started>")
            .replace(&out_text, "<out>")
    };

    let mut hashes = BTreeMap::new();
    let mut returns = BTreeMap::new();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        if name == "run.json" {
            hashes.insert(name, sha(stable_run_json(&path, &scrub).as_bytes()));
        } else if name.ends_with("_统计表.xlsx") {
            for (sheet, text) in sheets_of(&path, &scrub) {
                returns.insert(format!("{name}!{sheet}"), text);
            }
        } else if name.ends_with(".xlsx") {
            for (sheet, text) in sheets_of(&path, &scrub) {
                hashes.insert(format!("{name}!{sheet}"), sha(text.as_bytes()));
            }
        } else if name.ends_with(".html") {
            // The progress page shows the run's time and the inputs'
            // arrival times; its links are pinned by tests of its own.
            continue;
        } else {
            hashes.insert(name, sha(&std::fs::read(&path).unwrap()));
        }
    }
    (hashes, returns)
}

fn golden_dir(year: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(year)
}

fn hashes_text(hashes: &BTreeMap<String, String>) -> String {
    hashes.iter().map(|(k, v)| format!("{v}  {k}\n")).collect()
}

fn returns_text(returns: &BTreeMap<String, String>) -> String {
    returns
        .iter()
        .map(|(k, v)| format!("== {k}\n{v}"))
        .collect()
}

fn assert_pinned(year: &str) {
    let (hashes, returns) = pins(year);
    let dir = golden_dir(year);
    let files = [
        ("outputs.sha256", hashes_text(&hashes)),
        ("returns.txt", returns_text(&returns)),
    ];
    if std::env::var_os("GONGKAI_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    for (name, got) in &files {
        let want = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if &want != got {
            let differ: Vec<String> = got
                .lines()
                .filter(|l| !want.lines().any(|w| w == *l))
                .take(20)
                .map(str::to_string)
                .collect();
            panic!(
                "tests/golden/{year}/{name} no longer matches the outputs; lines that differ:\n{}\n\
                 (an intended change rewrites the pins: GONGKAI_BLESS=1 cargo test golden)",
                differ.join("\n")
            );
        }
    }
}

#[test]
fn the_2018_sample_year_writes_the_pinned_outputs() {
    assert_pinned("2018");
}

#[test]
fn the_2025_sample_year_writes_the_pinned_outputs() {
    assert_pinned("2025");
}
