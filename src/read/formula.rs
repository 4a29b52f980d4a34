//! Formulas that were saved without a result.
//!
//! Excel, WPS and LibreOffice save every formula with the number it showed,
//! and that number is what gongkai reads. Generators (openpyxl, some web
//! systems) write the formula alone. For those, the simple same-sheet
//! arithmetic a form uses for its totals is computed here: numbers, cell
//! references, `+ - * /`, brackets and `SUM` over cells and ranges. Anything
//! else is reported, never guessed.

use calamine::Data;

use super::grid::Grid;
use crate::text::parse_text_value;

/// How deep formulas may refer to other formulas without a result.
const MAX_DEPTH: usize = 16;

/// The value of `formula` (without `=`) on `grid`, or why it cannot be had.
pub fn evaluate(formula: &str, grid: &Grid) -> Result<f64, String> {
    eval_at_depth(formula, grid, 0)
}

fn eval_at_depth(formula: &str, grid: &Grid, depth: usize) -> Result<f64, String> {
    if depth > MAX_DEPTH {
        return Err("它的公式互相引用过深（或循环引用）".into());
    }
    let text = formula.trim().trim_start_matches('=');
    let mut parser = Parser {
        chars: text.chars().filter(|c| !c.is_whitespace()).collect(),
        pos: 0,
        grid,
        depth,
    };
    let value = parser.expr()?;
    if parser.pos < parser.chars.len() {
        return Err(format!("gongkai 无法计算 `={text}`"));
    }
    Ok(value)
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    grid: &'a Grid,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn unsupported(&self) -> String {
        let text: String = self.chars.iter().collect();
        format!("gongkai 无法计算 `={text}`")
    }

    fn expr(&mut self) -> Result<f64, String> {
        let mut value = self.term()?;
        loop {
            if self.eat('+') {
                value += self.term()?;
            } else if self.eat('-') {
                value -= self.term()?;
            } else {
                return Ok(value);
            }
        }
    }

    fn term(&mut self) -> Result<f64, String> {
        let mut value = self.factor()?;
        loop {
            if self.eat('*') {
                value *= self.factor()?;
            } else if self.eat('/') {
                let divisor = self.factor()?;
                if divisor == 0.0 {
                    return Err("它的公式除以零".into());
                }
                value /= divisor;
            } else {
                return Ok(value);
            }
        }
    }

    fn factor(&mut self) -> Result<f64, String> {
        if self.eat('-') {
            return Ok(-self.factor()?);
        }
        if self.eat('+') {
            return self.factor();
        }
        if self.eat('(') {
            let value = self.expr()?;
            return if self.eat(')') {
                Ok(value)
            } else {
                Err(self.unsupported())
            };
        }
        match self.peek() {
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() || c == '$' => {
                let start = self.pos;
                let name: String = self.take_while(|c| c.is_ascii_alphabetic());
                if self.peek() == Some('(') {
                    if name.eq_ignore_ascii_case("SUM") {
                        self.pos += 1;
                        return self.sum();
                    }
                    return Err(self.unsupported());
                }
                self.pos = start;
                let (row, col) = self.cell_ref()?;
                if self.peek() == Some(':') || self.peek() == Some('!') {
                    // A range outside SUM, or another sheet.
                    return Err(self.unsupported());
                }
                self.cell_value(row, col)
            }
            _ => Err(self.unsupported()),
        }
    }

    /// The arguments of `SUM(`, through its closing bracket.
    fn sum(&mut self) -> Result<f64, String> {
        let mut total = 0.0;
        if self.eat(')') {
            return Ok(total);
        }
        loop {
            total += self.sum_argument()?;
            if self.eat(')') {
                return Ok(total);
            }
            if !self.eat(',') {
                return Err(self.unsupported());
            }
        }
    }

    fn sum_argument(&mut self) -> Result<f64, String> {
        let start = self.pos;
        if let Ok((r1, c1)) = self.cell_ref()
            && self.eat(':')
        {
            let (r2, c2) = self.cell_ref()?;
            let rows = r1.min(r2)..=r1.max(r2);
            let cols = c1.min(c2)..=c1.max(c2);
            // Blank cells add nothing, so only the cells that are there count.
            let mut total = 0.0;
            for cell in self.grid.cells() {
                if rows.contains(&cell.row) && cols.contains(&cell.col) {
                    total += self.cell_value(cell.row, cell.col)?;
                }
            }
            return Ok(total);
        }
        self.pos = start;
        self.expr()
    }

    fn number(&mut self) -> Result<f64, String> {
        let text: String = self.take_while(|c| c.is_ascii_digit() || c == '.');
        text.parse().map_err(|_| self.unsupported())
    }

    /// `C5`, `$C$5`: zero-based (row, column).
    fn cell_ref(&mut self) -> Result<(u32, u32), String> {
        self.eat('$');
        let letters: String = self.take_while(|c| c.is_ascii_alphabetic());
        self.eat('$');
        let digits: String = self.take_while(|c| c.is_ascii_digit());
        if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
            return Err(self.unsupported());
        }
        let col = letters.chars().fold(0u32, |n, c| {
            n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
        });
        let row: u32 = digits.parse().map_err(|_| self.unsupported())?;
        if row == 0 || row > 1_048_576 || col > 16_384 {
            return Err(self.unsupported());
        }
        Ok((row - 1, col - 1))
    }

    fn cell_value(&self, row: u32, col: u32) -> Result<f64, String> {
        let name = crate::findings::cell_name(row, col);
        let Some(cell) = self.grid.cell(row, col) else {
            return Ok(0.0);
        };
        match &cell.data {
            Data::Int(i) => Ok(*i as f64),
            Data::Float(f) => Ok(*f),
            Data::Empty => match &cell.formula {
                Some(formula) => eval_at_depth(formula, self.grid, self.depth + 1),
                None => Ok(0.0),
            },
            Data::String(s) => match parse_text_value(s).0 {
                Some(v) => Ok(v),
                None => Err(format!("它引用的 {name} 是 `{s}`")),
            },
            other => Err(format!("它引用的 {name} 是 `{other}`")),
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::GridCell;

    fn grid(cells: &[(&str, Data, Option<&str>)]) -> Grid {
        Grid::new(
            cells
                .iter()
                .map(|(name, data, formula)| {
                    let col = name.as_bytes()[0] - b'A';
                    let row: u32 = name[1..].parse().unwrap();
                    GridCell {
                        row: row - 1,
                        col: col as u32,
                        data: data.clone(),
                        formula: formula.map(str::to_string),
                    }
                })
                .collect(),
        )
    }

    #[test]
    fn sums_and_arithmetic_on_the_same_sheet() {
        let g = grid(&[
            ("C5", Data::Float(2.0), None),
            ("C6", Data::Int(3), None),
            ("C7", Data::String("4".into()), None),
            ("C9", Data::Empty, Some("SUM(C5:C7)")),
        ]);
        assert_eq!(evaluate("SUM(C5:C10)", &g), Ok(18.0));
        assert_eq!(evaluate("=C5+C6-C7", &g), Ok(1.0));
        assert_eq!(evaluate("SUM(C5,C6,$C$7)+1", &g), Ok(10.0));
        assert_eq!(evaluate("(C5+C6)*2/5", &g), Ok(2.0));
        assert_eq!(evaluate("C9-C8", &g), Ok(9.0), "C9 computed, C8 blank");
        assert_eq!(evaluate("SUM()", &g), Ok(0.0));
    }

    #[test]
    fn anything_else_is_reported() {
        let g = grid(&[
            ("C1", Data::Empty, Some("C2")),
            ("C2", Data::Empty, Some("C1")),
            ("C3", Data::String("待定".into()), None),
        ]);
        for formula in [
            "INDIRECT(\"C79\")+1",
            "Sheet2!C5",
            "VLOOKUP(1,A1:B2,2,FALSE)",
            "C5:C6",
            "SUM(C5",
            "1e5",
        ] {
            let err = evaluate(formula, &g).unwrap_err();
            assert!(err.contains("无法计算"), "{formula}: {err}");
        }
        assert!(evaluate("C1", &g).unwrap_err().contains("循环"));
        assert!(evaluate("C3+1", &g).unwrap_err().contains("待定"));
        assert!(evaluate("1/0", &g).unwrap_err().contains("除以零"));
    }
}
