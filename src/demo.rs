//! A synthetic year of realistic, internally consistent forms, for trying the
//! tool and for benchmarks: `OUT/<year>/<district>/<township>.xlsx` and a
//! `hierarchy.csv` naming every unit, so `gongkai run OUT --hierarchy
//! OUT/hierarchy.csv` knows who should have reported.

use std::path::Path;

use rayon::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

use crate::audit::rules::rollup_values;
use crate::form::{Check, FooterRole, RowKind, Template, ValueType};
use crate::input::roster::Roster;
use crate::output::form::{FormContent, write_form};
use crate::output::{WriteError, atomic};
use crate::text::fmt_num;

/// SplitMix64: a tiny generator whose sequence never changes between
/// releases, so a seed always makes the same files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `0..=max`.
    fn upto(&mut self, max: u64) -> f64 {
        (self.next() % (max + 1)) as f64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The units of a demo year: the 六盘水 roster for up to 93, then numbered
/// synthetic counties of 30 townships each.
pub fn units(n: usize, year: i32) -> Vec<(String, String)> {
    let real = Roster::liupanshui(year);
    if n <= real.units.len() {
        // Spread over all four counties rather than filling the first.
        let step = real.units.len() as f64 / n.max(1) as f64;
        return (0..n)
            .map(|i| &real.units[(i as f64 * step) as usize])
            .map(|u| (u.district.clone(), u.township.clone()))
            .collect();
    }
    (0..n)
        .map(|i| {
            (
                format!("示范{:04}县", i / 30 + 1),
                format!("示范{:04}县第{:02}镇", i / 30 + 1, i % 30 + 1),
            )
        })
        .collect()
}

/// Plausible values for one township: items drawn by unit, `at_most`
/// relations respected, balances kept, totals computed from their parts.
/// On the national tables a township's cells are mostly 0 and the rest
/// small counts, as published township reports show.
fn values(template: &Template, rng: &mut Rng) -> Vec<Option<f64>> {
    let derived: std::collections::HashSet<usize> = template
        .rules_of("sum")
        .filter_map(|r| match r.check {
            Check::Sum { left, .. } => Some(left),
            _ => None,
        })
        .collect();
    let zero: std::collections::HashSet<usize> = template
        .rules_of("expect_zero")
        .flat_map(|r| match &r.check {
            Check::ExpectZero { cells } => cells.clone(),
            _ => Vec::new(),
        })
        .collect();
    let national = !template.is_single_column();
    let mut v: Vec<Option<f64>> = template
        .cells()
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            if !template.is_summed(i) || derived.contains(&i) {
                return None;
            }
            if zero.contains(&i) {
                return Some(0.0);
            }
            Some(match (cell.value, cell.unit.as_str()) {
                (_, _) if national && rng.chance(90) => 0.0,
                (ValueType::Money, _) => rng.upto(250) / 100.0,
                (ValueType::Signed, _) => rng.upto(4) - 2.0,
                (_, _) if national => rng.upto(3),
                (_, "条") => rng.upto(120),
                (_, "件") if rng.chance(70) => 0.0,
                (_, "件") => rng.upto(4),
                (_, "次") => rng.upto(5),
                (_, "篇") => rng.upto(10),
                (_, "人次") => rng.upto(80),
                (_, "个") => 1.0,
                (_, "人") => rng.upto(4),
                _ => rng.upto(3),
            })
        })
        .collect();
    // Twice: clamping one relation can upset a total another relation uses.
    for _ in 0..2 {
        v = rollup_values(template, &v);
        for rule in template.rules() {
            match &rule.check {
                Check::AtMost { left, right } => at_most(template, &mut v, *left, right),
                Check::Balance { left, right } if !derived.contains(&left[0]) => {
                    balance(&derived, &mut v, left, right)
                }
                _ => {}
            }
        }
    }
    rollup_values(template, &v)
}

/// `left` ≤ the sum of `right`: an item over its limit is lowered to it; a
/// total over its limit puts the limit in its first part and zeroes the rest.
fn at_most(template: &Template, v: &mut [Option<f64>], left: usize, right: &[usize]) {
    let limit: f64 = right.iter().filter_map(|&p| v[p]).sum();
    if !v[left].is_some_and(|x| x > limit) {
        return;
    }
    let kind = template.row_of(left).kind;
    if kind == RowKind::Item || kind == RowKind::OfWhich {
        v[left] = Some(limit.floor());
    } else if let Some(Check::Sum { right: parts, .. }) = template
        .rules_of("sum")
        .map(|r| &r.check)
        .find(|c| matches!(c, Check::Sum { left: l, .. } if *l == left))
    {
        for (k, &p) in parts.iter().enumerate() {
            v[p] = Some(if k == 0 { limit.floor() } else { 0.0 });
        }
    }
}

/// The two sides of a balance made equal through its items: the first item
/// on the left takes the difference (本年新收 = 办理结果 + 结转 − 上年结转),
/// and what it cannot take goes to the last item on the right.
fn balance(
    derived: &std::collections::HashSet<usize>,
    v: &mut [Option<f64>],
    left: &[usize],
    right: &[usize],
) {
    let sum =
        |v: &[Option<f64>], cells: &[usize]| -> f64 { cells.iter().filter_map(|&c| v[c]).sum() };
    let diff = sum(v, right) - sum(v, left);
    let first = left[0];
    let now = v[first].unwrap_or(0.0) + diff;
    v[first] = Some(now.max(0.0));
    if now < 0.0
        && let Some(&last) = right.iter().rev().find(|c| !derived.contains(c))
    {
        v[last] = Some(v[last].unwrap_or(0.0) - now);
    }
}

/// What a clerk may have done to one form, as often as it happens in a real
/// year: about one form in twelve has something to read carefully, and one
/// unit in two hundred sends nothing. Each keeps the totals a careful reader
/// gets, so the demo's returns are still the sums of its townships.
struct Quirks {
    /// No file at all: the unit stays in hierarchy.csv and is reported missing.
    missing: bool,
    /// The file is named after the 人民政府, not the township.
    government_name: bool,
    /// Values typed as text by row index (`33条`, `１２`, `—`).
    typed: Vec<(usize, String)>,
}

fn quirks(template: &Template, values: &mut Vec<Option<f64>>, rng: &mut Rng) -> Quirks {
    let items = |values: &[Option<f64>]| -> Vec<usize> {
        (0..template.cells().len())
            .filter(|&i| template.row_of(i).kind == RowKind::Item && values[i].is_some())
            .filter(|&i| template.cells()[i].value == ValueType::Count)
            .collect()
    };
    let pick = |items: &[usize], rng: &mut Rng| items[rng.next() as usize % items.len()];
    let candidates = items(values);
    if rng.chance(2) && !candidates.is_empty() {
        // Left blank: its totals are what the clerk's sheet computed without it.
        values[pick(&candidates, rng)] = None;
        *values = rollup_values(template, values);
    }
    let items = items(values);
    let mut typed = Vec::new();
    if !items.is_empty() {
        if rng.chance(3) {
            let i = pick(&items, rng);
            let v = values[i].unwrap_or(0.0);
            typed.push((i, format!("{}{}", fmt_num(v), template.cells()[i].unit)));
        }
        if rng.chance(2) {
            let i = pick(&items, rng);
            let full_width: String = fmt_num(values[i].unwrap_or(0.0))
                .chars()
                .filter_map(|c| char::from_u32(c as u32 + 0xFEE0))
                .collect();
            typed.push((i, full_width));
        }
        if let Some(&zero) = items.iter().find(|&&i| values[i] == Some(0.0))
            && rng.chance(1)
        {
            typed.push((zero, "—".to_string()));
        }
    }
    typed.sort();
    typed.dedup_by_key(|(i, _)| *i);
    Quirks {
        missing: rng.next() % 1000 < 5,
        government_name: rng.chance(2),
        typed,
    }
}

/// Writes `n` forms and `hierarchy.csv` under `out`. Returns the year folder.
pub fn generate(
    template: &Template,
    n: usize,
    out: &Path,
    seed: u64,
    year: i32,
) -> Result<std::path::PathBuf, WriteError> {
    let units = units(n, year);
    let city = Roster::liupanshui(year).city;
    let dir = out.join(year.to_string());
    units
        .par_iter()
        .enumerate()
        .try_for_each(|(i, (district, township))| {
            let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            let mut values = values(template, &mut rng);
            let quirks = quirks(template, &mut values, &mut rng);
            if quirks.missing {
                return Ok(());
            }
            let day = 11 + rng.upto(15) as u32;
            let content = FormContent {
                unit_line: format!("{}:{township}", template.unit_line),
                values: &values,
                footer: template
                    .footer
                    .iter()
                    .map(|f| {
                        let v = match f.role {
                            Some(FooterRole::Date) => format!("{}年2月{day}日", year + 1),
                            Some(FooterRole::Phone) => {
                                format!("0858-{:07}", rng.upto(9_999_999))
                            }
                            _ => "王某".to_string(),
                        };
                        (f.label.clone(), v)
                    })
                    .collect(),
                extra: None,
                typed: quirks.typed,
                notes: Vec::new(),
            };
            let name = if quirks.government_name {
                format!("{township}人民政府")
            } else {
                township.clone()
            };
            let path = dir.join(district).join(format!("{name}.xlsx"));
            let xlsx = |source| WriteError::Xlsx {
                path: path.display().to_string(),
                source,
            };
            let mut wb = Workbook::new();
            // Dated the day it was "filled in", so a seed makes the same bytes.
            let filled = ExcelDateTime::from_ymd(year as u16 + 1, 2, day as u8).map_err(xlsx)?;
            wb.set_properties(&DocProperties::new().set_creation_datetime(&filled));
            write_form(wb.add_worksheet(), template, &content).map_err(xlsx)?;
            // Generated data, made again by the same command: saved straight,
            // at the fastest deflate level and without syncing each file to
            // disk as the tool's real outputs are (BENCHMARKS.md).
            std::fs::create_dir_all(dir.join(district)).map_err(|source| WriteError::Io {
                path: dir.join(district).display().to_string(),
                source,
            })?;
            wb.set_zip_compression_level(1);
            wb.save(&path).map_err(xlsx)
        })?;
    let csv: String = std::iter::once("city,district,township\n".to_string())
        .chain(units.iter().map(|(d, t)| format!("{city},{d},{t}\n")))
        .collect();
    let path = out.join("hierarchy.csv");
    atomic(&path, |w| {
        std::io::Write::write_all(w, csv.as_bytes()).map_err(|source| WriteError::Io {
            path: path.display().to_string(),
            source,
        })
    })?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_values_keep_the_form_arithmetic() {
        let t = Template::load("lps2018").unwrap();
        for seed in 0..200 {
            let v = values(&t, &mut Rng(seed));
            for rule in t.rules() {
                let (Check::Sum { left, right } | Check::AtMost { left, right }) = &rule.check
                else {
                    continue;
                };
                let l = v[*left];
                let r: f64 = right.iter().filter_map(|&c| v[c]).sum();
                match rule.check {
                    Check::Sum { .. } => assert_eq!(l, Some(r), "seed {seed} {}", rule.code),
                    _ => assert!(l.is_none_or(|l| l <= r), "seed {seed} {}", rule.code),
                }
            }
        }
    }

    #[test]
    fn units_spread_over_counties() {
        let u = units(8, 2018);
        let mut counties: Vec<&String> = u.iter().map(|(d, _)| d).collect();
        counties.dedup();
        assert_eq!(counties.len(), 4);
        assert_eq!(units(100, 2018).len(), 100);
    }
}
