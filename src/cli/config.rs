//! `gongkai.toml`: what a cron line needs, kept beside the inputs, so that
//! `gongkai run` with no arguments in that folder does the office's job.
//!
//! ```toml
//! input = "inputs"           # the folder of year folders
//! out = "/srv/公开办/汇总"      # where OUT/<year> goes
//! hierarchy = "roster.csv"   # instead of the built-in 六盘水 roster
//! template = "nat2021"       # instead of the data year's form
//! explanations = "inputs/2025/explanations.csv"
//! strict = true              # unexplained warnings count too
//! jobs = 2
//! wait = 600                 # seconds to wait for another run
//! ```
//!
//! A flag or an environment variable (`GONGKAI_OUT` …) wins over the file;
//! relative paths are taken from the file's folder.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The name gongkai looks for in the folder it is run from.
pub const FILE_NAME: &str = "gongkai.toml";

#[derive(Debug, thiserror::Error)]
#[error("{path} is not a valid gongkai.toml: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub input: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub hierarchy: Option<PathBuf>,
    pub template: Option<String>,
    pub explanations: Option<PathBuf>,
    pub strict: Option<bool>,
    pub jobs: Option<usize>,
    pub wait: Option<u64>,
}

impl Config {
    /// `dir/gongkai.toml` when there is one, its paths made relative to `dir`.
    pub fn load(dir: &Path) -> Result<Option<Config>, ConfigError> {
        let path = dir.join(FILE_NAME);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        let invalid = |message: String| ConfigError {
            path: path.display().to_string(),
            message,
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if config.jobs == Some(0) {
            return Err(invalid("jobs must be 1 or more".into()));
        }
        for p in [
            &mut config.input,
            &mut config.out,
            &mut config.hierarchy,
            &mut config.explanations,
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
        Ok(Some(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_taken_from_the_files_folder_and_typos_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Config::load(dir.path()).unwrap().is_none());
        std::fs::write(
            dir.path().join(FILE_NAME),
            "input = \"inputs\"\nout = \"/srv/out\"\nstrict = true\n",
        )
        .unwrap();
        let c = Config::load(dir.path()).unwrap().unwrap();
        assert_eq!(c.input, Some(dir.path().join("inputs")));
        assert_eq!(c.out, Some(PathBuf::from("/srv/out")));
        assert_eq!(c.strict, Some(true));
        std::fs::write(dir.path().join(FILE_NAME), "ouput = \"x\"\n").unwrap();
        let err = Config::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("ouput"), "{err}");
    }
}
