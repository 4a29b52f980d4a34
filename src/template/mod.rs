//! The form as data: rows, their kinds and the arithmetic between them.
//!
//! A template is a TOML file (see `templates/lps2018.toml`). The 2018 六盘水 form
//! is embedded in the binary; `--template FILE` loads another province's variant
//! without a code change.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::normalize::normalize_label;

/// The templates compiled into the binary, by id.
const EMBEDDED: &[(&str, &str)] = &[("lps2018", include_str!("../templates/lps2018.toml"))];

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown template `{0}` (built in: lps2018); give a template file path instead")]
    Unknown(String),
    #[error("cannot read template file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("template {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A section title: never carries a value.
    Heading,
    /// A total without a unit, the sum of the rows it heads.
    Group,
    /// A total with a unit, the sum of its parts.
    Total,
    /// A `其中:` row: a subset of another row, never an addend.
    OfWhich,
    /// An ordinary count or amount.
    Item,
}

impl RowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Heading => "heading",
            RowKind::Group => "group",
            RowKind::Total => "total",
            RowKind::OfWhich => "of_which",
            RowKind::Item => "item",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// A whole number of things (条, 件, 次, 人 …).
    #[default]
    Count,
    /// An amount in 万元: decimals allowed.
    Money,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub unit: String,
    pub kind: RowKind,
    #[serde(default)]
    pub value: ValueType,
    /// Filled by the city office only; townships leave it blank.
    #[serde(default)]
    pub city_only: bool,
    /// The label as the reader compares it; filled in on load.
    #[serde(skip)]
    pub key: String,
}

impl Row {
    /// Whether the rollup adds this row up from the units below.
    pub fn is_summed(&self) -> bool {
        self.kind != RowKind::Heading && !self.city_only
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// `left` equals the sum of `right`.
    Sum,
    /// `left` is not more than the sum of `right`.
    AtMost,
    /// No value below 0.
    NonNegative,
    /// A count row holds a whole number.
    Whole,
    /// A money row holds at most `places` decimals.
    Decimals,
    /// A township filled a row that is the city office's.
    CityOnly,
    /// A value typed in a heading.
    Heading,
    /// A value far from the unit's value last year.
    Swing,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Sum => "sum",
            RuleKind::AtMost => "at_most",
            RuleKind::NonNegative => "non_negative",
            RuleKind::Whole => "whole",
            RuleKind::Decimals => "decimals",
            RuleKind::CityOnly => "city_only",
            RuleKind::Heading => "heading",
            RuleKind::Swing => "swing",
        }
    }

    /// The placeholders its message may use: the row's, and its kind's own.
    fn placeholders(self) -> &'static [&'static str] {
        match self {
            RuleKind::Sum | RuleKind::AtMost => {
                &["row", "label", "unit", "value", "parts", "sum", "why"]
            }
            RuleKind::Decimals => &["row", "label", "unit", "value", "places"],
            RuleKind::Swing => &[
                "row",
                "label",
                "unit",
                "value",
                "last",
                "last_year",
                "ratio",
            ],
            _ => &["row", "label", "unit", "value"],
        }
    }
}

/// One rule (审核公式). Which fields it needs depends on its kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub code: String,
    pub kind: RuleKind,
    pub severity: crate::report::Severity,
    /// The row a `sum` or `at_most` rule is about.
    #[serde(default)]
    pub left: String,
    /// The rows on the other side of a `sum` or `at_most` rule.
    #[serde(default)]
    pub right: Vec<String>,
    /// Why the rule holds, in words a clerk knows.
    #[serde(default)]
    pub why: String,
    /// Decimals a `decimals` rule allows.
    #[serde(default)]
    pub places: u32,
    /// A `swing` is flagged beyond this factor up or down …
    #[serde(default)]
    pub ratio: f64,
    /// … when the larger of the two values is at least this.
    #[serde(default)]
    pub at_least: f64,
    /// This rule's message, instead of its kind's.
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub title: String,
    pub header: Vec<String>,
    pub footer: Vec<String>,
    pub rows: Vec<Row>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// The message of each rule kind, with `{placeholders}`.
    #[serde(default)]
    pub messages: HashMap<String, String>,
    /// Row index by code; filled in on load.
    #[serde(skip)]
    index: HashMap<String, usize>,
    /// Row indexes by normalized label (a label can name several rows).
    #[serde(skip)]
    by_key: HashMap<String, Vec<usize>>,
    /// `Sum` rules in an order where every part is computed before its total.
    #[serde(skip)]
    pub sum_order: Vec<usize>,
}

impl Template {
    /// An embedded template by id, or a template file by path.
    pub fn load(id_or_path: &str) -> Result<Template, TemplateError> {
        if let Some((_, text)) = EMBEDDED.iter().find(|(id, _)| *id == id_or_path) {
            return Template::parse(text, id_or_path);
        }
        let path = Path::new(id_or_path);
        if !path.exists() {
            return Err(TemplateError::Unknown(id_or_path.to_string()));
        }
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            path: id_or_path.to_string(),
            source,
        })?;
        Template::parse(&text, id_or_path)
    }

    pub fn parse(text: &str, origin: &str) -> Result<Template, TemplateError> {
        let invalid = |message: String| TemplateError::Invalid {
            path: origin.to_string(),
            message,
        };
        let mut t: Template = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if t.rows.is_empty() {
            return Err(invalid("it has no rows".into()));
        }
        for (i, row) in t.rows.iter_mut().enumerate() {
            row.key = normalize_label(&row.label);
            t.by_key.entry(row.key.clone()).or_default().push(i);
            if t.index.insert(row.code.clone(), i).is_some() {
                return Err(invalid(format!("row code {} appears twice", row.code)));
            }
        }
        for rule in &t.rules {
            t.check_rule(rule)
                .map_err(|m| invalid(format!("rule {}: {m}", rule.code)))?;
        }
        t.sum_order = t.order_sums().map_err(invalid)?;
        Ok(t)
    }

    /// A rule must name rows the template has, carry what its kind needs,
    /// and have a message that uses only placeholders its kind fills.
    fn check_rule(&self, rule: &Rule) -> Result<(), String> {
        let relation = matches!(rule.kind, RuleKind::Sum | RuleKind::AtMost);
        if relation && (rule.left.is_empty() || rule.right.is_empty()) {
            return Err(format!(
                "a {} rule needs `left` and `right`",
                rule.kind.as_str()
            ));
        }
        for code in std::iter::once(&rule.left)
            .filter(|c| !c.is_empty())
            .chain(&rule.right)
        {
            if !self.index.contains_key(code) {
                return Err(format!(
                    "it names row {code}, which the template does not have"
                ));
            }
        }
        if rule.kind == RuleKind::Swing && !(rule.ratio > 1.0 && rule.at_least >= 0.0) {
            return Err("a swing rule needs `ratio` above 1 and `at_least` of 0 or more".into());
        }
        let message = self.message_of(rule).ok_or_else(|| {
            format!(
                "it has no message, and [messages] has none for `{}`",
                rule.kind.as_str()
            )
        })?;
        let mut rest = message;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("its message has an unclosed `{{`: {message}"))?;
            let name = &rest[open + 1..open + close];
            if !rule.kind.placeholders().contains(&name) {
                return Err(format!(
                    "its message uses {{{name}}}, which a {} rule does not fill (it fills {})",
                    rule.kind.as_str(),
                    rule.kind.placeholders().join(", ")
                ));
            }
            rest = &rest[open + close + 1..];
        }
        Ok(())
    }

    /// The message a rule's findings use.
    pub fn message_of<'a>(&'a self, rule: &'a Rule) -> Option<&'a str> {
        rule.message
            .as_deref()
            .or_else(|| self.messages.get(rule.kind.as_str()).map(String::as_str))
    }

    /// The rules of one kind.
    pub fn rules_of(&self, kind: RuleKind) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.kind == kind)
    }

    /// The codes this template's rules give their findings: a swing rule's
    /// findings carry the row (`SWING-R02`), written `SWING-Rnn` here.
    pub fn finding_codes(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|r| match r.kind {
                RuleKind::Swing => format!("{}-Rnn", r.code),
                _ => r.code.clone(),
            })
            .collect()
    }

    pub fn row(&self, code: &str) -> Option<&Row> {
        self.index.get(code).map(|&i| &self.rows[i])
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// The rows whose normalized label is `key`.
    pub fn rows_labelled(&self, key: &str) -> Option<&[usize]> {
        self.by_key.get(key).map(Vec::as_slice)
    }

    /// Orders the sum rules so that a total made of other totals (46 contains 50)
    /// is computed after them.
    fn order_sums(&self) -> Result<Vec<usize>, String> {
        let sums: Vec<usize> = (0..self.rules.len())
            .filter(|&i| self.rules[i].kind == RuleKind::Sum)
            .collect();
        let mut done: Vec<&str> = Vec::new();
        let mut order = Vec::new();
        while order.len() < sums.len() {
            let before = order.len();
            for &i in &sums {
                let rule = &self.rules[i];
                if order.contains(&i) {
                    continue;
                }
                let parts_ready = rule.right.iter().all(|part| {
                    done.contains(&part.as_str())
                        || !sums.iter().any(|&j| self.rules[j].left == *part)
                });
                if parts_ready {
                    order.push(i);
                    done.push(&rule.left);
                }
            }
            if order.len() == before {
                return Err("its sum rules refer to each other in a circle".into());
            }
        }
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lps2018_has_86_rows_and_every_relation() {
        let t = Template::load("lps2018").unwrap();
        assert_eq!(t.rows.len(), 86);
        assert_eq!(t.rows[0].code, "R01");
        assert_eq!(t.rows[85].code, "R86");
        let sums = t.rules.iter().filter(|r| r.kind == RuleKind::Sum).count();
        assert_eq!(sums, 10);
        // 46 contains 50: 50 must be recomputed first.
        let pos = |code: &str| {
            t.sum_order
                .iter()
                .position(|&i| t.rules[i].left == code)
                .unwrap()
        };
        assert!(pos("R50") < pos("R46"));
        assert!(t.row("R78").unwrap().city_only);
        assert!(!t.row("R77").unwrap().is_summed());
    }

    #[test]
    fn every_rule_has_a_message_in_chinese() {
        let t = Template::load("lps2018").unwrap();
        for rule in &t.rules {
            let message = t.message_of(rule).unwrap();
            assert!(
                message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{message}"
            );
        }
    }

    #[test]
    fn a_message_with_a_placeholder_its_kind_does_not_fill_is_refused() {
        let text = MINIMAL.replace(
            "severity = \"warning\"",
            "severity = \"warning\"\nmessage = \"{row} {places}\"",
        );
        let err = Template::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("{places}"), "{err}");
    }

    #[test]
    fn unknown_template_is_named() {
        let err = Template::load("nat2099").unwrap_err().to_string();
        assert!(err.contains("nat2099"), "{err}");
    }

    const MINIMAL: &str = r#"
id = "x"
name = "x"
title = "x"
header = ["a", "b", "c"]
footer = []
[messages]
sum = "{row} {value} {parts} {sum}"
[[rows]]
code = "A"
label = "甲"
kind = "item"
[[rows]]
code = "B"
label = "乙"
kind = "item"
[[rules]]
code = "SUM-A"
kind = "sum"
left = "A"
right = ["B"]
severity = "warning"
"#;

    #[test]
    fn a_rule_naming_a_missing_row_is_refused() {
        Template::parse(MINIMAL, "x.toml").unwrap();
        let text = MINIMAL.replace("right = [\"B\"]", "right = [\"C\"]");
        let err = Template::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("row C"), "{err}");
    }
}
