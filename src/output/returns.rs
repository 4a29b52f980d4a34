//! `<name>_<year>_统计表.xlsx`: each return alone, in the official layout,
//! ready to print, sign and send up.

use std::path::Path;

use rust_xlsxwriter::{Workbook, XlsxError};

use super::form::{FormContent, blank_footer, write_form_by_part};
use super::{Saved, WriteError, save_workbook};
use crate::form::Template;
use crate::rollup::Return;

pub(super) fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> WriteError + '_ {
    move |source| WriteError::Xlsx {
        path: path.display().to_string(),
        source,
    }
}

/// A return in its form's layout: the form's own unit line and signature
/// lines, left blank for the office to sign.
pub(super) fn return_content<'a>(
    template: &Template,
    ret: &'a Return,
    year: i32,
    with_counts: bool,
    notes: Vec<String>,
) -> FormContent<'a> {
    let scope = crate::input::roster::area_word(&ret.name);
    FormContent {
        unit_line: format!(
            "{}：{}        {}年度        （{scope}汇总{}个单位）",
            template.unit_line,
            ret.filer.as_deref().unwrap_or(&ret.name),
            year,
            ret.units.len()
        ),
        values: &ret.values,
        footer: blank_footer(template),
        extra: with_counts.then_some(("报送单位数", ret.reporting.as_slice())),
        typed: Vec::new(),
        notes,
    }
}

/// `<name>_<year>_统计表.xlsx`: one return alone, ready to print and send up.
pub fn write_return(
    path: &Path,
    template: &Template,
    ret: &Return,
    year: i32,
    notes: Vec<String>,
) -> Result<Saved, WriteError> {
    let mut wb = Workbook::new();
    write_form_by_part(
        &mut wb,
        template,
        &return_content(template, ret, year, false, notes),
    )
    .map_err(xlsx_error(path))?;
    save_workbook(&mut wb, path)
}
