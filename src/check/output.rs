//! Every `href`/`src` of the rendered site, templates included, resolved the way
//! a browser will once the site is served under the configured base path.
//! Links that came from article text are left to `links` (reported once, at
//! the author's line); what remains here are template and generator bugs.

use std::collections::{HashMap, HashSet};

use crate::diag::{Code, Diagnostic};
use crate::guide::{is_external, site_path};
use crate::output::OutFile;

/// `(attribute value, byte offset)` of every href/src in an HTML text.
pub fn attribute_urls(html: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        for (i, m) in html.match_indices(attr) {
            let start = i + m.len();
            if let Some(end) = html[start..].find('"') {
                out.push((
                    crate::text::decode_entities(&html[start..start + end]),
                    start,
                ));
            }
        }
    }
    out.sort_by_key(|(_, at)| *at);
    out
}

/// `content_links`: per output path, the URLs that article text produced.
pub fn check(
    files: &[OutFile],
    base_path: &str,
    content_links: &HashMap<String, HashSet<String>>,
    ids: &HashMap<String, HashSet<String>>,
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let paths: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let html: Vec<&OutFile> = files.iter().filter(|f| f.path.ends_with(".html")).collect();
    let found: Vec<Vec<Diagnostic>> = html
        .par_chunks(256)
        .map(|chunk| {
            // Pages of one folder share most template links: resolve each once per chunk.
            let mut known = HashMap::new();
            let mut diags = Vec::new();
            for file in chunk {
                let ctx = Context {
                    base_path,
                    paths: &paths,
                    ids,
                    from_content: content_links.get(&file.path),
                };
                file_links(file, &ctx, &mut known, &mut diags);
            }
            diags
        })
        .collect();
    diags.extend(found.into_iter().flatten());
}

/// What resolving one file's links needs to know.
struct Context<'a> {
    base_path: &'a str,
    paths: &'a HashSet<&'a str>,
    ids: &'a HashMap<String, HashSet<String>>,
    /// URLs that article text put into this page (reported by `links`).
    from_content: Option<&'a HashSet<String>>,
}

/// Resolutions already made, by (folder of the page, URL).
type Known<'a> = HashMap<(&'a str, String), Option<String>>;

/// Reports the unresolved template links of one HTML file.
fn file_links<'a>(
    file: &'a OutFile,
    ctx: &Context,
    known: &mut Known<'a>,
    diags: &mut Vec<Diagnostic>,
) {
    let html = String::from_utf8_lossy(&file.bytes);
    let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
    for (url, at) in attribute_urls(&html) {
        if url.is_empty() || is_external(&url) || ctx.from_content.is_some_and(|c| c.contains(&url))
        {
            continue;
        }
        // A URL without a path part (`#top`, `?q`) points at the page itself.
        let problem = if url.starts_with(['#', '?']) {
            resolve(&file.path, &url, ctx.base_path, ctx.paths, ctx.ids)
        } else {
            known
                .entry((dir, url.clone()))
                .or_insert_with(|| resolve(&file.path, &url, ctx.base_path, ctx.paths, ctx.ids))
                .clone()
        };
        if let Some(problem) = problem {
            let (line, col) = line_col(&html, at);
            diags.push(
                Diagnostic::new(Code::OutputLinkBroken, &file.path, line, col, format!("the rendered page links to `{url}`, which {problem}"))
                    .target(&url)
                    .help("the link comes from a template or the generator (not from article text): fix the template"),
            );
        }
    }
}

fn resolve(
    from: &str,
    url: &str,
    base_path: &str,
    paths: &HashSet<&str>,
    ids: &HashMap<String, HashSet<String>>,
) -> Option<String> {
    let local = if let Some(abs) = url.strip_prefix('/') {
        // A root-relative URL must stay under the base path the site is served at.
        let Some(inside) = format!("/{abs}")
            .strip_prefix(base_path)
            .map(str::to_string)
        else {
            return Some(format!("lies outside the base path `{base_path}`"));
        };
        format!("/{inside}")
    } else {
        url.to_string()
    };
    let (path, fragment) = site_path(from, &local);
    if !paths.contains(path.as_str()) {
        return Some("is not a file of the site".to_string());
    }
    match fragment {
        Some(f)
            if !f.is_empty()
                && path.ends_with(".html")
                && !ids.get(&path).is_some_and(|k| k.contains(&f)) =>
        {
            Some(format!("has no element with id `{f}`"))
        }
        _ => None,
    }
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, html: &str) -> OutFile {
        OutFile {
            path: path.into(),
            bytes: html.as_bytes().to_vec(),
        }
    }

    #[test]
    fn template_links_are_resolved_under_the_base_path() {
        let files = vec![
            file(
                "index.html",
                r#"<a href="article/a.html#x">a</a> <a href="nope.html">n</a> <link href="theme/s.css">"#,
            ),
            file(
                "article/a.html",
                r#"<h2 id="x"></h2><a href="../index.html">home</a> <a href="/guide/index.html">abs</a> <a href="/elsewhere/x.html">out</a> <a href="../index.html#missing">m</a>"#,
            ),
            file("theme/s.css", ""),
        ];
        let ids = crate::check::ids_by_path(&files);
        let mut diags = vec![];
        check(&files, "/guide/", &HashMap::new(), &ids, &mut diags);
        crate::diag::normalise(&mut diags);
        let found: Vec<_> = diags
            .iter()
            .map(|d| (d.file.as_str(), d.target.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                ("article/a.html", "/elsewhere/x.html"),
                ("article/a.html", "../index.html#missing"),
                ("index.html", "nope.html")
            ]
        );
    }

    #[test]
    fn content_links_are_left_to_the_content_check() {
        let files = vec![file("index.html", r#"<a href="gone.html">g</a>"#)];
        let content = HashMap::from([(
            "index.html".to_string(),
            HashSet::from(["gone.html".to_string()]),
        )]);
        let mut diags = vec![];
        check(&files, "/", &content, &HashMap::new(), &mut diags);
        assert!(diags.is_empty());
    }
}
