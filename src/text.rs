//! Turning what a clerk typed into something comparable: labels and values.
//!
//! Labels are compared after NFKC (so full-width and half-width brackets,
//! colons and digits agree) with every kind of white space removed (so
//! `统 计 指 标` and `社 会稳定`, as printed, match their template text).
//! Values keep what was typed beside what was read, and say how it was read,
//! so every number can be traced back to the cell it came from.

use unicode_normalization::UnicodeNormalization;

/// The comparable form of a label: NFKC, without white space or quote
/// marks (published tables print “三安全一稳定”, "三安全一稳定" and 三安全一稳定),
/// and a leading item number written `1、` as `1.` (both are printed).
pub fn normalize_label(text: &str) -> String {
    let key = nfkc_label(text);
    let digits = key.bytes().take_while(u8::is_ascii_digit).count();
    match key[digits..].strip_prefix('、') {
        Some(rest) if digits > 0 => format!("{}.{rest}", &key[..digits]),
        _ => key,
    }
}

fn nfkc_label(text: &str) -> String {
    // Every string cell of every form passes here. Labels are Chinese
    // characters, ASCII and full-width ASCII, whose NFKC is one character
    // each and needs no look at their neighbours; anything else takes the
    // full algorithm.
    let kept = |c: &char| !c.is_whitespace() && !is_quote(*c);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match plain_nfkc(c) {
            Some(c) if kept(&c) => out.push(c),
            Some(_) => {}
            None => return text.nfkc().filter(kept).collect(),
        }
    }
    out
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』'
    )
}

/// The NFKC of `c` when it is `c` alone, mapped one to one, and never
/// composes with what follows: `None` for any other character.
fn plain_nfkc(c: char) -> Option<char> {
    match c as u32 {
        0x00..=0x7F | 0x3001..=0x3002 | 0x3008..=0x3011 | 0x4E00..=0x9FFF => Some(c),
        // Full-width ASCII: `（` is `(`.
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0),
        0x3000 => Some(' '),
        _ => None,
    }
}

/// A text file as an office writes it: what its byte-order mark says
/// (UTF-8, or UTF-16 as Notepad saves "Unicode"), else UTF-8, else GBK,
/// which Excel uses for CSV on a Chinese Windows.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

/// How a value cell was turned into a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadAs {
    /// A number cell.
    Number,
    /// A number stored as text (`"12"`, `１２`, ` 12 `).
    TextNumber,
    /// A number followed by its unit (`33条`, `1.5万元`): the unit was dropped.
    UnitStripped,
    /// A dash or `无` meaning nothing: read as 0.
    Dash,
    /// A formula saved without its result, computed by gongkai.
    Computed,
    /// Nothing in the cell: kept blank, which is not 0.
    Blank,
    /// Something that is not a number (`待定`, an error cell): no value.
    Invalid,
}

impl ReadAs {
    /// Every way, in declaration order (so `ALL[r as usize] == r`).
    pub const ALL: [ReadAs; 7] = [
        ReadAs::Number,
        ReadAs::TextNumber,
        ReadAs::UnitStripped,
        ReadAs::Dash,
        ReadAs::Computed,
        ReadAs::Blank,
        ReadAs::Invalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReadAs::Number => "number",
            ReadAs::TextNumber => "text_number",
            ReadAs::UnitStripped => "unit_stripped",
            ReadAs::Dash => "dash",
            ReadAs::Computed => "computed",
            ReadAs::Blank => "blank",
            ReadAs::Invalid => "invalid",
        }
    }
}

/// Texts that clerks type for "none".
const DASHES: &[&str] = &["-", "—", "——", "–", "－", "―", "/", "无", "空", "0条"];

/// Units a clerk may type after a number. Longest first, so `人次` wins over `次`.
const UNITS: &[&str] = &[
    "万元", "人次", "条", "件", "次", "篇", "人", "个", "元", "项", "场", "期",
];

/// Reads a value typed as text. Returns the value and how it was read.
pub fn parse_text_value(text: &str) -> (Option<f64>, ReadAs) {
    // NFKC turns `－３` into `-3`, but leaves the minus sign U+2212 alone.
    let clean: String = text
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    if clean.is_empty() {
        return (None, ReadAs::Blank);
    }
    if DASHES.contains(&clean.as_str()) {
        return (Some(0.0), ReadAs::Dash);
    }
    if let Some(v) = parse_number(&clean) {
        return (Some(v), ReadAs::TextNumber);
    }
    for unit in UNITS {
        if let Some(number) = clean.strip_suffix(unit)
            && let Some(v) = parse_number(number)
        {
            return (Some(v), ReadAs::UnitStripped);
        }
    }
    (None, ReadAs::Invalid)
}

/// A plain decimal number, as people write them: no exponents, no `inf`/`NaN`,
/// which Rust's float parser would otherwise accept; thousands may be
/// grouped with commas (`1,234`), but only in threes, so `1,5` is not 15.
fn parse_number(s: &str) -> Option<f64> {
    if s.contains(',') {
        let (sign, unsigned) = s.split_at(usize::from(s.starts_with(['-', '+'])));
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let mut groups = whole.split(',');
        let head = groups.next()?;
        let grouped = (1..=3).contains(&head.len())
            && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
        if !grouped {
            return None;
        }
        let plain = format!(
            "{sign}{}{}{fraction}",
            whole.replace(',', ""),
            if fraction.is_empty() { "" } else { "." }
        );
        return parse_number(&plain);
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let valid = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    if valid { s.parse().ok() } else { None }
}

/// A date written in a footer (`2019年2月18日`, `2019.2.18`, `2019-02-18`,
/// `2019/2/18`, or cut short as `2019年2月18`) as ISO `2019-02-18`.
pub fn parse_date_text(text: &str) -> Option<String> {
    let clean: String = text.nfkc().collect();
    let numbers: Vec<u32> = clean
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().ok())
        .collect::<Option<_>>()?;
    match numbers[..] {
        [y, m, d]
            if (1990..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d) =>
        {
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

/// An Excel serial date (1900 system) as ISO.
pub fn excel_serial_to_iso(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Excel counts 1900-02-29, a day that never was; serial 61 is 1900-03-01.
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = serial.floor() as i64 + if serial < 61.0 { 1 } else { 0 };
    let date = base.checked_add_signed(chrono::TimeDelta::days(days))?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// Whole numbers below this are written as integers by [`fmt_num`], the way
/// a number cell shows them.
pub const WRITTEN_WHOLE_BELOW: f64 = 1e15;

/// A number as a person writes it: `33`, `0.35`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < WRITTEN_WHOLE_BELOW {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The most characters a spreadsheet cell holds (Excel, WPS and
/// LibreOffice alike).
pub const CELL_CHARS: usize = 32_767;

/// A text cut to what a cell holds, with `…` where it was cut: a finding
/// or a name the inputs made long must never stop a workbook from being
/// written.
pub fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(CELL_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let end = text
                .char_indices()
                .nth(CELL_CHARS - 1)
                .map_or(0, |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &text[..end]))
        }
    }
}

/// Bytes a name may take in a file name: what remains of the 255 bytes
/// Linux, macOS and Windows allow once `_<year>_统计表.xlsx` and the
/// temporary `.gongkai-….part` around it are added.
const MAX_NAME_BYTES: usize = 180;

/// `name` cut to at most `bytes` bytes at a character's end, without the
/// dots and spaces a file name may not end in.
pub(crate) fn cut(name: &str, bytes: usize) -> &str {
    let end = (0..=bytes.min(name.len()))
        .rev()
        .find(|&i| name.is_char_boundary(i))
        .unwrap_or(0);
    name[..end].trim_end_matches(['.', ' '])
}

/// Names Windows gives to devices, with or without an extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// What stands in for a name that had nothing a file name can hold.
pub(crate) const UNNAMED: &str = "未命名";

/// `name` as part of a file name: path separators, characters Windows
/// refuses, control and bidirectional-override characters replaced by `_`;
/// leading dots, trailing dots and spaces trimmed; a Windows device name
/// prefixed with `_`; at most [`MAX_NAME_BYTES`] bytes. Borrowed when
/// nothing had to change.
pub fn safe_name(name: &str) -> std::borrow::Cow<'_, str> {
    let refused = |c: char| {
        matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*')
            || c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    let mut safe: String = name
        .chars()
        .map(|c| if refused(c) { '_' } else { c })
        .collect();
    let trimmed = safe
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    safe = trimmed.to_string();
    if safe.len() > MAX_NAME_BYTES {
        safe = cut(&safe, MAX_NAME_BYTES).to_string();
    }
    let stem = safe.split('.').next().unwrap_or_default();
    if RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(stem.trim_end()))
    {
        safe.insert(0, '_');
    }
    if safe.is_empty() {
        safe = UNNAMED.to_string();
    }
    if safe == name {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(safe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_longer_than_a_cell_is_cut_to_fit_and_says_so() {
        assert_eq!(fit_cell("甲乙"), "甲乙");
        let long = "甲".repeat(CELL_CHARS + 10);
        let fitted = fit_cell(&long);
        assert_eq!(fitted.chars().count(), CELL_CHARS);
        assert!(fitted.ends_with('…'));
        assert_eq!(
            fit_cell(&"乙".repeat(CELL_CHARS)).chars().count(),
            CELL_CHARS
        );
    }

    fn full_nfkc(text: &str) -> String {
        text.nfkc()
            .filter(|c| !c.is_whitespace() && !is_quote(*c))
            .collect()
    }

    #[test]
    fn the_short_way_agrees_with_nfkc_on_every_character_it_takes() {
        let mut taken = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if let Some(mapped) = plain_nfkc(c) {
                taken += 1;
                assert_eq!(
                    c.to_string().nfkc().collect::<String>(),
                    mapped.to_string(),
                    "{c:?}"
                );
                // Taken characters never compose with a neighbour.
                for other in ['a', '\u{301}', '\u{3099}', '（', '中'] {
                    let pair = format!("{c}{other}");
                    assert_eq!(normalize_label(&pair), full_nfkc(&pair), "{pair:?}");
                    let pair = format!("{other}{c}");
                    assert_eq!(normalize_label(&pair), full_nfkc(&pair), "{pair:?}");
                }
            }
        }
        assert!(taken > 20_000);
        for id in crate::form::registry::ids() {
            let template = crate::form::Template::load(id).unwrap();
            for table in template.tables() {
                for row in &table.rows {
                    assert_eq!(normalize_label(&row.label), full_nfkc(&row.label));
                }
            }
        }
        for text in [
            "统 计 指 标",
            "（一）　主动公开",
            "ｶﾀｶﾅ①",
            "e\u{301}x",
            "Ⅷ、",
        ] {
            assert_eq!(normalize_label(text), full_nfkc(text), "{text}");
        }
    }

    #[test]
    fn labels_agree_across_widths_and_spaces() {
        assert_eq!(normalize_label("统 计 指 标"), "统计指标");
        assert_eq!(
            normalize_label("危及国家安全、公共安全、经济安全和社 会稳定"),
            normalize_label("危及国家安全、公共安全、经济安全和社会稳定")
        );
        assert_eq!(
            normalize_label("（一）主动公开政府信息数　（不同渠道和方式公开相同信息计１条）"),
            normalize_label("(一)主动公开政府信息数 (不同渠道和方式公开相同信息计1条)")
        );
        assert_eq!(normalize_label("其中：涉及国家秘密"), "其中:涉及国家秘密");
        assert_eq!(
            normalize_label("3.危及\"三安全一稳定\""),
            normalize_label("3.危及“三安全一稳定”")
        );
        assert_eq!(normalize_label("1、属于国家秘密"), "1.属于国家秘密");
        assert_eq!(normalize_label("12、其他"), "12.其他");
        assert_eq!(normalize_label("一、主动公开情况"), "一、主动公开情况");
    }

    #[test]
    fn values_typed_as_text() {
        assert_eq!(parse_text_value("12"), (Some(12.0), ReadAs::TextNumber));
        assert_eq!(parse_text_value(" １２ "), (Some(12.0), ReadAs::TextNumber));
        assert_eq!(parse_text_value("0.35"), (Some(0.35), ReadAs::TextNumber));
        assert_eq!(parse_text_value("33条"), (Some(33.0), ReadAs::UnitStripped));
        assert_eq!(
            parse_text_value("2 人次"),
            (Some(2.0), ReadAs::UnitStripped)
        );
        assert_eq!(
            parse_text_value("1.5万元"),
            (Some(1.5), ReadAs::UnitStripped)
        );
        for dash in ["—", "-", "/", "无", "－"] {
            assert_eq!(parse_text_value(dash), (Some(0.0), ReadAs::Dash), "{dash}");
        }
        assert_eq!(parse_text_value(""), (None, ReadAs::Blank));
        assert_eq!(parse_text_value("　"), (None, ReadAs::Blank));
        assert_eq!(parse_text_value("待定"), (None, ReadAs::Invalid));
        assert_eq!(parse_text_value("inf"), (None, ReadAs::Invalid));
        assert_eq!(parse_text_value("1e5"), (None, ReadAs::Invalid));
        assert_eq!(parse_text_value("-3"), (Some(-3.0), ReadAs::TextNumber));
        assert_eq!(parse_text_value("－3"), (Some(-3.0), ReadAs::TextNumber));
        assert_eq!(
            parse_text_value("\u{2212}2"),
            (Some(-2.0), ReadAs::TextNumber)
        );
        assert_eq!(
            parse_text_value("1,234"),
            (Some(1234.0), ReadAs::TextNumber)
        );
        assert_eq!(
            parse_text_value("１，２３４"),
            (Some(1234.0), ReadAs::TextNumber)
        );
        assert_eq!(
            parse_text_value("12,345.5"),
            (Some(12345.5), ReadAs::TextNumber)
        );
        assert_eq!(
            parse_text_value("1,234条"),
            (Some(1234.0), ReadAs::UnitStripped)
        );
        for bad in ["1,5", "1,23", ",123", "1,,234", "1234,567,8"] {
            assert_eq!(parse_text_value(bad), (None, ReadAs::Invalid), "{bad}");
        }
    }

    #[test]
    fn footer_dates() {
        for text in [
            "2019年2月18日",
            "2019.2.18",
            "2019-02-18",
            "2019/2/18",
            "2019年2月18",
            "２０１９年２月１８日",
        ] {
            assert_eq!(
                parse_date_text(text).as_deref(),
                Some("2019-02-18"),
                "{text}"
            );
        }
        assert_eq!(parse_date_text("2019年2月"), None);
        assert_eq!(parse_date_text("二〇一九年"), None);
        assert_eq!(excel_serial_to_iso(43514.0).as_deref(), Some("2019-02-18"));
    }
}
