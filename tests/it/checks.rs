//! Findings on forms written for the purpose: the checks that make a form
//! an error, and units the roster does not expect where they are.

use crate::common::*;

#[test]
fn negative_and_fractional_counts_are_errors() {
    let year = Year::new();
    let path = year.root().join("2018/测试县/甲镇.xlsx");
    // R02 and R07 at 0 keep R05 = R06..R11 consistent apart from the bad cells.
    form_with(&path, &[("R84", -3.0), ("R86", 2.5), ("R82", 1.25)]);
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 1, "errors make exit 1");
    let negative = issues(&report, "VALUE-NEGATIVE");
    assert_eq!(negative.len(), 1);
    assert_eq!(
        negative[0]["cell"], "C87",
        "R84 is the 84th row below the header in row 3"
    );
    let fraction = issues(&report, "VALUE-FRACTION");
    assert_eq!(
        fraction.len(),
        1,
        "money (R82, 万元) may have decimals: {fraction:?}"
    );
    assert!(
        fraction[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("第86行“(三)接受培训人员数”填报 2.5")
    );
}

#[test]
fn totals_that_disagree_with_their_parts_are_errors_with_both_numbers() {
    let year = Year::new();
    let path = year.root().join("2018/测试县/甲镇.xlsx");
    form_with(
        &path,
        &[
            ("R38", 5.0),
            ("R39", 3.0),
            ("R41", 1.0),
            ("R43", 4.0),
            ("R44", 4.0),
            ("R03", 2.0),
            ("R02", 1.0),
        ],
    );
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(
        code, 1,
        "a total that is not the sum of its parts is an error"
    );
    let sum = issues(&report, "SUM-R38");
    assert_eq!(sum.len(), 1);
    assert!(
        sum[0]["message"]
            .as_str()
            .unwrap()
            .contains("第38行“(一)收到申请数”填报 5，但第39–42行合计 4，两者应相等"),
        "{sum:?}"
    );
    let of_which = issues(&report, "LE-R03-R02");
    assert_eq!(
        of_which.len(),
        1,
        "其中 (R03 = 2) is more than its parent (R02 = 1)"
    );
    // The district total is recomputed from the parts: 4, not the reported 5.
    let district = &report["returns"][0];
    assert_eq!(cell(district, "R38"), (&serde_json::json!(4.0), 1));
}

#[test]
fn files_outside_the_roster_or_in_the_wrong_folder_are_reported_and_still_rolled_up() {
    let year = Year::new();
    form_with(
        &year.root().join("2018/测试县/无名镇.xlsx"),
        &[("R84", 2.0)],
    );
    form_with(&year.root().join("2018/测试县/乙镇.xlsx"), &[("R84", 3.0)]);
    let roster = year.roster(&[("测试县", "甲镇"), ("邻县", "乙镇")]);
    let (_, report) = year.run(Some(&roster));
    let outside = issues(&report, "UNIT-NOT-IN-ROSTER");
    assert_eq!(outside.len(), 1);
    assert_eq!(outside[0]["township"], "无名镇");
    let moved = issues(&report, "UNIT-WRONG-FOLDER");
    assert_eq!(moved.len(), 1);
    assert!(
        moved[0]["message"]
            .as_str()
            .unwrap()
            .contains("名册中乙镇属于邻县")
    );
    // Both are rolled up under the folder's district: 2 + 3.
    let returns = report["returns"].as_array().unwrap();
    let county = returns.iter().find(|r| r["name"] == "测试县").unwrap();
    assert_eq!(cell(county, "R84"), (&serde_json::json!(5.0), 2));
}

/// The verdict a clerk reads: refused, with errors, or sendable.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Refused,
    Errors,
    Sendable,
}

/// What `gongkai check FILE` says of one file, as its year's run would.
fn check_verdict(file: &std::path::Path) -> Verdict {
    let output = gongkai()
        .args(["check", "--no-progress", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let counts = &report["counts"];
    if counts["rejected"].as_u64() > Some(0) {
        Verdict::Refused
    } else if counts["errors"].as_u64() > Some(0) {
        Verdict::Errors
    } else {
        Verdict::Sendable
    }
}

#[test]
fn check_on_each_file_gives_the_verdict_the_run_of_its_year_gives() {
    let inputs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    for year in ["2018", "2025"] {
        let output = gongkai()
            .args(["check", "--no-progress", "--format", "json", "--year", year])
            .arg(&inputs)
            .output()
            .unwrap();
        let run: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let issues = run["issues"].as_array().unwrap();
        let mut wrong_format = 0;
        for file in run["files"].as_array().unwrap() {
            let shown = file["file"].as_str().unwrap();
            // A superseded copy is not checked in the run: its unit's
            // later file is.
            let want = match file["status"].as_str().unwrap() {
                "rejected" => Verdict::Refused,
                "superseded" => continue,
                _ if issues
                    .iter()
                    .any(|i| i["file"] == shown && i["severity"] == "error") =>
                {
                    Verdict::Errors
                }
                _ => Verdict::Sendable,
            };
            wrong_format += usize::from(
                issues
                    .iter()
                    .any(|i| i["file"] == shown && i["code"] == "FORM-WRONG-FORMAT"),
            );
            let got = check_verdict(&inputs.join(year).join(shown));
            assert_eq!(got, want, "{year}/{shown}");
        }
        if year == "2025" {
            assert!(
                wrong_format > 0,
                "the sample year has a file on the 2019 format"
            );
        }
    }
}

#[test]
fn check_on_a_file_in_a_provinces_nested_folders_judges_it_with_that_years_form() {
    let work = tempfile::tempdir().unwrap();
    let year = sample_in_a_province(work.path());
    // Three folders below the province's year: 2025/六盘水市/水城区/.
    let district = year.join("六盘水市/水城区");
    let old_table = district.join("野钟苗族彝族布依族乡.xlsx");
    assert_eq!(check_verdict(&old_table), Verdict::Refused);
    assert_eq!(
        check_verdict(&district.join("以朵街道.xlsx")),
        Verdict::Sendable
    );
    // A folder the roster names no office for is not part of the year:
    // the file there is read as the form it holds.
    let archive = district.join("旧表");
    std::fs::create_dir(&archive).unwrap();
    std::fs::copy(&old_table, archive.join("野钟乡.xlsx")).unwrap();
    assert_eq!(
        check_verdict(&archive.join("野钟乡.xlsx")),
        Verdict::Sendable
    );
}

#[test]
fn messages_and_the_summary_use_full_width_punctuation_in_chinese_sentences() {
    // A half-width comma, semicolon or colon beside a Chinese character is
    // gongkai's own wording (the forms' labels and file names hold none in
    // the sample years), in every finding and the closing summary.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    let half = |text: &str| -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        (1..chars.len().saturating_sub(1))
            .find(|&i| {
                matches!(chars[i], ',' | ';' | ':') && (han(chars[i - 1]) || han(chars[i + 1]))
            })
            .map(|i| {
                chars[i.saturating_sub(8)..(i + 8).min(chars.len())]
                    .iter()
                    .collect()
            })
    };
    for year in ["2018", "2025"] {
        let json = gongkai()
            .args([
                "check",
                "--no-progress",
                "--format",
                "json",
                "-v",
                "--year",
                year,
            ])
            .arg(&root)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        for issue in report["issues"].as_array().unwrap() {
            let message = issue["message"].as_str().unwrap();
            assert_eq!(half(message), None, "{}: {message}", issue["code"]);
        }
        let text = gongkai()
            .args([
                "run",
                "--no-progress",
                "--no-report",
                "--year",
                year,
                "--out",
            ])
            .arg(tempfile::tempdir().unwrap().path())
            .arg(&root)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&text.stdout);
        for line in stdout.lines().filter(|l| !l.contains("已说明")) {
            assert_eq!(half(line), None, "{line}");
        }
    }
}
