//! The draft of the office's own 政府信息公开工作年度报告: for each district
//! and the city, the report laid out as the official format prescribes,
//! with every number taken from the return and every sentence either
//! written from the data (the template's `[draft]`) or a highlighted prompt
//! for what only the office knows. Nothing is invented.
//!
//! Laid out as Chinese government documents are (GB/T 9704): A4, margins
//! 37/35/28/26 mm, title in 方正小标宋简体 二号, body in 仿宋 三号 at a fixed
//! 28-point line, headings in 黑体 and 楷体, page numbers `— 1 —` at the foot.
//! The fonts are named as Word, WPS and LibreOffice know them; a machine
//! without one substitutes its own. The three tables are the layout of the
//! returns ([`super::layout`]); a part too wide for portrait gets a landscape
//! section of its own.

use std::path::Path;

use docx_rs::{
    AlignmentType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum,
    PageOrientationType, Paragraph, Run, RunFonts, Section, SpecialIndentType, Table, TableCell,
    TableRow, VAlignType, VMergeType, WidthType,
};

use super::layout::{self, Content, PartLayout, Reporting, Role};
use super::{WriteError, atomic};
use crate::rollup::{Level, Return};
use crate::template::Template;
use crate::template::draft::{Values, Written, number};

/// A4 in twentieths of a point, and the margins of GB/T 9704 (37 mm top,
/// 35 mm bottom, 28 mm left, 26 mm right).
const A4: (u32, u32) = (11_906, 16_838);
const MARGINS: (i32, i32, i32, i32) = (2_098, 1_984, 1_587, 1_474);

/// Sizes in half-points: 二号, 三号, 四号, 五号, 小五.
const SIZE_TITLE: usize = 44;
const SIZE_BODY: usize = 32;
const SIZE_PAGE_NUMBER: usize = 28;
const SIZE_TABLE: usize = 21;
const SIZE_WIDE_TABLE: usize = 18;

/// The fixed line of the body, 28 points, and two characters of indent.
const LINE: i32 = 560;
const INDENT: i32 = 640;

/// A part wider than this many columns is printed landscape.
const PORTRAIT_COLUMNS: u16 = 6;

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体";
const TABLE_FONT: &str = "宋体";

/// What one draft is written from.
pub struct DraftContent<'a> {
    pub template: &'a Template,
    pub ret: &'a Return,
    pub year: i32,
    /// The same unit's values last year, when last year's records exist.
    pub last: Option<&'a [Option<f64>]>,
    /// Units of the roster that sent nothing, for the source line.
    pub missing: &'a [String],
}

pub fn write_draft(path: &Path, content: &DraftContent) -> Result<super::Saved, WriteError> {
    let docx = document(content);
    atomic(path, |w| {
        // docx-rs writes into a seekable stream: build in memory, then write.
        let mut buffer = std::io::Cursor::new(Vec::new());
        docx.build().pack(&mut buffer).map_err(|e| WriteError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        })?;
        std::io::Write::write_all(w, buffer.get_ref()).map_err(|source| WriteError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

fn document(c: &DraftContent) -> Docx {
    let template = c.template;
    let values = Values {
        this: &c.ret.values,
        last: c.last,
    };
    let mut body: Vec<Block> = vec![
        para(title(&format!(
            "{}{}年政府信息公开工作年度报告",
            c.ret.name, c.year
        ))),
        para(body_text(&[Written::Text(source_line(c))])),
        para(heading("一、总体情况")),
    ];
    for section in &template.draft().sections {
        body.push(para(subheading(&section.heading)));
        let mut written = Vec::new();
        for s in &section.sentences {
            written.extend(s.write(template, &values));
        }
        body.push(para(body_text(&written)));
    }

    let parts = layout::parts(template, Reporting::Hidden);
    // A one-part form (the 2018 form) is the report's 附表, after the text.
    let single = parts.len() == 1;
    let tables: Vec<(Orientation, Vec<Block>)> = parts
        .iter()
        .map(|part| {
            let orientation = if part.width > PORTRAIT_COLUMNS {
                Orientation::Landscape
            } else {
                Orientation::Portrait
            };
            let title = if single {
                format!("附表：{}", template.title)
            } else {
                part.title.to_string()
            };
            // An appendix starts on a page of its own.
            let heading = if single {
                heading(&title).page_break_before(true)
            } else {
                heading(&title)
            };
            let blocks = vec![
                para(heading),
                Block::Table(Box::new(table(part, &c.ret.values, orientation))),
            ];
            (orientation, blocks)
        })
        .collect();
    let closing = (Orientation::Portrait, closing(c, &values, single));
    let body = (Orientation::Portrait, body);
    let order: Vec<(Orientation, Vec<Block>)> = if single {
        [body, closing].into_iter().chain(tables).collect()
    } else {
        std::iter::once(body)
            .chain(tables)
            .chain([closing])
            .collect()
    };
    // Consecutive blocks of one orientation share a section.
    let mut pages: Vec<(Orientation, Vec<Block>)> = Vec::new();
    for (orientation, blocks) in order {
        match pages.last_mut() {
            Some((o, b)) if *o == orientation => b.extend(blocks),
            _ => pages.push((orientation, blocks)),
        }
    }
    assemble(pages)
}

/// 五 and 六 (二 and 三 before a 附表): prompts, and what the format requires
/// on 信息处理费.
fn closing(c: &DraftContent, values: &Values, single: bool) -> Vec<Block> {
    let (problems, other_matters) = if single {
        ("二、存在的主要问题及改进情况", "三、其他需要报告的事项")
    } else {
        ("五、存在的主要问题及改进情况", "六、其他需要报告的事项")
    };
    let mut other = Vec::new();
    for s in &c.template.draft().other {
        other.extend(s.write(c.template, values));
    }
    other.push(Written::Prompt(
        "【待补充：落实上级年度政务公开工作要点、人大代表建议和政协提案办理结果公开等需要报告的其他事项】".into(),
    ));
    vec![
        para(heading(problems)),
        para(body_text(&[Written::Prompt(
            "【待补充：本年度政府信息公开工作存在的主要问题，以及上年度问题的改进情况】".into(),
        )])),
        para(heading(other_matters)),
        para(body_text(&other)),
    ]
}

/// What a section holds, in order. A docx-rs paragraph is large, so it
/// is boxed as docx-rs itself boxes it.
enum Block {
    Paragraph(Box<Paragraph>),
    Table(Box<Table>),
}

fn para(p: Paragraph) -> Block {
    Block::Paragraph(Box::new(p))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Orientation {
    Portrait,
    Landscape,
}

/// The pages as sections: every section but the last is a `Section`, the
/// last is the document's own.
fn assemble(pages: Vec<(Orientation, Vec<Block>)>) -> Docx {
    let count = pages.len();
    let mut docx = Docx::new()
        .default_fonts(fonts(BODY_FONT))
        .default_size(SIZE_BODY);
    for (n, (orientation, blocks)) in pages.into_iter().enumerate() {
        if n + 1 < count {
            let mut section = Section::new()
                .page_size(page_size(orientation))
                .page_orient(orientation.into())
                .page_margin(margins(orientation))
                .footer(page_footer());
            for block in blocks {
                section = match block {
                    Block::Paragraph(p) => section.add_paragraph(*p),
                    Block::Table(t) => section.add_table(*t),
                };
            }
            docx = docx.add_section(section);
        } else {
            let (w, h) = dimensions(orientation);
            docx = docx
                .page_size(w, h)
                .page_orient(orientation.into())
                .page_margin(margins(orientation))
                .footer(page_footer());
            for block in blocks {
                docx = match block {
                    Block::Paragraph(p) => docx.add_paragraph(*p),
                    Block::Table(t) => docx.add_table(*t),
                };
            }
        }
    }
    docx
}

impl From<Orientation> for PageOrientationType {
    fn from(o: Orientation) -> PageOrientationType {
        match o {
            Orientation::Portrait => PageOrientationType::Portrait,
            Orientation::Landscape => PageOrientationType::Landscape,
        }
    }
}

fn dimensions(orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Portrait => A4,
        Orientation::Landscape => (A4.1, A4.0),
    }
}

fn page_size(orientation: Orientation) -> docx_rs::PageSize {
    let (w, h) = dimensions(orientation);
    docx_rs::PageSize::new()
        .size(w, h)
        .orient(orientation.into())
}

/// The margins of the page as printed: a landscape page is the portrait one
/// turned, so its top is the portrait's left.
fn margins(orientation: Orientation) -> PageMargin {
    let (top, bottom, left, right) = MARGINS;
    let m = PageMargin::new().header(851).footer(992).gutter(0);
    match orientation {
        Orientation::Portrait => m.top(top).bottom(bottom).left(left).right(right),
        Orientation::Landscape => m.top(left).bottom(right).left(top).right(bottom),
    }
}

/// The width of the text on the page, in twentieths of a point.
fn text_width(orientation: Orientation) -> usize {
    let (w, _) = dimensions(orientation);
    let (top, bottom, left, right) = MARGINS;
    let used = match orientation {
        Orientation::Portrait => left + right,
        Orientation::Landscape => top + bottom,
    };
    (w as i32 - used) as usize
}

fn page_footer() -> Footer {
    let number = |text: &str| {
        Run::new()
            .add_text(text)
            .fonts(fonts(TABLE_FONT))
            .size(SIZE_PAGE_NUMBER)
    };
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(number("— "))
            .add_page_num(PageNum::new())
            .add_run(number(" —"))
            .fonts(fonts(TABLE_FONT))
            .size(SIZE_PAGE_NUMBER),
    )
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(name)
        .ascii(name)
        .hi_ansi(name)
        .cs(name)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn title(text: &str) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Exact)
                .line(LINE * 3 / 2)
                .after(LINE as u32),
        )
        .add_run(run(text, TITLE_FONT, SIZE_TITLE))
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new()
        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
        .line_spacing(exact())
        .keep_next(true)
        .add_run(run(text, HEADING_FONT, SIZE_BODY))
}

fn subheading(text: &str) -> Paragraph {
    Paragraph::new()
        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
        .line_spacing(exact())
        .keep_next(true)
        .add_run(run(text, SUBHEADING_FONT, SIZE_BODY))
}

/// A body paragraph; prompts are highlighted for the office to replace.
fn body_text(written: &[Written]) -> Paragraph {
    let mut p = Paragraph::new()
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
        .line_spacing(exact());
    for w in written {
        p = p.add_run(match w {
            Written::Text(t) => run(t, BODY_FONT, SIZE_BODY),
            Written::Prompt(t) => run(t, BODY_FONT, SIZE_BODY).highlight("yellow"),
        });
    }
    p
}

fn exact() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE)
}

/// Which units the figures are the sum of, and the period.
fn source_line(c: &DraftContent) -> String {
    let scope = match c.ret.level {
        Level::City => "全市",
        Level::District => "本区(县)",
    };
    let mut line = format!(
        "本报告中的统计数据为{scope} {} 个乡镇(街道)报送的统计表之和({})",
        c.ret.units.len(),
        c.ret.units.join("、")
    );
    if c.missing.is_empty() {
        line.push_str(";各单位均已报送");
    } else {
        line.push_str(&format!(
            ";{} 个单位未报送,不在其中:{}",
            c.missing.len(),
            c.missing.join("、")
        ));
    }
    line.push_str(&format!(
        "。本报告统计期限为{0}年1月1日至{0}年12月31日。",
        c.year
    ));
    line
}

/// A part of the form as a Word table: each placed cell once, with its
/// spans; a cell under a vertical merge continues it.
fn table(part: &PartLayout, values: &[Option<f64>], o: Orientation) -> Table {
    let size = if o == Orientation::Landscape {
        SIZE_WIDE_TABLE
    } else {
        SIZE_TABLE
    };
    let widths = column_widths(part, o);
    let mut starts = std::collections::HashMap::new();
    for p in &part.cells {
        starts.insert((p.top, p.left), p);
    }
    let mut rows = Vec::new();
    for r in 0..part.rows {
        let mut cells = Vec::new();
        let mut c = 0u16;
        while c < part.width {
            let covering = part
                .cells
                .iter()
                .find(|p| p.top < r && r <= p.bottom && p.left == c);
            let (cell, span) = if let Some(p) = starts.get(&(r, c)) {
                let mut cell = placed(p, values, size);
                if p.bottom > p.top {
                    cell = cell.vertical_merge(VMergeType::Restart);
                }
                (cell, p.right - p.left + 1)
            } else if let Some(p) = covering {
                let cell = TableCell::new()
                    .add_paragraph(Paragraph::new())
                    .vertical_merge(VMergeType::Continue);
                (cell, p.right - p.left + 1)
            } else {
                (TableCell::new().add_paragraph(Paragraph::new()), 1)
            };
            let width: usize = widths[c as usize..(c + span) as usize].iter().sum();
            let mut cell = cell
                .width(width, WidthType::Dxa)
                .vertical_align(VAlignType::Center);
            if span > 1 {
                cell = cell.grid_span(span as usize);
            }
            cells.push(cell);
            c += span;
        }
        rows.push(TableRow::new(cells).cant_split());
    }
    Table::new(rows)
        .set_grid(widths.clone())
        .width(widths.iter().sum(), WidthType::Dxa)
        .align(docx_rs::TableAlignmentType::Center)
}

/// The label columns share what the value columns leave; a row group's
/// column is narrow.
fn column_widths(part: &PartLayout, o: Orientation) -> Vec<usize> {
    let total = text_width(o);
    let labels = part.labels as usize;
    let values = part.width as usize - labels;
    let value = if labels == 0 {
        total / values.max(1)
    } else {
        (total / 3 / values.max(1)).clamp(900, 1_400)
    };
    let group = 900;
    let label = total.saturating_sub(value * values + group * labels.saturating_sub(1));
    (0..part.width as usize)
        .map(|c| {
            if c + 1 < labels {
                group
            } else if c + 1 == labels {
                label
            } else {
                value
            }
        })
        .collect()
}

fn placed(p: &layout::Placed, values: &[Option<f64>], size: usize) -> TableCell {
    let text = match &p.content {
        Content::Text(t) => t.clone(),
        Content::Cell(i) => values[*i].map(number).unwrap_or_default(),
        Content::Reported(_) => String::new(),
    };
    let align = match p.role {
        Role::Value(_) => AlignmentType::Right,
        Role::Header | Role::Caption | Role::Group | Role::Unit => AlignmentType::Center,
        _ => AlignmentType::Left,
    };
    let bold = matches!(p.role, Role::Header | Role::Caption | Role::Heading);
    let mut paragraph = Paragraph::new().align(align);
    for (n, line) in text.split('\n').enumerate() {
        let mut r = Run::new().fonts(fonts(TABLE_FONT)).size(size);
        if n > 0 {
            r = r.add_break(docx_rs::BreakType::TextWrapping);
        }
        r = r.add_text(line);
        if bold {
            r = r.bold();
        }
        paragraph = paragraph.add_run(r);
    }
    TableCell::new().add_paragraph(paragraph)
}
