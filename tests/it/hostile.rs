//! Inputs written by a hostile sender: nothing they say may escape OUT/<year>,
//! run in a spreadsheet, run in a browser or expand in a parser.

use std::path::{Path, PathBuf};

use crate::common::*;
use gongkai::form::Template;
use gongkai::output::form::{FormContent, write_form};

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found
}

/// A roster of the given (city, district, township) lines.
fn roster(year: &Year, lines: &[(&str, &str, &str)]) -> PathBuf {
    let path = year.root().join("roster.csv");
    let mut text = String::from("city,district,township,aliases\n");
    for (city, district, township) in lines {
        text.push_str(&format!("{city},{district},{township},\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_roster_naming_a_path_cannot_make_gongkai_write_outside_out() {
    let year = Year::new();
    let form = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/2018/钟山区/大河镇.xlsx");
    year.add(&form, "钟山区", "大河镇.xlsx");
    let roster = roster(
        &year,
        &[
            ("../../evilcity", "../../evildist", "大河镇"),
            ("../../evilcity", "CON", "大湾镇"),
            ("../../evilcity", "a\\..\\..\\b", "化乐镇"),
        ],
    );
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{report:#}");

    // Nothing but the inputs, the roster and OUT.
    for file in files_under(year.root()) {
        assert!(
            file.starts_with("2018") || file.starts_with("out") || file == Path::new("roster.csv"),
            "written outside OUT: {}",
            file.display()
        );
    }
    let mut written: Vec<String> = files_under(&set_in(&year.out(), 2018))
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    written.sort();
    for name in [
        "_.._evilcity_2018_汇总.xlsx",
        "_.._evilcity_2018_统计表.xlsx",
        "_.._evildist_2018_统计表.xlsx",
        "_CON_2018_统计表.xlsx",
        "a_.._.._b_2018_统计表.xlsx",
        "_CON_2018_政府信息公开工作年度报告（草稿）.docx",
    ] {
        assert!(
            written.iter().any(|w| w == name),
            "{name} not in {written:?}"
        );
    }

    // Each name that had to change is said, with the file it became.
    let renamed = report["renamed"].as_array().unwrap();
    let pairs: Vec<(&str, &str)> = renamed
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["file"].as_str().unwrap()))
        .collect();
    assert!(
        pairs.contains(&("CON", "_CON_2018_统计表.xlsx")),
        "{pairs:?}"
    );
    assert!(pairs.contains(&("../../evildist", "_.._evildist_2018_统计表.xlsx")));
    // Four names, each the name of its return and its draft; the city's of its workbook too.
    assert_eq!(pairs.len(), 9, "{pairs:?}");
}

/// A form whose cells hold the given texts, typed as a clerk would.
fn form_typing(path: &Path, typed: &[(&str, &str)]) {
    let footer = [
        ("填报人", "@SUM(1+1)*cmd|' /C calc'!A0"),
        ("填报日期", "2019年2月1日"),
    ];
    form_written(path, "填报单位:测试镇", &footer, typed);
}

#[test]
fn a_formula_typed_in_a_cell_reaches_records_csv_only_as_text() {
    let year = Year::new();
    let hyperlink = "=HYPERLINK(\"http://example.invalid\",\"点我\")";
    // The district's folder, and so its name and the file's, start with `@`.
    form_typing(
        &year.path("@SUM(1+1)县", "测试镇.xlsx"),
        &[("R05", hyperlink), ("R06", "+2-1"), ("R07", "-3")],
    );
    let roster = year.roster(&[("@SUM(1+1)县", "测试镇")]);
    let (_, report) = year.run(Some(&roster));
    assert!(!issues(&report, "VALUE-INVALID").is_empty(), "{report:#}");

    let bytes = std::fs::read(set_in(&year.out(), 2018).join("records.csv")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (raw, district, file) = (column("raw"), column("district"), column("file"));
    let mut raws = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        for field in row.iter() {
            let live = field.starts_with(['=', '+', '@', '\t', '\r'])
                || (field.starts_with('-') && field.parse::<f64>().is_err());
            assert!(!live, "a spreadsheet would run {field:?}");
        }
        assert_eq!(&row[district], "'@SUM(1+1)县");
        assert_eq!(&row[file], "'@SUM(1+1)县/测试镇.xlsx");
        raws.push(row[raw].to_string());
    }
    assert!(raws.contains(&format!("'{hyperlink}")), "{raws:?}");
    assert!(raws.contains(&"'+2-1".to_string()), "{raws:?}");
    // A negative number stays a number.
    assert!(raws.contains(&"-3".to_string()), "{raws:?}");

    // Parquet, read by programs, keeps the text as typed.
    let records = year.records();
    assert_eq!(field(&records, "测试镇", "R05", "raw"), hyperlink);
    assert_eq!(field(&records, "测试镇", "R06", "raw"), "+2-1");
    assert_eq!(field(&records, "测试镇", "R06", "district"), "@SUM(1+1)县");
}

#[test]
fn names_from_the_inputs_are_shown_not_run_on_the_progress_page() {
    let year = Year::new();
    let form = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/2018/钟山区/大河镇.xlsx");
    year.add(&form, "钟山区", "<img src=x onerror=alert(1)>.xlsx");
    let roster = roster(
        &year,
        &[
            ("六盘水市", "钟山区", "大河镇"),
            ("六盘水市", "钟山区", "<script>alert(2)</script>"),
        ],
    );
    let (_, report) = year.run(Some(&roster));
    let page = std::fs::read_to_string(set_in(&year.out(), 2018).join("报送进度.html")).unwrap();
    assert!(!page.contains("<img"), "an input's markup is live");
    assert!(!page.contains("<script"), "an input's markup is live");
    assert!(
        page.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
        "{report:#}"
    );
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;.xlsx"));
}

/// A document type declaring a billion `lol`s (3 GB expanded) and an
/// external entity reading /etc/passwd.
fn hostile_doctype(root: &str) -> String {
    let mut entities = String::from("<!ENTITY lol \"lol\">");
    for i in 1..=9 {
        let previous = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        let body = format!("&{previous};").repeat(10);
        entities.push_str(&format!("<!ENTITY lol{i} \"{body}\">"));
    }
    entities.push_str("<!ENTITY xxe SYSTEM \"file:///etc/passwd\">");
    format!("<!DOCTYPE {root} [{entities}]>")
}

/// Puts the hostile document type before `root`'s element and, when
/// `used`, the entities into the first occurrence of `text`.
fn poisoned(xml: &str, root: &str, text: &str, used: bool) -> String {
    let at = xml.find(&format!("<{root}")).unwrap();
    let mut out = format!("{}{}{}", &xml[..at], hostile_doctype(root), &xml[at..]);
    if used {
        out = out.replacen(text, &format!("{text}&lol9;&xxe;"), 1);
    }
    out
}

fn check(path: &Path) -> (i32, String) {
    let out = gongkai()
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_number_cell_written_with_a_character_reference_is_refused_not_read_as_another_number() {
    // `<v>&#49;</v>` is 1 to an XML reader; read short it would be a blank.
    let dir = tempfile::tempdir().unwrap();
    let xlsx = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/2025/水城区/以朵街道.xlsx");
    let coded = dir.path().join("coded.xlsx");
    with_part(&xlsx, "xl/worksheets/sheet1.xml", &coded, |xml| {
        let plain = r#"<c r="D23" s="4" t="n"><v>1</v>"#;
        assert!(xml.contains(plain));
        xml.replacen(plain, r#"<c r="D23" s="4" t="n"><v>&#49;</v>"#, 1)
    });
    let (code, report) = check(&coded);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("FILE-CORRUPT") && report.contains("D23"),
        "{report}"
    );
}

#[test]
fn entities_in_an_xlsx_or_ods_are_never_expanded_nor_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/2018/钟山区/大河镇.xlsx");
    let ods = form("synthetic_a.ods");
    let cases = [
        (&xlsx, "xl/worksheets/sheet1.xml", "worksheet", "填报单位"),
        (&ods, "content.xml", "office:document-content", "填报单位"),
    ];
    for (source, part, root, text) in cases {
        let ext = source.extension().unwrap().to_str().unwrap();
        // Used, the entities make the file one that cannot be read: refused, whole.
        let used = dir.path().join(format!("used.{ext}"));
        with_part(source, part, &used, |xml| poisoned(xml, root, text, true));
        let (code, report) = check(&used);
        assert_eq!(code, 1, "{report}");
        assert!(report.contains("FILE-CORRUPT"), "{report}");
        assert!(
            !report.contains("lollol") && !report.contains("root:"),
            "{report}"
        );

        // Declared but unused, they change nothing: the form is read as it is.
        let declared = dir.path().join(format!("declared.{ext}"));
        with_part(source, part, &declared, |xml| {
            poisoned(xml, root, text, false)
        });
        let (code, report) = check(&declared);
        assert_eq!(code, 0, "{report}");
        assert!(
            !report.contains("lollol") && !report.contains("root:"),
            "{report}"
        );
    }
}

#[test]
fn a_unit_that_sent_a_folder_of_copies_gets_one_finding_that_fits_a_cell() {
    let year = Year::new();
    // Each copy says whose it is above the table, as the clerk filled it in.
    let template = Template::load("lps2018").unwrap();
    let values: Vec<Option<f64>> = (0..template.cells().len())
        .map(|i| template.is_summed(i).then_some(0.0))
        .collect();
    let content = FormContent {
        unit_line: "填报单位:甲镇".into(),
        values: &values,
        footer: Vec::new(),
        extra: None,
        typed: Vec::new(),
        notes: Vec::new(),
    };
    let original = year.path("测试县", "甲镇.xlsx");
    std::fs::create_dir_all(original.parent().unwrap()).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_form(wb.add_worksheet(), &template, &content).unwrap();
    wb.save(&original).unwrap();
    for i in 0..12 {
        let copy = year.path("测试县", &format!("副本 ({i}).xlsx"));
        std::fs::copy(&original, copy).unwrap();
    }
    let roster = year.roster(&[("测试县", "甲镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{:#}", report["issues"]);
    let found = issues(&report, "UNIT-DUPLICATE");
    assert_eq!(found.len(), 1);
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.starts_with("本单位报送了 13 个文件"), "{message}");
    assert!(message.contains("另有 8 个"), "{message}");
    assert!(
        message.chars().count() < 2_000,
        "{} characters",
        message.chars().count()
    );
    assert_eq!(report["counts"]["used"], 1);
    assert_eq!(report["counts"]["superseded"], 12);
}

#[test]
fn districts_whose_names_collide_as_sheet_names_each_get_a_sheet() {
    let year = Year::new();
    let long = "很长的区县名称".repeat(5);
    let districts = ["说明", "全市", "abc", "ABC", "甲[乙", "甲]乙", "'x'", &long];
    let mut rows = Vec::new();
    for (i, district) in districts.iter().enumerate() {
        let township = format!("{i}号镇");
        form_with(
            &year.path(district, &format!("{township}.xlsx")),
            &[("R84", 1.0)],
        );
        rows.push((district.to_string(), township));
    }
    let rows: Vec<(&str, &str)> = rows.iter().map(|(d, t)| (d.as_str(), t.as_str())).collect();
    let roster = year.roster(&rows);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{:#}", report["issues"]);
    let book = set_in(&year.out(), 2018).join("测试市_2018_汇总.xlsx");
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let sheets = calamine::Reader::sheet_names(&wb);
    let lower: std::collections::BTreeSet<String> =
        sheets.iter().map(|s| s.to_lowercase()).collect();
    assert_eq!(lower.len(), sheets.len(), "{sheets:?}");
    assert_eq!(sheets.len(), 6 + districts.len(), "{sheets:?}");
}

#[test]
fn two_long_district_names_that_make_one_file_name_are_both_written() {
    let year = Year::new();
    let (one, two) = ("区".repeat(70) + "甲", "区".repeat(70) + "乙");
    form_with(&year.path(&one, "甲镇.xlsx"), &[("R84", 1.0)]);
    form_with(&year.path(&two, "乙镇.xlsx"), &[("R84", 2.0)]);
    let roster = year.roster(&[(one.as_str(), "甲镇"), (two.as_str(), "乙镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{:#}", report["issues"]);
    let drafts = report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["file"].as_str().unwrap().ends_with("（草稿）.docx"))
        .count();
    assert_eq!(drafts, 3, "two districts' drafts and the city's");
}
