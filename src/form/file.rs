//! The template file as written: plain types that serde reads from TOML.
//! Nothing here is checked; [`super::Template::parse`] builds these into a
//! template whose codes, cells and rules are known to agree.

use std::collections::HashMap;

use serde::Deserialize;

use super::{RowKind, ValueType};
use crate::findings::Severity;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    pub id: String,
    pub name: String,
    /// The title printed above the form.
    pub title: String,
    /// Labels only this form carries: they tell its files apart from other
    /// forms' (the 2019 and 2021 national tables share most of their rows).
    #[serde(default)]
    pub markers: Vec<String>,
    /// The data years this form is the one to fill in (`{ from = 2021 }`,
    /// `{ from = 2019, to = 2020 }`, `{ to = 2018 }`); a template file that
    /// gives none is used only when asked for by name.
    #[serde(default)]
    pub in_force: Option<InForce>,
    /// What a family of forms carries whatever its format: a file with one
    /// of these labels and none of this form's markers is of that family.
    #[serde(default)]
    pub family: Option<FamilyFile>,
    /// The label of the line above the table naming who filled it in.
    pub unit_line: String,
    /// The signature lines below the table, in order.
    pub footer: Vec<FooterField>,
    pub tables: Vec<TableFile>,
    #[serde(default)]
    pub rules: Vec<RuleFile>,
    /// The message of each rule kind, with `{placeholders}`.
    #[serde(default)]
    pub messages: HashMap<String, String>,
    /// What the annual report draft says about the data (see `draft.rs`).
    #[serde(default)]
    pub draft: Option<DraftFile>,
    /// The headline figures of the analyst workbook's 概览.
    #[serde(default)]
    pub overview: Vec<FigureFile>,
}

/// The data years a form is in force, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InForce {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

impl InForce {
    pub fn contains(self, year: i32) -> bool {
        self.from.is_none_or(|from| from <= year) && self.to.is_none_or(|to| year <= to)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyFile {
    /// What the family is called in a finding (`FILE-OTHER-FORM`).
    pub name: String,
    /// Labels every format of the family carries.
    pub markers: Vec<String>,
}

/// A signature line below the table, and what it holds when gongkai needs
/// to know (the 报送情况 sheet's filler, phone and date).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterField {
    pub label: String,
    #[serde(default)]
    pub role: Option<FooterRole>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FooterRole {
    /// 填报日期: when the form was filled in.
    Date,
    /// 填报人: who filled it in.
    Filler,
    /// 联系电话: how to reach them.
    Phone,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureFile {
    pub label: String,
    /// Cells added together (`T3R01C7`), or a share (`T3R03C7|share:T3R24C7`).
    pub value: String,
    /// The chart this figure is drawn in.
    #[serde(default)]
    pub chart: Option<ChartFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartFile {
    /// A column per district, and this year against last year's.
    ByDistrict,
    /// One part of the stacked mix of results.
    Mix,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftFile {
    /// 一、总体情况, heading by heading.
    #[serde(default)]
    pub sections: Vec<DraftSectionFile>,
    /// 六、其他需要报告的事项.
    #[serde(default)]
    pub other: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftSectionFile {
    /// The sub-heading under 一、总体情况; none for sentences under a table.
    #[serde(default)]
    pub heading: String,
    pub sentences: Vec<String>,
    /// Written under the printed part whose title starts with this
    /// (`四` for 四、政府信息公开行政复议、行政诉讼情况), not in 一、总体情况.
    #[serde(default)]
    pub under: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableFile {
    pub code: String,
    /// The part's printed title (`二、主动公开政府信息情况`); blocks of one
    /// part share it.
    #[serde(default)]
    pub title: String,
    /// A block's caption row (`第二十条第（一）项`).
    #[serde(default)]
    pub caption: String,
    /// The note in the top-left header cell (the 勾稽关系 of table 三).
    #[serde(default)]
    pub note: String,
    /// The header above the row labels (`统 计 指 标`, `信息内容`).
    #[serde(default)]
    pub corner: String,
    /// The header of a unit column between labels and values (`单位`).
    #[serde(default)]
    pub unit_header: Option<String>,
    /// The unit of every row that names none.
    #[serde(default)]
    pub unit: String,
    pub columns: Vec<ColumnFile>,
    pub rows: Vec<RowFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnFile {
    /// Empty for the one value column of a one-column form: its cells then
    /// carry the row's code alone.
    #[serde(default)]
    pub code: String,
    /// The header cells above the column, top to bottom, through the merges.
    pub path: Vec<String>,
    /// Overrides the rows' value type (`signed` for 本年增/减).
    #[serde(default)]
    pub value: Option<ValueType>,
    #[serde(default)]
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowFile {
    pub code: String,
    /// Empty for a table whose only row has no label (table 四).
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default = "item")]
    pub kind: RowKind,
    #[serde(default)]
    pub value: ValueType,
    /// Filled by the city office only; townships leave it blank.
    #[serde(default)]
    pub city_only: bool,
    /// The merged row headers to its left, outermost first
    /// (`三、本年度办理结果`, `（三）不予公开`).
    #[serde(default)]
    pub groups: Vec<String>,
    /// The row's label in another year's format (`规范性文件` for 2021's
    /// `行政规范性文件`): a table that keeps that wording is read as this
    /// row, with a note.
    #[serde(default)]
    pub also: Vec<String>,
}

fn item() -> RowKind {
    RowKind::Item
}

/// Where a relation applies: to the cells it names, or in every column (its
/// sides name rows) or every row (its sides name columns) of a table.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(rename_all = "snake_case")]
pub enum Across {
    #[default]
    Cells,
    EveryColumn(String),
    EveryRow(String),
}

/// One rule (审核公式) as written. The kind decides which fields it takes;
/// a field another kind takes is refused.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleFile {
    /// `left` equals the sum of `right`; district and city totals are
    /// recomputed this way.
    Sum {
        code: String,
        severity: Severity,
        left: String,
        right: Vec<String>,
        #[serde(default)]
        across: Across,
        /// How a clerk names the parts; by default their rows (`第6–11行`).
        #[serde(default)]
        parts: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
    /// `left` is not more than the sum of `right`.
    AtMost {
        code: String,
        severity: Severity,
        left: String,
        right: Vec<String>,
        why: String,
        #[serde(default)]
        across: Across,
        #[serde(default)]
        parts: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
    /// The sum of `left` equals the sum of `right` (一 + 二 = 三 + 四).
    Balance {
        code: String,
        severity: Severity,
        left: Vec<String>,
        right: Vec<String>,
        #[serde(default)]
        across: Across,
        #[serde(default)]
        message: Option<String>,
    },
    /// No value below 0 (signed columns excepted).
    NonNegative {
        code: String,
        severity: Severity,
        #[serde(default)]
        message: Option<String>,
    },
    /// A count holds a whole number.
    Whole {
        code: String,
        severity: Severity,
        #[serde(default)]
        message: Option<String>,
    },
    /// Money holds at most `places` decimals.
    Decimals {
        code: String,
        severity: Severity,
        places: u32,
        #[serde(default)]
        message: Option<String>,
    },
    /// A township filled a row that is the city office's.
    CityOnly {
        code: String,
        severity: Severity,
        #[serde(default)]
        message: Option<String>,
    },
    /// A value typed in a heading.
    Heading {
        code: String,
        severity: Severity,
        #[serde(default)]
        message: Option<String>,
    },
    /// A total left blank while its parts are not: recomputed, and said so.
    BlankTotal {
        code: String,
        severity: Severity,
        #[serde(default)]
        message: Option<String>,
    },
    /// Cells a township's form should leave at 0 (townships make no 规章).
    ExpectZero {
        code: String,
        severity: Severity,
        cells: Vec<String>,
        why: String,
        /// The one kind of unit it is about (`only = "township"`), or all.
        #[serde(default)]
        only: Option<super::UnitKind>,
        #[serde(default)]
        message: Option<String>,
    },
    /// A value far from the unit's value last year (大起大落).
    Swing {
        code: String,
        severity: Severity,
        ratio: f64,
        at_least: f64,
        #[serde(default)]
        message: Option<String>,
    },
    /// This year's `this` should equal last year's `last` (上年结转 against
    /// last year's 结转下年度继续办理).
    Carried {
        code: String,
        severity: Severity,
        this: String,
        last: String,
        #[serde(default)]
        across: Across,
        #[serde(default)]
        message: Option<String>,
    },
}
