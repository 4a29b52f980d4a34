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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// `left` equals the sum of `right`.
    Sum,
    /// `left` is not more than the sum of `right`.
    AtMost,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub code: String,
    pub kind: RuleKind,
    pub left: String,
    pub right: Vec<String>,
    pub severity: crate::report::Severity,
    /// Why the rule holds, in words a clerk knows.
    #[serde(default)]
    pub why: String,
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
    /// Row index by code; filled in on load.
    #[serde(skip)]
    index: HashMap<String, usize>,
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
            if t.index.insert(row.code.clone(), i).is_some() {
                return Err(invalid(format!("row code {} appears twice", row.code)));
            }
        }
        for rule in &t.rules {
            for code in std::iter::once(&rule.left).chain(&rule.right) {
                if !t.index.contains_key(code) {
                    return Err(invalid(format!(
                        "rule {} names row {code}, which the template does not have",
                        rule.code
                    )));
                }
            }
        }
        t.sum_order = t.order_sums().map_err(invalid)?;
        Ok(t)
    }

    pub fn row(&self, code: &str) -> Option<&Row> {
        self.index.get(code).map(|&i| &self.rows[i])
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
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
    fn unknown_template_is_named() {
        let err = Template::load("nat2099").unwrap_err().to_string();
        assert!(err.contains("nat2099"), "{err}");
    }

    #[test]
    fn a_rule_naming_a_missing_row_is_refused() {
        let text = r#"
id = "x"
name = "x"
title = "x"
header = ["a", "b", "c"]
footer = []
[[rows]]
code = "A"
label = "甲"
kind = "item"
[[rules]]
code = "SUM-A"
kind = "sum"
left = "A"
right = ["B"]
severity = "warning"
"#;
        let err = Template::parse(text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("row B"), "{err}");
    }
}
