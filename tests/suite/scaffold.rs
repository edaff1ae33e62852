//! `svcguide new` and `svcguide completions`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::copy_dir;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_svcguide"))
}

fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/content"),
        &content,
    );
    (dir, content)
}

fn new(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .arg("new")
        .args(args)
        .args(["--content", "content"])
        .output()
        .unwrap()
}

fn check(dir: &Path) -> Value {
    let o = bin()
        .current_dir(dir)
        .args(["check", "--format", "json", "--content", "content"])
        .output()
        .unwrap();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {o:?}"))
}

fn diags_for<'a>(report: &'a Value, file: &str) -> Vec<&'a Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file)
        .collect()
}

#[test]
fn new_writes_a_house_format_article_that_check_reads_as_todo_only() {
    let (dir, content) = site();
    let o = new(dir.path(), &["Helper_Svc", "--title", "Helper's & Service"]);
    assert!(o.status.success(), "{o:?}");
    let printed = String::from_utf8(o.stdout).unwrap();
    let path = PathBuf::from(printed.trim());
    assert_eq!(
        path,
        content.join("services/winnt-services-helper_svc.html.md")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.ends_with('\n'), "house format: no newline at the end");
    assert!(text.starts_with("---\ntitle: 'Helper''s & Service'\n"));
    // Fresh id: the highest in the guide (520, the how-to page) plus one.
    assert!(text.contains("\nid: 521\n"), "{text}");
    assert!(text.contains("\npermalink: /article/winnt-services-helper_svc.html\n"));
    assert!(text.contains("\ncategory:\n    - 'Services Guide'\n"));
    assert!(text.contains("\ntag:\n    - helper_svc\n"));
    // Same ISO form as the export: '2000-06-06T16:43:14+02:00'.
    let date = text
        .lines()
        .find_map(|l| l.strip_prefix("date: '"))
        .unwrap()
        .trim_end_matches('\'');
    assert_eq!(date.len(), 25, "{date}");
    assert_eq!(&date[4..5], "-");
    assert_eq!(&date[10..11], "T");
    assert!(matches!(&date[19..20], "+" | "-"), "{date}");
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("##### ")).collect();
    assert_eq!(
        headings,
        [
            "##### Description:",
            "##### Recommended State:",
            "##### Default State:",
            "##### Process Name:",
            "##### Supports:",
            "##### Depends:"
        ]
    );

    // `check` reports what is left to write, and nothing else about the file.
    let report = check(dir.path());
    let rel = "services/winnt-services-helper_svc.html.md";
    let mine = diags_for(&report, rel);
    assert_eq!(mine.len(), 8, "{mine:#?}");
    for d in &mine {
        assert_eq!(d["code"], "scaffold-todo", "{d}");
        assert_eq!(d["severity"], "warning");
        assert!(d["message"]
            .as_str()
            .unwrap()
            .starts_with("still to fill in: "));
    }
    // The scaffold builds into a page.
    let out = dir.path().join("out");
    let b = bin()
        .current_dir(dir.path())
        .args(["build", "-q", "--content", "content", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(b.status.success(), "{b:?}");
    assert!(out.join("article/winnt-services-helper_svc.html").exists());

    // Once the author has written the article, nothing is reported.
    let done = text
        .replace(
            "TODO: say what the Helper's & Service service does, which programs and features need it, and what stops working when it is stopped or disabled.",
            "Helps other services.",
        )
        .replace(
            "- Manual, TODO: the state you recommend and when, like `Disabled, if not having a printer.` (one item per case)",
            "- Manual",
        )
        .replace(
            "Manual (TODO: the startup type after a clean install, one item per Windows version)",
            "Manual",
        )
        .replace("Manual (TODO: or Automatic, Disabled, Not installed)", "Automatic")
        .replace("Not installed (TODO: or the startup type)", "Not installed")
        .replace(
            "(Helper\\_Svc, TODO: the program that runs the service, like `services.exe` or `svchost.exe -k LocalService`)",
            "(Helper\\_Svc)",
        );
    let done = done
        .lines()
        .map(|l| {
            if l.starts_with("- None (TODO:") {
                "- None"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!done.contains("TODO"), "{done}");
    std::fs::write(&path, done).unwrap();
    let report = check(dir.path());
    assert!(diags_for(&report, rel).is_empty(), "{report:#}");
}

#[test]
fn new_refuses_to_overwrite_or_to_take_a_used_permalink() {
    let (dir, content) = site();
    let o = new(dir.path(), &["Probe"]);
    assert!(o.status.success(), "{o:?}");
    let path = content.join("services/winnt-services-probe.html.md");
    std::fs::write(&path, "mine").unwrap();
    let o = new(dir.path(), &["Probe"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not overwriting"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");

    // Another file already has the permalink.
    let other = std::fs::read_to_string(content.join("services/svc-event.html.md"))
        .unwrap()
        .replace(
            "/article/svc-event.html",
            "/article/winnt-services-taken.html",
        );
    std::fs::write(content.join("services/elsewhere.html.md"), other).unwrap();
    let o = new(dir.path(), &["Taken"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("elsewhere.html.md"));
    assert!(!content
        .join("services/winnt-services-taken.html.md")
        .exists());

    for bad in ["../escape", "a/b", "x y", ""] {
        let o = new(dir.path(), &[bad]);
        assert!(!o.status.success(), "{bad:?} accepted");
    }
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert!(o.status.success(), "{shell}: {o:?}");
        let script = String::from_utf8(o.stdout).unwrap();
        assert!(script.contains("svcguide"), "{shell}");
        assert!(script.contains("serve"), "{shell}");
    }
    assert!(!bin()
        .args(["completions", "tcsh"])
        .output()
        .unwrap()
        .status
        .success());
}
