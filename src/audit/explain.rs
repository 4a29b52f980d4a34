//! explanations.csv: the office's 说明 for findings it has looked at, like a
//! 强制上报 with a 说明 in 联网直报. An explained finding stays in the report,
//! marked with its explanation, and no longer counts toward the exit code.
//!
//! The file has a header and three columns, `unit,code,explanation`
//! (`单位,代码,说明` is accepted too). `unit` is a township as the roster or
//! people name it (`金盆乡`, `水城县/金盆乡`), a district for findings about a
//! district, or a file name for findings about a file; `code` is the
//! finding's code exactly (`SUM-R05`, `SWING-R07`). Excel saves CSV in GBK on
//! Chinese Windows, so a file that is not UTF-8 is read as GBK.

use std::path::Path;

use crate::findings::Issue;
use crate::findings::codes::Code;
use crate::input::roster::place_core;
use crate::text::decode_text;

use crate::input::discover::EXPLANATIONS as FILE_NAME;

#[derive(Debug, Clone)]
pub struct Explanation {
    pub unit: String,
    pub code: String,
    pub text: String,
    /// 1-based line in the file, for findings about the file itself.
    pub line: usize,
}

/// Reads an explanations file. Lines that cannot be used become findings;
/// a file that cannot be read at all is an error for the caller.
pub fn load(path: &Path) -> std::io::Result<(Vec<Explanation>, Vec<Issue>)> {
    let bytes = std::fs::read(path)?;
    if !looks_like_text(&bytes) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not a CSV file (it looks like a Word, Excel or other binary file); save it from Excel or WPS as CSV with the columns unit,code,explanation",
        ));
    }
    let text = decode_text(&bytes);
    let shown = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        // A quoted explanation may span lines: the reader knows where it starts.
        let line = match &record {
            Ok(r) => r.position().map_or(i + 2, |p| p.line() as usize),
            Err(_) => i + 2,
        };
        let bad = |why: &str| {
            Issue::new(
                Code::ExplanationInvalid,
                format!("第{line}行{why}，这一行没有使用；每行应为 unit,code,explanation（单位，代码，说明）"),
            )
            .file(&shown)
            .at(FILE_NAME, &format!("第{line}行"))
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(bad(&format!("无法读取（{e}）")));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |n: usize| record.get(n).unwrap_or("").to_string();
        // An explanation typed with commas and no quotes spans the rest of the line.
        let text = record.iter().skip(2).collect::<Vec<_>>().join(",");
        let (unit, code) = (field(0), field(1).to_ascii_uppercase());
        if unit.is_empty() || code.is_empty() || text.is_empty() {
            problems.push(bad("缺少单位、代码或说明"));
            continue;
        }
        out.push(Explanation {
            unit,
            code,
            text,
            line,
        });
    }
    Ok((out, problems))
}

/// Whether the bytes are text: no NUL, and none of the signatures of the
/// files an office might give by mistake (zip: docx/xlsx; OLE: doc/xls; PDF).
fn looks_like_text(bytes: &[u8]) -> bool {
    // UTF-16 (Notepad's "Unicode") says so in its first bytes, and is full
    // of zero bytes.
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return true;
    }
    let head = &bytes[..bytes.len().min(4096)];
    !head.contains(&0)
        && !head.starts_with(b"PK\x03\x04")
        && !head.starts_with(b"%PDF")
        && !head.starts_with(b"\xD0\xCF\x11\xE0")
}

/// Marks every finding an explanation names; explanations that name no
/// finding are reported, since a typo there leaves the finding unexplained.
pub fn apply(explanations: &[Explanation], issues: &mut Vec<Issue>, file: &str) {
    let mut used = vec![false; explanations.len()];
    for issue in issues.iter_mut() {
        if let Some((n, e)) = explanations
            .iter()
            .enumerate()
            .find(|(_, e)| e.code == issue.code.as_str() && names(&e.unit, issue))
        {
            issue.explained = Some(e.text.clone());
            used[n] = true;
        }
    }
    for (e, _) in explanations.iter().zip(used).filter(|(_, u)| !u) {
        issues.push(
            Issue::new(
                Code::ExplanationUnused,
                format!(
                    "第{}行的说明（{} {}）没有对应的问题：单位或代码可能写错了，或问题已更正",
                    e.line, e.unit, e.code
                ),
            )
            .file(file)
            .at(FILE_NAME, &format!("第{}行", e.line)),
        );
    }
}

/// Whether `unit` (as the office wrote it) names the finding's unit or file.
fn names(unit: &str, issue: &Issue) -> bool {
    if let Some(file) = &issue.file {
        let file_name = file.rsplit(['/', '\\']).next().unwrap_or("");
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
        if unit == file || unit == file_name || unit == stem {
            return true;
        }
    }
    let same =
        |a: &str, b: &Option<String>| b.as_deref().is_some_and(|b| place_core(a) == place_core(b));
    match unit.split_once(['/', '／']) {
        Some((district, township)) => {
            same(district, &issue.district) && same(township, &issue.township)
        }
        None if issue.township.is_none() => same(unit, &issue.district),
        None => same(unit, &issue.township),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;

    fn issue(district: &str, township: &str, file: &str) -> Issue {
        Issue::rule(Severity::Error, "SUM-R05", "x")
            .unit(district, township)
            .file(file)
    }

    #[test]
    fn an_explanations_file_saved_as_utf16_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let text = "unit,code,explanation\n甲镇,SUM-R05,已核实\n";
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        std::fs::write(&path, utf16).unwrap();
        let (found, problems) = load(&path).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "SUM-R05");
    }

    #[test]
    fn units_are_named_as_people_name_them() {
        let i = issue("水城县", "金盆苗族彝族乡", "水城县/金盆乡人民政府.xlsx");
        assert!(names("金盆乡", &i));
        assert!(names("金盆苗族彝族乡", &i));
        assert!(names("水城县/金盆乡", &i));
        assert!(names("金盆乡人民政府.xlsx", &i));
        assert!(!names("钟山区/金盆乡", &i));
        assert!(!names("木果镇", &i));
        let district = Issue::rule(Severity::Warning, "X", "x").unit("水城县", "");
        assert!(names("水城县", &district));
    }

    #[test]
    fn gbk_files_are_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("单位,代码,说明\n金盆乡,SUM-R05,原表如此\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, &gbk).unwrap();
        let (found, problems) = load(&path).unwrap();
        assert!(problems.is_empty());
        assert_eq!(found[0].unit, "金盆乡");
        assert_eq!(found[0].text, "原表如此");
    }

    #[test]
    fn a_file_that_is_not_a_csv_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("说明.docx");
        std::fs::write(&path, b"PK\x03\x04\x14\x00\x06\x00word/document.xml").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("not a CSV file"), "{err}");
    }

    #[test]
    fn unused_and_incomplete_lines_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "unit,code,explanation\n金盆乡,SUM-R05,\"原表如此,已核实\"\n木果镇,SUM-R05\n发耳镇,sum-r38,已核实,无误\n").unwrap();
        let (found, problems) = load(&path).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].text, "原表如此,已核实", "quoted commas");
        assert_eq!(found[1].code, "SUM-R38", "codes are upper-cased");
        assert_eq!(
            found[1].text, "已核实,无误",
            "an unquoted comma stays in the text"
        );
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("第3行"),
            "{}",
            problems[0].message
        );
        let mut issues = vec![issue("水城县", "金盆苗族彝族乡", "a.xlsx")];
        apply(&found, &mut issues, "explanations.csv");
        assert_eq!(issues[0].explained.as_deref(), Some("原表如此,已核实"));
        assert_eq!(issues[1].code, Code::ExplanationUnused);
        assert!(issues[1].message.contains("第4行"));
    }
}
