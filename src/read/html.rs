//! Web pages (.html, .htm, and pages web systems save as `.xls`): every
//! `<table>` of the page, in the order it starts, as a sheet `表N`.
//!
//! A published annual report sits among navigation, breadcrumbs and
//! footers, which are tables too; the form is found among them by its
//! labels. The page is parsed by html5ever (through scraper), as a browser
//! parses it, and walked without recursion, so no nesting of elements can
//! exhaust the stack. Many government pages are GB2312 or GBK: the charset
//! comes from the byte-order mark, then the page's own declaration, then
//! detection (chardetng).

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use scraper::node::Node;
use scraper::{Html, Selector};

use super::ReadError;
use super::layout::Tables;
use super::sheet::{Budget, Sheet};

/// Larger pages are no published report (those are under a megabyte), and
/// a parsed page takes several times its size in memory.
const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// The deepest nesting of elements read, as Blink's parser caps it
/// (kMaximumHTMLParserDOMTreeDepth). html5ever looks through the open
/// elements for each tag, so its time grows with the square of the depth:
/// 20,000 nested `<div>`s (100 KB) took 14 s, which a hostile page could
/// make hours.
const MAX_DEPTH: usize = 512;

/// The most columns and rows a cell may span, as browsers cap them.
const MAX_COLSPAN: u32 = 1_000;
const MAX_ROWSPAN: u32 = 65_534;

/// Elements whose start and end break a line, as a browser shows them.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "caption",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "center",
];

pub fn tables(bytes: &[u8], budget: Budget) -> Result<Vec<Sheet>, ReadError> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    let text = decode(bytes);
    if let Some(depth) = too_deep(&text) {
        return Err(ReadError::Corrupt {
            format: crate::read::sniff::Format::Html,
            detail: format!("网页的元素嵌套超过 {depth} 层，不是正常的网页"),
        });
    }
    let page = Html::parse_document(&text);
    let mut tables = Tables::new(budget);
    // Text of scripts and styles is no part of the page's text.
    let mut hidden = 0usize;
    for edge in page.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    let name = e.name();
                    if matches!(name, "script" | "style" | "noscript" | "template" | "head") {
                        hidden += 1;
                    }
                    match name {
                        "table" => tables.open_table()?,
                        "tr" => tables.start_row()?,
                        "td" | "th" => {
                            let span = |attr: &str, max: u32| {
                                e.attr(attr)
                                    .and_then(|v| v.trim().parse::<u32>().ok())
                                    .unwrap_or(1)
                                    .clamp(1, max)
                            };
                            tables.open_cell(
                                span("colspan", MAX_COLSPAN),
                                span("rowspan", MAX_ROWSPAN),
                            )?;
                        }
                        "br" => tables.line_break(),
                        _ if BLOCKS.contains(&name) => tables.line_break(),
                        _ => {}
                    }
                }
                Node::Text(text) if hidden == 0 => tables.text(&collapse(text)),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    let name = e.name();
                    if matches!(name, "script" | "style" | "noscript" | "template" | "head") {
                        hidden = hidden.saturating_sub(1);
                    }
                    match name {
                        "table" => tables.close_table()?,
                        "td" | "th" => tables.close_cell()?,
                        _ if BLOCKS.contains(&name) => tables.line_break(),
                        _ => {}
                    }
                }
            }
        }
    }
    tables.finish()
}

/// How deep the page's elements nest, when deeper than [`MAX_DEPTH`]: a
/// linear pass of html5ever's tokenizer before the tree is built. Elements
/// whose end tag may be left out (`<p>`, `<li>`, `<td>` …) and void ones
/// are not counted, so a page that never closes its paragraphs is not
/// taken for a deep one.
fn too_deep(text: &str) -> Option<usize> {
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use std::cell::Cell;

    const NOT_NESTING: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
        "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "html", "head", "body",
    ];
    struct Depth {
        now: Cell<usize>,
        most: Cell<usize>,
    }
    impl TokenSink for Depth {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && !NOT_NESTING.contains(&&*tag.name)
            {
                match tag.kind {
                    TagKind::StartTag if !tag.self_closing => {
                        self.now.set(self.now.get() + 1);
                        self.most.set(self.most.get().max(self.now.get()));
                    }
                    TagKind::EndTag => self.now.set(self.now.get().saturating_sub(1)),
                    TagKind::StartTag => {}
                }
            }
            TokenSinkResult::Continue
        }
    }
    let sink = Depth {
        now: Cell::new(0),
        most: Cell::new(0),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(text.into());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let most = tokenizer.sink.most.get();
    (most > MAX_DEPTH).then_some(most)
}

/// Runs of white space (`&nbsp;` included) shown as one space, as a browser
/// shows them.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if !c.is_whitespace() {
            out.push(c);
        } else if !space {
            out.push(' ');
        }
        space = c.is_whitespace();
    }
    out
}

/// The page as text: by its byte-order mark, else by its declared charset,
/// else by what its bytes look like.
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    let encoding = declared(bytes).unwrap_or_else(|| detected(bytes));
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// The charset a page declares in its first 4 KB: `<meta charset>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">`. The head is
/// parsed as windows-1252, which keeps every ASCII tag and attribute.
fn declared(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let head = Html::parse_document(&WINDOWS_1252.decode_without_bom_handling(head).0);
    let meta = Selector::parse("meta").expect("a valid selector");
    head.select(&meta).find_map(|m| {
        let m = m.value();
        let label = m.attr("charset").map(str::to_string).or_else(|| {
            let equiv = m.attr("http-equiv")?;
            if !equiv.trim().eq_ignore_ascii_case("content-type") {
                return None;
            }
            let content = m.attr("content")?.to_ascii_lowercase();
            let at = content.find("charset=")? + "charset=".len();
            let label = content[at..].trim_start_matches(['"', '\'']);
            Some(label.split([';', '"', '\'', ' ']).next()?.to_string())
        })?;
        // A page cannot be UTF-16 if its tags read as ASCII: browsers take UTF-8.
        Encoding::for_label(label.trim().as_bytes()).map(Encoding::output_encoding)
    })
}

fn detected(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::layout::tests::texts;

    #[test]
    fn spans_breaks_and_blank_cells_read_as_a_spreadsheet_shows_them() {
        let page = "<html><head><title>t</title><script>var x = '<table>';</script></head><body>
            <table><tr><td><a href='/'>首页</a></td></tr></table>
            <p>填报单位：测试镇</p>
            <table>
              <tr><th rowspan=2 colspan=2>申请人<br>情况</th><th>自然人</th></tr>
              <tr><td>&nbsp;12&nbsp;</td></tr>
              <tr><td>一</td><td>&nbsp;</td><td><p>3</p><p>条</p></td></tr>
            </table>
            <div>填报人：王某</div></body></html>";
        let sheets = tables(page.as_bytes(), Budget::new(1000)).unwrap();
        assert_eq!(sheets.len(), 2);
        assert_eq!(
            texts(&sheets)[1],
            [
                (0, 0, "申请人\n情况".into()),
                (0, 2, "自然人".into()),
                (1, 2, "12".into()),
                (2, 0, "一".into()),
                (2, 2, "3\n条".into()),
            ]
        );
        assert_eq!(sheets[1].name, "表2");
        assert_eq!(
            sheets[1].before.get(0, 0).unwrap().to_string(),
            "填报单位：测试镇"
        );
        assert_eq!(
            sheets[1].after.get(0, 0).unwrap().to_string(),
            "填报人：王某"
        );
    }

    #[test]
    fn the_charset_comes_from_the_bom_the_declaration_or_the_bytes() {
        let text = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><table><tr><td>行政许可</td></tr></table></body></html>";
        let gbk = encoding_rs::GBK.encode(text).0;
        assert_eq!(declared(&gbk), Some(encoding_rs::GBK));
        assert!(decode(&gbk).contains("行政许可"));

        let undeclared = encoding_rs::GBK
            .encode(
                "<table><tr><td>收到和处理政府信息公开申请情况,行政复议,行政诉讼</td></tr></table>",
            )
            .0;
        assert_eq!(declared(&undeclared), None);
        assert!(decode(&undeclared).contains("行政复议"));

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend("<meta charset=gbk><td>许可</td>".as_bytes());
        assert!(decode(&bom).contains("许可"));
    }

    #[test]
    fn a_page_nested_deeper_than_a_browser_builds_is_refused_at_once() {
        let deep = "<div>".repeat(20_000);
        match tables(deep.as_bytes(), Budget::new(1000)) {
            Err(ReadError::Corrupt { detail, .. }) => assert!(detail.contains("20000"), "{detail}"),
            _ => panic!("a 20,000-deep page was parsed"),
        }
        // Paragraphs and cells left open are no depth.
        let open = format!(
            "<table>{}</table>{}",
            "<tr><td>1".repeat(3_000),
            "<p>a".repeat(3_000)
        );
        assert!(too_deep(&open).is_none());
    }

    #[test]
    fn empty_cells_declaring_huge_spans_are_refused_not_laid_out_for_minutes() {
        let rows = "<tr><td rowspan=65534 colspan=999></td></tr>".repeat(5_000);
        let page = format!("<table>{rows}</table>");
        assert!(matches!(
            tables(page.as_bytes(), Budget::new(1_000_000)),
            Err(ReadError::TooManyCells)
        ));
        // Rows with no cells under a wide span cost their covered columns too.
        let empty = format!(
            "<table><tr><td rowspan=65534 colspan=1000>a</td></tr>{}</table>",
            "<tr></tr>".repeat(25_000)
        );
        assert!(matches!(
            tables(empty.as_bytes(), Budget::new(1_000_000)),
            Err(ReadError::TooManyCells)
        ));
    }

    #[test]
    fn a_page_of_more_tables_than_any_report_is_refused() {
        let page = |n: usize| format!("<p>x</p>{}", "<table></table>".repeat(n));
        assert!(tables(page(1_000).as_bytes(), Budget::new(1_000_000)).is_ok());
        assert!(matches!(
            tables(page(1_001).as_bytes(), Budget::new(1_000_000)),
            Err(ReadError::TooManyTables)
        ));
    }

    #[test]
    fn whitespace_runs_show_as_one_space() {
        assert_eq!(collapse("\n   a \u{a0} b\n"), " a b ");
        assert_eq!(collapse("ab"), "ab");
    }
}
