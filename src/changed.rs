//! `check --changed` / `--since`: keep only the diagnostics a change is
//! responsible for, while links still resolve against the whole guide.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::diag::{Code, Diagnostic};

/// Files changed since `rev` (committed, staged, unstaged and untracked).
pub fn since(rev: &str) -> Result<Vec<PathBuf>> {
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(top.trim());
    let mut files: Vec<PathBuf> = git(&["diff", "--name-only", rev, "--"])?
        .lines()
        .map(|l| top.join(l))
        .collect();
    files.extend(
        git(&["ls-files", "--others", "--exclude-standard", "--full-name"])?
            .lines()
            .map(|l| top.join(l)),
    );
    Ok(files)
}

fn git(args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .context("cannot run git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn normalise(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs.canonicalize().unwrap_or(abs)
}

/// Keeps diagnostics in the changed content files; template-level (output)
/// diagnostics stay when something outside the content folder changed.
pub fn retain(diags: &mut Vec<Diagnostic>, changed: &[PathBuf], content: &Path) {
    let content = normalise(content);
    let mut rel: Vec<String> = Vec::new();
    let mut outside = false;
    for path in changed {
        let path = normalise(path);
        match path.strip_prefix(&content) {
            Ok(r) => rel.push(
                r.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            ),
            Err(_) => outside = true,
        }
    }
    diags.retain(|d| {
        if d.code == Code::OutputLinkBroken {
            outside
        } else {
            rel.contains(&d.file)
        }
    });
}
