//! The integration tests, one binary: polars and the rest are linked once.

mod common;

mod audit;
mod checks;
mod demo;
mod documents;
mod draft;
mod forms;
mod golden;
mod hostile;
mod layout;
mod national;
mod offices;
mod overview;
mod reading;
mod rollup;
mod settings;
#[cfg(unix)]
mod unattended;
mod variant;
