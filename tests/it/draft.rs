//! The drafts of the annual reports: every number in their tables and
//! sentences is the return's, read back from the .docx and compared with
//! run.json; the year-over-year wording; nothing written with --no-report.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::*;
use gongkai::form::Template;

fn draft_name(unit: &str, year: i32) -> String {
    format!("{unit}_{year}_政府信息公开工作年度报告（草稿）.docx")
}

/// The text of every paragraph of a .docx, tables' included, in order.
fn paragraphs(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut out, mut line, mut in_text) = (Vec::new(), String::new(), false);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            quick_xml::events::Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push(std::mem::take(&mut line)),
                _ => {}
            },
            quick_xml::events::Event::Text(t) if in_text => line.push_str(&t.xml10_content()),
            quick_xml::events::Event::GeneralRef(r) if in_text => {
                line.push_str(quick_xml::escape::resolve_xml_entity(r.as_ref()).unwrap());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The form read back from a draft by gongkai's own reader, cell by cell.
fn tables_of(path: &Path, template: &Template) -> Vec<Option<f64>> {
    let loaded = gongkai::read::read_file(path, template);
    let form = loaded.outcome.expect("the draft's tables are the form");
    form.values
        .iter()
        .map(|v| v.as_ref().and_then(|v| v.value()))
        .collect()
}

#[test]
fn each_drafts_tables_read_back_as_its_return_cell_by_cell() {
    let out = tempfile::tempdir().unwrap();
    let report = run_sample(2025, out.path());
    let template = Template::load("nat2021").unwrap();
    let returns = report["returns"].as_array().unwrap();
    assert_eq!(returns.len(), 5);
    for ret in returns {
        let name = ret["name"].as_str().unwrap();
        let path = set_in(out.path(), 2025).join(draft_name(name, 2025));
        let read = tables_of(&path, &template);
        for (i, c) in template.cells().iter().enumerate() {
            let (want, _) = cell(ret, &c.code);
            assert_eq!(read[i], want.as_f64(), "{name} {}", c.code);
        }
    }
}

#[test]
fn the_sentences_say_the_returns_numbers_and_shares() {
    let out = tempfile::tempdir().unwrap();
    let report = run_sample(2025, out.path());
    let city = "六盘水市";
    let text = paragraphs(&set_in(out.path(), 2025).join(draft_name(city, 2025))).join("\n");
    let v = |code: &str| return_value(&report, city, code);
    let n = |x: f64| format!("{x}");
    assert!(
        text.starts_with("六盘水市2025年政府信息公开工作年度报告"),
        "{text}"
    );
    let received = format!("本年新收政府信息公开申请{}件", n(v("T3R01C7")));
    assert!(text.contains(&received), "{received} not in {text}");
    let applicants: f64 = (2..=6).map(|c| v(&format!("T3R01C{c}"))).sum();
    assert!(text.contains(&format!("法人或其他组织申请{}件", n(applicants))));
    // The share of 予以公开 among the closed applications, worked out here.
    let share = v("T3R03C7") / v("T3R24C7") * 100.0;
    let opened = format!("予以公开{}件（占{share:.1}%）", n(v("T3R03C7")));
    assert!(text.contains(&opened), "{opened} not in {text}");
    let reviews = format!("被申请行政复议{}件", n(v("T4R01C5")));
    assert!(text.contains(&reviews), "{reviews}");
    // No records of 2024 here: no comparison is invented.
    assert!(!text.contains("比上年"), "{text}");
    // 一、总体情况 has the format's five sub-heads; 复议 and 诉讼 are told
    // under part 四's table, as the format puts them.
    let at = |t: &str| text.find(t).unwrap_or_else(|| panic!("{t} not in {text}"));
    let heads = [
        "（一）主动公开",
        "（二）依申请公开",
        "（三）政府信息管理",
        "（四）政府信息公开平台建设",
        "（五）监督保障",
    ];
    assert!(heads.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
    assert!(!text.contains("（三）行政复议") && !text.contains("（六）监督保障"));
    assert!(at("（五）监督保障") < at("二、主动公开政府信息情况"));
    assert!(at("四、政府信息公开行政复议") < at("被申请行政复议"));
    assert!(at("被申请行政复议") < at("五、存在的主要问题"));
    // What only the office knows is a prompt, never prose.
    assert!(text.contains("【待补充：本年度政府信息管理情况"));
    assert!(text.contains("三、收到和处理政府信息公开申请情况"));
    // The source line counts who is in the figures by kind, and names who
    // is not: counted here from run.json's units.
    let units = report["units"].as_array().unwrap();
    let count = |kind: &str, own: Option<bool>| {
        units
            .iter()
            .filter(|u| u["kind"] == kind && u["status"] == "submitted")
            .filter(|u| own.is_none_or(|own| (u["district"] == city) == own))
            .count()
    };
    let (townships, departments, lower) = (
        count("township", None),
        count("department", Some(true)),
        count("department", Some(false)),
    );
    assert_eq!((townships, departments, lower), (89, 8, 10));
    let source = format!(
        "本报告中的统计数据由全市{townships}个乡镇（街道）、{departments}个市直部门、\
         {lower}个下级单位的部门、1个下级政府本级和市政府本级报送的统计表汇总而成"
    );
    assert!(text.contains(&source), "{source} not in {text}");
    assert!(text.contains("；2个单位未报送，不在其中："), "{text}");
    assert!(
        text.contains("；1个单位报送的表格未能计入汇总：野钟苗族彝族布依族乡"),
        "{text}"
    );
    // Every unit is in the annex, with its kind and how it stands.
    assert!(text.contains("附件：报送单位名单"), "{text}");
    for name in [
        "野钟苗族彝族布依族乡",
        "六盘水市教育局",
        "水城区人民政府办公室",
    ] {
        assert!(text.contains(name), "{name}");
    }
    assert!(text.contains("不能计入") && text.contains("未报送") && text.contains("市直"));
}

/// That `office`'s 2025 draft in `out` says `says`.
fn assert_draft_says(out: &Path, office: &str, says: &str) {
    let path = set_in(out, 2025).join(draft_name(office, 2025));
    let text = paragraphs(&path).join("\n");
    assert!(text.contains(says), "{office}: {says} not in {text}");
}

fn run_year(root: &Path, out: &Path, year: i32) -> std::process::Output {
    gongkai()
        .arg("run")
        .arg(root)
        .args(["--year", &year.to_string(), "--no-progress", "--out"])
        .arg(out)
        .arg("--hierarchy")
        .arg(root.join("roster.csv"))
        .output()
        .unwrap()
}

#[test]
fn the_change_against_last_year_is_worded_up_down_unchanged_and_from_zero() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = root.join("out");
    std::fs::write(
        root.join("roster.csv"),
        "city,district,township,aliases\n测试市,上升县,甲镇,\n测试市,下降县,乙镇,\n测试市,持平县,丙镇,\n测试市,新起县,丁镇,\n",
    )
    .unwrap();
    for (district, township, last, this) in [
        ("上升县", "甲镇", 10.0, 12.0),
        ("下降县", "乙镇", 10.0, 8.0),
        ("持平县", "丙镇", 5.0, 5.0),
        ("新起县", "丁镇", 0.0, 4.0),
    ] {
        form_receiving(&root.join(format!("2024/{district}/{township}.xlsx")), last);
        form_receiving(&root.join(format!("2025/{district}/{township}.xlsx")), this);
    }
    assert_eq!(run_year(root, &out, 2024).status.code(), Some(0));
    let run = run_year(root, &out, 2025);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for (district, says) in [
        (
            "上升县",
            "本年新收政府信息公开申请12件，比上年增加2件、增长20.0%",
        ),
        (
            "下降县",
            "本年新收政府信息公开申请8件，比上年减少2件、下降20.0%",
        ),
        ("持平县", "本年新收政府信息公开申请5件，与上年持平"),
        ("新起县", "本年新收政府信息公开申请4件，上年为0"),
        (
            "测试市",
            "本年新收政府信息公开申请29件，比上年增加4件、增长16.0%",
        ),
    ] {
        assert_draft_says(&out, district, says);
    }
}

#[test]
fn report_writes_the_drafts_again_from_a_finished_run_without_the_forms() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = root.join("out");
    std::fs::write(
        root.join("roster.csv"),
        "city,district,township,aliases\n测试市,甲县,甲镇,\n",
    )
    .unwrap();
    form_receiving(&root.join("2024/甲县/甲镇.xlsx"), 10.0);
    form_receiving(&root.join("2025/甲县/甲镇.xlsx"), 12.0);
    assert_eq!(run_year(root, &out, 2024).status.code(), Some(0));
    assert_eq!(run_year(root, &out, 2025).status.code(), Some(0));
    let year = set_in(&out, 2025);
    let draft = year.join(draft_name("甲县", 2025));
    let original = std::fs::read(&draft).unwrap();
    // The forms are gone; the office spoiled one draft and deleted another.
    std::fs::remove_dir_all(root.join("2025")).unwrap();
    std::fs::write(&draft, "spoiled").unwrap();
    std::fs::remove_file(year.join(draft_name("测试市", 2025))).unwrap();

    let output = gongkai().arg("report").arg(&year).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read(&draft).unwrap(),
        original,
        "the same draft, byte for byte"
    );
    let city = paragraphs(&year.join(draft_name("测试市", 2025))).join("\n");
    assert!(
        city.contains("本年新收政府信息公开申请12件，比上年增加2件、增长20.0%"),
        "{city}"
    );
    // run.json lists the drafts as they now are.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(year.join("run.json")).unwrap()).unwrap();
    let listed = json["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["file"]
                .as_str()
                .unwrap()
                .ends_with(&draft_name("测试市", 2025))
        })
        .unwrap();
    let bytes = std::fs::read(year.join(draft_name("测试市", 2025))).unwrap();
    assert_eq!(listed["bytes"], bytes.len());
    use sha2::Digest;
    let sha256 = format!("{:x}", sha2::Sha256::digest(&bytes));
    assert_eq!(listed["sha256"], sha256);

    // A folder that holds no finished run is refused with what to give.
    let output = gongkai().arg("report").arg(root).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("OUT/<年度>"));
}

#[test]
fn a_2018_draft_carries_the_form_as_its_appendix() {
    let out = tempfile::tempdir().unwrap();
    let report = run_sample(2018, out.path());
    let template = Template::load("lps2018").unwrap();
    let path: PathBuf = set_in(out.path(), 2018).join(draft_name("六盘水市", 2018));
    let text = paragraphs(&path).join("\n");
    assert!(text.contains("附表：政府信息公开情况统计表"), "{text}");
    let received = format!(
        "本年收到政府信息公开申请{}件",
        return_value(&report, "六盘水市", "R38")
    );
    assert!(text.contains(&received), "{received}");
    let ret = report["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "六盘水市")
        .unwrap();
    let read = tables_of(&path, &template);
    for (i, c) in template.cells().iter().enumerate() {
        assert_eq!(read[i], cell(ret, &c.code).0.as_f64(), "{}", c.code);
    }
}

#[test]
fn no_draft_is_written_with_no_report() {
    let year = Year::of(2025);
    form_receiving(&year.path("测试县", "测试镇.xlsx"), 3.0);
    let roster = year.roster(&[("测试县", "测试镇")]);
    let output = gongkai()
        .arg("run")
        .arg(year.root())
        .args(["--no-progress", "--no-report", "--hierarchy"])
        .arg(&roster)
        .arg("--out")
        .arg(year.out())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let names: Vec<String> = std::fs::read_dir(set_in(&year.out(), 2025))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("统计表.xlsx")),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with(".docx")), "{names:?}");
}

#[test]
fn report_waits_for_a_run_holding_the_year_before_it_reads_run_json() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = root.join("out");
    std::fs::write(
        root.join("roster.csv"),
        "city,district,township\n测试市,甲县,甲镇\n",
    )
    .unwrap();
    form_receiving(&root.join("2025/甲县/甲镇.xlsx"), 12.0);
    assert_eq!(run_year(root, &out, 2025).status.code(), Some(0));
    let year = set_in(&out, 2025);

    // A run holds the year: report must wait, and only then read.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(out.join("2025/.gongkai-测试市.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut report = gongkai()
        .arg("report")
        .arg(&year)
        .args(["--wait", "60"])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(report.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("最多等待") {
        line.clear();
        let read = std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        assert!(read > 0, "report ended without waiting for the lock");
    }
    // Meanwhile the run swaps in its set: 34 applications, not 12.
    let path = year.join("run.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    for ret in json["returns"].as_array_mut().unwrap() {
        for cell in ret["cells"].as_array_mut().unwrap() {
            if cell["code"] == "T3R01C7" {
                cell["value"] = 34.0.into();
            }
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    lock.unlock().unwrap();

    assert!(report.wait().unwrap().success());
    let city = paragraphs(&year.join(draft_name("测试市", 2025))).join("\n");
    assert!(city.contains("本年新收政府信息公开申请34件"), "{city}");
}

#[test]
fn last_years_figures_are_those_last_years_returns_printed() {
    // Last year 甲县 sent its own return (6) beside its townships' forms
    // (2 and 3), and 丙镇 typed its 总计 as 10 over parts of 4: the city's
    // return printed 6 + 4 = 10 and 甲县's printed 6, the sums of neither
    // the typed values (21) nor every unit's form (11).
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = root.join("out");
    std::fs::write(
        root.join("roster.csv"),
        "office,unit,kind\n测试市,甲县,下级\n甲县,甲镇,乡镇\n甲县,乙镇,乡镇\n测试市,乙县,下级\n乙县,丙镇,乡镇\n",
    )
    .unwrap();
    form_receiving(&root.join("2024/甲县.xlsx"), 6.0);
    for year in [2024, 2025] {
        form_receiving(&root.join(format!("{year}/甲县/甲镇.xlsx")), 2.0);
        form_receiving(&root.join(format!("{year}/甲县/乙镇.xlsx")), 3.0);
    }
    form_of(
        "nat2021",
        &root.join("2024/乙县/丙镇.xlsx"),
        &[("T3R01C1", Some(4.0)), ("T3R01C7", Some(10.0))],
    );
    form_receiving(&root.join("2025/乙县/丙镇.xlsx"), 4.0);
    run_year(root, &out, 2024);
    let run = run_year(root, &out, 2025);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for (office, says) in [
        (
            "测试市",
            "本年新收政府信息公开申请9件，比上年减少1件、下降10.0%",
        ),
        (
            "甲县",
            "本年新收政府信息公开申请5件，比上年减少1件、下降16.7%",
        ),
    ] {
        assert_draft_says(&out, office, says);
    }
}
