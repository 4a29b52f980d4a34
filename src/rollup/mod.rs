//! Township → district → city: sums of the records' `rollup_value` by place
//! and cell.
//!
//! Because every total in `rollup_value` is already recomputed from its parts
//! for each township, one sum per cell gives district and city totals that
//! agree with their parts. Beside every sum is the number of units that
//! reported it, so a blank is never mistaken for a zero.
//!
//! The sums are one pass over the records' columns rather than a polars
//! group-by: a national year is 8 million records, and grouping them by two
//! categorical keys row-encoded every record (400 MB at its peak, 1.6 s)
//! to make a few thousand sums.

pub mod records;

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use crate::audit::last_year::Scope;
use crate::form::Template;
use crate::input::roster::Roster;

/// The records' columns the rollup reads.
pub const COLUMNS: &[&str] = &["district", "township", "code", "rollup_value"];

/// Which level a return sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    District,
    City,
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
}

impl Return {
    /// The units this return adds up, as last year's records are searched.
    pub fn scope(&self) -> Scope<'_> {
        match self.level {
            Level::City => Scope::City,
            Level::District => Scope::District {
                name: &self.name,
                units: &self.units,
            },
        }
    }
}

/// The district returns in roster order (districts outside the roster after
/// them), then the city return.
pub fn rollup(
    records: &DataFrame,
    template: &Template,
    roster: &Roster,
) -> PolarsResult<(Vec<Return>, Return)> {
    let districts = keys(records, "district")?;
    let (mut sums, (values, reporting)) = sums(records, &districts, template)?;
    let mut units = units_by_district(records, &districts)?;
    let mut names = roster.districts().to_vec();
    let known: HashSet<&String> = names.iter().collect();
    let mut outside: Vec<String> = sums
        .keys()
        .filter(|d| !known.contains(d))
        .cloned()
        .collect();
    outside.sort();
    names.extend(outside);

    let cells = template.cells().len();
    let empty = || (vec![None; cells], vec![0; cells]);
    let districts: Vec<Return> = names
        .into_iter()
        .map(|name| {
            let (values, reporting) = sums.remove(&name).unwrap_or_else(empty);
            let units = units.remove(&name).unwrap_or_default();
            Return {
                level: Level::District,
                name,
                values,
                reporting,
                units,
            }
        })
        .collect();
    let city = Return {
        level: Level::City,
        name: roster.city.clone(),
        values,
        reporting,
        units: districts.iter().flat_map(|d| d.units.clone()).collect(),
    };
    Ok((districts, city))
}

/// The sum of each template cell and how many units reported it.
type Sum = (Vec<Option<f64>>, Vec<u32>);

/// Each district's sums and the city's, in one pass over the records (the
/// records are all of one city).
fn sums(
    records: &DataFrame,
    (districts, district_of): &Keys,
    template: &Template,
) -> PolarsResult<(HashMap<String, Sum>, Sum)> {
    let (codes, code_of) = keys(records, "code")?;
    let cell_of: Vec<Option<usize>> = codes.iter().map(|c| template.position(c)).collect();
    let cells = template.cells().len();
    let empty = || (vec![None; cells], vec![0u32; cells]);
    let mut by_district = vec![empty(); districts.len()];
    let mut city = empty();
    let values = records.column("rollup_value")?.f64()?;
    for ((value, d), c) in values.iter().zip(district_of).zip(&code_of) {
        let (Some(v), Some(cell)) = (value, cell_of[*c as usize]) else {
            continue;
        };
        for (sum, reporting) in [&mut by_district[*d as usize], &mut city] {
            sum[cell] = Some(sum[cell].unwrap_or(0.0) + v);
            reporting[cell] += 1;
        }
    }
    Ok((districts.iter().cloned().zip(by_district).collect(), city))
}

/// The distinct texts of a column, and each record's index among them.
type Keys = (Vec<String>, Vec<u32>);

/// The distinct texts of a column of the records, and for each record the
/// index of its text among them (a blank counts as `""`).
fn keys(records: &DataFrame, name: &str) -> PolarsResult<Keys> {
    let column = records.column(name)?;
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut id = |text: &str| {
        if let Some(&i) = index.get(text) {
            return i;
        }
        names.push(text.to_string());
        index.insert(text.to_string(), names.len() as u32 - 1);
        names.len() as u32 - 1
    };
    let ids = match column.dtype() {
        // The records' own columns: one look-up per category, not per record.
        DataType::Categorical(..) => {
            let cats = column.cat32()?;
            let mapping = cats.get_mapping();
            let mut by_cat: Vec<Option<u32>> = vec![None; mapping.num_cats_upper_bound() + 1];
            let mut group = |cat: Option<u32>| {
                let slot = cat.map_or(by_cat.len() - 1, |c| c as usize);
                match by_cat.get(slot).copied().flatten() {
                    Some(i) => i,
                    None => {
                        let text = cat.and_then(|c| mapping.cat_to_str(c)).unwrap_or("");
                        let i = id(text);
                        if let Some(s) = by_cat.get_mut(slot) {
                            *s = Some(i);
                        }
                        i
                    }
                }
            };
            let physical = cats.physical();
            // The records' keys are never blank: skip the validity checks.
            if physical.null_count() == 0 {
                physical
                    .into_no_null_iter()
                    .map(|c| group(Some(c)))
                    .collect()
            } else {
                physical.iter().map(group).collect()
            }
        }
        _ => {
            let text = column.cast(&DataType::String)?;
            text.str()?.iter().map(|t| id(t.unwrap_or(""))).collect()
        }
    };
    Ok((names, ids))
}

/// The townships of each district, in the order of the records.
fn units_by_district(
    records: &DataFrame,
    (districts, district_of): &Keys,
) -> PolarsResult<HashMap<String, Vec<String>>> {
    let (townships, township_of) = keys(records, "township")?;
    let mut seen = HashSet::new();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let mut last = None;
    for (&d, &t) in district_of.iter().zip(&township_of) {
        // A unit's records come together: look each unit up once.
        if last == Some((d, t)) {
            continue;
        }
        last = Some((d, t));
        if seen.insert((d, t)) {
            out.entry(districts[d as usize].clone())
                .or_default()
                .push(townships[t as usize].clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn townships_of_the_same_name_in_two_districts_are_two_units() {
        let template = Template::load("lps2018").unwrap();
        let roster = Roster::liupanshui(2018);
        let records = df!(
            "city" => ["六盘水市"; 3],
            "district" => ["钟山区", "水城县", "水城县"],
            "township" => ["大河镇", "大河镇", "大河镇"],
            "code" => ["R02", "R02", "R03"],
            "rollup_value" => [Some(2.0), Some(3.0), None],
        )
        .unwrap();
        let (districts, city) = rollup(&records, &template, &roster).unwrap();
        assert_eq!(city.units.len(), 2);
        assert_eq!(city.values[template.position("R02").unwrap()], Some(5.0));
        assert_eq!(city.reporting[template.position("R02").unwrap()], 2);
        // A row nobody filled is blank, not 0.
        assert_eq!(city.values[template.position("R03").unwrap()], None);
        let shuicheng = districts.iter().find(|d| d.name == "水城县").unwrap();
        assert_eq!(shuicheng.units, ["大河镇"]);
        assert_eq!(
            shuicheng.values[template.position("R02").unwrap()],
            Some(3.0)
        );
        // Every roster district has a return, reported or not.
        assert_eq!(districts.len(), roster.districts().len());
    }
}
