//! Internal links written by authors (bodies and Supports/Depends/Process items)
//! must reach a page of the guide, and their `#fragment` a heading id on it.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diag::{Code, Diagnostic};
use crate::guide::{Guide, NotPublished, Resolved};
use crate::views::article::RenderedPage;

/// `made`: every file of the site, the generated ones (the home page, the
/// version tables, the feed …) included: a link to one is not broken.
pub fn check(
    guide: &Guide,
    pages: &[RenderedPage],
    ids: &FxHashMap<&str, &FxHashSet<String>>,
    made: &FxHashSet<&str>,
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let found: Vec<Vec<Found>> = pages
        .par_iter()
        .map(|p| page_links(guide, p, ids, made))
        .collect();
    // "Did you mean" needs an index of every page name. It is built here, on all
    // threads, rather than by whichever thread met the first broken link while
    // the others waited for it.
    if found
        .iter()
        .flatten()
        .any(|f| matches!(f, Found::Missing(..)))
    {
        guide.prepare_suggestions();
    }
    let found: Vec<Diagnostic> = found
        .into_par_iter()
        .flat_map_iter(|page| {
            page.into_iter().map(|f| match f {
                Found::Done(d) => d,
                Found::Missing(d, path, text, in_list) => match guide.unpublished.why(&path) {
                    Some(why) => d.help(unpublished_help(why)),
                    None => match suggest(guide, &path, text.as_deref()) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        // The guide links services nobody wrote an article
                        // for; the page shows their names unlinked. Not a
                        // broken link on the page, but an article to write.
                        None if in_list && is_page(&path) => unwritten(d, text.as_deref()),
                        None if is_page(&path) => {
                            d.help("write the article, or link to an existing permalink")
                        }
                        None => d.help(
                            "put the file at that path in the content folder or a static folder (`--static DIR`, `static` in svcguide.toml)",
                        ),
                    },
                },
            })
        })
        .collect();
    diags.extend(found);
}

/// A Supports/Depends link to a page nobody wrote, as [`Code::RefUnwritten`].
fn unwritten(broken: Diagnostic, name: Option<&str>) -> Diagnostic {
    let target = broken.target.clone().unwrap_or_default();
    Diagnostic {
        code: Code::RefUnwritten,
        severity: Code::RefUnwritten.default_severity(),
        message: match name {
            Some(name) => format!("no page has the permalink `{target}` that `{name}` links to"),
            None => format!("no page has the permalink `{target}`"),
        },
        ..broken
    }
    .help("the page shows the name without a link: link to the article's permalink if it has another, or write it (`ref-unwritten = \"warn\"` under [checks] accepts articles still to write)")
}

/// The help of a link to an article that exists but has no page: publish
/// it, or mend the file, rather than write it.
fn unpublished_help(why: NotPublished) -> String {
    match why {
        NotPublished::Draft { rel, status } => format!(
            "{rel} has this permalink but is not published (status `{status}`): set `status: publish`, or preview with `--drafts`"
        ),
        NotPublished::Unreadable { rel } => format!(
            "{rel} has this permalink but could not be read: mend the error reported in it"
        ),
        NotPublished::UnreadableByName { rel } => format!(
            "{rel}, whose file name matches this page, could not be read: mend the error reported in it"
        ),
    }
}

/// Whether a site path names a page (an article's permalink, or its source
/// file by mistake), not another file: `.html`, `.md`, a folder, or a name
/// with no extension.
fn is_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".html")
        || crate::load::strip_markdown_extension(name).is_some()
        || !name.contains('.')
}

/// The nearest page for a missing page; for any other file, the nearest static
/// or content file (`/assets/images/x.jpg`), then the nearest page.
fn suggest(guide: &Guide, path: &str, text: Option<&str>) -> Option<String> {
    if !is_page(path) {
        let file = crate::diag::nearest(path, guide.assets.iter().map(String::as_str));
        if let Some(file) = file {
            return Some(format!("/{file}"));
        }
    }
    guide.suggest(path, text)
}

/// The text of the link that starts at `offset` of `source`: a Markdown
/// link's `[text]`, or what follows the `<a …>` tag whose attribute begins at
/// `offset`, up to the next tag. `None` when there is none to read.
fn link_text(source: &str, offset: usize) -> Option<String> {
    const MOST: usize = 200;
    let rest = source.get(offset..)?;
    let text = if let Some(inner) = rest.strip_prefix('[') {
        let mut depth = 0usize;
        let end = inner.char_indices().take(MOST).find_map(|(k, c)| match c {
            '[' => {
                depth += 1;
                None
            }
            ']' if depth == 0 => Some(k),
            ']' => {
                depth -= 1;
                None
            }
            _ => None,
        })?;
        &inner[..end]
    } else {
        let before = &source[..offset];
        // Only inside an `<a` tag: `offset` is one of its attributes.
        let open = before.rfind('<')?;
        let mut tag = before[open + 1..].chars();
        if before[open..].contains('>')
            || !matches!(tag.next(), Some('a' | 'A'))
            || !tag.next().is_some_and(char::is_whitespace)
        {
            return None;
        }
        let after = &rest[rest.find('>')? + 1..];
        &after[..after.find('<').unwrap_or(after.len()).min(MOST)]
    };
    // Emphasis and escapes are not part of the name.
    let plain: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '\\'))
        .collect();
    let plain = plain.trim();
    (!plain.is_empty()).then(|| plain.to_string())
}

/// A problem with a link; a missing target still waits for its "did you mean".
enum Found {
    Done(Diagnostic),
    /// The diagnostic, the missing site path, the link's text, and whether
    /// the link is a Supports/Depends item's.
    Missing(Diagnostic, String, Option<String>, bool),
}

/// The broken links and fragments of one rendered article.
fn page_links(
    guide: &Guide,
    p: &RenderedPage,
    ids: &FxHashMap<&str, &FxHashSet<String>>,
    made: &FxHashSet<&str>,
) -> Vec<Found> {
    let mut diags = Vec::new();
    {
        let page = &guide.pages[p.index];
        for link in &p.links {
            match guide.resolve(&page.out_path, &link.dest) {
                Resolved::Missing { path } if made.contains(path.as_str()) => {
                    // A generated page (`/`, `/os/xp.html`): only its ids to check.
                    let fragment = crate::url::site_path(&page.out_path, &link.dest).1;
                    let known = ids.get(path.as_str());
                    if let (Some(f), Some(known)) = (fragment.filter(|f| !f.is_empty()), known) {
                        if !crate::url::fragment_found(known, &f) {
                            diags.push(Found::Done(
                                Diagnostic::at(
                                    Code::LinkFragment,
                                    &page.src,
                                    link.offset,
                                    format!("`#{f}` names no element on /{path}"),
                                )
                                .target(&link.dest)
                                .help("link to an id of the target page, or drop the fragment"),
                            ));
                        }
                    }
                }
                Resolved::Missing { path } => {
                    let what = if link.image { "image" } else { "link" };
                    let kind = if is_page(&path) { "page" } else { "file" };
                    let d = Diagnostic::at(
                        Code::LinkBroken,
                        &page.src,
                        link.offset,
                        format!(
                            "broken {what}: `{}` is not a {kind} of the guide",
                            link.dest
                        ),
                    )
                    .target(&link.dest);
                    let text = if link.image {
                        None
                    } else {
                        link_text(&page.src.text, link.offset)
                    };
                    let in_list = !link.image && item_link(page, &p.links, link.offset);
                    diags.push(Found::Missing(d, path, text, in_list));
                }
                Resolved::Page {
                    index,
                    fragment: Some(f),
                } if !f.is_empty() => {
                    let known = ids.get(guide.pages[index].out_path.as_str());
                    if known.is_some_and(|k| crate::url::fragment_found(k, &f)) {
                        continue;
                    }
                    let hint =
                        known.and_then(|k| crate::diag::nearest(&f, k.iter().map(String::as_str)));
                    diags.push(Found::Done(
                        Diagnostic::at(
                            Code::LinkFragment,
                            &page.src,
                            link.offset,
                            format!(
                                "`#{f}` names no heading on {}",
                                guide.pages[index].permalink
                            ),
                        )
                        .target(&link.dest)
                        .help(match hint {
                            Some(h) => format!("did you mean `#{h}`?"),
                            None => "link to a heading id of the target page, or drop the fragment"
                                .to_string(),
                        }),
                    ));
                }
                _ => {}
            }
        }
    }
    diags
}

/// Whether the link at `offset` is the link of a Supports or Depends item of
/// the page: the first in the item (the one it names the service by; a link
/// in its qualifier, or in its text, or a process's, is not).
fn item_link(page: &crate::page::Page, links: &[crate::markdown::Link], offset: usize) -> bool {
    let Some(service) = page.service() else {
        return false;
    };
    [&service.supports, &service.depends]
        .into_iter()
        .flat_map(|list| list.items())
        .any(|item| {
            let range = item.offset..item.offset + item.raw.len();
            range.contains(&offset)
                && item.value.as_ref().is_some_and(|r| r.href.is_some())
                && !links
                    .iter()
                    .any(|l| range.contains(&l.offset) && l.offset < offset)
        })
}

#[cfg(test)]
mod tests {
    use super::link_text;

    #[test]
    fn the_text_of_a_markdown_or_html_link() {
        let src = "See [Task **Scheduler**](x.html) and [a [b] c](y.html).";
        assert_eq!(link_text(src, 4).as_deref(), Some("Task Scheduler"));
        assert_eq!(
            link_text(src, src.find("[a").unwrap()).as_deref(),
            Some("a [b] c")
        );
        let html = "<p><a class=\"k\" href=\"z.html\">Event Log</a></p>";
        let at = html.find("z.html").unwrap();
        assert_eq!(link_text(html, at).as_deref(), Some("Event Log"));
        // Not inside an `<a …>` tag, or no text: nothing to read.
        let img = "<img src=\"z.png\">";
        assert_eq!(link_text(img, img.find("z.png").unwrap()), None);
        let empty = "<a href=\"z.html\"></a>";
        assert_eq!(link_text(empty, empty.find("z.html").unwrap()), None);
        assert_eq!(link_text("[unclosed", 0), None);
    }
}
