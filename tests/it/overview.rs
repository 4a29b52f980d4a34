//! 概览, the analyst workbook's first sheet: its figures against run.json,
//! its charts drawn from the right cells, last year's beside this year's.

use std::io::Read;
use std::path::Path;

use crate::common::*;
use calamine::{Data, Reader, Xlsx, open_workbook};

struct Sheet {
    range: calamine::Range<Data>,
}

impl Sheet {
    fn open(path: &Path) -> (Vec<String>, Sheet) {
        let mut wb: Xlsx<_> = open_workbook(path).unwrap();
        let names = wb.sheet_names();
        let range = wb.worksheet_range("概览").unwrap();
        (names, Sheet { range })
    }

    fn text(&self, r: u32, c: u32) -> String {
        self.range
            .get_value((r, c))
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    fn number(&self, r: u32, c: u32) -> f64 {
        match self.range.get_value((r, c)) {
            Some(Data::Float(f)) => *f,
            Some(Data::Int(i)) => *i as f64,
            other => panic!("({r}, {c}) is {other:?}"),
        }
    }

    /// The row whose first cell is `text`, at or after `from`.
    fn row_of(&self, text: &str, from: u32) -> u32 {
        (from..self.range.height() as u32)
            .find(|&r| self.text(r, 0) == text)
            .unwrap_or_else(|| panic!("no row {text}"))
    }

    /// The column of a header in row `r`.
    fn column_of(&self, r: u32, header: &str) -> u32 {
        (0..self.range.width() as u32)
            .find(|&c| self.text(r, c) == header)
            .unwrap_or_else(|| panic!("no column {header}"))
    }
}

/// The charts of a workbook: each chart part's XML.
fn charts(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .filter(|n| n.starts_with("xl/charts/chart"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let mut xml = String::new();
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        out.push(xml);
    }
    out
}

#[test]
fn the_first_sheet_gives_the_year_at_a_glance_with_charts() {
    let out = tempfile::tempdir().unwrap();
    let report = run_sample(2025, out.path());
    let path = set_in(out.path(), 2025).join("六盘水市_2025_汇总.xlsx");
    let (names, sheet) = Sheet::open(&path);
    assert_eq!(names[0], "概览");

    // Who reported, for the city.
    let header = sheet.row_of("区县", 0);
    let city = sheet.row_of("全市", header);
    let counts = &report["counts"];
    assert_eq!(
        sheet.number(city, 1),
        counts["units_expected"].as_f64().unwrap()
    );
    assert_eq!(
        sheet.number(city, 2),
        counts["units_reported"].as_f64().unwrap()
    );
    assert_eq!(
        sheet.number(city, 3),
        counts["units_missing"].as_f64().unwrap()
    );

    // The figures, worked out here from run.json.
    let figures = sheet.row_of("区县", city + 1);
    let received = sheet.column_of(figures, "新收申请");
    let opened = sheet.column_of(figures, "予以公开");
    let reviews = sheet.column_of(figures, "行政复议");
    let districts = ["钟山区", "六枝特区", "水城区", "盘州市"];
    for (i, name) in districts.iter().chain(["六盘水市"].iter()).enumerate() {
        let r = figures + 1 + i as u32;
        let shown = if *name == "六盘水市" {
            "全市"
        } else {
            name
        };
        assert_eq!(sheet.text(r, 0), shown);
        assert_eq!(
            sheet.number(r, received),
            return_value(&report, name, "T3R01C7"),
            "{name}"
        );
        let share = return_value(&report, name, "T3R03C7") / return_value(&report, name, "T3R24C7");
        assert!((sheet.number(r, opened) - share).abs() < 1e-12, "{name}");
        assert_eq!(
            sheet.number(r, reviews),
            return_value(&report, name, "T4R01C5")
        );
    }
    // Under the city, each kind's part: counted and summed apart, adding up
    // to the whole.
    let kinds = ["其中：乡镇（街道）", "其中：部门", "其中：本级"];
    let expected: Vec<f64> = kinds
        .iter()
        .map(|k| sheet.number(sheet.row_of(k, header), 1))
        .collect();
    assert_eq!(expected, [92.0, 18.0, 2.0], "roster units of each kind");
    let parts: f64 = kinds
        .iter()
        .map(|k| sheet.number(sheet.row_of(k, figures), received))
        .sum();
    assert_eq!(parts, return_value(&report, "六盘水市", "T3R01C7"));
    assert!(sheet.number(sheet.row_of("其中：部门", figures), received) > 0.0);

    // No records of 2024: no 上年 column.
    assert!((0..sheet.range.width() as u32).all(|c| sheet.text(figures, c) != "上年"));

    // Applications by district, from the column of 新收申请; the mix of results.
    let charts = charts(&path);
    assert_eq!(charts.len(), 2, "{charts:?}");
    let col = char::from(b'A' + received as u8);
    let range = format!(
        "概览!${col}${}:${col}${}",
        figures + 2,
        figures + 1 + districts.len() as u32,
    );
    assert!(charts[0].contains(&range), "{range} not in {}", charts[0]);
    assert!(charts[1].contains("percentStacked"));
    assert_eq!(charts[1].matches("<c:ser>").count(), 6);
}

#[test]
fn last_years_figures_stand_beside_this_years_with_the_change_and_the_trend() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = root.join("out");
    std::fs::write(
        root.join("roster.csv"),
        "city,district,township,aliases\n测试市,甲县,甲镇,\n测试市,乙县,乙镇,\n测试市,丙县,丙镇,\n",
    )
    .unwrap();
    // 丙县 has never received an application: its shares have no base.
    for year in ["2023", "2024", "2025"] {
        form_receiving(&root.join(format!("{year}/丙县/丙镇.xlsx")), 0.0);
    }
    for (district, township, last, this) in
        [("甲县", "甲镇", 10.0, 12.0), ("乙县", "乙镇", 0.0, 3.0)]
    {
        form_receiving(&root.join(format!("2023/{district}/{township}.xlsx")), 1.0);
        form_receiving(&root.join(format!("2024/{district}/{township}.xlsx")), last);
        form_receiving(&root.join(format!("2025/{district}/{township}.xlsx")), this);
    }
    for year in ["2023", "2024", "2025"] {
        let status = gongkai()
            .arg("run")
            .arg(root)
            .args(["--year", year, "--no-progress", "--hierarchy"])
            .arg(root.join("roster.csv"))
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0));
    }
    let path = set_in(&out, 2025).join("测试市_2025_汇总.xlsx");
    let (_, sheet) = Sheet::open(&path);
    let header = sheet.row_of("区县", 0);
    let figures = sheet.row_of("区县", sheet.row_of("全市", header) + 1);
    let received = sheet.column_of(figures, "新收申请");
    assert_eq!(sheet.text(figures, received + 1), "上年");
    assert_eq!(sheet.text(figures, received + 2), "增减");
    let jia = sheet.row_of("甲县", figures);
    assert_eq!(sheet.number(jia, received), 12.0);
    assert_eq!(sheet.number(jia, received + 1), 10.0);
    assert!((sheet.number(jia, received + 2) - 0.2).abs() < 1e-12);
    let yi = sheet.row_of("乙县", figures);
    assert_eq!(sheet.text(yi, received + 2), "上年为0");
    let city = sheet.row_of("全市", figures);
    assert!((sheet.number(city, received + 2) - 0.5).abs() < 1e-12);
    // A share of nothing is shown as none, not as 0.0%.
    let bing = sheet.row_of("丙县", figures);
    let opened = sheet.column_of(figures, "予以公开");
    assert_eq!(sheet.text(bing, opened), "—");
    assert!((sheet.number(jia, opened) - 1.0).abs() < 1e-12);
    // By district, this year against last, the mix, and the trend of OUT's years.
    assert_eq!(charts(&path).len(), 4);
    let trend = sheet.row_of("年度", city);
    assert_eq!(sheet.text(trend, 1), "新收申请");
    let years: Vec<(String, f64)> = (1..=3)
        .map(|i| (sheet.text(trend + i, 0), sheet.number(trend + i, 1)))
        .collect();
    assert_eq!(
        years,
        [
            ("2023".into(), 2.0),
            ("2024".into(), 10.0),
            ("2025".into(), 15.0)
        ]
    );
}

/// Each worksheet's XML of a workbook, by sheet name.
fn sheets_xml(path: &Path) -> Vec<(String, String)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut xml = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        xml
    };
    let book = read("xl/workbook.xml");
    let names: Vec<String> = book
        .split("<sheet ")
        .skip(1)
        .map(|s| {
            let at = s.find("name=\"").unwrap() + 6;
            s[at..at + s[at..].find('"').unwrap()].to_string()
        })
        .collect();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| (name, read(&format!("xl/worksheets/sheet{}.xml", i + 1))))
        .collect()
}

#[test]
fn returns_print_a_table_a_page_with_the_signature_lines_and_long_sheets_legibly() {
    let out = tempfile::tempdir().unwrap();
    run_sample(2025, out.path());
    let book = sheets_xml(&set_in(out.path(), 2025).join("六盘水市_2025_汇总.xlsx"));
    let sheet = |name: &str| &book.iter().find(|(n, _)| n == name).unwrap().1;
    // The city's return on the analyst's sheet: 表三 and 表四 each start a
    // page, so 表四's page carries the 备注 and the signature lines.
    assert_eq!(
        sheet("全市").matches("<brk ").count(),
        2,
        "{}",
        sheet("全市")
    );
    // 表二's labels span the label columns 表三 needs three of, so they fit.
    use calamine::Reader;
    let path = set_in(out.path(), 2025).join("六盘水市_2025_汇总.xlsx");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range("全市").unwrap();
    let (row, col) = range
        .used_cells()
        .find(|(_, _, c)| *c == "行政规范性文件")
        .map(|(r, c, _)| (r as u32, c as u32))
        .unwrap();
    let merges = wb.merge_cells_by_sheet_name("全市").unwrap();
    assert!(
        merges
            .iter()
            .any(|m| m.end.0 >= row && m.start.0 <= row && m.start.1 <= col && m.end.1 >= col + 2),
        "{merges:?}"
    );
    // 乡镇明细 at a scale that can be read, its unit columns on every page.
    let details = sheet("乡镇明细");
    assert!(
        details.contains("scale=\"70\"") && !details.contains("fitToWidth"),
        "{details}"
    );
    let out18 = tempfile::tempdir().unwrap();
    run_sample(2018, out18.path());
    let ret = sheets_xml(&set_in(out18.path(), 2018).join("六盘水市_2018_统计表.xlsx"));
    // The 2018 form's 86 rows and its signature lines on one page.
    // (Fitting one page wide and one tall is the default of fitToPage.)
    assert!(ret[0].1.contains("fitToPage=\"1\"") && !ret[0].1.contains("fitToHeight=\"0\""));
}
