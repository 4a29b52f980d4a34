//! `gongkai demo`: the generated year the benchmarks run on.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;
use sha2::{Digest, Sha256};

fn demo(out: &Path, townships: usize, seed: u64) {
    let status = gongkai()
        .args(["demo", "--townships", &townships.to_string()])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Every file under `dir` by relative path, with its SHA-256.
fn fingerprint(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                let bytes = std::fs::read(&path).unwrap();
                out.insert(name, format!("{:x}", Sha256::digest(bytes)));
            }
        }
    }
    out
}

#[test]
fn a_seed_makes_the_same_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    demo(&dir.path().join("a"), 120, 5);
    demo(&dir.path().join("b"), 120, 5);
    demo(&dir.path().join("c"), 120, 6);
    let a = fingerprint(&dir.path().join("a"));
    assert!(a.len() > 100);
    assert_eq!(a, fingerprint(&dir.path().join("b")));
    assert_ne!(a, fingerprint(&dir.path().join("c")));
}

#[test]
fn the_demo_year_has_quirks_and_its_returns_still_add_up() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 600, 1);
    let out = dir.path().join("out");
    let output = gongkai()
        .arg("run")
        .arg(dir.path())
        .arg("--hierarchy")
        .arg(dir.path().join("hierarchy.csv"))
        .arg("--out")
        .arg(&out)
        .args(["--no-progress", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    // Values typed with units and dashes, units that sent nothing; no sum
    // broken by them.
    for code in ["VALUE-UNIT", "VALUE-DASH", "UNIT-MISSING"] {
        assert!(codes.contains(&code), "no {code} in {codes:?}");
    }
    assert_eq!(report["counts"]["errors"], 0);
    let renamed = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["file"].as_str().unwrap().ends_with("人民政府.xlsx"))
        .count();
    assert!(renamed > 0);

    // The city return is the sum of the district returns, row by row.
    let returns = report["returns"].as_array().unwrap();
    let (city, districts) = returns.split_last().unwrap();
    assert_eq!(city["level"], "office");
    for (i, value) in values(city).iter().enumerate() {
        let sum: f64 = districts.iter().filter_map(|d| values(d)[i].as_f64()).sum();
        assert!(
            (value.as_f64().unwrap_or(0.0) - sum).abs() < 1e-6,
            "row {i}"
        );
    }
}
