//! The template's arithmetic and the plain rules of a count, applied to every
//! form. A finding gives both sides of the relation, so a clerk can see what
//! to fix without opening the template.

use crate::assign::Submission;
use crate::reader::fmt_num;
use crate::report::Issue;
use crate::template::{Row, RowKind, Rule, RuleKind, Template, ValueType};

/// The value of every template row of a form, `None` where blank or missing.
pub fn values_of(sub: &Submission, template: &Template) -> Vec<Option<f64>> {
    match sub.form() {
        Some(form) => form
            .values
            .iter()
            .map(|v| v.as_ref().and_then(|c| c.value))
            .collect(),
        None => vec![None; template.rows.len()],
    }
}

pub fn check(sub: &Submission, template: &Template) -> Vec<Issue> {
    let Some(form) = sub.form() else {
        return Vec::new();
    };
    let values = values_of(sub, template);
    let mut out = Vec::new();
    let mut found = |rule: &Rule, i: usize, vars: &[(&str, String)]| {
        let row = &template.rows[i];
        let cell = form.cell_of(i);
        let message = render(template, rule, row, values[i], vars);
        out.push(
            sub.rule_issue(rule.severity, &rule.code, message)
                .at(&form.sheet, &cell)
                .row(&row.code),
        );
    };

    for rule in &template.rules {
        match rule.kind {
            RuleKind::Sum | RuleKind::AtMost => {
                let Some(l) = template.position(&rule.left) else {
                    continue;
                };
                let Some(left) = values[l] else { continue };
                let given: Vec<f64> = rule
                    .right
                    .iter()
                    .filter_map(|c| template.position(c).and_then(|p| values[p]))
                    .collect();
                let sum: f64 = given.iter().sum();
                let broken = match rule.kind {
                    // Blank parts add up to nothing: a total over them is wrong.
                    RuleKind::Sum => (left - sum).abs() > 1e-6,
                    _ => !given.is_empty() && left > sum + 1e-6,
                };
                if broken {
                    let vars = [
                        ("parts", rows_ref(&rule.right)),
                        ("sum", fmt_num(sum)),
                        ("why", rule.why.clone()),
                    ];
                    found(rule, l, &vars);
                }
            }
            RuleKind::Swing => {}
            kind => {
                for (i, row) in template.rows.iter().enumerate() {
                    let Some(v) = values[i] else { continue };
                    let heading = row.kind == RowKind::Heading;
                    let broken = match kind {
                        RuleKind::Heading => heading && v != 0.0,
                        RuleKind::CityOnly => row.city_only && v != 0.0,
                        _ if heading => false,
                        RuleKind::NonNegative => v < 0.0,
                        RuleKind::Whole => row.value == ValueType::Count && v.fract() != 0.0,
                        RuleKind::Decimals => {
                            row.value == ValueType::Money && !has_places(v, rule.places)
                        }
                        _ => false,
                    };
                    if broken {
                        found(rule, i, &[("places", rule.places.to_string())]);
                    }
                }
            }
        }
    }
    out
}

/// Whether `v` has at most `places` decimals (as typed: 0.1 is one decimal,
/// whatever its binary form).
fn has_places(v: f64, places: u32) -> bool {
    let scaled = v * 10f64.powi(places as i32);
    (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
}

/// A rule's message for one row: the common placeholders of the row, and
/// the ones the rule's kind adds.
pub fn render(
    template: &Template,
    rule: &Rule,
    row: &Row,
    value: Option<f64>,
    vars: &[(&str, String)],
) -> String {
    let mut text = template.message_of(rule).unwrap_or_default().to_string();
    let common = [
        ("row", rows_ref(std::slice::from_ref(&row.code))),
        ("label", row.label.clone()),
        ("unit", row.unit.clone()),
        ("value", value.map(fmt_num).unwrap_or_else(|| "空白".into())),
    ];
    for (name, v) in common.iter().chain(vars) {
        text = text.replace(&format!("{{{name}}}"), v);
    }
    text
}

/// Rows as a clerk names them: `第5行`, `第6–11行`, `第47–50、57–60行`.
/// Codes that are not `R` and a number are named as they are.
pub fn rows_ref(codes: &[String]) -> String {
    let numbers: Option<Vec<u32>> = codes
        .iter()
        .map(|c| c.strip_prefix('R').and_then(|n| n.parse().ok()))
        .collect();
    let Some(numbers) = numbers else {
        return codes.join("、");
    };
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for n in numbers {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let runs: Vec<String> = runs
        .iter()
        .map(|&(a, b)| match b - a {
            0 => a.to_string(),
            1 => format!("{a}、{b}"),
            _ => format!("{a}–{b}"),
        })
        .collect();
    format!("第{}行", runs.join("、"))
}

/// The value each row contributes to the rollup: items as reported; totals
/// recomputed from their parts (so district and city totals always agree with
/// their parts, while the reported totals are checked above); headings and
/// city-only rows nothing.
pub fn rollup_values(template: &Template, reported: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut out: Vec<Option<f64>> = template
        .rows
        .iter()
        .zip(reported)
        .map(|(row, v)| if row.is_summed() { *v } else { None })
        .collect();
    for &r in &template.sum_order {
        let rule = &template.rules[r];
        let (Some(l), true) = (
            template.position(&rule.left),
            template.row(&rule.left).is_some_and(|r| r.is_summed()),
        ) else {
            continue;
        };
        let parts: Vec<f64> = rule
            .right
            .iter()
            .filter_map(|c| template.position(c))
            .filter_map(|p| out[p])
            .collect();
        out[l] = (!parts.is_empty()).then(|| parts.iter().sum());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn money_decimals() {
        assert!(has_places(1.25, 4));
        assert!(has_places(0.1234, 4));
        assert!(has_places(12345.6789, 4));
        assert!(!has_places(0.12345, 4));
        assert!(has_places(3.0, 0));
        assert!(!has_places(3.5, 0));
    }
}
