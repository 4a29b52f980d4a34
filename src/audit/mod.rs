//! What is wrong with the forms, and who has not sent one: files to roster
//! units, the form's rules on each submission, last year's comparison, and
//! the office's explanations.

pub mod explain;
pub mod last_year;
pub mod rules;
pub mod units;
