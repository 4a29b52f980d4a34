//! What a run reads: the plan settled from the settings, the files found in
//! the input folder, and the roster of who should report.

pub mod discover;
pub mod plan;
pub mod roster;
