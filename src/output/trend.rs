//! The office's values of the years before, from the run.json its set of
//! each earlier year holds: the trend 概览 draws.

use std::path::Path;

use crate::form::Template;
use crate::output::summary::SavedRun;
use crate::rollup::Level;

/// The office's values of earlier years of the same form, from the
/// run.json of its set in each earlier OUT/<year> (oldest first): the trend
/// of 概览. A set written before each office had its own folder is
/// OUT/<year> itself, read when it is the same office's. A folder named for
/// this year or a later one is passed over unread: this year's own folder
/// holds the previous run of the same year, whose run.json, large at
/// national scale, would be parsed for nothing on every run after the first.
pub fn past_values(
    out: &Path,
    office: &str,
    year: i32,
    template: &Template,
) -> Vec<(i32, Vec<Option<f64>>)> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let own = crate::text::safe_name(office);
    let mut years: Vec<(i32, Vec<Option<f64>>)> = entries
        .flatten()
        .filter_map(|e| {
            let named: i32 = e.file_name().to_str()?.parse().ok()?;
            if named >= year {
                return None;
            }
            let run = [e.path().join(own.as_ref()), e.path()]
                .iter()
                .filter_map(|set| SavedRun::read(&set.join("run.json")).ok())
                .find(|run| run.city == office)?;
            if run.year >= year || run.template != template.id {
                return None;
            }
            let whole = run.returns.iter().find(|r| r.level == Level::Office)?;
            Some((run.year, whole.to_return(template).ok()?.values))
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
    fn the_trend_reads_the_offices_own_sets_of_earlier_years_only() {
        let template = Template::load("nat2021").unwrap();
        let out = tempfile::tempdir().unwrap();
        let write = |folder: &str, json: &str| {
            std::fs::create_dir_all(out.path().join(folder)).unwrap();
            std::fs::write(out.path().join(folder).join("run.json"), json).unwrap();
        };
        // 2023 as sets were once kept (OUT/<year> itself), 2024 in the
        // office's own folder beside another office's.
        write("2023", &run_json(2023, 5.0));
        write("2024/六盘水市", &run_json(2024, 7.0));
        write(
            "2024/水城区",
            &run_json(2024, 3.0).replace("六盘水市", "水城区"),
        );
        // This year's folder holds the previous run of this year, and a
        // later one a later year: neither is the past, whatever they say.
        write("2025", &run_json(2024, 99.0));
        write("2026", "not even JSON");
        write("备份", &run_json(2022, 1.0));

        let past = past_values(out.path(), "六盘水市", 2025, &template);
        let first = template.position("T2R01C1").unwrap();
        let years: Vec<(i32, Option<f64>)> = past.iter().map(|(y, v)| (*y, v[first])).collect();
        assert_eq!(years, [(2023, Some(5.0)), (2024, Some(7.0))]);
    }
}
