//! The template's arithmetic and the plain rules of a count, applied to every
//! form. A finding gives both sides of the relation, so a clerk can see what
//! to fix without opening the template.

use crate::assign::Submission;
use crate::reader::fmt_num;
use crate::report::{Issue, Severity};
use crate::template::{RowKind, RuleKind, Template, ValueType};

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
    let cell_of = |i: usize| {
        form.values[i]
            .as_ref()
            .map(|c| c.cell.clone())
            .unwrap_or_default()
    };
    let at = |issue: Issue, i: usize| issue.at(&form.sheet, &cell_of(i));

    for (i, row) in template.rows.iter().enumerate() {
        let Some(v) = values[i] else { continue };
        if row.kind == RowKind::Heading {
            if v != 0.0 {
                out.push(at(
                    sub.issue(
                        Severity::Info,
                        "HEADING-VALUE",
                        format!(
                            "{} {} is a section heading; the {} typed in it is not summed",
                            row.code,
                            row.label,
                            fmt_num(v)
                        ),
                    ),
                    i,
                ));
            }
            continue;
        }
        if v < 0.0 {
            out.push(at(
                sub.issue(
                    Severity::Error,
                    "VALUE-NEGATIVE",
                    format!("{} {}: {} is negative", row.code, row.label, fmt_num(v)),
                ),
                i,
            ));
        } else if row.value == ValueType::Count && v.fract() != 0.0 {
            out.push(at(
                sub.issue(
                    Severity::Error,
                    "VALUE-FRACTION",
                    format!(
                        "{} {}: {} is not a whole number of {}",
                        row.code,
                        row.label,
                        fmt_num(v),
                        row.unit
                    ),
                ),
                i,
            ));
        }
        if row.city_only && v != 0.0 {
            out.push(at(
                sub.issue(
                    Severity::Info,
                    "CITY-ONLY",
                    format!("{} {}: {} filled in, but this row is for the city office; it is not summed", row.code, row.label, fmt_num(v)),
                ),
                i,
            ));
        }
    }

    for rule in &template.rules {
        let Some(l) = template.position(&rule.left) else {
            continue;
        };
        let parts: Vec<usize> = rule
            .right
            .iter()
            .filter_map(|c| template.position(c))
            .collect();
        let Some(left) = values[l] else { continue };
        let given: Vec<f64> = parts.iter().filter_map(|&p| values[p]).collect();
        let sum: f64 = given.iter().sum();
        let label = &template.rows[l].label;
        let parts_name = codes_list(template, &rule.right);
        let message = match rule.kind {
            RuleKind::Sum if given.is_empty() && left != 0.0 => format!(
                "{} {label}: reported {}, but its parts {parts_name} are blank",
                rule.left,
                fmt_num(left)
            ),
            RuleKind::Sum if !given.is_empty() && (left - sum).abs() > 1e-6 => format!(
                "{} {label}: reported {}, but {parts_name} add up to {}",
                rule.left,
                fmt_num(left),
                fmt_num(sum)
            ),
            RuleKind::AtMost if !given.is_empty() && left > sum + 1e-6 => format!(
                "{} {label}: {} is more than {parts_name} ({}){}",
                rule.left,
                fmt_num(left),
                fmt_num(sum),
                if rule.why.is_empty() {
                    String::new()
                } else {
                    format!("; {}", rule.why)
                }
            ),
            _ => continue,
        };
        out.push(at(sub.issue(rule.severity, &rule.code, message), l));
    }
    out
}

/// `R06–R11` for a run of consecutive rows, `R47+R48+R50` otherwise.
pub fn codes_list(template: &Template, codes: &[String]) -> String {
    let pos: Vec<Option<usize>> = codes.iter().map(|c| template.position(c)).collect();
    let consecutive = codes.len() > 2
        && pos
            .windows(2)
            .all(|w| matches!(w, [Some(a), Some(b)] if *b == a + 1));
    if consecutive {
        format!("{}–{}", codes[0], codes[codes.len() - 1])
    } else {
        codes.join("+")
    }
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
    fn codes_lists() {
        let t = Template::load("lps2018").unwrap();
        let s = |v: &[&str]| codes_list(&t, &v.iter().map(|c| c.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["R06", "R07", "R08"]), "R06–R08");
        assert_eq!(s(&["R44", "R45"]), "R44+R45");
        assert_eq!(s(&["R47", "R48", "R50"]), "R47+R48+R50");
    }
}
