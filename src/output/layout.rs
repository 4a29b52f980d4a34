//! The form's printed layout, from the template alone: each printed part
//! (the 2018 form's one table; the national 表二 with its blocks, 表三, 表四)
//! as cells placed on a grid, with their spans: the merged multi-level
//! headers, the merged row groups, the labels and the value cells. The
//! workbook writer (`form.rs`) and the report draft (`draft.rs`) both draw
//! this one layout, so a return and the draft's tables cannot differ.

use crate::form::{RowKind, Table, Template, ValueType};

/// What a placed cell is, for the writers' styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A block's caption across the table (表二's 第二十条第（一）项).
    Caption,
    Header,
    /// A merged row group (三、本年度办理结果, （三）不予公开).
    Group,
    Label,
    /// A row with no value of its own (the 2018 form's 一、二 headings).
    Heading,
    Unit,
    Value(ValueType),
    /// How many units reported the row (the analyst copy of a one-column form).
    Reporting,
}

/// What a placed cell shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(String),
    /// The value of template cell `i`.
    Cell(usize),
    /// How many units reported template cell `i`.
    Reported(usize),
}

/// A cell over rows `top..=bottom` and columns `left..=right` of its part.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub top: u32,
    pub left: u16,
    pub bottom: u32,
    pub right: u16,
    pub role: Role,
    pub content: Content,
}

/// One printed part: its title and its table of placed cells.
#[derive(Debug)]
pub struct PartLayout<'t> {
    /// `三、收到和处理政府信息公开申请情况`; empty for a one-part form.
    pub title: &'t str,
    /// Columns taken by the row labels and groups.
    pub labels: u16,
    /// Columns in all.
    pub width: u16,
    /// Rows in all.
    pub rows: u32,
    pub cells: Vec<Placed>,
}

/// Whether the layout adds the column of how many units reported each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporting {
    Shown,
    Hidden,
}

/// The parts of the form, in print order.
pub fn parts(template: &Template, reporting: Reporting) -> Vec<PartLayout<'_>> {
    let mut grouped: Vec<(&str, Vec<&Table>)> = Vec::new();
    for table in template.tables() {
        match grouped.last_mut() {
            Some((title, tables)) if *title == table.title => tables.push(table),
            _ => grouped.push((&table.title, vec![table])),
        }
    }
    grouped
        .into_iter()
        .map(|(title, tables)| lay_out(template, title, &tables, reporting))
        .collect()
}

/// Where a part's value columns start, and how many there are.
struct ValueColumns {
    labels: u16,
    unit: bool,
    values: u16,
}

impl ValueColumns {
    fn of(tables: &[&Table]) -> ValueColumns {
        ValueColumns {
            labels: tables
                .iter()
                .filter(|t| t.has_row_labels())
                .flat_map(|t| &t.rows)
                .map(|r| r.groups.len() as u16 + 1)
                .max()
                .unwrap_or(0),
            unit: tables.iter().any(|t| t.unit_header.is_some()),
            values: tables
                .iter()
                .map(|t| t.columns.len() as u16)
                .max()
                .unwrap_or(1),
        }
    }

    fn first_value(&self) -> u16 {
        self.labels + u16::from(self.unit)
    }

    fn width(&self) -> u16 {
        self.first_value() + self.values
    }

    /// The columns a table's column `c` spans: a block with fewer columns
    /// than its part spreads its last one over the rest (表二's 本年处理决定数量).
    fn column_span(&self, table: &Table, c: usize) -> (u16, u16) {
        let first = self.first_value() + c as u16;
        let last = if c + 1 == table.columns.len() {
            self.width() - 1
        } else {
            first
        };
        (first, last)
    }
}

struct Pen {
    cells: Vec<Placed>,
}

impl Pen {
    fn put(
        &mut self,
        (top, left): (u32, u16),
        (bottom, right): (u32, u16),
        role: Role,
        content: Content,
    ) {
        self.cells.push(Placed {
            top,
            left,
            bottom,
            right,
            role,
            content,
        });
    }

    fn text(&mut self, from: (u32, u16), to: (u32, u16), role: Role, text: &str) {
        self.put(from, to, role, Content::Text(text.to_string()));
    }
}

fn lay_out<'t>(
    template: &Template,
    title: &'t str,
    tables: &[&Table],
    reporting: Reporting,
) -> PartLayout<'t> {
    let grid = ValueColumns::of(tables);
    let extra = reporting == Reporting::Shown;
    let width = grid.width() + u16::from(extra);
    let mut pen = Pen { cells: Vec::new() };
    let mut r = 0;
    for table in tables {
        if !table.caption.is_empty() {
            pen.text((r, 0), (r, grid.width() - 1), Role::Caption, &table.caption);
            r += 1;
        }
        r = header(&mut pen, table, &grid, extra, r);
        r = body(&mut pen, template, table, &grid, extra, r);
    }
    PartLayout {
        title,
        labels: grid.labels,
        width,
        rows: r,
        cells: pen.cells,
    }
}

/// A table's header rows: the corner (or the 勾稽关系 note) over the label
/// columns, the unit header, and each column's path, merged across the
/// columns that share a header and down where a path is shorter.
fn header(pen: &mut Pen, table: &Table, grid: &ValueColumns, extra: bool, r: u32) -> u32 {
    let depth = table.header_depth() as u32;
    let bottom = r + depth - 1;
    if grid.labels > 0 {
        let corner = if table.note.is_empty() {
            &table.corner
        } else {
            &table.note
        };
        pen.text((r, 0), (bottom, grid.labels - 1), Role::Header, corner);
    }
    if let Some(unit) = &table.unit_header {
        pen.text((r, grid.labels), (bottom, grid.labels), Role::Header, unit);
    }
    for level in 0..depth as usize {
        let mut c = 0;
        while c < table.columns.len() {
            let column = &table.columns[c];
            let Some(text) = column.path.get(level) else {
                c += 1;
                continue;
            };
            // The columns under the same header at this level.
            let mut end = c;
            while end + 1 < table.columns.len()
                && table.columns[end + 1].path.get(..=level) == column.path.get(..=level)
                && column.path.len() > level + 1
            {
                end += 1;
            }
            let row = r + level as u32;
            let last_row = if level + 1 == column.path.len() {
                bottom
            } else {
                row
            };
            let (first, _) = grid.column_span(table, c);
            let (_, last) = grid.column_span(table, end);
            pen.text((row, first), (last_row, last), Role::Header, text);
            c = end + 1;
        }
    }
    if extra {
        pen.text(
            (r, grid.width()),
            (bottom, grid.width()),
            Role::Header,
            "报送单位数",
        );
    }
    bottom + 1
}

/// A table's rows: the merged row groups, the label, the unit, the values.
fn body(
    pen: &mut Pen,
    template: &Template,
    table: &Table,
    grid: &ValueColumns,
    extra: bool,
    r: u32,
) -> u32 {
    for (i, row) in table.rows.iter().enumerate() {
        let y = r + i as u32;
        if grid.labels > 0 {
            // Each group once, over the rows it heads.
            for (level, group) in row.groups.iter().enumerate() {
                let starts = i == 0 || table.rows[i - 1].groups.get(level) != Some(group);
                if !starts {
                    continue;
                }
                let span = table.rows[i..]
                    .iter()
                    .take_while(|x| x.groups.get(level) == Some(group))
                    .count() as u32;
                let c = level as u16;
                pen.text((y, c), (y + span - 1, c), Role::Group, group);
            }
            let role = if row.kind == RowKind::Heading {
                Role::Heading
            } else {
                Role::Label
            };
            let c = row.groups.len() as u16;
            pen.text((y, c), (y, grid.labels - 1), role, &row.label);
            if grid.unit {
                let unit = &template.cells()[table.cell(i, 0)].unit;
                pen.text((y, grid.labels), (y, grid.labels), Role::Unit, unit);
            }
        }
        for c in 0..table.columns.len() {
            let cell = table.cell(i, c);
            let (first, last) = grid.column_span(table, c);
            let role = Role::Value(template.cells()[cell].value);
            pen.put((y, first), (y, last), role, Content::Cell(cell));
        }
        if extra {
            let x = grid.width();
            pen.put(
                (y, x),
                (y, x),
                Role::Reporting,
                Content::Reported(table.cell(i, 0)),
            );
        }
    }
    r + table.rows.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No two placed cells overlap, and every cell lies inside its part.
    fn assert_tiles(part: &PartLayout) {
        let mut taken = std::collections::HashSet::new();
        for p in &part.cells {
            assert!(p.bottom < part.rows && p.right < part.width, "{p:?}");
            for r in p.top..=p.bottom {
                for c in p.left..=p.right {
                    assert!(taken.insert((r, c)), "{p:?} overlaps at ({r}, {c})");
                }
            }
        }
    }

    #[test]
    fn every_form_is_laid_out_without_overlaps_and_with_every_value_once() {
        for id in ["lps2018", "nat2019", "nat2021"] {
            let template = Template::load(id).unwrap();
            let parts = parts(&template, Reporting::Hidden);
            let mut seen = vec![0; template.cells().len()];
            for part in &parts {
                assert_tiles(part);
                for p in &part.cells {
                    if let Content::Cell(i) = p.content {
                        seen[i] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "{id}");
        }
    }

    #[test]
    fn table_three_has_its_printed_header() {
        let template = Template::load("nat2021").unwrap();
        let parts = parts(&template, Reporting::Hidden);
        let t3 = parts.iter().find(|p| p.title.starts_with("三、")).unwrap();
        let text = |s: &str| {
            t3.cells
                .iter()
                .find(|p| p.content == Content::Text(s.into()))
                .map(|p| (p.top, p.left, p.bottom, p.right))
        };
        // 申请人情况 across the seven value columns, 自然人 down two rows.
        let (top, left, bottom, right) = text("申请人情况").unwrap();
        assert_eq!((top, bottom, right - left + 1), (0, 0, 7));
        let (top, _, bottom, _) = text("自然人").unwrap();
        assert_eq!((top, bottom), (1, 2));
        let (_, _, _, right) = text("法人或其他组织").unwrap();
        assert_eq!(right - text("法人或其他组织").unwrap().1 + 1, 5);
    }
}
