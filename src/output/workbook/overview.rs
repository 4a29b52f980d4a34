//! 概览, the analyst workbook's first sheet: the year at a glance for the
//! office's leaders. Who reported, per district and for the city; the
//! template's headline figures (applications, the shares of each result,
//! reviews and suits with the share corrected), each beside last year's and
//! the change when last year's records exist; native charts, which Excel,
//! WPS and LibreOffice draw themselves from the cells above them; and, when
//! OUT holds earlier years of the same form, the city's trend over them.

use crate::input::roster::area_word;
use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Worksheet, XlsxError};

use super::Analysis;
use crate::form::UnitKind;
use crate::form::draft::Figure;
use crate::form::file::ChartFile;
use crate::output::summary::{StatusRow, UnitStatus};

pub const SHEET: &str = "概览";

/// Charts' size in pixels.
const CHART: (u32, u32) = (560, 300);

/// A row of 概览: its label, whose units it counts, its values, and its
/// values last year.
struct Unit<'a> {
    label: String,
    whose: Whose<'a>,
    values: &'a [Option<f64>],
    last: Option<&'a [Option<f64>]>,
}

/// The units a row of 概览 counts.
enum Whose<'a> {
    /// An office below the run's: its own units and those of the offices
    /// below it.
    Office(&'a str),
    /// Everyone.
    All,
    /// One kind of unit, among everyone.
    Kind(UnitKind),
}

impl Whose<'_> {
    fn counts(&self, row: &StatusRow) -> bool {
        match self {
            Whose::Office(name) => row.path.iter().skip(1).any(|o| o == name),
            Whose::All => true,
            Whose::Kind(kind) => row.kind == *kind,
        }
    }
}

/// Where a figure is on the sheet: its column, and last year's beside it.
struct Placed<'a> {
    figure: &'a Figure,
    column: u16,
    last: Option<u16>,
}

/// What the rows above the total are called: 区县, or 下级单位 when they
/// are of more than one level (a province's cities and their districts).
fn lower_offices(a: &Analysis) -> &'static str {
    if a.districts.iter().any(|d| d.depth > 1) {
        "下级单位"
    } else {
        "区县"
    }
}

/// The formats of the sheet's numbers.
struct Formats {
    share: Format,
    change: Format,
    count: Format,
}

pub fn overview(ws: &mut Worksheet, a: &Analysis, head: &Format) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14);
    let name = format!("{}{}年政府信息公开 概览", a.city.name, a.info.year);
    ws.write_string_with_format(0, 0, &name, &title)?;
    let mut units: Vec<Unit> = a
        .districts
        .iter()
        .chain([a.city])
        .map(|r| {
            let (label, whose) = if std::ptr::eq(r, a.city) {
                (area_word(&a.city.name).to_string(), Whose::All)
            } else {
                // An office under another is set in under it: 甲市, then
                // 　子县, as a province's return lists them.
                let indent = "\u{3000}".repeat(r.depth.saturating_sub(1));
                (
                    format!("{indent}{}", r.name),
                    Whose::Office(r.name.as_str()),
                )
            };
            Unit {
                label,
                whose,
                values: &r.values,
                last: r.last.as_deref(),
            }
        })
        .collect();
    // Under the total, each kind of unit's part, when there is more than one.
    if a.by_kind.len() > 1 {
        units.extend(a.by_kind.iter().map(|(kind, values)| Unit {
            label: format!("其中：{}", kind.label()),
            whose: Whose::Kind(*kind),
            values,
            last: None,
        }));
    }
    let formats = Formats {
        share: Format::new().set_num_format("0.0%"),
        change: Format::new().set_num_format("+0.0%;-0.0%;0.0%"),
        count: Format::new().set_num_format("#,##0.####"),
    };
    let top = 2;
    who_reported(ws, a, &units, top, head)?;
    let header = top + units.len() as u32 + 2;
    let placed = figures(ws, a, &units, header, head, &formats)?;
    let first = header + 1;
    let below = first + units.len() as u32 + 2;
    let (direct, chart_row) = direct_rows(ws, a, &placed, first, below, head, &formats)?;
    let charts = charts(a, &placed, first, direct);
    let trend_row = chart_row + 16 * (charts.len() as u32).div_ceil(2).max(1) + 1;
    trend(ws, a, &placed, trend_row, head, &formats)?;
    for (n, mut chart) in charts.into_iter().enumerate() {
        chart.set_width(CHART.0).set_height(CHART.1);
        let (row, col) = (chart_row + (n as u32 / 2) * 16, (n as u16 % 2) * 8);
        ws.insert_chart(row, col, &chart)?;
    }

    // One landscape page.
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 1);
    ws.set_print_center_horizontally(true);
    Ok(())
}

/// Units expected, reported, missing and refused, per district and in all.
fn who_reported(
    ws: &mut Worksheet,
    a: &Analysis,
    units: &[Unit],
    top: u32,
    head: &Format,
) -> Result<(), XlsxError> {
    let columns = [lower_offices(a), "应报单位", "已报送", "未报送", "不能计入"];
    for (c, text) in columns.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *text, head)?;
    }
    for (i, unit) in units.iter().enumerate() {
        let r = top + 1 + i as u32;
        ws.write_string(r, 0, &unit.label)?;
        let rows: Vec<&StatusRow> = a.status.iter().filter(|s| unit.whose.counts(s)).collect();
        let count = |f: &dyn Fn(&StatusRow) -> bool| rows.iter().filter(|s| f(s)).count() as f64;
        ws.write_number(r, 1, count(&|s| s.status != UnitStatus::NotInRoster))?;
        ws.write_number(r, 2, count(&|s| s.status.reported()))?;
        ws.write_number(r, 3, count(&|s| s.status == UnitStatus::Missing))?;
        ws.write_number(r, 4, count(&|s| s.status == UnitStatus::Rejected))?;
    }
    Ok(())
}

/// The template's headline figures under a header at row `header`, and
/// last year's beside the counts when last year's records exist.
fn figures<'a>(
    ws: &mut Worksheet,
    a: &'a Analysis,
    units: &[Unit],
    header: u32,
    head: &Format,
    f: &Formats,
) -> Result<Vec<Placed<'a>>, XlsxError> {
    let has_last = units.iter().any(|u| u.last.is_some());
    ws.write_string_with_format(header, 0, lower_offices(a), head)?;
    let mut placed = Vec::new();
    let mut c = 1u16;
    for figure in a.template.overview() {
        ws.write_string_with_format(header, c, &figure.label, head)?;
        let last = (has_last && !figure.is_share()).then_some(c + 1);
        placed.push(Placed {
            figure,
            column: c,
            last,
        });
        if let Some(l) = last {
            ws.write_string_with_format(header, l, "上年", head)?;
            ws.write_string_with_format(header, l + 1, "增减", head)?;
            c += 3;
        } else {
            c += 1;
        }
    }
    for (i, unit) in units.iter().enumerate() {
        let r = header + 1 + i as u32;
        ws.write_string(r, 0, &unit.label)?;
        for p in &placed {
            let this = p.figure.of(unit.values);
            let format = if p.figure.is_share() {
                &f.share
            } else {
                &f.count
            };
            if p.figure.has_base(unit.values) {
                ws.write_number_with_format(r, p.column, this, format)?;
            } else {
                ws.write_string(r, p.column, "—")?;
            }
            if let (Some(l), Some(last)) = (p.last, unit.last) {
                let before = p.figure.of(last);
                ws.write_number_with_format(r, l, before, &f.count)?;
                match growth(this, before) {
                    Growth::Ratio(g) => ws.write_number_with_format(r, l + 1, g, &f.change)?,
                    Growth::FromZero => ws.write_string(r, l + 1, "上年为0")?,
                };
            }
        }
    }
    ws.set_column_width(0, 12)?;
    for col in 1..c {
        ws.set_column_width(col, 10)?;
    }
    let centred = Format::new().set_align(FormatAlign::Center);
    ws.set_row_format(header, &centred)?;
    Ok(placed)
}

/// The rows the by-office charts draw: the offices right below the run's.
/// Those are the first rows of the figures when they follow one another (a
/// city's districts); when offices below them sit between (a province's
/// cities, each with its districts), the charted figures of the offices
/// right below are copied to rows of their own at `below`, so that no bar
/// is the sum of the bars beside it. The rows (first, how many) and the
/// row the charts go below.
fn direct_rows(
    ws: &mut Worksheet,
    a: &Analysis,
    placed: &[Placed],
    first: u32,
    below: u32,
    head: &Format,
    f: &Formats,
) -> Result<((u32, u32), u32), XlsxError> {
    let nested = a.districts.iter().any(|d| d.depth > 1);
    if !nested {
        return Ok(((first, a.districts.len() as u32), below));
    }
    let direct: Vec<&crate::rollup::Return> = a.districts.iter().filter(|d| d.depth <= 1).collect();
    ws.write_string_with_format(below, 0, "直属下级单位", head)?;
    let charted: Vec<&Placed> = placed
        .iter()
        .filter(|p| p.figure.chart == Some(ChartFile::ByDistrict))
        .collect();
    for p in &charted {
        ws.write_string_with_format(below, p.column, &p.figure.label, head)?;
        if let Some(l) = p.last {
            ws.write_string_with_format(below, l, "上年", head)?;
        }
    }
    for (k, office) in direct.iter().enumerate() {
        let r = below + 1 + k as u32;
        ws.write_string(r, 0, &office.name)?;
        for p in &charted {
            ws.write_number_with_format(r, p.column, p.figure.of(&office.values), &f.count)?;
            if let (Some(l), Some(last)) = (p.last, &office.last) {
                ws.write_number_with_format(r, l, p.figure.of(last), &f.count)?;
            }
        }
    }
    let rows = direct.len() as u32;
    Ok(((below + 1, rows), below + 1 + rows + 2))
}

/// The charts, drawn from the figures' cells (their rows start at
/// `first`); the by-office ones from the rows `direct` gives.
fn charts(a: &Analysis, placed: &[Placed], first: u32, direct: (u32, u32)) -> Vec<Chart> {
    let districts = a.districts.len() as u32;
    let (top, offices) = direct;
    let districts_of = |col: u16| (SHEET, top, col, top + offices.max(1) - 1, col);
    let categories = districts_of(0);
    let mut charts = Vec::new();
    // A district's own run has no office below it to chart.
    if let Some(p) = placed
        .iter()
        .find(|p| p.figure.chart == Some(ChartFile::ByDistrict))
        .filter(|_| offices > 0)
    {
        let mut chart = Chart::new(ChartType::Column);
        chart
            .title()
            .set_name(&format!("{}（按{}）", p.figure.label, lower_offices(a)));
        chart
            .add_series()
            .set_name(p.figure.label.as_str())
            .set_categories(categories)
            .set_values(districts_of(p.column));
        chart.legend().set_hidden();
        charts.push(chart);
        if let Some(l) = p.last {
            let mut chart = Chart::new(ChartType::Column);
            chart
                .title()
                .set_name(&format!("{}：本年与上年", p.figure.label));
            chart
                .add_series()
                .set_name("上年")
                .set_categories(categories)
                .set_values(districts_of(l));
            chart
                .add_series()
                .set_name("本年")
                .set_categories(categories)
                .set_values(districts_of(p.column));
            charts.push(chart);
        }
    }
    let mix: Vec<&Placed> = placed
        .iter()
        .filter(|p| p.figure.chart == Some(ChartFile::Mix))
        .collect();
    if !mix.is_empty() {
        // The city too: the mix of every district beside the whole.
        let all = |col: u16| (SHEET, first, col, first + districts, col);
        let mut chart = Chart::new(ChartType::BarPercentStacked);
        chart.title().set_name("办理结果构成");
        for p in mix {
            chart
                .add_series()
                .set_name(p.figure.label.as_str())
                .set_categories(all(0))
                .set_values(all(p.column));
        }
        charts.push(chart);
    }
    charts
}

/// The city's figure over the earlier years OUT holds of the same form,
/// as a table at row `top` and a line chart beside it.
fn trend(
    ws: &mut Worksheet,
    a: &Analysis,
    placed: &[Placed],
    top: u32,
    head: &Format,
    f: &Formats,
) -> Result<(), XlsxError> {
    let Some(p) = placed
        .iter()
        .find(|p| p.figure.chart == Some(ChartFile::ByDistrict))
    else {
        return Ok(());
    };
    if a.past.is_empty() {
        return Ok(());
    }
    ws.write_string_with_format(top, 0, "年度", head)?;
    ws.write_string_with_format(top, 1, &p.figure.label, head)?;
    let years = a
        .past
        .iter()
        .map(|(y, v)| (*y, p.figure.of(v)))
        .chain([(a.info.year, p.figure.of(&a.city.values))]);
    let mut last = top;
    for (y, v) in years {
        last += 1;
        ws.write_string(last, 0, y.to_string())?;
        ws.write_number_with_format(last, 1, v, &f.count)?;
    }
    let mut chart = Chart::new(ChartType::Line);
    chart
        .title()
        .set_name(&format!("{}：历年（全市）", p.figure.label));
    chart
        .add_series()
        .set_name(p.figure.label.as_str())
        .set_categories((SHEET, top + 1, 0, last, 0))
        .set_values((SHEET, top + 1, 1, last, 1));
    chart.legend().set_hidden();
    chart.set_width(CHART.0).set_height(CHART.1);
    ws.insert_chart(top, 3, &chart)?;
    Ok(())
}

/// This year against last year.
enum Growth {
    Ratio(f64),
    FromZero,
}

fn growth(this: f64, last: f64) -> Growth {
    if last == 0.0 && this != 0.0 {
        Growth::FromZero
    } else if last == 0.0 {
        Growth::Ratio(0.0)
    } else {
        Growth::Ratio((this - last) / last)
    }
}
