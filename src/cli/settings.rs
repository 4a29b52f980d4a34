//! Every setting resolved once, before any work, from three places: a flag
//! wins over a `GONGKAI_*` variable, which wins over `gongkai.toml`, for
//! every setting alike (booleans too: `GONGKAI_STRICT=false` turns off
//! `strict = true` from the file). The defaults are written here and
//! nowhere else. Each command takes the one [`Settings`] value this makes.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// The most threads a run starts: beyond a few hundred, threads only wait
/// for each other and each one's stack is memory taken for nothing.
pub const MAX_JOBS: usize = 256;

/// The settings one place gives, each where that place gives it. The same
/// shape for the flags, the environment and gongkai.toml, so that merging
/// them is one rule for all.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// The folder of year folders, a year folder, a district's folder or one file.
    pub input: Option<PathBuf>,
    /// Where OUT/<year> goes.
    pub out: Option<PathBuf>,
    /// The roster CSV, instead of the built-in one.
    pub hierarchy: Option<PathBuf>,
    /// A template id or file, instead of the data year's form.
    pub template: Option<String>,
    /// The office's explanations, instead of the year folder's explanations.csv.
    pub explanations: Option<PathBuf>,
    /// Unexplained warnings count toward the exit code too.
    pub strict: Option<bool>,
    /// Threads for the whole run.
    pub jobs: Option<usize>,
    /// Seconds to wait for another run writing the same OUT/<year>.
    pub wait: Option<u64>,
}

impl Given {
    /// This place's settings, and `lower`'s where this one gives none.
    pub fn or(self, lower: Given) -> Given {
        Given {
            input: self.input.or(lower.input),
            out: self.out.or(lower.out),
            hierarchy: self.hierarchy.or(lower.hierarchy),
            template: self.template.or(lower.template),
            explanations: self.explanations.or(lower.explanations),
            strict: self.strict.or(lower.strict),
            jobs: self.jobs.or(lower.jobs),
            wait: self.wait.or(lower.wait),
        }
    }

    /// The `GONGKAI_*` variables `var` gives (the process's environment, or
    /// a test's). An empty variable is no setting, as a shell's `VAR=` means.
    pub fn from_env(var: &dyn Fn(&str) -> Option<OsString>) -> Result<Given, SettingsError> {
        let text = |name: &'static str| -> Result<Option<String>, SettingsError> {
            match var(name) {
                None => Ok(None),
                Some(v) if v.is_empty() => Ok(None),
                Some(v) => v.into_string().map(Some).map_err(|v| {
                    SettingsError::variable(name, &v.to_string_lossy(), "不是 UTF-8 文本")
                }),
            }
        };
        let path = |name| Ok::<_, SettingsError>(text(name)?.map(PathBuf::from));
        let given = Given {
            input: path("GONGKAI_INPUT")?,
            out: path("GONGKAI_OUT")?,
            hierarchy: path("GONGKAI_HIERARCHY")?,
            template: text("GONGKAI_TEMPLATE")?,
            explanations: path("GONGKAI_EXPLANATIONS")?,
            strict: parsed("GONGKAI_STRICT", text("GONGKAI_STRICT")?, boolean)?,
            jobs: parsed("GONGKAI_JOBS", text("GONGKAI_JOBS")?, jobs)?,
            wait: parsed("GONGKAI_WAIT", text("GONGKAI_WAIT")?, seconds)?,
        };
        Ok(given)
    }

    /// The process's own `GONGKAI_*` variables.
    pub fn from_process_env() -> Result<Given, SettingsError> {
        Given::from_env(&|name| std::env::var_os(name))
    }
}

/// A variable's value as its setting takes it, or why it cannot be one.
fn parsed<T>(
    name: &'static str,
    value: Option<String>,
    parse: fn(&str) -> Result<T, &'static str>,
) -> Result<Option<T>, SettingsError> {
    value
        .map(|v| parse(&v).map_err(|why| SettingsError::variable(name, &v, why)))
        .transpose()
}

/// A `GONGKAI_*` variable that holds no value of its setting.
#[derive(Debug, thiserror::Error)]
#[error("环境变量 {name}={value} 无效：{why}")]
pub struct SettingsError {
    name: &'static str,
    value: String,
    why: &'static str,
}

impl SettingsError {
    fn variable(name: &'static str, value: &str, why: &'static str) -> SettingsError {
        SettingsError {
            name,
            value: value.to_string(),
            why,
        }
    }
}

/// The settings of a run, each settled.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub input: PathBuf,
    pub out: PathBuf,
    pub hierarchy: Option<PathBuf>,
    pub template: Option<String>,
    pub explanations: Option<PathBuf>,
    pub strict: bool,
    /// `None`: one thread per core.
    pub jobs: Option<usize>,
    pub wait: Duration,
}

impl Settings {
    /// The flags over the environment over the file, then the defaults.
    pub fn resolve(flags: Given, env: Given, file: Given) -> Settings {
        let given = flags.or(env).or(file);
        Settings {
            input: given.input.unwrap_or_else(|| PathBuf::from("inputs")),
            out: given.out.unwrap_or_else(|| PathBuf::from("outputs")),
            hierarchy: given.hierarchy,
            template: given.template,
            explanations: given.explanations,
            strict: given.strict.unwrap_or(false),
            jobs: given.jobs,
            wait: Duration::from_secs(given.wait.unwrap_or(300)),
        }
    }
}

/// `true`/`false` as people and shells write them.
pub fn boolean(text: &str) -> Result<bool, &'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" => Ok(true),
        "0" | "false" | "no" | "off" | "n" => Ok(false),
        _ => Err("请写 true 或 false"),
    }
}

/// A number of threads: 1 to [`MAX_JOBS`].
pub fn jobs(text: &str) -> Result<usize, &'static str> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_JOBS).contains(&n) => Ok(n),
        _ => Err("线程数应为 1 到 256 之间的整数，例如 2"),
    }
}

/// A number of seconds, 0 or more.
pub fn seconds(text: &str) -> Result<u64, &'static str> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| "应为秒数（0 或正整数），例如 300")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(*v))
        }
    }

    #[test]
    fn a_flag_wins_over_the_environment_which_wins_over_the_file() {
        let file = Given {
            out: Some("file-out".into()),
            strict: Some(true),
            jobs: Some(3),
            wait: Some(10),
            template: Some("lps2018".into()),
            ..Given::default()
        };
        let environment = Given::from_env(&env(&[
            ("GONGKAI_STRICT", "false"),
            ("GONGKAI_OUT", "env-out"),
            ("GONGKAI_JOBS", "2"),
        ]))
        .unwrap();
        let flags = Given {
            jobs: Some(1),
            ..Given::default()
        };
        let s = Settings::resolve(flags, environment, file);
        assert_eq!(
            s.out,
            PathBuf::from("env-out"),
            "the environment over the file"
        );
        assert!(!s.strict, "GONGKAI_STRICT=false turns off strict = true");
        assert_eq!(s.jobs, Some(1), "the flag over both");
        assert_eq!(
            s.wait,
            Duration::from_secs(10),
            "the file where nothing else says"
        );
        assert_eq!(s.template.as_deref(), Some("lps2018"));
        assert_eq!(s.input, PathBuf::from("inputs"), "the default last");
    }

    #[test]
    fn a_flag_turns_strict_off_against_the_environment() {
        let environment = Given::from_env(&env(&[("GONGKAI_STRICT", "1")])).unwrap();
        let flags = Given {
            strict: Some(false),
            ..Given::default()
        };
        assert!(!Settings::resolve(flags, environment.clone(), Given::default()).strict);
        assert!(Settings::resolve(Given::default(), environment, Given::default()).strict);
    }

    #[test]
    fn a_variable_that_is_no_value_is_named_and_an_empty_one_is_no_setting() {
        let err = Given::from_env(&env(&[("GONGKAI_JOBS", "1000000")])).unwrap_err();
        assert!(err.to_string().contains("GONGKAI_JOBS=1000000"), "{err}");
        let err = Given::from_env(&env(&[("GONGKAI_STRICT", "maybe")])).unwrap_err();
        assert!(err.to_string().contains("GONGKAI_STRICT"), "{err}");
        let given = Given::from_env(&env(&[("GONGKAI_OUT", "")])).unwrap();
        assert_eq!(given.out, None);
    }
}
