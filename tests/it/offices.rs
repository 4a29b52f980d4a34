//! Every office in the chain: a district's run over its townships, a city's
//! over its districts' returns, each office's set beside the others'.

use std::path::Path;

use crate::common::*;

/// `gongkai run INPUT --out OUT` with a JSON report, and any further flags.
fn run_json(input: &Path, out: &Path, more: &[&str]) -> serde_json::Value {
    let output = gongkai()
        .arg("run")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--no-progress", "--format", "json", "--no-report"])
        .args(more)
        .output()
        .unwrap();
    assert!(
        output.status.code().unwrap_or(-1) <= 1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The office's own return of a run's report: the last one.
fn office_return(report: &serde_json::Value) -> &serde_json::Value {
    report["returns"].as_array().unwrap().last().unwrap()
}

#[test]
fn a_chain_of_district_runs_then_the_city_over_their_returns_gives_the_one_runs_city_return() {
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");

    // One run over everything.
    let whole = run_json(&inputs, &out, &["--year", "2025"]);
    let want = values(office_return(&whole));

    // Each district office over its own folder, into the same OUT: each set
    // beside the city's, which stays as it was.
    let city_set = out.join("2025/六盘水市");
    let before = std::fs::read(city_set.join("run.json")).unwrap();
    let city = work.path().join("city/2025");
    std::fs::create_dir_all(&city).unwrap();
    // The city's own departments and government, and its roster, arrive at
    // the city office as they are (its explanations are of townships' forms).
    for entry in std::fs::read_dir(inputs.join("2025")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && !path.ends_with("explanations.csv") {
            std::fs::copy(&path, city.join(path.file_name().unwrap())).unwrap();
        }
    }
    for district in ["钟山区", "六枝特区", "水城区", "盘州市"] {
        let report = run_json(&inputs.join("2025").join(district), &out, &[]);
        assert_eq!(office_return(&report)["name"], district);
        let file = format!("{district}_2025_统计表.xlsx");
        let signed = out.join("2025").join(district).join(&file);
        std::fs::copy(&signed, city.join(&file)).unwrap();
    }
    assert_eq!(std::fs::read(city_set.join("run.json")).unwrap(), before);

    // The city office over the four returns it received.
    let chained = run_json(&city, &work.path().join("city-out"), &[]);
    let got = values(office_return(&chained));
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let same = match (g.as_f64(), w.as_f64()) {
            (Some(g), Some(w)) => (g - w).abs() < 1e-9,
            (None, None) => true,
            // A blank in one run is the districts' 0 in the other.
            (g, w) => g.unwrap_or(0.0) == 0.0 && w.unwrap_or(0.0) == 0.0,
        };
        assert!(same, "cell {i}: chained {g}, one run {w}");
    }
    assert_eq!(
        chained["counts"]["units_missing"], 0,
        "{:#}",
        chained["counts"]
    );
    for code in ["UNIT-MISSING", "UNIT-NOT-IN-ROSTER", "RETURN-DIFFERS"] {
        assert!(
            issues(&chained, code).is_empty(),
            "{code}: {:#}",
            chained["issues"]
        );
    }
}

#[test]
fn a_district_return_that_differs_from_its_townships_is_reported_cell_by_cell_and_summed_as_signed()
{
    let year = Year::new();
    form_with(&year.path("测试县", "甲镇.xlsx"), &[("R84", 2.0)]);
    form_with(&year.path("测试县", "乙镇.xlsx"), &[("R84", 3.0)]);
    form_with(&year.path("样例区", "丙镇.xlsx"), &[("R84", 10.0)]);
    // 测试县's own return says 6 where its townships add up to 5.
    form_with(&year.root().join("2018/测试县.xlsx"), &[("R84", 6.0)]);
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇"), ("样例区", "丙镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 1, "a difference is an error");

    let differs = issues(&report, "RETURN-DIFFERS");
    assert_eq!(differs.len(), 1, "{:#}", report["issues"]);
    let message = differs[0]["message"].as_str().unwrap();
    for part in ["测试县", "为 6", "之和为 5", "甲镇", "乙镇", "相差 1"] {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert_eq!(differs[0]["file"], "测试县.xlsx");

    // The city sums the return as signed, 样例区's township beside it.
    let returns = report["returns"].as_array().unwrap();
    let county = returns.iter().find(|r| r["name"] == "测试县").unwrap();
    assert_eq!(cell(county, "R84").0.as_f64(), Some(6.0));
    assert_eq!(cell(office_return(&report), "R84").0.as_f64(), Some(16.0));
}

#[test]
fn a_district_that_sent_only_its_return_has_no_township_missing() {
    let year = Year::new();
    form_with(&year.path("样例区", "丙镇.xlsx"), &[("R84", 10.0)]);
    form_with(
        &year.root().join("2018/测试县_2018_统计表.xlsx"),
        &[("R84", 7.0)],
    );
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇"), ("样例区", "丙镇")]);
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{:#}", report["issues"]);
    assert!(
        issues(&report, "UNIT-MISSING").is_empty(),
        "{:#}",
        report["issues"]
    );
    assert_eq!(report["counts"]["units_expected"], 3);
    assert_eq!(report["counts"]["units_reported"], 3);
    let status: Vec<(&str, &str)> = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["township"].as_str().unwrap(),
                u["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(status.contains(&("甲镇", "covered")), "{status:?}");
    assert!(status.contains(&("测试县", "submitted")), "{status:?}");
    assert_eq!(cell(office_return(&report), "R84").0.as_f64(), Some(17.0));
}

/// A roster with kinds, written beside the year.
fn roster_with_kinds(year: &Year, lines: &str) -> std::path::PathBuf {
    let path = year.root().join("名册.csv");
    std::fs::write(&path, format!("office,unit,kind,aliases\n{lines}")).unwrap();
    path
}

#[test]
fn a_district_office_rolls_up_its_townships_departments_and_itself_each_counted_by_kind() {
    let year = Year::new();
    form_with(&year.path("测试县", "甲镇.xlsx"), &[("R84", 2.0)]);
    form_with(&year.path("测试县", "乙镇.xlsx"), &[("R84", 3.0)]);
    form_with(&year.path("测试县", "县教育局.xlsx"), &[("R84", 4.0)]);
    let roster = roster_with_kinds(
        &year,
        "测试县,甲镇,镇,\n测试县,乙镇,乡镇,\n测试县,测试县教育局,部门,县教育局\n\
         测试县,测试县人民政府办公室,本级,县政府办\n",
    );
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{:#}", report["issues"]);
    // One return, the district office's own, named for it.
    let returns = report["returns"].as_array().unwrap();
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0]["name"], "测试县");
    assert_eq!(cell(&returns[0], "R84").0.as_f64(), Some(9.0));
    let signed = year.out().join("2018/测试县/测试县_2018_统计表.xlsx");
    // Signed by the office's own government unit, as the roster names it.
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&signed).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let unit_line = range.get_value((1, 0)).unwrap().to_string();
    assert!(
        unit_line.starts_with("填报单位：测试县人民政府办公室"),
        "{unit_line}"
    );
    // Each unit with its kind; the government's own form is missing.
    let kinds: Vec<(&str, &str, &str)> = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["township"].as_str().unwrap(),
                u["kind"].as_str().unwrap(),
                u["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("甲镇", "township", "submitted"),
            ("乙镇", "township", "submitted"),
            ("测试县教育局", "department", "submitted"),
            ("测试县人民政府办公室", "government", "missing"),
        ]
    );
    let missing = issues(&report, "UNIT-MISSING");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["township"], "测试县人民政府办公室");
    let records = year.records();
    assert_eq!(
        field(&records, "测试县教育局", "R84", "unit_kind"),
        "department"
    );
}

#[test]
fn a_city_office_rolls_up_its_districts_returns_and_its_own_departments() {
    let year = Year::new();
    form_with(
        &year.root().join("2018/甲县_2018_统计表.xlsx"),
        &[("R84", 5.0)],
    );
    form_with(&year.root().join("2018/乙区.xlsx"), &[("R84", 7.0)]);
    form_with(&year.root().join("2018/测试市教育局.xlsx"), &[("R84", 1.0)]);
    form_with(&year.path("市直部门", "市公安局.xlsx"), &[("R84", 2.0)]);
    let roster = roster_with_kinds(
        &year,
        "测试市,甲县,下级,\n测试市,乙区,下级,\n测试市,测试市教育局,部门,\n\
         测试市,测试市公安局,部门,市公安局\n",
    );
    let (code, report) = year.run(Some(&roster));
    assert_eq!(code, 0, "{:#}", report["issues"]);
    let names: Vec<&str> = report["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["甲县", "乙区", "测试市"]);
    assert_eq!(cell(office_return(&report), "R84").0.as_f64(), Some(15.0));
    assert_eq!(report["counts"]["units_expected"], 2, "the two departments");
    assert_eq!(report["counts"]["units_reported"], 2);
    for code in ["UNIT-MISSING", "UNIT-NOT-IN-ROSTER", "FOLDER-NOT-IN-ROSTER"] {
        assert!(
            issues(&report, code).is_empty(),
            "{code}: {:#}",
            report["issues"]
        );
    }
}

/// Writes `名册.csv` and the forms `(path, R84)` of one office's year under `root/2018`.
fn office_year(root: &Path, roster: &str, forms: &[(&str, f64)]) -> std::path::PathBuf {
    let year = root.join("2018");
    std::fs::create_dir_all(&year).unwrap();
    std::fs::write(year.join("名册.csv"), format!("office,unit,kind\n{roster}")).unwrap();
    for (path, value) in forms {
        form_with(&year.join(path), &[("R84", *value)]);
    }
    year
}

/// The return `<office>_2018_统计表.xlsx` a run over `input` wrote into `out`.
fn run_office(input: &Path, out: &Path, office: &str) -> (serde_json::Value, std::path::PathBuf) {
    let report = run_json(input, out, &[]);
    assert_eq!(
        office_return(&report)["name"],
        office,
        "{:#}",
        report["issues"]
    );
    let file = out
        .join("2018")
        .join(office)
        .join(format!("{office}_2018_统计表.xlsx"));
    assert!(file.is_file());
    (report, file)
}

/// A province of two cities, each with a district of townships and a city
/// department of its own, and a province department: each office's roster
/// lines, and every unit's form as `(path below the office's year, R84)`.
const PROVINCE: &str = "贵州省,甲市,下级\n贵州省,乙市,下级\n贵州省,贵州省教育厅,部门\n";
/// A city: its name, its roster lines, its units' forms and its districts.
type City = (
    &'static str,
    &'static str,
    &'static [(&'static str, f64)],
    &'static [&'static str],
);
const CITIES: [City; 2] = [
    (
        "甲市",
        "甲市,子县,下级\n子县,子甲镇,乡镇\n子县,子乙镇,乡镇\n甲市,甲市教育局,部门\n",
        &[
            ("子县/子甲镇.xlsx", 1.0),
            ("子县/子乙镇.xlsx", 2.0),
            ("甲市教育局.xlsx", 3.0),
        ],
        &["子县"],
    ),
    (
        "乙市",
        "乙市,丑区,下级\n丑区,丑甲镇,乡镇\n",
        &[("丑区/丑甲镇.xlsx", 4.0)],
        &["丑区"],
    ),
];

/// Each office's own run of the chain: districts over their townships, each
/// city over its district's return and department, the province over the
/// cities' returns and its department. The runs' reports by office.
fn province_as_a_chain(
    work: &Path,
    out: &Path,
) -> std::collections::HashMap<String, serde_json::Value> {
    let mut reports = std::collections::HashMap::new();
    let province = office_year(
        &work.join("贵州省"),
        PROVINCE,
        &[("贵州省教育厅.xlsx", 5.0)],
    );
    for (city, roster, forms, districts) in CITIES {
        // Everything the city's units sent, as one run over its tree sees it.
        let tree = office_year(&work.join(format!("{city}-全部")), roster, forms);
        let (whole, _) = run_office(&tree, &work.join(format!("{city}-one")), city);
        // The chain: each district office over its own folder, then the city
        // office over their returns and its own departments' forms.
        let received = office_year(&work.join(city), roster, &[]);
        for district in districts {
            let (report, file) = run_office(&tree.join(district), out, district);
            std::fs::copy(&file, received.join(file.file_name().unwrap())).unwrap();
            reports.insert(district.to_string(), report);
        }
        for (path, value) in forms.iter().filter(|(p, _)| !p.contains('/')) {
            form_with(&received.join(path), &[("R84", *value)]);
        }
        let (chained, file) = run_office(&received, out, city);
        assert_eq!(
            values(office_return(&chained)),
            values(office_return(&whole)),
            "{city}"
        );
        std::fs::copy(&file, province.join(file.file_name().unwrap())).unwrap();
        reports.insert(city.to_string(), chained);
    }
    let (report, _) = run_office(&province, out, "贵州省");
    reports.insert("贵州省".to_string(), report);
    reports
}

/// The province's whole year in one folder: `甲市/子县/子甲镇.xlsx`, each
/// city's own departments in its folder, the province's at the top.
fn province_in_one_folder(root: &Path) -> std::path::PathBuf {
    let roster: String = std::iter::once(PROVINCE)
        .chain(CITIES.iter().map(|c| c.1))
        .collect();
    let forms: Vec<(String, f64)> = CITIES
        .iter()
        .flat_map(|(city, _, forms, _)| forms.iter().map(move |(p, v)| (format!("{city}/{p}"), *v)))
        .chain([("贵州省教育厅.xlsx".to_string(), 5.0)])
        .collect();
    let forms: Vec<(&str, f64)> = forms.iter().map(|(p, v)| (p.as_str(), *v)).collect();
    office_year(root, &roster, &forms)
}

/// A return of a run's report by its office's name.
fn return_named<'a>(report: &'a serde_json::Value, office: &str) -> &'a serde_json::Value {
    report["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == office)
        .unwrap_or_else(|| panic!("no return of {office}"))
}

#[test]
fn three_levels_as_a_chain_of_runs_give_the_province_every_units_sum() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let reports = province_as_a_chain(work.path(), &out);
    let report = &reports["贵州省"];
    assert_eq!(cell(office_return(report), "R84").0.as_f64(), Some(15.0));
    for code in ["UNIT-MISSING", "UNIT-NOT-IN-ROSTER", "RETURN-DIFFERS"] {
        assert!(
            issues(report, code).is_empty(),
            "{code}: {:#}",
            report["issues"]
        );
    }
    // Each office's set stands beside the others' in the one OUT.
    for office in ["子县", "丑区", "甲市", "乙市", "贵州省"] {
        assert!(
            out.join("2018").join(office).join("run.json").is_file(),
            "{office}"
        );
    }
}

#[test]
fn a_province_rolled_up_in_one_run_over_everything_gives_the_chains_returns_cell_for_cell() {
    let work = tempfile::tempdir().unwrap();
    let chain = province_as_a_chain(work.path(), &work.path().join("out"));
    let year = province_in_one_folder(&work.path().join("全省"));
    let (one, _) = run_office(&year, &work.path().join("one"), "贵州省");
    for code in [
        "UNIT-MISSING",
        "UNIT-NOT-IN-ROSTER",
        "FOLDER-NOT-IN-ROSTER",
        "UNIT-WRONG-FOLDER",
    ] {
        assert!(issues(&one, code).is_empty(), "{code}: {:#}", one["issues"]);
    }
    // One return per office of the tree, each after the office above it,
    // and each the same as that office's own run, cell for cell.
    let names: Vec<&str> = one["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["甲市", "子县", "乙市", "丑区", "贵州省"]);
    for office in ["甲市", "子县", "乙市", "丑区", "贵州省"] {
        assert_eq!(
            values(return_named(&one, office)),
            values(office_return(&chain[office])),
            "{office}"
        );
    }
    assert_eq!(cell(office_return(&one), "R84").0.as_f64(), Some(15.0));
    // 甲市's return covers its district's townships: 1 + 2 + 3.
    assert_eq!(
        cell(return_named(&one, "甲市"), "R84"),
        (&serde_json::json!(6.0), 3)
    );
    // Each unit carries its path from the province down.
    let unit = unit_named(&one, "子乙镇");
    assert_eq!(unit["path"], serde_json::json!(["贵州省", "甲市", "子县"]));
    let set = work.path().join("one/2018/贵州省");
    for office in ["甲市", "子县", "乙市", "丑区", "贵州省"] {
        assert!(
            set.join(format!("{office}_2018_统计表.xlsx")).is_file(),
            "{office}"
        );
    }
    // 概览 sets each district in under its city, and its chart by office
    // draws the cities alone, from rows of their own.
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(set.join("贵州省_2018_汇总.xlsx")).unwrap();
    let overview = wb.worksheet_range("概览").unwrap();
    let first_column: Vec<String> = (0..overview.height() as u32)
        .filter_map(|r| overview.get_value((r, 0)).map(|c| c.to_string()))
        .collect();
    assert!(
        first_column.iter().any(|c| c == "\u{3000}子县"),
        "{first_column:?}"
    );
    let at = first_column
        .iter()
        .position(|c| c == "直属下级单位")
        .unwrap();
    assert_eq!(first_column[at + 1..at + 3], ["甲市", "乙市"]);
    // The progress page groups each unit under its office, with the
    // offices above it below the province.
    let page = std::fs::read_to_string(set.join("报送进度.html")).unwrap();
    assert!(page.contains("甲市 / 子县"), "{page}");
    // A city's folder of the province's year is that city's run: its
    // return and its district's, as the city's own run gives them.
    let (city, _) = run_office(&year.join("甲市"), &work.path().join("city"), "甲市");
    let names: Vec<&str> = city["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["子县", "甲市"]);
    assert_eq!(
        values(office_return(&city)),
        values(office_return(&chain["甲市"]))
    );
    assert!(
        issues(&city, "UNIT-MISSING").is_empty(),
        "{:#}",
        city["issues"]
    );
}

#[test]
fn a_citys_return_beside_its_units_is_checked_against_them_and_summed_as_signed() {
    let work = tempfile::tempdir().unwrap();
    let chain_out = work.path().join("out");
    province_as_a_chain(work.path(), &chain_out);
    let year = province_in_one_folder(&work.path().join("全省"));
    // 甲市's return arrives beside its units' forms, signed 15 where they
    // add up to 6: the province sums 15 and says where they differ.
    let signed = year.join("甲市_2018_统计表.xlsx");
    form_with(&signed, &[("R84", 15.0)]);
    // 乙市 sent only its return: its district and township are covered.
    let yi = year.join("乙市");
    std::fs::remove_dir_all(&yi).unwrap();
    std::fs::copy(
        chain_out.join("2018/乙市/乙市_2018_统计表.xlsx"),
        year.join("乙市_2018_统计表.xlsx"),
    )
    .unwrap();
    let (one, _) = run_office(&year, &work.path().join("one"), "贵州省");
    // 15 (甲市 as signed) + 4 (乙市's return) + 5 (the province's own).
    assert_eq!(cell(office_return(&one), "R84").0.as_f64(), Some(24.0));
    let differs = issues(&one, "RETURN-DIFFERS");
    assert_eq!(differs.len(), 1, "{differs:#?}");
    let message = differs[0]["message"].as_str().unwrap();
    assert!(
        message.contains("为 15") && message.contains("之和为 6") && message.contains("子甲镇"),
        "{message}"
    );
    assert!(
        issues(&one, "UNIT-MISSING").is_empty(),
        "{:#}",
        one["issues"]
    );
    let covered: Vec<&str> = one["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["status"] == "covered")
        .map(|u| u["township"].as_str().unwrap())
        .collect();
    assert_eq!(covered, ["丑甲镇"]);
    // Said so at every level: the return that covers it is a city's.
    use calamine::{Reader, open_workbook_auto};
    let mut wb =
        open_workbook_auto(work.path().join("one/2018/贵州省/贵州省_2018_汇总.xlsx")).unwrap();
    let sheet = wb.worksheet_range("报送情况").unwrap();
    let row = sheet
        .rows()
        .find(|r| r.iter().any(|c| *c == "丑甲镇"))
        .unwrap();
    assert!(row.iter().any(|c| *c == "含在下级单位汇总表中"), "{row:?}");
}

#[test]
fn the_city_example_of_returns_as_they_arrive_rolls_up_to_the_sample_years_city_return() {
    // examples/市级/2025: one district return as gongkai writes it, one
    // typed by hand in the official layout, one the district's report as
    // .docx, and the 市直部门's own forms.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let whole = run_json(
        &root.join("inputs"),
        &work.path().join("one"),
        &["--year", "2025"],
    );
    let city = run_json(&root.join("examples/市级"), &work.path().join("city"), &[]);
    assert_eq!(exit_code_for(&city), 0, "{:#}", city["issues"]);
    let mut lower: Vec<&str> = city["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["kind"] == "lower" && u["status"] == "submitted")
        .map(|u| u["township"].as_str().unwrap())
        .collect();
    lower.sort();
    assert_eq!(lower, ["六枝特区", "水城区", "盘州市", "钟山区"]);
    for (i, (g, w)) in values(office_return(&city))
        .iter()
        .zip(values(office_return(&whole)))
        .enumerate()
    {
        let same = match (g.as_f64(), w.as_f64()) {
            (Some(g), Some(w)) => (g - w).abs() < 1e-9,
            (g, w) => g.unwrap_or(0.0) == 0.0 && w.unwrap_or(0.0) == 0.0,
        };
        assert!(same, "cell {i}: example {g}, one run {w}");
    }
}

#[test]
fn a_return_that_breaks_a_relation_because_of_a_units_form_says_so_in_a_remark() {
    // 柏果镇's 表三 does not balance (explained); 盘州市's and the city's
    // returns, which sum it as reported, carry a 备注 naming the relation
    // and the township, on the signed return and in the draft.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let output = gongkai()
        .arg("run")
        .arg(root.join("inputs"))
        .args(["--year", "2025", "--no-progress", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let set = out.join("2025/六盘水市");
    let texts = |path: &Path| -> Vec<String> {
        use calamine::{Reader, open_workbook_auto};
        let mut wb = open_workbook_auto(path).unwrap();
        let mut texts = Vec::new();
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).unwrap();
            texts.extend(range.used_cells().map(|(_, _, c)| c.to_string()));
        }
        texts
    };
    for office in ["盘州市", "六盘水市"] {
        let cells = texts(&set.join(format!("{office}_2025_统计表.xlsx")));
        let remarks: Vec<&String> = cells.iter().filter(|t| t.starts_with("备注")).collect();
        assert_eq!(remarks.len(), 2, "自然人 and 总计: {remarks:?}");
        assert!(remarks[0].contains("“自然人”列") && remarks[0].contains("柏果镇（已说明）"));
    }
    // A district whose units all balance has none.
    let cells = texts(&set.join("钟山区_2025_统计表.xlsx"));
    assert!(!cells.iter().any(|t| t.starts_with("备注")));
    let draft = set.join("盘州市_2025_政府信息公开工作年度报告（草稿）.docx");
    let mut xml = String::new();
    use std::io::Read;
    zip::ZipArchive::new(std::fs::File::open(draft).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert_eq!(xml.matches("备注：表三").count(), 2);
}

#[test]
fn the_progress_page_lists_who_to_chase_first_and_folds_large_districts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    run_json(&root.join("inputs"), &out, &["--year", "2025"]);
    let page = std::fs::read_to_string(out.join("2025/六盘水市/报送进度.html")).unwrap();
    let at = |t: &str| {
        page.find(t)
            .unwrap_or_else(|| panic!("{t} not on the page"))
    };
    // Who to chase, before the chart and the districts.
    assert!(
        page.contains("待催报（3 个单位）"),
        "two missing and one refused"
    );
    for unit in ["新场乡", "保基苗族彝族乡", "野钟苗族彝族布依族乡"] {
        assert!(at(unit) < at("<svg"), "{unit} first");
    }
    // An index of the districts, each with its count, and counts on the bars.
    assert!(page.contains("id=\"index\""));
    assert!(page.contains("href=\"#d0\""));
    assert!(
        page.matches("已报送 17/17").count() >= 3,
        "钟山区's index entry, heading and bar"
    );
    // 水城区's 41 units are folded; 钟山区's 17 are not.
    let shuicheng = &page[at(">水城区 <small>")..];
    assert!(shuicheng[..shuicheng.find("</summary>").unwrap()].contains("<details><summary>"));
    let zhongshan = &page[at(">钟山区 <small>")..];
    assert!(zhongshan.find("<table").unwrap() < zhongshan.find("<details>").unwrap_or(usize::MAX));
}

#[test]
fn a_run_never_writes_over_another_offices_set_and_says_what_to_type() {
    let year = Year::new();
    form_with(&year.path("测试县", "甲镇.xlsx"), &[("R84", 2.0)]);
    let roster = year.roster(&[("测试县", "甲镇")]);
    // Another office whose name makes the same folder name got there first.
    let theirs = year.out().join("2018/测试市");
    std::fs::create_dir_all(&theirs).unwrap();
    let json = "{\n  \"tool\": \"gongkai\",\n  \"year\": 2018,\n  \"city\": \"测试/市\"\n}\n";
    std::fs::write(theirs.join("run.json"), json).unwrap();
    let output = gongkai()
        .arg("run")
        .arg(year.root())
        .arg("--hierarchy")
        .arg(&roster)
        .arg("--out")
        .arg(year.out())
        .arg("--no-progress")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("测试/市 的输出") && stderr.contains("--out"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(theirs.join("run.json")).unwrap(),
        json
    );
    assert_eq!(
        std::fs::read_dir(&theirs).unwrap().count(),
        1,
        "nothing written"
    );
}

#[test]
fn the_sample_city_one_level_down_in_a_province_gives_its_own_runs_return_and_remarks() {
    // The real 2025 sample as a province office holds it: the city's folder
    // (its districts' folders and its departments' files) in the province's
    // year, its roster under the province's line.
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    let work = tempfile::tempdir().unwrap();
    let year = sample_in_a_province(work.path());
    let city = run_json(&inputs, &work.path().join("city"), &["--year", "2025"]);
    let out = work.path().join("province");
    let province = run_json(&year, &out, &[]);
    assert_eq!(office_return(&province)["name"], "贵州省");
    assert_eq!(
        values(return_named(&province, "六盘水市")),
        values(office_return(&city))
    );
    for district in ["钟山区", "六枝特区", "水城区", "盘州市"] {
        assert_eq!(
            values(return_named(&province, district)),
            values(return_named(&city, district)),
            "{district}"
        );
    }
    assert_eq!(
        issues(&province, "UNIT-MISSING").len(),
        issues(&city, "UNIT-MISSING").len()
    );
    // A district office sharing the province's folder runs on its own
    // folder, two below the year: its return as in the city's run.
    let district = run_json(
        &year.join("六盘水市/水城区"),
        &work.path().join("district"),
        &[],
    );
    assert_eq!(office_return(&district)["name"], "水城区");
    assert_eq!(
        values(office_return(&district)),
        values(return_named(&city, "水城区"))
    );
    // 柏果镇 is 盘州市's: the city's return, two offices above it, names it
    // in its 备注 as the city's own run does.
    let set = out.join("2025/贵州省");
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(set.join("六盘水市_2025_统计表.xlsx")).unwrap();
    let mut remarks = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        remarks.extend(
            range
                .used_cells()
                .map(|(_, _, c)| c.to_string())
                .filter(|t| t.starts_with("备注")),
        );
    }
    assert_eq!(remarks.len(), 2, "{remarks:?}");
    assert!(
        remarks.iter().all(|r| r.contains("柏果镇（已说明）")),
        "{remarks:?}"
    );
}

#[test]
fn an_office_that_keeps_a_folder_per_unit_has_each_units_files_read_as_its_own() {
    let work = tempfile::tempdir().unwrap();
    // A district office's year, one folder per township, the files in it
    // named as clerks name them; and a province's, three folders down.
    let district = office_year(
        &work.path().join("水城区"),
        "水城区,甲镇,乡镇\n水城区,乙镇,乡镇\n水城区,水城区教育局,部门\n",
        &[
            ("甲镇/统计表.xlsx", 1.0),
            ("乙镇/2018年报表（终稿）.xlsx", 2.0),
            ("部门/水城区教育局.xlsx", 4.0),
        ],
    );
    std::fs::write(district.join("乙镇/盖章件.pdf"), "%PDF-1.4").unwrap();
    let (report, _) = run_office(&district, &work.path().join("out"), "水城区");
    assert_eq!(cell(office_return(&report), "R84").0.as_f64(), Some(7.0));
    for code in [
        "UNIT-MISSING",
        "UNIT-NOT-IN-ROSTER",
        "FOLDER-NOT-IN-ROSTER",
        "INPUT-NESTED",
    ] {
        assert!(
            issues(&report, code).is_empty(),
            "{code}: {:#}",
            report["issues"]
        );
    }
    let unit = unit_named(&report, "乙镇");
    assert_eq!(unit["matched"], "按文件夹“乙镇”");
    let province = province_in_one_folder(&work.path().join("全省"));
    let moved = province.join("甲市/子县/子乙镇/报表.xlsx");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(province.join("甲市/子县/子乙镇.xlsx"), &moved).unwrap();
    let (one, _) = run_office(&province, &work.path().join("one"), "贵州省");
    assert_eq!(cell(office_return(&one), "R84").0.as_f64(), Some(15.0));
    assert!(
        issues(&one, "UNIT-MISSING").is_empty(),
        "{:#}",
        one["issues"]
    );
}
