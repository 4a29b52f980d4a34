//! `<name>_<year>_统计表.xlsx`: each return alone, in the official layout,
//! ready to print, sign and send up.

use std::path::Path;

use rust_xlsxwriter::{Workbook, XlsxError};

use super::form::{FormContent, write_form_by_part};
use super::{Saved, WriteError, save_workbook};
use crate::form::Template;
use crate::rollup::{Level, Return};

pub(super) fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> WriteError + '_ {
    move |source| WriteError::Xlsx {
        path: path.display().to_string(),
        source,
    }
}

pub(super) fn return_content<'a>(ret: &'a Return, year: i32, with_counts: bool) -> FormContent<'a> {
    let scope = if ret.level == Level::City {
        "全市"
    } else {
        "全区(县)"
    };
    FormContent {
        unit_line: format!(
            "填报单位:{}        {}年度        ({scope}汇总 {} 个乡镇(街道))",
            ret.name,
            year,
            ret.units.len()
        ),
        values: &ret.values,
        footer: ["单位负责人", "审核人", "填报人", "联系电话", "填报日期"]
            .iter()
            .map(|k| (k.to_string(), String::new()))
            .collect(),
        extra: with_counts.then_some(("报送单位数", ret.reporting.as_slice())),
        typed: Vec::new(),
    }
}

/// `<name>_<year>_统计表.xlsx`: one return alone, ready to print and send up.
pub fn write_return(
    path: &Path,
    template: &Template,
    ret: &Return,
    year: i32,
) -> Result<Saved, WriteError> {
    let mut wb = Workbook::new();
    write_form_by_part(&mut wb, template, &return_content(ret, year, false))
        .map_err(xlsx_error(path))?;
    save_workbook(&mut wb, path)
}
