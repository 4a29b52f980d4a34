//! Output file names made from names the inputs supply.
//!
//! A district's or city's name comes from the roster or a form, and the
//! roster may come from anyone: `../../x` or `CON` must not become a path
//! that leaves OUT/<year> or a file a shared Windows folder cannot hold.
//! Every output's name is made here, and every output's path is checked to
//! be one plain name inside the folder it is written to.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::WriteError;
use crate::text::cut;
pub use crate::text::safe_name;

/// Bytes a whole output file name may take: 255, less the temporary
/// `.gongkai-….part` it is first written as.
const MAX_FILE_BYTES: usize = 255 - ".gongkai-".len() - ".part".len();

/// A name that had to change to become part of a file name, for 说明 and
/// run.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// The name as the roster or form gives it.
    pub name: String,
    /// The file it is written as.
    pub file: String,
}

/// `dir/file`, provided `file` is one plain name: never a path that would
/// leave `dir`.
pub fn inside(dir: &Path, file: &str) -> Result<PathBuf, WriteError> {
    let mut parts = Path::new(file).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => Ok(dir.join(file)),
        _ => Err(WriteError::Outside {
            dir: dir.display().to_string(),
            file: file.to_string(),
        }),
    }
}

/// The first of a name, the name with `(2)`, with `(3)` … that `free`
/// accepts; `with` makes each from its suffix (`""`, `"(2)"` …).
pub(crate) fn numbered(with: impl Fn(&str) -> String, free: impl Fn(&str) -> bool) -> String {
    (1..)
        .map(|n| match n {
            1 => with(""),
            n => with(&format!("({n})")),
        })
        .find(|name| free(name))
        .expect("some number is free")
}

/// The file names of one run's outputs: each made safe and none twice.
#[derive(Debug, Default)]
pub struct FileNames {
    taken: HashSet<String>,
    renamed: Vec<Renamed>,
}

impl FileNames {
    /// The file for `name` with `rest` after it (`_2018_统计表.xlsx`): the
    /// safe name, with `(2)`, `(3)` … when another output has it already.
    pub fn file(&mut self, name: &str, rest: &str) -> String {
        let safe = safe_name(name);
        let file = numbered(
            |suffix| {
                // The whole name, its temporary form included, within the
                // bytes a file name may have: the name gives way, not `(2)`.
                let room = MAX_FILE_BYTES.saturating_sub(rest.len() + suffix.len());
                format!("{}{suffix}{rest}", cut(&safe, room))
            },
            |f| !self.taken.contains(f),
        );
        self.taken.insert(file.clone());
        if file != format!("{name}{rest}") {
            self.renamed.push(Renamed {
                name: name.to_string(),
                file: file.clone(),
            });
        }
        file
    }
}

/// The files of a run named after its city and districts.
#[derive(Debug)]
pub struct RunFiles {
    /// `<city>_<year>_汇总.xlsx`.
    pub analysis: String,
    /// Each return's files, in the order given.
    pub returns: Vec<ReturnFiles>,
    pub renamed: Vec<Renamed>,
}

/// The files of one return.
#[derive(Debug)]
pub struct ReturnFiles {
    /// `<name>_<year>_统计表.xlsx`.
    pub sheet: String,
    /// `<name>_<year>_政府信息公开工作年度报告（草稿）.docx`.
    pub draft: String,
}

impl RunFiles {
    pub fn of<'a>(
        city: &str,
        returns: impl Iterator<Item = &'a str> + Clone,
        year: i32,
    ) -> RunFiles {
        let mut names = FileNames::default();
        let analysis = names.file(city, &format!("_{year}_汇总.xlsx"));
        let rest = format!("_{year}_统计表.xlsx");
        let draft = format!("_{year}_政府信息公开工作年度报告（草稿）.docx");
        let returns = returns
            .map(|name| ReturnFiles {
                sheet: names.file(name, &rest),
                draft: names.file(name, &draft),
            })
            .collect();
        RunFiles {
            analysis,
            returns,
            renamed: names.renamed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::UNNAMED;
    use std::borrow::Cow;

    #[test]
    fn two_long_names_that_make_one_file_name_both_fit_with_their_number() {
        let draft = "_2025_政府信息公开工作年度报告（草稿）.docx";
        let (one, two) = ("区".repeat(70) + "甲", "区".repeat(70) + "乙");
        let mut names = FileNames::default();
        let first = names.file(&one, draft);
        let second = names.file(&two, draft);
        assert_ne!(first, second);
        assert!(second.contains("(2)"), "{second}");
        for f in [&first, &second] {
            let temporary = format!(".gongkai-{f}.part");
            assert!(temporary.len() <= 255, "{} bytes", temporary.len());
        }
    }

    #[test]
    fn a_plain_chinese_name_is_kept_as_it_is() {
        assert!(matches!(safe_name("六盘水市"), Cow::Borrowed("六盘水市")));
        assert!(matches!(safe_name("钟山区"), Cow::Borrowed(_)));
    }

    #[test]
    fn no_name_can_climb_out_of_its_folder() {
        assert_eq!(safe_name("../../evildist"), "_.._evildist");
        assert_eq!(safe_name(".."), UNNAMED);
        assert_eq!(safe_name("/etc/passwd"), "_etc_passwd");
        assert_eq!(safe_name("..\\..\\x"), "_.._x");
        assert_eq!(safe_name("C:\\x"), "C__x");
    }

    #[test]
    fn characters_windows_refuses_and_control_characters_are_replaced() {
        assert_eq!(safe_name("a<b>c:d\"e|f?g*h"), "a_b_c_d_e_f_g_h");
        assert_eq!(safe_name("水城\n县\t"), "水城_县_");
        assert_eq!(safe_name("甲\u{202E}xslx.exe"), "甲_xslx.exe");
        assert_eq!(safe_name(" 钟山区. "), "钟山区");
    }

    #[test]
    fn windows_device_names_are_prefixed() {
        assert_eq!(safe_name("CON"), "_CON");
        assert_eq!(safe_name("nul"), "_nul");
        assert_eq!(safe_name("com1.txt"), "_com1.txt");
        assert_eq!(safe_name("CONTROL"), "CONTROL");
    }

    #[test]
    fn a_long_name_is_cut_at_a_character_boundary() {
        let long = "很".repeat(100); // 300 bytes
        let safe = safe_name(&long);
        assert_eq!(safe.len(), 180);
        assert!(safe.chars().all(|c| c == '很'));
    }

    #[test]
    fn two_names_that_become_one_file_are_told_apart_and_both_listed() {
        let mut names = FileNames::default();
        assert_eq!(
            names.file("甲/乙", "_2018_统计表.xlsx"),
            "甲_乙_2018_统计表.xlsx"
        );
        assert_eq!(
            names.file("甲:乙", "_2018_统计表.xlsx"),
            "甲_乙(2)_2018_统计表.xlsx"
        );
        assert_eq!(names.file("丙", "_2018_统计表.xlsx"), "丙_2018_统计表.xlsx");
        let renamed: Vec<&str> = names.renamed.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(renamed, ["甲/乙", "甲:乙"]);
    }

    #[test]
    fn a_path_that_is_not_one_plain_name_is_refused() {
        let dir = Path::new("/out/2018");
        assert_eq!(inside(dir, "a.xlsx").unwrap(), dir.join("a.xlsx"));
        for bad in ["../a.xlsx", "/etc/passwd", "a/b.xlsx", "..", ".", ""] {
            assert!(inside(dir, bad).is_err(), "{bad}");
        }
    }
}
