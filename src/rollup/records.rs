//! The long table: one row per (unit, template cell), with the cell's printed
//! table, row and column and where every value came from, written as
//! records.csv and records.parquet for analysts and read back as last
//! year's records.
//!
//! At national scale the table has millions of rows, and most of its columns
//! repeat a few thousand strings (the unit's names and file, the template
//! cell's labels). Those columns are categorical: each string is stored once
//! and every row holds its index, so the table costs tens of bytes a row
//! instead of hundreds, and no string is allocated per row. Columns are built
//! in parallel, each straight from the submissions.

use polars::prelude::*;
use rayon::prelude::*;

use crate::audit::rules::{rollup_values, values_of};
use crate::audit::units::Submission;
use crate::form::Template;
use crate::input::records::columns;
use crate::input::tree::Tree;
use crate::read::{CellValue, Form};
use crate::text::ReadAs;

/// Builds one column of the records.
type Builder<'a> = Box<dyn Fn() -> PolarsResult<Column> + Sync + 'a>;

/// How a record's `read_as` names a row the form lacks.
const MISSING: &str = "missing";

/// The records of every used submission, in submission order then cell order.
pub fn build(
    subs: &[Submission],
    template: &Template,
    year: i32,
    tree: &Tree,
) -> PolarsResult<DataFrame> {
    let city = tree.top();
    let used: Vec<(&Submission, &Form)> = subs
        .iter()
        .filter_map(|s| Some((s, s.used_form()?)))
        .collect();
    let per_row = template.cells().len();
    let height = used.len() * per_row;
    let cells = || {
        used.iter()
            .flat_map(|(_, form)| form.values.iter().map(Option::as_ref))
    };

    // Every column is a function of (unit, template cell): build them side by side.
    let used = &used;
    let namespace = format!("gongkai records {year}");
    let ns = namespace.as_str();
    let of_unit = |name: &'static str, text: for<'x> fn(&'x Submission, &'x Form) -> &'x str| {
        let build = move || by_unit(ns, name, used.iter().map(|(s, f)| text(s, f)), per_row);
        (name, Box::new(build) as Builder)
    };
    let of_cell = |name: &'static str, text: for<'x> fn(&'x Template, usize) -> &'x str| {
        let cells = (0..per_row).map(move |i| text(template, i));
        let build = move || by_row(ns, name, cells.clone(), used.len());
        (name, Box::new(build) as Builder)
    };
    let builders: Vec<(&str, Builder)> = vec![
        (
            columns::YEAR,
            Box::new(|| Ok(Column::new(columns::YEAR.into(), vec![year; height]))),
        ),
        (
            columns::CITY,
            Box::new(|| by_unit(ns, columns::CITY, used.iter().map(|_| city), per_row)),
        ),
        of_unit(columns::DISTRICT, |s, _| &s.district),
        of_unit(columns::TOWNSHIP, |s, _| &s.township),
        (
            columns::OFFICE_PATH,
            Box::new(|| {
                let paths: Vec<String> = used
                    .iter()
                    .map(|(s, _)| tree.path(&s.district).join(" / "))
                    .collect();
                by_unit(
                    ns,
                    columns::OFFICE_PATH,
                    paths.iter().map(String::as_str),
                    per_row,
                )
            }),
        ),
        of_unit(columns::UNIT_KIND, |s, _| s.kind.as_str()),
        of_cell(columns::TEMPLATE, |t, _| &t.id),
        of_cell(columns::CODE, |t, i| &t.cells()[i].code),
        of_cell(columns::TABLE, |t, i| t.table_title(i)),
        of_cell(columns::ROW, |t, i| &t.row_of(i).label),
        of_cell(columns::ROW_PATH, |t, i| &t.row_of(i).path),
        of_cell(columns::COLUMN, |t, i| &t.column_of(i).label),
        of_cell(columns::UNIT, |t, i| &t.cells()[i].unit),
        of_cell(columns::KIND, |t, i| t.row_of(i).kind.as_str()),
        (
            columns::VALUE,
            Box::new(|| {
                Ok(number_column(
                    columns::VALUE,
                    cells().map(|c| c.and_then(CellValue::value)),
                ))
            }),
        ),
        (
            columns::ROLLUP_VALUE,
            Box::new(|| {
                // Each unit's values filled into its own stretch of one
                // column, not collected through rayon's lists and copied
                // again (BENCHMARKS.md).
                let mut summed: Vec<Option<f64>> = vec![None; height];
                // (A template of headings alone has no cells: no stretch.)
                summed
                    .par_chunks_mut(per_row.max(1))
                    .zip(used.par_iter())
                    .for_each(|(stretch, (sub, _))| {
                        let values = rollup_values(template, &values_of(sub, template));
                        stretch.copy_from_slice(&values);
                    });
                Ok(number_column(columns::ROLLUP_VALUE, summed.into_iter()))
            }),
        ),
        (
            columns::RAW,
            Box::new(|| {
                // Mostly a few numbers typed again and again: categorical, keyed
                // without making each number's text.
                let (names, ids) = distinct_by(cells(), |c| match c {
                    Some(c) => match c.typed() {
                        Some(text) => Raw::Typed(text),
                        None => Raw::Shown(c.value().map(f64::to_bits), c.read_as),
                    },
                    None => Raw::Shown(None, ReadAs::Blank),
                });
                let names: Vec<String> = names
                    .iter()
                    .map(|c| c.map(|c| c.raw().into_owned()).unwrap_or_default())
                    .collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                category_column(ns, columns::RAW, &names, ids.into_iter())
            }),
        ),
        (
            columns::READ_AS,
            Box::new(|| {
                let names: Vec<&str> = ReadAs::ALL
                    .iter()
                    .map(|r| r.as_str())
                    .chain([MISSING])
                    .collect();
                let missing = ReadAs::ALL.len() as u32;
                let ids = cells().map(|c| c.map_or(missing, |c| c.read_as as u32));
                category_column(ns, columns::READ_AS, &names, ids)
            }),
        ),
        of_unit(columns::FILE, |s, _| &s.found.shown),
        (
            columns::SHEET,
            Box::new(|| {
                // A sheet per table of each form, not per cell: the few names
                // are told apart once per unit, then repeated for its cells.
                let tables = template.tables().len();
                let per_table = used
                    .iter()
                    .flat_map(|(_, form)| (0..tables).map(|t| form.sheets[t].as_str()));
                let (names, ids) = distinct(per_table);
                let table_of: Vec<usize> = template.cells().iter().map(|c| c.table).collect();
                let ids = (0..used.len())
                    .flat_map(|u| table_of.iter().map(move |&t| (u, t)))
                    .map(|(u, t)| ids[u * tables + t]);
                category_column(ns, columns::SHEET, &names, ids)
            }),
        ),
        (
            columns::CELL,
            Box::new(|| {
                // The same few hundred cells in every form of one layout.
                let (names, ids) = distinct_by(cells(), |c| c.map(|c| (c.row, c.col())));
                let names: Vec<String> = names
                    .iter()
                    .map(|c| c.map(CellValue::cell).unwrap_or_default())
                    .collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                category_column(ns, columns::CELL, &names, ids.into_iter())
            }),
        ),
    ];
    let built = builders
        .par_iter()
        .map(|(_, build)| build())
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(height, built)
}

/// A column whose value belongs to the unit: each unit's string, repeated
/// for each of its `per_row` rows.
fn by_unit<'a>(
    ns: &str,
    name: &str,
    units: impl Iterator<Item = &'a str>,
    per_row: usize,
) -> PolarsResult<Column> {
    let (names, ids) = distinct(units);
    let repeated = ids
        .into_iter()
        .flat_map(|i| std::iter::repeat_n(i, per_row));
    category_column(ns, name, &names, repeated)
}

/// A column whose value belongs to the template cell: the cells' strings,
/// once per unit.
fn by_row<'a>(
    ns: &str,
    name: &str,
    rows: impl Iterator<Item = &'a str>,
    units: usize,
) -> PolarsResult<Column> {
    let (names, ids) = distinct(rows);
    let repeated = (0..units).flat_map(|_| ids.iter().copied());
    category_column(ns, name, &names, repeated)
}

/// The distinct strings in the order they first appear, and the index of
/// each string given among them.
fn distinct<'a>(strings: impl Iterator<Item = &'a str>) -> (Vec<&'a str>, Vec<u32>) {
    distinct_by(strings, |s| s)
}

/// What tells two records' `raw` apart: the text typed, or the number a
/// cell shows and how it was read.
#[derive(PartialEq, Eq, Hash)]
enum Raw<'a> {
    Typed(&'a str),
    Shown(Option<u64>, ReadAs),
}

/// The first item of each distinct key, in the order they first appear, and
/// the index of each item's key among them.
fn distinct_by<T: Copy, K: std::hash::Hash + Eq>(
    items: impl Iterator<Item = T>,
    key: impl Fn(T) -> K,
) -> (Vec<T>, Vec<u32>) {
    // foldhash rather than SipHash: this runs once per record, millions of
    // times at national scale.
    let mut index: foldhash::HashMap<K, u32> = Default::default();
    let mut firsts = Vec::new();
    let ids = items
        .map(|item| {
            *index.entry(key(item)).or_insert_with(|| {
                firsts.push(item);
                firsts.len() as u32 - 1
            })
        })
        .collect();
    (firsts, ids)
}

/// A column of numbers, null where `None` (a blank is not 0). Collected
/// straight into an array: polars' `from_iter_options` appends through its
/// builder one value at a time (BENCHMARKS.md).
fn number_column(name: &str, values: impl Iterator<Item = Option<f64>>) -> Column {
    let values: Float64Chunked = values.collect_ca_with_dtype(name.into(), DataType::Float64);
    values.into_column()
}

/// A categorical column over `categories` (distinct), each row holding the
/// index of its category.
fn category_column(
    namespace: &str,
    name: &str,
    categories: &[&str],
    ids: impl Iterator<Item = u32>,
) -> PolarsResult<Column> {
    // Named by the column and the year's records, not at random: the name
    // is written into records.parquet, which the same inputs must write
    // again byte for byte; and last year's records, read in the same run,
    // are in another year's namespace, so the two never share a mapping.
    // 32-bit ids: the lean polars build has no 8- or 16-bit integer columns.
    let cats = Categories::new(name.into(), namespace.into(), CategoricalPhysical::U32);
    let mapping = cats.mapping();
    let to_cat = categories
        .iter()
        .map(|c| mapping.insert_cat(c))
        .collect::<PolarsResult<Vec<u32>>>()?;
    let ids = UInt32Chunked::from_iter_values(name.into(), ids.map(|i| to_cat[i as usize]));
    // SAFETY: every id is one the mapping just gave (`to_cat`), and the
    // dtype is built from the same categories; polars' checked constructor
    // would look each of millions of ids up again.
    let column = unsafe {
        Categorical32Chunked::from_cats_and_dtype_unchecked(ids, DataType::from_categories(cats))
    };
    Ok(column.into_series().into_column())
}
