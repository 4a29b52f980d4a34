//! What surrounds the table: the line naming who filled it in above it
//! (`填报单位`, as the template calls it), the signature lines below.

use std::collections::HashMap;

use calamine::Data;
use unicode_normalization::UnicodeNormalization;

use super::grid::Grid;
use crate::form::{FooterRole, Template};
use crate::text::fmt_num;
use crate::text::{excel_serial_to_iso, normalize_label, parse_date_text};

/// `填报单位:金盆乡` above the table (`label` is the template's), in one
/// cell or in the next one.
pub fn unit_name(grid: &Grid, first_row: u32, label: &str) -> Option<String> {
    let label = normalize_label(label);
    for cell in grid.cells().iter().take_while(|c| c.row < first_row) {
        let Data::String(s) = &cell.data else {
            continue;
        };
        let norm = normalize_label(s);
        let Some(rest) = norm.strip_prefix(label.as_str()) else {
            continue;
        };
        let mut name = rest.trim_start_matches([':', '：']).to_string();
        if name.is_empty()
            && let Some(Data::String(next)) = next_right(grid, cell.row, cell.col)
        {
            name = normalize_label(next);
        }
        return (!name.is_empty()).then_some(name);
    }
    None
}

/// The footer below the table.
pub struct Footer {
    /// The template's footer fields in order: (name, value as written).
    pub fields: Vec<(String, String)>,
    /// The date line (`填报日期`) as an ISO date, when it could be read.
    pub date: Option<String>,
}

impl Footer {
    /// Fields this footer lacks, taken from `other` (a document's lines
    /// after its table, when the table holds none).
    pub fn fill_from(&mut self, other: Footer) {
        for ((_, value), (_, theirs)) in self.fields.iter_mut().zip(other.fields) {
            if value.is_empty() {
                *value = theirs;
            }
        }
        self.date = self.date.take().or(other.date);
    }
}

/// The signature lines from `first_row` down. Clerks write them in one cell
/// (`单位负责人:张三 审核人:李四 填报人:王五`) or as name and value in
/// neighbouring cells; both are read.
pub fn read(grid: &Grid, first_row: u32, template: &Template) -> Footer {
    let mut found: HashMap<&str, String> = HashMap::new();
    let mut date_serial: Option<f64> = None;
    let keys: Vec<&str> = template.footer_labels().collect();
    let date_key = template.footer_label(FooterRole::Date);
    for cell in grid.rows_from(first_row) {
        let Data::String(text) = &cell.data else {
            continue;
        };
        let text: String = text.nfkc().collect();
        let mut hits: Vec<(usize, &str)> = keys
            .iter()
            .filter_map(|k| text.find(k).map(|p| (p, *k)))
            .collect();
        hits.sort();
        for (n, &(pos, key)) in hits.iter().enumerate() {
            let end = hits.get(n + 1).map_or(text.len(), |h| h.0);
            let mut value = text[pos + key.len()..end]
                .trim_matches(|ch: char| ch.is_whitespace() || ch == ':' || ch == '_')
                .to_string();
            if value.is_empty() && n + 1 == hits.len() {
                // The value sits in the next cell to the right.
                match next_right(grid, cell.row, cell.col) {
                    Some(Data::String(s)) if !keys.iter().any(|k| s.contains(k)) => {
                        value = s.trim().to_string()
                    }
                    Some(Data::DateTime(d)) => date_serial = Some(d.as_f64()),
                    Some(Data::Float(f)) if Some(key) == date_key => date_serial = Some(*f),
                    Some(Data::Int(i)) => value = i.to_string(),
                    Some(Data::Float(f)) => value = fmt_num(*f),
                    _ => {}
                }
            }
            found.entry(key).or_insert(value);
        }
    }
    let mut date = date_key
        .and_then(|k| found.get(k))
        .and_then(|t| parse_date_text(t));
    if let Some(serial) = date_serial {
        date = excel_serial_to_iso(serial);
        if let (Some(iso), Some(key)) = (&date, date_key) {
            found.insert(key, iso.clone());
        }
    }
    let fields = keys
        .iter()
        .map(|k| (k.to_string(), found.get(k).cloned().unwrap_or_default()))
        .collect();
    Footer { fields, date }
}

/// The first cell to the right of (row, col) in the same row: merged cells
/// leave gaps between a name and its value.
fn next_right(grid: &Grid, row: u32, col: u32) -> Option<&Data> {
    grid.row(row).iter().find(|c| c.col > col).map(|c| &c.data)
}
