//! The city's values of the years before, from the run.json each earlier
//! run left beside this one: the trend 概览 draws.

use std::path::Path;

use crate::form::Template;
use crate::output::summary::SavedRun;
use crate::rollup::Level;

/// The city's values of earlier years of the same form, from the run.json
/// of each earlier OUT/<year> beside `out` (oldest first): the trend of 概览.
/// A folder named for this year or a later one is passed over unread: this
/// year's own folder holds the previous run of the same year, whose
/// run.json, large at national scale, would be parsed for nothing on every
/// run after the first.
pub fn past_city_values(
    out: &Path,
    year: i32,
    template: &Template,
) -> Vec<(i32, Vec<Option<f64>>)> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut years: Vec<(i32, Vec<Option<f64>>)> = entries
        .flatten()
        .filter_map(|e| {
            let named: i32 = e.file_name().to_str()?.parse().ok()?;
            if named >= year {
                return None;
            }
            let run = SavedRun::read(&e.path().join("run.json")).ok()?;
            if run.year >= year || run.template != template.id {
                return None;
            }
            let city = run.returns.iter().find(|r| r.level == Level::City)?;
            Some((run.year, city.to_return(template).ok()?.values))
        })
        .collect();
    years.sort_by_key(|(y, _)| *y);
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run.json as a run of `year` writes it, its city return holding one value.
    fn run_json(year: i32, value: f64) -> String {
        serde_json::json!({
            "year": year,
            "city": "六盘水市",
            "template": "nat2021",
            "units": [],
            "returns": [{
                "level": "city",
                "name": "六盘水市",
                "units": [],
                "cells": [{"code": "T2R01C1", "value": value, "reporting": 1}],
            }],
        })
        .to_string()
    }

    #[test]
    fn the_trend_reads_the_folders_of_earlier_years_only() {
        let template = Template::load("nat2021").unwrap();
        let out = tempfile::tempdir().unwrap();
        let write = |folder: &str, json: &str| {
            std::fs::create_dir_all(out.path().join(folder)).unwrap();
            std::fs::write(out.path().join(folder).join("run.json"), json).unwrap();
        };
        write("2023", &run_json(2023, 5.0));
        write("2024", &run_json(2024, 7.0));
        // This year's folder holds the previous run of this year, and a
        // later one a later year: neither is the past, whatever they say.
        write("2025", &run_json(2024, 99.0));
        write("2026", "not even JSON");
        write("备份", &run_json(2022, 1.0));

        let past = past_city_values(out.path(), 2025, &template);
        let first = template.position("T2R01C1").unwrap();
        let years: Vec<(i32, Option<f64>)> = past.iter().map(|(y, v)| (*y, v[first])).collect();
        assert_eq!(years, [(2023, Some(5.0)), (2024, Some(7.0))]);
    }
}
