//! Units that send their annual report (.docx) or the page it was published
//! on instead of a spreadsheet: read as exactly as a spreadsheet, traced to
//! the table and cell, or refused with a code and what to do.
//! Fixtures: `tests/fixtures/documents/` (made by `make_documents.py` with
//! python-docx and LibreOffice; its README says what each pins).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::common::*;
use gongkai::form::Template;

fn document(name: &str) -> PathBuf {
    fixture("documents").join(name)
}

fn ext(name: &str) -> &str {
    name.rsplit('.').next().unwrap()
}

/// The form a fixture holds, and a data year of that form.
fn form_of_fixture(name: &str) -> (&'static str, i32) {
    if name.starts_with("nat2021") {
        ("nat2021", 2025)
    } else if name.starts_with("nat2019") {
        ("nat2019", 2019)
    } else {
        ("lps2018", 2018)
    }
}

/// Every fixture of `documents/values.csv` with its values by code.
fn readable() -> Vec<(String, HashMap<String, Option<f64>>)> {
    let text = std::fs::read_to_string(document("values.csv")).unwrap();
    let mut out: Vec<(String, HashMap<String, Option<f64>>)> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let value = f
            .get(2)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse().unwrap());
        match out.last_mut() {
            Some((name, cells)) if name == f[0] => {
                cells.insert(f[1].to_string(), value);
            }
            _ => out.push((f[0].to_string(), HashMap::from([(f[1].to_string(), value)]))),
        }
    }
    out
}

/// One file as 测试县/测试镇 in a year of its form: (year, exit code, report).
fn one(name: &str) -> (Year, i32, serde_json::Value) {
    let (_, data_year) = form_of_fixture(name);
    let year = Year::of(data_year);
    year.add(&document(name), "测试县", &format!("测试镇.{}", ext(name)));
    let roster = year.roster(&[("测试县", "测试镇")]);
    let (code, report) = year.run(Some(&roster));
    (year, code, report)
}

#[test]
fn every_document_and_page_reads_the_values_it_was_made_with() {
    let cases = readable();
    assert!(
        cases.len() >= 8,
        "{:?}",
        cases.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    for (name, want) in cases {
        let (id, _) = form_of_fixture(&name);
        let template = Template::load(id).unwrap();
        assert_eq!(
            want.len(),
            template.cells().len(),
            "{name}: values.csv is complete"
        );
        let (year, code, report) = one(&name);
        assert_eq!(report["counts"]["used"], 1, "{name}: {report:#}");
        assert_eq!(code, exit_code_for(&report), "{name}");
        let got = values_of(&year.records(), "测试镇");
        for (cell, w) in &want {
            assert_eq!(got.get(cell), Some(w), "{name} {cell}");
        }
        // A document's tables are its sheets, by ordinal.
        let sheet = report["files"][0]["sheet"].as_str().unwrap();
        if ext(&name) != "et" {
            assert!(sheet.starts_with('表'), "{name}: {sheet}");
        }
    }
}

#[test]
fn a_finding_in_a_report_names_the_table_and_the_cell() {
    let (year, _, report) = one("nat2021_python_docx.docx");
    let records = year.records();
    for code in ["T2R01C1", "T3R01C7", "T4R01C15"] {
        let sheet = field(&records, "测试镇", code, "sheet");
        let cell = field(&records, "测试镇", code, "cell");
        assert!(sheet.starts_with('表'), "{code}: {sheet}");
        assert!(!cell.is_empty(), "{code}");
    }
    // 表二 comes before 表三 and 表三 before 表四, as in the report.
    let ordinal = |code: &str| -> u32 {
        field(&records, "测试镇", code, "sheet")
            .trim_start_matches('表')
            .parse()
            .unwrap()
    };
    assert!(ordinal("T2R01C1") < ordinal("T3R01C7"));
    assert!(ordinal("T3R01C7") < ordinal("T4R01C15"));
    assert_eq!(report["files"][0]["format"], "docx");
}

#[test]
fn a_finding_in_a_document_points_at_its_table_and_cell() {
    // 行政处罚 typed as `123件`, its digits split over two runs.
    let year = Year::of(2025);
    let path = year.path("测试县", "测试镇.docx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    with_part(
        &document("nat2021_python_docx.docx"),
        "word/document.xml",
        &path,
        |xml| {
            assert_eq!(xml.matches("<w:t>23</w:t>").count(), 1);
            xml.replace("<w:t>23</w:t>", "<w:t>23件</w:t>")
        },
    );
    let roster = year.roster(&[("测试县", "测试镇")]);
    let (_, report) = year.run(Some(&roster));
    let unit = issues(&report, "VALUE-UNIT");
    assert_eq!(unit.len(), 1, "{report:#}");
    assert_eq!(unit[0]["sheet"], "表1");
    let records = year.records();
    assert_eq!(
        unit[0]["cell"].as_str().unwrap(),
        field(&records, "测试镇", "T2R04C1", "cell")
    );
    assert_eq!(field(&records, "测试镇", "T2R04C1", "raw"), "123件");
    assert_eq!(values_of(&records, "测试镇")["T2R04C1"], Some(123.0));
}

#[test]
fn a_clerk_checks_a_report_before_sending_it() {
    let out = gongkai()
        .arg("check")
        .arg(document("nat2021_python_docx.docx"))
        .arg("--no-progress")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("没有错误"), "{text}");
}

#[test]
fn documents_gongkai_cannot_read_are_refused_with_what_to_do() {
    for (name, code, says) in [
        ("report.doc", "FILE-LEGACY-WORD", "另存为 .docx"),
        ("report.wps", "FILE-LEGACY-WORD", "另存为 .docx"),
        ("report.pdf", "FILE-PDF", "Word 版本（.docx）"),
        ("scan.png", "FILE-IMAGE", "图片（PNG）"),
        ("scan.jpg", "FILE-IMAGE", "图片（JPEG）"),
        ("no_form.html", "FILE-NO-FORM", "最接近的表格"),
        ("entities.docx", "FILE-CORRUPT", "entity"),
        ("bomb.docx", "FILE-UNPACKS-TOO-LARGE", "解压后"),
    ] {
        let year = Year::of(2025);
        year.add(&document(name), "测试县", &format!("测试镇.{}", ext(name)));
        let roster = year.roster(&[("测试县", "测试镇")]);
        let (exit, report) = year.run(Some(&roster));
        assert_eq!(exit, 1, "{name}: {report:#}");
        let found = issues(&report, code);
        assert_eq!(found.len(), 1, "{name}: {report:#}");
        assert_eq!(found[0]["severity"], "error");
        let message = found[0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{name}: {message}");
        assert!(
            !message.contains("lollol"),
            "{name}: an entity was expanded"
        );
    }
}

#[test]
fn a_page_with_a_hundred_thousand_column_span_is_read_within_bounds() {
    let (year, _, _) = one("nat2021_page.html");
    let plain = values_of(&year.records(), "测试镇");
    let year2 = Year::of(2025);
    year2.add(&document("wide_colspan.html"), "测试县", "测试镇.html");
    let roster = year2.roster(&[("测试县", "测试镇")]);
    let (_, wide) = year2.run(Some(&roster));
    // The page is read: the spans cost nothing, and the tables they do not
    // touch (二 and 四) read as on the plain page.
    assert_eq!(wide["counts"]["used"], 1, "{wide:#}");
    let got = values_of(&year2.records(), "测试镇");
    let untouched: Vec<&String> = plain.keys().filter(|k| !k.starts_with("T3")).collect();
    assert_eq!(untouched.len(), 200 - 175);
    for code in untouched {
        assert_eq!(got.get(code), plain.get(code), "{code}");
    }
}

#[test]
fn a_pdf_or_scan_beside_a_form_that_was_read_is_only_noted() {
    let year = Year::of(2025);
    year.add(
        &document("nat2021_python_docx.docx"),
        "测试县",
        "测试镇.docx",
    )
    .add(&document("report.pdf"), "测试县", "测试镇(盖章).pdf")
    .add(&document("scan.jpg"), "测试县", "测试镇.jpg");
    let roster = year.roster(&[("测试县", "测试镇")]);
    let (exit, report) = year.run(Some(&roster));
    assert_eq!(exit, 0, "{report:#}");
    for code in ["FILE-PDF", "FILE-IMAGE"] {
        let found = issues(&report, code);
        assert_eq!(found.len(), 1, "{code}: {report:#}");
        assert_eq!(found[0]["severity"], "info");
        assert!(
            found[0]["message"]
                .as_str()
                .unwrap()
                .contains("测试镇.docx")
        );
    }
}

/// Every value cell of a return in run.json against the sum of what each
/// unit's fixture holds; cells the rollup never sums stay blank.
fn assert_sums(
    report: &serde_json::Value,
    template: &Template,
    units: &[&HashMap<String, Option<f64>>],
) {
    let ret = report["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "测试市")
        .unwrap();
    for (i, c) in template.cells().iter().enumerate() {
        let parts: Vec<f64> = units.iter().filter_map(|u| u[&c.code]).collect();
        let want = (template.is_summed(i) && !parts.is_empty()).then(|| parts.iter().sum::<f64>());
        let got = cell(ret, &c.code).0.as_f64();
        match (want, got) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{}: {a} ≠ {b}", c.code),
            (None, None) => {}
            _ => panic!("{}: expected {want:?}, run.json says {got:?}", c.code),
        }
    }
}

#[test]
fn a_year_mixing_spreadsheets_reports_and_pages_rolls_up_exactly() {
    let all: HashMap<String, HashMap<String, Option<f64>>> = readable().into_iter().collect();
    for (data_year, id, documents) in [
        (2019, "nat2019", &["nat2019_python_docx.docx"][..]),
        (
            2018,
            "lps2018",
            &[
                "lps2018_python_docx.docx",
                "lps2018_web_export.xls",
                "form.et",
            ][..],
        ),
    ] {
        let year = Year::of(data_year);
        let mut units = Vec::new();
        let mut roster = Vec::new();
        for (i, name) in documents.iter().enumerate() {
            let township = format!("文档{i}镇");
            year.add(
                &document(name),
                "测试县",
                &format!("{township}.{}", ext(name)),
            );
            roster.push(township);
            units.push(all[*name].clone());
        }
        // A unit that sent a spreadsheet: the first document's values, doubled.
        let doubled: Vec<(String, Option<f64>)> = all[documents[0]]
            .iter()
            .map(|(code, v)| (code.clone(), v.map(|v| v * 2.0)))
            .collect();
        let changes: Vec<(&str, Option<f64>)> =
            doubled.iter().map(|(c, v)| (c.as_str(), *v)).collect();
        form_of(id, &year.path("测试县", "表格镇.xlsx"), &changes);
        roster.push("表格镇".to_string());
        units.push(doubled.into_iter().collect());

        let roster: Vec<(&str, &str)> = roster.iter().map(|t| ("测试县", t.as_str())).collect();
        let roster = year.roster(&roster);
        let (code, report) = year.run(Some(&roster));
        assert_eq!(report["counts"]["used"], documents.len() + 1, "{report:#}");
        assert_eq!(code, exit_code_for(&report));
        let template = Template::load(id).unwrap();
        assert_sums(&report, &template, &units.iter().collect::<Vec<_>>());
    }
}
