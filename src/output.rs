//! Writing the site: build into a fresh folder beside the output, then swap it in
//! atomically, so a failed or killed build leaves the previous site whole. A
//! marker file tells svcguide which folders it made; it never deletes others.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Present in every folder svcguide writes.
pub const MARKER: &str = ".svcguide-output";
const TEMP_PREFIX: &str = ".svcguide-tmp-";

/// One file of the site, path relative to the output folder.
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Refuses output folders that would destroy something that is not ours.
pub fn check_output_dir(out: &Path, content: &Path) -> Result<()> {
    let abs = absolute(out)?;
    let content = absolute(content)?;
    if abs.parent().is_none() {
        bail!(
            "refusing to write the site to the root folder {}",
            abs.display()
        );
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        if abs == absolute(&home)? {
            bail!(
                "refusing to write the site to the home folder {}",
                abs.display()
            );
        }
    }
    if content.starts_with(&abs) {
        bail!(
            "refusing to write the site to {}: it holds the content folder {}",
            abs.display(),
            content.display()
        );
    }
    if abs.starts_with(&content) {
        bail!(
            "refusing to write the site to {}: it is inside the content folder {} (each build would copy the previous site into the next)",
            abs.display(),
            content.display()
        );
    }
    if abs.join(".git").exists() {
        bail!(
            "refusing to write the site to {}: it is a repository root",
            abs.display()
        );
    }
    if abs.exists() {
        if !abs.is_dir() {
            bail!("{} exists and is not a folder", abs.display());
        }
        let empty = fs::read_dir(&abs)?.next().is_none();
        if !empty && !abs.join(MARKER).exists() {
            bail!(
                "refusing to replace {}: it is not empty and svcguide did not create it (no {MARKER} file); choose another --output or empty it",
                abs.display()
            );
        }
    }
    Ok(())
}

/// An absolute, normalised path, even for a path that does not exist yet.
fn absolute(p: &Path) -> Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    // Canonicalise the longest existing ancestor so symlinks cannot dodge the checks.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        if name == ".." {
            out.pop();
        } else if name != "." {
            out.push(name);
        }
    }
    Ok(out)
}

/// Where a build puts its files as it makes them.
pub trait Sink: Sync {
    fn put(&self, file: OutFile) -> Result<()>;

    /// Every file has been put: the sink may publish them. The build calls it
    /// once, while its checks still run (they only read what the files were).
    fn close(&self) -> Result<()> {
        Ok(())
    }
}

/// Keeps the files in memory (`serve`, tests).
#[derive(Default)]
pub struct Memory(std::sync::Mutex<Vec<OutFile>>);

impl Sink for Memory {
    fn put(&self, file: OutFile) -> Result<()> {
        self.0.lock().expect("no panic while pushing").push(file);
        Ok(())
    }
}

impl Memory {
    /// The files, sorted by path.
    pub fn into_files(self) -> Vec<OutFile> {
        let mut files = self.0.into_inner().expect("no panic while pushing");
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

/// Drops the files (`check` only needs what the build learnt from them).
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _file: OutFile) -> Result<()> {
        Ok(())
    }
}

/// Writes files into a fresh folder beside the output as they come; [`Sink::close`]
/// (or [`Staging::finish`]) swaps it in. Dropped before that (an error, a panic),
/// it removes the folder.
///
/// One thread does the writing: creating thousands of files in one folder from
/// several threads makes them queue on the folder's lock in the kernel (on ext4,
/// four times the system time), and the render threads need not wait on the disk.
pub struct Staging {
    temp: PathBuf,
    out: PathBuf,
    /// The writer and its queue; both taken when the site is closed.
    writer: Mutex<Writer>,
    /// The first write error; the writer stops there.
    failed: Arc<Mutex<Option<String>>>,
}

#[derive(Default)]
struct Writer {
    queue: Option<SyncSender<OutFile>>,
    thread: Option<JoinHandle<()>>,
    /// Swapped in: nothing to clean up on drop.
    done: bool,
}

impl Staging {
    pub fn begin(out: &Path) -> Result<Staging> {
        let out = absolute(out)?;
        let parent = out.parent().context("output folder has no parent")?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        clean_leftovers(parent, &out);
        let name = out
            .file_name()
            .context("output folder has no name")?
            .to_string_lossy()
            .to_string();
        let temp = parent.join(format!("{TEMP_PREFIX}{name}-{}", std::process::id()));
        if temp.exists() {
            fs::remove_dir_all(&temp)?;
        }
        fs::create_dir(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
        // The marker first: a build killed from here on leaves a folder the next one cleans.
        fs::write(
            temp.join(MARKER),
            b"This folder was written by svcguide; it may replace it on the next build.\n",
        )?;
        // Bounded, so files never pile up in memory faster than the disk takes them.
        let (queue, files) = std::sync::mpsc::sync_channel::<OutFile>(64);
        let failed: Arc<Mutex<Option<String>>> = Arc::default();
        let writer = {
            let (temp, out, failed) = (temp.clone(), out.clone(), failed.clone());
            std::thread::Builder::new()
                .name("svcguide-writer".into())
                .spawn(move || {
                    let mut folders = Folders::new(&temp, &out);
                    for file in files {
                        if let Err(e) = write_one(&mut folders, &file) {
                            *failed.lock().expect("writer error slot") = Some(format!("{e:#}"));
                            return;
                        }
                    }
                })?
        };
        Ok(Staging {
            temp,
            out,
            writer: Mutex::new(Writer {
                queue: Some(queue),
                thread: Some(writer),
                done: false,
            }),
            failed,
        })
    }

    /// Waits for the writer; the first write error, if any.
    fn drain(writer: &mut Writer, failed: &Mutex<Option<String>>) -> Result<()> {
        drop(writer.queue.take());
        if let Some(thread) = writer.thread.take() {
            thread
                .join()
                .map_err(|_| anyhow::anyhow!("the file writer panicked"))?;
        }
        match failed.lock().expect("writer error slot").take() {
            Some(e) => Err(anyhow::anyhow!(e)),
            None => Ok(()),
        }
    }

    /// Moves the written site into place, once every file is on disk (what
    /// [`Sink::close`] does, for callers that own the staging).
    pub fn finish(self) -> Result<()> {
        self.close()
    }
}

impl Sink for Staging {
    fn put(&self, file: OutFile) -> Result<()> {
        // A sender of its own, so no lock is held while the queue is full.
        let queue = self
            .writer
            .lock()
            .expect("no panic while holding the writer")
            .queue
            .clone();
        let Some(queue) = queue else {
            bail!("the site was already closed: {} came too late", file.path);
        };
        if queue.send(file).is_err() {
            // The writer stopped on an error: report it.
            let e = self.failed.lock().expect("writer error slot").clone();
            bail!(e.unwrap_or_else(|| "the file writer stopped".into()));
        }
        Ok(())
    }

    fn close(&self) -> Result<()> {
        let mut writer = self
            .writer
            .lock()
            .expect("no panic while holding the writer");
        if writer.done {
            return Ok(());
        }
        Staging::drain(&mut writer, &self.failed)?;
        writer.done = true;
        swap_in(&self.temp, &self.out)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let writer = self.writer.get_mut().unwrap_or_else(|e| e.into_inner());
        if !writer.done {
            let _ = Staging::drain(writer, &self.failed);
            let _ = remove_ours(&self.temp);
        }
    }
}

/// Writes `files` as the new content of `out`, atomically replacing the old site.
pub fn write_site(out: &Path, files: &[OutFile]) -> Result<()> {
    let staging = Staging::begin(out)?;
    for f in files {
        staging.put(OutFile {
            path: f.path.clone(),
            bytes: f.bytes.clone(),
        })?;
    }
    staging.finish()
}

/// The writer's folders: the new site's, and the previous site's when there is one.
struct Folders {
    temp: PathBuf,
    /// `None` when there is no previous site to keep files of.
    old: Option<PathBuf>,
    /// Folders of the new site made so far (each checked once, not per file).
    made: std::collections::HashSet<PathBuf>,
    /// Where previous files are read to be compared.
    buffer: Vec<u8>,
}

impl Folders {
    fn new(temp: &Path, old: &Path) -> Folders {
        Folders {
            temp: temp.to_path_buf(),
            old: old.is_dir().then(|| old.to_path_buf()),
            made: std::collections::HashSet::from([temp.to_path_buf()]),
            buffer: vec![0; 64 * 1024],
        }
    }
}

/// Writes one file; unchanged files are hard-linked from the old site so they keep
/// their timestamps (rsync-style deploys stay small).
fn write_one(folders: &mut Folders, f: &OutFile) -> Result<()> {
    let dest = folders.temp.join(&f.path);
    if let Some(dir) = dest.parent() {
        if !folders.made.contains(dir) {
            fs::create_dir_all(dir)?;
            folders.made.insert(dir.to_path_buf());
        }
    }
    if let Some(old) = &folders.old {
        let previous = old.join(&f.path);
        if holds(&previous, &f.bytes, &mut folders.buffer)
            && fs::hard_link(&previous, &dest).is_ok()
        {
            return Ok(());
        }
    }
    fs::write(&dest, &f.bytes).with_context(|| format!("cannot write {}", dest.display()))
}

/// Whether the file at `path` holds exactly `bytes`: one open, one `fstat` and
/// (for a page) one read into `buffer`, not a path `stat` and a fresh copy.
fn holds(path: &Path, bytes: &[u8], buffer: &mut [u8]) -> bool {
    use std::io::Read;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    // Non-blocking, so a FIFO someone left under a page's name cannot hang the
    // build at `open` (the `fstat` below then refuses anything but a file).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let Ok(mut file) = options.open(path) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
    {
        return false;
    }
    let mut rest = bytes;
    while !rest.is_empty() {
        let want = rest.len().min(buffer.len());
        if file.read_exact(&mut buffer[..want]).is_err() || buffer[..want] != rest[..want] {
            return false;
        }
        rest = &rest[want..];
    }
    true
}

/// Moves the new folder into place: one atomic exchange where the OS offers it.
fn swap_in(temp: &Path, out: &Path) -> Result<()> {
    if !out.exists() {
        fs::rename(temp, out)
            .with_context(|| format!("cannot move the new site to {}", out.display()))?;
        return Ok(());
    }
    if exchange(temp, out) {
        // `temp` now holds the previous site.
        remove_ours(temp)
            .with_context(|| format!("cannot remove the previous site at {}", temp.display()))?;
        return Ok(());
    }
    let old = temp.with_extension("old");
    fs::rename(out, &old)?;
    fs::rename(temp, out)?;
    remove_ours(&old)?;
    Ok(())
}

/// Removes a folder svcguide wrote, its marker last: a removal cut short by a
/// kill leaves a folder that still says it is ours, so the next build cleans it.
fn remove_ours(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    match fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(ca), Ok(cb)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: both pointers are valid NUL-terminated paths for the duration of the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    rc == 0
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

/// Removes temp folders of earlier builds that were killed (only ours: marker inside).
fn clean_leftovers(parent: &Path, out: &Path) {
    let Some(name) = out.file_name().map(|n| n.to_string_lossy().to_string()) else {
        return;
    };
    let prefix = format!("{TEMP_PREFIX}{name}-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        let path = entry.path();
        if file_name.starts_with(&prefix) && path.join(MARKER).exists() {
            let _ = remove_ours(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutFile {
        OutFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn writes_swaps_and_keeps_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a.html", "one"), file("d/b.html", "two")]).unwrap();
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
        let before = inode(&out.join("a.html"));
        write_site(&out, &[file("a.html", "one"), file("c.html", "three")]).unwrap();
        assert_eq!(inode(&out.join("a.html")), before, "unchanged file is kept");
        assert!(!out.join("d/b.html").exists());
        assert_eq!(fs::read_to_string(out.join("c.html")).unwrap(), "three");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp folders left");
    }

    #[test]
    fn holds_compares_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.html");
        fs::write(&path, "0123456789").unwrap();
        // A buffer smaller than the file: the comparison goes chunk by chunk.
        let mut buffer = [0u8; 4];
        assert!(holds(&path, b"0123456789", &mut buffer));
        assert!(
            !holds(&path, b"012345678X", &mut buffer),
            "last chunk differs"
        );
        assert!(
            !holds(&path, b"X123456789", &mut buffer),
            "first chunk differs"
        );
        assert!(!holds(&path, b"012345678", &mut buffer), "shorter");
        assert!(!holds(&path, b"01234567890", &mut buffer), "longer");
        assert!(
            !holds(&dir.path().join("none"), b"", &mut buffer),
            "missing"
        );
        assert!(!holds(dir.path(), b"", &mut buffer), "a folder");
        fs::write(&path, "").unwrap();
        assert!(holds(&path, b"", &mut buffer), "empty");
        // A FIFO under a page's name is refused without waiting for a writer.
        let fifo = dir.path().join("fifo.html");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let (done, answer) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(holds(&fifo, b"", &mut [0u8; 4])).unwrap());
        let held = answer.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(held, Ok(false), "a FIFO is not a previous page");
    }

    #[test]
    fn close_publishes_once_and_refuses_later_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = Staging::begin(&out).unwrap();
        staging.put(file("a.html", "one")).unwrap();
        assert!(!out.exists(), "nothing is published before close");
        staging.close().unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "one");
        staging.close().unwrap();
        let late = staging.put(file("b.html", "two")).unwrap_err();
        assert!(late.to_string().contains("b.html"), "{late}");
        drop(staging);
        assert!(
            out.join("a.html").exists(),
            "a closed site stays after drop"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp folders left");
    }

    #[test]
    fn a_staging_dropped_before_close_leaves_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a.html", "old")]).unwrap();
        let staging = Staging::begin(&out).unwrap();
        staging.put(file("a.html", "new")).unwrap();
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "old");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "the unfinished folder is removed");
    }

    #[test]
    fn leftovers_are_removed_only_while_marked() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // A removal cut short by a kill: the marker (removed last) is still there.
        let cut = dir.path().join(".svcguide-tmp-public-1");
        fs::create_dir_all(cut.join("article")).unwrap();
        fs::write(cut.join(MARKER), "").unwrap();
        fs::write(cut.join("article/a.html"), "a").unwrap();
        // Someone else's folder that happens to share the prefix: no marker.
        let foreign = dir.path().join(".svcguide-tmp-public-2");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "k").unwrap();
        clean_leftovers(dir.path(), &out);
        assert!(!cut.exists());
        assert!(foreign.join("keep.txt").exists());
        // remove_ours takes everything, marker included.
        fs::create_dir_all(cut.join("d/e")).unwrap();
        fs::write(cut.join(MARKER), "").unwrap();
        fs::write(cut.join("d/e/f.html"), "f").unwrap();
        std::os::unix::fs::symlink("/etc", cut.join("link")).unwrap();
        remove_ours(&cut).unwrap();
        assert!(!cut.exists());
        assert!(
            Path::new("/etc").exists(),
            "a symlink is removed, not followed"
        );
    }

    #[test]
    fn refuses_foreign_and_dangerous_folders() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(&content).unwrap();
        assert!(check_output_dir(Path::new("/"), &content).is_err());
        assert!(check_output_dir(&content, &content).is_err());
        assert!(
            check_output_dir(dir.path(), &content).is_err(),
            "parent of content"
        );
        let foreign = dir.path().join("foreign");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "x").unwrap();
        assert!(check_output_dir(&foreign, &content).is_err());
        assert!(check_output_dir(&dir.path().join("new"), &content).is_ok());
        assert!(
            check_output_dir(&content.join("public"), &content).is_err(),
            "inside the content folder"
        );
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        assert!(check_output_dir(&repo, &content).is_err());
    }
}
