//! Township → district → city: group-bys over the records' `rollup_value`.
//!
//! Because every total in `rollup_value` is already recomputed from its parts
//! for each township, one sum per row gives district and city totals that
//! agree with their parts. Beside every sum is the number of units that
//! reported it, so a blank is never mistaken for a zero.

use polars::prelude::*;

use crate::roster::Roster;
use crate::template::Template;

/// One return: the values of one district or of the whole city.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Return {
    /// `district` or `city`.
    pub level: &'static str,
    pub name: String,
    /// Per template row; `None` where no unit reported the row.
    pub values: Vec<Option<f64>>,
    /// Per template row: how many units gave it a value.
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
    let mut districts = Vec::new();
    let sums = sum_by(records, "district")?;
    let mut names = roster.districts();
    for (name, _) in &sums {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    for name in names {
        let found = sums.iter().find(|(n, _)| *n == name).map(|(_, v)| v);
        districts.push(to_return("district", &name, found, template, records)?);
    }
    let city_sums = sum_by(records, "city")?;
    let city = to_return(
        "city",
        &roster.city,
        city_sums.first().map(|(_, v)| v),
        template,
        records,
    )?;
    Ok((districts, city))
}

type Sums = Vec<(String, Vec<(String, Option<f64>, u32)>)>;

/// `(group, [(code, sum, units reporting)])` for every group of `by`.
fn sum_by(records: &DataFrame, by: &str) -> PolarsResult<Sums> {
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
        .sort([by, "code"], SortMultipleOptions::default())
        .collect()?;
    let groups = out.column(by)?.str()?;
    let codes = out.column("code")?.str()?;
    let sums = out.column("sum")?.f64()?;
    let counts = out.column("n")?.u32()?;
    let mut result: Sums = Vec::new();
    for i in 0..out.height() {
        let group = groups.get(i).unwrap_or_default().to_string();
        let n = counts.get(i).unwrap_or(0);
        // A sum over blanks is blank, not 0.
        let sum = if n == 0 { None } else { sums.get(i) };
        let entry = (codes.get(i).unwrap_or_default().to_string(), sum, n);
        match result.last_mut() {
            Some((g, rows)) if *g == group => rows.push(entry),
            _ => result.push((group, vec![entry])),
        }
    }
    Ok(result)
}

fn to_return(
    level: &'static str,
    name: &str,
    sums: Option<&Vec<(String, Option<f64>, u32)>>,
    template: &Template,
    records: &DataFrame,
) -> PolarsResult<Return> {
    let mut values = vec![None; template.rows.len()];
    let mut reporting = vec![0; template.rows.len()];
    for (code, sum, n) in sums.into_iter().flatten() {
        if let Some(i) = template.position(code) {
            values[i] = *sum;
            reporting[i] = *n;
        }
    }
    let column = if level == "city" { "city" } else { "district" };
    let units = records
        .clone()
        .lazy()
        .filter(col(column).eq(lit(name.to_string())))
        .select([col("township")])
        .unique_stable(None, UniqueKeepStrategy::First)
        .collect()?;
    let units = units
        .column("township")?
        .str()?
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    Ok(Return {
        level,
        name: name.to_string(),
        values,
        reporting,
        units,
    })
}
