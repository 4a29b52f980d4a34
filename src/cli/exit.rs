//! The exit code, mapped once: what a cron script reads of a run.

use std::process::ExitCode;

use crate::output::WriteError;
use crate::output::redraft::RedraftError;
use crate::output::stage::StageError;
use crate::output::summary::Summary;
use crate::pipeline::RunError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done; no unexplained errors (warnings allowed unless strict).
    Done = 0,
    /// Done, but unexplained errors were found (a rejected file is one), or
    /// unexplained warnings under strict.
    Findings = 1,
    /// Nothing done: bad arguments or settings, an input that cannot be read.
    Nothing = 2,
    /// The outputs could not be written; the previous set is unchanged.
    NotWritten = 3,
    /// Another run holds the set (OUT/<year>/<office>).
    Busy = 4,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

impl From<&Summary> for Exit {
    fn from(summary: &Summary) -> Exit {
        if summary.counts.counted > 0 {
            Exit::Findings
        } else {
            Exit::Done
        }
    }
}

impl From<&StageError> for Exit {
    fn from(e: &StageError) -> Exit {
        match e {
            StageError::NotWritable { .. } | StageError::Swap { .. } => Exit::NotWritten,
            StageError::Busy { .. } => Exit::Busy,
        }
    }
}

impl From<&WriteError> for Exit {
    fn from(_: &WriteError) -> Exit {
        Exit::NotWritten
    }
}

impl From<&RunError> for Exit {
    fn from(e: &RunError) -> Exit {
        match e {
            RunError::Write(e) => e.into(),
            RunError::Stage(e) => e.into(),
            _ => Exit::Nothing,
        }
    }
}

impl From<&RedraftError> for Exit {
    fn from(e: &RedraftError) -> Exit {
        match e {
            RedraftError::Write(e) => e.into(),
            RedraftError::Lock(e) => e.into(),
            _ => Exit::Nothing,
        }
    }
}
