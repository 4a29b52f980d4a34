//! The command line: the arguments as clap parses them ([`args`]), merged
//! with the `GONGKAI_*` variables and gongkai.toml into one [`Settings`]
//! before any work ([`settings`], [`config`]), the command's own file
//! ([`run`], [`check`], [`report`], [`template`], [`demo`]), what a person
//! reads at the end ([`render`]) and the exit code, mapped once ([`exit`]).

mod args;
mod check;
mod config;
mod demo;
mod exit;
mod render;
mod report;
mod run;
mod settings;
mod template;

use std::path::Path;
use std::process::ExitCode;

use args::Command;
use exit::Exit;
use settings::{Given, Settings};

/// Parses the arguments, settles the settings and runs the command.
pub fn main() -> ExitCode {
    crate::panics::quiet_caught_panics();
    // Under a file-size limit (`ulimit -f`) a write past it then fails as a
    // full disk does, with one message and exit code 3, instead of the
    // signal killing the process without a word.
    #[cfg(unix)]
    // SAFETY: no other thread exists yet; ignoring a signal is always sound.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = args::parse();
    let flags = match &cli.command {
        Command::Run(a) => Given {
            out: a.out.clone(),
            wait: a.wait,
            ..a.common.given()
        },
        Command::Check(a) => a.common.given(),
        Command::Report(a) => Given {
            wait: a.wait,
            ..Given::default()
        },
        Command::Template(_) | Command::Demo(_) => Given::default(),
    };
    // gongkai.toml in the folder run from: what a cron line needs.
    let settings = Given::from_process_env()
        .map_err(anyhow::Error::from)
        .and_then(|env| {
            let file = config::load(Path::new("."))?;
            Ok(Settings::resolve(flags, env, file))
        });
    let settings = match settings {
        Ok(settings) => settings,
        Err(e) => return fail(&e).into(),
    };
    let exit = match cli.command {
        Command::Run(a) => run::command(a, &settings),
        Command::Check(a) => check::command(a, &settings),
        Command::Report(a) => report::command(a, &settings),
        Command::Template(a) => template::command(a),
        Command::Demo(a) => demo::command(a),
    };
    exit.into()
}

/// An error that stops a command before it did anything.
fn fail(e: &dyn std::fmt::Display) -> Exit {
    eprintln!("gongkai: 错误：{e:#}");
    Exit::Nothing
}
