//! An office's set of outputs (OUT/<year>/<office>) holds one run's
//! complete set, or the previous one.
//!
//! A cron job and a person run at the same time; a cron timeout kills a run
//! while it writes seventy files; the shared disk fills up. So a run takes
//! the set's lock first (an OS file lock, which the kernel releases when
//! the process dies, so no pid file ever goes stale), writes every output
//! into a staging folder beside the set, and only when all are written and
//! synced swaps the two folders in one step (`renameat2(RENAME_EXCHANGE)` on
//! Linux). Whatever happens before the swap, the set is the previous one;
//! the next run removes what an interrupted one left behind, and says so.
//! Each office's set has its own lock, so offices sharing OUT never wait
//! for, nor replace, each other.

use crate::findings::Issue;
use crate::findings::codes::Code;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("输出文件夹 {path} 无法写入（{source}）；请用 --out 指定本账户可以写入的文件夹")]
    NotWritable {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "另一个 gongkai 正在写入 {path}({holder})；已等待 {waited} 秒；请待其结束后再运行，或用 --wait 秒数 等待更久"
    )]
    Busy {
        path: String,
        holder: String,
        waited: u64,
    },
    #[error("新的输出无法放入 {path}({source})；原有输出未改动")]
    Swap {
        path: String,
        source: std::io::Error,
    },
}

/// A run's staging folder, with the set's lock held until it is dropped.
pub struct Stage {
    /// OUT/<year>/<office>: where the set goes.
    target: PathBuf,
    /// Where this run writes: OUT/<year>/.gongkai-<office>-staging-<pid>.
    dir: PathBuf,
    _lock: Lock,
    /// What interrupted runs had left, removed.
    pub leftovers: Vec<String>,
}

/// A set's lock, held until dropped (and released by the kernel when
/// the process dies).
pub struct Lock {
    _file: File,
}

fn not_writable(path: &Path) -> impl FnOnce(std::io::Error) -> StageError + use<> {
    let path = path.display().to_string();
    move |source| StageError::NotWritable { path, source }
}

impl Lock {
    /// Takes the lock of the set at `set` (OUT/<year>/<office>), waiting up
    /// to `wait` for another run and saying so through `log`.
    pub fn take(set: &Path, wait: Duration, log: &dyn Fn(&str)) -> Result<Lock, StageError> {
        let (parent, name) = parts(set);
        std::fs::create_dir_all(parent).map_err(not_writable(parent))?;
        // OUT/<year> is shared by every office's run: a link planted there
        // would take this run's outputs wherever it points.
        if std::fs::symlink_metadata(parent).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(not_writable(parent)(std::io::Error::other(
                "它是一个符号链接；gongkai 只写入 OUT 之内的真实文件夹",
            )));
        }
        let lock_path = parent.join(format!(".gongkai-{name}.lock"));
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        // A link planted in a shared OUT must not make this run write
        // wherever it points: the lock is the one file opened before the
        // staging folder exists, so it is opened without following one.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
        let mut lock = options
            .open(&lock_path)
            .and_then(|f| match f.metadata()?.is_file() {
                true => Ok(f),
                false => Err(std::io::Error::other("不是普通文件")),
            })
            .map_err(not_writable(&lock_path))?;
        let target = set;
        let started = Instant::now();
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let holder = holder(&mut lock);
                    if started.elapsed() >= wait {
                        return Err(StageError::Busy {
                            path: target.display().to_string(),
                            holder,
                            waited: started.elapsed().as_secs(),
                        });
                    }
                    if started.elapsed() < RETRY {
                        log(&format!(
                            "另一个运行正在写入 {1}({holder})；最多等待 {0} 秒",
                            wait.as_secs(),
                            target.display()
                        ));
                    }
                    std::thread::sleep(RETRY);
                }
                Err(TryLockError::Error(e)) => return Err(not_writable(&lock_path)(e)),
            }
        }
        // Who holds the lock, for a run that has to wait.
        let me = format!(
            "pid {}, started {}, {}",
            std::process::id(),
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S"),
            std::env::args().collect::<Vec<_>>().join(" ")
        );
        lock.set_len(0)
            .and_then(|()| lock.write_all(me.as_bytes()))
            .map_err(not_writable(&lock_path))?;
        Ok(Lock { _file: lock })
    }
}

/// How long to wait between two tries of a held lock.
const RETRY: Duration = Duration::from_millis(200);

impl Stage {
    /// One finding for each thing an interrupted run left that this one removed.
    pub fn findings(&self) -> impl Iterator<Item = Issue> + '_ {
        self.leftovers.iter().map(|left| {
            Issue::new(
                Code::OutputLeftover,
                format!("上次中断的运行留下了 {left}；已删除"),
            )
        })
    }

    /// Takes the set's lock (waiting up to `wait` for another run, and
    /// saying so through `log`), removes what interrupted runs left, and
    /// makes the staging folder. Everything here happens before a single
    /// form is read, so an unwritable OUT is known at once.
    pub fn begin(set: &Path, wait: Duration, log: &dyn Fn(&str)) -> Result<Stage, StageError> {
        let lock = Lock::take(set, wait, log)?;
        let (parent, name) = parts(set);
        let leftovers = clean(parent, &name, set);
        let dir = parent.join(format!(".gongkai-{name}-staging-{}", std::process::id()));
        std::fs::create_dir(&dir).map_err(not_writable(&dir))?;
        Ok(Stage {
            target: set.to_path_buf(),
            dir,
            _lock: lock,
            leftovers,
        })
    }

    /// The folder the run writes its outputs into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where an output written to the staging folder will be once in place.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Links every output of the set in place (as its run.json lists them,
    /// run.json and those named in `except` aside) into the staging folder,
    /// copying where the file system has no links: a change to part of a
    /// set (`gongkai report`) is staged and swapped in as a whole set is.
    pub fn carry_over(&self, except: &[&str]) -> Result<(), StageError> {
        for name in outputs_listed(&self.target) {
            if except.contains(&name.as_str()) {
                continue;
            }
            let (from, to) = (self.target.join(&name), self.dir.join(&name));
            // One the office removed stays removed.
            if !from.is_file() {
                continue;
            }
            link_tree(&from, &to).map_err(not_writable(&to))?;
        }
        Ok(())
    }

    /// Puts the staged set in place of OUT/<year> in one step. What the
    /// office keeps in OUT/<year> (files no gongkai run wrote, the folder's
    /// mode and group) is carried into the staged set *before* the swap,
    /// so no moment exists, and no kill, after which it lives only in the
    /// folder swapped out (which the next run removes).
    pub fn commit(self) -> Result<(), StageError> {
        let swap_error = |source| StageError::Swap {
            path: self.target.display().to_string(),
            source,
        };
        let previous = self.target.is_dir();
        if previous {
            let ours = outputs_listed(&self.target);
            for entry in std::fs::read_dir(&self.target)
                .map_err(swap_error)?
                .flatten()
            {
                let name = entry.file_name();
                let theirs =
                    !ours.iter().any(|o| o.as_str() == name) && name != super::run_json::FILE;
                let staged = self.dir.join(&name);
                if theirs && !staged.exists() {
                    link_tree(&entry.path(), &staged).map_err(swap_error)?;
                }
            }
            keep_mode_and_group(&self.target, &self.dir);
        }
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(swap_error)?;
        if previous {
            super::fault_point("before-swap");
            swap(&self.dir, &self.target).map_err(swap_error)?;
            super::fault_point("after-swap");
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            std::fs::rename(&self.dir, &self.target).map_err(swap_error)?;
        }
        if let Some(out) = self.target.parent() {
            let _ = File::open(out).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// `from` linked at `to`: a file by a hard link (a copy where the file
/// system has none), a folder as a folder of links, a symbolic link as the
/// same link.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let kind = std::fs::symlink_metadata(from)?.file_type();
    if kind.is_dir() {
        std::fs::create_dir(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if kind.is_symlink() {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(std::fs::read_link(from)?, to);
        #[cfg(not(unix))]
        return Ok(());
    } else {
        std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
    }
}

/// The mode (setgid bit included), group and extended attributes (ACLs
/// among them) the office gave OUT/<year>, given to the folder that takes
/// its place. Best effort: an account that may not set them leaves the new
/// folder as it was made.
fn keep_mode_and_group(from: &Path, to: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::metadata(from) else {
            return;
        };
        let _ = std::os::unix::fs::chown(to, None, Some(meta.gid()));
        let _ = std::fs::set_permissions(to, meta.permissions());
    }
    // After the mode: an access ACL written last keeps its own mask.
    #[cfg(target_os = "linux")]
    copy_xattrs(from, to);
}

/// Every extended attribute of `from` (`system.posix_acl_access` and
/// `system.posix_acl_default` hold a folder's ACLs) set on `to` too.
#[cfg(target_os = "linux")]
fn copy_xattrs(from: &Path, to: &Path) {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(from), Ok(to)) = (
        CString::new(from.as_os_str().as_bytes()),
        CString::new(to.as_os_str().as_bytes()),
    ) else {
        return;
    };
    // Asked for their size first, then read: a name list and each value are
    // at most 64 KiB on Linux.
    let read = |size: isize, fill: &mut dyn FnMut(&mut [u8]) -> isize| -> Option<Vec<u8>> {
        let mut buf = vec![0u8; usize::try_from(size).ok()?];
        let n = usize::try_from(fill(&mut buf)).ok()?;
        buf.truncate(n);
        Some(buf)
    };
    // SAFETY: every pointer is a live NUL-terminated string or a buffer of
    // the length passed with it.
    let size = unsafe { libc::llistxattr(from.as_ptr(), std::ptr::null_mut(), 0) };
    let Some(names) = read(size, &mut |buf| unsafe {
        libc::llistxattr(from.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
    }) else {
        return;
    };
    for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let Ok(name) = CString::new(name) else {
            continue;
        };
        let size =
            unsafe { libc::lgetxattr(from.as_ptr(), name.as_ptr(), std::ptr::null_mut(), 0) };
        let Some(value) = read(size, &mut |buf| unsafe {
            libc::lgetxattr(
                from.as_ptr(),
                name.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        }) else {
            continue;
        };
        unsafe {
            libc::lsetxattr(
                to.as_ptr(),
                name.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
            );
        }
    }
}

impl Drop for Stage {
    /// A run that stops before its commit leaves no staging folder behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the lock file says about the run that holds it. The lock file names the last gongkai run that took the lock; when that
/// run has ended, whoever holds the lock now is another process.
fn holder(lock: &mut File) -> String {
    let mut text = String::new();
    let _ = lock.rewind().and_then(|()| lock.read_to_string(&mut text));
    let text = text.trim();
    if text.is_empty() {
        return "详情不明".into();
    }
    match recorded_pid(text) {
        Some(pid) if !alive(pid) => {
            format!("被另一个进程占用；锁文件记录的上一次 gongkai 运行已经结束：{text}")
        }
        _ => text.to_string(),
    }
}

/// The `pid N` a gongkai run writes at the start of the lock file.
fn recorded_pid(text: &str) -> Option<i32> {
    let rest = text.strip_prefix("pid ")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Whether a process of that id exists (one of another user's answers
/// EPERM, and exists).
fn alive(pid: i32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only asks whether the process exists.
        let found = unsafe { libc::kill(pid, 0) } == 0;
        found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The folder a set sits in, and the set's own name: its lock and staging
/// folder are named after it there.
fn parts(set: &Path) -> (&Path, String) {
    let parent = set.parent().unwrap_or(Path::new("."));
    let name = set
        .file_name()
        .map_or_else(|| "outputs".into(), |n| n.to_string_lossy().to_string());
    (parent, name)
}

/// Removes the staging and set-aside folders interrupted runs of the set
/// `name` left in `parent`, and the partial files an older gongkai left in
/// the set; returns their names.
fn clean(parent: &Path, name: &str, target: &Path) -> Vec<String> {
    let prefix = format!(".gongkai-{name}-staging-");
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(&prefix) && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path().display().to_string());
        }
    }
    for entry in std::fs::read_dir(target).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(".gongkai-")
            && name.ends_with(".part")
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed.push(entry.path().display().to_string());
        }
    }
    removed
}

/// The file names the run.json in `dir` lists as its outputs.
fn outputs_listed(dir: &Path) -> Vec<String> {
    /// run.json's `outputs` alone, for a run.json not written as a run
    /// writes it.
    #[derive(serde::Deserialize)]
    struct Listed {
        #[serde(default)]
        outputs: Vec<Output>,
    }
    let path = dir.join(super::run_json::FILE);
    let outputs = outputs_at_end(&path)
        .or_else(|| {
            let bytes = std::fs::read(&path).ok()?;
            Some(serde_json::from_slice::<Listed>(&bytes).ok()?.outputs)
        })
        .unwrap_or_default();
    outputs
        .iter()
        .filter_map(|o| Path::new(o.file()).file_name())
        .map(|n| n.to_string_lossy().to_string())
        .collect()
}

/// An output as run.json lists it now, or by its path alone as earlier
/// runs did.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Output {
    File { file: String },
    Path(String),
}

impl Output {
    fn file(&self) -> &str {
        match self {
            Output::File { file } | Output::Path(file) => file,
        }
    }
}

/// run.json's `outputs`, read where a run writes them: near the end of the
/// file, under a key on a line of its own indented by two spaces (a key
/// nested deeper is indented further, and a JSON string holds no raw line
/// break). Only the end of the file is read: a national run.json is
/// a hundred megabytes of findings, read on the run's last single-threaded
/// stretch. `None` for a run.json written otherwise.
fn outputs_at_end(path: &Path) -> Option<Vec<Output>> {
    const KEY: &[u8] = b"\n  \"outputs\":";
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    // A megabyte holds the outputs of a city's year; a larger list is
    // searched for in a window twice as large, and so on.
    let mut window: u64 = 1 << 20;
    loop {
        let from = len.saturating_sub(window);
        let mut tail = Vec::new();
        file.seek(std::io::SeekFrom::Start(from)).ok()?;
        file.read_to_end(&mut tail).ok()?;
        if let Some(at) = memchr::memmem::rfind(&tail, KEY) {
            return serde_json::Deserializer::from_slice(&tail[at + KEY.len()..])
                .into_iter::<Vec<Output>>()
                .next()?
                .ok();
        }
        if from == 0 {
            return None;
        }
        window *= 8;
    }
}

/// Exchanges two folders: in one step where the system can, else by three
/// renames (the new set is never half there: it moves as one folder).
fn swap(staged: &Path, target: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match exchange(staged, target) {
        Ok(()) => return Ok(()),
        // A file system without RENAME_EXCHANGE.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
        Err(e) => return Err(e),
    }
    let aside = staged.with_extension("aside");
    std::fs::rename(target, &aside)?;
    if let Err(e) = std::fs::rename(staged, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(e);
    }
    std::fs::rename(&aside, staged)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that live across the call.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_held_by_another_process_is_not_named_as_the_run_that_ended() {
        assert_eq!(
            recorded_pid("pid 4242, started 2026-01-20 03:00:00, gongkai run"),
            Some(4242)
        );
        assert_eq!(recorded_pid("something else"), None);
        assert!(alive(std::process::id() as i32));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        // No process has an id this large (Linux's pid_max is 4,194,304 at most).
        std::fs::write(
            &path,
            "pid 2147483600, started 2026-01-20 03:00:00, gongkai run",
        )
        .unwrap();
        let mut file = File::open(&path).unwrap();
        let said = holder(&mut file);
        assert!(said.starts_with("被另一个进程占用"), "{said}");
        assert!(said.contains("pid 2147483600"), "{said}");
    }

    fn quiet(_: &str) {}

    #[test]
    fn the_outputs_are_found_under_the_top_level_key_alone() {
        let run = serde_json::json!({
            "issues": [{
                "message": "\n  \"outputs\": [\"typed.xlsx\"]",
                "outputs": ["nested.xlsx"],
            }],
            "outputs": [{"file": "out/2025/a.xlsx", "bytes": 3}, "out/2025/b.csv"],
            "timings": {"write_ms": 1},
        });
        let pretty = serde_json::to_string_pretty(&run).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.json");
        std::fs::write(&path, &pretty).unwrap();
        let found = outputs_at_end(&path).unwrap();
        let files: Vec<&str> = found.iter().map(Output::file).collect();
        assert_eq!(files, ["out/2025/a.xlsx", "out/2025/b.csv"]);
        // Further from the end than the first look reaches.
        let mut long = run.clone();
        long["timings"]["note"] = "x".repeat(3 << 20).into();
        std::fs::write(&path, serde_json::to_string_pretty(&long).unwrap()).unwrap();
        assert_eq!(outputs_at_end(&path).unwrap().len(), 2);
        // Written on one line, the key is not where a run writes it: the
        // whole file is parsed instead.
        std::fs::write(&path, run.to_string()).unwrap();
        assert!(outputs_at_end(&path).is_none());
        assert_eq!(outputs_listed(dir.path()), ["a.xlsx", "b.csv"]);
    }

    #[test]
    fn the_set_is_swapped_in_whole_and_foreign_files_are_kept() {
        let out = tempfile::tempdir().unwrap();
        let year = out.path().join("2025");
        std::fs::create_dir_all(&year).unwrap();
        std::fs::write(year.join("old.xlsx"), "old").unwrap();
        std::fs::write(year.join("older.csv"), "listed by an earlier version").unwrap();
        std::fs::write(year.join("备忘.txt"), "the office's own note").unwrap();
        std::fs::write(
            year.join("run.json"),
            r#"{"returns": [{"cells": []}], "outputs": [{"file": "out/2025/old.xlsx", "bytes": 3}, "out/2025/older.csv"]}"#,
        )
        .unwrap();
        let stage = Stage::begin(&out.path().join("2025"), Duration::ZERO, &quiet).unwrap();
        std::fs::write(stage.dir().join("new.xlsx"), "new").unwrap();
        std::fs::write(stage.dir().join("run.json"), "{}").unwrap();
        stage.commit().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&year)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["new.xlsx", "run.json", "备忘.txt"]);
        // Nothing is left beside OUT/2025 but the lock.
        let beside: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n != "2025")
            .collect();
        assert_eq!(beside, [".gongkai-2025.lock"]);
    }

    #[test]
    fn a_second_run_is_refused_while_the_first_holds_the_lock_and_names_it() {
        let out = tempfile::tempdir().unwrap();
        let first = Stage::begin(&out.path().join("2025"), Duration::ZERO, &quiet).unwrap();
        let Err(StageError::Busy { holder, .. }) =
            Stage::begin(&out.path().join("2025"), Duration::ZERO, &quiet)
        else {
            panic!("the second run must not get the lock");
        };
        assert!(
            holder.contains(&format!("pid {}", std::process::id())),
            "{holder}"
        );
        drop(first);
        Stage::begin(&out.path().join("2025"), Duration::ZERO, &quiet).unwrap();
    }

    #[test]
    fn what_an_interrupted_run_left_is_removed_and_named() {
        let out = tempfile::tempdir().unwrap();
        let left = out.path().join(".gongkai-2025-staging-99999");
        std::fs::create_dir_all(&left).unwrap();
        std::fs::write(left.join("half.xlsx"), "half").unwrap();
        std::fs::create_dir_all(out.path().join("2025")).unwrap();
        std::fs::write(out.path().join("2025/.gongkai-x.xlsx.part"), "part").unwrap();
        let stage = Stage::begin(&out.path().join("2025"), Duration::ZERO, &quiet).unwrap();
        assert_eq!(stage.leftovers.len(), 2, "{:?}", stage.leftovers);
        assert!(!left.exists());
        drop(stage);
        assert!(
            !out.path()
                .join(format!(".gongkai-2025-staging-{}", std::process::id()))
                .exists(),
            "a run that stops before its commit leaves no staging folder"
        );
    }
}
