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

use std::path::Path;

use super::settings::{Given, MAX_JOBS};
use crate::text::decode_text;

/// The name gongkai looks for in the folder it is run from.
pub const FILE_NAME: &str = "gongkai.toml";

#[derive(Debug, thiserror::Error)]
#[error("{path} 不是有效的 gongkai.toml：{message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

/// What `dir/gongkai.toml` gives, its paths taken from `dir`; nothing when
/// there is no such file. A file that is there but cannot be used stops the
/// run: a cron line relying on it must not write elsewhere unnoticed.
pub fn load(dir: &Path) -> Result<Given, ConfigError> {
    let path = dir.join(FILE_NAME);
    let invalid = |message: String| ConfigError {
        path: path.display().to_string(),
        message,
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Given::default()),
        Err(_) if path.is_dir() => {
            return Err(invalid("这是一个文件夹，不是设置文件".into()));
        }
        Err(e) => return Err(invalid(format!("无法读取（{e}）"))),
    };
    // Saved by Notepad or WPS in UTF-16 or GBK, it is still the office's file.
    let text = decode_text(&bytes);
    let mut given: Given = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    if let Some(jobs) = given.jobs
        && !(1..=MAX_JOBS).contains(&jobs)
    {
        return Err(invalid(format!(
            "jobs = {jobs}：线程数应为 1 到 {MAX_JOBS}"
        )));
    }
    for p in [
        &mut given.input,
        &mut given.out,
        &mut given.hierarchy,
        &mut given.explanations,
    ]
    .into_iter()
    .flatten()
    {
        if p.is_relative() {
            *p = dir.join(&*p);
        }
    }
    Ok(given)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn paths_are_taken_from_the_files_folder_and_typos_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), Given::default());
        std::fs::write(
            dir.path().join(FILE_NAME),
            "input = \"inputs\"\nout = \"/srv/out\"\nstrict = true\n",
        )
        .unwrap();
        let c = load(dir.path()).unwrap();
        assert_eq!(c.input, Some(dir.path().join("inputs")));
        assert_eq!(c.out, Some(PathBuf::from("/srv/out")));
        assert_eq!(c.strict, Some(true));
        std::fs::write(dir.path().join(FILE_NAME), "ouput = \"x\"\n").unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("ouput"), "{err}");
    }

    #[test]
    fn a_file_saved_in_utf16_or_gbk_is_read_and_a_folder_of_that_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let text = "out = \"汇总\"\nstrict = true\n";
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        std::fs::write(dir.path().join(FILE_NAME), utf16).unwrap();
        assert_eq!(load(dir.path()).unwrap().out, Some(dir.path().join("汇总")));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        std::fs::write(dir.path().join(FILE_NAME), gbk).unwrap();
        assert_eq!(load(dir.path()).unwrap().strict, Some(true));

        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir(folder.path().join(FILE_NAME)).unwrap();
        let err = load(folder.path()).unwrap_err().to_string();
        assert!(err.contains("文件夹"), "{err}");
    }
}
