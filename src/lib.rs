//! gongkai: the yearly rollup of government information disclosure statistics
//! (政府信息公开情况统计表) from township spreadsheets to district and city returns.
//!
//! The data flows one way (see `run`):
//! plan → discover → read (in parallel) → assign to roster units → check →
//! records (one long polars table) → rollup → summarize → write → report.

pub mod assign;
pub mod checks;
pub mod codes;
pub mod config;
pub mod demo;
pub mod discover;
pub mod explain;
pub mod history;
pub mod normalize;
pub mod panics;
pub mod plan;
pub mod reader;
pub mod records;
pub mod redraft;
pub mod report;
pub mod rollup;
pub mod roster;
pub mod run;
pub mod sniff;
pub mod summary;
pub mod template;
pub mod write;
