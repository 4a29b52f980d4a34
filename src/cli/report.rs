//! `gongkai report`: the drafts of the annual reports written again from a
//! finished run (see [`crate::output::redraft`]).

use std::path::{Path, PathBuf};

use super::args::ReportArgs;
use super::exit::Exit;
use super::settings::Settings;
use crate::output::redraft::{RedraftOptions, redraft};

/// `gongkai report [DIR]`: DIR (an office's set, or a year folder holding
/// one), or the latest year of OUT.
pub fn command(args: ReportArgs, settings: &Settings) -> Exit {
    let Some(given) = args.dir.or_else(|| latest_year(&settings.out)) else {
        eprintln!(
            "gongkai: 错误：{} 中没有完成的运行；请给出其输出文件夹 OUT/<年度>/<单位>",
            settings.out.display()
        );
        return Exit::Nothing;
    };
    let dir = match set_in(&given) {
        Ok(dir) => dir,
        Err(offices) => {
            eprintln!(
                "gongkai: 错误：{} 中有 {} 的输出；请指定其一，如 `gongkai report {}`",
                given.display(),
                offices.join(", "),
                given.join(&offices[0]).display()
            );
            return Exit::Nothing;
        }
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
            eprintln!("gongkai: 错误：{e}");
            Exit::from(&e)
        }
    }
}

/// The set `dir` names: itself when it holds a run.json (a set, or a year
/// folder of a set written before each office had its own), else the one
/// set inside it; the offices whose sets it holds when there are several.
fn set_in(dir: &Path) -> Result<PathBuf, Vec<String>> {
    if dir.join("run.json").is_file() {
        return Ok(dir.to_path_buf());
    }
    let mut sets: Vec<PathBuf> = sets_in(dir).collect();
    sets.sort();
    match sets.len() {
        0 | 1 => Ok(sets.pop().unwrap_or_else(|| dir.to_path_buf())),
        _ => Err(sets
            .iter()
            .filter_map(|s| Some(s.file_name()?.to_string_lossy().to_string()))
            .collect()),
    }
}

/// The offices' sets (folders holding a run.json) inside a year folder.
fn sets_in(dir: &Path) -> impl Iterator<Item = PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("run.json").is_file())
}

/// The latest OUT/<year> holding a set.
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
        .filter(|p| p.join("run.json").is_file() || sets_in(p).next().is_some())
        .max()
}
