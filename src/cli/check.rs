//! `gongkai check`: read and check forms, a year of them or one file a
//! clerk is about to send, without writing anything.

use super::args::CheckArgs;
use super::exit::Exit;
use super::settings::Settings;
use crate::input::plan::{Csv, Drafts};

pub fn command(args: CheckArgs, settings: &Settings) -> Exit {
    super::run::roll(
        &args.common,
        settings,
        None,
        Csv::WhenItFits,
        Drafts::Skipped,
    )
}
