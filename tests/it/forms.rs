//! The real binary on committed fixtures: forms made by the tools clerks use
//! (openpyxl, LibreOffice), and the files a district office really receives.

use crate::common::*;

/// Reads one fixture as a township's form and compares all 86 values.
fn reads_exactly(
    fixture_name: &str,
    township: &str,
) -> (serde_json::Value, polars::prelude::DataFrame) {
    let year = Year::new();
    year.add(
        &form(fixture_name),
        "测试县",
        &format!("{township}.{}", fixture_name.rsplit('.').next().unwrap()),
    );
    let roster = year.roster(&[("测试县", township)]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(report["counts"]["used"], 1, "{fixture_name}: {report:#}");
    let records = year.records();
    let got = values_of(&records, township);
    let want = expected(fixture_name);
    for (code, value) in &want {
        assert_eq!(got.get(code), Some(value), "{fixture_name} {code}");
    }
    assert_eq!(code, exit_code_for(&report), "{fixture_name}: exit {code}");
    (report, records)
}

#[test]
fn jinpen_real_values_read_back_exactly_from_two_writers() {
    for fixture_name in ["jinpen_openpyxl.xlsx", "jinpen_libreoffice.xlsx"] {
        let (report, records) = reads_exactly(fixture_name, "金盆苗族彝族乡");
        // Its own arithmetic is off: row 5 says 33, rows 6–11 add up to 75.
        let sum = issues(&report, "SUM-R05");
        assert_eq!(sum.len(), 1, "{fixture_name}");
        let message = sum[0]["message"].as_str().unwrap();
        assert!(
            message.contains("填报 33") && message.contains("第6–11行合计 75"),
            "{message}"
        );
        // A blank stays blank: R70 was not filled in.
        assert_eq!(field(&records, "金盆苗族彝族乡", "R70", "read_as"), "blank");
        // 填报日期 is cut short in the real form, and still read.
        assert_eq!(report["files"][0]["date"], "2019-02-18", "{fixture_name}");
    }
}

#[test]
fn libreoffice_xls_and_ods() {
    for fixture_name in ["synthetic_a.xls", "synthetic_a.ods"] {
        let (report, _) = reads_exactly(fixture_name, "甲镇");
        let format = if fixture_name.ends_with("xls") {
            "xls"
        } else {
            "ods"
        };
        assert_eq!(report["files"][0]["format"], format);
    }
}

#[test]
fn a_table_not_starting_at_a1_on_a_second_sheet() {
    let (report, records) = reads_exactly("offset.xlsx", "乙镇");
    assert_ne!(report["files"][0]["sheet"], "说明");
    // The first value sits two columns right of the labels in column D.
    let cell = field(&records, "乙镇", "R02", "cell");
    assert!(cell.starts_with('F'), "R02 read from {cell}");
}

#[test]
fn values_typed_with_units_dashes_and_full_width_digits() {
    let (report, records) = reads_exactly("unit_suffix.xlsx", "丙镇");
    assert_eq!(field(&records, "丙镇", "R07", "raw"), "33条");
    assert_eq!(field(&records, "丙镇", "R07", "read_as"), "unit_stripped");
    assert_eq!(field(&records, "丙镇", "R20", "read_as"), "dash");
    assert_eq!(field(&records, "丙镇", "R85", "read_as"), "text_number");
    let unit = issues(&report, "VALUE-UNIT");
    assert!(
        unit.iter()
            .any(|i| i["message"].as_str().unwrap().contains("`33条` 按 33 读取")),
        "{unit:?}"
    );
    assert!(!issues(&report, "VALUE-DASH").is_empty());
}

#[test]
fn owner_files_are_skipped_and_corrupt_files_rejected_without_stopping_the_run() {
    let year = Year::new();
    year.add(&form("jinpen_openpyxl.xlsx"), "测试县", "甲镇.xlsx")
        .add(&form("~$owner.xlsx"), "测试县", "~$甲镇.xlsx")
        .add(&form("corrupt.xlsx"), "测试县", "乙镇.xlsx")
        .add(&form("not_a_form.xlsx"), "测试县", "丙镇.xlsx");
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇"), ("测试县", "丙镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 1, "rejected files make exit 1");
    assert_eq!(
        report["counts"]["files"], 3,
        "the owner file is not a submission"
    );
    assert_eq!(report["counts"]["used"], 1);
    assert_eq!(report["counts"]["rejected"], 2);
    let corrupt = issues(&report, "FILE-CORRUPT");
    assert_eq!(corrupt.len(), 1);
    assert_eq!(corrupt[0]["file"], "测试县/乙镇.xlsx");
    let no_form = issues(&report, "FILE-NO-FORM");
    assert!(
        no_form[0]["message"]
            .as_str()
            .unwrap()
            .contains("未找到 lps2018 统计表"),
        "{no_form:?}"
    );
    // The good file is still rolled up.
    let city = report["returns"].as_array().unwrap().last().unwrap();
    assert_eq!(cell(city, "R02").0, 75.0, "R02 of the city = 金盆乡's 75");
    let units = report["units"].as_array().unwrap();
    let status = |t: &str| units.iter().find(|u| u["township"] == t).unwrap()["status"].clone();
    assert_eq!(status("乙镇"), "rejected");
    assert!(
        set_in(&year.out(), 2018)
            .join("测试市_2018_汇总.xlsx")
            .exists()
    );
}

#[test]
fn a_missing_township_is_reported_and_the_rest_rolled_up() {
    let year = Year::new();
    year.add(&form("synthetic_a.xls"), "测试县", "甲镇.xls");
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "丁乡")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "a missing unit is a warning");
    let missing = issues(&report, "UNIT-MISSING");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["township"], "丁乡");
    assert_eq!(report["counts"]["units_missing"], 1);
}

#[test]
fn a_duplicate_submission_uses_the_later_form() {
    let year = Year::new();
    let inputs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/2018/钟山区");
    year.add(&inputs.join("大湾镇.xlsx"), "钟山区", "大湾镇.xlsx")
        .add(
            &inputs.join("大湾镇(修改).xlsx"),
            "钟山区",
            "大湾镇(修改).xlsx",
        );
    let roster = year.roster(&[("钟山区", "大湾镇")]);
    let (_, report) = year.run(Some(&roster));
    let dup = issues(&report, "UNIT-DUPLICATE");
    assert_eq!(dup.len(), 1, "{report:#}");
    let message = dup[0]["message"].as_str().unwrap();
    assert!(
        message.contains("大湾镇.xlsx") && message.contains("使用 钟山区/大湾镇(修改).xlsx"),
        "{message}"
    );
    assert_eq!(
        file_status(&report, "大湾镇.xlsx").unwrap()["status"],
        "superseded"
    );
    assert_eq!(
        file_status(&report, "大湾镇(修改).xlsx").unwrap()["status"],
        "used"
    );
    assert_eq!(report["counts"]["used"], 1);
}

#[test]
fn file_names_are_matched_to_official_names() {
    let year = Year::new();
    year.add(
        &form("jinpen_openpyxl.xlsx"),
        "水城县",
        "金盆乡人民政府.xlsx",
    );
    let (_, report) = year.run(None);
    let file = file_status(&report, "金盆乡人民政府.xlsx").unwrap();
    assert_eq!(file["township"], "金盆苗族彝族乡");
    assert!(file["matched"].as_str().unwrap().contains("金盆"));
    // The built-in 2018 roster: everyone else is missing.
    assert_eq!(report["counts"]["units_expected"], 93);
    assert_eq!(report["counts"]["units_missing"], 92);
}

#[test]
fn check_reads_a_single_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = gongkai()
        .current_dir(dir.path())
        .args(["check", "--no-progress"])
        .arg(form("jinpen_openpyxl.xlsx"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert_eq!(
        good.status.code(),
        Some(1),
        "row 5 breaks the form's arithmetic, an error: {stdout}"
    );
    assert!(stdout.contains("SUM-R05"), "{stdout}");
    assert!(!stdout.contains("UNIT-MISSING"), "{stdout}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "check wrote nothing"
    );

    let bad = gongkai()
        .args(["check", "--no-progress"])
        .arg(form("corrupt.xlsx"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout.contains("FILE-CORRUPT") && stdout.contains("已损坏"),
        "{stdout}"
    );
}

#[test]
fn the_blank_template_is_read_back_as_a_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("模板.xlsx");
    let status = gongkai()
        .args(["template", "--out"])
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
    assert_eq!(report["counts"]["used"], 1, "{report:#}");
    assert_eq!(report["counts"]["errors"], 0);
    assert!(issues(&report, "FORM-ROWS-MISSING").is_empty());
}

#[test]
fn bad_input_exits_2() {
    let out = gongkai()
        .args(["run", "/nonexistent/folder", "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不存在"));
    let out = gongkai().args(["run", "--jobs", "many"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn outputs_are_complete_and_no_temporary_file_is_left() {
    let year = Year::new();
    year.add(&form("synthetic_a.ods"), "测试县", "甲镇.ods");
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (_, report) = year.run(Some(&roster));
    let names: Vec<String> = std::fs::read_dir(set_in(&year.out(), 2018))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    for want in [
        "测试市_2018_汇总.xlsx",
        "测试县_2018_统计表.xlsx",
        "测试市_2018_统计表.xlsx",
        "records.csv",
        "records.parquet",
        "run.json",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.ends_with(".part")), "{names:?}");
    // run.json lists every file beside it.
    assert_eq!(report["outputs"].as_array().unwrap().len() + 1, names.len());
    let csv = std::fs::read(set_in(&year.out(), 2018).join("records.csv")).unwrap();
    // A BOM, then the columns README names, each once.
    let header = "\u{feff}year,city,district,township,office_path,unit_kind,template,code,table,row,row_path,column,unit,kind,\
                  value,rollup_value,raw,read_as,file,sheet,cell\n";
    assert!(
        csv.starts_with(header.as_bytes()),
        "{}",
        String::from_utf8_lossy(&csv[..200])
    );
}

#[test]
fn a_reader_that_stops_early_does_not_crash_the_report() {
    // `gongkai run | head -2`: the pipe closes before the report is written.
    let out = tempfile::tempdir().unwrap();
    let mut child = gongkai()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--no-progress", "--out"])
        .arg(out.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
