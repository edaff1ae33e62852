//! Every `href`/`src` of the rendered site, templates included, resolved the way
//! a browser will once the site is served under the configured base path.
//! Links that came from article text are left to `links` (reported once, at
//! the author's line); what remains here are template and generator bugs.
//!
//! The build streams files to disk as they are made, so what the check needs of
//! an HTML file is taken at that moment ([`HtmlFacts`]) and resolved once every
//! path of the site is known.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diag::{Code, Diagnostic};
use crate::html::{scan, Fact};
use crate::url::{is_external, site_path};

/// What the checks need of one rendered HTML file.
#[derive(Debug, Default)]
pub struct HtmlFacts {
    pub path: String,
    /// Every fragment target of the page (`id` on any element, `name` on `<a>`).
    pub ids: FxHashSet<String>,
    /// Links the templates wrote (not those from article text), where they are.
    pub urls: Vec<PlacedUrl>,
}

#[derive(Debug)]
pub struct PlacedUrl {
    pub url: String,
    pub line: usize,
    pub col: usize,
}

impl HtmlFacts {
    /// `from_content`: the URLs that article text put into this page.
    pub fn of(path: &str, html: &[u8], from_content: Option<&FxHashSet<String>>) -> HtmlFacts {
        // Pages are made as text, so this is (nearly) always the fast, borrowing path.
        let html = match std::str::from_utf8(html) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(html),
        };
        let mut facts = HtmlFacts {
            path: path.to_string(),
            ..HtmlFacts::default()
        };
        let mut lines = LineCounter::new(&html);
        scan(&html, |fact| match fact {
            Fact::Anchor(name) => {
                if !name.is_empty() && !facts.ids.contains(name) {
                    facts.ids.insert(name.to_string());
                }
            }
            Fact::Link(url, at) => {
                if !(url.is_empty()
                    || is_external(url)
                    || from_content
                        .is_some_and(|c| c.contains(url) || c.contains(&*unescaped(url))))
                {
                    let (line, col) = lines.at(at);
                    facts.urls.push(PlacedUrl {
                        url: url.to_string(),
                        line,
                        col,
                    });
                }
            }
        });
        // Held for every page until the site is complete: no spare room.
        facts.urls.shrink_to_fit();
        facts
    }
}

/// A URL as the article wrote it, before the Markdown writer percent-escaped
/// it (`#über` is written `#%C3%BCber`).
fn unescaped(url: &str) -> std::borrow::Cow<'_, str> {
    if url.contains('%') {
        percent_encoding::percent_decode_str(url).decode_utf8_lossy()
    } else {
        url.into()
    }
}

/// Line and column of increasing byte offsets, in one pass over the text
/// (pages such as the whole-guide graph hold thousands of links on one line).
struct LineCounter<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    /// Characters between the start of the line and `pos`.
    col_chars: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            pos: 0,
            line: 1,
            col_chars: 0,
        }
    }

    fn at(&mut self, at: usize) -> (usize, usize) {
        let step = &self.text[self.pos..at];
        match memchr::memrchr(b'\n', step.as_bytes()) {
            Some(last) => {
                // The pass over the whole page: memchr counts far faster than a byte loop.
                self.line += memchr::memchr_iter(b'\n', step.as_bytes()).count();
                self.col_chars = step[last + 1..].chars().count();
            }
            None => self.col_chars += step.chars().count(),
        }
        self.pos = at;
        (self.line, self.col_chars + 1)
    }
}

/// Ids per HTML path, borrowed from the facts.
pub fn ids_of(facts: &[HtmlFacts]) -> FxHashMap<&str, &FxHashSet<String>> {
    facts.iter().map(|f| (f.path.as_str(), &f.ids)).collect()
}

/// Reports every template link that does not resolve to a file (or an id) of the site.
/// `ids`: [`ids_of`] the same facts.
pub fn check(
    facts: &[HtmlFacts],
    ids: &FxHashMap<&str, &FxHashSet<String>>,
    paths: &FxHashSet<&str>,
    base_path: &str,
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = facts
        .par_chunks(256)
        .map(|chunk| {
            // Pages of one folder share most template links: resolve each once per chunk.
            let mut known: FxHashMap<(&str, &str), Option<String>> = FxHashMap::default();
            let mut diags = Vec::new();
            for file in chunk {
                let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
                for placed in &file.urls {
                    let url = placed.url.as_str();
                    // A URL without a path part (`#top`, `?q`) points at the page itself.
                    let problem = if url.starts_with(['#', '?']) {
                        resolve(&file.path, url, base_path, paths, ids)
                    } else {
                        known
                            .entry((dir, url))
                            .or_insert_with(|| resolve(&file.path, url, base_path, paths, ids))
                            .clone()
                    };
                    if let Some(problem) = problem {
                        diags.push(
                            Diagnostic::new(Code::OutputLinkBroken, &file.path, placed.line, placed.col, format!("the rendered page links to `{url}`, which {problem}"))
                                .target(url)
                                .help("the link comes from a template or the generator (not from article text): fix the template"),
                        );
                    }
                }
            }
            diags
        })
        .collect();
    diags.extend(found.into_iter().flatten());
}

fn resolve(
    from: &str,
    url: &str,
    base_path: &str,
    paths: &FxHashSet<&str>,
    ids: &FxHashMap<&str, &FxHashSet<String>>,
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
                && !ids
                    .get(path.as_str())
                    .is_some_and(|k| crate::url::fragment_found(k, &f)) =>
        {
            Some(format!("has no element with id `{f}`"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, &str)], base: &str, content: &[(&str, &str)]) -> Vec<Diagnostic> {
        let facts: Vec<HtmlFacts> = files
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(path, html)| {
                let from: FxHashSet<String> = content
                    .iter()
                    .filter(|(p, _)| p == path)
                    .map(|(_, u)| u.to_string())
                    .collect();
                HtmlFacts::of(path, html.as_bytes(), Some(&from))
            })
            .collect();
        let paths: FxHashSet<&str> = files.iter().map(|(p, _)| *p).collect();
        let mut diags = vec![];
        check(&facts, &ids_of(&facts), &paths, base, &mut diags);
        crate::diag::normalise(&mut diags);
        diags
    }

    #[test]
    fn template_links_are_resolved_under_the_base_path() {
        let files = [
            (
                "index.html",
                r#"<a href="article/a.html#x">a</a> <a href="nope.html">n</a> <link href="theme/s.css">"#,
            ),
            (
                "article/a.html",
                "<h2 id=\"x\"></h2><a href=\"../index.html\">home</a>\n <a href=\"/guide/index.html\">abs</a> <a href=\"/elsewhere/x.html\">out</a>\n<a href=\"../index.html#missing\">m</a>",
            ),
            ("theme/s.css", ""),
        ];
        let diags = run(&files, "/guide/", &[]);
        let found: Vec<_> = diags
            .iter()
            .map(|d| (d.file.as_str(), d.line, d.col, d.target.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                ("article/a.html", 2, 47, "/elsewhere/x.html"),
                ("article/a.html", 3, 10, "../index.html#missing"),
                ("index.html", 1, 43, "nope.html")
            ]
        );
    }

    #[test]
    fn facts_keep_no_spare_room() {
        let html: String = (0..37)
            .map(|i| format!("<a href=\"p{i}.html\">{i}</a>"))
            .collect();
        let facts = HtmlFacts::of("index.html", html.as_bytes(), None);
        assert_eq!(facts.urls.len(), 37);
        assert_eq!(facts.urls.capacity(), 37);
    }

    #[test]
    fn content_links_are_left_to_the_content_check() {
        let files = [("index.html", r#"<a href="gone.html">g</a>"#)];
        assert!(run(&files, "/", &[("index.html", "gone.html")]).is_empty());
        assert_eq!(run(&files, "/", &[]).len(), 1);
    }
}
