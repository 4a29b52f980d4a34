//! 备注 on a return. A return's totals are recomputed from their parts, but a
//! unit's form that breaks one of the form's relations (表三's 第一项加第二项 =
//! 总计加第四项) is summed as reported, explained or not, and so the return
//! breaks the relation too. The person who signs it must be able to see
//! why: each relation the return breaks gets a note naming it, the
//! difference and the units whose forms break it.

use crate::audit::rules::relations_broken;
use crate::findings::Issue;
use crate::form::Template;
use crate::rollup::{Level, Return};

/// A unit's finding, as far as a 备注 needs it: a run's, or one run.json
/// gives back to `gongkai report`.
pub struct Finding<'a> {
    pub code: &'a str,
    pub district: &'a str,
    pub unit: &'a str,
    pub explained: bool,
}

impl<'a> From<&'a Issue> for Finding<'a> {
    fn from(i: &'a Issue) -> Finding<'a> {
        Finding {
            code: i.code.as_str(),
            district: i.district.as_deref().unwrap_or_default(),
            unit: i.township.as_deref().unwrap_or_default(),
            explained: i.explained.is_some(),
        }
    }
}

/// The 备注 of `ret`: one sentence per relation it breaks.
pub fn remarks(template: &Template, ret: &Return, findings: &[Finding]) -> Vec<String> {
    relations_broken(template, &ret.values)
        .into_iter()
        .map(|(rule, message)| {
            let behind: Vec<String> = findings
                .iter()
                .filter(|f| f.code == rule.code)
                .filter(|f| {
                    ret.level == Level::Office || ret.offices.iter().any(|o| o == f.district)
                })
                .map(|f| match f.explained {
                    true => format!("{}（已说明）", f.unit),
                    false => f.unit.to_string(),
                })
                .collect();
            let why = if behind.is_empty() {
                "汇总按各单位填报数计入".to_string()
            } else {
                format!(
                    "系{}的报表本身不符合这一关系，汇总按其填报数计入",
                    behind.join("、")
                )
            };
            format!("{message}；{why}")
        })
        .collect()
}
