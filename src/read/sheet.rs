//! What every opener makes of a file: its sheets (a document's tables),
//! each a sparse grid, and the budget of cells a file may still hold.

use super::ReadError;
use super::grid::{Grid, GridCell};

/// One sheet of a workbook, or one table of a document or page.
pub struct Sheet {
    pub name: String,
    pub grid: Grid,
    /// A document's lines just before and after this table, one a row in
    /// column A: what a sheet holds above and below its form. Empty for a
    /// workbook, whose sheets hold those lines themselves.
    pub before: Grid,
    pub after: Grid,
}

impl Sheet {
    pub(super) fn of(name: String, cells: Vec<GridCell>) -> Sheet {
        Sheet {
            name,
            grid: Grid::new(cells),
            before: Grid::default(),
            after: Grid::default(),
        }
    }
}

/// Counts down what a file may still cost: the cells it holds, and the
/// steps of laying out its documents' tables (columns a spanning cell
/// covers, skipped and kept row after row). A form costs a few thousand
/// of each; a page of empty cells declaring huge spans would otherwise
/// take minutes while holding nothing.
pub struct Budget {
    cells: usize,
    steps: usize,
}

/// Layout steps a file may take: a form's tables take thousands, and these
/// take well under a second.
const STEPS: usize = 20_000_000;

impl Budget {
    /// A budget of `cells` cells and the usual layout steps.
    pub fn new(cells: usize) -> Budget {
        Budget {
            cells,
            steps: STEPS,
        }
    }

    pub fn take(&mut self) -> Result<(), ReadError> {
        self.cells = self.cells.checked_sub(1).ok_or(ReadError::TooManyCells)?;
        Ok(())
    }

    /// `n` steps of laying out a table.
    pub fn spend(&mut self, n: usize) -> Result<(), ReadError> {
        self.steps = self.steps.checked_sub(n).ok_or(ReadError::TooManyCells)?;
        Ok(())
    }
}
