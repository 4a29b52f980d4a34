//! The sample year end to end: district and city returns recomputed here,
//! independently of gongkai's reader, from the ground truth the sample's
//! generator wrote (`tests/fixtures/inputs_truth.csv`), and compared with the
//! return workbooks gongkai wrote, row by row.

use std::collections::BTreeMap;

use crate::common::*;
use calamine::{Data, Reader, Xlsx, open_workbook};

/// The 2018 form's arithmetic as its 审核公式 state it: totals are
/// the sum of their parts, written out here rather than taken from the template.
const TOTALS: &[(u32, &[u32])] = &[
    (5, &[6, 7, 8, 9, 10, 11]),
    (12, &[13, 14]),
    (15, &[16, 17]),
    (38, &[39, 40, 41, 42]),
    (43, &[44, 45]),
    (50, &[51, 52, 53, 54, 55, 56]),
    (46, &[47, 48, 49, 50, 57, 58, 59, 60]),
    (61, &[62, 63, 64]),
    (65, &[66, 67, 68]),
    (74, &[75, 76]),
];
const HEADINGS: &[u32] = &[1, 18, 23, 25, 34, 37, 71, 77, 83];
const CITY_ONLY: &[u32] = &[78, 79, 80, 81];

type Values = BTreeMap<u32, Option<f64>>;

/// What one township contributes: items as meant, totals from their parts.
fn contribution(reported: &Values) -> Values {
    let mut v: Values = reported
        .iter()
        .map(|(&no, &x)| {
            (
                no,
                if HEADINGS.contains(&no) || CITY_ONLY.contains(&no) {
                    None
                } else {
                    x
                },
            )
        })
        .collect();
    for (total, parts) in TOTALS {
        let given: Vec<f64> = parts.iter().filter_map(|p| v[p]).collect();
        v.insert(*total, (!given.is_empty()).then(|| given.iter().sum()));
    }
    v
}

fn add(into: &mut Values, from: &Values) {
    for (no, x) in from {
        if let Some(x) = x {
            *into.entry(*no).or_insert(None).get_or_insert(0.0) += x;
        } else {
            into.entry(*no).or_insert(None);
        }
    }
}

/// Township values from the truth file, for the files that are used.
fn truth() -> BTreeMap<(String, String), Values> {
    let text = std::fs::read_to_string(fixture("inputs_truth.csv")).unwrap();
    let mut out: BTreeMap<(String, String), Values> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (county, township, used, code, value) = (f[1], f[2], f[3], f[4], f[5]);
        if used != "1" {
            continue;
        }
        let no: u32 = code[1..].parse().unwrap();
        let value = (!value.is_empty()).then(|| value.parse::<f64>().unwrap());
        out.entry((county.into(), township.into()))
            .or_default()
            .insert(no, value);
    }
    out
}

/// Column C of a return workbook, rows 4–89 (the 86 template rows).
fn return_values(path: &std::path::Path) -> Values {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let range = wb.worksheet_range("统计表").unwrap();
    (1..=86)
        .map(|no| {
            let value = match range.get_value((2 + no, 2)) {
                Some(Data::Float(f)) => Some(*f),
                Some(Data::Int(i)) => Some(*i as f64),
                Some(Data::Empty) | None => None,
                other => panic!("{}: row {no} holds {other:?}", path.display()),
            };
            (no, value)
        })
        .collect()
}

fn assert_same(level: &str, want: &Values, got: &Values) {
    for no in 1..=86 {
        let (w, g) = (want.get(&no).copied().flatten(), got[&no]);
        let same = match (w, g) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        };
        assert!(
            same,
            "{level} R{no:02}: expected {w:?}, the return says {g:?}"
        );
    }
}

/// The README's run command on the 2018 sample year, into a temporary folder.
fn run_sample() -> tempfile::TempDir {
    run_sample_year("2018", &[])
}

/// `gongkai run` of a year of inputs/, with `more` arguments.
fn run_sample_year(year: &str, more: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let run = gongkai()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--year", year, "--no-progress", "--out"])
        .arg(out.path())
        .args(more)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    out
}

#[test]
fn district_and_city_returns_equal_the_sum_of_the_township_files() {
    let out = run_sample();

    let truth = truth();
    let mut districts: BTreeMap<String, Values> = BTreeMap::new();
    let mut city = Values::new();
    for ((county, _), reported) in &truth {
        let c = contribution(reported);
        add(districts.entry(county.clone()).or_default(), &c);
        add(&mut city, &c);
    }
    assert_eq!(districts.len(), 4);
    for (county, want) in &districts {
        let got =
            return_values(&set_in(out.path(), 2018).join(format!("{county}_2018_统计表.xlsx")));
        assert_same(county, want, &got);
    }
    let got = return_values(&set_in(out.path(), 2018).join("六盘水市_2018_统计表.xlsx"));
    assert_same("六盘水市", &city, &got);
    // Not a vacuous comparison: the city published something.
    assert!(city[&2].unwrap() > 1000.0);
}

#[test]
fn jinpen_row_5_finding_is_in_the_workbook_and_run_json() {
    let out = run_sample();

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(set_in(out.path(), 2018).join("run.json")).unwrap())
            .unwrap();
    let found = issues(&json, "SUM-R05");
    assert_eq!(found.len(), 1, "only 金盆乡 breaks row 5");
    assert_eq!(found[0]["township"], "金盆苗族彝族乡");
    assert_eq!(found[0]["file"], "水城县/金盆乡人民政府.xlsx");
    assert_eq!(found[0]["cell"], "C8");
    assert_eq!(json["counts"]["units_missing"], 5);
    assert_eq!(json["counts"]["superseded"], 1);

    let mut wb: Xlsx<_> =
        open_workbook(set_in(out.path(), 2018).join("六盘水市_2018_汇总.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "概览",
            "说明",
            "全市",
            "钟山区",
            "六枝特区",
            "水城县",
            "盘州市",
            "乡镇明细",
            "校验",
            "报送情况"
        ]
    );
    let checks = wb.worksheet_range("校验").unwrap();
    let row = checks
        .rows()
        .find(|r| r.iter().any(|c| *c == "SUM-R05"))
        .expect("SUM-R05 in 校验");
    let text: Vec<String> = row.iter().map(|c| c.to_string()).collect();
    assert!(text.contains(&"金盆苗族彝族乡".to_string()), "{text:?}");
    assert!(
        text.iter()
            .any(|t| t.contains("填报 33") && t.contains("合计 75")),
        "{text:?}"
    );

    let status = wb.worksheet_range("报送情况").unwrap();
    let missing = status
        .rows()
        .filter(|r| r.get(3).is_some_and(|c| *c == "未报送"))
        .count();
    assert_eq!(missing, 5);
    // 乡镇明细: one row per used file under two header rows.
    let details = wb.worksheet_range("乡镇明细").unwrap();
    assert_eq!(details.height(), 2 + 88);
}

#[test]
fn the_same_forms_make_the_same_records_and_drafts_byte_for_byte_on_any_number_of_threads() {
    // The national sample year: its records hold every categorical column.
    // The second run is on one thread, which writes in another order.
    let first = run_sample_year("2025", &[]);
    let second = run_sample_year("2025", &["--jobs", "1"]);
    let dir = |out: &tempfile::TempDir| set_in(out.path(), 2025);
    let mut compared = 0;
    for entry in std::fs::read_dir(dir(&first)).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        // The workbooks carry the time they were made, the page and
        // run.json the run's; everything else is the forms' alone.
        if name.ends_with(".xlsx") || name.ends_with(".html") || name == "run.json" {
            continue;
        }
        let read = |out: &tempfile::TempDir| std::fs::read(dir(out).join(&name)).unwrap();
        assert!(
            read(&first) == read(&second),
            "{name} differs between two runs"
        );
        compared += 1;
    }
    // records.csv, records.parquet and a draft per district and the city.
    assert!(compared >= 4, "only {compared} files compared");
}
