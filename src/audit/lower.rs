//! A lower office's return beside its units' own forms: when a district's
//! return and its townships' forms both arrive, the city checks the one
//! against the other cell by cell (a city's return against its districts'
//! returns and units as a province would sum them without it). The rollup
//! sums the return as the office signed it; each cell where it differs from
//! its units' sum is an error naming both values and the units behind the
//! sum.

use crate::audit::rules::{rollup_values, values_of};
use crate::audit::units::{Covered, Submission, reach};
use crate::findings::Issue;
use crate::findings::codes::Code;
use crate::form::Template;
use crate::input::roster::UnitKind;
use crate::input::tree::Tree;
use crate::text::fmt_num;

/// How many units a difference names.
const LISTED: usize = 5;

/// One finding per cell where a used lower return differs from the sum of
/// what would be summed in its place: its units' used forms and the
/// returns of the offices below it.
pub fn compare(subs: &[Submission], template: &Template, tree: &Tree) -> Vec<Issue> {
    let mut out = Vec::new();
    let covered = Covered::of(subs);
    for ret in subs
        .iter()
        .filter(|s| s.kind == UnitKind::Lower && s.used_form().is_some())
    {
        let without = covered.without(&ret.district);
        let units: Vec<&Submission> = subs
            .iter()
            .filter(|s| !std::ptr::eq(*s, ret) && s.used_form().is_some())
            .filter(|s| {
                reach(s, tree, &without)
                    .offices
                    .contains(&ret.district.as_str())
            })
            .collect();
        if units.is_empty() {
            continue;
        }
        let rolled: Vec<Vec<Option<f64>>> = units
            .iter()
            .map(|u| rollup_values(template, &values_of(u, template)))
            .collect();
        let signed = values_of(ret, template);
        for (cell, given) in signed.iter().enumerate() {
            let behind: Vec<usize> = (0..units.len())
                .filter(|&u| rolled[u][cell].is_some())
                .collect();
            let sum: Option<f64> =
                (!behind.is_empty()).then(|| behind.iter().filter_map(|&u| rolled[u][cell]).sum());
            // A blank beside a 0 is the same nothing; any other gap is not.
            let (a, b) = (given.unwrap_or(0.0), sum.unwrap_or(0.0));
            if (a - b).abs() <= 1e-6 {
                continue;
            }
            let mut names: Vec<&str> = behind
                .iter()
                .take(LISTED)
                .map(|&u| units[u].township.as_str())
                .collect();
            let more = behind.len().saturating_sub(LISTED);
            let more = if more > 0 {
                format!("等 {} 个单位", behind.len())
            } else {
                String::new()
            };
            if names.is_empty() {
                names.push("没有单位填报");
            }
            let message = format!(
                "{}报送的汇总表{}“{}”“{}”为 {}，其所属单位报表之和为 {}（{}{more}），相差 {}；上级汇总按报送的汇总表计",
                ret.district,
                template.table_title(cell),
                template.row_of(cell).label,
                template.column_of(cell).label,
                given.map_or("空白".to_string(), fmt_num),
                sum.map_or("空白".to_string(), fmt_num),
                names.join("、"),
                fmt_num(a - b),
            );
            let issue = ret.issue(Code::ReturnDiffers, message);
            out.push(match ret.form() {
                Some(form) => form.locate(issue, cell, template),
                None => issue,
            });
        }
    }
    out
}
