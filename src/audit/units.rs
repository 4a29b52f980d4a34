//! Putting each file in its place: which roster unit sent it, which of two
//! files from one unit is used, and which units sent nothing.

use std::collections::{HashMap, HashSet};

use crate::findings::codes::Code;
use crate::findings::{Issue, Severity};
use crate::input::discover::Found;
use crate::input::plan::Coverage;
use crate::input::roster::{Folder, NameMatch, Roster, UnitKind};
use crate::input::tree::Tree;
use crate::read::{Form, Loaded, ReadError};
use crate::text::normalize_label;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Read and rolled up.
    Used,
    /// Read, but a later file from the same unit is used instead.
    Superseded,
    /// Could not be read as a form.
    Rejected,
}

/// A file with the unit it belongs to.
#[derive(Debug)]
pub struct Submission {
    pub found: Found,
    /// The unit's kind, from the roster (a township when it is not in the
    /// roster); `Lower` for a lower office's return, a district's rollup
    /// sent to its city as a file at the top of the year folder, which the
    /// city sums in place of the district's units.
    pub kind: UnitKind,
    pub sha256: Option<String>,
    pub modified: Option<std::time::SystemTime>,
    pub district: String,
    pub township: String,
    pub in_roster: bool,
    /// How the unit was recognized, for the report.
    pub matched: String,
    pub status: FileStatus,
    pub outcome: Result<Form, ReadError>,
}

impl Submission {
    pub fn form(&self) -> Option<&Form> {
        self.outcome.as_ref().ok()
    }

    /// The form, when it is the one its unit is summed from.
    pub fn used_form(&self) -> Option<&Form> {
        self.form().filter(|_| self.status == FileStatus::Used)
    }

    pub fn issue(&self, code: Code, message: impl Into<String>) -> Issue {
        self.locate(Issue::new(code, message))
    }

    /// A finding of a template rule on this submission.
    pub fn rule_issue(&self, severity: Severity, code: &str, message: impl Into<String>) -> Issue {
        self.locate(Issue::rule(severity, code, message))
    }

    /// A finding placed at this submission's unit and file.
    fn locate(&self, issue: Issue) -> Issue {
        issue
            .unit(&self.district, &self.township)
            .file(&self.found.shown)
    }
}

/// Matches every file to a roster unit, settles duplicates and lists the units
/// that sent nothing. Issues go to `issues`.
pub fn assign(
    mut files: Vec<(Found, Loaded)>,
    roster: &Roster,
    coverage: Coverage,
    issues: &mut Vec<Issue>,
) -> Vec<Submission> {
    if coverage == Coverage::OneFile {
        for (found, _) in &mut files {
            if roster.folder_of(&found.folders).is_none() {
                found.folders.clear();
            }
        }
    }
    let mut subs: Vec<Submission> = files
        .into_iter()
        .map(|(found, loaded)| place(found, loaded, roster, coverage, issues))
        .collect();
    settle_duplicates(&mut subs, issues);
    refusals(&subs, issues);
    if coverage == Coverage::OneFile {
        return subs;
    }

    let sent: std::collections::HashSet<(&str, &str)> = subs
        .iter()
        .filter(|s| s.in_roster)
        .map(|s| (s.district.as_str(), s.township.as_str()))
        .collect();
    let covered = Covered::of(&subs);
    for unit in &roster.units {
        let sent = sent.contains(&(unit.district.as_str(), unit.township.as_str()));
        if !sent && !covered.covers(&roster.tree, &unit.district) {
            issues.push(
                Issue::new(Code::UnitMissing, "本单位没有报送统计表，汇总中不含本单位")
                    .unit(&unit.district, &unit.township),
            );
        }
    }
    subs
}

/// The lower offices whose own return is used: their units, and the
/// offices below them, are summed through it, and a unit of theirs that
/// sent no form of its own is not missing.
pub struct Covered<'s>(HashSet<&'s str>);

impl<'s> Covered<'s> {
    pub fn of(subs: &'s [Submission]) -> Covered<'s> {
        Covered(
            subs.iter()
                .filter(|s| s.kind == UnitKind::Lower && s.status == FileStatus::Used)
                .map(|s| s.district.as_str())
                .collect(),
        )
    }

    /// Whether `office`'s return, or that of an office above it, arrived.
    pub fn covers(&self, tree: &Tree, office: &str) -> bool {
        tree.chain(office).iter().any(|o| self.0.contains(o))
    }

    /// The same but for `office`'s own return: what its units add up to
    /// without it, to check it against.
    pub fn without(&self, office: &str) -> Covered<'s> {
        Covered(self.0.iter().copied().filter(|o| *o != office).collect())
    }
}

/// The returns a used submission's values are added into.
pub struct Reach<'a> {
    /// The offices below the top, nearest first.
    pub offices: Vec<&'a str>,
    /// Whether the top's return, the run's own, adds them.
    pub top: bool,
}

/// Where a used submission's values are added: its office's return and
/// each above it in `tree` (see [`reach_up`]).
pub fn reach<'a>(sub: &'a Submission, tree: &'a Tree, covered: &Covered) -> Reach<'a> {
    let lower = sub.kind == UnitKind::Lower;
    reach_up(tree.chain(&sub.district), lower, |o| covered.0.contains(o))
}

/// The rule every level sums by, over a form's offices nearest first
/// (`chain`, without the top): each adds it, up to the first office whose
/// own return arrived (`covered`), which is summed in its place. A lower
/// office's own return (`lower`) is that first office's figures, so it
/// starts there.
pub fn reach_up<'a>(
    chain: impl IntoIterator<Item = &'a str>,
    lower: bool,
    covered: impl Fn(&str) -> bool,
) -> Reach<'a> {
    let mut offices = Vec::new();
    for (i, office) in chain.into_iter().enumerate() {
        if covered(office) && !(i == 0 && lower) {
            return Reach {
                offices,
                top: false,
            };
        }
        offices.push(office);
    }
    Reach { offices, top: true }
}

fn place(
    found: Found,
    loaded: Loaded,
    roster: &Roster,
    coverage: Coverage,
    issues: &mut Vec<Issue>,
) -> Submission {
    // What the folder the file is in holds: an office's files (the top
    // office's at the top of the year folder) or one unit's.
    let (folder_office, folder_unit) = match roster.folder_of(&found.folders) {
        Some(Folder::Office(office)) => (Some(office), None),
        Some(Folder::Unit(unit)) => (Some(roster.units[unit].district.clone()), Some(unit)),
        None => (None, None),
    };
    let offices_folder = folder_office.as_deref().filter(|_| folder_unit.is_none());
    if let Some(sub) = lower_return(&found, &loaded, roster, coverage, offices_folder) {
        return sub.with(found, loaded);
    }
    let folder_district = folder_office.filter(|_| !found.folders.is_empty());
    let by_file = roster.match_name(&found.stem, folder_district.as_deref());
    let form_name = loaded
        .outcome
        .as_ref()
        .ok()
        .and_then(|f| f.unit_name.clone());
    let by_form = || {
        form_name.as_deref().and_then(|n| {
            roster
                .match_name(n, folder_district.as_deref())
                .map(|m| (m, n.to_string()))
        })
    };
    // A file named for a unit is that unit's; in a unit's own folder, a
    // file of another name is the folder's unit's.
    let (unit, matched) = match (by_file, folder_unit) {
        (Some((i, how @ (NameMatch::Exact | NameMatch::SameName(_)))), _) => {
            (Some(i), describe(&found.stem, &how))
        }
        (_, Some(unit)) => {
            let folder = found.folders.last().map_or("", String::as_str);
            (Some(unit), format!("按文件夹“{folder}”"))
        }
        (Some((i, how)), None) => (Some(i), describe(&found.stem, &how)),
        (None, None) => match by_form() {
            Some(((i, _), name)) => (Some(i), format!("按表内填报单位“{name}”")),
            None => (None, String::new()),
        },
    };

    let status = if loaded.outcome.is_ok() {
        FileStatus::Used
    } else {
        FileStatus::Rejected
    };
    let mut sub = Submission {
        kind: UnitKind::Township,
        district: String::new(),
        township: String::new(),
        in_roster: unit.is_some(),
        matched,
        status,
        found,
        sha256: loaded.sha256,
        modified: loaded.modified,
        outcome: loaded.outcome,
    };
    match unit {
        Some(i) => {
            let u = &roster.units[i];
            sub.township = u.township.clone();
            sub.kind = u.kind;
            // In its office's folder, or in the folder of an office above it.
            let in_place = folder_district
                .as_deref()
                .is_none_or(|f| roster.tree.within(&u.district, f));
            sub.district = match sub.found.folders.last() {
                // Rolled up where the office filed it, and said so.
                Some(folder) if !in_place || folder_district.is_none() => {
                    let district = folder_district.clone().unwrap_or_else(|| folder.clone());
                    issues.push(sub.issue(Code::UnitWrongFolder,
                        format!(
                            "名册中{}属于{}，但文件放在“{folder}”文件夹；按文件夹汇总到{district}",
                            u.township, u.district
                        ),
                    ).unit(&district, &u.township));
                    district
                }
                _ => u.district.clone(),
            };
        }
        None => {
            sub.district = folder_district
                .clone()
                .or(sub.found.folders.last().cloned())
                .unwrap_or_default();
            sub.township = form_name.unwrap_or_else(|| sub.found.stem.clone());
            // A lone file that cannot be read has no unit to look for.
            let unreadable = sub.status == FileStatus::Rejected;
            if !(coverage == Coverage::OneFile && unreadable) {
                issues.push(sub.issue(
                    Code::UnitNotInRoster,
                    format!(
                        "“{}”与{}名册中的单位都对不上；作为单独的单位汇总到“{}”",
                        sub.found.stem, roster.city, sub.district
                    ),
                ));
            }
        }
    }
    if !sub.found.folders.is_empty() && folder_district.is_none() {
        issues.push(sub.issue(
            Code::FolderNotInRoster,
            format!("文件夹“{}”不是{}名册中的区县", sub.district, roster.city),
        ));
    }
    sub
}

/// Where a lower office's return goes, before the file is moved into it.
struct Placed {
    office: String,
    matched: String,
}

impl Placed {
    fn with(self, found: Found, loaded: Loaded) -> Submission {
        Submission {
            kind: UnitKind::Lower,
            district: self.office.clone(),
            township: self.office,
            in_roster: true,
            matched: self.matched,
            status: match loaded.outcome {
                Ok(_) => FileStatus::Used,
                Err(_) => FileStatus::Rejected,
            },
            found,
            sha256: loaded.sha256,
            modified: loaded.modified,
            outcome: loaded.outcome,
        }
    }
}

/// A file in the folder of office `within` (the top office's: at the top
/// of the year folder) that is the return of an office below it (a
/// district's, or in a city's folder of a province's year, one of the
/// city's districts'), by its name or, failing that, by the 填报单位 its
/// form gives.
fn lower_return(
    found: &Found,
    loaded: &Loaded,
    roster: &Roster,
    coverage: Coverage,
    within: Option<&str>,
) -> Option<Placed> {
    let within = within.filter(|_| coverage == Coverage::Year)?;
    let placed = match roster.office_named(&found.stem, within) {
        Some(office) => Placed {
            matched: format!("按文件名：{office}的汇总表"),
            office,
        },
        None => {
            let name = loaded.outcome.as_ref().ok()?.unit_name.as_deref()?;
            let office = roster.office_named(name, within)?;
            Placed {
                matched: format!("按表内填报单位“{name}”：{office}的汇总表"),
                office,
            }
        }
    };
    // A unit's own form wins when the file is named for it, exactly or by
    // a name longer than the office's it begins with (`水城区教育局年报`
    // is the 区教育局's, not 水城区's return).
    let office = normalize_label(&placed.office);
    match roster.match_name(&found.stem, None) {
        Some((_, NameMatch::Exact | NameMatch::SameName(_))) => None,
        Some((_, NameMatch::Contained(core))) if core.len() > office.len() => None,
        _ => Some(placed),
    }
}

/// One finding per file that could not be read: an error, except for a
/// file a unit sends beside its form (its report as .doc, a PDF, a scan)
/// when the unit's form was read from another file.
fn refusals(subs: &[Submission], issues: &mut Vec<Issue>) {
    let used: HashMap<(&str, &str), &str> = subs
        .iter()
        .filter(|s| s.status == FileStatus::Used)
        .map(|s| {
            (
                (s.district.as_str(), s.township.as_str()),
                s.found.shown.as_str(),
            )
        })
        .collect();
    for sub in subs {
        let Err(e) = &sub.outcome else { continue };
        let form = used.get(&(sub.district.as_str(), sub.township.as_str()));
        issues.push(match (form, e.companion()) {
            (Some(form), Some(what)) => sub
                .issue(
                    e.code(),
                    format!("这是{what}，未读取；本单位的统计表已从 {form} 读取"),
                )
                .as_info(),
            _ => sub.issue(e.code(), e.to_string()),
        });
    }
}

fn describe(stem: &str, how: &NameMatch) -> String {
    match how {
        NameMatch::Exact => "按文件名".into(),
        NameMatch::SameName(core) => format!("按文件名“{stem}”（同一地名：{core}）"),
        NameMatch::Contained(core) => format!("按文件名“{stem}”中的地名“{core}”"),
    }
}

/// Two readable files from one unit: the later 填报日期 wins, failing that the
/// later modification time, failing that the later file name.
/// How many of a unit's duplicate files a finding names.
const LISTED: usize = 5;

fn settle_duplicates(subs: &mut [Submission], issues: &mut Vec<Issue>) {
    let mut by_unit: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, s) in subs.iter().enumerate() {
        if s.status == FileStatus::Used {
            by_unit
                .entry((s.district.clone(), s.township.clone()))
                .or_default()
                .push(i);
        }
    }
    let mut groups: Vec<Vec<usize>> = by_unit.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    for group in groups {
        let key = |i: &usize| {
            let s = &subs[*i];
            (
                s.form().and_then(|f| f.date.clone()),
                s.modified,
                s.found.shown.clone(),
            )
        };
        let winner = *group.iter().max_by_key(|i| key(i)).unwrap_or(&group[0]);
        let reason = {
            let dates: Vec<_> = group.iter().map(|i| key(i).0).collect();
            if dates.iter().all(Option::is_some) && dates.iter().any(|d| *d != dates[0]) {
                "它的填报日期最晚"
            } else if group
                .iter()
                .any(|i| subs[*i].modified != subs[winner].modified)
            {
                "它最后修改"
            } else {
                "它的文件名排在最后"
            }
        };
        // The files are listed up to a few: a unit's folder of a thousand
        // copies must not make a message no cell can hold.
        let mut files: Vec<String> = group
            .iter()
            .take(LISTED)
            .map(|i| subs[*i].found.shown.clone())
            .collect();
        let more = group.len().saturating_sub(LISTED);
        files.extend((more > 0).then(|| format!("等（另有 {more} 个）")));
        for &i in &group {
            if i != winner {
                subs[i].status = FileStatus::Superseded;
            }
        }
        let message = format!(
            "本单位报送了 {} 个文件：{}；使用 {}，因为{reason}",
            group.len(),
            files.join(", "),
            subs[winner].found.shown
        );
        issues.push(subs[winner].issue(Code::UnitDuplicate, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::read::sniff::Format;

    /// Where each file of a province's year goes: (office, unit, kind).
    fn placed(files: &[&str]) -> Vec<(String, String, UnitKind)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("名册.csv");
        std::fs::write(
            &path,
            "office,unit,kind\n贵州省,六盘水市,下级\n六盘水市,水城区,下级\n\
             水城区,以朵街道,乡镇\n水城区,水城区教育局,部门\n六盘水市,六盘水市教育局,部门\n",
        )
        .unwrap();
        let roster = Roster::from_csv(&path).unwrap();
        let loaded = || Loaded {
            sha256: None,
            modified: None,
            outcome: Ok(Form {
                format: Format::Xlsx,
                sheets: Vec::new(),
                values: Vec::new(),
                unit_name: None,
                footer: Vec::new(),
                date: None,
                notes: Vec::new(),
            }),
        };
        let files = files
            .iter()
            .map(|shown| {
                let path = std::path::Path::new(shown);
                let found = Found {
                    path: path.to_path_buf(),
                    shown: shown.to_string(),
                    folders: path
                        .parent()
                        .into_iter()
                        .flat_map(|p| p.iter())
                        .map(|f| f.to_string_lossy().to_string())
                        .collect(),
                    stem: path.file_stem().unwrap().to_string_lossy().to_string(),
                };
                (found, loaded())
            })
            .collect();
        assign(files, &roster, Coverage::Year, &mut Vec::new())
            .into_iter()
            .map(|s| (s.district, s.township, s.kind))
            .collect()
    }

    #[test]
    fn a_file_named_for_an_office_below_the_folders_is_its_return_and_a_longer_name_a_units_form() {
        let got = placed(&[
            "六盘水市_2025_统计表.xlsx",
            "六盘水市水城区.xlsx",
            "六盘水市/水城区_2025_统计表.xlsx",
            "水城区教育局2025年度报告.xlsx",
            "六盘水市/水城区/以朵街道.xlsx",
            "六盘水市/六盘水市教育局.xlsx",
            "六盘水市/水城区/以朵街道/统计表.xlsx",
            "以朵街道/2025年报.xlsx",
        ]);
        let office = |o: &str, u: &str, k| (o.to_string(), u.to_string(), k);
        assert_eq!(
            got,
            [
                office("六盘水市", "六盘水市", UnitKind::Lower),
                office("水城区", "水城区", UnitKind::Lower),
                office("水城区", "水城区", UnitKind::Lower),
                office("水城区", "水城区教育局", UnitKind::Department),
                office("水城区", "以朵街道", UnitKind::Township),
                office("六盘水市", "六盘水市教育局", UnitKind::Department),
                // A unit's own folder.
                office("水城区", "以朵街道", UnitKind::Township),
                office("水城区", "以朵街道", UnitKind::Township),
            ]
        );
    }
}
