//! Every way a township's file really arrives, one committed fixture each
//! (`tests/fixtures/cases/`, made by `make_cases.py` with openpyxl,
//! LibreOffice and an xlsb writer): what is read, what is noted, and what is
//! refused with one clear sentence while the rest of the run goes on.

use crate::common::*;

/// The files of `cases/values.csv`: every case that is a readable form.
fn readable_cases() -> Vec<String> {
    let text = std::fs::read_to_string(case("values.csv")).unwrap();
    let mut names: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    names.dedup();
    names
}

/// Reads a case as 测试县/测试镇 and checks all 86 values against values.csv.
fn read_case(name: &str) -> (Year, serde_json::Value) {
    let (year, code, report) = Year::one(&case(name), &format!("测试镇.{}", ext(name)));
    assert_eq!(report["counts"]["used"], 1, "{name}: {report:#}");
    assert_eq!(code, exit_code_for(&report), "{name}: exit {code}");
    let got = values_of(&year.records(), "测试镇");
    for (code, want) in expected_in(&case("values.csv"), name) {
        assert_eq!(got.get(&code), Some(&want), "{name} {code}");
    }
    (year, report)
}

fn ext(name: &str) -> &str {
    name.rsplit('.').next().unwrap()
}

fn messages(report: &serde_json::Value, code: &str) -> Vec<String> {
    issues(report, code)
        .iter()
        .map(|i| i["message"].as_str().unwrap().to_string())
        .collect()
}

fn one_message(report: &serde_json::Value, code: &str) -> String {
    let found = messages(report, code);
    assert_eq!(found.len(), 1, "one {code}: {report:#}");
    found[0].clone()
}

/// A refused case: (exit code, the one error's code and message).
fn refused(name: &str) -> (String, String) {
    let (_, code, report) = Year::one(&case(name), &format!("测试镇.{}", ext(name)));
    assert_eq!(code, 1, "{name}: a refused file makes exit 1");
    assert_eq!(report["counts"]["rejected"], 1, "{name}: {report:#}");
    let errors: Vec<_> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{name}: one error: {errors:#?}");
    (
        errors[0]["code"].as_str().unwrap().to_string(),
        errors[0]["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn every_readable_case_reads_the_values_the_clerk_meant() {
    let names = readable_cases();
    assert!(names.len() >= 25, "{names:?}");
    for name in names {
        read_case(&name);
    }
}

#[test]
fn formats_are_read_by_content_and_renames_are_noted() {
    for (name, format) in [
        ("xlsm.xlsm", "xlsx"),
        ("xlsb.xlsb", "xlsb"),
        ("renamed_xlsx.xls", "xlsx"),
        ("renamed_xls.xlsx", "xls"),
    ] {
        let (_, report) = read_case(name);
        assert_eq!(report["files"][0]["format"], format, "{name}");
        let renamed = messages(&report, "FILE-RENAMED");
        if name.starts_with("renamed") {
            assert_eq!(renamed.len(), 1, "{name}");
            assert!(
                renamed[0].contains(&format!("实际是 {format}")),
                "{renamed:?}"
            );
        } else {
            assert!(renamed.is_empty(), "{name}: {renamed:?}");
        }
    }
}

#[test]
fn a_web_export_is_read_as_the_page_it_is_and_spreadsheetml_is_refused_by_name() {
    let (year, report) = read_case("html.xls");
    assert_eq!(report["files"][0]["format"], "html");
    assert_eq!(report["files"][0]["sheet"], "表1");
    assert!(one_message(&report, "FILE-RENAMED").contains("实际是 html"));
    assert_eq!(field(&year.records(), "测试镇", "R02", "sheet"), "表1");
    let (code, message) = refused("xml2003.xls");
    assert_eq!(code, "FILE-XML2003");
    assert!(message.contains("Excel 2003 XML"), "{message}");
}

#[test]
fn the_form_is_found_beside_another_table_and_through_inserted_rows() {
    let (year, _) = read_case("beside_table.xlsx");
    let cell = field(&year.records(), "测试镇", "R02", "cell");
    assert!(
        cell.starts_with('C'),
        "R02 read from {cell}, not the other table"
    );

    let (_, report) = read_case("blank_and_note_rows.xlsx");
    let unknown = one_message(&report, "FORM-ROW-UNKNOWN");
    assert!(unknown.contains("备注"), "{unknown}");
    assert!(issues(&report, "FORM-ROWS-MISSING").is_empty());
}

#[test]
fn merged_headings_hidden_rows_and_two_line_labels_change_nothing() {
    for name in [
        "merged_headings.xlsx",
        "hidden_rows.xlsx",
        "two_line_labels.xlsx",
    ] {
        let (_, report) = read_case(name);
        for code in ["FORM-ROWS-MISSING", "FORM-ROW-UNKNOWN", "FORM-LABEL-TYPO"] {
            assert!(issues(&report, code).is_empty(), "{name} {code}");
        }
    }
}

#[test]
fn without_a_unit_column_values_come_from_the_next_column() {
    let (year, _) = read_case("no_unit_column.xlsx");
    let cell = field(&year.records(), "测试镇", "R02", "cell");
    assert!(cell.starts_with('B'), "R02 read from {cell}");
}

#[test]
fn missing_and_unknown_rows_are_listed() {
    let (_, report) = read_case("rows_missing.xlsx");
    let missing = one_message(&report, "FORM-ROWS-MISSING");
    assert!(
        missing.contains("缺少模板中的 7 行")
            && missing.contains("R12, R13, R14, R78, R79, R80, R81"),
        "{missing}"
    );

    let (_, report) = read_case("extra_rows.xlsx");
    let unknown = messages(&report, "FORM-ROW-UNKNOWN");
    assert_eq!(unknown.len(), 2, "{unknown:?}");
    assert!(
        unknown[0].contains("7.政务抖音公开政府信息数") && unknown[0].contains("填的是 5"),
        "{unknown:?}"
    );
    assert!(unknown[1].contains("其他情况"), "{unknown:?}");
}

#[test]
fn a_label_with_a_typo_is_matched_with_a_warning_naming_both() {
    let (_, report) = read_case("typo_label.xlsx");
    let typos = messages(&report, "FORM-LABEL-TYPO");
    assert_eq!(typos.len(), 2, "{typos:?}");
    assert!(
        typos[0].contains("2.政府网占公开政府信息数")
            && typos[0].contains("R07“2.政府网站公开政府信息数”"),
        "{typos:?}"
    );
    assert!(
        typos[1].contains("4.政策解读稿发布数") && typos[1].contains("R31"),
        "{typos:?}"
    );
    assert!(issues(&report, "FORM-ROW-UNKNOWN").is_empty());
}

#[test]
fn formulas_use_their_saved_result_or_are_computed() {
    let (year, report) = read_case("formulas_cached.xlsx");
    assert_eq!(field(&year.records(), "测试镇", "R05", "read_as"), "number");
    assert!(issues(&report, "VALUE-FORMULA-COMPUTED").is_empty());

    let (year, report) = read_case("formulas_uncached.xlsx");
    let records = year.records();
    assert_eq!(field(&records, "测试镇", "R05", "read_as"), "computed");
    assert!(field(&records, "测试镇", "R05", "raw").starts_with("=SUM("));
    assert_eq!(messages(&report, "VALUE-FORMULA-COMPUTED").len(), 4);
    let cannot = one_message(&report, "VALUE-FORMULA");
    assert!(
        cannot.starts_with("R74") && cannot.contains("INDIRECT") && cannot.contains("重新保存"),
        "{cannot}"
    );
}

#[test]
fn error_cells_booleans_and_dates_are_not_numbers() {
    let (_, report) = read_case("error_cells.xlsx");
    let errors = messages(&report, "VALUE-ERROR-CELL");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("R13") && errors[0].contains("#REF!"));
    assert!(errors[1].starts_with("R14") && errors[1].contains("#VALUE!"));

    let (_, report) = read_case("booleans_dates.xlsx");
    let invalid = one_message(&report, "VALUE-INVALID");
    assert!(
        invalid.starts_with("R30") && invalid.contains("TRUE"),
        "{invalid}"
    );
    let date = one_message(&report, "VALUE-DATE");
    assert!(
        date.starts_with("R31") && date.contains("2018-02-03"),
        "{date}"
    );
}

#[test]
fn numbers_typed_as_text_with_separators_spaces_and_minus_signs() {
    let (year, report) = read_case("text_numbers.xlsx");
    assert_eq!(field(&year.records(), "测试镇", "R07", "raw"), "1,234");
    let negative = messages(&report, "VALUE-NEGATIVE");
    assert_eq!(negative.len(), 2, "{negative:?}");
    assert!(negative.iter().any(|m| m.starts_with("第32行")));
    assert!(negative.iter().any(|m| m.starts_with("第33行")));
}

#[test]
fn a_number_in_a_heading_row_is_read_but_not_summed() {
    let (_, report) = read_case("heading_number.xlsx");
    let headings = messages(&report, "HEADING-VALUE");
    assert_eq!(headings.len(), 2, "{headings:?}");
    assert!(headings[0].starts_with("第1行") && headings[0].contains("75"));
    let city = report["returns"].as_array().unwrap().last().unwrap();
    assert!(cell(city, "R01").0.is_null(), "R01 has no total: {city:#}");
}

#[test]
fn the_footer_date_in_every_way_clerks_write_it() {
    for name in [
        "date_cell.xlsx",
        "date_cn.xlsx",
        "date_dot.xlsx",
        "date_iso.xlsx",
        "date_short.xlsx",
    ] {
        let (_, report) = read_case(name);
        assert_eq!(report["files"][0]["date"], "2019-02-18", "{name}");
        assert!(issues(&report, "FOOTER-DATE").is_empty(), "{name}");
    }
    let (_, report) = read_case("date_unreadable.xlsx");
    assert!(report["files"][0]["date"].is_null());
    assert!(one_message(&report, "FOOTER-DATE").contains("二月中旬"));
}

#[test]
fn each_refused_file_gets_one_clear_error() {
    for (name, want_code, want_text) in [
        ("empty_workbook.xlsx", "FILE-NO-FORM", "工作簿是空的"),
        (
            "unrelated_table.xlsx",
            "FILE-NO-FORM",
            "最接近的工作表“工作台账”只有 3/86 个行标签",
        ),
        // Forms gongkai knows, but not this year's: named, and not summed.
        ("national_2019.xlsx", "FORM-WRONG-FORMAT", "2019 试行格式"),
        ("national_2021.xlsx", "FORM-WRONG-FORMAT", "2021 格式"),
        ("password.xlsx", "FILE-PASSWORD", "密码"),
        ("zero.xlsx", "FILE-EMPTY", "0 字节"),
        ("pdf.xls", "FILE-PDF", "Word 版本（.docx）"),
        ("docx.xlsx", "FILE-NO-FORM", "文档中没有表格"),
        ("text.xls", "FILE-NOT-SPREADSHEET", "文本文件"),
        ("zip_bomb.xlsx", "FILE-UNPACKS-TOO-LARGE", "解压后有 149 MB"),
        // calamine's ods reader would size this sheet at 17 billion cells.
        ("stray_cell.ods", "FILE-TOO-MANY-CELLS", "Ctrl+End"),
        // … and calamine's xls reader at 16.7 million (a gigabyte, twice).
        ("stray_cell.xls", "FILE-TOO-MANY-CELLS", "Ctrl+End"),
    ] {
        let (code, message) = refused(name);
        assert_eq!(code, want_code, "{name}: {message}");
        assert!(message.contains(want_text), "{name}: {message}");
    }
    let (_, code, report) = Year::one(&form("corrupt.xlsx"), "测试镇.xlsx");
    assert_eq!(code, 1);
    let corrupt = issues(&report, "FILE-CORRUPT");
    assert_eq!(corrupt.len(), 1, "a truncated zip is damaged: {report:#}");
}

#[test]
fn a_stray_cell_at_the_last_address_costs_nothing() {
    // Read densely, this sheet would be 16,384 × 1,048,576 cells.
    let (year, _) = read_case("stray_cell.xlsx");
    assert_eq!(field(&year.records(), "测试镇", "R02", "cell"), "C5");
}

#[cfg(unix)]
#[test]
fn gbk_file_names_are_read_and_shown_decoded() {
    use std::os::unix::ffi::OsStrExt;
    let year = Year::new();
    let dir = year.root().join("2018/测试县");
    std::fs::create_dir_all(&dir).unwrap();
    // 甲镇.xlsx as GBK bytes, as a Windows zip archive stores the name.
    let name = std::ffi::OsStr::from_bytes(b"\xbc\xd7\xd5\xf2.xlsx");
    std::fs::copy(form("synthetic_a.xls"), dir.join(name)).unwrap();
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["files"][0]["file"], "测试县/甲镇.xlsx");
    assert_eq!(report["files"][0]["township"], "甲镇");
}

#[cfg(unix)]
#[test]
fn a_link_to_nothing_is_reported_and_the_rest_read() {
    let year = Year::new();
    year.add(&form("synthetic_a.xls"), "测试县", "甲镇.xls");
    let dir = year.root().join("2018/测试县");
    std::os::unix::fs::symlink("/nonexistent/乙镇.xlsx", dir.join("乙镇.xlsx")).unwrap();
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇")]);
    let (code, report) = year.run(Some(&roster));
    // Links are never followed: said once, and the unit is missing.
    assert_eq!(code, 0);
    assert_eq!(report["counts"]["used"], 1);
    let link = issues(&report, "INPUT-LINK");
    assert_eq!(link.len(), 1, "{report:#}");
    assert_eq!(link[0]["file"], "测试县/乙镇.xlsx");
    assert_eq!(issues(&report, "UNIT-MISSING").len(), 1);
}

#[test]
fn check_on_a_folder_of_refused_and_good_files() {
    let refused_files = [
        "empty_workbook.xlsx",
        "unrelated_table.xlsx",
        "national_2019.xlsx",
        "national_2021.xlsx",
        "password.xlsx",
        "zero.xlsx",
        "pdf.xls",
        "docx.xlsx",
        "text.xls",
        "zip_bomb.xlsx",
        "stray_cell.ods",
        "xml2003.xls",
    ];
    let good = Year::new();
    good.add(&form("synthetic_a.xls"), "测试县", "甲镇.xls")
        .add(&form("offset.xlsx"), "测试县", "乙镇.xlsx");
    let mut roster = vec![("测试县", "甲镇"), ("测试县", "乙镇")];
    let mixed = Year::new();
    mixed
        .add(&form("synthetic_a.xls"), "测试县", "甲镇.xls")
        .add(&form("offset.xlsx"), "测试县", "乙镇.xlsx");
    let townships: Vec<String> = (0..refused_files.len())
        .map(|i| format!("案例{i}镇"))
        .collect();
    for (file, township) in refused_files.iter().zip(&townships) {
        mixed.add(&case(file), "测试县", &format!("{township}.{}", ext(file)));
        roster.push(("测试县", township));
    }

    let check = |year: &Year, format: &str| {
        let roster = year.roster(&roster);
        gongkai()
            .arg("check")
            .arg(year.root())
            .arg("--hierarchy")
            .arg(roster)
            .args(["--no-progress", "--format", format])
            .output()
            .unwrap()
    };
    let out = check(&mixed, "text");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for (file, township) in refused_files.iter().zip(&townships) {
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains(&format!("{township}.")) && l.contains("错误"))
            .collect();
        assert_eq!(lines.len(), 1, "{file}: one line\n{text}");
        // What is wrong and what to do, in a sentence.
        assert!(lines[0].contains("；请"), "{file}: {}", lines[0]);
    }

    let json = |year: &Year| -> serde_json::Value {
        serde_json::from_slice(&check(year, "json").stdout).unwrap()
    };
    let (mixed, good) = (json(&mixed), json(&good));
    assert_eq!(mixed["counts"]["rejected"], refused_files.len());
    assert_eq!(mixed["counts"]["used"], 2);
    let city = |r: &serde_json::Value| values(r["returns"].as_array().unwrap().last().unwrap());
    assert_eq!(
        city(&mixed),
        city(&good),
        "the good files' totals are exact"
    );
    let r02 = expected("synthetic_a.xls")["R02"].unwrap() + expected("offset.xlsx")["R02"].unwrap();
    assert_eq!(city(&mixed)[1], r02);
}

/// Files the fuzz target (`fuzz/`) found: calamine panicked on the truncated
/// container and aborted the process on the declared extents (it reserves
/// room for them). Each is now refused as damaged before calamine sees it.
#[test]
fn files_found_by_fuzzing_are_refused_as_damaged() {
    for (name, detail) in [
        ("xls_truncated.xls", "Malformed FAT"),
        ("xls_dimensions_inverted.xls", "rows 23 to 2"),
        ("xls_dimensions_huge.xls", "rows 0 to 4278190171"),
    ] {
        let (_, code, report) = Year::one(&fixture("fuzz").join(name), "测试镇.xls");
        assert_eq!(code, 1, "{name}");
        let corrupt = issues(&report, "FILE-CORRUPT");
        assert_eq!(corrupt.len(), 1, "{name}: {report:#}");
        assert!(
            corrupt[0]["message"].as_str().unwrap().contains(detail),
            "{name}: {corrupt:?}"
        );
    }
}
