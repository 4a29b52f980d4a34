//! Running the real binary on a folder laid out like a year's submissions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai::form::Template;
use gongkai::output::form::{FormContent, write_form};
use polars::prelude::*;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn form(name: &str) -> PathBuf {
    fixture("forms").join(name)
}

/// A fixture of `tests/fixtures/cases/`: one way a township's file arrives.
pub fn case(name: &str) -> PathBuf {
    fixture("cases").join(name)
}

pub fn gongkai() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    for setting in [
        "GONGKAI_INPUT",
        "GONGKAI_OUT",
        "GONGKAI_HIERARCHY",
        "GONGKAI_TEMPLATE",
        "GONGKAI_EXPLANATIONS",
        "GONGKAI_STRICT",
        "GONGKAI_JOBS",
        "GONGKAI_WAIT",
    ] {
        cmd.env_remove(setting);
    }
    cmd
}

/// A year of submissions in a temporary folder: `root/<year>/<county>/<name>`.
pub struct Year {
    pub dir: tempfile::TempDir,
    pub year: i32,
}

impl Year {
    /// A 2018 year (the 六盘水 form).
    pub fn new() -> Year {
        Year::of(2018)
    }

    pub fn of(year: i32) -> Year {
        Year {
            dir: tempfile::tempdir().unwrap(),
            year,
        }
    }

    /// Where a file of this year goes: `<year>/<county>/<name>`.
    pub fn path(&self, county: &str, name: &str) -> PathBuf {
        self.root()
            .join(self.year.to_string())
            .join(county)
            .join(name)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Copies `source` to `<year>/<county>/<name>`.
    pub fn add(&self, source: &Path, county: &str, name: &str) -> &Year {
        let dest = self.path(county, name);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(source, &dest).unwrap();
        self
    }

    /// A roster of `county` and the given townships, as a hierarchy file.
    pub fn roster(&self, rows: &[(&str, &str)]) -> PathBuf {
        let path = self.root().join("roster.csv");
        let mut text = String::from("city,district,township,aliases\n");
        for (county, township) in rows {
            text.push_str(&format!("测试市,{county},{township},\n"));
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `gongkai run` with a JSON report; returns (exit code, report).
    pub fn run(&self, roster: Option<&Path>) -> (i32, serde_json::Value) {
        let mut cmd = gongkai();
        cmd.arg("run")
            .arg(self.root())
            .arg("--out")
            .arg(self.out())
            .args(["--no-progress", "--format", "json"]);
        if let Some(r) = roster {
            cmd.arg("--hierarchy").arg(r);
        }
        let output = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON report ({e}); stdout: {stdout}\nstderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (output.status.code().unwrap_or(-1), report)
    }

    /// One file as 测试县/`name`, the only unit of the roster being 测试县/测试镇
    /// (the 填报单位 of the case fixtures): (exit code, report).
    pub fn one(source: &Path, name: &str) -> (Year, i32, serde_json::Value) {
        let year = Year::new();
        year.add(source, "测试县", name);
        let roster = year.roster(&[("测试县", "测试镇")]);
        let (code, report) = year.run(Some(&roster));
        (year, code, report)
    }

    /// The records the run wrote, read back from Parquet, with the
    /// categorical columns (names, labels, files) as plain text.
    pub fn records(&self) -> DataFrame {
        let file =
            std::fs::File::open(set_in(&self.out(), self.year).join("records.parquet")).unwrap();
        let frame = ParquetReader::new(file).finish().unwrap();
        let columns = frame
            .columns()
            .iter()
            .map(|c| match c.dtype() {
                DataType::Categorical(..) => c.cast(&DataType::String).unwrap(),
                _ => c.clone(),
            })
            .collect();
        DataFrame::new(frame.height(), columns).unwrap()
    }
}

/// `code → value` of one township's records.
pub fn values_of(records: &DataFrame, township: &str) -> HashMap<String, Option<f64>> {
    let t = records.column("township").unwrap().str().unwrap();
    let c = records.column("code").unwrap().str().unwrap();
    let v = records.column("value").unwrap().f64().unwrap();
    (0..records.height())
        .filter(|&i| t.get(i) == Some(township))
        .map(|i| (c.get(i).unwrap().to_string(), v.get(i)))
        .collect()
}

/// One column of the records for a township and code.
pub fn field(records: &DataFrame, township: &str, code: &str, column: &str) -> String {
    let t = records.column("township").unwrap().str().unwrap();
    let c = records.column("code").unwrap().str().unwrap();
    let f = records.column(column).unwrap().str().unwrap();
    (0..records.height())
        .find(|&i| t.get(i) == Some(township) && c.get(i) == Some(code))
        .and_then(|i| f.get(i))
        .unwrap_or_default()
        .to_string()
}

/// Expected values of a fixture form from `forms/values.csv`.
pub fn expected(fixture_name: &str) -> HashMap<String, Option<f64>> {
    expected_in(&form("values.csv"), fixture_name)
}

/// Expected values of a fixture from a `fixture,code,value` file.
pub fn expected_in(values_csv: &Path, fixture_name: &str) -> HashMap<String, Option<f64>> {
    let text = std::fs::read_to_string(values_csv).unwrap();
    let out: HashMap<String, Option<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[0] == fixture_name)
        .map(|f| {
            (
                f[1].to_string(),
                f.get(2)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.parse().unwrap()),
            )
        })
        .collect();
    assert_eq!(out.len(), 86, "values.csv has 86 rows for {fixture_name}");
    out
}

/// A cell of a return in run.json, by its code: its value and how many units
/// reported it.
pub fn cell<'a>(ret: &'a serde_json::Value, code: &str) -> (&'a serde_json::Value, u64) {
    let cell = ret["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no cell {code} in {ret:#}"));
    (&cell["value"], cell["reporting"].as_u64().unwrap())
}

/// Every value of a return in run.json, in the template's cell order.
pub fn values(ret: &serde_json::Value) -> Vec<serde_json::Value> {
    ret["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].clone())
        .collect()
}

/// The exit code a run's report calls for: 1 when it has an unexplained
/// error, 0 otherwise (no `--strict` here).
pub fn exit_code_for(report: &serde_json::Value) -> i32 {
    let errors = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error" && i["explained"].is_null())
        .count();
    i32::from(errors > 0)
}

/// The issues of a report with the given code.
pub fn issues<'a>(report: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == code)
        .collect()
}

/// A unit of run.json's `units` by its name.
pub fn unit_named<'a>(report: &'a serde_json::Value, township: &str) -> &'a serde_json::Value {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["township"] == township)
        .unwrap_or_else(|| panic!("no unit {township}"))
}

pub fn file_status<'a>(
    report: &'a serde_json::Value,
    file_end: &str,
) -> Option<&'a serde_json::Value> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with(file_end))
}

/// Writes a form in the official layout: every summed row 0, headings and
/// city-only rows blank, then `changes`.
pub fn form_with(path: &Path, changes: &[(&str, f64)]) {
    let changes: Vec<(&str, Option<f64>)> = changes.iter().map(|(c, v)| (*c, Some(*v))).collect();
    form_of("lps2018", path, &changes);
}

/// Writes a form of template `id` in the official layout: every summed cell
/// 0, then `changes` (`None` leaves a cell blank).
pub fn form_of(id: &str, path: &Path, changes: &[(&str, Option<f64>)]) {
    let t = Template::load(id).unwrap();
    let mut values: Vec<Option<f64>> = (0..t.cells().len())
        .map(|i| t.is_summed(i).then_some(0.0))
        .collect();
    for (code, v) in changes {
        values[t.position(code).unwrap()] = *v;
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let content = FormContent {
        unit_line: "填报单位:".into(),
        values: &values,
        footer: vec![("填报日期".into(), "2019年2月1日".into())],
        extra: None,
        typed: Vec::new(),
        notes: Vec::new(),
    };
    write_form(wb.add_worksheet(), &t, &content).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(path).unwrap();
}

/// A nat2021 form of one township with `T3R01C7` (and its parts) at `n`.
pub fn form_receiving(path: &Path, n: f64) {
    form_of(
        "nat2021",
        path,
        &[
            ("T3R01C1", Some(n)),
            ("T3R01C7", Some(n)),
            ("T3R03C1", Some(n)),
            ("T3R03C7", Some(n)),
            ("T3R24C1", Some(n)),
            ("T3R24C7", Some(n)),
        ],
    );
}

/// The return of `name` in a run's report: its value of `code`, 0 when blank.
pub fn return_value(report: &serde_json::Value, name: &str, code: &str) -> f64 {
    let ret = report["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap();
    cell(ret, code).0.as_f64().unwrap_or(0.0)
}

/// `source` with its zip part `part` changed by `edit`, as `dest`.
pub fn with_part(source: &Path, part: &str, dest: &Path, edit: impl Fn(&str) -> String) {
    let mut zip = ::zip::ZipArchive::new(std::fs::File::open(source).unwrap()).unwrap();
    let mut out = ::zip::ZipWriter::new(std::fs::File::create(dest).unwrap());
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        // Stored parts (an ods's `mimetype`) stay stored.
        let options =
            ::zip::write::SimpleFileOptions::default().compression_method(entry.compression());
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        let name = entry.name().unwrap().to_string();
        if name == part {
            bytes = edit(std::str::from_utf8(&bytes).unwrap()).into_bytes();
        }
        out.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut out, &bytes).unwrap();
    }
    out.finish().unwrap();
}

/// `gongkai run` on the sample year `year` of `inputs/`, writing to `out`;
/// its JSON report. The sample years exit 0 (their errors are explained).
pub fn run_sample(year: i32, out: &Path) -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    let output = gongkai()
        .arg("run")
        .arg(&root)
        .args(["--year", &year.to_string()])
        .args(["--no-progress", "--format", "json", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The office's set a run wrote in OUT/<year>: the one folder there, each
/// test running one office (a path that does not exist when there is none).
pub fn set_in(out: &Path, year: i32) -> PathBuf {
    let dir = out.join(year.to_string());
    let mut sets: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    assert!(
        sets.len() <= 1,
        "more than one set in {}: {sets:?}",
        dir.display()
    );
    sets.pop().unwrap_or_else(|| dir.join("(no set)"))
}

/// A 2018 form of zeros under `unit_line`, with these footer fields and
/// these cells typed as texts, the way a clerk fills one in.
pub fn form_written(path: &Path, unit_line: &str, footer: &[(&str, &str)], typed: &[(&str, &str)]) {
    let t = Template::load("lps2018").unwrap();
    let values: Vec<Option<f64>> = (0..t.cells().len())
        .map(|i| t.is_summed(i).then_some(0.0))
        .collect();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let content = FormContent {
        unit_line: unit_line.into(),
        values: &values,
        footer: footer
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        extra: None,
        typed: typed
            .iter()
            .map(|(code, text)| (t.position(code).unwrap(), text.to_string()))
            .collect(),
        notes: Vec::new(),
    };
    write_form(wb.add_worksheet(), &t, &content).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(path).unwrap();
}

/// Copies the folder `from` into `to`, files and folders alike.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The 2025 sample year as a province office holds it, under `root`: the
/// city's folder (its districts' folders and its departments' files) in
/// the province's year, the city's roster under the province's line, the
/// explanations beside it. The province's year folder.
pub fn sample_in_a_province(root: &Path) -> PathBuf {
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    let year = root.join("全省/2025");
    copy_tree(&inputs.join("2025"), &year.join("六盘水市"));
    for moved in ["名册.csv", "explanations.csv"] {
        std::fs::rename(year.join("六盘水市").join(moved), year.join(moved)).unwrap();
    }
    let roster = std::fs::read_to_string(year.join("名册.csv")).unwrap();
    let roster = roster.replacen('\n', "\n贵州省,六盘水市,下级,\n", 1);
    std::fs::write(year.join("名册.csv"), roster).unwrap();
    year
}
