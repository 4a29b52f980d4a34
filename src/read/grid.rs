//! A sheet's cells, kept sparse.
//!
//! Readers size a dense range to the bounding box of the used cells, so one
//! stray cell at XFD1048576 would make a form of 300 cells cost seventeen
//! billion. A grid holds only the cells that are there, in reading order
//! (row by row), with their absolute sheet positions.

use calamine::Data;

#[derive(Debug, Clone)]
pub struct GridCell {
    pub row: u32,
    pub col: u32,
    pub data: Data,
    /// The formula text (without `=`) when the cell holds one.
    pub formula: Option<String>,
}

#[derive(Debug, Default)]
pub struct Grid {
    /// Sorted by (row, column), so a cell is found by binary search.
    cells: Vec<GridCell>,
}

impl Grid {
    /// Builds a grid from cells in any order; empty cells without a formula
    /// are dropped, and a later cell at the same position wins.
    pub fn new(mut cells: Vec<GridCell>) -> Grid {
        cells.retain(|c| c.data != Data::Empty || c.formula.is_some());
        cells.sort_by_key(|c| (c.row, c.col));
        cells.dedup_by(|later, earlier| {
            let same = (later.row, later.col) == (earlier.row, earlier.col);
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        Grid { cells }
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Every cell, row by row.
    pub fn cells(&self) -> &[GridCell] {
        &self.cells
    }

    /// The cells of one row, left to right.
    pub fn row(&self, row: u32) -> &[GridCell] {
        let start = self.cells.partition_point(|c| c.row < row);
        let end = self.cells.partition_point(|c| c.row <= row);
        &self.cells[start..end]
    }

    /// The cells of `row` and below, row by row.
    pub fn rows_from(&self, row: u32) -> &[GridCell] {
        &self.cells[self.cells.partition_point(|c| c.row < row)..]
    }

    pub fn cell(&self, row: u32, col: u32) -> Option<&GridCell> {
        let i = self
            .cells
            .binary_search_by_key(&(row, col), |c| (c.row, c.col))
            .ok()?;
        Some(&self.cells[i])
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&Data> {
        self.cell(row, col).map(|c| &c.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: u32, col: u32, data: Data) -> GridCell {
        GridCell {
            row,
            col,
            data,
            formula: None,
        }
    }

    #[test]
    fn far_cells_cost_nothing_and_rows_are_found() {
        let grid = Grid::new(vec![
            cell(1_048_575, 16_383, Data::String("x".into())),
            cell(3, 1, Data::Float(2.0)),
            cell(3, 0, Data::String("a".into())),
            cell(2, 0, Data::Empty),
        ]);
        assert_eq!(grid.cells().len(), 3);
        assert_eq!(grid.row(3).len(), 2);
        assert_eq!(grid.row(3)[0].col, 0);
        assert_eq!(grid.get(3, 0), Some(&Data::String("a".into())));
        assert_eq!(grid.rows_from(4).len(), 1);
        assert_eq!(grid.rows_from(3).len(), 3);
        assert!(grid.row(2).is_empty());
        assert_eq!(grid.get(1_048_575, 16_383), Some(&Data::String("x".into())));
    }
}
