//! The hot paths of a rollup, one at a time (divan):
//!
//! ```sh
//! cargo bench --bench hot_paths
//! ```
//!
//! - one form: open, locate and parse a generated form held in memory, and
//!   the same form read bare by calamine; one form of the national tables;
//! - label matching: a form's labels as clerks' sheets have them, normalized
//!   and looked up in the template;
//! - value parsing: the texts clerks type in number cells;
//! - one national form read from its file, as a run reads it;
//! - discovery of a year's 4,000 files, and the checks of 40,000 forms;
//! - a unit's annual report (.docx) and its published page (.html), read by
//!   the document readers, and a district's report draft written;
//! - records, rollup and writing at national scale: 40,000 units made from
//!   generated forms (the 1,334 districts of `gongkai demo --townships 40000`),
//!   and the swap of a set over a national run's.

use gongkai::input::plan::Office;
use std::path::PathBuf;
use std::sync::LazyLock;

use divan::Bencher;
use gongkai::audit::units::{Submission, assign};
use gongkai::form::Template;
use gongkai::input::discover::Found;
use gongkai::input::plan::Coverage;
use gongkai::input::roster::Roster;
use gongkai::read::{Loaded, read_bytes};
use gongkai::text::{normalize_label, parse_text_value};

const UNITS: usize = 40_000;

fn main() {
    divan::main();
}

static TEMPLATE: LazyLock<Template> = LazyLock::new(|| Template::load("lps2018").unwrap());

/// A few generated forms, as bytes.
static FORMS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| generated(&TEMPLATE, 20, 2018));

/// `count` forms of `template` for `year`, generated as a township makes them.
fn generated(template: &Template, count: usize, year: i32) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let year = gongkai::demo::generate(template, count, dir.path(), 1, year).unwrap();
    let mut forms = Vec::new();
    for district in std::fs::read_dir(year).unwrap().flatten() {
        for file in std::fs::read_dir(district.path()).unwrap().flatten() {
            forms.push(std::fs::read(file.path()).unwrap());
        }
    }
    forms
}

/// 40,000 units, each with one of the generated forms, assigned to a roster.
static YEAR: LazyLock<(Roster, Vec<Submission>)> = LazyLock::new(|| {
    let units = gongkai::demo::units(UNITS, 2018);
    let dir = tempfile::tempdir().unwrap();
    let hierarchy = dir.path().join("hierarchy.csv");
    let csv: String = units
        .iter()
        .map(|(d, t)| format!("六盘水市,{d},{t}\n"))
        .collect();
    std::fs::write(&hierarchy, csv).unwrap();
    let roster = Roster::from_csv(&hierarchy).unwrap();
    let files = units
        .iter()
        .enumerate()
        .map(|(i, (district, township))| {
            let bytes = FORMS[i % FORMS.len()].clone();
            let found = Found {
                path: PathBuf::from(format!("{district}/{township}.xlsx")),
                shown: format!("{district}/{township}.xlsx"),
                folders: vec![district.clone()],
                stem: township.clone(),
            };
            let loaded = Loaded {
                sha256: None,
                modified: None,
                outcome: read_bytes(bytes, "xlsx", &TEMPLATE),
            };
            (found, loaded)
        })
        .collect();
    let subs = assign(files, &roster, Coverage::Year, &mut Vec::new());
    (roster, subs)
});

#[divan::bench]
fn one_form(bencher: Bencher) {
    let bytes = &FORMS[0];
    bencher.bench(|| read_bytes(bytes.clone(), "xlsx", &TEMPLATE).unwrap());
}

/// The same form read bare by calamine, for comparison with `one_form`.
#[divan::bench]
fn one_form_bare_calamine(bencher: Bencher) {
    let bytes = &FORMS[0];
    bencher.bench(|| bare_read(bytes));
}

/// Every sheet of a workbook in memory, read by calamine and nothing else.
fn bare_read(bytes: &[u8]) -> usize {
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    wb.worksheets().len()
}

static NAT2021: LazyLock<Template> = LazyLock::new(|| Template::load("nat2021").unwrap());

/// One township's three national tables (about 200 value cells, against the
/// 2018 form's 86): open, locate and parse, beside the bare calamine read.
#[divan::bench]
fn one_national_form(bencher: Bencher) {
    let bytes = &NATIONAL_FORMS[0];
    bencher.bench(|| read_bytes(bytes.clone(), "xlsx", &NAT2021).unwrap());
}

#[divan::bench]
fn one_national_form_bare_calamine(bencher: Bencher) {
    let bytes = &NATIONAL_FORMS[0];
    bencher.bench(|| bare_read(bytes));
}

static NATIONAL_FORMS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| generated(&NAT2021, 5, 2025));

/// The same form read from its file: opened once, its size, time and bytes
/// taken from the one handle, and fingerprinted (SHA-256) as a run does.
#[divan::bench]
fn one_national_form_from_its_file(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("示范县第01镇.xlsx");
    std::fs::write(&path, &NATIONAL_FORMS[0]).unwrap();
    bencher.bench(|| {
        let loaded = gongkai::read::read_file(&path, &NAT2021);
        assert!(loaded.outcome.is_ok());
        loaded
    });
}

/// A national run's run.json as a run writes it (pretty, 2,673 outputs at
/// its end after 96 MB of findings; a real one is 110 MB).
static NATIONAL_RUN_JSON: LazyLock<String> = LazyLock::new(|| {
    let issues: Vec<serde_json::Value> = (0..UNITS * 8)
        .map(|i| {
            serde_json::json!({
                "severity": "info",
                "code": "VALUE-UNIT",
                "district": format!("示范{:04}县", i / 240),
                "township": format!("示范{:04}县第{:02}镇", i / 240, i % 30),
                "message": "表三“8.属于行政查询事项”行“法律服务机构”列:`0件` 按 0 读取",
                "sheet": "Sheet1",
                "cell": "H34",
            })
        })
        .collect();
    let outputs: Vec<serde_json::Value> = (0..2_673)
        .map(|i| serde_json::json!({"file": format!("outputs/2025/示范{i:04}县_2025_统计表.xlsx"), "bytes": 9000, "sha256": "0".repeat(64)}))
        .collect();
    let run =
        serde_json::json!({"year": 2025, "issues": issues, "outputs": outputs, "timings": {}});
    serde_json::to_string_pretty(&run).unwrap()
});

/// Putting a run's set in place of the previous run's: the lock, the
/// staging folder, and the swap, which reads the previous run.json's
/// outputs to carry the office's own files over.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn swap_over_a_national_run(bencher: Bencher) {
    use gongkai::output::stage::Stage;
    let json = &*NATIONAL_RUN_JSON;
    bencher
        .with_inputs(|| {
            let out = tempfile::tempdir().unwrap();
            let year = out.path().join("2025");
            std::fs::create_dir_all(&year).unwrap();
            std::fs::write(year.join("run.json"), json).unwrap();
            std::fs::write(year.join("备忘.txt"), "the office's own note").unwrap();
            out
        })
        .bench_local_values(|out| {
            let stage =
                Stage::begin(&out.path().join("2025"), std::time::Duration::ZERO, &|_| {}).unwrap();
            std::fs::write(stage.dir().join("run.json"), "{}").unwrap();
            stage.commit().unwrap();
            out
        });
}

fn document(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents");
    std::fs::read(dir.join(name)).unwrap()
}

/// A unit's annual report as Word writes it: the three tables among prose.
#[divan::bench]
fn one_report_docx(bencher: Bencher) {
    let bytes = document("nat2021_python_docx.docx");
    bencher.bench(|| read_bytes(bytes.clone(), "docx", &NAT2021).unwrap());
}

/// The same report as a county site publishes it (GB2312), page chrome and all.
#[divan::bench]
fn one_page_html(bencher: Bencher) {
    let bytes = document("nat2021_page_gb2312.html");
    bencher.bench(|| read_bytes(bytes.clone(), "html", &NAT2021).unwrap());
}

/// A district's report draft: sentences, the three tables, sections.
#[divan::bench(sample_count = 10)]
fn write_one_draft(bencher: Bencher) {
    let cells = NAT2021.cells().len();
    let ret = gongkai::rollup::Return {
        level: gongkai::rollup::Level::District,
        name: "钟山区".into(),
        values: (0..cells).map(|i| Some((i % 7) as f64)).collect(),
        reporting: vec![17; cells],
        units: (1..=17).map(|i| format!("第{i}镇")).collect(),
        offices: vec!["钟山区".into()],
        depth: 1,
        filer: None,
        last: Some((0..cells).map(|i| Some((i % 5) as f64)).collect()),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("draft.docx");
    bencher.bench(|| {
        let content = gongkai::output::draft::DraftContent {
            template: &NAT2021,
            ret: &ret,
            year: 2025,
            members: &[],
            notes: &[],
        };
        gongkai::output::draft::write_draft(&path, &content).unwrap()
    });
}

#[divan::bench]
fn label_matching(bencher: Bencher) {
    // As sheets show them: spaced out, full-width brackets, a header.
    let table = &TEMPLATE.tables()[0];
    let labels: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.label.replace('(', "（").replace(')', "）"))
        .chain(["统 计 指 标".to_string(), "统计数".to_string()])
        .collect();
    bencher.bench(|| {
        labels
            .iter()
            .filter(|l| !TEMPLATE.labelled(&normalize_label(l)).is_empty())
            .count()
    });
}

#[divan::bench]
fn value_parsing(bencher: Bencher) {
    let texts = [
        "33条",
        "１２",
        "—",
        "1,234",
        "待定",
        " 12 ",
        "0.35万元",
        "/",
        "无",
        "12.5",
    ];
    bencher.bench(|| {
        texts
            .iter()
            .filter(|t| parse_text_value(t).0.is_some())
            .count()
    });
}

/// The template's rules on every form of 40,000 units, one after another.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn checks_of_40000_units(bencher: Bencher) {
    let (_, subs) = &*YEAR;
    bencher.bench(|| {
        subs.iter()
            .map(|s| gongkai::audit::rules::check(s, &TEMPLATE).len())
            .sum::<usize>()
    });
}

/// Finding the files of a year of 4,000 forms in their county folders.
#[divan::bench(sample_count = 10)]
fn discover_4000_files(bencher: Bencher) {
    static TREE: LazyLock<(tempfile::TempDir, PathBuf)> = LazyLock::new(|| {
        let dir = tempfile::tempdir().unwrap();
        let year = gongkai::demo::generate(&TEMPLATE, 4000, dir.path(), 1, 2018).unwrap();
        (dir, year)
    });
    LazyLock::force(&TREE);
    bencher.bench(|| {
        gongkai::input::discover::discover(&TREE.1, &|_| false)
            .unwrap()
            .forms
            .len()
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn records_of_40000_units(bencher: Bencher) {
    let (roster, subs) = &*YEAR;
    bencher.bench(|| gongkai::rollup::records::build(subs, &TEMPLATE, 2018, &roster.tree).unwrap());
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn rollup_of_40000_units(bencher: Bencher) {
    let (roster, subs) = &*YEAR;
    bencher.bench(|| gongkai::rollup::rollup(subs, &TEMPLATE, &Office::whole(roster)));
}

#[divan::bench(sample_count = 10)]
fn write_one_return(bencher: Bencher) {
    let (roster, subs) = &*YEAR;
    let (_, city) = gongkai::rollup::rollup(subs, &TEMPLATE, &Office::whole(roster));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("return.xlsx");
    bencher.bench(|| {
        gongkai::output::returns::write_return(&path, &TEMPLATE, &city, 2018, Vec::new()).unwrap()
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn write_records_csv_of_40000_units(bencher: Bencher) {
    let (roster, subs) = &*YEAR;
    let records = gongkai::rollup::records::build(subs, &TEMPLATE, 2018, &roster.tree).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.csv");
    bencher.bench_local(|| gongkai::output::tables::write_csv(&records, &path).unwrap());
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn write_records_parquet_of_40000_units(bencher: Bencher) {
    let (roster, subs) = &*YEAR;
    let records = gongkai::rollup::records::build(subs, &TEMPLATE, 2018, &roster.tree).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.parquet");
    bencher.bench_local(|| gongkai::output::tables::write_parquet(&records, &path).unwrap());
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn write_analyst_workbook_of_40000_units(bencher: Bencher) {
    let (roster, subs) = &*YEAR;
    let (districts, city) = gongkai::rollup::rollup(subs, &TEMPLATE, &Office::whole(roster));
    let info = gongkai::output::summary::RunInfo {
        tool: "gongkai".into(),
        started: String::new(),
        input: String::new(),
        year: 2018,
        city: roster.city.clone(),
        template: TEMPLATE.id.clone(),
        template_name: TEMPLATE.name.clone(),
        template_why: String::new(),
        roster: roster.source.clone(),
        previous: None,
        explanations: None,
        strict: false,
        csv_note: None,
        renamed: Vec::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("analysis.xlsx");
    bencher.bench(|| {
        let analysis = gongkai::output::workbook::Analysis {
            info: &info,
            template: &TEMPLATE,
            districts: &districts,
            city: &city,
            by_kind: &[],
            submissions: subs,
            issues: &[],
            status: &[],
            past: &[],
        };
        gongkai::output::workbook::write_analysis(&path, &analysis).unwrap()
    });
}
