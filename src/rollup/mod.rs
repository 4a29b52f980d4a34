//! Township → district → city (→ province): each used form's values, with
//! every total recomputed from its parts, summed into its office's return
//! and each office's above it, cell by cell of the template.
//!
//! Because every total is recomputed from its parts for each township, one
//! sum per cell gives every office's totals that agree with their parts.
//! Beside every sum is the number of units that reported it, so a blank is
//! never mistaken for a zero. The sums are taken from the submissions, not
//! from the records: `gongkai check` builds no table just to add it up.

pub mod records;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::audit::last_year::Scope;
use crate::audit::rules::{rollup_values, values_of};
use crate::audit::units::{Covered, Reach, Submission, reach};
use crate::form::Template;
use crate::input::plan::Office;
use crate::input::roster::UnitKind;
use crate::input::tree::Tree;

/// Which level a return sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// An office below the run's: a city's district, a province's city or
    /// that city's district.
    District,
    /// The office the run is for: the whole roster's city, or the one
    /// district a district's run rolls up.
    #[serde(alias = "city")]
    Office,
}

/// One return: the values of one district or of the whole city.
#[derive(Debug, Clone)]
pub struct Return {
    pub level: Level,
    pub name: String,
    /// Per template cell; `None` where no unit reported the cell.
    pub values: Vec<Option<f64>>,
    /// Per template cell: how many units gave it a value.
    pub reporting: Vec<u32>,
    /// Units whose forms were rolled up.
    pub units: Vec<String>,
    /// The office and every office below it: whose units it accounts for.
    pub offices: Vec<String>,
    /// How many offices it is below the run's: 1 for a city's district.
    pub depth: usize,
    /// Who signs it on the 填报单位 line: the office's own government unit
    /// as the roster names it (六盘水市人民政府办公室), when it lists one.
    pub filer: Option<String>,
    /// Its values last year, as last year's return of the same office
    /// printed them, when last year's records hold its units (set once the
    /// audit has read them).
    pub last: Option<Vec<Option<f64>>>,
}

impl Return {
    /// The units this return adds up, as last year's records are searched.
    pub fn scope(&self) -> Scope<'_> {
        match self.level {
            Level::Office => Scope::City,
            Level::District => Scope::District {
                offices: &self.offices,
                units: &self.units,
            },
        }
    }
}

/// The returns of the offices below `office`, each after the office above
/// it (offices outside the roster after them), then `office`'s own.
pub fn rollup(subs: &[Submission], template: &Template, office: &Office) -> (Vec<Return>, Return) {
    let covered = Covered::of(subs);
    let mut sums = Sums::new(template.cells().len());
    each_rolled(
        &summed(subs, &office.tree, &covered),
        template,
        |into, values| sums.add(into, values),
    );

    let mut names = office.tree.offices().to_vec();
    // Offices outside the roster (a folder it does not name).
    let mut outside: Vec<String> = sums
        .offices()
        .filter(|d| !office.tree.contains(d))
        .map(String::from)
        .collect();
    outside.sort();
    names.extend(outside);
    let rank: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let below = office.tree.below_each();
    let lower: Vec<Return> = names
        .iter()
        .map(|name| {
            let ((values, reporting), units) = sums.take(Some(name), &rank);
            Return {
                level: Level::District,
                filer: office.filers.get(name).cloned(),
                units,
                depth: office.tree.depth(name),
                offices: std::iter::once(name.as_str())
                    .chain(below.get(name.as_str()).into_iter().flatten().copied())
                    .map(String::from)
                    .collect(),
                name: name.clone(),
                values,
                reporting,
                last: None,
            }
        })
        .collect();
    let ((values, reporting), units) = sums.take(None, &rank);
    let own = Return {
        level: Level::Office,
        name: office.name.clone(),
        values,
        reporting,
        units,
        offices: std::iter::once(office.name.clone())
            .chain(office.tree.offices().iter().cloned())
            .collect(),
        depth: 0,
        filer: office.filers.get(&office.name).cloned(),
        last: None,
    };
    (lower, own)
}

/// Each office's running sum, in a slot of its own (the run's office's
/// first), and the units added into it with the office each reports to.
struct Sums<'a> {
    cells: usize,
    slot: HashMap<&'a str, usize>,
    sums: Vec<Sum>,
    units: Vec<Vec<(&'a str, String)>>,
    seen: HashSet<(usize, &'a str, &'a str)>,
}

impl<'a> Sums<'a> {
    fn new(cells: usize) -> Sums<'a> {
        Sums {
            cells,
            slot: HashMap::new(),
            sums: vec![Sums::empty(cells)],
            units: vec![Vec::new()],
            seen: HashSet::new(),
        }
    }

    fn empty(cells: usize) -> Sum {
        (vec![None; cells], vec![0; cells])
    }

    /// The offices anything was added into, the run's own aside.
    fn offices(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.slot.keys().copied()
    }

    /// A form's values, into each return it reaches.
    fn add(&mut self, into: &Into<'a>, values: Vec<Option<f64>>) {
        let slots: Vec<usize> = into
            .reach
            .offices
            .iter()
            .map(|o| {
                *self.slot.entry(o).or_insert_with(|| {
                    self.sums.push(Sums::empty(self.cells));
                    self.units.push(Vec::new());
                    self.sums.len() - 1
                })
            })
            .chain(into.reach.top.then_some(0))
            .collect();
        let (district, township) = (into.sub.district.as_str(), into.sub.township.as_str());
        for &at in &slots {
            if self.seen.insert((at, district, township)) {
                self.units[at].push((district, township.to_string()));
            }
        }
        for (cell, value) in values.into_iter().enumerate() {
            let Some(v) = value else { continue };
            for &at in &slots {
                let (sum, reporting) = &mut self.sums[at];
                sum[cell] = Some(sum[cell].unwrap_or(0.0) + v);
                reporting[cell] += 1;
            }
        }
    }

    /// The sum of `office` (`None`: the run's own) and its units, by
    /// office in `rank`'s order, each office's as they came (an office's
    /// own first, the run's own last).
    fn take(&mut self, office: Option<&str>, rank: &HashMap<&str, usize>) -> (Sum, Vec<String>) {
        let at = match office {
            Some(office) => match self.slot.get(office) {
                Some(&at) => at,
                None => return (Sums::empty(self.cells), Vec::new()),
            },
            None => 0,
        };
        let mut units = std::mem::take(&mut self.units[at]);
        units.sort_by_cached_key(|(office, _)| rank.get(office).copied().unwrap_or(usize::MAX));
        let units = units.into_iter().map(|(_, name)| name).collect();
        (std::mem::take(&mut self.sums[at]), units)
    }
}

/// The sums of each kind of unit (乡镇（街道）, 部门, 本级, a lower office's
/// return) among what the rollup adds up, for the kinds present, in
/// [`UnitKind::ALL`]'s order: the subtotals 概览 shows under the office's
/// total; none when every unit is of one kind. Added in submission order,
/// as the rollup adds.
pub fn by_kind(
    subs: &[Submission],
    template: &Template,
    office: &Office,
) -> Vec<(UnitKind, Vec<Option<f64>>)> {
    // One kind alone is the total itself: not summed a second time.
    let mut kinds = subs
        .iter()
        .filter(|s| s.used_form().is_some())
        .map(|s| s.kind);
    let first = kinds.next();
    if kinds.all(|k| Some(k) == first) {
        return Vec::new();
    }
    let covered = Covered::of(subs);
    let mut summed = summed(subs, &office.tree, &covered);
    summed.retain(|s| s.reach.top);
    let mut sums: Vec<Option<Vec<Option<f64>>>> = vec![None; UnitKind::ALL.len()];
    each_rolled(&summed, template, |into, values| {
        let at = UnitKind::ALL
            .iter()
            .position(|k| *k == into.sub.kind)
            .unwrap_or(0);
        let sum = sums[at].get_or_insert_with(|| vec![None; values.len()]);
        for (cell, value) in values.into_iter().enumerate() {
            if let Some(v) = value {
                sum[cell] = Some(sum[cell].unwrap_or(0.0) + v);
            }
        }
    });
    UnitKind::ALL
        .into_iter()
        .zip(sums)
        .filter_map(|(kind, sum)| Some((kind, sum?)))
        .collect()
}

/// A used form and the returns it is added into.
struct Into<'a> {
    sub: &'a Submission,
    reach: Reach<'a>,
}

/// What the rollup adds up: the used forms, each up to the first office
/// whose own return arrived, which is summed in their place (its units'
/// forms, when they came too, are checked against it in the audit).
fn summed<'a>(subs: &'a [Submission], tree: &'a Tree, covered: &Covered) -> Vec<Into<'a>> {
    subs.iter()
        .filter(|s| s.used_form().is_some())
        .filter_map(|sub| {
            let reach = reach(sub, tree, covered);
            (reach.top || !reach.offices.is_empty()).then_some(Into { sub, reach })
        })
        .collect()
}

/// Hands `add` each submission's values with every total recomputed from
/// its parts, in submission order. The values are worked out in parallel a
/// chunk at a time, and added in order, so every sum is the same to the bit
/// whatever the threads (floating-point addition depends on its order).
fn each_rolled<'a>(
    summed: &[Into<'a>],
    template: &Template,
    mut add: impl FnMut(&Into<'a>, Vec<Option<f64>>),
) {
    for chunk in summed.chunks(CHUNK) {
        let rolled: Vec<Vec<Option<f64>>> = chunk
            .par_iter()
            .map(|into| rollup_values(template, &values_of(into.sub, template)))
            .collect();
        for (into, values) in chunk.iter().zip(rolled) {
            add(into, values);
        }
    }
}

/// Units whose values are worked out at once: enough to keep every thread
/// busy, few enough that their values are never all held at once.
const CHUNK: usize = 1024;

/// The sum of each template cell and how many units reported it.
type Sum = (Vec<Option<f64>>, Vec<u32>);

#[cfg(test)]
mod tests {
    use super::*;

    use crate::audit::units::FileStatus;
    use crate::input::discover::Found;
    use crate::read::sniff::Format;
    use crate::read::{CellValue, Form};
    use crate::text::ReadAs;

    /// A used form of `township` with these values, everything else blank.
    fn form_of(
        template: &Template,
        district: &str,
        township: &str,
        values: &[(&str, f64)],
    ) -> Submission {
        let mut cells = vec![None; template.cells().len()];
        for (code, v) in values {
            let value = CellValue::new(Some(*v), String::new(), ReadAs::Number, 0, 0);
            cells[template.position(code).unwrap()] = Some(value);
        }
        Submission {
            kind: crate::input::roster::UnitKind::Township,
            found: Found {
                path: Default::default(),
                shown: format!("{district}/{township}.xlsx"),
                folders: vec![district.into()],
                stem: township.into(),
            },
            sha256: None,
            modified: None,
            district: district.into(),
            township: township.into(),
            in_roster: true,
            matched: String::new(),
            status: FileStatus::Used,
            outcome: Ok(Form {
                format: Format::Xlsx,
                sheets: Vec::new(),
                values: cells,
                unit_name: None,
                footer: Vec::new(),
                date: None,
                notes: Vec::new(),
            }),
        }
    }

    #[test]
    fn townships_of_the_same_name_in_two_districts_are_two_units() {
        let template = Template::load("lps2018").unwrap();
        let roster = crate::input::roster::Roster::liupanshui(2018);
        let office = Office::whole(&roster);
        let subs = [
            form_of(&template, "钟山区", "大河镇", &[("R84", 2.0)]),
            form_of(&template, "水城县", "大河镇", &[("R84", 3.0)]),
        ];
        let (districts, city) = rollup(&subs, &template, &office);
        let (meetings, trainings) = ("R84", "R85");
        assert_eq!(city.units.len(), 2);
        assert_eq!(city.values[template.position(meetings).unwrap()], Some(5.0));
        assert_eq!(city.reporting[template.position(meetings).unwrap()], 2);
        // A row nobody filled is blank, not 0.
        assert_eq!(city.values[template.position(trainings).unwrap()], None);
        let shuicheng = districts.iter().find(|d| d.name == "水城县").unwrap();
        assert_eq!(shuicheng.units, ["大河镇"]);
        assert_eq!(
            shuicheng.values[template.position(meetings).unwrap()],
            Some(3.0)
        );
        // Every roster district has a return, reported or not.
        assert_eq!(districts.len(), roster.tree.offices().len());
    }
}
