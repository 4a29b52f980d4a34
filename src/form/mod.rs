//! The form as data: tables of rows × columns, a cell at each crossing, and
//! the arithmetic between cells.
//!
//! Every form gongkai knows is one model. The 2018 六盘水 form is one table
//! of one value column (统计数); the national annual-report tables since 2019
//! are a few tables with multi-level column headers and merged row groups
//! (表二's blocks, 表三's 25 × 7 matrix, 表四's 15 cells). Everything
//! downstream — the values read from a file, the checks, the records, the
//! rollup, last year's comparison, the writers — is indexed by *cell*, so a
//! new format is a template file, not new code.
//!
//! A template file (`templates/*.toml`, see [`file`]) is parsed into plain
//! types and then built into a [`Template`] whose codes are unique, whose
//! rules name cells that exist and say what their kind needs, and whose
//! indexes are built once. The forms in `templates/` are embedded in the
//! binary; `--template FILE` loads another province's variant.

pub mod draft;
pub mod file;
pub mod registry;
mod unit_kind;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::findings::Severity;
use crate::text::normalize_label;
use file::{Across, FamilyFile, RuleFile, TemplateFile};
pub use file::{FooterField, FooterRole, InForce};
pub use unit_kind::UnitKind;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("没有名为“{id}”的格式（内置格式：{built_in}）；请给出格式文件的路径")]
    Unknown { id: String, built_in: String },
    #[error("无法读取格式文件 {path}：{source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("格式文件 {path} 有误：{message}")]
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
    /// A whole number of things (条, 件, 次, 人 …), never below 0.
    #[default]
    Count,
    /// A whole number that may be below 0 (2019's 本年增/减).
    Signed,
    /// An amount (万元, or 元 as typed): decimals allowed.
    Money,
}

/// A value column: its header cells top to bottom, as printed.
#[derive(Debug, Clone)]
pub struct Column {
    pub code: String,
    pub path: Vec<String>,
    /// The name records and findings give it: its own header, or the path
    /// when the table prints that header more than once (表四's 总计).
    pub label: String,
    value: Option<ValueType>,
    unit: Option<String>,
    /// The path's labels as the reader compares them.
    pub keys: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub code: String,
    pub label: String,
    pub kind: RowKind,
    /// Filled by the city office only; townships leave it blank.
    pub city_only: bool,
    /// The merged row headers to its left, outermost first.
    pub groups: Vec<String>,
    /// The label under its groups, as a reader of the records needs it
    /// (`三、本年度办理结果 / （六）其他处理 / 3.其他`).
    pub path: String,
    /// The label as the reader compares it.
    pub key: String,
    /// The row's label in another year's format, and how the reader
    /// compares it.
    pub also: Vec<(String, String)>,
    unit: String,
    value: ValueType,
}

impl Row {
    /// Whether the rollup adds this row up from the units below.
    pub fn is_summed(&self) -> bool {
        self.kind != RowKind::Heading && !self.city_only
    }
}

/// One table of the form (or one block of a printed table).
#[derive(Debug, Clone)]
pub struct Table {
    pub code: String,
    /// The printed part's title; blocks of one part share it.
    pub title: String,
    pub caption: String,
    pub note: String,
    pub corner: String,
    pub unit_header: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// The index of its first cell among the template's cells.
    first_cell: usize,
    /// Normalized labels of the merged row headers.
    group_keys: HashSet<String>,
}

impl Table {
    /// The template's index of the cell at (row, column) of this table.
    pub fn cell(&self, row: usize, col: usize) -> usize {
        self.first_cell + row * self.columns.len() + col
    }

    /// The template's indexes of this table's cells, row by row.
    pub fn cells(&self) -> std::ops::Range<usize> {
        self.first_cell..self.first_cell + self.rows.len() * self.columns.len()
    }

    /// Whether its rows are found by their labels (table 四's one row has none).
    pub fn has_row_labels(&self) -> bool {
        self.rows.iter().any(|r| !r.key.is_empty())
    }

    /// Whether `key` is one of its merged row headers.
    pub fn is_group(&self, key: &str) -> bool {
        self.group_keys.contains(key)
    }

    /// How many header rows its columns take.
    pub fn header_depth(&self) -> usize {
        self.columns.iter().map(|c| c.path.len()).max().unwrap_or(1)
    }
}

/// A value cell: the crossing of a row and a column, with a stable code.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The row's code, and the column's when the table has one (`R05`, `T3R22C7`).
    pub code: String,
    pub table: usize,
    pub row: usize,
    pub col: usize,
    pub unit: String,
    pub value: ValueType,
}

/// What a rule checks, with the cells it names resolved to indexes.
#[derive(Debug, Clone)]
pub enum Check {
    Sum { left: usize, right: Vec<usize> },
    AtMost { left: usize, right: Vec<usize> },
    Balance { left: Vec<usize>, right: Vec<usize> },
    NonNegative,
    Whole,
    Decimals { places: u32 },
    CityOnly,
    Heading,
    BlankTotal,
    ExpectZero { cells: Vec<usize> },
    Swing { ratio: f64, at_least: f64 },
    Carried { this: usize, last: usize },
}

impl Check {
    /// The kind's name, as template files write it and [messages] keys it.
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Sum { .. } => "sum",
            Check::AtMost { .. } => "at_most",
            Check::Balance { .. } => "balance",
            Check::NonNegative => "non_negative",
            Check::Whole => "whole",
            Check::Decimals { .. } => "decimals",
            Check::CityOnly => "city_only",
            Check::Heading => "heading",
            Check::BlankTotal => "blank_total",
            Check::ExpectZero { .. } => "expect_zero",
            Check::Swing { .. } => "swing",
            Check::Carried { .. } => "carried",
        }
    }

    /// The placeholders its message may use beyond the cell's own
    /// (`{cell}` `{table}` `{row}` `{label}` `{column}` `{unit}` `{value}`).
    fn placeholders(&self) -> &'static [&'static str] {
        match self {
            Check::Sum { .. } | Check::AtMost { .. } => &["parts", "sum", "why"],
            Check::Balance { .. } => &["sum"],
            Check::BlankTotal => &["sum"],
            Check::ExpectZero { .. } => &["why"],
            Check::Decimals { .. } => &["places"],
            Check::Swing { .. } => &["last", "last_year", "ratio"],
            Check::Carried { .. } => &["last", "last_year", "last_label"],
            _ => &[],
        }
    }
}

/// The placeholders every message may use: the cell's.
const CELL_PLACEHOLDERS: &[&str] = &["cell", "table", "row", "label", "column", "unit", "value"];

/// One rule (审核公式), checked and, where it applies in every column or row
/// of a table, one per column or row.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The finding's code (`SUM-R05`, `T3-BALANCE-C1`).
    pub code: String,
    pub severity: Severity,
    pub check: Check,
    /// Why an `at_most` or `expect_zero` rule holds, in words a clerk knows.
    pub why: String,
    /// How a clerk names a relation's parts.
    pub parts: String,
    /// The code as docs/checks.md lists it: a rule that applies in every
    /// column or row once, with the varying part as a pattern
    /// (`T3-BALANCE-Cn`, `T3-ROW-TOTAL-Rnn`).
    pub family: String,
    /// The one kind of unit the rule is about (乡镇不制定规章), or all.
    pub only: Option<UnitKind>,
    message: String,
}

impl Rule {
    /// The message, with `{placeholders}` still in it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub title: String,
    /// The data years this form is to be filled in, when it says.
    pub in_force: Option<InForce>,
    /// The label of the line above the table naming who filled it in (填报单位).
    pub unit_line: String,
    /// The signature lines below the table.
    pub footer: Vec<FooterField>,
    markers: Vec<String>,
    /// The family of forms this one belongs to, with the labels every
    /// format of it carries (normalized).
    family: Option<FamilyFile>,
    tables: Vec<Table>,
    cells: Vec<Cell>,
    rules: Vec<Rule>,
    /// Cell index by code.
    by_code: foldhash::HashMap<String, usize>,
    /// Every table's rows by normalized label, as (table, row): one look-up
    /// per text cell of a file finds the rows it names in any table.
    /// Hashed with foldhash: it is looked up for every text cell of every
    /// file, where SipHash showed in the profile (BENCHMARKS.md).
    labels: foldhash::HashMap<String, Vec<(usize, usize)>>,
    /// `Sum` rules in an order where every part is computed before its total.
    sum_order: Vec<usize>,
    draft: draft::Draft,
    overview: Vec<draft::Figure>,
}

impl Template {
    /// A built-in template by id, or a template file by path.
    pub fn load(id_or_path: &str) -> Result<Template, TemplateError> {
        if let Some(text) = registry::text_of(id_or_path) {
            return Template::parse(text, id_or_path);
        }
        let path = Path::new(id_or_path);
        if !path.exists() {
            return Err(TemplateError::Unknown {
                id: id_or_path.to_string(),
                built_in: registry::ids().collect::<Vec<_>>().join(", "),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            path: id_or_path.to_string(),
            source,
        })?;
        Template::parse(&text, id_or_path)
    }

    /// The label of the footer line that holds `role`, when the form has one.
    pub fn footer_label(&self, role: FooterRole) -> Option<&str> {
        self.footer
            .iter()
            .find(|f| f.role == Some(role))
            .map(|f| f.label.as_str())
    }

    /// The footer's labels, in order.
    pub fn footer_labels(&self) -> impl Iterator<Item = &str> {
        self.footer.iter().map(|f| f.label.as_str())
    }

    /// The family's name and its labels, normalized.
    pub fn family(&self) -> Option<&FamilyFile> {
        self.family.as_ref()
    }

    pub fn parse(text: &str, origin: &str) -> Result<Template, TemplateError> {
        let invalid = |message: String| TemplateError::Invalid {
            path: origin.to_string(),
            message,
        };
        let file: TemplateFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        build(file).map_err(invalid)
    }

    /// What the annual report draft says about the data.
    pub fn draft(&self) -> &draft::Draft {
        &self.draft
    }

    /// The headline figures of 概览.
    pub fn overview(&self) -> &[draft::Figure] {
        &self.overview
    }

    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Normalized labels only this form carries.
    pub fn markers(&self) -> &[String] {
        &self.markers
    }

    /// The sum rules, parts before totals.
    pub fn sum_order(&self) -> impl Iterator<Item = &Rule> {
        self.sum_order.iter().map(|&i| &self.rules[i])
    }

    /// The (table, row) pairs whose label is `key` (normalized).
    pub fn labelled(&self, key: &str) -> &[(usize, usize)] {
        self.labels.get(key).map_or(&[], Vec::as_slice)
    }

    /// The index of the cell with this code.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    pub fn table_of(&self, cell: usize) -> &Table {
        &self.tables[self.cells[cell].table]
    }

    pub fn row_of(&self, cell: usize) -> &Row {
        let c = &self.cells[cell];
        &self.tables[c.table].rows[c.row]
    }

    pub fn column_of(&self, cell: usize) -> &Column {
        let c = &self.cells[cell];
        &self.tables[c.table].columns[c.col]
    }

    /// Whether the rollup adds this cell up from the units below.
    pub fn is_summed(&self, cell: usize) -> bool {
        self.row_of(cell).is_summed()
    }

    /// Whether the form is one table of one value column (the 2018 form):
    /// its cells are its rows.
    pub fn is_single_column(&self) -> bool {
        self.tables.len() == 1 && self.tables[0].columns.len() == 1
    }

    /// The printed title of a cell's table: the part's title, or the form's.
    pub fn table_title(&self, cell: usize) -> &str {
        let t = self.table_of(cell);
        if t.title.is_empty() {
            &self.title
        } else {
            &t.title
        }
    }

    /// A table as a clerk names it: `表三` for `三、收到和处理政府信息公开申请情况`,
    /// else its title (the form's, for a form of one table).
    pub fn table_name(&self, table: &Table) -> String {
        let title = if table.title.is_empty() {
            &self.title
        } else {
            &table.title
        };
        match title.split_once('、') {
            Some((number, _)) => format!("表{number}"),
            None => title.to_string(),
        }
    }

    /// A cell as a clerk names it: `第5行“(二)…情况”` on the 2018 form,
    /// `表三“（一）予以公开”行“自然人”列` or `表四“行政复议/总计”列` on the
    /// national tables.
    pub fn cell_name(&self, cell: usize) -> String {
        let row = self.row_of(cell);
        if self.is_single_column() {
            return format!(
                "{}“{}”",
                rows_ref(std::slice::from_ref(&row.code)),
                row.label
            );
        }
        let table = self.table_name(self.table_of(cell));
        let column = &self.column_of(cell).label;
        if row.label.is_empty() {
            format!("{table}“{column}”列")
        } else {
            format!("{table}“{}”行“{column}”列", row.label)
        }
    }

    /// The index of the cell a row code and a column code name, for findings
    /// that carry the two apart.
    pub fn find_cell(&self, row: &str, column: &str) -> Option<usize> {
        self.position(&format!("{row}{column}"))
    }

    /// The rules of one kind.
    pub fn rules_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Rule> {
        self.rules.iter().filter(move |r| r.check.kind() == kind)
    }

    /// The swing rule's thresholds replaced (`--swing-ratio`, `--swing-at-least`).
    pub fn set_swing(&mut self, ratio: Option<f64>, at_least: Option<f64>) {
        for rule in &mut self.rules {
            if let Check::Swing {
                ratio: r,
                at_least: a,
            } = &mut rule.check
            {
                *r = ratio.unwrap_or(*r);
                *a = at_least.unwrap_or(*a);
            }
        }
    }

    /// The codes this template's rules give their findings, as docs/checks.md
    /// lists them: an expanded rule once, a swing with its cell as a pattern
    /// (`SWING-Rnn`).
    pub fn finding_codes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for rule in &self.rules {
            let code = match rule.check {
                Check::Swing { .. } => format!("{}-{}", rule.code, self.cell_pattern()),
                _ => rule.family.clone(),
            };
            if !out.contains(&code) {
                out.push(code);
            }
        }
        out
    }

    /// How docs/checks.md writes "any cell" of this form.
    fn cell_pattern(&self) -> &'static str {
        if self.is_single_column() {
            "Rnn"
        } else {
            "TnRnnCn"
        }
    }
}

/// The suffix an expanded rule's code gets for a row or column: its code
/// without the table's prefix (`T3R05` in table T3 → `R05`).
fn suffix<'a>(table: &Table, code: &'a str) -> &'a str {
    code.strip_prefix(table.code.as_str()).unwrap_or(code)
}

fn build(file: TemplateFile) -> Result<Template, String> {
    if file.tables.is_empty() {
        return Err("it has no tables".into());
    }
    let mut tables = Vec::new();
    let mut cells = Vec::new();
    let mut by_code = foldhash::HashMap::default();
    let mut table_codes = HashSet::new();
    for (t, tf) in file.tables.into_iter().enumerate() {
        if !table_codes.insert(tf.code.clone()) {
            return Err(format!("table code {} appears twice", tf.code));
        }
        if tf.rows.is_empty() || tf.columns.is_empty() {
            return Err(format!("table {} needs rows and columns", tf.code));
        }
        if tf.columns.len() > 1 && tf.columns.iter().any(|c| c.code.is_empty()) {
            return Err(format!(
                "table {}: every column of a table of several needs a code",
                tf.code
            ));
        }
        let leaves: Vec<&str> = tf
            .columns
            .iter()
            .map(|c| c.path.last().map_or("", String::as_str))
            .collect();
        let columns: Vec<Column> = tf
            .columns
            .iter()
            .map(|c| {
                let leaf = c.path.last().cloned().unwrap_or_default();
                let repeated = leaves.iter().filter(|l| **l == leaf).count() > 1;
                Column {
                    code: c.code.clone(),
                    label: if repeated {
                        c.path.join("/")
                    } else {
                        leaf.clone()
                    },
                    keys: c.path.iter().map(|p| normalize_label(p)).collect(),
                    path: c.path.clone(),
                    value: c.value,
                    unit: c.unit.clone(),
                }
            })
            .collect();
        if columns.iter().any(|c| c.path.is_empty()) {
            return Err(format!("table {}: a column has no header", tf.code));
        }
        let rows: Vec<Row> = tf
            .rows
            .into_iter()
            .map(|r| Row {
                key: normalize_label(&r.label),
                path: r
                    .groups
                    .iter()
                    .chain(std::iter::once(&r.label))
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(" / "),
                also: r
                    .also
                    .iter()
                    .map(|a| (a.clone(), normalize_label(a)))
                    .collect(),
                unit: r.unit.unwrap_or_else(|| tf.unit.clone()),
                code: r.code,
                label: r.label,
                kind: r.kind,
                value: r.value,
                city_only: r.city_only,
                groups: r.groups,
            })
            .collect();
        if rows.len() > 1 && rows.iter().any(|r| r.key.is_empty()) {
            return Err(format!(
                "table {}: only a table of one row may leave its label empty",
                tf.code
            ));
        }
        let group_keys = rows
            .iter()
            .flat_map(|r| &r.groups)
            .map(|g| normalize_label(g))
            .collect();
        let first_cell = cells.len();
        for (r, row) in rows.iter().enumerate() {
            for (c, column) in columns.iter().enumerate() {
                let code = format!("{}{}", row.code, column.code);
                if by_code.insert(code.clone(), cells.len()).is_some() {
                    return Err(format!("cell code {code} appears twice"));
                }
                cells.push(Cell {
                    code,
                    table: t,
                    row: r,
                    col: c,
                    unit: column.unit.clone().unwrap_or_else(|| row.unit.clone()),
                    value: column.value.unwrap_or(row.value),
                });
            }
        }
        tables.push(Table {
            code: tf.code,
            title: tf.title,
            caption: tf.caption,
            note: tf.note,
            corner: tf.corner,
            unit_header: tf.unit_header,
            columns,
            rows,
            first_cell,
            group_keys,
        });
    }
    let mut labels: foldhash::HashMap<String, Vec<(usize, usize)>> = Default::default();
    for (t, table) in tables.iter().enumerate() {
        for (r, row) in table.rows.iter().enumerate() {
            if !row.key.is_empty() {
                labels.entry(row.key.clone()).or_default().push((t, r));
            }
            for (_, key) in &row.also {
                labels.entry(key.clone()).or_default().push((t, r));
            }
        }
    }
    let mut template = Template {
        labels,
        id: file.id,
        name: file.name,
        title: file.title,
        in_force: file.in_force,
        unit_line: file.unit_line,
        footer: file.footer,
        markers: file.markers.iter().map(|m| normalize_label(m)).collect(),
        family: file.family.map(|f| FamilyFile {
            markers: f.markers.iter().map(|m| normalize_label(m)).collect(),
            name: f.name,
        }),
        tables,
        cells,
        rules: Vec::new(),
        by_code,
        sum_order: Vec::new(),
        draft: draft::Draft::default(),
        overview: Vec::new(),
    };
    for rule in file.rules {
        let built = template
            .build_rule(&rule, &file.messages)
            .map_err(|m| format!("rule {}: {m}", rule_code(&rule)))?;
        template.rules.extend(built);
    }
    template.sum_order = template.order_sums()?;
    if let Some(d) = &file.draft {
        template.draft = draft::Draft::build(d, &template)?;
    }
    template.overview = file
        .overview
        .iter()
        .map(|f| draft::Figure::build(f, &template))
        .collect::<Result<_, String>>()?;
    let by_district = template
        .overview
        .iter()
        .filter(|f| f.chart == Some(file::ChartFile::ByDistrict))
        .count();
    if by_district > 1 {
        return Err("only one overview figure can be charted by district".into());
    }
    Ok(template)
}

fn rule_code(rule: &RuleFile) -> &str {
    match rule {
        RuleFile::Sum { code, .. }
        | RuleFile::AtMost { code, .. }
        | RuleFile::Balance { code, .. }
        | RuleFile::NonNegative { code, .. }
        | RuleFile::Whole { code, .. }
        | RuleFile::Decimals { code, .. }
        | RuleFile::CityOnly { code, .. }
        | RuleFile::Heading { code, .. }
        | RuleFile::BlankTotal { code, .. }
        | RuleFile::ExpectZero { code, .. }
        | RuleFile::Swing { code, .. }
        | RuleFile::Carried { code, .. } => code,
    }
}

/// The cells a relation's sides name, once for each column or row it applies in.
struct Sides {
    /// For each expansion: the code suffix and the two sides' cells.
    each: Vec<(String, Vec<usize>, Vec<usize>)>,
    /// The suffix as docs/checks.md writes it (`-Cn`), empty for named cells.
    pattern: &'static str,
}

impl Template {
    fn table_by_code(&self, code: &str) -> Result<&Table, String> {
        self.tables
            .iter()
            .find(|t| t.code == code)
            .ok_or_else(|| format!("it names table {code}, which the template does not have"))
    }

    fn cell_by_code(&self, code: &str) -> Result<usize, String> {
        self.position(code)
            .ok_or_else(|| format!("it names cell {code}, which the template does not have"))
    }

    /// Resolves the two sides of a relation where it applies.
    fn sides(&self, left: &[String], right: &[String], across: &Across) -> Result<Sides, String> {
        let resolve = |codes: &[String], f: &dyn Fn(&str) -> Result<usize, String>| {
            codes.iter().map(|c| f(c)).collect::<Result<Vec<_>, _>>()
        };
        let pattern = match across {
            Across::Cells => "",
            Across::EveryColumn(_) => "-Cn",
            Across::EveryRow(_) => "-Rnn",
        };
        let each = match across {
            Across::Cells => vec![(
                String::new(),
                resolve(left, &|c| self.cell_by_code(c))?,
                resolve(right, &|c| self.cell_by_code(c))?,
            )],
            Across::EveryColumn(t) => {
                let table = self.table_by_code(t)?;
                let row = |code: &str| {
                    table
                        .rows
                        .iter()
                        .position(|r| r.code == code)
                        .ok_or_else(|| format!("table {t} has no row {code}"))
                };
                let (l, r) = (resolve(left, &row)?, resolve(right, &row)?);
                (0..table.columns.len())
                    .map(|c| {
                        (
                            format!("-{}", table.columns[c].code),
                            l.iter().map(|&r| table.cell(r, c)).collect(),
                            r.iter().map(|&r| table.cell(r, c)).collect(),
                        )
                    })
                    .collect()
            }
            Across::EveryRow(t) => {
                let table = self.table_by_code(t)?;
                let col = |code: &str| {
                    table
                        .columns
                        .iter()
                        .position(|c| c.code == code)
                        .ok_or_else(|| format!("table {t} has no column {code}"))
                };
                let (l, r) = (resolve(left, &col)?, resolve(right, &col)?);
                (0..table.rows.len())
                    .map(|row| {
                        (
                            format!("-{}", suffix(table, &table.rows[row].code)),
                            l.iter().map(|&c| table.cell(row, c)).collect(),
                            r.iter().map(|&c| table.cell(row, c)).collect(),
                        )
                    })
                    .collect()
            }
        };
        Ok(Sides { each, pattern })
    }

    /// The rows a relation's parts are on, as a clerk names them (`第6–11行`).
    fn parts_of(&self, cells: &[usize]) -> String {
        let codes: Vec<String> = cells.iter().map(|&c| self.row_of(c).code.clone()).collect();
        rows_ref(&codes)
    }

    fn build_rule(
        &self,
        rule: &RuleFile,
        messages: &HashMap<String, String>,
    ) -> Result<Vec<Rule>, String> {
        let one = |code: &str, severity: Severity, check: Check| Rule {
            code: code.to_string(),
            severity,
            check,
            why: String::new(),
            parts: String::new(),
            family: code.to_string(),
            only: None,
            message: String::new(),
        };
        let (mut rules, message) = match rule {
            RuleFile::Sum {
                code,
                severity,
                left,
                right,
                across,
                parts,
                message,
            }
            | RuleFile::AtMost {
                code,
                severity,
                left,
                right,
                across,
                parts,
                message,
                ..
            } => {
                if right.is_empty() {
                    return Err("it needs parts on its `right`".into());
                }
                let why = match rule {
                    RuleFile::AtMost { why, .. } => why.clone(),
                    _ => String::new(),
                };
                let sides = self.sides(std::slice::from_ref(left), right, across)?;
                let family = format!("{code}{}", sides.pattern);
                let rules = sides
                    .each
                    .into_iter()
                    .map(|(sfx, l, r)| {
                        let check = if matches!(rule, RuleFile::Sum { .. }) {
                            Check::Sum {
                                left: l[0],
                                right: r.clone(),
                            }
                        } else {
                            Check::AtMost {
                                left: l[0],
                                right: r.clone(),
                            }
                        };
                        Rule {
                            why: why.clone(),
                            parts: parts.clone().unwrap_or_else(|| self.parts_of(&r)),
                            family: family.clone(),
                            ..one(&format!("{code}{sfx}"), *severity, check)
                        }
                    })
                    .collect();
                (rules, message)
            }
            RuleFile::Balance {
                code,
                severity,
                left,
                right,
                across,
                message,
            } => {
                if left.is_empty() || right.is_empty() {
                    return Err("it needs cells on both sides".into());
                }
                let sides = self.sides(left, right, across)?;
                let family = format!("{code}{}", sides.pattern);
                let rules = sides
                    .each
                    .into_iter()
                    .map(|(sfx, left, right)| Rule {
                        family: family.clone(),
                        ..one(
                            &format!("{code}{sfx}"),
                            *severity,
                            Check::Balance { left, right },
                        )
                    })
                    .collect();
                (rules, message)
            }
            RuleFile::Carried {
                code,
                severity,
                this,
                last,
                across,
                message,
            } => {
                let sides = self.sides(
                    std::slice::from_ref(this),
                    std::slice::from_ref(last),
                    across,
                )?;
                let family = format!("{code}{}", sides.pattern);
                let rules = sides
                    .each
                    .into_iter()
                    .map(|(sfx, this, last)| Rule {
                        family: family.clone(),
                        ..one(
                            &format!("{code}{sfx}"),
                            *severity,
                            Check::Carried {
                                this: this[0],
                                last: last[0],
                            },
                        )
                    })
                    .collect();
                (rules, message)
            }
            RuleFile::ExpectZero {
                code,
                severity,
                cells,
                why,
                only,
                message,
            } => {
                let cells = cells
                    .iter()
                    .map(|c| self.cell_by_code(c))
                    .collect::<Result<Vec<_>, _>>()?;
                let rule = Rule {
                    why: why.clone(),
                    only: *only,
                    ..one(code, *severity, Check::ExpectZero { cells })
                };
                (vec![rule], message)
            }
            RuleFile::Swing {
                code,
                severity,
                ratio,
                at_least,
                message,
            } => {
                if !(*ratio > 1.0 && *at_least >= 0.0) {
                    return Err(
                        "a swing rule needs `ratio` above 1 and `at_least` of 0 or more".into(),
                    );
                }
                let check = Check::Swing {
                    ratio: *ratio,
                    at_least: *at_least,
                };
                (vec![one(code, *severity, check)], message)
            }
            RuleFile::Decimals {
                code,
                severity,
                places,
                message,
            } => {
                let check = Check::Decimals { places: *places };
                (vec![one(code, *severity, check)], message)
            }
            RuleFile::NonNegative {
                code,
                severity,
                message,
            } => (vec![one(code, *severity, Check::NonNegative)], message),
            RuleFile::Whole {
                code,
                severity,
                message,
            } => (vec![one(code, *severity, Check::Whole)], message),
            RuleFile::CityOnly {
                code,
                severity,
                message,
            } => (vec![one(code, *severity, Check::CityOnly)], message),
            RuleFile::Heading {
                code,
                severity,
                message,
            } => (vec![one(code, *severity, Check::Heading)], message),
            RuleFile::BlankTotal {
                code,
                severity,
                message,
            } => (vec![one(code, *severity, Check::BlankTotal)], message),
        };
        let Some(first) = rules.first() else {
            return Ok(rules);
        };
        let kind = first.check.kind();
        let text = message
            .clone()
            .or_else(|| messages.get(kind).cloned())
            .ok_or_else(|| format!("it has no message, and [messages] has none for `{kind}`"))?;
        check_placeholders(&text, &first.check)?;
        for r in &mut rules {
            r.message.clone_from(&text);
        }
        Ok(rules)
    }

    /// Orders the sum rules so that a total made of other totals (46 contains
    /// 50; 表三's （七）总计 of the 总计 column) is computed after them.
    fn order_sums(&self) -> Result<Vec<usize>, String> {
        let sums: Vec<(usize, usize, &[usize])> = self
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &r.check {
                Check::Sum { left, right } => Some((i, *left, right.as_slice())),
                _ => None,
            })
            .collect();
        let totals: HashSet<usize> = sums.iter().map(|(_, l, _)| *l).collect();
        let mut done: HashSet<usize> = HashSet::new();
        let mut placed = vec![false; sums.len()];
        let mut order = Vec::new();
        while order.len() < sums.len() {
            let before = order.len();
            for (k, &(i, left, right)) in sums.iter().enumerate() {
                if placed[k] {
                    continue;
                }
                // A total is ready when each part is no total, or is done.
                // A total defined twice (by its row and by its column) is
                // done once either way, so it does not wait on itself.
                let ready = right
                    .iter()
                    .all(|p| done.contains(p) || !totals.contains(p) || *p == left);
                if ready {
                    placed[k] = true;
                    order.push(i);
                    done.insert(left);
                }
            }
            if order.len() == before {
                return Err("its sum rules refer to each other in a circle".into());
            }
        }
        Ok(order)
    }
}

/// A message may use only the placeholders its kind fills.
fn check_placeholders(message: &str, check: &Check) -> Result<(), String> {
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("its message has an unclosed `{{`: {message}"))?;
        let name = &rest[open + 1..open + close];
        if !CELL_PLACEHOLDERS.contains(&name) && !check.placeholders().contains(&name) {
            let mut fills: Vec<&str> = CELL_PLACEHOLDERS.to_vec();
            fills.extend(check.placeholders());
            return Err(format!(
                "its message uses {{{name}}}, which a {} rule does not fill (it fills {})",
                check.kind(),
                fills.join(", ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn position_in_order(t: &Template, code: &str) -> usize {
        let cell = t.position(code).unwrap();
        t.sum_order()
            .position(|r| matches!(r.check, Check::Sum { left, .. } if left == cell))
            .unwrap()
    }

    #[test]
    fn lps2018_has_86_rows_and_every_relation() {
        let t = Template::load("lps2018").unwrap();
        assert_eq!(t.cells().len(), 86);
        assert!(t.is_single_column());
        assert_eq!(t.cells()[0].code, "R01");
        assert_eq!(t.cells()[85].code, "R86");
        assert_eq!(t.rules_of("sum").count(), 10);
        // 46 contains 50: 50 must be recomputed first.
        assert!(position_in_order(&t, "R50") < position_in_order(&t, "R46"));
        assert!(t.row_of(t.position("R78").unwrap()).city_only);
        assert!(!t.is_summed(t.position("R77").unwrap()));
    }

    #[test]
    fn the_national_tables_have_the_cells_national_md_counts() {
        // 表二 22 (2019) or 10 (2021) cells, 表三 23 or 25 rows of 7, 表四 15.
        let t19 = Template::load("nat2019").unwrap();
        assert_eq!(t19.cells().len(), 22 + 23 * 7 + 15);
        let t21 = Template::load("nat2021").unwrap();
        assert_eq!(t21.cells().len(), 10 + 25 * 7 + 15);
        for t in [&t19, &t21] {
            assert!(!t.is_single_column());
            // One balance per column of 表三, one row total per row.
            assert_eq!(t.rules_of("balance").count(), 7);
            let rows = t
                .tables()
                .iter()
                .find(|x| x.code == "T3")
                .unwrap()
                .rows
                .len();
            assert!(t.rules_of("sum").count() >= rows + 7 + 3);
        }
        // The 总计 of （七）总计 is a total of totals: after its row's and column's parts.
        let grand = position_in_order(&t21, "T3R24C7");
        assert!(position_in_order(&t21, "T3R24C1") < grand);
        assert!(position_in_order(&t21, "T3R03C7") < grand);
        let t4 = t21.column_of(t21.position("T4R01C10").unwrap());
        assert_eq!(t4.label, "行政诉讼/未经复议直接起诉/总计");
        assert_eq!(
            t21.column_of(t21.position("T3R01C2").unwrap()).label,
            "商业企业"
        );
    }

    #[test]
    fn every_rule_has_a_message_in_chinese() {
        for id in registry::ids() {
            let t = Template::load(id).unwrap();
            for rule in t.rules() {
                assert!(
                    rule.message()
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{id} {}: {}",
                    rule.code,
                    rule.message()
                );
            }
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
    fn a_field_another_kind_takes_is_refused() {
        let text = MINIMAL.replace("right = [\"B\"]", "right = [\"B\"]\nplaces = 2");
        let err = Template::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("places"), "{err}");
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
unit_line = "填报单位"
footer = []
[messages]
sum = "{row} {value} {parts} {sum}"
[[tables]]
code = "T1"
columns = [{ path = ["统计数"] }]
[[tables.rows]]
code = "A"
label = "甲"
[[tables.rows]]
code = "B"
label = "乙"
[[rules]]
code = "SUM-A"
kind = "sum"
left = "A"
right = ["B"]
severity = "warning"
"#;

    #[test]
    fn a_rule_naming_a_missing_cell_is_refused() {
        Template::parse(MINIMAL, "x.toml").unwrap();
        let text = MINIMAL.replace("right = [\"B\"]", "right = [\"C\"]");
        let err = Template::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("cell C"), "{err}");
    }
}
