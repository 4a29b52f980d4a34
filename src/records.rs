//! The long table: one row per (unit, indicator), with where every value came
//! from. Everything downstream (rollup, workbooks, CSV, Parquet) reads this.

use polars::prelude::*;

use crate::assign::{FileStatus, Submission};
use crate::checks::{rollup_values, values_of};
use crate::template::Template;

/// The records of every used submission, in submission order then form order.
pub fn build(
    subs: &[Submission],
    template: &Template,
    year: i32,
    city: &str,
) -> PolarsResult<DataFrame> {
    let used: Vec<&Submission> = subs
        .iter()
        .filter(|s| s.status == FileStatus::Used)
        .collect();
    let n = used.len() * template.rows.len();
    let mut text: Vec<Vec<String>> = (0..13).map(|_| Vec::with_capacity(n)).collect();
    let mut value: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut rollup: Vec<Option<f64>> = Vec::with_capacity(n);
    for sub in used {
        let Some(form) = sub.form() else { continue };
        let reported = values_of(sub, template);
        let summed = rollup_values(template, &reported);
        for (i, row) in template.rows.iter().enumerate() {
            let cell = form.values[i].as_ref();
            let fields = [
                city,
                &sub.district,
                &sub.township,
                &template.id,
                &row.code,
                &row.label,
                &row.unit,
                row.kind.as_str(),
                cell.map_or("", |c| c.raw.as_str()),
                cell.map_or("missing", |c| c.read_as.as_str()),
                &sub.found.shown,
                &form.sheet,
                cell.map_or("", |c| c.cell.as_str()),
            ];
            for (col, f) in text.iter_mut().zip(fields) {
                col.push(f.to_string());
            }
            value.push(reported[i]);
            rollup.push(summed[i]);
        }
    }
    let rows = value.len();
    let mut text = text.into_iter();
    let mut next = |name: &str| Column::new(name.into(), text.next().unwrap_or_default());
    let columns = vec![
        Column::new("year".into(), vec![year; rows]),
        next("city"),
        next("district"),
        next("township"),
        next("template"),
        next("code"),
        next("label"),
        next("unit"),
        next("kind"),
        Column::new("value".into(), value),
        Column::new("rollup_value".into(), rollup),
        next("raw"),
        next("read_as"),
        next("file"),
        next("sheet"),
        next("cell"),
    ];
    DataFrame::new(rows, columns)
}
