//! Finding the form in a workbook by its labels and headers, wherever it is.
//!
//! The form is never found by fixed positions: clerks insert title rows, move
//! the tables, put them on one sheet or on three, beside other tables. Each
//! table of the template is found on its own: its rows by their labels (the
//! sheet with most of them), its columns by their header cells in the band
//! above its first row (matched left to right, so the three `总计` of 表四 land
//! on the right columns), and a table without row labels (表四) by its top
//! headers alone. Rows are matched to the template in order, so labels a form
//! repeats (`(二)被依法纠错数` under 行政复议 and again under 行政诉讼) land on
//! the right code.

use std::collections::{BTreeSet, HashMap};

use calamine::Data;

use super::grid::Grid;
use super::sheet::Sheet;
use super::value::read_cell;
use super::{CellValue, Form, ReadError, footer};
use crate::findings::codes::Code;
use crate::findings::{Issue, cell_name};
use crate::form::{FooterRole, Table, Template, registry};
use crate::read::sniff::Format;
use crate::text::fmt_num;
use crate::text::normalize_label;

/// A text cell of a sheet, its label normalized and looked up once.
struct Text<'a> {
    row: u32,
    col: u32,
    text: &'a str,
    key: String,
    /// The template rows it names, as (table, row).
    rows: &'a [(usize, usize)],
}

/// A sheet's text cells.
struct Texts<'a> {
    cells: Vec<Text<'a>>,
}

impl<'a> Texts<'a> {
    /// The text cells of a sheet, each with the rows of `template` it names.
    fn of(grid: &'a Grid, template: Option<&'a Template>) -> Texts<'a> {
        let cells = grid
            .cells()
            .iter()
            .filter_map(|c| match &c.data {
                Data::String(text) => {
                    let key = normalize_label(text);
                    Some(Text {
                        row: c.row,
                        col: c.col,
                        rows: template.map_or(&[], |t| t.labelled(&key)),
                        key,
                        text,
                    })
                }
                _ => None,
            })
            .filter(|t| !t.key.is_empty())
            .collect();
        Texts { cells }
    }
}

/// Where one table's row labels are on one sheet.
struct Matches {
    /// Distinct template rows found.
    rows: usize,
    /// Label cells naming a row, by column.
    by_col: HashMap<u32, usize>,
    first: u32,
    last: u32,
}

/// Where the row labels of the template's table `index` are on a sheet.
fn row_matches(texts: &Texts, index: usize, table: &Table) -> Matches {
    let mut seen = vec![false; table.rows.len()];
    let mut by_col: HashMap<u32, usize> = HashMap::new();
    let (mut first, mut last) = (u32::MAX, 0);
    for t in &texts.cells {
        let mut named = false;
        for &(_, r) in t.rows.iter().filter(|(tt, _)| *tt == index) {
            seen[r] = true;
            named = true;
        }
        if named {
            *by_col.entry(t.col).or_default() += 1;
            first = first.min(t.row);
            last = last.max(t.row);
        }
    }
    Matches {
        rows: seen.iter().filter(|&&b| b).count(),
        by_col,
        first,
        last,
    }
}

/// Where a table was found.
struct Located {
    sheet: usize,
    /// Distinct row labels found (a table without row labels counts its
    /// top headers found, 0 or 1).
    score: usize,
}

pub fn locate(sheets: &[Sheet], format: Format, template: &Template) -> Result<Form, ReadError> {
    let texts: Vec<Texts> = sheets
        .iter()
        .map(|s| Texts::of(&s.grid, Some(template)))
        .collect();
    refuse_other_format(&texts, template)?;

    // Each table on the sheet holding most of its labels.
    let mut found: Vec<Option<Located>> = Vec::new();
    for (t, table) in template.tables().iter().enumerate() {
        let mut best: Option<Located> = None;
        for (s, sheet_texts) in texts.iter().enumerate() {
            let score = if table.has_row_labels() {
                row_matches(sheet_texts, t, table).rows
            } else {
                usize::from(anchor(sheet_texts, table).is_some())
            };
            if score > 0 && best.as_ref().is_none_or(|b| score > b.score) {
                best = Some(Located { sheet: s, score });
            }
        }
        found.push(best);
    }

    // A third of the labels is a form with rows missing; fewer is something else.
    let labelled: usize = template
        .tables()
        .iter()
        .filter(|t| t.has_row_labels())
        .map(|t| t.rows.len())
        .sum();
    let needed = (labelled / 3).max(3);
    let score: usize = template
        .tables()
        .iter()
        .zip(&found)
        .filter(|(t, _)| t.has_row_labels())
        .filter_map(|(_, f)| f.as_ref().map(|f| f.score))
        .sum();
    if score < needed {
        return Err(no_form(sheets, format, &texts, template, &found, labelled));
    }

    // Rows of every table's labels, by sheet: a table's header band stops at
    // the rows of the table above it.
    let mut label_rows: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); sheets.len()];
    for (s, sheet_texts) in texts.iter().enumerate() {
        for t in sheet_texts.cells.iter().filter(|t| !t.rows.is_empty()) {
            label_rows[s].insert(t.row);
        }
    }

    let mut form = Form {
        format,
        sheets: vec![String::new(); template.tables().len()],
        values: vec![None; template.cells().len()],
        unit_name: None,
        footer: Vec::new(),
        date: None,
        notes: Vec::new(),
    };
    // The first and last row of the form: 填报单位 above, the footer below.
    let mut top: Option<(usize, u32)> = None;
    let mut bottom: Option<(usize, u32)> = None;
    for (t, table) in template.tables().iter().enumerate() {
        let Some(f) = &found[t] else {
            form.notes.push(table_missing(template, table));
            continue;
        };
        let sheet = &sheets[f.sheet];
        let read = if table.has_row_labels() {
            read_table(sheet, &texts[f.sheet], &label_rows[f.sheet], t, template)
        } else {
            read_unlabelled(sheet, &texts[f.sheet], table, template)
        };
        let Some(read) = read else {
            form.notes.push(table_missing(template, table));
            continue;
        };
        form.sheets[t].clone_from(&sheet.name);
        for (i, v) in read.values.into_iter().enumerate() {
            form.values[table.cells().start + i] = v;
        }
        form.notes.extend(read.notes);
        if top.is_none_or(|x| (f.sheet, read.first) < x) {
            top = Some((f.sheet, read.first));
        }
        if bottom.is_none_or(|x| (f.sheet, read.last) > x) {
            bottom = Some((f.sheet, read.last));
        }
    }
    // A document's table has them in the lines around it instead.
    if let Some((s, first)) = top {
        let label = &template.unit_line;
        form.unit_name = footer::unit_name(&sheets[s].grid, first, label)
            .or_else(|| footer::unit_name(&sheets[s].before, u32::MAX, label));
    }
    if let Some((s, last)) = bottom {
        let grid = &sheets[s].grid;
        let mut read = footer::read(grid, last.saturating_add(1), template);
        if !sheets[s].after.is_empty() {
            read.fill_from(footer::read(&sheets[s].after, 0, template));
        }
        let date_key = template.footer_label(FooterRole::Date);
        if read.date.is_none()
            && let Some((key, text)) = read
                .fields
                .iter()
                .find(|(k, v)| Some(k.as_str()) == date_key && !v.is_empty())
        {
            form.notes.push(
                Issue::new(
                    Code::FooterDate,
                    format!("{key}“{text}”无法识别为日期；请写成 2019年2月18日"),
                )
                .at(&sheets[s].name, ""),
            );
        }
        form.footer = read.fields;
        form.date = read.date;
    }
    Ok(form)
}

/// The built-in form whose markers the sheets carry.
pub fn identify(sheets: &[Sheet]) -> Option<&'static str> {
    let texts: Vec<Texts> = sheets.iter().map(|s| Texts::of(&s.grid, None)).collect();
    registry::known()
        .iter()
        .find(|k| {
            texts
                .iter()
                .flat_map(|t| &t.cells)
                .any(|t| k.markers().contains(&t.key))
        })
        .map(|k| k.id.as_str())
}

/// A file in another form gongkai knows (the 2019 tables in a 2021 year, the
/// 2018 form in a national year) is refused by name, so the clerk knows which
/// form to fill in. The markers are labels only one form carries.
fn refuse_other_format(texts: &[Texts], template: &Template) -> Result<(), ReadError> {
    if template.markers().is_empty() {
        return Ok(());
    }
    let has = |markers: &[String]| {
        texts
            .iter()
            .flat_map(|t| &t.cells)
            .any(|t| markers.contains(&t.key))
    };
    if has(template.markers()) {
        return Ok(());
    }
    match registry::known()
        .iter()
        .find(|k| k.id != template.id && has(k.markers()))
    {
        Some(other) => Err(ReadError::WrongFormat {
            found: other.name.clone(),
            expected: template.name.clone(),
            id: template.id.clone(),
        }),
        None => Ok(()),
    }
}

fn no_form(
    sheets: &[Sheet],
    format: Format,
    texts: &[Texts],
    template: &Template,
    found: &[Option<Located>],
    labelled: usize,
) -> ReadError {
    // A family of forms this run's form is not of (the national tables in
    // a 2018 year), told by the labels every format of the family carries.
    let own = template.family().map(|f| f.name.as_str());
    let other = registry::known()
        .iter()
        .filter_map(|k| k.family())
        .filter(|f| Some(f.name.as_str()) != own)
        .find(|f| {
            texts
                .iter()
                .flat_map(|t| &t.cells)
                .any(|t| f.markers.contains(&t.key))
        });
    if let Some(family) = other {
        return ReadError::OtherForm {
            template: template.id.clone(),
            what: family.name.clone(),
        };
    }
    let mut per_sheet = vec![0; sheets.len()];
    for f in found.iter().flatten() {
        per_sheet[f.sheet] += f.score;
    }
    let best = (0..sheets.len()).max_by_key(|&s| (per_sheet[s], std::cmp::Reverse(s)));
    // A document's tables are its sheets, and are called tables.
    let (empty, sheet) = if format.is_document() {
        ("文档中没有表格", "表格")
    } else {
        ("工作簿是空的", "工作表")
    };
    let closest = match best {
        _ if sheets.iter().all(|s| s.grid.is_empty()) => empty.to_string(),
        Some(s) if per_sheet[s] > 0 => format!(
            "最接近的{sheet}“{}”只有 {}/{labelled} 个行标签",
            sheets[s].name, per_sheet[s]
        ),
        _ => format!("没有{sheet}含有它的 {labelled} 个行标签中的任何一个"),
    };
    ReadError::NoForm {
        template: template.id.clone(),
        closest,
    }
}

fn table_missing(template: &Template, table: &Table) -> Issue {
    let what = template.table_name(table);
    let title = if table.title.is_empty() {
        &template.title
    } else {
        &table.title
    };
    Issue::new(
        Code::FormTableMissing,
        format!(
            "文件中没有{what}（{title}{}）；其单元格按空白处理",
            if table.caption.is_empty() {
                String::new()
            } else {
                format!(" {}", table.caption)
            }
        ),
    )
}

/// One table as read.
struct TableRead {
    /// By the table's cells, row by row.
    values: Vec<Option<CellValue>>,
    first: u32,
    last: u32,
    notes: Vec<Issue>,
}

/// A row label of the form.
struct Label<'a> {
    row: u32,
    col: u32,
    text: &'a str,
    key: &'a str,
}

fn read_table(
    sheet: &Sheet,
    texts: &Texts,
    label_rows: &BTreeSet<u32>,
    index: usize,
    template: &Template,
) -> Option<TableRead> {
    let grid = &sheet.grid;
    let table = &template.tables()[index];
    let matches = row_matches(texts, index, table);
    if matches.rows == 0 {
        return None;
    }
    // The labels' columns: the one naming most rows and those near it
    // (表三's labels stand in three merged columns; a table beside the form
    // that shares a label is not the form).
    let main = matches
        .by_col
        .iter()
        .max_by_key(|(col, n)| (**n, std::cmp::Reverse(**col)))
        .map(|(c, _)| *c)?;
    let label_cols: Vec<u32> = matches
        .by_col
        .keys()
        .copied()
        .filter(|c| c.abs_diff(main) <= 3)
        .collect();
    let leftmost = label_cols.iter().copied().min().unwrap_or(main);
    let rightmost = label_cols.iter().copied().max().unwrap_or(main);
    let band_top = label_rows
        .range(..matches.first)
        .next_back()
        .map_or(0, |r| r + 1);
    let band = |c: &&Text| c.row >= band_top && c.row < matches.first && c.col > rightmost;
    let mut notes = Vec::new();
    let header: Vec<&Text> = texts.cells.iter().filter(band).collect();
    let mut columns: Vec<Option<u32>> = match_columns(&header, table, Some(rightmost))
        .into_iter()
        .map(|c| c.map(|(col, _)| col))
        .collect();

    // Rows in order: each row's label is its rightmost text among the label
    // columns; it is matched to the next template row with that label.
    let first_value = columns.iter().flatten().min().copied().unwrap_or(u32::MAX);
    let mut labels: Vec<Label> = Vec::new();
    for t in &texts.cells {
        if t.row < matches.first
            || t.row > matches.last
            || !label_cols.contains(&t.col)
            || t.col >= first_value
        {
            continue;
        }
        match labels.last_mut() {
            Some(l) if l.row == t.row => {
                *l = Label {
                    row: t.row,
                    col: t.col,
                    text: t.text,
                    key: &t.key,
                }
            }
            _ => labels.push(Label {
                row: t.row,
                col: t.col,
                text: t.text,
                key: &t.key,
            }),
        }
    }
    labels.retain(|l| !table.is_group(l.key));
    let (rows_found, unknown) = match_rows(&labels, table, &sheet.name, &mut notes);

    if table.columns.len() == 1 && columns[0].is_none() {
        // A one-column form without its header: the column right of the
        // labels holding the most numbers.
        let numbers_in = |c: u32| {
            rows_found
                .iter()
                .flatten()
                .filter(|&&r| read_cell(grid.cell(r, c), grid).value.is_some())
                .count()
        };
        columns[0] =
            (leftmost + 1..=leftmost + 3).max_by_key(|&c| (numbers_in(c), std::cmp::Reverse(c)));
    }
    guess_columns(&mut columns, table, template, &sheet.name, &mut notes);
    for label in unknown {
        let value = columns[0].map_or_else(String::new, |c| unknown_value(grid, label.row, c));
        notes.push(
            Issue::new(
                Code::FormRowUnknown,
                format!("“{}”行不在模板中；其数值未使用{value}", label.text.trim()),
            )
            .at(&sheet.name, &cell_name(label.row, label.col)),
        );
    }

    let first = rows_found.iter().flatten().min().copied().unwrap_or(0);
    let last = rows_found.iter().flatten().max().copied().unwrap_or(0);
    let mut values = Vec::with_capacity(table.rows.len() * table.columns.len());
    for (r, found) in rows_found.iter().enumerate() {
        for (c, col) in columns.iter().enumerate() {
            let (Some(y), Some(x)) = (*found, *col) else {
                values.push(None);
                continue;
            };
            values.push(Some(read_value(
                grid,
                y,
                x,
                table.cell(r, c),
                template,
                sheet,
                &mut notes,
            )));
        }
    }

    let missing: Vec<&str> = (0..table.rows.len())
        .filter(|&i| rows_found[i].is_none())
        .map(|i| table.rows[i].code.as_str())
        .collect();
    if !missing.is_empty() {
        let whose = if template.is_single_column() {
            "表格".to_string()
        } else {
            template.table_name(table)
        };
        notes.push(
            Issue::new(
                Code::FormRowsMissing,
                format!(
                    "{whose}缺少模板中的 {} 行：{}",
                    missing.len(),
                    missing.join(", ")
                ),
            )
            .at(&sheet.name, ""),
        );
    }
    Some(TableRead {
        values,
        first,
        last,
        notes,
    })
}

/// Matches the form's row labels to the template's rows in order; a label
/// that matches none is a typo of a row not yet found (noted), or a row the
/// template does not have (noted with its value).
fn match_rows<'l, 'a>(
    labels: &'l [Label<'a>],
    table: &Table,
    sheet: &str,
    notes: &mut Vec<Issue>,
) -> (Vec<Option<u32>>, Vec<&'l Label<'a>>) {
    let mut rows_found: Vec<Option<u32>> = vec![None; table.rows.len()];
    let mut unmatched: Vec<&Label> = Vec::new();
    let mut next = 0;
    for label in labels {
        match (next..table.rows.len()).find(|&i| table.rows[i].key == label.key) {
            Some(i) => {
                rows_found[i] = Some(label.row);
                next = i + 1;
            }
            None => unmatched.push(label),
        }
    }
    // A row in another year's wording (规范性文件 in a 2021 table) is the
    // row it stands for, where that row was not found by its own label.
    unmatched.retain(|label| {
        let Some(i) = (0..table.rows.len()).find(|&i| {
            rows_found[i].is_none() && table.rows[i].also.iter().any(|(_, k)| *k == label.key)
        }) else {
            return true;
        };
        rows_found[i] = Some(label.row);
        let row = &table.rows[i];
        notes.push(
            Issue::new(
                Code::FormLabelWording,
                format!(
                    "行标签“{}”是另一年度格式的叫法，按本格式的 {}“{}”读取",
                    label.text.trim(),
                    row.code,
                    row.label
                ),
            )
            .at(sheet, &cell_name(label.row, label.col))
            .cell_code(&row.code, ""),
        );
        false
    });
    let first = rows_found.iter().flatten().min().copied().unwrap_or(0);
    let last = rows_found.iter().flatten().max().copied().unwrap_or(0);
    unmatched.retain(|l| l.row > first && l.row < last);
    let mut unknown = Vec::new();
    for label in unmatched {
        match closest_row(label, &rows_found, table) {
            Some((i, likeness)) => {
                rows_found[i] = Some(label.row);
                let row = &table.rows[i];
                let how = match likeness {
                    Likeness::CutShort => {
                        format!("是模板 {}“{}”的开头部分", row.code, row.label)
                    }
                    Likeness::Typo(d) => {
                        format!("与模板 {}“{}”相差 {d} 个字", row.code, row.label)
                    }
                };
                notes.push(
                    Issue::new(
                        Code::FormLabelTypo,
                        format!("行标签“{}”{how}；按 {} 读取", label.text.trim(), row.code),
                    )
                    .at(sheet, &cell_name(label.row, label.col))
                    .cell_code(&row.code, ""),
                );
            }
            None => unknown.push(label),
        }
    }
    (rows_found, unknown)
}

/// How an unmatched label resembles a template row.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Likeness {
    /// The label is the row's label cut short (`（二）部分公开`).
    CutShort,
    /// The label differs by this many characters.
    Typo(usize),
}

/// The template row an unmatched label was meant to be: a row not yet found,
/// between the rows found above and below it, whose label differs by a
/// character or two (two only for long labels), or whose label it begins.
/// Ties are not guessed.
fn closest_row(
    label: &Label,
    rows_found: &[Option<u32>],
    table: &Table,
) -> Option<(usize, Likeness)> {
    let above = rows_found
        .iter()
        .rposition(|r| r.is_some_and(|r| r < label.row))
        .map_or(0, |i| i + 1);
    let below = rows_found
        .iter()
        .position(|r| r.is_some_and(|r| r > label.row))
        .unwrap_or(rows_found.len());
    let allowed = if label.key.chars().count() >= 12 {
        2
    } else {
        1
    };
    let mut best: Option<(usize, Likeness)> = None;
    let mut tie = false;
    for (i, found) in rows_found.iter().enumerate().take(below).skip(above) {
        if found.is_some() {
            continue;
        }
        let key = &table.rows[i].key;
        let likeness = if label.key.chars().count() >= 4 && key.starts_with(label.key) {
            Likeness::CutShort
        } else {
            let distance = strsim::levenshtein(label.key, key);
            if distance > allowed {
                continue;
            }
            Likeness::Typo(distance)
        };
        match best {
            Some((_, l)) if l == likeness => tie = true,
            Some((_, l)) if l < likeness => {}
            _ => {
                best = Some((i, likeness));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie)
}

/// Where each template column's header was found: its sheet column and
/// the row of its own header cell. Matched left to right in the band above
/// the table, so repeated headers (表四's 总计) land on the right columns; a
/// header cut short (`现行有效件`) or broken (`本年新`) matches the column it
/// begins.
fn match_columns(header: &[&Text], table: &Table, after: Option<u32>) -> Vec<Option<(u32, u32)>> {
    let mut out = Vec::with_capacity(table.columns.len());
    let mut prev = after;
    for column in &table.columns {
        let leaf = column.keys.last().map_or("", String::as_str);
        let hit = header
            .iter()
            .filter(|t| prev.is_none_or(|p| t.col > p) && header_matches(&t.key, leaf))
            .min_by_key(|t| (t.col, std::cmp::Reverse(t.row)));
        if let Some(t) = hit {
            prev = Some(t.col);
        }
        out.push(hit.map(|t| (t.col, t.row)));
    }
    out
}

fn header_matches(cell: &str, leaf: &str) -> bool {
    cell == leaf || (cell.chars().count() >= 3 && leaf.starts_with(cell))
}

/// Columns whose header was not found, read by their place beside the
/// columns that were, and said so.
fn guess_columns(
    columns: &mut [Option<u32>],
    table: &Table,
    template: &Template,
    sheet: &str,
    notes: &mut Vec<Issue>,
) {
    let known: Vec<(usize, u32)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (i, c)))
        .collect();
    if known.is_empty() || known.len() == columns.len() {
        return;
    }
    for (i, column) in columns.iter_mut().enumerate() {
        if column.is_some() {
            continue;
        }
        let Some(&(k, col)) = known.iter().min_by_key(|(k, _)| k.abs_diff(i)) else {
            continue;
        };
        let Some(guess) = (col as i64 + i as i64 - k as i64).try_into().ok() else {
            continue;
        };
        *column = Some(guess);
        let column = &table.columns[i].label;
        let what = template.table_name(table);
        notes.push(
            Issue::new(
                Code::FormHeaderMissing,
                format!(
                    "{what}：未找到表头“{column}”；按它与其他列的位置从 {} 列读取",
                    cell_name(0, guess).trim_end_matches(char::is_numeric)
                ),
            )
            .at(sheet, ""),
        );
    }
}

/// A table found by its headers alone (表四): the row of its top headers,
/// the leaves below them, and the row of numbers under the leaves.
fn read_unlabelled(
    sheet: &Sheet,
    texts: &Texts,
    table: &Table,
    template: &Template,
) -> Option<TableRead> {
    let grid = &sheet.grid;
    let (row, col) = anchor(texts, table)?;
    let depth = table.header_depth() as u32;
    let header: Vec<&Text> = texts
        .cells
        .iter()
        .filter(|t| t.row >= row && t.row <= row + depth && t.col >= col)
        .collect();
    let mut notes = Vec::new();
    let matched = match_columns(&header, table, col.checked_sub(1));
    let last_header = matched
        .iter()
        .flatten()
        .map(|(_, r)| *r)
        .max()
        .unwrap_or(row);
    let mut columns: Vec<Option<u32>> = matched.iter().map(|c| c.map(|(col, _)| col)).collect();
    guess_columns(&mut columns, table, template, &sheet.name, &mut notes);
    // The numbers sit right under the headers, or a row further down when
    // a clerk left a row between (a row of numbers, not the footer's text).
    let numbers_in = |r: u32| {
        columns
            .iter()
            .flatten()
            .any(|&c| matches!(grid.get(r, c), Some(Data::Float(_) | Data::Int(_))))
    };
    let data = if numbers_in(last_header + 1) || !numbers_in(last_header + 2) {
        last_header + 1
    } else {
        last_header + 2
    };
    let values = columns
        .iter()
        .enumerate()
        .map(|(c, x)| {
            x.map(|x| read_value(grid, data, x, table.cell(0, c), template, sheet, &mut notes))
        })
        .collect();
    Some(TableRead {
        values,
        first: row,
        last: data,
        notes,
    })
}

/// The top-left header of a table without row labels: the cell naming its
/// first column's top header, with its last column's top header to the
/// right in the same row (行政复议 … 行政诉讼).
fn anchor(texts: &Texts, table: &Table) -> Option<(u32, u32)> {
    let first = table.columns.first()?.keys.first()?;
    let last = table.columns.last()?.keys.first()?;
    texts
        .cells
        .iter()
        .filter(|t| &t.key == first)
        .find(|a| {
            first == last
                || texts
                    .cells
                    .iter()
                    .any(|t| t.row == a.row && t.col > a.col && &t.key == last)
        })
        .map(|a| (a.row, a.col))
}

/// One value cell, with a note when it needed explaining.
fn read_value(
    grid: &Grid,
    y: u32,
    x: u32,
    cell: usize,
    template: &Template,
    sheet: &Sheet,
    notes: &mut Vec<Issue>,
) -> CellValue {
    let reading = read_cell(grid.cell(y, x), grid);
    if let Some((code, text)) = &reading.note {
        let row = template.row_of(cell);
        let column = template.column_of(cell);
        let what = if template.is_single_column() {
            format!("{} {}", row.code, row.label)
        } else {
            format!(
                "{} {}",
                template.cells()[cell].code,
                template.cell_name(cell)
            )
        };
        notes.push(
            Issue::new(*code, format!("{what}：{text}"))
                .at(&sheet.name, &cell_name(y, x))
                .cell_code(&row.code, &column.code),
        );
    }
    CellValue::new(reading.value, reading.raw, reading.read_as, y, x)
}

/// ` (it holds 5)`: the number beside a row the template does not have, so
/// the office sees what was left out.
fn unknown_value(grid: &Grid, row: u32, col: u32) -> String {
    match grid.get(row, col) {
        Some(Data::Float(f)) => format!("（填的是 {}）", fmt_num(*f)),
        Some(Data::Int(i)) => format!("（填的是 {i}）"),
        _ => String::new(),
    }
}
