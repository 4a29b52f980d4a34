//! The draft of the office's own 政府信息公开工作年度报告: for each district
//! and the city, the report laid out as the official format prescribes,
//! with every number taken from the return and every sentence either
//! written from the data (the template's `[draft]`) or a highlighted prompt
//! for what only the office knows. Nothing is invented.
//!
//! Laid out as Chinese government documents are (GB/T 9704): A4, margins
//! 37/35/28/26 mm, title in 方正小标宋简体 二号, body in 仿宋 三号 at a fixed
//! 28-point line, headings in 黑体 and 楷体, page numbers `— 1 —` at the foot.
//! Each of these is a named style (报告标题, 一级标题, 二级标题, 报告正文,
//! 表格文字, 页码), so the office restyles the whole draft in one place. The
//! fonts are named as Word, WPS and LibreOffice know them; a machine
//! without one substitutes its own. The three tables are the layout of the
//! returns ([`super::layout`]); a part too wide for portrait gets a landscape
//! section of its own.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::docx::{self, text};
use super::layout::{self, Content, PartLayout, Reporting, Role};
use super::summary::{Member, UnitStatus};
use super::{WriteError, atomic};
use crate::form::draft::{Values, Written, number};
use crate::form::{Template, UnitKind};
use crate::rollup::Return;

/// A4 in twentieths of a point, and the margins of GB/T 9704 (37 mm top,
/// 35 mm bottom, 28 mm left, 26 mm right).
const A4: (u32, u32) = (11_906, 16_838);
const MARGINS: (u32, u32, u32, u32) = (2_098, 1_984, 1_587, 1_474);

/// Sizes in half-points: 二号, 三号, 四号, 五号, 小五.
const SIZE_TITLE: u32 = 44;
const SIZE_BODY: u32 = 32;
const SIZE_PAGE_NUMBER: u32 = 28;
const SIZE_TABLE: u32 = 21;
const SIZE_WIDE_TABLE: u32 = 18;

/// The fixed line of the body, 28 points, and two characters of indent.
const LINE: u32 = 560;
const INDENT: u32 = 640;

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
    /// The units the return accounts for, with their kinds and how each
    /// stands: the source line counts them and the annex lists them.
    pub members: &'a [Member],
    /// 备注: the relations the return breaks, and why.
    pub notes: &'a [String],
}

pub fn write_draft(path: &Path, content: &DraftContent) -> Result<super::Saved, WriteError> {
    let io = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let title = format!(
        "{}{}年政府信息公开工作年度报告",
        content.ret.name, content.year
    );
    let body = document(content, &title);
    let bytes = docx::package(&docx::Document {
        title: &title,
        styles: &styles(),
        body: &body,
        footer: &footer(),
    })
    .map_err(|e| io(std::io::Error::other(e)))?;
    atomic(path, |w| std::io::Write::write_all(w, &bytes).map_err(io))
}

/// The paragraph styles, by id.
#[derive(Debug, Clone, Copy)]
enum Style {
    Title,
    Heading,
    Subheading,
    Body,
    Table,
    WideTable,
    PageNumber,
}

impl Style {
    fn id(self) -> &'static str {
        match self {
            Style::Title => "ReportTitle",
            Style::Heading => "ReportHeading",
            Style::Subheading => "ReportSubheading",
            Style::Body => "ReportBody",
            Style::Table => "TableText",
            Style::WideTable => "WideTableText",
            Style::PageNumber => "PageNumber",
        }
    }
}

/// styles.xml's elements: the body's font and size as the default, and a
/// style for each kind of paragraph.
fn styles() -> String {
    let mut s = format!(
        "<w:docDefaults><w:rPrDefault><w:rPr>{}<w:lang w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault/></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>",
        font(BODY_FONT, SIZE_BODY)
    );
    let body = format!(
        "<w:spacing w:line=\"{LINE}\" w:lineRule=\"exact\"/><w:ind w:firstLine=\"{INDENT}\"/>"
    );
    let styles = [
        (
            Style::Title,
            "报告标题",
            format!(
                "<w:spacing w:after=\"{LINE}\" w:line=\"{}\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>",
                LINE * 3 / 2
            ),
            font(TITLE_FONT, SIZE_TITLE),
        ),
        (
            Style::Heading,
            "一级标题",
            format!("<w:keepNext/>{body}"),
            font(HEADING_FONT, SIZE_BODY),
        ),
        (
            Style::Subheading,
            "二级标题",
            format!("<w:keepNext/>{body}"),
            font(SUBHEADING_FONT, SIZE_BODY),
        ),
        (
            Style::Body,
            "报告正文",
            format!("{body}<w:jc w:val=\"both\"/>"),
            font(BODY_FONT, SIZE_BODY),
        ),
        (
            Style::Table,
            "表格文字",
            String::new(),
            font(TABLE_FONT, SIZE_TABLE),
        ),
        (
            Style::WideTable,
            "宽表文字",
            String::new(),
            font(TABLE_FONT, SIZE_WIDE_TABLE),
        ),
        (
            Style::PageNumber,
            "页码",
            "<w:jc w:val=\"center\"/>".to_string(),
            font(TABLE_FONT, SIZE_PAGE_NUMBER),
        ),
    ];
    for (style, name, paragraph, run) in styles {
        let _ = write!(
            s,
            "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"{}\"><w:name w:val=\"{name}\"/>\
             <w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{paragraph}</w:pPr><w:rPr>{run}</w:rPr></w:style>",
            style.id()
        );
    }
    s
}

/// A run's font and size.
fn font(name: &str, size: u32) -> String {
    format!(
        "<w:rFonts w:ascii=\"{name}\" w:eastAsia=\"{name}\" w:hAnsi=\"{name}\" w:cs=\"{name}\"/>\
         <w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>"
    )
}

/// `— 1 —`: the page number as a field, between dashes.
fn footer() -> String {
    let mut f = String::new();
    paragraph_start(&mut f, Style::PageNumber, "");
    f.push_str(
        "<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>\
         <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r>\
         <w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
         <w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p>",
    );
    f
}

/// The body of document.xml: the pages as sections, each closed by its
/// page setup.
fn document(c: &DraftContent, report_title: &str) -> String {
    let template = c.template;
    let values = Values {
        this: &c.ret.values,
        last: c.ret.last.as_deref(),
    };
    let mut body = String::new();
    paragraph(
        &mut body,
        Style::Title,
        &[Written::Text(report_title.into())],
    );
    paragraph(&mut body, Style::Body, &[Written::Text(source_line(c))]);
    heading(&mut body, Style::Heading, "一、总体情况", Break::None);
    let write_section = |xml: &mut String, section: &crate::form::draft::Section| {
        if !section.heading.is_empty() {
            heading(xml, Style::Subheading, &section.heading, Break::None);
        }
        let mut written = Vec::new();
        for s in &section.sentences {
            written.extend(s.write(template, &values));
        }
        paragraph(xml, Style::Body, &written);
    };
    let sections = &template.draft().sections;
    for section in sections.iter().filter(|s| s.under.is_none()) {
        write_section(&mut body, section);
    }

    let parts = layout::parts(template, Reporting::Hidden);
    let parts_last_title = parts.last().map(|p| p.title).unwrap_or_default();
    // A one-part form (the 2018 form) is the report's 附表, after the text.
    let single = parts.len() == 1;
    let tables = parts.iter().map(|part| {
        let orientation = if part.width > PORTRAIT_COLUMNS {
            Orientation::Landscape
        } else {
            Orientation::Portrait
        };
        let mut blocks = String::new();
        if single {
            // An appendix starts on a page of its own.
            let title = format!("附表：{}", template.title);
            heading(&mut blocks, Style::Heading, &title, Break::PageBefore);
        } else {
            heading(&mut blocks, Style::Heading, part.title, Break::None);
        }
        table(&mut blocks, part, &c.ret.values, orientation);
        // Sentences about a part's figures (复议诉讼 under 四) follow its table.
        let here = |s: &&crate::form::draft::Section| {
            s.under
                .as_deref()
                .is_some_and(|u| part.title.starts_with(u))
        };
        for section in sections.iter().filter(here) {
            write_section(&mut blocks, section);
        }
        // The return's 备注 under its last table, as on the signed return.
        if part.title == parts_last_title {
            for note in c.notes {
                paragraph(
                    &mut blocks,
                    Style::Body,
                    &[Written::Text(format!("备注：{note}"))],
                );
            }
        }
        (orientation, blocks)
    });
    let closing = (Orientation::Portrait, closing(c, &values, single));
    let body = (Orientation::Portrait, body);
    let annex = (Orientation::Portrait, annex(c));
    let order: Vec<(Orientation, String)> = if single {
        [body, closing]
            .into_iter()
            .chain(tables)
            .chain([annex])
            .collect()
    } else {
        std::iter::once(body)
            .chain(tables)
            .chain([closing, annex])
            .collect()
    };
    // Consecutive blocks of one orientation share a section; every section
    // but the last is closed by a paragraph of its own, one point high so
    // that it never spills onto a page of its own.
    let mut pages: Vec<(Orientation, String)> = Vec::new();
    for (orientation, blocks) in order {
        match pages.last_mut() {
            Some((o, b)) if *o == orientation => b.push_str(&blocks),
            _ => pages.push((orientation, blocks)),
        }
    }
    let count = pages.len();
    let mut xml = String::with_capacity(pages.iter().map(|(_, b)| b.len() + 400).sum());
    for (n, (orientation, blocks)) in pages.into_iter().enumerate() {
        xml.push_str(&blocks);
        if n + 1 < count {
            xml.push_str("<w:p><w:pPr><w:spacing w:line=\"20\" w:lineRule=\"exact\"/>");
            section(&mut xml, orientation);
            xml.push_str("</w:pPr></w:p>");
        } else {
            section(&mut xml, orientation);
        }
    }
    xml
}

/// 五 and 六 (二 and 三 before a 附表): prompts, and what the format requires
/// on 信息处理费.
fn closing(c: &DraftContent, values: &Values, single: bool) -> String {
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
    let mut xml = String::new();
    heading(&mut xml, Style::Heading, problems, Break::None);
    paragraph(
        &mut xml,
        Style::Body,
        &[Written::Prompt(
            "【待补充：本年度政府信息公开工作存在的主要问题，以及上年度问题的改进情况】".into(),
        )],
    );
    heading(&mut xml, Style::Heading, other_matters, Break::None);
    paragraph(&mut xml, Style::Body, &other);
    xml
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Orientation {
    Portrait,
    Landscape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    None,
    PageBefore,
}

fn dimensions(orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Portrait => A4,
        Orientation::Landscape => (A4.1, A4.0),
    }
}

/// A section's page: its size, its margins as printed (a landscape page
/// is the portrait one turned, so its top is the portrait's left) and the
/// page-number footer.
fn section(xml: &mut String, orientation: Orientation) {
    let (w, h) = dimensions(orientation);
    let (top, bottom, left, right) = match orientation {
        Orientation::Portrait => MARGINS,
        Orientation::Landscape => (MARGINS.2, MARGINS.3, MARGINS.0, MARGINS.1),
    };
    let orient = match orientation {
        Orientation::Portrait => "",
        Orientation::Landscape => " w:orient=\"landscape\"",
    };
    let _ = write!(
        xml,
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"{}\"/>\
         <w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/>\
         <w:pgMar w:top=\"{top}\" w:right=\"{right}\" w:bottom=\"{bottom}\" w:left=\"{left}\" \
         w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/><w:cols w:space=\"425\"/></w:sectPr>",
        docx::FOOTER
    );
}

/// The width of the text on the page, in twentieths of a point.
fn text_width(orientation: Orientation) -> u32 {
    let (w, _) = dimensions(orientation);
    let (top, bottom, left, right) = MARGINS;
    let used = match orientation {
        Orientation::Portrait => left + right,
        Orientation::Landscape => top + bottom,
    };
    w - used
}

/// Opens a paragraph of `style`, with `properties` of its own after the
/// style (a page break, an alignment).
fn paragraph_start(xml: &mut String, style: Style, properties: &str) {
    xml.push_str("<w:p><w:pPr><w:pStyle w:val=\"");
    xml.push_str(style.id());
    xml.push_str("\"/>");
    xml.push_str(properties);
    xml.push_str("</w:pPr>");
}

fn heading(xml: &mut String, style: Style, title: &str, page: Break) {
    let properties = match page {
        Break::None => "",
        Break::PageBefore => "<w:pageBreakBefore/>",
    };
    paragraph_start(xml, style, properties);
    run(xml, title, "");
    xml.push_str("</w:p>");
}

/// A paragraph of text; prompts are highlighted for the office to replace.
fn paragraph(xml: &mut String, style: Style, written: &[Written]) {
    paragraph_start(xml, style, "");
    for w in written {
        match w {
            Written::Text(t) => run(xml, t, ""),
            Written::Prompt(t) => run(xml, t, "<w:rPr><w:highlight w:val=\"yellow\"/></w:rPr>"),
        }
    }
    xml.push_str("</w:p>");
}

fn run(xml: &mut String, t: &str, properties: &str) {
    xml.push_str("<w:r>");
    xml.push_str(properties);
    xml.push_str("<w:t xml:space=\"preserve\">");
    text(xml, t);
    xml.push_str("</w:t></w:r>");
}

/// Which units the figures are the sum of, by kind, as published reports
/// say it ("本报告数据由全区12个乡镇（街道）、25个区直部门和区政府本级……汇总而成"),
/// which units sent nothing and whose forms could not be used, and the period.
fn source_line(c: &DraftContent) -> String {
    let area = crate::input::roster::area_word(&c.ret.name);
    // 全区 → 区直部门 and 区政府本级; an area of no known kind has 部门 and 本级.
    let level = area.strip_prefix('全').filter(|l| *l != "部").unwrap_or("");
    // The office's own units, and those of the offices below it.
    let summed = |kind: UnitKind, own: bool| {
        c.members
            .iter()
            .filter(|m| m.kind == kind && m.status.summed())
            .filter(|m| (m.office == c.ret.name) == own)
            .count()
    };
    let own_departments = match level {
        "" => "部门".to_string(),
        level => format!("{level}直部门"),
    };
    let counted = [
        (
            summed(UnitKind::Township, true) + summed(UnitKind::Township, false),
            "个乡镇（街道）",
        ),
        (summed(UnitKind::Department, true), own_departments.as_str()),
        (summed(UnitKind::Department, false), "个下级单位的部门"),
        (summed(UnitKind::Government, false), "个下级政府本级"),
        (
            summed(UnitKind::Lower, true) + summed(UnitKind::Lower, false),
            "个下级单位的汇总表",
        ),
    ];
    let mut parts: Vec<String> = counted
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| match what.strip_prefix('个') {
            Some(_) => format!("{n}{what}"),
            None => format!("{n}个{what}"),
        })
        .collect();
    if summed(UnitKind::Government, true) > 0 {
        parts.push(format!("{level}政府本级"));
    }
    let listed = match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}和{last}", rest.join("、")),
        None => "0个单位".to_string(),
    };
    let mut line = format!("本报告中的统计数据由{area}{listed}报送的统计表汇总而成");
    let covered = c
        .members
        .iter()
        .filter(|m| m.status == UnitStatus::Covered)
        .count();
    if covered > 0 {
        line.push_str(&format!(
            "（另有{covered}个单位含在下级单位报送的汇总表中）"
        ));
    }
    let named = |status: UnitStatus| -> Vec<&str> {
        c.members
            .iter()
            .filter(|m| m.status == status)
            .map(|m| m.name.as_str())
            .collect()
    };
    let (missing, refused) = (named(UnitStatus::Missing), named(UnitStatus::Rejected));
    if !missing.is_empty() {
        line.push_str(&format!(
            "；{}个单位未报送，不在其中：{}",
            missing.len(),
            missing.join("、")
        ));
    }
    if !refused.is_empty() {
        line.push_str(&format!(
            "；{}个单位报送的表格未能计入汇总：{}",
            refused.len(),
            refused.join("、")
        ));
    }
    if missing.is_empty() && refused.is_empty() {
        line.push_str("；应报单位均已报送并计入");
    }
    line.push_str(&format!(
        "。各单位报送情况见附件。本报告统计期限为{0}年1月1日至{0}年12月31日。",
        c.year
    ));
    line
}

/// 附件: every unit the return accounts for, with its kind and how it stands,
/// a row each (rows never split, the header repeated on every page).
fn annex(c: &DraftContent) -> String {
    let mut xml = String::new();
    heading(
        &mut xml,
        Style::Heading,
        "附件：报送单位名单",
        Break::PageBefore,
    );
    let total = text_width(Orientation::Portrait);
    let widths = [900, total - 900 - 1_800 - 2_600, 1_800, 2_600];
    let border = "w:val=\"single\" w:sz=\"2\" w:space=\"0\" w:color=\"000000\"";
    let _ = write!(
        xml,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>\
         <w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>\
         <w:insideH {border}/><w:insideV {border}/></w:tblBorders></w:tblPr><w:tblGrid>"
    );
    for w in widths {
        let _ = write!(xml, "<w:gridCol w:w=\"{w}\"/>");
    }
    xml.push_str("</w:tblGrid>");
    let row = |xml: &mut String, cells: [&str; 4], header: bool| {
        xml.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            xml.push_str("<w:tblHeader/>");
        }
        xml.push_str("</w:trPr>");
        for (text, width) in cells.iter().zip(widths) {
            let _ = write!(
                xml,
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
            );
            paragraph_start(xml, Style::Table, "<w:jc w:val=\"center\"/>");
            run(
                xml,
                text,
                if header {
                    "<w:rPr><w:b/><w:bCs/></w:rPr>"
                } else {
                    ""
                },
            );
            xml.push_str("</w:p></w:tc>");
        }
        xml.push_str("</w:tr>");
    };
    row(&mut xml, ["序号", "单位", "类别", "报送情况"], true);
    for (n, m) in c.members.iter().enumerate() {
        let number = (n + 1).to_string();
        row(
            &mut xml,
            [&number, &m.name, m.kind.label(), m.status.label_zh()],
            false,
        );
    }
    xml.push_str("</w:tbl>");
    xml
}

/// A part of the form as a Word table: each placed cell once, with its
/// spans; a cell under a vertical merge continues it.
fn table(xml: &mut String, part: &PartLayout, values: &[Option<f64>], o: Orientation) {
    let style = match o {
        Orientation::Landscape => Style::WideTable,
        Orientation::Portrait => Style::Table,
    };
    let widths = column_widths(part, o);
    let mut starts = HashMap::new();
    // The vertical merge that covers each (row, column) below its first row.
    let mut covering = HashMap::new();
    for p in &part.cells {
        starts.insert((p.top, p.left), p);
        for r in p.top + 1..=p.bottom {
            covering.insert((r, p.left), p);
        }
    }
    let border = "w:val=\"single\" w:sz=\"2\" w:space=\"0\" w:color=\"000000\"";
    let _ = write!(
        xml,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>\
         <w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>\
         <w:insideH {border}/><w:insideV {border}/></w:tblBorders></w:tblPr><w:tblGrid>",
        widths.iter().sum::<u32>()
    );
    for w in &widths {
        let _ = write!(xml, "<w:gridCol w:w=\"{w}\"/>");
    }
    xml.push_str("</w:tblGrid>");
    for r in 0..part.rows {
        xml.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        // Every row but the last kept with the next, so a table that fits
        // on a page is never split and never leaves a row alone.
        let keep = if r + 1 < part.rows {
            "<w:keepNext/>"
        } else {
            ""
        };
        let mut c = 0u16;
        while c < part.width {
            let (merge, span, start) = if let Some(p) = starts.get(&(r, c)) {
                let merge = if p.bottom > p.top {
                    "<w:vMerge w:val=\"restart\"/>"
                } else {
                    ""
                };
                (merge, p.right - p.left + 1, Some(*p))
            } else if let Some(p) = covering.get(&(r, c)) {
                ("<w:vMerge/>", p.right - p.left + 1, None)
            } else {
                ("", 1, None)
            };
            let width: u32 = widths[c as usize..(c + span) as usize].iter().sum();
            let _ = write!(xml, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>");
            if span > 1 {
                let _ = write!(xml, "<w:gridSpan w:val=\"{span}\"/>");
            }
            xml.push_str(merge);
            xml.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
            match start {
                Some(p) => placed(xml, p, values, style, keep),
                None => {
                    paragraph_start(xml, style, keep);
                    xml.push_str("</w:p>");
                }
            }
            xml.push_str("</w:tc>");
            c += span;
        }
        xml.push_str("</w:tr>");
    }
    xml.push_str("</w:tbl>");
}

/// The label columns share what the value columns leave; a row group's
/// column is narrow.
fn column_widths(part: &PartLayout, o: Orientation) -> Vec<u32> {
    let total = text_width(o);
    let labels = u32::from(part.labels);
    let values = u32::from(part.width) - labels;
    let value = if labels == 0 {
        total / values.max(1)
    } else {
        (total / 3 / values.max(1)).clamp(900, 1_400)
    };
    let group = 900;
    let label = total.saturating_sub(value * values + group * labels.saturating_sub(1));
    (0..u32::from(part.width))
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

fn placed(xml: &mut String, p: &layout::Placed, values: &[Option<f64>], style: Style, keep: &str) {
    let number_text;
    let text_of: &str = match &p.content {
        Content::Text(t) => t,
        Content::Cell(i) => {
            number_text = values[*i].map(number).unwrap_or_default();
            &number_text
        }
        Content::Reported(_) => "",
    };
    let align = match p.role {
        Role::Value(_) => "<w:jc w:val=\"right\"/>",
        Role::Header | Role::Caption | Role::Group | Role::Unit => "<w:jc w:val=\"center\"/>",
        _ => "<w:jc w:val=\"left\"/>",
    };
    let bold = match p.role {
        Role::Header | Role::Caption | Role::Heading => "<w:rPr><w:b/><w:bCs/></w:rPr>",
        _ => "",
    };
    paragraph_start(xml, style, &format!("{keep}{align}"));
    for (n, line) in text_of.split('\n').enumerate() {
        if n > 0 {
            xml.push_str("<w:r><w:br/></w:r>");
        }
        run(xml, line, bold);
    }
    xml.push_str("</w:p>");
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Read;

    use quick_xml::events::Event;

    use super::*;
    use crate::rollup::Level;

    /// Every part of the package, parsed; and the styles document.xml and
    /// the footer name, against those styles.xml defines.
    fn parts(bytes: &[u8]) -> (BTreeSet<String>, BTreeSet<String>, String) {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let (mut named, mut defined, mut text) = (BTreeSet::new(), BTreeSet::new(), String::new());
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let name = part.name().unwrap().into_owned();
            let mut xml = String::new();
            part.read_to_string(&mut xml).unwrap();
            let mut reader = quick_xml::Reader::from_str(&xml);
            let mut depth = 0i32;
            loop {
                let event = reader
                    .read_event()
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                let attr = |e: &quick_xml::events::BytesStart, key: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == key)
                        .map(|a| a.value.to_string())
                };
                match &event {
                    Event::Start(e) | Event::Empty(e) => {
                        if matches!(event, Event::Start(_)) {
                            depth += 1;
                        }
                        match e.name().as_ref() {
                            "w:pStyle" => named.extend(attr(e, "val")),
                            "w:style" => defined.extend(attr(e, "styleId")),
                            _ => {}
                        }
                    }
                    Event::End(_) => depth -= 1,
                    Event::Text(t) if name == "word/document.xml" => {
                        text.push_str(&t.xml10_content())
                    }
                    Event::GeneralRef(r) if name == "word/document.xml" => {
                        text.push_str(quick_xml::escape::resolve_xml_entity(r.as_ref()).unwrap())
                    }
                    Event::Eof => break,
                    _ => {}
                }
            }
            assert_eq!(depth, 0, "{name} is closed");
        }
        (named, defined, text)
    }

    #[test]
    fn every_part_of_a_draft_is_well_formed_and_every_style_it_names_is_defined() {
        for name in ["nat2021", "nat2019", "lps2018"] {
            let template = Template::load(name).unwrap();
            let cells = template.cells().len();
            let ret = Return {
                level: Level::District,
                // A name as a roster might carry it: markup and a stray control character.
                name: "甲<乙>&丙\u{7}县".into(),
                values: (0..cells).map(|i| Some(i as f64 / 4.0)).collect(),
                reporting: vec![1; cells],
                units: vec!["第1镇".into()],
                offices: vec!["甲<乙>&丙\u{7}县".into()],
                depth: 1,
                filer: None,
                last: None,
            };
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("draft.docx");
            let content = DraftContent {
                template: &template,
                ret: &ret,
                year: 2025,
                members: &[],
                notes: &[],
            };
            write_draft(&path, &content).unwrap();
            let (named, defined, text) = parts(&std::fs::read(&path).unwrap());
            assert!(!named.is_empty(), "{name}");
            assert!(
                named.is_subset(&defined),
                "{name}: {named:?} not in {defined:?}"
            );
            assert!(
                text.contains("甲<乙>&丙县2025年政府信息公开工作年度报告"),
                "{name}"
            );
        }
    }
}
