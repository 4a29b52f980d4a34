//! The command line over the library.

pub mod config;
pub mod report;
