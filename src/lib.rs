//! gongkai: the yearly rollup of government information disclosure statistics
//! (政府信息公开工作年度报告统计表; before 2019 政府信息公开情况统计表) from township spreadsheets to district and city returns.
//!
//! The data flows one way, and the modules in the order it flows
//! (`pipeline` runs them):
//! input (plan, discover, roster) → read (in parallel) → audit (units, rules,
//! last year, explanations) → rollup (records, sums) → output (summary,
//! returns, drafts, workbook, records, progress page, staged and swapped in).
//! `text`, `findings` and `form` are what every stage may use; `cli` is the
//! command line over all of it.

pub mod audit;
pub mod cli;
pub mod demo;
pub mod findings;
pub mod form;
pub mod input;
pub mod output;
mod panics;
mod pipeline;
pub mod read;
pub mod rollup;
pub mod text;
