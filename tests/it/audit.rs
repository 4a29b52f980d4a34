//! The audit: every template rule on a form that breaks it and on one that
//! keeps it, last year's comparison, explanations and `--strict`, and the
//! list of codes in docs/checks.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::*;
use gongkai::findings::codes::Code;
use gongkai::form::Template;

/// A form that keeps every rule: counts 0 but for a consistent few, money
/// with 4 decimals.
const CLEAN: &[(&str, f64)] = &[
    ("R02", 10.0),
    ("R07", 10.0),
    ("R05", 10.0),
    ("R70", 0.5),
    ("R82", 1.2345),
];

/// Values to set: (row code, value).
type Changes = &'static [(&'static str, f64)];

/// For each rule: changes to CLEAN that break it, and the other findings the
/// change must bring (a value in a city-only row is also a CITY-ONLY note).
const BREAKS: &[(&str, Changes, &[&str])] = &[
    ("HEADING-VALUE", &[("R01", 5.0)], &[]),
    ("VALUE-NEGATIVE", &[("R84", -3.0)], &[]),
    ("VALUE-FRACTION", &[("R86", 2.5)], &[]),
    ("VALUE-DECIMALS", &[("R82", 1.23456)], &[]),
    ("CITY-ONLY", &[("R79", 2.0)], &[]),
    ("SUM-R05", &[("R05", 11.0)], &[]),
    ("SUM-R12", &[("R12", 1.0)], &[]),
    ("SUM-R15", &[("R15", 1.0)], &[]),
    ("SUM-R38", &[("R38", 1.0)], &[]),
    ("SUM-R43", &[("R43", 1.0), ("R38", 1.0), ("R39", 1.0)], &[]),
    ("SUM-R46", &[("R46", 1.0)], &[]),
    ("SUM-R50", &[("R50", 1.0), ("R46", 1.0)], &[]),
    ("SUM-R61", &[("R61", 1.0)], &[]),
    ("SUM-R65", &[("R65", 1.0)], &[]),
    ("SUM-R74", &[("R74", 1.0)], &[]),
    ("LE-R03-R02", &[("R03", 11.0), ("R04", 11.0)], &[]),
    ("LE-R27-R26", &[("R27", 1.0)], &[]),
    ("LE-R29-R28", &[("R29", 1.0)], &[]),
    ("LE-R02-R06", &[("R02", 11.0)], &[]),
    ("LE-R03-R04", &[("R03", 1.0)], &[]),
    ("LE-R22-R21", &[("R22", 1.0)], &[]),
    ("LE-R81-R80", &[("R81", 1.0), ("R80", 0.0)], &["CITY-ONLY"]),
    ("LE-R43-R38", &[("R43", 1.0), ("R44", 1.0)], &[]),
];

/// Township names for the forms of one run: 甲镇, 乙镇 … .
fn township(i: usize) -> String {
    const STEMS: &str = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地人";
    format!("{}镇", STEMS.chars().nth(i).unwrap())
}

fn codes_by_township(report: &serde_json::Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for issue in report["issues"].as_array().unwrap() {
        out.entry(issue["township"].as_str().unwrap().to_string())
            .or_default()
            .insert(issue["code"].as_str().unwrap().to_string());
    }
    out
}

#[test]
fn every_rule_is_broken_by_its_form_and_kept_by_the_clean_one() {
    let t = Template::load("lps2018").unwrap();
    let tested: BTreeSet<&str> = BREAKS.iter().map(|(code, _, _)| *code).collect();
    let rules: BTreeSet<&str> = t
        .rules()
        .iter()
        .filter(|r| r.check.kind() != "swing")
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(tested, rules, "every form rule has a breaking form here");

    let year = Year::new();
    let mut units = vec![("测试县", township(0))];
    form_with(&year.root().join("2018/测试县/甲镇.xlsx"), CLEAN);
    for (i, (_, changes, _)) in BREAKS.iter().enumerate() {
        let name = township(i + 1);
        let mut values = CLEAN.to_vec();
        values.extend_from_slice(changes);
        form_with(
            &year.root().join(format!("2018/测试县/{name}.xlsx")),
            &values,
        );
        units.push(("测试县", name));
    }
    let roster: Vec<(&str, &str)> = units.iter().map(|(c, t)| (*c, t.as_str())).collect();
    let roster = year.roster(&roster);
    let (_, report) = year.run(Some(&roster));
    let found = codes_by_township(&report);

    assert!(
        !found.contains_key("甲镇"),
        "the clean form has no findings: {:?}",
        found.get("甲镇")
    );
    let t_rules: BTreeMap<&str, _> = t.rules().iter().map(|r| (r.code.as_str(), r)).collect();
    for (i, (code, _, also)) in BREAKS.iter().enumerate() {
        let name = township(i + 1);
        let want: BTreeSet<String> = std::iter::once(*code)
            .chain(also.iter().copied())
            .map(String::from)
            .collect();
        assert_eq!(found.get(&name), Some(&want), "{code} on {name}");
        // The message is Chinese and names the row and its number.
        let issue = issues(&report, code)[0];
        let message = issue["message"].as_str().unwrap();
        assert!(
            message.starts_with('第') && message.contains('行'),
            "{message}"
        );
        assert_eq!(issue["severity"], t_rules[code].severity.as_str(), "{code}");
    }
}

#[test]
fn a_sum_message_names_both_rows_and_both_numbers() {
    let year = Year::new();
    let mut values = CLEAN.to_vec();
    values.extend([("R46", 7.0), ("R47", 2.0), ("R58", 3.0)]);
    form_with(&year.root().join("2018/测试县/甲镇.xlsx"), &values);
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 1, "a broken sum is an error");
    let sum = issues(&report, "SUM-R46");
    assert_eq!(
        sum[0]["message"],
        "第46行“(三)申请答复数”填报 7，但第47–50、57–60行合计 5，两者应相等"
    );
    assert_eq!(sum[0]["cell"], "C49");
    assert_eq!(sum[0]["row"], "R46");
}

/// 2017 and 2018 folders of 测试县: 甲镇 and 乙镇 report in 2017, only 甲镇
/// in 2018, with R84 four times up and R86 from 0 to 30.
fn two_years() -> Year {
    let year = Year::new();
    let root = year.root();
    form_with(
        &root.join("2017/测试县/甲镇.xlsx"),
        &[("R84", 10.0), ("R85", 10.0)],
    );
    form_with(&root.join("2017/测试县/乙镇.xlsx"), &[("R84", 5.0)]);
    form_with(
        &root.join("2018/测试县/甲镇.xlsx"),
        &[("R84", 40.0), ("R85", 12.0), ("R86", 30.0)],
    );
    year
}

fn run(year: &Year, args: &[&str], out: &Path) -> (i32, serde_json::Value) {
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇")]);
    let output = gongkai()
        .arg("run")
        .arg(year.root())
        .arg("--out")
        .arg(out)
        .arg("--hierarchy")
        .arg(&roster)
        .args(["--no-progress", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no report ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), report)
}

#[test]
fn last_year_swings_and_a_unit_gone_are_warnings() {
    let year = two_years();
    let out = year.out();
    let (_, first) = run(&year, &["--year", "2017"], &out);
    assert!(first["previous"].is_null(), "no 2016 to compare with");

    // OUT/2017/records.parquet is found by itself.
    let (code, report) = run(&year, &["--year", "2018"], &out);
    assert_eq!(code, 0, "warnings only");
    assert!(
        report["previous"].as_str().unwrap().starts_with("2017 ("),
        "{}",
        report["previous"]
    );
    let up = issues(&report, "SWING-R84");
    assert_eq!(up.len(), 1, "10 → 40 is more than 3×");
    assert_eq!(up[0]["severity"], "warning");
    assert_eq!(
        up[0]["message"],
        "第84行“(一)召开政府信息公开工作会议或专题会议数”本年 40，2017年 10，变化超过 3 倍（大起大落），请核实或说明原因"
    );
    assert_eq!(issues(&report, "SWING-R86").len(), 1, "0 → 30");
    assert!(
        issues(&report, "SWING-R85").is_empty(),
        "10 → 12 is no swing"
    );
    let gone = issues(&report, "UNIT-GONE");
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0]["township"], "乙镇");
    assert!(
        gone[0]["message"]
            .as_str()
            .unwrap()
            .contains("2017年报送了")
    );

    // The same from a records.csv given by hand, with a higher threshold.
    let (_, by_hand) = run(
        &year,
        &[
            "--year",
            "2018",
            "--previous",
            set_in(&out, 2017).join("records.csv").to_str().unwrap(),
            "--swing-ratio",
            "5",
        ],
        &year.root().join("other"),
    );
    assert!(issues(&by_hand, "SWING-R84").is_empty(), "4× is under 5×");
    assert_eq!(issues(&by_hand, "SWING-R86").len(), 1, "0 → 30 still");
    assert_eq!(issues(&by_hand, "UNIT-GONE").len(), 1);

    let nonsense = gongkai()
        .args(["check", "--swing-ratio", "0.5"])
        .arg(year.root())
        .output()
        .unwrap();
    assert_eq!(
        nonsense.status.code(),
        Some(2),
        "a ratio of 1 or below flags everything"
    );
    assert!(String::from_utf8_lossy(&nonsense.stderr).contains("大于 1"));
}

#[test]
fn a_previous_file_that_cannot_be_used_stops_the_run_when_asked_for_and_is_reported_when_found() {
    let year = two_years();
    let bogus = year.root().join("bogus.parquet");
    std::fs::write(&bogus, b"not parquet").unwrap();
    let output = gongkai()
        .args(["check", "--no-progress", "--year", "2018", "--previous"])
        .arg(&bogus)
        .arg(year.root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bogus.parquet"), "{stderr}");

    // Found by itself in OUT, the same file is reported and the run goes on.
    let out = year.out();
    // (In OUT/2017 itself, where sets were kept before each office had its
    // own folder: a whole roster's run still finds it there.)
    std::fs::create_dir_all(out.join("2017")).unwrap();
    std::fs::copy(&bogus, out.join("2017/records.parquet")).unwrap();
    let (code, report) = run(&year, &["--year", "2018"], &out);
    assert_eq!(code, 0);
    let unreadable = issues(&report, "PREVIOUS-UNREADABLE");
    assert_eq!(unreadable.len(), 1, "{:#}", report["issues"]);
    assert!(report["previous"].is_null());
}

/// `check` of 2018 with `previous` as last year's records, which must stop
/// it (exit 2); what it said.
fn refused_previous(year: &Year, previous: &Path) -> String {
    let output = gongkai()
        .args(["check", "--no-progress", "--year", "2018", "--previous"])
        .arg(previous)
        .arg(year.root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn last_years_records_declaring_more_rows_than_the_year_could_fill_are_refused_unread() {
    // Two units of a few dozen cells cannot have filled 1.2 million records:
    // the file is refused by its line count before a record is parsed.
    let year = two_years();
    let huge = year.root().join("huge.csv");
    let mut text = String::from("year,district,township,template,code,value\n");
    text.push_str(&"2017,测试县,甲镇,lps2018,A1,1\n".repeat(1_200_000));
    std::fs::write(&huge, text).unwrap();
    let stderr = refused_previous(&year, &huge);
    assert!(
        stderr.contains("huge.csv") && stderr.contains("1200000"),
        "{stderr}"
    );

    // A file larger than that many records could be is refused by its size
    // before a byte is read (made sparse here: its 600 MB cost no disk).
    let wide = year.root().join("wide.csv");
    std::fs::write(&wide, "year,district,township,template,code,value\n").unwrap();
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&wide)
        .unwrap();
    file.set_len(600_000_000).unwrap();
    let stderr = refused_previous(&year, &wide);
    assert!(
        stderr.contains("wide.csv") && stderr.contains("字节"),
        "{stderr}"
    );
}

#[test]
fn explanations_mark_findings_and_change_the_strict_exit_code() {
    let year = two_years();
    let out = year.out();
    run(&year, &["--year", "2017"], &out);
    let (lenient, _) = run(&year, &["--year", "2018"], &out);
    assert_eq!(lenient, 0, "warnings do not count without --strict");
    let (strict, report) = run(&year, &["--year", "2018", "--strict"], &out);
    assert_eq!(strict, 1, "unexplained warnings count under --strict");
    let warnings = report["counts"]["warnings"].as_u64().unwrap();
    assert_eq!(warnings, 4, "two swings, a unit gone, a unit missing");
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇")]);
    let cron = gongkai()
        .env("GONGKAI_STRICT", "1")
        .args(["check", "--no-progress", "--year", "2018", "--hierarchy"])
        .arg(&roster)
        .arg(year.root())
        .status()
        .unwrap();
    assert_eq!(
        cron.code(),
        Some(1),
        "GONGKAI_STRICT=1 as a cron job sets it"
    );

    std::fs::write(
        year.root().join("2018/explanations.csv"),
        "unit,code,explanation\n\
         甲镇,SWING-R84,2018年起每月召开专题会议\n\
         测试县/甲镇,SWING-R86,2018年首次组织培训\n\
         乙镇,UNIT-GONE,\"2018年撤销乙镇,并入甲镇\"\n\
         乙镇,UNIT-MISSING,2018年撤销乙镇\n",
    )
    .unwrap();
    let (strict, report) = run(&year, &["--year", "2018", "--strict"], &out);
    assert_eq!(strict, 0, "every warning explained: {:#}", report["issues"]);
    assert_eq!(report["counts"]["explained"], 4);
    assert_eq!(report["counts"]["warnings"], 4, "explained findings stay");
    assert_eq!(
        issues(&report, "SWING-R84")[0]["explained"],
        "2018年起每月召开专题会议"
    );
    assert!(
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["file"].as_str().unwrap().ends_with(".csv")),
        "explanations.csv is not a form"
    );
    assert!(issues(&report, "FILE-IGNORED").is_empty());

    // An explanation that names nothing is itself a warning.
    std::fs::write(
        year.root().join("2018/explanations.csv"),
        "unit,code,explanation\n丙镇,SWING-R84,写错了单位\n",
    )
    .unwrap();
    let (strict, report) = run(&year, &["--year", "2018", "--strict"], &out);
    assert_eq!(strict, 1);
    let unused = issues(&report, "EXPLANATION-UNUSED");
    assert_eq!(unused.len(), 1);
    assert!(unused[0]["message"].as_str().unwrap().contains("第2行"));
}

#[test]
fn docs_list_every_code_the_code_can_emit() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks.md"))
            .unwrap();
    let documented: BTreeSet<String> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(|l| l.trim().trim_matches('`').to_string())
        .collect();
    let emitted: BTreeSet<String> = Code::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .chain(
            gongkai::form::registry::ids()
                .flat_map(|id| Template::load(id).unwrap().finding_codes()),
        )
        .collect();
    let undocumented: Vec<_> = emitted.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&emitted).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "docs/checks.md lacks {undocumented:?} and lists {stale:?}, which nothing emits"
    );
}

#[test]
fn every_code_has_the_severity_docs_give_it() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks.md"))
            .unwrap();
    for code in Code::ALL {
        let heading = format!("### {}\n", code.as_str());
        let at = docs
            .find(&heading)
            .unwrap_or_else(|| panic!("no {heading}"));
        let severity = docs[at + heading.len()..]
            .lines()
            .find_map(|l| l.strip_prefix("- **Severity:** "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap();
        assert_eq!(severity, code.severity().as_str(), "{}", code.as_str());
    }
}

#[test]
fn a_clerk_checks_one_form_before_sending_it() {
    let text = gongkai()
        .args(["check", "--no-progress"])
        .arg(form("jinpen_openpyxl.xlsx"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .contains("错误 C8    SUM-R05 第5行“(二)通过不同渠道和方式公开政府信息的情况”填报 33"),
        "each finding with its cell: {stdout}"
    );
    assert!(
        stdout.contains("结论：有 1 处错误，请更正后再报送"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("ROSTER"),
        "the clerk's folder is no district: {stdout}"
    );

    let json = gongkai()
        .args(["check", "--no-progress", "--format", "json"])
        .arg(form("jinpen_openpyxl.xlsx"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let sum = issues(&report, "SUM-R05");
    assert_eq!(
        (sum[0]["cell"].as_str(), sum[0]["row"].as_str()),
        (Some("C8"), Some("R05"))
    );
    assert_eq!(report["counts"]["counted"], 1);

    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("大河镇.xlsx");
    form_with(&clean, CLEAN);
    let ok = gongkai()
        .args(["check", "--no-progress", "--year", "2018"])
        .arg(&clean)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("没有发现问题") && stdout.contains("结论：没有错误，可以报送"),
        "{stdout}"
    );
}

#[test]
fn a_unit_that_sent_nothing_is_chased_with_last_years_filler_and_phone() {
    let year = Year::new();
    // 2017: 甲镇's form names who filled it in; 2018: 甲镇 sends nothing.
    let jia = year.root().join("2017/测试县/甲镇.xlsx");
    let footer = [("填报人", "张三"), ("联系电话", "0858-8221234")];
    form_written(&jia, "填报单位：甲镇", &footer, &[]);
    form_with(&year.root().join("2017/测试县/乙镇.xlsx"), &[("R84", 1.0)]);
    form_with(&year.root().join("2018/测试县/乙镇.xlsx"), &[("R84", 1.0)]);
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇")]);
    let run = |y: &str, format: &str| {
        gongkai()
            .arg("run")
            .arg(year.root())
            .args([
                "--year",
                y,
                "--no-progress",
                "--no-report",
                "--format",
                format,
            ])
            .arg("--hierarchy")
            .arg(&roster)
            .arg("--out")
            .arg(year.out())
            .output()
            .unwrap()
    };
    run("2017", "json");
    let report: serde_json::Value = serde_json::from_slice(&run("2018", "json").stdout).unwrap();
    let jia = unit_named(&report, "甲镇");
    assert_eq!(jia["status"], "missing");
    assert_eq!(jia["last_contact"], "张三 0858-8221234（2017年）");
    let text = String::from_utf8_lossy(&run("2018", "text").stdout).to_string();
    assert!(
        text.contains("甲镇（测试县，上年填报人 张三 0858-8221234（2017年））"),
        "{text}"
    );
}
