//! Township → district → city: group-bys over the records' `rollup_value`.
//!
//! Because every total in `rollup_value` is already recomputed from its parts
//! for each township, one sum per cell gives district and city totals that
//! agree with their parts. Beside every sum is the number of units that
//! reported it, so a blank is never mistaken for a zero.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use crate::roster::Roster;
use crate::template::Template;

/// Which level a return sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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

/// The district returns in roster order (districts outside the roster after
/// them), then the city return.
pub fn rollup(
    records: &DataFrame,
    template: &Template,
    roster: &Roster,
) -> PolarsResult<(Vec<Return>, Return)> {
    let mut sums = sum_by(records, "district", template)?;
    let mut units = units_by_district(records)?;
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
    let (values, reporting) = sum_by(records, "city", template)?
        .into_values()
        .next()
        .unwrap_or_else(empty);
    let city = Return {
        level: Level::City,
        name: roster.city.clone(),
        values,
        reporting,
        units: districts.iter().flat_map(|d| d.units.clone()).collect(),
    };
    Ok((districts, city))
}

/// Per group of `by`: the sum of each template cell and how many units reported it.
type Sums = HashMap<String, (Vec<Option<f64>>, Vec<u32>)>;

fn sum_by(records: &DataFrame, by: &str, template: &Template) -> PolarsResult<Sums> {
    let out = records
        .clone()
        .lazy()
        .group_by([col(by), col("code")])
        .agg([
            col("rollup_value").sum().alias("sum"),
            col("rollup_value")
                .count()
                .cast(DataType::UInt32)
                .alias("n"),
        ])
        .with_columns([
            col(by).cast(DataType::String),
            col("code").cast(DataType::String),
        ])
        .collect()?;
    let groups = out.column(by)?.str()?;
    let codes = out.column("code")?.str()?;
    let sums = out.column("sum")?.f64()?;
    let counts = out.column("n")?.u32()?;
    let rows = template.cells().len();
    let mut result = Sums::new();
    for i in 0..out.height() {
        let (Some(group), Some(row)) = (
            groups.get(i),
            codes.get(i).and_then(|c| template.position(c)),
        ) else {
            continue;
        };
        let (values, reporting) = result
            .entry(group.to_string())
            .or_insert_with(|| (vec![None; rows], vec![0; rows]));
        let n = counts.get(i).unwrap_or(0);
        // A sum over blanks is blank, not 0.
        values[row] = if n == 0 { None } else { sums.get(i) };
        reporting[row] = n;
    }
    Ok(result)
}

/// The townships of each district, in the order of the records.
fn units_by_district(records: &DataFrame) -> PolarsResult<HashMap<String, Vec<String>>> {
    let pairs = records
        .clone()
        .lazy()
        .select([col("district"), col("township")])
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_columns([
            col("district").cast(DataType::String),
            col("township").cast(DataType::String),
        ])
        .collect()?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let districts = pairs.column("district")?.str()?;
    let townships = pairs.column("township")?.str()?;
    for (d, t) in districts.iter().zip(townships.iter()) {
        if let (Some(d), Some(t)) = (d, t) {
            out.entry(d.to_string()).or_default().push(t.to_string());
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
