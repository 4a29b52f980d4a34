//! What a run reads: the plan settled from the settings, the files found in
//! the input folder, the roster of who should report, and the columns of
//! the records it reads back as last year's.

pub mod discover;
pub mod plan;
pub(crate) mod records;
pub mod roster;
pub mod tree;
