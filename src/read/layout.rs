//! A document's table laid out as a spreadsheet shows it.
//!
//! Word and HTML tables merge cells by spans (`w:gridSpan`/`w:vMerge`,
//! `colspan`/`rowspan`); a spreadsheet merges a range and keeps the text in
//! its first cell. Laying a table out the spreadsheet's way gives the
//! locator the grid it already reads: a header spanning three columns sits
//! above the first of them, and the cells after it keep their columns.
//!
//! Spans come from the file, so they are bounded: a table never reaches
//! beyond a spreadsheet's 16,384 columns or 1,048,576 rows (cells beyond
//! are dropped), and a cell spanning rows marks the columns it covers, never
//! the rows, so a `rowspan="100000"` costs one entry per column.

use std::collections::HashMap;

use calamine::Data;

use super::ReadError;
use super::grid::{Grid, GridCell};
use super::sheet::{Budget, Sheet};

/// The most tables a document or page may hold.
const MAX_TABLES: usize = 1_000;

/// Columns and rows of the largest sheet a spreadsheet holds.
const MAX_COLS: u32 = 16_384;
const MAX_ROWS: u32 = 1_048_576;

/// Lays out one table, row by row, cell by cell.
pub struct TableLayout {
    cells: Vec<GridCell>,
    /// The row being laid out, `None` before the first.
    row: Option<u32>,
    col: u32,
    /// Columns covered by a cell spanning down from a row above: the last
    /// row each is covered to.
    covered: HashMap<u32, u32>,
}

impl TableLayout {
    pub fn new() -> TableLayout {
        TableLayout {
            cells: Vec::new(),
            row: None,
            col: 0,
            covered: HashMap::new(),
        }
    }

    pub fn start_row(&mut self, budget: &mut Budget) -> Result<(), ReadError> {
        budget.spend(self.covered.len())?;
        self.row = Some(self.row.map_or(0, |r| r.saturating_add(1)));
        self.col = 0;
        self.covered.retain(|_, last| Some(*last) >= self.row);
        Ok(())
    }

    /// Leaves `n` grid columns empty (Word's `w:gridBefore`, or a cell
    /// continuing a vertical merge from above).
    pub fn skip(&mut self, n: u32) {
        self.col = self.col.saturating_add(n);
    }

    /// Places a cell of `text` spanning `cols` × `rows` at the next free
    /// column; `budget` counts the cells a file may hold.
    pub fn cell(
        &mut self,
        text: &str,
        cols: u32,
        rows: u32,
        budget: &mut Budget,
    ) -> Result<(), ReadError> {
        let row = match self.row {
            Some(r) => r,
            None => {
                self.start_row(budget)?;
                0
            }
        };
        let from = self.col;
        while self.covered.get(&self.col).is_some_and(|&last| last >= row) {
            self.col += 1;
        }
        budget.spend((self.col - from) as usize)?;
        let (col, cols, rows) = (self.col, cols.max(1), rows.max(1));
        self.col = col.saturating_add(cols);
        if rows > 1 {
            let last = row.saturating_add(rows - 1);
            let covers = col..col.saturating_add(cols).min(MAX_COLS);
            budget.spend(covers.len())?;
            for c in covers {
                self.covered.insert(c, last);
            }
        }
        let data = document_value(text);
        if data == Data::Empty || col >= MAX_COLS || row >= MAX_ROWS {
            return Ok(());
        }
        budget.take()?;
        self.cells.push(GridCell {
            row,
            col,
            data,
            formula: None,
        });
        Ok(())
    }

    pub fn finish(self) -> Grid {
        Grid::new(self.cells)
    }
}

/// A document cell's text as a spreadsheet would hold it. A document has
/// no number cells: a text that is just a number is the number (a
/// spreadsheet's number cell), anything else stays text for the value
/// reader to judge (`33条`, `1,234`, `—`).
pub fn document_value(text: &str) -> Data {
    let text = text.trim();
    if text.is_empty() {
        return Data::Empty;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && digits.as_bytes()[0] != b'.'
        && !digits.ends_with('.');
    match text.parse::<f64>() {
        Ok(n) if plain => Data::Float(n),
        _ => Data::String(text.to_string()),
    }
}

/// How many of the document's lines next to a table are kept as its
/// surroundings: enough for 填报单位 above and the signature lines below.
const AROUND: usize = 8;

/// The tables of a document, collected as its parts are walked in order:
/// text goes to the cell open in the innermost open table (so a nested
/// table's text is its own, not its outer cell's), or, outside every table,
/// to the lines around the tables.
pub struct Tables {
    /// Each table by its ordinal (where its start tag is), once closed.
    done: Vec<Option<Grid>>,
    open: Vec<OpenTable>,
    /// The lines before and after each table of the body.
    around: Vec<(Vec<String>, Vec<String>)>,
    /// The body's lines since the last table of the body, and its ordinal.
    lines: Vec<String>,
    line: String,
    last: Option<usize>,
    budget: Budget,
}

struct OpenTable {
    ordinal: usize,
    layout: TableLayout,
    cell: Option<OpenCell>,
}

struct OpenCell {
    lines: Vec<String>,
    cols: u32,
    rows: u32,
    /// A Word cell continuing a vertical merge: blank, as in a spreadsheet.
    continues: bool,
}

impl Tables {
    pub fn new(budget: Budget) -> Tables {
        Tables {
            done: Vec::new(),
            open: Vec::new(),
            around: Vec::new(),
            lines: Vec::new(),
            line: String::new(),
            last: None,
            budget,
        }
    }

    pub fn open_table(&mut self) -> Result<(), ReadError> {
        // A report holds a few tables; each one kept costs memory whether
        // it holds anything or not.
        if self.done.len() >= MAX_TABLES {
            return Err(ReadError::TooManyTables);
        }
        let ordinal = self.done.len();
        self.done.push(None);
        self.around.push(Default::default());
        if self.open.is_empty() {
            self.end_line();
            let lines = std::mem::take(&mut self.lines);
            if let Some(last) = self.last {
                self.around[last].1 = lines.iter().take(AROUND).cloned().collect();
            }
            self.around[ordinal].0 = lines[lines.len().saturating_sub(AROUND)..].to_vec();
            self.last = Some(ordinal);
        }
        self.open.push(OpenTable {
            ordinal,
            layout: TableLayout::new(),
            cell: None,
        });
        Ok(())
    }

    pub fn close_table(&mut self) -> Result<(), ReadError> {
        self.close_cell()?;
        if let Some(table) = self.open.pop() {
            self.done[table.ordinal] = Some(table.layout.finish());
        }
        Ok(())
    }

    pub fn start_row(&mut self) -> Result<(), ReadError> {
        self.close_cell()?;
        if let Some(table) = self.open.last_mut() {
            table.layout.start_row(&mut self.budget)?;
        }
        Ok(())
    }

    /// Leaves `n` grid columns of the row empty (Word's `w:gridBefore`).
    pub fn skip(&mut self, n: u32) {
        if let Some(table) = self.open.last_mut() {
            table.layout.skip(n);
        }
    }

    pub fn open_cell(&mut self, cols: u32, rows: u32) -> Result<(), ReadError> {
        self.close_cell()?;
        if let Some(table) = self.open.last_mut() {
            table.cell = Some(OpenCell {
                lines: vec![String::new()],
                cols,
                rows,
                continues: false,
            });
        }
        Ok(())
    }

    /// The columns the open cell spans, when they are said after it opens
    /// (Word's `w:gridSpan`).
    pub fn span(&mut self, cols: u32) {
        if let Some(cell) = self.cell() {
            cell.cols = cols;
        }
    }

    /// The open cell continues a vertical merge (Word's `w:vMerge`).
    pub fn continues_merge(&mut self) {
        if let Some(cell) = self.cell() {
            cell.continues = true;
        }
    }

    pub fn close_cell(&mut self) -> Result<(), ReadError> {
        let Some(table) = self.open.last_mut() else {
            return Ok(());
        };
        let Some(cell) = table.cell.take() else {
            return Ok(());
        };
        if cell.continues {
            table.layout.skip(cell.cols.max(1));
            return Ok(());
        }
        let lines: Vec<&str> = cell
            .lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        table
            .layout
            .cell(&lines.join("\n"), cell.cols, cell.rows, &mut self.budget)
    }

    fn cell(&mut self) -> Option<&mut OpenCell> {
        self.open.last_mut()?.cell.as_mut()
    }

    pub fn text(&mut self, text: &str) {
        if self.open.is_empty() {
            self.line.push_str(text);
        } else if let Some(cell) = self.cell() {
            cell.lines
                .last_mut()
                .expect("a cell has a line")
                .push_str(text);
        }
    }

    /// A paragraph's end or a line break.
    pub fn line_break(&mut self) {
        if self.open.is_empty() {
            self.end_line();
        } else if let Some(cell) = self.cell() {
            cell.lines.push(String::new());
        }
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let line = line.trim();
        if !line.is_empty() {
            self.lines.push(line.to_string());
        }
    }

    /// The tables as sheets `表1`, `表2` … in the order they start.
    pub fn finish(mut self) -> Result<Vec<Sheet>, ReadError> {
        while !self.open.is_empty() {
            self.close_table()?;
        }
        self.end_line();
        if let Some(last) = self.last {
            self.around[last].1 = self.lines.iter().take(AROUND).cloned().collect();
        }
        Ok(self
            .done
            .into_iter()
            .zip(self.around)
            .enumerate()
            .map(|(i, (grid, (before, after)))| Sheet {
                name: format!("表{}", i + 1),
                grid: grid.unwrap_or_default(),
                before: paragraphs(&before),
                after: paragraphs(&after),
            })
            .collect())
    }
}

/// Text in a document's paragraphs, one paragraph a row in column A: what a
/// spreadsheet holds above or below its table (`填报单位`, signature lines).
fn paragraphs(lines: &[String]) -> Grid {
    Grid::new(
        lines
            .iter()
            .enumerate()
            .map(|(row, text)| GridCell {
                row: row as u32,
                col: 0,
                data: Data::String(text.clone()),
                formula: None,
            })
            .collect(),
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Each sheet's cells as (row, column, text), for the readers' tests.
    pub fn texts(sheets: &[Sheet]) -> Vec<Vec<(u32, u32, String)>> {
        sheets
            .iter()
            .map(|s| {
                s.grid
                    .cells()
                    .iter()
                    .map(|c| (c.row, c.col, c.data.to_string()))
                    .collect()
            })
            .collect()
    }

    fn cells(grid: &Grid) -> Vec<(u32, u32, String)> {
        grid.cells()
            .iter()
            .map(|c| (c.row, c.col, c.data.to_string()))
            .collect()
    }

    #[test]
    fn spans_place_the_text_in_the_first_cell_and_later_cells_after_them() {
        // | a (2 cols, 2 rows) | b |
        // |                    | c |
        // | d | e | f |
        let mut t = TableLayout::new();
        let mut budget = Budget::new(100);
        t.start_row(&mut budget).unwrap();
        t.cell("a", 2, 2, &mut budget).unwrap();
        t.cell("b", 1, 1, &mut budget).unwrap();
        t.start_row(&mut budget).unwrap();
        t.cell("c", 1, 1, &mut budget).unwrap();
        t.start_row(&mut budget).unwrap();
        for x in ["d", "e", "f"] {
            t.cell(x, 1, 1, &mut budget).unwrap();
        }
        let grid = t.finish();
        assert_eq!(
            cells(&grid),
            [
                (0, 0, "a".into()),
                (0, 2, "b".into()),
                (1, 2, "c".into()),
                (2, 0, "d".into()),
                (2, 1, "e".into()),
                (2, 2, "f".into()),
            ]
        );
    }

    #[test]
    fn a_huge_span_costs_no_more_than_a_spreadsheet_is_wide() {
        let mut t = TableLayout::new();
        let mut budget = Budget::new(100);
        t.start_row(&mut budget).unwrap();
        t.cell("wide", 100_000, 100_000, &mut budget).unwrap();
        t.cell("beyond", 1, 1, &mut budget).unwrap();
        assert!(t.covered.len() <= MAX_COLS as usize);
        t.start_row(&mut budget).unwrap();
        t.cell("below", 1, 1, &mut budget).unwrap();
        let grid = t.finish();
        // "beyond" and "below" fall past the last column a spreadsheet has.
        assert_eq!(cells(&grid), [(0, 0, "wide".into())]);
    }

    #[test]
    fn only_a_plain_number_becomes_a_number() {
        assert_eq!(document_value(" 123 "), Data::Float(123.0));
        assert_eq!(document_value("-4.5"), Data::Float(-4.5));
        assert_eq!(document_value("\u{a0}"), Data::Empty);
        for text in ["33条", "1,234", "1e5", "inf", "NaN", ".5", "5.", "—", "+3"] {
            assert_eq!(document_value(text), Data::String(text.into()), "{text}");
        }
    }
}
