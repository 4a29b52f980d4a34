//! Who should report: the township-level units of a city for the data year,
//! and matching a file's name to one of them.
//!
//! Official names and the names people use differ: `金盆苗族彝族乡` is called
//! `金盆乡`, its file arrives as `金盆乡人民政府.xlsx`; 2018 division codes call
//! 钟山区's urban units `…社区服务中心` and 盘州市's `…街道办事处`, later ones
//! `…街道`. Matching compares the place name alone, with those parts removed.

use std::collections::HashMap;
use std::path::Path;

use crate::input::tree::{DEEPEST, Shape, Tree};
use crate::text::{decode_text, normalize_label};

/// The 六盘水 township-level units at six dates, from the national division codes.
const LIUPANSHUI: &str = include_str!("../../data/liupanshui_divisions.csv");

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("无法读取名册 {path}：{source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("名册 {path} 第 {line} 行：{message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

pub use crate::form::UnitKind;

#[derive(Debug, Clone)]
pub struct Unit {
    /// The office it reports to: a district, or for the top office's own
    /// departments and government the top office itself.
    pub district: String,
    pub township: String,
    pub kind: UnitKind,
    /// Other names the unit goes by, from the hierarchy file.
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Roster {
    pub city: String,
    /// Where the list came from, for the report.
    pub source: String,
    pub units: Vec<Unit>,
    /// Units by every normalized name and by bare place name, built once so
    /// matching a file costs a lookup, not a pass over the roster.
    by_name: HashMap<String, Vec<usize>>,
    by_core: HashMap<String, Vec<usize>>,
    /// The offices, the city at the top.
    pub tree: Tree,
    /// The offices below the top by their bare names (`水城`), in tree order.
    office_by_core: HashMap<String, Vec<String>>,
    /// The offices below the top by their names as labels are compared.
    office_by_name: HashMap<String, String>,
}

/// What a folder below the year folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Folder {
    /// An office's files: its own units' and its lower offices' returns.
    Office(String),
    /// One unit's files (by its index in the roster).
    Unit(usize),
}

/// How a file name was matched to a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// The file is named exactly as the roster names the unit.
    Exact,
    /// The same place under another form of its name (`金盆乡人民政府` → `金盆苗族彝族乡`).
    SameName(String),
    /// The place name appears inside a longer file name (`2018年金盆乡统计表`).
    Contained(String),
}

impl Roster {
    /// The embedded 六盘水 list in force for a data year: the latest list dated
    /// in or before that year (the 2018-10-31 list for 2018 data; for years
    /// after the last list, the last list, and the source says so).
    pub fn liupanshui(year: i32) -> Roster {
        let mut rows: Vec<Vec<&str>> = LIUPANSHUI
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f.len() == 7)
            .collect();
        let dates: Vec<&str> = {
            let mut d: Vec<&str> = rows.iter().map(|f| f[0]).collect();
            d.dedup();
            d
        };
        let wanted = year.to_string();
        let as_of = dates
            .iter()
            .rev()
            .find(|d| &d[..4] <= wanted.as_str())
            .or(dates.first())
            .copied()
            .unwrap_or_default()
            .to_string();
        rows.retain(|f| f[0] == as_of);
        let latest = dates.last().is_some_and(|d| *d == as_of);
        let source = if latest && as_of.get(..4).is_some_and(|y| y < wanted.as_str()) {
            format!(
                "内置六盘水市区划 {as_of}（最新一份；{year} 年的区划如有变动，请用 --hierarchy）"
            )
        } else {
            format!("内置六盘水市区划 {as_of}")
        };
        Roster::new(
            rows.first().map(|f| f[2].to_string()).unwrap_or_default(),
            source,
            rows.iter()
                .map(|f| Unit {
                    district: f[4].to_string(),
                    township: f[6].to_string(),
                    kind: UnitKind::Township,
                    aliases: Vec::new(),
                })
                .collect(),
            None,
        )
        .expect("the built-in roster is a city of districts")
    }

    /// A roster from a CSV file, in UTF-8 or as Excel saves it on a Chinese
    /// Windows (GBK), in either of two forms:
    ///
    /// - `office,unit,kind[,aliases]` (or `上级,单位,类别,别名`): each unit with
    ///   the office it reports to and its kind (乡镇, 部门, 本级, 下级); the
    ///   top office is the one that reports to no other. Its lower offices'
    ///   units, its own departments and its government are listed alike.
    /// - `city,district,township[,aliases]`: townships by district, as
    ///   rosters were before kinds (every unit a township).
    ///
    /// Aliases are separated by `|` or `;`. A first line naming the columns
    /// is skipped.
    pub fn from_csv(path: &Path) -> Result<Roster, RosterError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| RosterError::Io {
            path: shown.clone(),
            source,
        })?;
        let text = decode_text(&bytes);
        let invalid = |line: usize, message: String| RosterError::Invalid {
            path: shown.clone(),
            line,
            message,
        };
        if let Some(bad) = text.lines().position(|l| l.contains('\u{FFFD}')) {
            return Err(invalid(
                bad + 1,
                "文件既不是 UTF-8 也不是 GBK 文本，名称无法读取；请用 Excel 或 WPS 另存为 CSV"
                    .into(),
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut lines: Vec<(usize, Vec<String>)> = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| invalid(i + 1, e.to_string()))?;
            let line = record.position().map_or(i + 1, |p| p.line() as usize);
            if record.iter().all(str::is_empty) {
                continue;
            }
            lines.push((line, record.iter().map(String::from).collect()));
        }
        let first = lines.first().map(|(_, f)| f[0].to_lowercase());
        let kinds = match first.as_deref() {
            Some("office" | "上级" | "上级单位") => true,
            Some("city") => false,
            // No header: kinds when the third column holds them.
            _ => lines
                .iter()
                .any(|(_, f)| f.get(2).is_some_and(|k| UnitKind::parse(k).is_some())),
        };
        if matches!(
            first.as_deref(),
            Some("office" | "上级" | "上级单位" | "city")
        ) {
            lines.remove(0);
        }
        let aliases = |f: &[String]| -> Vec<String> {
            f.get(3)
                .map(String::as_str)
                .unwrap_or("")
                .split(['|', ';'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect()
        };
        let field = |f: &[String], n: usize| f.get(n).cloned().unwrap_or_default();
        let (city, units, lower) = if kinds {
            by_office(&lines, &invalid, &aliases)?
        } else {
            let mut units = Vec::new();
            for (line, f) in &lines {
                if (0..3).any(|n| field(f, n).is_empty()) {
                    return Err(invalid(
                        *line,
                        "每行应为 city,district,township[,aliases]（市，区县，乡镇，别名）".into(),
                    ));
                }
                units.push(Unit {
                    district: field(f, 1),
                    township: field(f, 2),
                    kind: UnitKind::Township,
                    aliases: aliases(f),
                });
            }
            let city = lines.first().map(|(_, f)| field(f, 0)).unwrap_or_default();
            (city, units, None)
        };
        if units.is_empty() && lower.as_ref().is_none_or(Vec::is_empty) {
            return Err(invalid(1, "名册中没有单位".into()));
        }
        Roster::new(city, shown.clone(), units, lower).map_err(|shape| {
            let message = match shape {
                Shape::Cycle(offices) if offices.len() > 5 => format!(
                    "{} 等 {} 个单位互为上级，无法确定先汇总哪一级",
                    offices[..5].join("、"),
                    offices.len()
                ),
                Shape::Cycle(offices) => {
                    format!("{} 互为上级，无法确定先汇总哪一级", offices.join("、"))
                }
                Shape::TooDeep { office, depth } => {
                    format!("{office} 在最上级单位之下第 {depth} 层；名册的上下级最多 {DEEPEST} 层")
                }
            };
            invalid(1, message)
        })
    }

    /// `lower`: each office below another and the office above it, in
    /// roster order, as a roster with kinds lists them (with or without
    /// units of their own); `None` for a roster of townships by district,
    /// whose districts are the offices below its city.
    fn new(
        city: String,
        source: String,
        units: Vec<Unit>,
        lower: Option<Vec<(String, String)>>,
    ) -> Result<Roster, Shape> {
        let (by_name, by_core) = names_of(&units);
        let edges = lower.unwrap_or_else(|| {
            units
                .iter()
                .map(|u| (city.clone(), u.district.clone()))
                .collect()
        });
        let tree = Tree::new(city.clone(), &edges)?;
        let mut office_by_core: HashMap<String, Vec<String>> = HashMap::new();
        let mut office_by_name = HashMap::new();
        for office in tree.offices() {
            office_by_name
                .entry(normalize_label(office))
                .or_insert_with(|| office.clone());
            office_by_core
                .entry(district_core(office))
                .or_default()
                .push(office.clone());
        }
        Ok(Roster {
            city,
            source,
            units,
            by_name,
            by_core,
            tree,
            office_by_core,
            office_by_name,
        })
    }

    /// The roster of one office, for a run on that office's folder: its
    /// own units and those of the offices below it; the whole roster when
    /// the office is not in it (the run then says so).
    pub fn within(mut self, folders: &[String]) -> Roster {
        let Some(office) = self.office_of_folders(folders) else {
            return self;
        };
        let tree = &self.tree;
        self.units.retain(|u| tree.within(&u.district, &office));
        self.source = format!("{}（仅{office}）", self.source);
        // The names are looked up again in the units kept.
        (self.by_name, self.by_core) = names_of(&self.units);
        self
    }

    /// The office a chain of folders below the year folder stands for,
    /// each folder inside the office of the one before it: `水城` or
    /// `水城县` → 水城县, `六盘水市/水城区` → 水城区 in a province's year. A
    /// folder named for the office it is in, or 本级 or …直部门, holds that
    /// office's own units' files.
    pub fn office_of_folders(&self, folders: &[String]) -> Option<String> {
        let mut at = self.city.clone();
        for folder in folders {
            at = self.office_in_folder(&at, folder)?;
        }
        Some(at)
    }

    /// What a chain of folders below the year folder holds: an office's
    /// files (see [`Roster::office_of_folders`]), or, as its last folder,
    /// one unit's (`水城区/以朵街道/`: the office keeps a folder per unit),
    /// a unit of the office the folders lead to or of one below it.
    pub fn folder_of(&self, folders: &[String]) -> Option<Folder> {
        if let Some(office) = self.office_of_folders(folders) {
            return Some(Folder::Office(office));
        }
        let (last, above) = folders.split_last()?;
        let office = self.office_of_folders(above)?;
        let (unit, how) = self.match_name(last, Some(&office))?;
        let named = matches!(how, NameMatch::Exact | NameMatch::SameName(_));
        (named && self.tree.within(&self.units[unit].district, &office))
            .then_some(Folder::Unit(unit))
    }

    fn office_in_folder(&self, office: &str, folder: &str) -> Option<String> {
        let name = normalize_label(folder);
        let own = name == normalize_label(office) || own_units_folder(&name);
        if own && self.units.iter().any(|u| u.district == office) {
            return Some(office.to_string());
        }
        // Two offices with the same bare name: the first below `office`.
        self.office_by_core
            .get(&district_core(folder))?
            .iter()
            .find(|o| *o != office && self.tree.within(o, office))
            .cloned()
    }

    /// The office below `within` a file in `within`'s folder is the return
    /// of, by a name that begins with the office's (`水城区.xlsx`,
    /// `水城区_2025_统计表.xlsx`, `水城区2025年政府信息公开工作年度报告.docx`)
    /// and names no unit after it (`水城区米箩镇.xlsx` is 米箩镇's form).
    pub fn office_named(&self, stem: &str, within: &str) -> Option<String> {
        // Most files are in a district's folder, with no office below it.
        if !self.tree.has_below(within) {
            return None;
        }
        let stem = normalize_label(stem);
        let below = |office: &&String| *office != within && self.tree.within(office, within);
        let ends: Vec<usize> = stem
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .rev()
            .collect();
        // The longest beginning of the name that is an office below
        // `within` by its full name, or failing that by a short one that
        // ends as an area's name does (`威宁县`, `黔南州`): a lookup per
        // character, not a pass over the offices.
        let by_name = || {
            ends.iter().find_map(|&end| {
                let office = self.office_by_name.get(&stem[..end]).filter(below)?;
                Some((office, end))
            })
        };
        let by_short = || {
            ends.iter().find_map(|&end| {
                let short = &stem[..end];
                if !AREAS.iter().any(|(s, _)| short.ends_with(s)) {
                    return None;
                }
                let offices = self.office_by_core.get(&district_core(short))?;
                Some((offices.iter().find(below)?, end))
            })
        };
        let (office, end) = by_name().or_else(by_short)?;
        let rest = &stem[end..];
        // `六盘水市水城区.xlsx` is 水城区's return, not the city's.
        if let Some(below) = self.office_named(rest, office) {
            return Some(below);
        }
        match self.match_name(rest, Some(office)) {
            Some(_) => None,
            None => Some(office.clone()),
        }
    }

    /// The unit a file stem names: by its exact name, then by the same
    /// place name (`金盆乡人民政府` → `金盆苗族彝族乡`), then by a place name
    /// inside a longer file name (longest wins). Units of the folder's
    /// district are preferred when a place name occurs in two districts.
    pub fn match_name(&self, stem: &str, district: Option<&str>) -> Option<(usize, NameMatch)> {
        let prefer = |candidates: &[usize]| {
            candidates
                .iter()
                .copied()
                .max_by_key(|&i| Some(self.units[i].district.as_str()) == district)
        };
        let stem = normalize_label(stem);
        if let Some(i) = self.by_name.get(&stem).and_then(|c| prefer(c)) {
            return Some((i, NameMatch::Exact));
        }
        let core = place_core(&stem);
        if let Some(i) = self.by_core.get(&core).and_then(|c| prefer(c)) {
            return Some((i, NameMatch::SameName(core)));
        }
        let (core, units) = self
            .by_core
            .iter()
            .filter(|(core, _)| core.chars().count() >= 2 && stem.contains(core.as_str()))
            .max_by_key(|(core, units)| {
                (
                    core.chars().count(),
                    units
                        .iter()
                        .any(|&i| Some(self.units[i].district.as_str()) == district),
                    *core,
                )
            })?;
        Some((prefer(units)?, NameMatch::Contained(core.clone())))
    }
}

/// Whether a folder's name (normalized) is what offices call a folder of
/// their own units: 本级, 部门, 市直部门, 区直单位, 县级部门, 直属机构, or
/// 乡镇（街道） for a district office's townships.
fn own_units_folder(name: &str) -> bool {
    const NAMES: &[&str] = &["本级", "部门", "乡镇", "街道", "乡镇街道", "乡镇(街道)"];
    const ENDINGS: &[&str] = &[
        "直部门",
        "直单位",
        "直机关",
        "级部门",
        "级单位",
        "直属机构",
        "直属单位",
    ];
    NAMES.contains(&name) || ENDINGS.iter().any(|e| name.ends_with(e))
}

/// Each unit by every normalized name and by bare place name.
#[allow(clippy::type_complexity)]
fn names_of(units: &[Unit]) -> (HashMap<String, Vec<usize>>, HashMap<String, Vec<usize>>) {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_core: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        for name in std::iter::once(&u.township).chain(&u.aliases) {
            let name = normalize_label(name);
            by_core.entry(place_core(&name)).or_default().push(i);
            by_name.entry(name).or_default().push(i);
        }
    }
    (by_name, by_core)
}

/// The units of an `office,unit,kind[,aliases]` roster, its top office and
/// each office below another with the office above it, at any depth (a
/// province's cities, their districts, their townships).
#[allow(clippy::type_complexity)]
fn by_office(
    lines: &[(usize, Vec<String>)],
    invalid: &dyn Fn(usize, String) -> RosterError,
    aliases: &dyn Fn(&[String]) -> Vec<String>,
) -> Result<(String, Vec<Unit>, Option<Vec<(String, String)>>), RosterError> {
    let mut parsed = Vec::new();
    for (line, f) in lines {
        let get = |n: usize| f.get(n).map(String::as_str).unwrap_or("");
        if get(0).is_empty() || get(1).is_empty() {
            return Err(invalid(
                *line,
                "每行应为 office,unit,kind[,aliases]（上级，单位，类别，别名）".into(),
            ));
        }
        let kind = UnitKind::parse(get(2)).ok_or_else(|| {
            invalid(
                *line,
                format!("类别“{}”不是 乡镇、街道、部门、本级 或 下级 之一", get(2)),
            )
        })?;
        parsed.push((
            *line,
            get(0).to_string(),
            get(1).to_string(),
            kind,
            aliases(f),
        ));
    }
    // Each lower office and the office above it: one office above each.
    let mut lowers: HashMap<String, String> = HashMap::new();
    for (line, office, unit, ..) in parsed.iter().filter(|p| p.3 == UnitKind::Lower) {
        match lowers.get(unit) {
            Some(above) if above != office => {
                return Err(invalid(
                    *line,
                    format!(
                        "{unit} 已列为 {above} 的下级，不能又是 {office} 的下级；如是两个同名的单位，请把其中一个写成带上级的名称（如 {office}{unit}），文件夹也用这个名称"
                    ),
                ));
            }
            _ => {
                lowers.insert(unit.clone(), office.clone());
            }
        }
    }
    let mut tops: Vec<&str> = parsed
        .iter()
        .map(|p| p.1.as_str())
        .filter(|o| !lowers.contains_key(*o))
        .collect();
    tops.sort();
    tops.dedup();
    let [top] = tops.as_slice() else {
        let message = match tops.as_slice() {
            [a, b, ..] => format!(
                "名册应只有一个最上级单位（不是任何单位的下级），现有 {}；如{b}是{a}的下级，请加一行 `{a},{b},下级`",
                tops.join("、")
            ),
            _ => "名册中每个上级单位都又是别的单位的下级，没有最上级单位；请检查“下级”各行，删去把最上级单位列为下级的那一行".to_string(),
        };
        return Err(invalid(1, message));
    };
    let top = top.to_string();
    let mut lower = Vec::new();
    let mut units = Vec::new();
    for (_, office, unit, kind, aliases) in parsed {
        // Every office but the top is a lower office (else it would be a
        // second top, refused above), at any depth below the top.
        if kind == UnitKind::Lower {
            lower.push((office, unit));
            continue;
        }
        units.push(Unit {
            district: office,
            township: unit,
            kind,
            aliases,
        });
    }
    Ok((top, units, Some(lower)))
}

/// Words that follow the place name in a unit's official or everyday name,
/// longest first so that `街道办事处` goes before `街道`.
const UNIT_SUFFIXES: &[&str] = &[
    "人民政府",
    "街道办事处",
    "社区服务中心",
    "办事处",
    "政府",
    "街道",
    "社区",
    "乡",
    "镇",
];

/// The ethnic groups named in Guizhou's (and most) ethnic townships' names.
const ETHNIC: &[&str] = &[
    "布依",
    "仡佬",
    "土家",
    "毛南",
    "蒙古",
    "维吾尔",
    "哈萨克",
    "苗",
    "彝",
    "回",
    "白",
    "水",
    "侗",
    "壮",
    "瑶",
    "满",
    "藏",
    "黎",
    "傣",
    "羌",
    "畲",
    "仫佬",
    "京",
];

/// The bare place name: `金盆苗族彝族乡人民政府` → `金盆`, `建设路社区服务中心` → `建设路`.
pub fn place_core(name: &str) -> String {
    let mut s = normalize_label(name);
    let mut changed = true;
    while changed {
        changed = false;
        for suffix in UNIT_SUFFIXES {
            if let Some(rest) = s.strip_suffix(suffix)
                && !rest.is_empty()
            {
                s = rest.to_string();
                changed = true;
                break;
            }
        }
    }
    // Ethnic designations sit between the place name and 乡/镇: 金盆|苗族彝族|乡.
    without_ethnic(s)
}

/// A place name without the ethnic groups named after it: 金盆苗族彝族 → 金盆.
fn without_ethnic(mut s: String) -> String {
    while let Some(rest) = s.strip_suffix('族') {
        match ETHNIC
            .iter()
            .find(|e| rest.ends_with(*e) && rest.len() > e.len())
        {
            Some(e) => s = rest[..rest.len() - e.len()].to_string(),
            None => break,
        }
    }
    s
}

/// The words that end an area's name, longest first, and how a return
/// names the whole area (六盘水市 → 全市, 六枝特区 → 全区).
const AREAS: &[(&str, &str)] = &[
    ("自治区", "全区"),
    ("自治州", "全州"),
    ("自治县", "全县"),
    ("自治旗", "全旗"),
    ("特区", "全区"),
    ("地区", "全区"),
    ("省", "全省"),
    ("区", "全区"),
    ("县", "全县"),
    ("市", "全市"),
    ("州", "全州"),
    ("旗", "全旗"),
    ("盟", "全盟"),
];

/// How a return names the whole of an office's area, by the kind of area
/// its name ends in: 六盘水市 → 全市, 六枝特区 → 全区, 威宁彝族回族苗族自治县 →
/// 全县, 贵州省 → 全省.
pub fn area_word(name: &str) -> &'static str {
    let name = name.trim();
    AREAS
        .iter()
        .find(|(end, _)| name.ends_with(end))
        .map_or("全部", |(_, word)| word)
}

/// The bare name of an office's area, as folders and files shorten it:
/// `水城县` and `水城区` → `水城`, `威宁彝族回族苗族自治县` and `威宁县` → `威宁`,
/// `黔南布依族苗族自治州` and `黔南州` → `黔南`.
fn district_core(name: &str) -> String {
    let s = normalize_label(name);
    for (suffix, _) in AREAS {
        if let Some(rest) = s.strip_suffix(suffix)
            && rest.chars().count() >= 2
        {
            return without_ethnic(rest.to_string());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2018_list_is_used_for_2018_data() {
        let r = Roster::liupanshui(2018);
        assert_eq!(r.city, "六盘水市");
        assert!(r.source.contains("2018-10-31"), "{}", r.source);
        assert_eq!(r.units.len(), 93);
        assert_eq!(r.tree.offices(), ["钟山区", "六枝特区", "水城县", "盘州市"]);
        // 2020: 水城县 became 水城区.
        assert!(
            Roster::liupanshui(2021)
                .tree
                .offices()
                .contains(&"水城区".to_string())
        );
        // After the last list, the last list, said.
        let latest = Roster::liupanshui(2025);
        assert!(
            latest.source.contains("2022-10-31（最新一份"),
            "{}",
            latest.source
        );
        assert!(!Roster::liupanshui(2022).source.contains("最新"));
    }

    #[test]
    fn a_roster_saved_by_excel_on_a_chinese_windows_is_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode(
            "city,district,township,aliases\n六盘水市,水城区,\"金盆乡\",金盆|金盆苗族彝族乡\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.csv");
        std::fs::write(&path, &gbk).unwrap();
        let r = Roster::from_csv(&path).unwrap();
        assert_eq!(r.city, "六盘水市");
        assert_eq!(r.units[0].township, "金盆乡");
        assert_eq!(r.units[0].aliases, ["金盆", "金盆苗族彝族乡"]);
        std::fs::write(&path, "city,district,township\n六盘水市,,金盆乡\n").unwrap();
        let err = Roster::from_csv(&path).unwrap_err().to_string();
        assert!(err.contains("第 2 行"), "{err}");
    }

    fn roster_of(text: &str) -> Result<Roster, RosterError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("名册.csv");
        std::fs::write(&path, text).unwrap();
        Roster::from_csv(&path)
    }

    #[test]
    fn a_roster_with_kinds_names_each_unit_with_its_office_and_kind() {
        let r = roster_of(
            "office,unit,kind,aliases\n\
             六盘水市,水城区,下级,\n\
             六盘水市,钟山区,下级,\n\
             水城区,以朵街道,街道,\n\
             水城区,水城区教育局,部门,区教育局\n\
             六盘水市,六盘水市教育局,部门,市教育局\n\
             六盘水市,六盘水市人民政府办公室,本级,市政府办|市政府办公室\n",
        )
        .unwrap();
        assert_eq!(r.city, "六盘水市");
        // 钟山区 has no unit listed and is still an office below the city.
        assert_eq!(r.tree.offices(), ["水城区", "钟山区"]);
        let kinds: Vec<(&str, &str, UnitKind)> = r
            .units
            .iter()
            .map(|u| (u.district.as_str(), u.township.as_str(), u.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("水城区", "以朵街道", UnitKind::Township),
                ("水城区", "水城区教育局", UnitKind::Department),
                ("六盘水市", "六盘水市教育局", UnitKind::Department),
                ("六盘水市", "六盘水市人民政府办公室", UnitKind::Government),
            ]
        );
        assert_eq!(r.units[3].aliases, ["市政府办", "市政府办公室"]);
        // The city's own units' files may sit in a folder of their own.
        assert_eq!(
            r.office_of_folders(&["市直部门".into()]).as_deref(),
            Some("六盘水市")
        );
        assert_eq!(
            r.office_of_folders(&["水城".into()]).as_deref(),
            Some("水城区")
        );
        // A district office's roster: its townships, departments and itself.
        let district =
            roster_of("上级,单位,类别\n水城区,以朵街道,乡镇\n水城区,水城区人民政府办公室,本级\n")
                .unwrap();
        assert_eq!(district.city, "水城区");
        // Its townships may sit in a folder of their own.
        assert_eq!(
            district
                .office_of_folders(&["乡镇（街道）".into()])
                .as_deref(),
            Some("水城区")
        );
        assert!(district.tree.offices().is_empty());
    }

    #[test]
    fn offices_nest_to_any_depth_and_folders_follow_them() {
        let province = roster_of(
            "office,unit,kind\n贵州省,六盘水市,下级\n六盘水市,水城区,下级\n水城区,以朵街道,乡镇\n\
             贵州省,遵义市,下级\n遵义市,汇川区,下级\n汇川区,高坪街道,街道\n\
             六盘水市,六盘水市教育局,部门\n六盘水市,钟山区,下级\n",
        )
        .unwrap();
        assert_eq!(province.city, "贵州省");
        assert_eq!(
            province.tree.offices(),
            ["六盘水市", "水城区", "钟山区", "遵义市", "汇川区"]
        );
        assert_eq!(
            province.tree.path("水城区"),
            ["贵州省", "六盘水市", "水城区"]
        );
        let folders = |f: &[&str]| {
            let f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
            province.office_of_folders(&f)
        };
        assert_eq!(folders(&["六盘水", "水城"]).as_deref(), Some("水城区"));
        assert_eq!(
            folders(&["六盘水市", "市直部门"]).as_deref(),
            Some("六盘水市")
        );
        for own in ["市直单位", "市级部门", "直属机构", "本级", "部门"] {
            assert_eq!(
                folders(&["六盘水市", own]).as_deref(),
                Some("六盘水市"),
                "{own}"
            );
        }
        // A district is looked for below the folder it is in.
        assert_eq!(folders(&["遵义市", "水城区"]), None);
        assert_eq!(folders(&["六盘水市", "旧表"]), None);
        // A city's folder holds its districts' returns.
        assert_eq!(
            province
                .office_named("水城区_2025_统计表", "六盘水市")
                .as_deref(),
            Some("水城区")
        );
        assert_eq!(province.office_named("水城区_2025_统计表", "遵义市"), None);
    }

    #[test]
    fn autonomous_areas_are_found_by_their_short_names() {
        let r = roster_of(
            "office,unit,kind\n贵州省,黔南布依族苗族自治州,下级\n贵州省,毕节市,下级\n\
             毕节市,威宁彝族回族苗族自治县,下级\n威宁彝族回族苗族自治县,草海镇,乡镇\n\
             黔南布依族苗族自治州,都匀市,下级\n都匀市,广惠路街道,街道\n",
        )
        .unwrap();
        let folders = |f: &[&str]| {
            let f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
            r.office_of_folders(&f)
        };
        assert_eq!(
            folders(&["黔南州"]).as_deref(),
            Some("黔南布依族苗族自治州")
        );
        assert_eq!(
            folders(&["毕节市", "威宁县"]).as_deref(),
            Some("威宁彝族回族苗族自治县")
        );
        assert_eq!(
            r.office_named("黔南州_2025_统计表", "贵州省").as_deref(),
            Some("黔南布依族苗族自治州")
        );
        assert_eq!(
            r.office_named("威宁县2025年政府信息公开工作年度报告", "毕节市")
                .as_deref(),
            Some("威宁彝族回族苗族自治县")
        );
        // A township's own file is no office's return.
        assert_eq!(r.office_named("草海镇", "威宁彝族回族苗族自治县"), None);
    }

    #[test]
    fn a_roster_with_kinds_that_cannot_be_rolled_up_says_what_to_do() {
        let twice = roster_of(
            "office,unit,kind\n贵州省,六盘水市,下级\n贵州省,遵义市,下级\n六盘水市,水城区,下级\n遵义市,水城区,下级\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            twice.contains("第 5 行") && twice.contains("水城区 已列为 六盘水市 的下级"),
            "{twice}"
        );
        let circle =
            roster_of("office,unit,kind\n贵州省,六盘水市,下级\n甲市,乙市,下级\n乙市,甲市,下级\n")
                .unwrap_err()
                .to_string();
        assert!(circle.contains("互为上级"), "{circle}");
        let no_top = roster_of("office,unit,kind\n六盘水市,贵州省,下级\n贵州省,六盘水市,下级\n")
            .unwrap_err()
            .to_string();
        assert!(no_top.contains("没有最上级单位"), "{no_top}");
        let deep: String = std::iter::once("office,unit,kind\n贵州省,第1级,下级\n".to_string())
            .chain((2..=10).map(|i| format!("第{}级,第{i}级,下级\n", i - 1)))
            .collect();
        let deep = roster_of(&deep).unwrap_err().to_string();
        assert!(
            deep.contains("第9级 在最上级单位之下第 9 层") && deep.contains("最多 8 层"),
            "{deep}"
        );
        let unknown = roster_of("office,unit,kind\n六盘水市,水城区,下级\n钟山区,荷城街道,乡镇\n")
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("六盘水市、钟山区")
                && unknown.contains("请加一行 `六盘水市,钟山区,下级`"),
            "{unknown}"
        );
        let kind = roster_of("office,unit,kind\n六盘水市,水城区,区县\n")
            .unwrap_err()
            .to_string();
        assert!(kind.contains("类别“区县”"), "{kind}");
    }

    #[test]
    fn each_kind_of_area_is_named_as_its_returns_print_it() {
        assert_eq!(area_word("六盘水市"), "全市");
        assert_eq!(area_word("盘州市"), "全市");
        assert_eq!(area_word("六枝特区"), "全区");
        assert_eq!(area_word("水城区"), "全区");
        assert_eq!(area_word("威宁彝族回族苗族自治县"), "全县");
        assert_eq!(area_word("黔南布依族苗族自治州"), "全州");
        assert_eq!(area_word("贵州省"), "全省");
        assert_eq!(area_word("广西壮族自治区"), "全区");
    }

    #[test]
    fn place_cores() {
        assert_eq!(place_core("金盆苗族彝族乡"), "金盆");
        assert_eq!(place_core("金盆乡人民政府"), "金盆");
        assert_eq!(place_core("龙场苗族白族彝族乡"), "龙场");
        assert_eq!(place_core("顺场苗族彝族布依族乡"), "顺场");
        assert_eq!(place_core("建设路社区服务中心"), "建设路");
        assert_eq!(place_core("建设路街道"), "建设路");
        assert_eq!(place_core("亦资街道办事处"), "亦资");
        assert_eq!(place_core("比德镇"), "比德");
    }

    #[test]
    fn file_names_find_their_unit() {
        let r = Roster::liupanshui(2018);
        let name = |stem: &str| {
            r.match_name(stem, Some("水城县"))
                .map(|(i, how)| (r.units[i].township.clone(), how))
        };
        assert_eq!(name("比德镇"), Some(("比德镇".into(), NameMatch::Exact)));
        assert_eq!(
            name("金盆乡人民政府"),
            Some(("金盆苗族彝族乡".into(), NameMatch::SameName("金盆".into())))
        );
        assert_eq!(
            name("2018年金盆乡政府信息公开统计表"),
            Some(("金盆苗族彝族乡".into(), NameMatch::Contained("金盆".into())))
        );
        assert_eq!(
            r.match_name("建设路街道", Some("钟山区"))
                .map(|(i, _)| r.units[i].township.clone()),
            Some("建设路社区服务中心".into())
        );
        assert_eq!(name("某某公司"), None);
        assert_eq!(
            r.office_of_folders(&["水城".into()]).as_deref(),
            Some("水城县")
        );
    }
}
