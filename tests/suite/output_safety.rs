//! `svcguide build --output` never replaces a folder that is not its own: `/`, the
//! home folder, the content folder or a parent of it, a repository root, or a
//! non-empty folder without the marker file. Each is refused with exit code 1 and
//! a clear message, and nothing on disk changes.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use sha2::{Digest, Sha256};

const ARTICLE: &str = "---\ntitle: 'Only Page'\npermalink: /article/only.html\n---\nHello.";

/// Every path under `root` with a hash of its content (or its link target).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry.unwrap();
        let path = entry.path().to_path_buf();
        let ft = entry.file_type();
        let what = if ft.is_symlink() {
            format!("link -> {}", std::fs::read_link(&path).unwrap().display())
        } else if ft.is_file() {
            format!("{:x}", Sha256::digest(std::fs::read(&path).unwrap()))
        } else {
            "dir".to_string()
        };
        out.insert(path, what);
    }
    out
}

struct Setup {
    dir: tempfile::TempDir,
    content: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("site/content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("only.html.md"), ARTICLE).unwrap();
    Setup { dir, content }
}

fn build(s: &Setup, output: &Path, home: Option<&Path>) -> Output {
    let mut cmd = common::bin();
    cmd.current_dir(s.dir.path())
        .args(["build", "--content"])
        .arg(&s.content)
        .arg("--output")
        .arg(output);
    if let Some(h) = home {
        cmd.env("HOME", h);
    }
    cmd.output().unwrap()
}

/// Refused with exit 1, a message holding `says`, and not a byte changed under the temp dir.
fn assert_refused(s: &Setup, output: &Path, home: Option<&Path>, says: &str) {
    let before = snapshot(s.dir.path());
    let out = build(s, output, home);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "--output {} should be refused: {stderr}",
        output.display()
    );
    assert!(
        stderr.contains("refusing") && stderr.contains(says),
        "message for {} should say `{says}`: {stderr}",
        output.display()
    );
    assert_eq!(
        before,
        snapshot(s.dir.path()),
        "nothing may change when --output {} is refused",
        output.display()
    );
}

#[test]
fn the_root_folder_is_refused() {
    let s = setup();
    let before = snapshot(s.dir.path());
    let out = build(&s, Path::new("/"), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("root folder"));
    assert_eq!(before, snapshot(s.dir.path()));
    // `/.` and `/tmp/..` are the root too.
    for spelled in ["/.", "/tmp/.."] {
        let out = build(&s, Path::new(spelled), None);
        assert_eq!(out.status.code(), Some(1), "{spelled}");
    }
}

#[test]
fn the_home_folder_is_refused() {
    let s = setup();
    let home = s.dir.path().join("home");
    std::fs::create_dir_all(home.join("Documents")).unwrap();
    std::fs::write(home.join("Documents/letter.txt"), "dear").unwrap();
    assert_refused(&s, &home, Some(&home), "home folder");
    // Also when spelled with a trailing `/.`.
    assert_refused(&s, &home.join("."), Some(&home), "home folder");
}

#[test]
fn the_content_folder_and_its_parents_are_refused() {
    let s = setup();
    assert_refused(&s, &s.content, None, "content folder");
    assert_refused(&s, s.content.parent().unwrap(), None, "content folder");
    assert_refused(&s, s.dir.path(), None, "content folder");
    // A symbolic link to the content folder is the content folder.
    let link = s.dir.path().join("link-to-content");
    std::os::unix::fs::symlink(&s.content, &link).unwrap();
    assert_refused(&s, &link, None, "content folder");
    // And `content/..` is its parent.
    assert_refused(&s, &s.content.join(".."), None, "content folder");
    // A folder inside it would be read back as content by the next build (each
    // build used to nest the previous site one level deeper).
    assert_refused(
        &s,
        &s.content.join("public"),
        None,
        "inside the content folder",
    );
    assert_refused(
        &s,
        &s.content.join("a/b"),
        None,
        "inside the content folder",
    );
}

#[test]
fn a_repository_root_is_refused() {
    let s = setup();
    let repo = s.dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    assert_refused(&s, &repo, None, "repository root");
}

#[test]
fn a_foreign_non_empty_folder_is_refused() {
    let s = setup();
    let foreign = s.dir.path().join("photos");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("holiday.jpg"), b"\xff\xd8 not really").unwrap();
    assert_refused(&s, &foreign, None, "did not create");
    // A hidden file is enough to make it someone else's.
    let hidden = s.dir.path().join("hidden");
    std::fs::create_dir_all(&hidden).unwrap();
    std::fs::write(hidden.join(".keep"), "").unwrap();
    assert_refused(&s, &hidden, None, "did not create");
}

#[test]
fn a_file_is_not_an_output_folder() {
    let s = setup();
    let file = s.dir.path().join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let before = snapshot(s.dir.path());
    let out = build(&s, &file, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a folder"));
    assert_eq!(before, snapshot(s.dir.path()));
}

#[test]
fn new_empty_and_own_folders_are_accepted() {
    let s = setup();
    // A folder that does not exist yet (and its parents).
    let fresh = s.dir.path().join("out/deep/public");
    let out = build(&s, &fresh, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(fresh.join(".svcguide-output").is_file());
    assert!(fresh.join("article/only.html").is_file());
    // Its own folder is replaced on the next build.
    std::fs::write(fresh.join("stale.html"), "old").unwrap();
    let out = build(&s, &fresh, None);
    assert!(out.status.success());
    assert!(
        !fresh.join("stale.html").exists(),
        "the old site is replaced"
    );
    // An empty folder is fine too.
    let empty = s.dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(build(&s, &empty, None).status.success());
    // No temp folders are left beside the outputs.
    for parent in [fresh.parent().unwrap(), s.dir.path()] {
        for e in std::fs::read_dir(parent).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            assert!(!name.starts_with(".svcguide-tmp"), "leftover {name}");
        }
    }
}
