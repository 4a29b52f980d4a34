//! One precedence for every setting and every command: a flag over a
//! `GONGKAI_*` variable over gongkai.toml, booleans included.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// A 2018 year of one form from a roster of two (a missing unit is a
/// warning: exit 0, or 1 when strict), and a folder to run from whose
/// gongkai.toml says `strict = true` and `out = "toml-out"`.
fn office() -> (Year, tempfile::TempDir) {
    let year = Year::new();
    form_with(&year.path("测试县", "甲镇.xlsx"), &[]);
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇")]);
    let cwd = tempfile::tempdir().unwrap();
    let toml = format!(
        "input = {:?}\nhierarchy = {:?}\nout = \"toml-out\"\nstrict = true\n",
        year.root().display().to_string(),
        roster.display().to_string()
    );
    std::fs::write(cwd.path().join("gongkai.toml"), toml).unwrap();
    (year, cwd)
}

fn exit_of(cmd: &mut Command) -> i32 {
    let output = cmd.output().unwrap();
    output
        .status
        .code()
        .unwrap_or_else(|| panic!("killed: {}", String::from_utf8_lossy(&output.stderr)))
}

fn in_dir(cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = gongkai();
    let (command, rest) = args.split_first().unwrap();
    cmd.current_dir(cwd).arg(command);
    if *command != "report" {
        cmd.arg("--no-progress");
    }
    cmd.args(rest);
    cmd
}

#[test]
fn strict_from_the_file_gives_way_to_the_environment_and_the_environment_to_the_flag() {
    let (_year, cwd) = office();
    let cwd = cwd.path();
    for command in ["check", "run"] {
        assert_eq!(
            exit_of(&mut in_dir(cwd, &[command])),
            1,
            "{command}: the file's strict"
        );
        assert_eq!(
            exit_of(in_dir(cwd, &[command]).env("GONGKAI_STRICT", "false")),
            0,
            "{command}: GONGKAI_STRICT=false over the file"
        );
        assert_eq!(
            exit_of(in_dir(cwd, &[command, "--strict"]).env("GONGKAI_STRICT", "false")),
            1,
            "{command}: --strict over the environment"
        );
        assert_eq!(
            exit_of(in_dir(cwd, &[command, "--strict=false"]).env("GONGKAI_STRICT", "1")),
            0,
            "{command}: --strict=false over the environment"
        );
    }
}

#[test]
fn out_comes_from_the_flag_then_the_environment_then_the_file_for_run_and_report() {
    let (_year, cwd) = office();
    let cwd = cwd.path();
    let env_out = cwd.join("env-out");
    let flag_out = cwd.join("flag-out");
    exit_of(&mut in_dir(cwd, &["run"]));
    assert!(
        set_in(&cwd.join("toml-out"), 2018)
            .join("run.json")
            .is_file(),
        "the file's out"
    );
    exit_of(in_dir(cwd, &["run"]).env("GONGKAI_OUT", &env_out));
    assert!(
        set_in(&env_out, 2018).join("run.json").is_file(),
        "GONGKAI_OUT over the file"
    );
    exit_of(
        in_dir(cwd, &["run", "--out"])
            .arg(&flag_out)
            .env("GONGKAI_OUT", &env_out),
    );
    assert!(
        set_in(&flag_out, 2018).join("run.json").is_file(),
        "--out over GONGKAI_OUT"
    );

    // `gongkai report` finds the latest year of the same OUT.
    let drafts_in = |cmd: &mut Command| {
        let output = cmd.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let from_file = drafts_in(&mut in_dir(cwd, &["report"]));
    assert!(from_file.contains("toml-out"), "{from_file}");
    let from_env = drafts_in(in_dir(cwd, &["report"]).env("GONGKAI_OUT", &env_out));
    assert!(
        from_env.contains("env-out"),
        "report honours GONGKAI_OUT: {from_env}"
    );
    let named = drafts_in(
        in_dir(cwd, &["report"])
            .arg(set_in(&flag_out, 2018))
            .env("GONGKAI_OUT", &env_out),
    );
    assert!(
        named.contains("flag-out"),
        "the folder named over GONGKAI_OUT: {named}"
    );
}

#[test]
fn a_setting_that_cannot_be_used_stops_the_command_before_it_reads_a_form() {
    let (_year, cwd) = office();
    let cwd = cwd.path();
    let output = in_dir(cwd, &["run"])
        .env("GONGKAI_JOBS", "1000000")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GONGKAI_JOBS=1000000"), "{stderr}");
    assert!(!cwd.join("toml-out").exists(), "nothing written");

    std::fs::remove_file(cwd.join("gongkai.toml")).unwrap();
    std::fs::create_dir(cwd.join("gongkai.toml")).unwrap();
    assert_eq!(
        exit_of(&mut in_dir(cwd, &["check"])),
        2,
        "a folder named gongkai.toml"
    );
}
