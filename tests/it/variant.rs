//! A form that is not built in, given as a template file, rolls up end to
//! end: a province's variant of the 2021 tables with a row of its own, a
//! row renamed, its own 填报单位 line and its own signature lines. Nothing
//! in gongkai's code names a form's labels, footer or years.

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use gongkai::form::Template;
use gongkai::output::form::{FormContent, write_form};

use crate::common::*;

/// The 2021 tables as a province reprinted them: 规章 is 政府规章, a row
/// 地方性法规 follows it, the unit line reads 报送单位 and the footer has
/// four lines of other names.
fn variant(dir: &Path) -> PathBuf {
    let nat2021 = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/nat2021.toml"),
    )
    .unwrap();
    let replace = |text: String, from: &str, to: &str| {
        assert!(text.contains(from), "nat2021.toml no longer has {from}");
        text.replacen(from, to, 1)
    };
    let text = replace(nat2021, "id = \"nat2021\"", "id = \"gz2021\"");
    let text = replace(text, "unit_line = \"填报单位\"", "unit_line = \"报送单位\"");
    let text = replace(
        text,
        "{ code = \"T2R01\", label = \"规章\" },",
        "{ code = \"T2R01\", label = \"政府规章\" },\n    { code = \"T2R99\", label = \"地方性法规\" },",
    );
    let start = text.find("footer = [").unwrap();
    let end = start + text[start..].find("]\n").unwrap() + 2;
    let text = format!(
        "{}footer = [\n    {{ label = \"主管领导\" }},\n    {{ label = \"填表人\", role = \"filler\" }},\n    {{ label = \"电话\", role = \"phone\" }},\n    {{ label = \"报送日期\", role = \"date\" }},\n]\n{}",
        &text[..start],
        &text[end..]
    );
    let path = dir.join("gz2021.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A form of the variant as a township fills it in: 规章 `rules` and
/// 地方性法规 `laws` made this year, everything else 0.
fn variant_form(template: &Template, path: &Path, township: &str, rules: f64, laws: f64) {
    let mut values: Vec<Option<f64>> = (0..template.cells().len())
        .map(|i| template.is_summed(i).then_some(0.0))
        .collect();
    values[template.position("T2R01C1").unwrap()] = Some(rules);
    values[template.position("T2R99C1").unwrap()] = Some(laws);
    let content = FormContent {
        unit_line: format!("报送单位:{township}"),
        values: &values,
        footer: vec![
            ("主管领导".into(), "李某".into()),
            ("填表人".into(), "王某".into()),
            ("电话".into(), "0858-1234567".into()),
            ("报送日期".into(), "2026年2月11日".into()),
        ],
        extra: None,
        typed: Vec::new(),
        notes: Vec::new(),
    };
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_form(wb.add_worksheet(), template, &content).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(path).unwrap();
}

/// Every text cell of every sheet of a workbook.
fn texts(path: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut found = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        for cell in range.used_cells() {
            if let Data::String(s) = cell.2 {
                found.push(s.clone());
            }
        }
    }
    found
}

/// The number beside a row label in a return's sheets.
fn value_beside(path: &Path, label: &str) -> f64 {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            if row
                .iter()
                .any(|c| matches!(c, Data::String(s) if s == label))
            {
                let number = range.rows().nth(r).unwrap().iter().find_map(|c| match c {
                    Data::Float(f) => Some(*f),
                    Data::Int(i) => Some(*i as f64),
                    _ => None,
                });
                return number.unwrap_or_else(|| panic!("no number beside {label}"));
            }
        }
    }
    panic!("{label} is not in {}", path.display())
}

#[test]
fn a_province_variant_given_as_a_template_file_rolls_up_with_its_own_rows_and_footer() {
    let year = Year::of(2025);
    let variant = variant(year.root());
    let template = Template::load(variant.to_str().unwrap()).unwrap();
    variant_form(
        &template,
        &year.path("测试县", "甲镇.xlsx"),
        "甲镇",
        3.0,
        2.0,
    );
    variant_form(
        &template,
        &year.path("测试县", "乙镇.xlsx"),
        "乙镇",
        4.0,
        6.0,
    );
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇")]);
    let output = gongkai()
        .arg("run")
        .arg(year.root())
        .arg("--out")
        .arg(year.out())
        .arg("--hierarchy")
        .arg(&roster)
        .arg("--template")
        .arg(&variant)
        .args(["--no-progress", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(report["template"], "gz2021");
    assert_eq!(report["counts"]["used"], 2, "{:#}", report["issues"]);
    assert_eq!(report["counts"]["rejected"], 0);
    assert!(
        issues(&report, "FORM-ROWS-MISSING").is_empty()
            && issues(&report, "FORM-ROW-UNKNOWN").is_empty(),
        "the variant's rows are its own: {:#}",
        report["issues"]
    );

    // Its own row summed, its renamed row read, in the return it lays out.
    let out = set_in(&year.out(), 2025);
    let city = out.join("测试市_2025_统计表.xlsx");
    assert_eq!(value_beside(&city, "地方性法规"), 8.0);
    assert_eq!(value_beside(&city, "政府规章"), 7.0);
    let printed = texts(&city);
    for label in ["主管领导", "填表人", "电话", "报送日期"] {
        assert!(
            printed.iter().any(|t| t.contains(label)),
            "the return's footer lacks {label}"
        );
    }
    assert!(
        printed.iter().any(|t| t.starts_with("报送单位：测试市")),
        "{printed:?}"
    );
    assert!(
        !printed
            .iter()
            .any(|t| t.contains("填报人") || t.contains("填报单位"))
    );

    // The footer's roles: who filled each form in, and when.
    let unit = unit_named(&report, "甲镇");
    assert_eq!(unit["filler"], "王某");
    assert_eq!(unit["phone"], "0858-1234567");
    assert_eq!(unit["date"], "2026-02-11");

    // The draft's tables are the variant's.
    let draft = out.join("测试市_2025_政府信息公开工作年度报告（草稿）.docx");
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(&draft).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("地方性法规") && xml.contains("政府规章"));

    // A blank of the variant for townships, and demo forms of it that roll up.
    let blank = year.root().join("blank.xlsx");
    let status = gongkai()
        .args(["template", "--template"])
        .arg(&variant)
        .arg("--out")
        .arg(&blank)
        .status()
        .unwrap();
    assert!(status.success());
    let blank_texts = texts(&blank);
    assert!(blank_texts.iter().any(|t| t == "地方性法规"));
    assert!(blank_texts.iter().any(|t| t.contains("报送日期")));

    let demo = year.root().join("demo");
    let status = gongkai()
        .args(["demo", "--townships", "12", "--template"])
        .arg(&variant)
        .arg("--out")
        .arg(&demo)
        .status()
        .unwrap();
    assert!(status.success());
    let output = gongkai()
        .arg("check")
        .arg(&demo)
        .arg("--hierarchy")
        .arg(demo.join("hierarchy.csv"))
        .arg("--template")
        .arg(&variant)
        .args(["--no-progress", "--format", "json"])
        .output()
        .unwrap();
    let demo_report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let last_year = chrono::Datelike::year(&chrono::Local::now()) - 1;
    assert_eq!(
        demo_report["year"], last_year,
        "the last year the variant is in force, up to last year"
    );
    assert_eq!(demo_report["counts"]["rejected"], 0);
    assert!(demo_report["counts"]["used"].as_u64().unwrap() >= 10);
}
