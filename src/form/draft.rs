//! What people read besides the form: the annual report draft's sentences
//! and the headline figures of the analyst workbook's 概览, declared in the
//! template and checked when it is built, so neither can name a cell the
//! form lacks.
//!
//! A sentence is text with placeholders in braces:
//!
//! | placeholder | written as |
//! |---|---|
//! | `{T3R01C7}` | the return's value (a sum of cells: `{T3R05C7+T3R06C7}`) |
//! | `{T3R01C7\|change}` | `，比上年增加3件、增长12.5%` (or 减少/下降, `，与上年持平`, `，上年为0`); nothing without last year's records |
//! | `{T3R03C7\|share:T3R24C7}` | its share of the other sum, `37.5%` |
//! | `{T3R05C7+…\|list}` | `（其中属于国家秘密2件、…）` for the cells that are not 0; nothing when all are |
//! | `{?本年度政府信息管理情况}` | a highlighted prompt, `【待补充：本年度政府信息管理情况】`, for what only the office knows |
//!
//! A blank cell counts as 0, as it does in the rollup's sums.

use super::Template;
use super::file::{ChartFile, DraftFile, FigureFile};

/// A headline figure of 概览.
#[derive(Debug, Clone)]
pub struct Figure {
    pub label: String,
    value: FigureValue,
    pub chart: Option<ChartFile>,
}

#[derive(Debug, Clone)]
enum FigureValue {
    Count(Sum),
    Share(Sum, Sum),
}

impl Figure {
    pub(super) fn build(file: &FigureFile, template: &Template) -> Result<Figure, String> {
        let value = match Piece::parse(&file.value, template)
            .map_err(|e| format!("overview figure {}: {e}", file.label))?
        {
            Piece::Number(sum) => FigureValue::Count(sum),
            Piece::Share(part, whole) => FigureValue::Share(part, whole),
            _ => {
                return Err(format!(
                    "overview figure {}: a figure is cells (A+B) or a share (A|share:B)",
                    file.label
                ));
            }
        };
        Ok(Figure {
            label: file.label.clone(),
            value,
            chart: file.chart,
        })
    }

    /// A share, as a ratio, rather than a count.
    pub fn is_share(&self) -> bool {
        matches!(self.value, FigureValue::Share(..))
    }

    /// Whether the figure means something for these values: a share of
    /// nothing (its whole is 0) has no value to show, only "—".
    pub fn has_base(&self, values: &[Option<f64>]) -> bool {
        match &self.value {
            FigureValue::Count(_) => true,
            FigureValue::Share(_, whole) => whole.of(values) != 0.0,
        }
    }

    /// The figure of a return's values; a share of nothing is 0.
    pub fn of(&self, values: &[Option<f64>]) -> f64 {
        match &self.value {
            FigureValue::Count(sum) => sum.of(values),
            FigureValue::Share(part, whole) => {
                let whole = whole.of(values);
                if whole == 0.0 {
                    0.0
                } else {
                    part.of(values) / whole
                }
            }
        }
    }
}

/// The draft's sentences.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// 一、总体情况: each heading with its sentences.
    pub sections: Vec<Section>,
    /// 六、其他需要报告的事项: what the format requires there (信息处理费).
    pub other: Vec<Sentence>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub sentences: Vec<Sentence>,
    /// The printed part it is written under (its title's start, `四`);
    /// `None` for a sub-head of 一、总体情况.
    pub under: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Sentence {
    pieces: Vec<Piece>,
}

/// Cells added together, by template cell index.
#[derive(Debug, Clone)]
struct Sum(Vec<usize>);

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Number(Sum),
    Change(Sum),
    Share(Sum, Sum),
    List(Sum),
    Prompt(String),
}

/// A piece of a sentence as written: plain text, or a prompt the office
/// replaces (shown highlighted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Text(String),
    Prompt(String),
}

/// The values a sentence is written from: the return's, and last year's
/// for the same unit when its records exist.
pub struct Values<'a> {
    pub this: &'a [Option<f64>],
    pub last: Option<&'a [Option<f64>]>,
}

impl Draft {
    pub(super) fn build(file: &DraftFile, template: &Template) -> Result<Draft, String> {
        let sentences = |texts: &[String]| -> Result<Vec<Sentence>, String> {
            texts.iter().map(|t| Sentence::parse(t, template)).collect()
        };
        Ok(Draft {
            sections: file
                .sections
                .iter()
                .map(|s| {
                    Ok(Section {
                        heading: s.heading.clone(),
                        sentences: sentences(&s.sentences)?,
                        under: s.under.clone(),
                    })
                })
                .collect::<Result<_, String>>()?,
            other: sentences(&file.other)?,
        })
    }
}

impl Sentence {
    fn parse(text: &str, template: &Template) -> Result<Sentence, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("draft sentence “{text}”: a `{{` is not closed"))?;
            let inside = &rest[open + 1..open + close];
            pieces.push(
                Piece::parse(inside, template)
                    .map_err(|e| format!("draft sentence “{text}”: {{{inside}}}: {e}"))?,
            );
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("draft sentence “{text}”: a `}}` is not opened"));
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Sentence { pieces })
    }

    /// The sentence with the numbers in place.
    pub fn write(&self, template: &Template, values: &Values) -> Vec<Written> {
        let mut out: Vec<Written> = Vec::new();
        let text = |s: String, out: &mut Vec<Written>| match out.last_mut() {
            Some(Written::Text(t)) => t.push_str(&s),
            _ => out.push(Written::Text(s)),
        };
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => text(t.clone(), &mut out),
                Piece::Number(sum) => text(number(sum.of(values.this)), &mut out),
                Piece::Change(sum) => {
                    if let Some(last) = values.last {
                        let unit = &template.cells()[sum.0[0]].unit;
                        text(change(sum.of(values.this), sum.of(last), unit), &mut out);
                    }
                }
                Piece::Share(part, whole) => {
                    text(share(part.of(values.this), whole.of(values.this)), &mut out)
                }
                Piece::List(sum) => text(list(sum, template, values.this), &mut out),
                Piece::Prompt(p) => out.push(Written::Prompt(format!("【待补充：{p}】"))),
            }
        }
        out
    }
}

impl Piece {
    fn parse(inside: &str, template: &Template) -> Result<Piece, String> {
        if let Some(prompt) = inside.strip_prefix('?') {
            return Ok(Piece::Prompt(prompt.trim().to_string()));
        }
        let (sum, filter) = match inside.split_once('|') {
            Some((sum, filter)) => (sum, Some(filter.trim())),
            None => (inside, None),
        };
        let sum = Sum::parse(sum, template)?;
        match filter {
            None => Ok(Piece::Number(sum)),
            Some("change") => Ok(Piece::Change(sum)),
            Some("list") => Ok(Piece::List(sum)),
            Some(f) => match f.strip_prefix("share:") {
                Some(whole) => Ok(Piece::Share(sum, Sum::parse(whole, template)?)),
                None => Err(format!("`{f}` is no filter (change, share:CELLS, list)")),
            },
        }
    }
}

impl Sum {
    fn parse(text: &str, template: &Template) -> Result<Sum, String> {
        text.split('+')
            .map(|code| {
                let code = code.trim();
                template
                    .position(code)
                    .ok_or_else(|| format!("the form has no cell `{code}`"))
            })
            .collect::<Result<Vec<usize>, String>>()
            .map(Sum)
    }

    fn of(&self, values: &[Option<f64>]) -> f64 {
        self.0
            .iter()
            .map(|&i| values.get(i).copied().flatten().unwrap_or(0.0))
            .sum()
    }
}

/// A number as the draft writes it, in its sentences and its tables: whole
/// numbers without decimals, money to at most four places.
pub fn number(v: f64) -> String {
    crate::text::fmt_num((v * 10_000.0).round() / 10_000.0)
}

fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// This year against last year, as a clause after the number.
fn change(this: f64, last: f64, unit: &str) -> String {
    let by = number((this - last).abs());
    if (this - last).abs() < 1e-9 {
        "，与上年持平".to_string()
    } else if last == 0.0 {
        "，上年为0".to_string()
    } else if this > last {
        format!(
            "，比上年增加{by}{unit}、增长{}",
            percent((this - last) / last)
        )
    } else {
        format!(
            "，比上年减少{by}{unit}、下降{}",
            percent((last - this) / last)
        )
    }
}

fn share(part: f64, whole: f64) -> String {
    // A share of nothing has no value: "—", not 0.0%.
    if whole == 0.0 {
        return "—".to_string();
    }
    percent(part / whole)
}

/// The cells of a sum that are not 0, each by its row's label without its
/// number (`1.属于国家秘密` → `属于国家秘密`).
fn list(sum: &Sum, template: &Template, values: &[Option<f64>]) -> String {
    let items: Vec<String> = sum
        .0
        .iter()
        .filter_map(|&i| {
            let v = values.get(i).copied().flatten().unwrap_or(0.0);
            (v != 0.0).then(|| {
                let label = template.row_of(i).label.as_str();
                let label = label.trim_start_matches(|c: char| {
                    c.is_ascii_digit() || matches!(c, '.' | '．' | '、')
                });
                format!("{label}{}{}", number(v), template.cells()[i].unit)
            })
        })
        .collect();
    if items.is_empty() {
        String::new()
    } else {
        format!("（其中{}）", items.join("、"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nat() -> Template {
        Template::load("nat2021").unwrap()
    }

    fn text(written: &[Written]) -> String {
        written
            .iter()
            .map(|w| match w {
                Written::Text(t) | Written::Prompt(t) => t.as_str(),
            })
            .collect()
    }

    fn with(template: &Template, cells: &[(&str, f64)]) -> Vec<Option<f64>> {
        let mut values = vec![None; template.cells().len()];
        for (code, v) in cells {
            values[template.position(code).unwrap()] = Some(*v);
        }
        values
    }

    #[test]
    fn the_change_is_worded_for_up_down_unchanged_and_from_zero() {
        assert_eq!(change(12.0, 10.0, "件"), "，比上年增加2件、增长20.0%");
        assert_eq!(change(8.0, 10.0, "件"), "，比上年减少2件、下降20.0%");
        assert_eq!(change(10.0, 10.0, "件"), "，与上年持平");
        assert_eq!(change(5.0, 0.0, "件"), "，上年为0");
        assert_eq!(change(0.0, 0.0, "件"), "，与上年持平");
        assert_eq!(change(0.36, 0.3, "万元"), "，比上年增加0.06万元、增长20.0%");
    }

    #[test]
    fn a_sentence_is_written_from_the_values_and_last_year() {
        let t = nat();
        let s = Sentence::parse(
            "新收申请{T3R01C7}件{T3R01C7|change}，予以公开{T3R03C7}件（{T3R03C7|share:T3R24C7}）{T3R05C7+T3R08C7|list}。{?其他情况}",
            &t,
        )
        .unwrap();
        let this = with(
            &t,
            &[
                ("T3R01C7", 8.0),
                ("T3R03C7", 3.0),
                ("T3R24C7", 8.0),
                ("T3R08C7", 2.0),
            ],
        );
        let last = with(&t, &[("T3R01C7", 10.0)]);
        let written = s.write(
            &t,
            &Values {
                this: &this,
                last: Some(&last),
            },
        );
        assert_eq!(
            text(&written),
            "新收申请8件，比上年减少2件、下降20.0%，予以公开3件（37.5%）（其中保护第三方合法权益2件）。【待补充：其他情况】"
        );
        assert_eq!(
            written.last(),
            Some(&Written::Prompt("【待补充：其他情况】".into()))
        );
        // Without last year's records the change is left out, not invented.
        let alone = s.write(
            &t,
            &Values {
                this: &this,
                last: None,
            },
        );
        assert!(text(&alone).starts_with("新收申请8件，予以公开"));
    }

    #[test]
    fn a_sentence_naming_a_cell_the_form_lacks_cannot_be_built() {
        let t = nat();
        for bad in [
            "{T9R01C1}",
            "{T3R01C7|grow}",
            "{T3R01C7",
            "a}",
            "{T3R01C7|share:X}",
        ] {
            assert!(Sentence::parse(bad, &t).is_err(), "{bad}");
        }
    }
}
