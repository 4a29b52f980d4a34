//! The national annual-report tables (2019 and 2021 formats), end to end:
//! a real published table read back exactly, every rule broken by a form of
//! its own, the sample year's returns recomputed here from what the clerks
//! meant, and a file in the other format refused.
//!
//! The expected totals are worked out in this file from the truth CSV, with
//! the form's arithmetic written out below rather than taken from the
//! template, so a mistake in the template or the rollup cannot hide itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::common::*;
use calamine::{Data, Reader, Xlsx, open_workbook};

/// `code → value` (None = blank).
type Cells = BTreeMap<String, Option<f64>>;

fn read_csv(path: &std::path::Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect()
}

fn number(text: &str) -> Option<f64> {
    (!text.is_empty()).then(|| text.parse().unwrap())
}

/// The records a run wrote, as `code → value` for one township.
fn records_of(out: &std::path::Path, year: i32, township: &str) -> Cells {
    let records = read_csv(&set_in(out, year).join("records.csv"));
    let header = csv::Reader::from_path(set_in(out, year).join("records.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (t, c, v) = (col("township"), col("code"), col("value"));
    records
        .iter()
        .filter(|r| &r[t] == township)
        .map(|r| (r[c].to_string(), number(&r[v])))
        .collect()
}

#[test]
fn the_shanghai_2019_table_is_read_back_exactly_as_published() {
    let year = Year::of(2019);
    year.add(
        &fixture("national/shanghai_2019.xlsx"),
        "市本级",
        "上海市.xlsx",
    );
    let roster = year.roster(&[("市本级", "上海市")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(report["template"], "nat2019", "2019 is a nat2019 year");

    let want: Cells = read_csv(&fixture("national/shanghai_2019.csv"))
        .iter()
        .map(|r| (r[0].to_string(), number(&r[1])))
        .collect();
    assert_eq!(want.len(), 22 + 23 * 7 + 15);
    let got = records_of(&year.out(), 2019, "上海市");
    for (cell, value) in &want {
        assert_eq!(got.get(cell), Some(value), "{cell}");
    }

    // The blank 总计 of （一）予以公开 is noted and recomputed, not an error:
    // 258 + 12 + 1 + 1.
    let blank = issues(&report, "TOTAL-BLANK");
    assert!(
        blank.iter().any(|i| i["message"]
            .as_str()
            .unwrap()
            .contains("表三“（一）予以公开”行“总计”列未填写，其分项合计 272")),
        "{blank:?}"
    );
    let city = report["returns"].as_array().unwrap().last().unwrap();
    assert_eq!(cell(city, "T3R03C7").0, 272.0);
    assert_eq!(cell(city, "T3R22C7").0, 805.0);
    // `251000元`: the unit written into the cell.
    assert_eq!(issues(&report, "VALUE-UNIT").len(), 1);
    assert_eq!(cell(city, "T2R08C2").0, 251000.0);
    // The table balances: 821 + 18 = 767 + 72, 859 + 18 = 805 + 72.
    let errors: Vec<_> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(code, 0);
}

/// Cells changed from a clean form (`None` leaves a cell blank).
type Changes = &'static [(&'static str, Option<f64>)];

/// A form that breaks one national rule (and the relations that break with
/// it, said here), and the codes it must be reported with.
const BREAKS: &[(&str, Changes, &[&str])] = &[
    (
        "T3-BALANCE-C1",
        &[("T3R01C1", Some(1.0)), ("T3R01C7", Some(1.0))],
        &["T3-BALANCE-C7"],
    ),
    (
        "T3-TOTAL-C1",
        &[
            ("T3R01C1", Some(1.0)),
            ("T3R01C7", Some(1.0)),
            ("T3R03C1", Some(1.0)),
            ("T3R03C7", Some(1.0)),
            ("T3R24C7", Some(1.0)),
        ],
        &["T3-ROW-TOTAL-R24", "T3-BALANCE-C1"],
    ),
    (
        "T3-ROW-TOTAL-R01",
        &[("T3R01C7", Some(1.0))],
        &["T3-BALANCE-C7"],
    ),
    ("T4-REVIEW-TOTAL", &[("T4R01C5", Some(1.0))], &[]),
    ("T4-SUIT-TOTAL", &[("T4R01C10", Some(1.0))], &[]),
    ("T4-APPEAL-TOTAL", &[("T4R01C15", Some(1.0))], &[]),
    (
        "TOTAL-BLANK",
        &[("T4R01C1", Some(1.0)), ("T4R01C5", None)],
        &[],
    ),
    ("TOWNSHIP-RULES", &[("T2R01C3", Some(2.0))], &[]),
    ("VALUE-NEGATIVE", &[("T2R03C1", Some(-1.0))], &[]),
    ("VALUE-FRACTION", &[("T2R04C1", Some(1.5))], &[]),
    ("VALUE-DECIMALS", &[("T2R06C1", Some(0.12345))], &[]),
];

#[test]
fn every_national_rule_is_broken_by_its_own_form_and_a_clean_form_has_none() {
    let year = Year::of(2025);
    form_of("nat2021", &year.path("测试县", "甲镇.xlsx"), &[]);
    let mut units = vec!["甲镇".to_string()];
    for (i, (_, changes, _)) in BREAKS.iter().enumerate() {
        let name = format!("乙{i:02}镇");
        form_of(
            "nat2021",
            &year.path("测试县", &format!("{name}.xlsx")),
            changes,
        );
        units.push(name);
    }
    let rows: Vec<(&str, &str)> = units.iter().map(|u| ("测试县", u.as_str())).collect();
    let roster = year.roster(&rows);
    let (_, report) = year.run(Some(&roster));
    assert_eq!(report["template"], "nat2021");

    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for issue in report["issues"].as_array().unwrap() {
        found
            .entry(issue["township"].as_str().unwrap().to_string())
            .or_default()
            .insert(issue["code"].as_str().unwrap().to_string());
    }
    assert!(!found.contains_key("甲镇"), "{:?}", found.get("甲镇"));
    for (i, (code, _, also)) in BREAKS.iter().enumerate() {
        let want: BTreeSet<String> = std::iter::once(code)
            .chain(also.iter())
            .map(|c| c.to_string())
            .collect();
        assert_eq!(found.get(&format!("乙{i:02}镇")), Some(&want), "{code}");
        // The message names the table and the cell, in Chinese, with the numbers.
        let message = issues(&report, code)[0]["message"].as_str().unwrap();
        assert!(message.starts_with('表'), "{message}");
    }
    let balance = issues(&report, "T3-BALANCE-C1")[0]["message"]
        .as_str()
        .unwrap();
    assert!(
        balance.contains("表三“自然人”列") && balance.contains("1") && balance.contains("0"),
        "{balance}"
    );
}

#[test]
fn the_2019_format_takes_a_negative_change_and_needs_no_2021_rows() {
    let year = Year::of(2020);
    // 本年增/减 may be negative; a 2019 form has no （六）1–3.
    form_of(
        "nat2019",
        &year.path("测试县", "甲镇.xlsx"),
        &[("T2R03C1", Some(5.0)), ("T2R03C2", Some(-2.0))],
    );
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(report["template"], "nat2019", "2020 is a nat2019 year");
    assert_eq!(code, 0, "{:#}", report["issues"]);
    assert!(report["issues"].as_array().unwrap().is_empty());
    let city = report["returns"].as_array().unwrap().last().unwrap();
    assert_eq!(cell(city, "T2R03C2").0, -2.0);
}

/// The form's arithmetic, written out: the totals a return recomputes.
/// Returns, for each total, its parts (both by code).
fn totals(last_result_row: u32) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let total_row = last_result_row + 1;
    // Row sums first (总计 = six applicant columns), then the column sums of
    // （七）总计 over those, then 表四.
    for r in 1..=total_row + 1 {
        if r == total_row {
            continue;
        }
        let parts = (1..=6).map(|c| format!("T3R{r:02}C{c}")).collect();
        out.push((format!("T3R{r:02}C7"), parts));
    }
    for c in 1..=7 {
        let parts = (3..=last_result_row)
            .map(|r| format!("T3R{r:02}C{c}"))
            .collect();
        out.push((format!("T3R{total_row:02}C{c}"), parts));
    }
    for (total, first) in [(5, 1), (10, 6), (15, 11)] {
        let parts = (first..first + 4).map(|c| format!("T4R01C{c}")).collect();
        out.push((format!("T4R01C{total}"), parts));
    }
    out
}

/// One unit's cells as the rollup takes them: what the clerk meant, each
/// total replaced by the sum of its parts (blank when every part is blank).
fn recomputed(mut cells: Cells) -> Cells {
    for (total, parts) in totals(23) {
        let given: Vec<f64> = parts
            .iter()
            .filter_map(|p| cells.get(p).copied().flatten())
            .collect();
        let value = (!given.is_empty()).then(|| given.iter().sum());
        cells.insert(total, value);
    }
    cells
}

#[test]
fn the_2025_returns_are_the_sums_of_what_the_clerks_meant() {
    let out = tempfile::tempdir().unwrap();
    let run = gongkai()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--year", "2025", "--no-progress", "--format", "json"])
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "the sample's errors are explained"
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();

    // The 2019-format unit is reported and left out.
    let wrong = issues(&report, "FORM-WRONG-FORMAT");
    assert_eq!(wrong.len(), 1);
    assert_eq!(wrong[0]["township"], "野钟苗族彝族布依族乡");
    // 柏果镇 does not balance in 自然人, and so in 总计.
    let unbalanced: BTreeSet<&str> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"].as_str().unwrap().starts_with("T3-BALANCE"))
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        unbalanced,
        BTreeSet::from(["T3-BALANCE-C1", "T3-BALANCE-C7"])
    );

    let mut units: BTreeMap<(String, String), Cells> = BTreeMap::new();
    for r in read_csv(&fixture("inputs_2025_truth.csv")) {
        if &r[3] != "nat2021" {
            continue;
        }
        units
            .entry((r[1].to_string(), r[2].to_string()))
            .or_default()
            .insert(r[4].to_string(), number(&r[5]));
    }
    // 89 townships, 11 of 水城区's own (ten departments and its government)
    // and 9 of the city's.
    assert_eq!(units.len(), 109);
    let mut districts: BTreeMap<String, HashMap<String, Option<f64>>> = BTreeMap::new();
    let mut city: HashMap<String, Option<f64>> = HashMap::new();
    let add = |sums: &mut HashMap<String, Option<f64>>, cells: &Cells| {
        for (code, v) in cells {
            let sum = sums.entry(code.clone()).or_insert(None);
            if let Some(v) = v {
                *sum = Some(sum.unwrap_or(0.0) + v);
            }
        }
    };
    for ((county, _), cells) in units {
        let cells = recomputed(cells);
        // The city's own departments and government are in the city's
        // return alone, beside the districts'.
        if county != "六盘水市" {
            add(districts.entry(county).or_default(), &cells);
        }
        add(&mut city, &cells);
    }

    let returns = report["returns"].as_array().unwrap();
    let check = |name: &str, want: &HashMap<String, Option<f64>>| {
        let ret = returns.iter().find(|r| r["name"] == name).unwrap();
        assert_eq!(want.len(), 200);
        for (code, w) in want {
            let got = cell(ret, code).0.as_f64();
            let same = match (w, got) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                (None, None) => true,
                _ => false,
            };
            assert!(same, "{name} {code}: expected {w:?}, run.json says {got:?}");
        }
    };
    for (county, want) in &districts {
        check(county, want);
    }
    check("六盘水市", &city);

    // The city return as written: 表三 and 表四 read back cell by cell.
    let path = set_in(out.path(), 2025).join("六盘水市_2025_统计表.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let number_at =
        |range: &calamine::Range<Data>, row: u32, col: u32| match range.get_value((row, col)) {
            Some(Data::Float(f)) => Some(*f),
            Some(Data::Int(i)) => Some(*i as f64),
            Some(Data::Empty) | None => None,
            other => panic!("({row}, {col}) holds {other:?}"),
        };
    // Title, 填报单位, the part's title, three header rows: data from row 6,
    // after the three label columns.
    let t3 = wb.worksheet_range("表三").unwrap();
    for r in 1..=25u32 {
        for c in 1..=7u32 {
            let want = city[&format!("T3R{r:02}C{c}")];
            assert_eq!(number_at(&t3, 5 + r, 2 + c), want, "表三 R{r} C{c}");
        }
    }
    let t4 = wb.worksheet_range("表四").unwrap();
    for c in 1..=15u32 {
        let want = city[&format!("T4R01C{c}")];
        assert_eq!(number_at(&t4, 6, c - 1), want, "表四 C{c}");
    }
}

#[test]
fn the_blank_national_forms_are_read_back_as_complete_forms() {
    for id in ["nat2019", "nat2021"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("模板.xlsx");
        let status = gongkai()
            .args(["template", "--template", id, "--out"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        let out = gongkai()
            .args(["check", "--no-progress", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["template"], id, "the file's own form is checked");
        assert_eq!(report["counts"]["used"], 1, "{report:#}");
        // Every table, row and column found: nothing but the unknown unit
        // (a blank form names none) is said.
        let said: Vec<&str> = report["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        assert_eq!(said, ["UNIT-NOT-IN-ROSTER"], "{id}");
    }
}

#[test]
fn a_national_demo_year_rolls_up_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let status = gongkai()
        .args([
            "demo",
            "--template",
            "nat2021",
            "--townships",
            "40",
            "--out",
        ])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = gongkai()
        .arg("run")
        .arg(dir.path())
        .arg("--hierarchy")
        .arg(dir.path().join("hierarchy.csv"))
        .args(["--no-progress", "--format", "json", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["template"], "nat2021");
    assert_eq!(report["counts"]["errors"], 0, "{:#}", report["issues"]);
    let returns = report["returns"].as_array().unwrap();
    let (city, districts) = returns.split_last().unwrap();
    for (i, value) in values(city).iter().enumerate() {
        let sum: f64 = districts.iter().filter_map(|d| values(d)[i].as_f64()).sum();
        assert!(
            (value.as_f64().unwrap_or(0.0) - sum).abs() < 1e-6,
            "cell {i}"
        );
    }
    // Mostly zeros at township level, but not all.
    assert!(cell(city, "T3R01C7").0.as_f64().unwrap() > 0.0);
}

#[test]
fn last_years_carry_over_is_compared_across_the_change_of_format() {
    // 2020 on the 2019 tables: 2 applications by 自然人 carried into next year.
    let year = Year::of(2020);
    let carried = [
        ("T3R01C1", Some(2.0)),
        ("T3R01C7", Some(2.0)),
        ("T3R23C1", Some(2.0)),
        ("T3R23C7", Some(2.0)),
    ];
    form_of("nat2019", &year.path("测试县", "甲镇.xlsx"), &carried);
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!((code, report["template"].as_str()), (0, Some("nat2019")));

    // 2021 on the 2021 tables says 1 was carried over from last year.
    let next = year.root().join("2021/测试县/甲镇.xlsx");
    let this = [
        ("T3R02C1", Some(1.0)),
        ("T3R02C7", Some(1.0)),
        ("T3R25C1", Some(1.0)),
        ("T3R25C7", Some(1.0)),
    ];
    form_of("nat2021", &next, &this);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(report["template"], "nat2021");
    assert_eq!(code, 0, "a warning: it often does not hold in practice");
    let found = issues(&report, "T3-CARRIED-C1");
    assert_eq!(found.len(), 1, "{:#}", report["issues"]);
    assert_eq!(found[0]["severity"], "warning");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("本年填报 1，2020年“四、结转下年度继续办理”为 2"),
        "{message}"
    );
    assert_eq!(issues(&report, "T3-CARRIED-C7").len(), 1);
    assert!(issues(&report, "T3-CARRIED-C2").is_empty(), "0 = 0");
}

#[test]
fn a_2021_table_keeping_the_2019_wording_of_a_row_reads_it_as_the_row_it_stands_for() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("written.xlsx");
    form_of(
        "nat2021",
        &written,
        &[("T2R02C1", Some(4.0)), ("T2R02C3", Some(9.0))],
    );
    // The published table says 规范性文件, as the 2019 format did.
    let year = Year::of(2025);
    let path = year.path("测试县", "测试镇.xlsx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    with_part(&written, "xl/sharedStrings.xml", &path, |xml| {
        assert!(xml.contains(">行政规范性文件<"));
        xml.replace(">行政规范性文件<", ">规范性文件<")
    });
    let roster = year.roster(&[("测试县", "测试镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{:#}", report["issues"]);
    let wording = issues(&report, "FORM-LABEL-WORDING");
    assert_eq!(wording.len(), 1, "{:#}", report["issues"]);
    assert!(
        wording[0]["message"]
            .as_str()
            .unwrap()
            .contains("T2R02“行政规范性文件”")
    );
    assert!(issues(&report, "FORM-ROW-UNKNOWN").is_empty());
    assert!(issues(&report, "FORM-ROWS-MISSING").is_empty());
    let records = year.records();
    assert_eq!(values_of(&records, "测试镇")["T2R02C1"], Some(4.0));
    assert_eq!(values_of(&records, "测试镇")["T2R02C3"], Some(9.0));
}

#[test]
fn each_record_carries_its_rows_full_label_path() {
    let out = tempfile::tempdir().unwrap();
    run_sample(2025, out.path());
    let file = set_in(out.path(), 2025).join("records.csv");
    let header = csv::Reader::from_path(&file)
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let records = read_csv(&file);
    let (code, path) = (
        header.iter().position(|h| h == "code").unwrap(),
        header.iter().position(|h| h == "row_path").unwrap(),
    );
    let of = |c: &str| records.iter().find(|r| &r[code] == c).unwrap()[path].to_string();
    assert_eq!(
        of("T3R23C7"),
        "三、本年度办理结果 / （六）其他处理 / 3.其他"
    );
    assert_eq!(of("T3R01C1"), "一、本年新收政府信息公开申请数量");
}
