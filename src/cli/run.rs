//! `gongkai run`: read, check, roll up and write a year's outputs.

use super::args::{Common, OutputFormat, RunArgs};
use super::exit::Exit;
use super::render;
use super::settings::Settings;
use crate::input::plan::{Csv, Drafts, Options};

pub fn command(args: RunArgs, settings: &Settings) -> Exit {
    let csv = if args.csv {
        Csv::Always
    } else {
        Csv::WhenItFits
    };
    let drafts = if args.no_report {
        Drafts::Skipped
    } else {
        Drafts::Written
    };
    let out = Some(settings.out.clone());
    roll(&args.common, settings, out, csv, drafts)
}

/// A run that writes to `out`, or a check (`None`) that writes nothing.
pub(super) fn roll(
    common: &Common,
    settings: &Settings,
    out: Option<std::path::PathBuf>,
    csv: Csv,
    drafts: Drafts,
) -> Exit {
    let write = out.is_some();
    if let Some(jobs) = settings.jobs
        && std::env::var_os("POLARS_MAX_THREADS").is_none()
    {
        // polars sizes its own thread pool from this variable when first used.
        // SAFETY: no other thread is running yet to read the environment.
        unsafe { std::env::set_var("POLARS_MAX_THREADS", jobs.to_string()) };
    }
    let one_file = settings.input.is_file();
    let opts = Options {
        input: settings.input.clone(),
        out,
        year: common.year,
        hierarchy: settings.hierarchy.clone(),
        template: settings.template.clone(),
        jobs: settings.jobs,
        progress: !common.no_progress,
        previous: common.previous.clone(),
        explanations: settings.explanations.clone(),
        strict: settings.strict,
        swing_ratio: common.swing_ratio,
        swing_at_least: common.swing_at_least,
        csv,
        drafts,
        wait: if write {
            settings.wait
        } else {
            std::time::Duration::ZERO
        },
    };
    match crate::pipeline::run(&opts) {
        Ok(summary) => {
            match common.format {
                OutputFormat::Json => match serde_json::to_string_pretty(&summary) {
                    Ok(json) => render::emit(&(json + "\n")),
                    Err(e) => eprintln!("gongkai: 错误：{e}"),
                },
                OutputFormat::Text if !write && summary.files.len() == 1 && one_file => {
                    render::emit(&render::form_report(&summary))
                }
                OutputFormat::Text => {
                    render::emit(&render::text_report(&summary, common.verbose, !write))
                }
            }
            Exit::from(&summary)
        }
        Err(e) => {
            eprintln!("gongkai: 错误：{e}");
            Exit::from(&e)
        }
    }
}
