//! Township → district → city: each used form's values, with every total
//! recomputed from its parts, summed by district and for the city, cell by
//! cell of the template.
//!
//! Because every total is recomputed from its parts for each township, one
//! sum per cell gives district and city totals that agree with their parts.
//! Beside every sum is the number of units that reported it, so a blank is
//! never mistaken for a zero. The sums are taken from the submissions, not
//! from the records: `gongkai check` builds no table just to add it up.

pub mod records;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::audit::last_year::Scope;
use crate::audit::rules::{rollup_values, values_of};
use crate::audit::units::{Submission, covered_offices};
use crate::form::Template;
use crate::input::plan::Office;
use crate::input::roster::UnitKind;

/// Which level a return sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// An office below the run's: a city's district.
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
    /// Who signs it on the 填报单位 line: the office's own government unit
    /// as the roster names it (六盘水市人民政府办公室), when it lists one.
    pub filer: Option<String>,
}

impl Return {
    /// The units this return adds up, as last year's records are searched.
    pub fn scope(&self) -> Scope<'_> {
        match self.level {
            Level::Office => Scope::City,
            Level::District => Scope::District {
                name: &self.name,
                units: &self.units,
            },
        }
    }
}

/// The returns of the offices below `office` in roster order (districts
/// outside the roster after them), then `office`'s own.
pub fn rollup(subs: &[Submission], template: &Template, office: &Office) -> (Vec<Return>, Return) {
    let used = summed(subs);
    let cells = template.cells().len();
    let empty = || (vec![None; cells], vec![0u32; cells]);
    let mut sums: HashMap<&str, Sum> = HashMap::new();
    let mut units: HashMap<&str, Vec<String>> = HashMap::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut city = empty();
    each_rolled(&used, template, |sub, values| {
        let district = sub.district.as_str();
        if seen.insert((district, sub.township.as_str())) {
            units
                .entry(district)
                .or_default()
                .push(sub.township.clone());
        }
        let by_district = sums.entry(district).or_insert_with(empty);
        for (cell, value) in values.into_iter().enumerate() {
            let Some(v) = value else { continue };
            for (sum, reporting) in [&mut *by_district, &mut city] {
                sum[cell] = Some(sum[cell].unwrap_or(0.0) + v);
                reporting[cell] += 1;
            }
        }
    });

    let mut names = office.lower.clone();
    let known: HashSet<&str> = names.iter().map(String::as_str).collect();
    // A district's own run has no office below it: its units are its own.
    let mut outside: Vec<String> = sums
        .keys()
        .filter(|d| !known.contains(*d) && **d != office.name)
        .map(|d| d.to_string())
        .collect();
    outside.sort();
    names.extend(outside);
    let districts: Vec<Return> = names
        .into_iter()
        .map(|name| {
            let (values, reporting) = sums.remove(name.as_str()).unwrap_or_else(empty);
            let units = units.remove(name.as_str()).unwrap_or_default();
            Return {
                level: Level::District,
                filer: office.filers.get(&name).cloned(),
                name,
                values,
                reporting,
                units,
            }
        })
        .collect();
    let (values, reporting) = city;
    let own = units.remove(office.name.as_str()).unwrap_or_default();
    let city = Return {
        level: Level::Office,
        name: office.name.clone(),
        values,
        reporting,
        units: districts
            .iter()
            .flat_map(|d| d.units.clone())
            .chain(own)
            .collect(),
        filer: office.filers.get(&office.name).cloned(),
    };
    (districts, city)
}

/// The sums of each kind of unit (乡镇（街道）, 部门, 本级, a lower office's
/// return) among what the rollup adds up, for the kinds present, in
/// [`UnitKind::ALL`]'s order: the subtotals 概览 shows under the office's
/// total; none when every unit is of one kind. Added in submission order,
/// as the rollup adds.
pub fn by_kind(subs: &[Submission], template: &Template) -> Vec<(UnitKind, Vec<Option<f64>>)> {
    // One kind alone is the total itself: not summed a second time.
    let mut present = subs
        .iter()
        .filter(|s| s.used_form().is_some())
        .map(|s| s.kind);
    let first = present.next();
    if present.all(|k| Some(k) == first) {
        return Vec::new();
    }
    let mut sums: Vec<Option<Vec<Option<f64>>>> = vec![None; UnitKind::ALL.len()];
    each_rolled(&summed(subs), template, |sub, values| {
        let at = UnitKind::ALL
            .iter()
            .position(|k| *k == sub.kind)
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

/// What the rollup adds up: the used forms, but for a district whose own
/// return arrived, which is summed from it (its units' forms, when they
/// came too, are checked against it in the audit, not added).
fn summed(subs: &[Submission]) -> Vec<&Submission> {
    let covered = covered_offices(subs);
    subs.iter()
        .filter(|s| s.used_form().is_some())
        .filter(|s| s.kind == UnitKind::Lower || !covered.contains(s.district.as_str()))
        .collect()
}

/// Hands `add` each submission's values with every total recomputed from
/// its parts, in submission order. The values are worked out in parallel a
/// chunk at a time, and added in order, so every sum is the same to the bit
/// whatever the threads (floating-point addition depends on its order).
fn each_rolled<'s>(
    subs: &[&'s Submission],
    template: &Template,
    mut add: impl FnMut(&'s Submission, Vec<Option<f64>>),
) {
    for chunk in subs.chunks(CHUNK) {
        let rolled: Vec<Vec<Option<f64>>> = chunk
            .par_iter()
            .map(|sub| rollup_values(template, &values_of(sub, template)))
            .collect();
        for (sub, values) in chunk.iter().zip(rolled) {
            add(sub, values);
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
                folder: Some(district.into()),
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
        assert_eq!(districts.len(), roster.districts().len());
    }
}
