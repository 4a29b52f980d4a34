//! `gongkai report`: the drafts of the annual reports written again from a
//! finished run (see [`crate::output::redraft`]).

use std::path::{Path, PathBuf};

use super::args::ReportArgs;
use super::exit::Exit;
use super::settings::Settings;
use crate::output::redraft::{RedraftOptions, redraft};

/// `gongkai report [DIR]`: DIR, or the latest year of OUT.
pub fn command(args: ReportArgs, settings: &Settings) -> Exit {
    let Some(dir) = args.dir.or_else(|| latest_year(&settings.out)) else {
        eprintln!(
            "gongkai: error: no finished run in {}; give its OUT/<year> folder",
            settings.out.display()
        );
        return Exit::Nothing;
    };
    let opts = RedraftOptions {
        dir,
        template: args.template.or(settings.template.clone()),
        previous: args.previous,
        wait: settings.wait,
    };
    match redraft(&opts, &|line| eprintln!("gongkai: {line}")) {
        Ok(written) => {
            for path in written {
                println!("{}", path.display());
            }
            Exit::Done
        }
        Err(e) => {
            eprintln!("gongkai: error: {e}");
            Exit::from(&e)
        }
    }
}

/// The latest OUT/<year> holding a run.json.
fn latest_year(out: &Path) -> Option<PathBuf> {
    std::fs::read_dir(out)
        .ok()?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.len() == 4 && n.parse::<i32>().is_ok())
        })
        .map(|e| e.path())
        .filter(|p| p.join("run.json").is_file())
        .max()
}
