//! Internal links written by authors (bodies and Supports/Depends/Process items)
//! must reach a page of the guide, and their `#fragment` a heading id on it.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diag::{Code, Diagnostic};
use crate::guide::{Guide, Resolved};
use crate::views::article::RenderedPage;

pub fn check(
    guide: &Guide,
    pages: &[RenderedPage],
    ids: &FxHashMap<&str, &FxHashSet<String>>,
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let found: Vec<Vec<Found>> = pages
        .par_iter()
        .map(|p| page_links(guide, p, ids))
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
                Found::Missing(d, path) => match suggest(guide, &path) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if is_page(&path) => {
                        d.help("write the article, or link to an existing permalink")
                    }
                    None => d.help(
                        "put the file at that path in the content folder or a static folder (`--static DIR`, `static` in svcguide.toml)",
                    ),
                },
            })
        })
        .collect();
    diags.extend(found);
}

/// Whether a site path names a page (an article's permalink, or its source
/// file by mistake), not another file: `.html`, `.md`, a folder, or a name
/// with no extension.
fn is_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [".html", ".md", ".markdown"]
        .iter()
        .any(|ext| name.ends_with(ext))
        || !name.contains('.')
}

/// The nearest page for a missing page; for any other file, the nearest static
/// or content file (`/assets/images/x.jpg`), then the nearest page.
fn suggest(guide: &Guide, path: &str) -> Option<String> {
    if !is_page(path) {
        let file = crate::diag::nearest(path, guide.assets.iter().map(String::as_str));
        if let Some(file) = file {
            return Some(format!("/{file}"));
        }
    }
    guide.suggest(path)
}

/// A problem with a link; a missing target still waits for its "did you mean".
enum Found {
    Done(Diagnostic),
    Missing(Diagnostic, String),
}

/// The broken links and fragments of one rendered article.
fn page_links(
    guide: &Guide,
    p: &RenderedPage,
    ids: &FxHashMap<&str, &FxHashSet<String>>,
) -> Vec<Found> {
    let mut diags = Vec::new();
    {
        let page = &guide.pages[p.index];
        for link in &p.links {
            match guide.resolve(&page.out_path, &link.dest) {
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
                    diags.push(Found::Missing(d, path));
                }
                Resolved::Page {
                    index,
                    fragment: Some(f),
                } if !f.is_empty() => {
                    let known = ids.get(guide.pages[index].out_path.as_str());
                    if known.is_some_and(|k| k.contains(&f)) {
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
