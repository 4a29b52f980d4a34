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

/// Counts down the cells a file may still hold.
pub struct Budget(pub usize);

impl Budget {
    pub fn take(&mut self) -> Result<(), ReadError> {
        self.0 = self.0.checked_sub(1).ok_or(ReadError::TooManyCells)?;
        Ok(())
    }
}
