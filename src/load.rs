//! Walking the content folder: articles become pages (in parallel), other files
//! are static assets copied as they are.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::{Code, Diagnostic};
use crate::page::{self, Page};
use crate::source::{LoadProblem, Source};

/// A non-Markdown file under the content folder, copied to the same place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub rel: String,
    pub path: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(
            relative_to(&p("/r/content"), &p("/r/content/a/b.md")),
            "a/b.md"
        );
        assert_eq!(
            relative_to(&p("/r/content"), &p("/r/static/x.js")),
            "../static/x.js"
        );
        assert_eq!(
            relative_to(&p("/r"), &p("/r/content/../static/x.js")),
            "static/x.js"
        );
        assert_eq!(relative_to(&p("/r/a/b"), &p("/r")), "../..");
        assert_eq!(relative_to(&p("/r"), &p("/r")), ".");
    }
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    pub diags: Vec<Diagnostic>,
    /// Articles that could not be read, with the output path their
    /// `permalink:` line names when one can be made out (for the help of
    /// links to them).
    pub unreadable: Vec<(String, Option<String>)>,
}

/// The extensions of article files.
pub const MARKDOWN_EXTENSIONS: [&str; 2] = ["md", "markdown"];

/// Article files: `.md` and `.markdown` (the walk and serve's watcher agree on this).
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| MARKDOWN_EXTENSIONS.contains(&e))
}

/// `name` without an article file's extension (a link to `x.html.md` means
/// the page `x.html`), if it has one.
pub fn strip_markdown_extension(name: &str) -> Option<&str> {
    MARKDOWN_EXTENSIONS
        .iter()
        .find_map(|ext| name.strip_suffix(ext)?.strip_suffix('.'))
}

/// Editor droppings and hidden files are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// True when `path` may be read as content: it resolves (through any symbolic
/// links) to a regular file inside the content folder `canonical_root`. This is
/// the one rule for every reader (the walk, the report's code frames, the dev
/// server), so a link the walk skipped is never read by anything else.
pub fn is_readable_content(canonical_root: &Path, path: &Path) -> bool {
    matches!(path.canonicalize(), Ok(target) if target.starts_with(canonical_root) && target.is_file())
}

/// The path of a content file given by its `rel` path (as diagnostics name it),
/// when [`is_readable_content`] allows reading it.
pub fn readable_content_file(root: &Path, rel: &str) -> Option<PathBuf> {
    let canonical_root = root.canonicalize().ok()?;
    let path = root.join(rel);
    is_readable_content(&canonical_root, &path).then_some(path)
}

/// Finds the files of a content folder, sorted, symlinks kept inside the folder.
pub fn discover(root: &Path, diags: &mut Vec<Diagnostic>) -> (Vec<(String, PathBuf)>, Vec<Asset>) {
    let mut articles = Vec::new();
    let mut assets = Vec::new();
    for (rel, path) in files(root, diags) {
        if is_markdown(&path) {
            articles.push((rel, path));
        } else {
            assets.push(Asset { rel, path });
        }
    }
    (articles, assets)
}

/// Every file of a static folder, Markdown included: all are copied as they are.
/// Problems are reported at the file's path relative to `content` (`../static/x`).
pub fn discover_static(root: &Path, content: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Asset> {
    let mut found = Vec::new();
    let assets = files(root, &mut found)
        .into_iter()
        .map(|(rel, path)| Asset { rel, path })
        .collect();
    for mut d in found {
        d.file = relative_to(content, &root.join(&d.file));
        diags.push(d);
    }
    assets
}

/// `path` relative to the folder `base`, `/`-separated, with `..` where needed
/// (both made absolute first; no symlink is resolved).
pub fn relative_to(base: &Path, path: &Path) -> String {
    // Absolute, with `.` and `..` taken out as written.
    let abs = |p: &Path| {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut out: Vec<std::path::Component> = Vec::new();
        for c in p.components() {
            match c {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir if out.len() > 1 => {
                    out.pop();
                }
                std::path::Component::ParentDir => {}
                c => out.push(c),
            }
        }
        out.iter().collect::<PathBuf>()
    };
    let (base, path) = (abs(base), abs(path));
    let base: Vec<_> = base.components().collect();
    let path: Vec<_> = path.components().collect();
    let common = base.iter().zip(&path).take_while(|(a, b)| a == b).count();
    if common == 0 {
        // Another drive (Windows): only the absolute path names it.
        return path.iter().collect::<PathBuf>().display().to_string();
    }
    let ups = std::iter::repeat_n(std::borrow::Cow::Borrowed(".."), base.len() - common);
    let rel = ups
        .chain(
            path[common..]
                .iter()
                .map(|c| c.as_os_str().to_string_lossy()),
        )
        .collect::<Vec<_>>()
        .join("/");
    if rel.is_empty() {
        ".".to_string()
    } else {
        rel
    }
}

/// A path as the user names it: relative to the current folder.
pub fn shown(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) => relative_to(&cwd, path),
        Err(_) => path.display().to_string(),
    }
}

/// The regular files under `root` (symlinks only to files inside it), sorted,
/// each with its `/`-separated path relative to `root`.
fn files(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e.path().map(|p| rel_path(root, p)).unwrap_or_default();
                diags.push(Diagnostic::new(
                    Code::IoError,
                    &rel,
                    1,
                    1,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        let rel = rel_path(root, path);
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            // Follow a symlink only to a file inside the content folder.
            if !is_readable_content(&canonical_root, path) {
                diags.push(
                    Diagnostic::new(Code::IoError, &rel, 1, 1, "symbolic link skipped: it points outside the content folder, to a folder, or nowhere")
                        .help("copy the file into the content folder instead"),
                );
                continue;
            }
        } else if !file_type.is_file() {
            continue;
        }
        out.push((rel, path.to_path_buf()));
    }
    out
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads one file into a source, or explains why it cannot be one (boxed:
/// a diagnostic is large beside a source, and most files read).
pub fn read_source(rel: &str, path: &Path) -> Result<Source, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Box::new(Diagnostic::new(
            Code::IoError,
            rel,
            1,
            1,
            format!("cannot read the file: {e}"),
        ))
    })?;
    Source::from_bytes(rel, path, &bytes).map_err(|problem| {
        Box::new(match problem {
            LoadProblem::Binary { .. } => Diagnostic::new(
                Code::BinaryFile,
                rel,
                1,
                1,
                "the file holds binary data, not Markdown",
            )
            .help("rename it if it is an image or other asset (only `.md` files are articles)"),
            LoadProblem::Utf16 => Diagnostic::new(
                Code::InvalidUtf8,
                rel,
                1,
                1,
                "the file is UTF-16 (Notepad's \"Unicode\"), not UTF-8",
            )
            .help("save the file as UTF-8 (in Notepad: Save As, Encoding: UTF-8)"),
            LoadProblem::InvalidUtf8 { line, col } => Diagnostic::new(
                Code::InvalidUtf8,
                rel,
                line,
                col,
                "the file is not valid UTF-8",
            )
            .help("save the file as UTF-8 (in Notepad: Save As, Encoding: UTF-8)"),
        })
    })
}

/// Loads and parses every article of the folder.
pub fn load(root: &Path) -> Loaded {
    let mut diags = Vec::new();
    let (articles, assets) = discover(root, &mut diags);
    let parsed: Vec<(Option<Page>, Vec<Diagnostic>)> = articles
        .par_iter()
        .map(|(rel, path)| {
            let mut d = Vec::new();
            let page = match read_source(rel, path) {
                Ok(src) => page::parse(src, &mut d),
                Err(e) => {
                    d.push(*e);
                    None
                }
            };
            (page, d)
        })
        .collect();
    let mut pages = Vec::with_capacity(parsed.len());
    let mut unreadable = Vec::new();
    for ((page, d), (rel, path)) in parsed.into_iter().zip(&articles) {
        // Drafts and clashes are pages still; only a file that made none is unreadable.
        if page.is_none() && d.iter().any(|d| d.code.stops_page()) {
            unreadable.push((rel.clone(), written_permalink(path)));
        }
        diags.extend(d);
        pages.extend(page);
    }
    Loaded {
        pages,
        assets,
        diags,
        unreadable,
    }
}

/// The output path a file's `permalink:` line names, read as plain text (for
/// a file whose front matter YAML could not read): `permalink: /article/x.html`.
fn written_permalink(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let front = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let front = front.strip_prefix("---")?;
    let end = front.find("\n---").unwrap_or(front.len());
    front[..end].lines().find_map(|line| {
        let value = line.strip_prefix("permalink:")?.trim();
        let value = value.trim_matches(['\'', '"']).trim();
        crate::page::permalink_output(value).ok()
    })
}
