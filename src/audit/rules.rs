//! The template's arithmetic and the plain rules of a count, applied to every
//! form. A finding gives both sides of the relation, so a clerk can see what
//! to fix without opening the template.

use std::collections::HashSet;

use crate::audit::units::Submission;
use crate::findings::Issue;
use crate::form::{Check, RowKind, Rule, Template, ValueType};
use crate::read::Form;
use crate::text::fmt_num;

/// The value of every template cell of a form, `None` where blank or missing.
pub fn values_of(sub: &Submission, template: &Template) -> Vec<Option<f64>> {
    match sub.form() {
        Some(form) => form.numbers(),
        None => vec![None; template.cells().len()],
    }
}

/// Tolerance for sums of decimals (万元).
const EPSILON: f64 = 1e-6;

pub fn check(sub: &Submission, template: &Template) -> Vec<Issue> {
    let Some(form) = sub.form() else {
        return Vec::new();
    };
    let typed = form.numbers();
    // A total left blank is taken as its parts' sum (and said so, by the
    // blank_total rule), so the relations it is part of are checked on what
    // the rollup will use, not on a 0 the clerk never wrote.
    let values = fill_blank_totals(template, &typed);
    let mut out = Vec::new();
    let mut found = |rule: &Rule, cell: usize, value: Option<f64>, vars: &[(&str, String)]| {
        let message = render(template, rule, cell, value, vars);
        out.push(form.locate(
            sub.rule_issue(rule.severity, &rule.code, message),
            cell,
            template,
        ));
    };
    let sum_of = |cells: &[usize]| -> f64 { cells.iter().filter_map(|&c| values[c]).sum() };

    // A rule about one kind of unit (乡镇不制定规章) is not asked of another.
    let applies = |rule: &&Rule| rule.only.is_none_or(|kind| kind == sub.kind);
    for rule in template.rules().iter().filter(applies) {
        match &rule.check {
            Check::Sum { left, right } | Check::AtMost { left, right } => {
                let Some(l) = values[*left] else { continue };
                let given = sum_given(&values, right);
                let sum = given.unwrap_or(0.0);
                let broken = match rule.check {
                    // Blank parts add up to nothing: a total over them is wrong.
                    Check::Sum { .. } => (l - sum).abs() > EPSILON,
                    _ => given.is_some() && l > sum + EPSILON,
                };
                if broken {
                    let vars = [
                        ("parts", rule.parts.clone()),
                        ("sum", fmt_num(sum)),
                        ("why", rule.why.clone()),
                    ];
                    found(rule, *left, Some(l), &vars);
                }
            }
            Check::Balance { left, right } => {
                // Blank cells are none; a side left wholly blank is not checked.
                let filled = |cells: &[usize]| cells.iter().any(|&c| values[c].is_some());
                if !filled(left) && !filled(right) {
                    continue;
                }
                let (l, r) = (sum_of(left), sum_of(right));
                if (l - r).abs() > EPSILON {
                    found(rule, left[0], Some(l), &[("sum", fmt_num(r))]);
                }
            }
            Check::BlankTotal => {
                // A total defined twice (by its row and its column) is said once.
                let mut said = HashSet::new();
                for total in template.sum_order() {
                    let Check::Sum { left, right } = &total.check else {
                        continue;
                    };
                    let sum = sum_of(right);
                    if typed[*left].is_none() && sum != 0.0 && said.insert(*left) {
                        found(rule, *left, None, &[("sum", fmt_num(sum))]);
                    }
                }
            }
            Check::ExpectZero { cells } => {
                for &c in cells {
                    if let Some(v) = values[c].filter(|v| *v != 0.0) {
                        found(rule, c, Some(v), &[("why", rule.why.clone())]);
                    }
                }
            }
            Check::Swing { .. } | Check::Carried { .. } => {}
            check @ (Check::NonNegative
            | Check::Whole
            | Check::Decimals { .. }
            | Check::CityOnly
            | Check::Heading) => {
                for (i, cell) in template.cells().iter().enumerate() {
                    let Some(v) = values[i] else { continue };
                    let row = template.row_of(i);
                    let heading = row.kind == RowKind::Heading;
                    let broken = match check {
                        Check::Heading => heading && v != 0.0,
                        Check::CityOnly => row.city_only && v != 0.0,
                        _ if heading => false,
                        Check::NonNegative => v < 0.0 && cell.value != ValueType::Signed,
                        Check::Whole => cell.value != ValueType::Money && v.fract() != 0.0,
                        Check::Decimals { places } => {
                            cell.value == ValueType::Money && !has_places(v, *places)
                        }
                        _ => false,
                    };
                    if broken {
                        let places = match check {
                            Check::Decimals { places } => places.to_string(),
                            _ => String::new(),
                        };
                        found(rule, i, Some(v), &[("places", places)]);
                    }
                }
            }
        }
    }
    out
}

/// The relations (`balance` and `at_most` rules) that `values` break, each
/// with its rule, the cell it is about and its message. A return's totals
/// are recomputed from their parts, so only these can break in a sum: when
/// units' forms that break them are summed as reported.
pub fn relations_broken<'t>(
    template: &'t Template,
    values: &[Option<f64>],
) -> Vec<(&'t Rule, String)> {
    let sum_of = |cells: &[usize]| -> f64 { cells.iter().filter_map(|&c| values[c]).sum() };
    let mut out = Vec::new();
    for rule in template.rules() {
        match &rule.check {
            Check::Balance { left, right } => {
                let filled = |cells: &[usize]| cells.iter().any(|&c| values[c].is_some());
                let (l, r) = (sum_of(left), sum_of(right));
                if (filled(left) || filled(right)) && (l - r).abs() > EPSILON {
                    let message = render(template, rule, left[0], Some(l), &[("sum", fmt_num(r))]);
                    out.push((rule, message));
                }
            }
            Check::AtMost { left, right } => {
                let (Some(l), Some(sum)) = (values[*left], sum_given(values, right)) else {
                    continue;
                };
                if l > sum + EPSILON {
                    let vars = [
                        ("parts", rule.parts.clone()),
                        ("sum", fmt_num(sum)),
                        ("why", rule.why.clone()),
                    ];
                    out.push((rule, render(template, rule, *left, Some(l), &vars)));
                }
            }
            _ => {}
        }
    }
    out
}

impl Form {
    /// Every cell's number, `None` where blank, missing or not a number.
    pub fn numbers(&self) -> Vec<Option<f64>> {
        self.values
            .iter()
            .map(|v| v.as_ref().and_then(|c| c.value()))
            .collect()
    }

    /// A finding placed at the sheet and cell template cell `cell` was read from.
    pub fn locate(&self, issue: Issue, cell: usize, template: &Template) -> Issue {
        let row = template.row_of(cell);
        let column = template.column_of(cell);
        issue
            .at(self.sheet_of(cell, template), &self.cell_of(cell))
            .cell_code(&row.code, &column.code)
    }
}

/// Whether `v` has at most `places` decimals (as typed: 0.1 is one decimal,
/// whatever its binary form).
fn has_places(v: f64, places: u32) -> bool {
    let scaled = v * 10f64.powi(places as i32);
    (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
}

/// A rule's message for one cell: the cell's placeholders, and the ones the
/// rule's kind adds.
pub fn render(
    template: &Template,
    rule: &Rule,
    cell: usize,
    value: Option<f64>,
    vars: &[(&str, String)],
) -> String {
    let mut text = rule.message().to_string();
    let row = template.row_of(cell);
    let common = [
        ("cell", template.cell_name(cell)),
        ("table", template.table_title(cell).to_string()),
        (
            "row",
            crate::form::rows_ref(std::slice::from_ref(&row.code)),
        ),
        ("label", row.label.clone()),
        ("column", template.column_of(cell).label.clone()),
        ("unit", template.cells()[cell].unit.clone()),
        ("value", value.map(fmt_num).unwrap_or_else(|| "空白".into())),
    ];
    for (name, v) in common.iter().chain(vars) {
        text = text.replace(&format!("{{{name}}}"), v);
    }
    text
}

/// The form's values with every blank total filled from its parts, where
/// any part has a value.
fn fill_blank_totals(template: &Template, typed: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut values = typed.to_vec();
    for rule in template.sum_order() {
        let Check::Sum { left, right } = &rule.check else {
            continue;
        };
        if values[*left].is_none() && right.iter().any(|&p| values[p].is_some()) {
            values[*left] = Some(right.iter().filter_map(|&p| values[p]).sum());
        }
    }
    values
}

/// The value each cell contributes to the rollup: items as reported; totals
/// recomputed from their parts (so district and city totals always agree with
/// their parts, while the reported totals are checked above); headings and
/// city-only rows nothing.
pub fn rollup_values(template: &Template, reported: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut out: Vec<Option<f64>> = reported
        .iter()
        .enumerate()
        .map(|(i, v)| if template.is_summed(i) { *v } else { None })
        .collect();
    for rule in template.sum_order() {
        let Check::Sum { left, right } = &rule.check else {
            continue;
        };
        if !template.is_summed(*left) {
            continue;
        }
        out[*left] = sum_given(&out, right);
    }
    out
}

/// The sum of those `cells` that hold a number, `None` when none does (blank
/// parts add nothing). Added in place: every form runs every rule, and
/// collecting the parts first cost an allocation each time.
fn sum_given(values: &[Option<f64>], cells: &[usize]) -> Option<f64> {
    // From -0.0, as `Iterator::sum` of floats starts, so a sum is the same
    // number to the bit as before.
    cells
        .iter()
        .filter_map(|&c| values[c])
        .fold(None, |sum, v| Some(sum.unwrap_or(-0.0) + v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::rows_ref;

    #[test]
    fn totals_are_recomputed_bottom_up() {
        let t = Template::load("lps2018").unwrap();
        let mut reported = vec![None; 86];
        let idx = |c: &str| t.position(c).unwrap();
        reported[idx("R05")] = Some(33.0);
        reported[idx("R07")] = Some(33.0);
        reported[idx("R11")] = Some(42.0);
        reported[idx("R51")] = Some(2.0);
        reported[idx("R47")] = Some(1.0);
        reported[idx("R01")] = Some(9.0);
        let out = rollup_values(&t, &reported);
        assert_eq!(out[idx("R05")], Some(75.0));
        assert_eq!(out[idx("R50")], Some(2.0));
        assert_eq!(out[idx("R46")], Some(3.0), "46 includes 50, computed first");
        assert_eq!(out[idx("R01")], None, "headings carry no value");
        assert_eq!(out[idx("R12")], None, "a total with no parts stays blank");
    }

    #[test]
    fn the_national_totals_are_recomputed_by_row_and_by_column() {
        let t = Template::load("nat2021").unwrap();
        let idx = |c: &str| t.position(c).unwrap();
        let mut reported = vec![None; t.cells().len()];
        // 予以公开: 自然人 3, 商业企业 1, its 总计 left blank as published tables do.
        reported[idx("T3R03C1")] = Some(3.0);
        reported[idx("T3R03C2")] = Some(1.0);
        reported[idx("T3R13C1")] = Some(2.0);
        // A wrong grand total typed by the clerk is not trusted.
        reported[idx("T3R24C7")] = Some(99.0);
        reported[idx("T4R01C2")] = Some(1.0);
        let out = rollup_values(&t, &reported);
        assert_eq!(out[idx("T3R03C7")], Some(4.0));
        assert_eq!(out[idx("T3R24C1")], Some(5.0));
        assert_eq!(out[idx("T3R24C2")], Some(1.0));
        assert_eq!(out[idx("T3R24C7")], Some(6.0));
        assert_eq!(out[idx("T4R01C5")], Some(1.0));
        assert_eq!(
            out[idx("T4R01C10")],
            None,
            "nothing reported, nothing summed"
        );
    }

    #[test]
    fn rows_are_named_as_on_the_printed_form() {
        let s = |v: &[&str]| rows_ref(&v.iter().map(|c| c.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["R05"]), "第5行");
        assert_eq!(s(&["R06", "R07", "R08"]), "第6–8行");
        assert_eq!(s(&["R44", "R45"]), "第44、45行");
        assert_eq!(
            s(&["R47", "R48", "R49", "R50", "R57", "R58", "R59", "R60"]),
            "第47–50、57–60行"
        );
        assert_eq!(s(&["A", "B"]), "A、B");
    }

    #[test]
    fn cells_are_named_as_a_clerk_names_them() {
        let t = Template::load("nat2021").unwrap();
        let name = |c: &str| t.cell_name(t.position(c).unwrap());
        assert_eq!(name("T3R03C1"), "表三“（一）予以公开”行“自然人”列");
        assert_eq!(name("T4R01C5"), "表四“行政复议/总计”列");
        assert_eq!(name("T2R01C1"), "表二“规章”行“本年制发件数”列");
        let lps = Template::load("lps2018").unwrap();
        assert_eq!(
            lps.cell_name(lps.position("R38").unwrap()),
            "第38行“(一)收到申请数”"
        );
    }

    #[test]
    fn money_decimals() {
        assert!(has_places(1.25, 4));
        assert!(has_places(0.1234, 4));
        assert!(has_places(12345.6789, 4));
        assert!(!has_places(0.12345, 4));
        assert!(has_places(3.0, 0));
        assert!(!has_places(3.5, 0));
    }
}
