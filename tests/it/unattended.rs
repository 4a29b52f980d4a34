//! Runs as a cron job and a shared folder see them: two at once, one killed
//! while writing, a full disk, an input tree with links and archives. After
//! each, OUT/<year> holds one run's complete set or the previous one.
//!
//! No test sleeps to synchronise: the lock is held by the test itself, a
//! kill happens at a named point of the writing (`GONGKAI_FAULT`), and a
//! full disk is a file-size limit set on the child (RLIMIT_FSIZE).

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Command;

use crate::common::*;
use sha2::{Digest, Sha256};

/// A small year: two townships of one county.
fn small_year() -> (Year, std::path::PathBuf) {
    let year = Year::new();
    form_with(&year.path("测试县", "甲镇.xlsx"), &[("R84", 2.0)]);
    form_with(&year.path("测试县", "乙镇.xlsx"), &[("R84", 3.0)]);
    let roster = year.roster(&[("测试县", "甲镇"), ("测试县", "乙镇")]);
    (year, roster)
}

fn run_cmd(year: &Year, roster: &Path) -> Command {
    let mut cmd = gongkai();
    cmd.arg("run")
        .arg(year.root().join("2018"))
        .arg("--hierarchy")
        .arg(roster)
        .arg("--out")
        .arg(year.out())
        .args(["--no-progress", "--format", "json"]);
    cmd
}

/// A run that must finish cleanly (exit 0), as the set-up of a test.
fn run_ok(year: &Year, roster: &Path) {
    let out = run_cmd(year, roster).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file of OUT/2018 with its SHA-256.
fn set_of(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                format!("{:x}", Sha256::digest(&bytes)),
            )
        })
        .collect()
}

/// run.json describes exactly the files beside it.
fn assert_consistent(dir: &Path) {
    let set = set_of(dir);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    let listed: BTreeMap<String, String> = json["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let name = Path::new(o["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (name, o["sha256"].as_str().unwrap().to_string())
        })
        .collect();
    let mut beside = set.clone();
    beside.remove("run.json");
    assert_eq!(listed, beside, "run.json lists exactly the files beside it");
}

/// The lock of 测试市's set of 2018, from OUT.
const LOCK: &str = "2018/.gongkai-测试市.lock";

/// Leftovers beside the set in OUT/2018 (staging folders of interrupted runs).
fn leftovers(out: &Path) -> Vec<String> {
    std::fs::read_dir(out.join("2018"))
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".gongkai-") && n.contains("-staging-"))
        .collect()
}

#[test]
fn a_run_waits_for_the_lock_or_exits_4_naming_the_run_that_holds_it() {
    let (year, roster) = small_year();
    std::fs::create_dir_all(year.out().join("2018")).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(year.out().join(LOCK))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(
        year.out().join(LOCK),
        "pid 4242, started 2026-01-20 03:00:00, gongkai run",
    )
    .unwrap();
    let out = run_cmd(&year, &roster)
        .args(["--wait", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pid 4242"), "{stderr}");
    assert!(!set_in(&year.out(), 2018).exists(), "nothing written");
    lock.unlock().unwrap();
    let out = run_cmd(&year, &roster).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_consistent(&set_in(&year.out(), 2018));
}

#[test]
fn two_runs_at_once_both_finish_and_leave_one_runs_set() {
    let (year, roster) = small_year();
    let first = run_cmd(&year, &roster).spawn().unwrap();
    let second = run_cmd(&year, &roster).spawn().unwrap();
    let (a, b) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)));
    assert_consistent(&set_in(&year.out(), 2018));
    assert!(leftovers(&year.out()).is_empty());
}

/// `run` under `ulimit -f`: no file it writes may pass `bytes`, and a write
/// past it fails as on a full disk (gongkai ignores the SIGXFSZ that would
/// otherwise kill it without a word).
fn limited(year: &Year, roster: &Path, bytes: u64) -> std::process::Output {
    let mut cmd = run_cmd(year, roster);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            Ok(())
        });
    }
    cmd.output().unwrap()
}

#[test]
fn a_run_killed_while_writing_leaves_the_previous_set_and_the_next_run_cleans_up() {
    let (year, roster) = small_year();
    run_ok(&year, &roster);
    let before = set_of(&set_in(&year.out(), 2018));
    form_with(&year.path("测试县", "乙镇.xlsx"), &[("R84", 30.0)]);
    // Killed while a file is half written, and with the whole set staged.
    for point in ["mid-file", "before-swap"] {
        let out = run_cmd(&year, &roster)
            .env("GONGKAI_FAULT", point)
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), Some(libc::SIGABRT), "killed {point}");
        assert_eq!(
            set_of(&set_in(&year.out(), 2018)),
            before,
            "previous set intact"
        );
    }
    assert!(
        !leftovers(&year.out()).is_empty(),
        "the killed runs left staging"
    );
    let out = run_cmd(&year, &roster).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!issues(&report, "OUTPUT-LEFTOVER").is_empty(), "said so");
    assert!(leftovers(&year.out()).is_empty(), "and removed them");
    assert_consistent(&set_in(&year.out(), 2018));
    assert_ne!(
        set_of(&set_in(&year.out(), 2018)),
        before,
        "the new set is in"
    );
}

#[test]
fn report_killed_while_writing_leaves_the_set_run_json_describes() {
    let (year, roster) = small_year();
    run_ok(&year, &roster);
    let dir = set_in(&year.out(), 2018);
    // The drafts written again will differ: run.json's returns say 9 meetings.
    let path = dir.join("run.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for ret in json["returns"].as_array_mut().unwrap() {
        for cell in ret["cells"].as_array_mut().unwrap() {
            if cell["code"] == "R84" {
                cell["value"] = 9.0.into();
            }
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let before = set_of(&dir);
    // Killed while writing the first draft.
    let killed = gongkai()
        .arg("report")
        .arg(&dir)
        .env("GONGKAI_FAULT", "mid-file")
        .output()
        .unwrap();
    assert_eq!(killed.status.signal(), Some(libc::SIGABRT));
    assert_eq!(set_of(&dir), before, "the set as it was");
    assert_consistent(&dir);
    // The next report finishes the job, and the set still agrees with itself.
    let done = gongkai().arg("report").arg(&dir).output().unwrap();
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_consistent(&dir);
    assert_ne!(set_of(&dir), before, "the new drafts are in");
    assert!(leftovers(&year.out()).is_empty());
}

#[test]
fn what_the_office_keeps_in_the_year_folder_survives_every_run_and_a_kill_after_the_swap() {
    use std::os::unix::fs::MetadataExt;
    let (year, roster) = small_year();
    run_ok(&year, &roster);
    let dir = set_in(&year.out(), 2018);
    std::fs::write(dir.join("领导批示.txt"), "请于月底前报送").unwrap();
    std::fs::create_dir(dir.join("往来函件")).unwrap();
    std::fs::write(dir.join("往来函件/通知.txt"), "通知").unwrap();
    // The office's group and a setgid folder, as a shared folder is set up.
    std::os::unix::fs::chown(&dir, None, Some(1)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o2775)).unwrap();
    // And an ACL giving one more account write access, with the default ACL
    // its new files inherit, as setfacl writes them.
    let acl = posix_acl(&[
        (0x01, 7, u32::MAX),
        (0x02, 7, 4321),
        (0x04, 7, u32::MAX),
        (0x10, 7, u32::MAX),
        (0x20, 5, u32::MAX),
    ]);
    set_xattr(&dir, "system.posix_acl_access", &acl);
    set_xattr(&dir, "system.posix_acl_default", &acl);
    set_xattr(&dir, "user.office", "政务公开办".as_bytes());
    let kept = |dir: &Path| {
        let meta = std::fs::metadata(dir).unwrap();
        assert_eq!(meta.gid(), 1, "the group");
        assert_eq!(meta.mode() & 0o7777, 0o2775, "the mode");
        for name in ["system.posix_acl_access", "system.posix_acl_default"] {
            assert_eq!(get_xattr(dir, name), acl, "{name}");
        }
        assert_eq!(get_xattr(dir, "user.office"), "政务公开办".as_bytes());
        assert_eq!(
            std::fs::read_to_string(dir.join("领导批示.txt")).unwrap(),
            "请于月底前报送"
        );
        assert!(dir.join("往来函件/通知.txt").is_file());
    };

    form_with(&year.path("测试县", "乙镇.xlsx"), &[("R84", 30.0)]);
    let killed = run_cmd(&year, &roster)
        .env("GONGKAI_FAULT", "after-swap")
        .output()
        .unwrap();
    assert_eq!(
        killed.status.signal(),
        Some(libc::SIGABRT),
        "stopped right after the swap"
    );
    assert!(
        std::fs::metadata(dir.join("领导批示.txt")).is_ok(),
        "the file is in the new set"
    );
    run_ok(&year, &roster);
    kept(&dir);
    assert!(leftovers(&year.out()).is_empty());
    assert_consistent_but_for(&dir, &["领导批示.txt", "往来函件"]);
}

/// run.json describes exactly the files beside it, the office's own aside.
fn assert_consistent_but_for(dir: &Path, theirs: &[&str]) {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name();
        if !theirs.iter().any(|t| name == *t) {
            std::fs::copy(entry.path(), copy.path().join(&name)).unwrap();
        }
    }
    assert_consistent(copy.path());
}

#[test]
fn a_missing_or_full_tmpdir_does_not_stop_the_outputs() {
    let (year, roster) = small_year();
    let out = run_cmd(&year, &roster)
        .env("TMPDIR", year.root().join("no such folder"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_consistent(&set_in(&year.out(), 2018));
}

#[test]
fn a_full_disk_is_one_plain_line_exit_3_and_the_previous_set_intact() {
    let (year, roster) = small_year();
    run_ok(&year, &roster);
    let before = set_of(&set_in(&year.out(), 2018));
    let out = limited(&year, &roster, 12_000);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("错误")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(!stderr.contains("Io(Os"), "no library debug text: {stderr}");
    assert_eq!(set_of(&set_in(&year.out(), 2018)), before);
    assert!(
        leftovers(&year.out()).is_empty(),
        "a failed run cleans its staging"
    );
}

#[test]
fn an_output_folder_that_cannot_be_written_stops_the_run_before_reading() {
    let (year, roster) = small_year();
    let blocked = year.root().join("blocked");
    std::fs::write(&blocked, "a file where the output folder should be").unwrap();
    let out = gongkai()
        .arg("run")
        .arg(year.root().join("2018"))
        .arg("--hierarchy")
        .arg(&roster)
        .arg("--out")
        .arg(&blocked)
        .arg("--no-progress")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("无法写入"), "{stderr}");
    assert!(
        !stderr.contains("个报表文件"),
        "stopped before reading: {stderr}"
    );
}

#[test]
fn a_named_pipe_among_the_forms_is_passed_over_not_waited_on() {
    let (year, roster) = small_year();
    let pipe = year.path("测试县", "丙镇.xlsx");
    let name = std::ffi::CString::new(pipe.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string naming a path in the test's own folder.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let output = run_cmd(&year, &roster).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{:#}", report["issues"]);
    let special = issues(&report, "INPUT-SPECIAL");
    assert_eq!(special.len(), 1, "{:#}", report["issues"]);
    assert_eq!(special[0]["file"], "测试县/丙镇.xlsx");
    assert_eq!(report["counts"]["used"], 2, "the forms beside it are read");
    assert_consistent(&set_in(&year.out(), 2018));
}

#[test]
fn a_link_planted_as_the_lock_file_is_not_followed() {
    let (year, roster) = small_year();
    let out = year.out();
    std::fs::create_dir_all(out.join("2018")).unwrap();
    let victim = year.root().join("victim.txt");
    std::fs::write(&victim, "the operator's own file").unwrap();
    std::os::unix::fs::symlink(&victim, out.join(LOCK)).unwrap();
    let output = run_cmd(&year, &roster).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the operator's own file"
    );
    assert!(
        !set_in(&out, 2018).exists(),
        "nothing written past the lock"
    );
}

#[test]
fn outputs_are_readable_by_colleagues_under_the_usual_umask() {
    let (year, roster) = small_year();
    let mut cmd = run_cmd(&year, &roster);
    // SAFETY: umask is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    assert_eq!(cmd.output().unwrap().status.code(), Some(0));
    for entry in std::fs::read_dir(set_in(&year.out(), 2018)).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{:?}", entry.file_name());
    }
}

#[test]
fn links_and_folders_inside_a_district_do_not_count_a_form_twice() {
    let (year, roster) = small_year();
    let county = year.root().join("2018/测试县");
    std::os::unix::fs::symlink("..", county.join("loop")).unwrap();
    std::fs::create_dir_all(county.join("2017")).unwrap();
    form_with(&county.join("2017/甲镇.xlsx"), &[("R84", 100.0)]);
    let out = run_cmd(&year, &roster).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["counts"]["files"], 2);
    let city = report["returns"].as_array().unwrap().last().unwrap();
    assert_eq!(cell(city, "R84").0, 5.0, "2 + 3, once each");
    assert_eq!(issues(&report, "INPUT-LINK").len(), 1);
    assert_eq!(issues(&report, "INPUT-ARCHIVE").len(), 1);
}

#[test]
fn a_district_folder_rolls_up_that_district_beside_the_citys_set_or_says_what_to_type() {
    let (year, roster) = small_year();
    run_ok(&year, &roster);
    let city = year.out().join("2018/测试市");
    let city_set = set_of(&city);
    let county = year.root().join("2018/测试县");
    let out = gongkai()
        .arg("run")
        .arg(&county)
        .arg("--hierarchy")
        .arg(&roster)
        .arg("--out")
        .arg(year.out())
        .args(["--no-progress", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["year"], 2018);
    assert_eq!(report["counts"]["units_reported"], 2);
    // The district's set is its own, named for it alone, and the city's
    // set beside it is untouched.
    let district = year.out().join("2018/测试县");
    assert_consistent(&district);
    let names: Vec<String> = set_of(&district).into_keys().collect();
    assert!(
        names.iter().any(|n| n == "测试县_2018_统计表.xlsx"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("测试市")), "{names:?}");
    assert_eq!(report["returns"].as_array().unwrap().len(), 1);
    assert_eq!(report["returns"][0]["name"], "测试县");
    assert_eq!(set_of(&city), city_set, "the city's set is as it was");
    let wrong = gongkai()
        .arg("run")
        .arg(&county)
        .args(["--year", "2019", "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        stderr.contains("--year 2019") && stderr.contains("gongkai run"),
        "{stderr}"
    );
}

#[test]
fn zero_threads_are_refused() {
    let out = gongkai().args(["run", "--jobs", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn gongkai_toml_beside_the_inputs_makes_run_with_no_arguments_do_the_job() {
    let (year, _) = small_year();
    std::fs::write(
        year.root().join("gongkai.toml"),
        "input = \".\"\nout = \"汇总\"\nhierarchy = \"roster.csv\"\nwait = 5\n",
    )
    .unwrap();
    let out = gongkai()
        .current_dir(year.root())
        .args(["run", "--no-progress", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["counts"]["units_reported"], 2,
        "the configured roster"
    );
    assert_consistent(&set_in(&year.root().join("汇总"), 2018));
    // A flag wins over the file.
    let flagged = gongkai()
        .current_dir(year.root())
        .args(["run", "--no-progress", "--out", "别处"])
        .output()
        .unwrap();
    assert_eq!(flagged.status.code(), Some(0));
    assert!(
        set_in(&year.root().join("别处"), 2018)
            .join("run.json")
            .is_file()
    );
}

#[test]
fn the_progress_page_links_input_files_by_relative_encoded_paths_only() {
    use std::os::unix::ffi::OsStrExt;
    let (year, roster) = small_year();
    // A name that is a script link, with a byte that is not UTF-8 (GBK).
    let hostile = std::ffi::OsStr::from_bytes(b"javascript:alert(1);\xd6\xd0.xlsx");
    let dir = year.root().join("2018").join("测试县");
    std::fs::copy(dir.join("甲镇.xlsx"), dir.join(hostile)).unwrap();
    std::fs::copy(dir.join("甲镇.xlsx"), dir.join("javascript:alert(2).xlsx")).unwrap();
    // INPUT relative, as the default `inputs` and a cron line give it.
    let output = gongkai()
        .current_dir(year.root())
        .args([
            "run",
            "2018",
            "--no-progress",
            "--out",
            "out",
            "--hierarchy",
        ])
        .arg(&roster)
        .output()
        .unwrap();
    assert!(
        output.status.code().unwrap() <= 1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page =
        std::fs::read_to_string(set_in(&year.root().join("out"), 2018).join("报送进度.html"))
            .unwrap();
    let hrefs: Vec<&str> = page
        .split("href=\"")
        .skip(1)
        .map(|l| &l[..l.find('"').unwrap()])
        .collect();
    assert!(!hrefs.is_empty());
    for href in &hrefs {
        assert!(!href.contains(':'), "every link a relative path: {href}");
    }
    // 甲镇's file, from out/2018/测试市 up to the year folder and down again.
    let jiazhen = format!(
        "../../../2018/{}/{}.xlsx",
        encoded("测试县"),
        encoded("甲镇")
    );
    assert!(hrefs.contains(&jiazhen.as_str()), "{hrefs:?}");
    assert!(
        hrefs.contains(&"../../../2018/%E6%B5%8B%E8%AF%95%E5%8E%BF/javascript%3Aalert%282%29.xlsx")
    );
}

/// A link's path as the file's name: `%XX` back to its byte.
fn decoded(link: &str) -> String {
    let bytes = link.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&link[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Each byte of a name's UTF-8 as `%XX`.
fn encoded(name: &str) -> String {
    name.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn the_progress_page_shows_what_the_status_sheet_shows_and_escapes_what_the_inputs_say() {
    let year = Year::new();
    form_with(&year.path("测试县", "甲镇.xlsx"), &[("R84", 2.0)]);
    form_with(&year.path("测试县", "丙镇.xlsx"), &[("R84", -1.0)]);
    form_with(
        &year.path("测试县", "<img src=x onerror=alert(1)>.xlsx"),
        &[],
    );
    let roster = year.roster(&[
        ("测试县", "甲镇"),
        ("测试县", "乙镇"),
        ("测试县", "丙镇"),
        ("测试县", "<script>"),
    ]);
    let (_, report) = year.run(Some(&roster));
    let page = std::fs::read_to_string(set_in(&year.out(), 2018).join("报送进度.html")).unwrap();
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"), "shown");
    assert!(!page.contains("<img src=x"), "never markup");
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
    // Each unit's row as 报送情况 has it.
    let label = |u: &serde_json::Value| match u["status"].as_str().unwrap() {
        "submitted" | "duplicate" if u["errors"].as_u64() > u["explained"].as_u64() => "有错误",
        "submitted" | "duplicate" => "已报送",
        "rejected" => "不能计入",
        "missing" => "未报送",
        _ => "名册外",
    };
    let mut want: BTreeMap<&str, usize> = BTreeMap::new();
    for u in report["units"].as_array().unwrap() {
        *want.entry(label(u)).or_default() += 1;
    }
    assert_eq!(want.get("有错误"), Some(&1), "丙镇's negative value");
    for (status, n) in &want {
        let rows = page
            .matches(&format!("class=\"unit\" data-status=\"{status}\""))
            .count();
        assert_eq!(rows, *n, "{status}");
        assert!(
            page.contains(&format!("data-status=\"{status}\">{n}<")),
            "the total of {status}"
        );
    }
    // It is one of the set run.json describes, with no script and nothing fetched.
    assert_consistent(&set_in(&year.out(), 2018));
    // Its list of outputs links exactly the files of the set, in the order
    // run.json lists them, run.json last.
    let list = &page[page
        .find("<ul id=\"outputs\">")
        .expect("the list of outputs")..];
    let list = &list[..list.find("</ul>").unwrap()];
    let linked: Vec<String> = list
        .split("href=\"")
        .skip(1)
        .map(|l| decoded(&l[..l.find('"').unwrap()]))
        .collect();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(set_in(&year.out(), 2018).join("run.json")).unwrap())
            .unwrap();
    let mut listed: Vec<String> = report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let file = Path::new(o["file"].as_str().unwrap()).file_name().unwrap();
            file.to_string_lossy().to_string()
        })
        .collect();
    listed.push("run.json".into());
    assert_eq!(linked, listed);
    for outside in ["<script", "<link", "src=\"http", "href=\"http", "url("] {
        assert!(!page.contains(outside), "{outside}");
    }
}

/// An ACL as Linux stores it in its extended attribute: version 2, then
/// (tag, permissions, id) per entry.
fn posix_acl(entries: &[(u16, u16, u32)]) -> Vec<u8> {
    let mut acl = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in entries {
        acl.extend(tag.to_le_bytes());
        acl.extend(perm.to_le_bytes());
        acl.extend(id.to_le_bytes());
    }
    acl
}

fn c_path(path: &Path) -> std::ffi::CString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap()
}

fn set_xattr(path: &Path, name: &str, value: &[u8]) {
    let (path, name) = (c_path(path), std::ffi::CString::new(name).unwrap());
    // SAFETY: live NUL-terminated strings and a buffer of the given length.
    let rc = unsafe {
        libc::setxattr(
            path.as_ptr(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    assert_eq!(
        rc,
        0,
        "setting {name:?}: {}",
        std::io::Error::last_os_error()
    );
}

fn get_xattr(path: &Path, name: &str) -> Vec<u8> {
    let (path, name) = (c_path(path), std::ffi::CString::new(name).unwrap());
    let mut buf = vec![0u8; 4096];
    // SAFETY: as above.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    assert!(
        n >= 0,
        "reading {name:?}: {}",
        std::io::Error::last_os_error()
    );
    buf.truncate(n as usize);
    buf
}
