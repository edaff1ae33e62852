//! `check --changed` / `--since`: keep the diagnostics a change is responsible
//! for. That is every diagnostic in the changed files, and those it causes in
//! files it did not touch: links into a page that was deleted, renamed or given
//! a new permalink, `#fragment`s into a changed page (a removed heading), a
//! clash or dependency warning whose other article changed, and the
//! dependency loops a changed article is in. Links always resolve against the
//! whole guide.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diag::{Code, Diagnostic};
use crate::guide::{Guide, Resolved};

/// What a change touched.
#[derive(Debug, Default)]
pub struct Change {
    /// Changed files, absolute, present or gone.
    pub paths: Vec<PathBuf>,
    /// The earlier text of changed, renamed or deleted files (from git), where
    /// known: their earlier permalinks are what other articles may still link to.
    pub before: Vec<(PathBuf, Vec<u8>)>,
}

/// Files changed since `rev` (committed, staged, unstaged and untracked), with
/// their text at `rev`.
pub fn since(rev: &str) -> Result<Change> {
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    let status =
        git(&["diff", "--name-status", "-M", rev, "--"]).map_err(|e| shallow_hint(e, rev))?;
    let mut change = Change::default();
    for line in status.lines() {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or_default();
        let names: Vec<&str> = fields.collect();
        for name in &names {
            change.paths.push(top.join(name));
        }
        // The first name is the file as it was (for a rename, its old name).
        if !kind.starts_with('A') {
            if let Some(old) = names.first() {
                if let Ok(text) = git_bytes(&["show", &format!("{rev}:{old}")]) {
                    change.before.push((top.join(old), text));
                }
            }
        }
    }
    change.paths.extend(
        git(&["ls-files", "--others", "--exclude-standard", "--full-name"])?
            .lines()
            .map(|l| top.join(l)),
    );
    Ok(change)
}

/// `--changed` paths: as `check` prints them (relative to the current folder),
/// relative to the content folder, or absolute. Each must name a file, or a file
/// git knows at HEAD (a deleted article); otherwise the path is a mistake.
pub fn given(paths: &[PathBuf], content: &Path) -> Result<Change> {
    let mut change = Change::default();
    for p in paths {
        let candidates = [std::path::absolute(p)?, content.join(p)];
        let found = candidates.iter().find(|c| c.is_file()).cloned();
        let at_head = candidates
            .iter()
            .find_map(|c| at_head(c).map(|text| (c.clone(), text)));
        match (found, at_head) {
            (Some(path), before) => {
                if let Some((old, text)) = before.filter(|(old, _)| *old == path) {
                    change.before.push((old, text));
                }
                change.paths.push(path);
            }
            (None, Some((old, text))) => {
                change.paths.push(old.clone());
                change.before.push((old, text));
            }
            (None, None) => bail!(
                "--changed {}: no such file (looked at {} and {}), and git knows no file there",
                p.display(),
                crate::load::shown(&candidates[0]),
                crate::load::shown(&candidates[1]),
            ),
        }
    }
    Ok(change)
}

/// The file's text at HEAD, when it is in a git repository that has it.
fn at_head(path: &Path) -> Option<Vec<u8>> {
    let dir = path.parent()?;
    let name = path.file_name()?.to_str()?;
    let out = Command::new("git")
        .current_dir(existing_ancestor(dir)?)
        .args(["show", &format!("HEAD:./{}", rel_from_ancestor(dir, name)?)])
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

fn existing_ancestor(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|a| a.is_dir())
}

/// `name` in `dir`, relative to the nearest existing ancestor of `dir` (where
/// git runs; `HEAD:./x` is relative to it).
fn rel_from_ancestor(dir: &Path, name: &str) -> Option<String> {
    let base = existing_ancestor(dir)?;
    let rel = dir.strip_prefix(base).ok()?;
    let mut s: String = rel
        .components()
        .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
        .collect();
    s.push_str(name);
    Some(s)
}

/// On a shallow clone, a missing revision needs more history, not a new name.
fn shallow_hint(e: anyhow::Error, rev: &str) -> anyhow::Error {
    let shallow = git(&["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s.trim() == "true");
    if shallow {
        e.context(format!(
            "this is a shallow clone, so `{rev}` may be outside its history: fetch more \
             (actions/checkout with `fetch-depth: 0`, or `git fetch --deepen=50`)"
        ))
    } else {
        e
    }
}

fn git(args: &[&str]) -> Result<String> {
    Ok(String::from_utf8_lossy(&git_bytes(args)?).into_owned())
}

fn git_bytes(args: &[&str]) -> Result<Vec<u8>> {
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
    Ok(out.stdout)
}

fn normalise(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs.canonicalize().unwrap_or(abs)
}

/// `path` relative to `content` (`/`-separated), when it is inside it. A file
/// that is gone cannot be canonicalised: its folder is.
fn content_rel(path: &Path, content: &Path) -> Option<String> {
    let path = match path.canonicalize() {
        Ok(p) => p,
        Err(_) => normalise(path.parent()?).join(path.file_name()?),
    };
    let rel = path.strip_prefix(content).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// What other articles' dependency warnings read of an article: the links
/// of its Depends and Supports, and its first recommended state (as text).
type Relations = (Vec<Option<String>>, Vec<Option<String>>, String);

fn relations(page: &crate::page::Page) -> Option<Relations> {
    fn hrefs(list: &crate::service::refs::RefList) -> Vec<Option<String>> {
        list.items()
            .iter()
            .map(|i| i.value.as_ref().and_then(|r| r.href.clone()))
            .collect()
    }
    let s = page.service()?;
    let recommended = s.recommended.first().map(|i| {
        let value = i.value.as_ref().map(|v| (v.state, v.condition.clone()));
        (value, i.scope.is_all())
    });
    Some((
        hrefs(&s.depends),
        hrefs(&s.supports),
        format!("{recommended:?}"),
    ))
}

/// The files of the services that share a dependency loop (a strongly
/// connected component of Depends links) with a service of a changed file.
fn loops_through<'g>(guide: &'g Guide, files: &FxHashSet<String>) -> FxHashSet<&'g str> {
    let (comp, _) = crate::impact::components(&guide.depends_on);
    let changed: FxHashSet<usize> = guide
        .pages
        .iter()
        .enumerate()
        .filter(|(i, p)| files.contains(&p.src.rel) && !guide.depends_on[*i].is_empty())
        .map(|(i, _)| comp[i])
        .collect();
    guide
        .pages
        .iter()
        .enumerate()
        .filter(|(i, _)| changed.contains(&comp[*i]))
        .map(|(_, p)| p.src.rel.as_str())
        .collect()
}

/// Keeps the diagnostics the change is responsible for (see the module comment);
/// template-level (output) diagnostics stay when something outside the content
/// folder changed.
pub fn retain(diags: &mut Vec<Diagnostic>, change: &Change, content: &Path, guide: &Guide) {
    let content = normalise(content);
    let mut files: FxHashSet<String> = FxHashSet::default();
    let mut outside = false;
    for path in &change.paths {
        match content_rel(path, &content) {
            Some(rel) => {
                files.insert(rel);
            }
            None => outside = true,
        }
    }
    // Output paths the change touched, now and before: what other pages' links
    // into it may have lost.
    let mut touched: FxHashSet<String> = guide
        .pages
        .iter()
        .filter(|p| files.contains(&p.src.rel))
        .map(|p| p.out_path.clone())
        .collect();
    // Changed files whose relations (Depends, Supports, recommended state)
    // are as they were: the dependency warnings of other articles that name
    // them were there before the change.
    let mut same_relations: FxHashSet<String> = FxHashSet::default();
    let mut known_before: FxHashSet<String> = FxHashSet::default();
    let by_rel: FxHashMap<&str, &crate::page::Page> = guide
        .pages
        .iter()
        .map(|p| (p.src.rel.as_str(), p))
        .collect();
    for (path, text) in &change.before {
        let Some(rel) = content_rel(path, &content) else {
            continue;
        };
        known_before.insert(rel.clone());
        if let Ok(src) = crate::source::Source::from_bytes(&rel, path, text) {
            if let Some(page) = crate::page::parse(src, &mut Vec::new()) {
                let now = by_rel.get(rel.as_str());
                if now.is_some_and(|now| relations(now) == relations(&page)) {
                    same_relations.insert(rel.clone());
                }
                touched.insert(page.out_path);
            }
        }
    }
    let caused = |rel: &String| files.contains(rel) && !same_relations.contains(rel);
    // Without git, a changed file's earlier permalink is unknown; the page its
    // file name gives (`x.html.md` → `x.html`) is the one links most likely
    // meant (the guide names files after their permalinks).
    let file_pages: FxHashSet<String> = files
        .iter()
        .filter(|rel| !known_before.contains(*rel))
        .filter_map(|rel| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            crate::load::strip_markdown_extension(name).map(str::to_lowercase)
        })
        .collect();
    let page_of: FxHashMap<&str, &str> = guide
        .pages
        .iter()
        .map(|p| (p.src.rel.as_str(), p.out_path.as_str()))
        .collect();
    // A cycle is every member's problem: the loops the changed pages are in.
    let relinked: FxHashSet<String> = files
        .iter()
        .filter(|rel| !same_relations.contains(*rel))
        .cloned()
        .collect();
    let in_changed_loop = loops_through(guide, &relinked);
    diags.retain(|d| {
        if d.code == Code::GraphCycle && in_changed_loop.contains(d.file.as_str()) {
            return true;
        }
        if d.code == Code::OutputLinkBroken {
            return outside;
        }
        if files.contains(&d.file) {
            return true;
        }
        // A clash involves both articles: a new file that takes an old one's
        // permalink is the change, wherever the diagnostic stands. A
        // dependency warning is the change's when it altered what it reads.
        let graph = matches!(
            d.code,
            Code::GraphDependsUnmirrored
                | Code::GraphSupportsUnmirrored
                | Code::GraphDisabledDependency
        );
        if d.related
            .as_ref()
            .is_some_and(|r| if graph { caused(r) } else { files.contains(r) })
        {
            return true;
        }
        let (Some(target), Some(from)) = (&d.target, page_of.get(d.file.as_str())) else {
            return false;
        };
        match (d.code, guide.resolve(from, target)) {
            (Code::LinkBroken | Code::RefUnwritten, Resolved::Missing { path }) => {
                let name = path.rsplit('/').next().unwrap_or(&path).to_lowercase();
                touched.contains(&path) || file_pages.contains(&name)
            }
            (Code::LinkFragment, Resolved::Page { index, .. }) => {
                touched.contains(&guide.pages[index].out_path)
            }
            _ => false,
        }
    });
}
