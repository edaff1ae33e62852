//! Internal links written by authors (bodies and Supports/Depends/Process items)
//! must reach a page of the guide, and their `#fragment` a heading id on it.

use std::collections::{HashMap, HashSet};

use crate::diag::{Code, Diagnostic};
use crate::guide::{Guide, Resolved};
use crate::render::RenderedPage;

pub fn check(
    guide: &Guide,
    pages: &[RenderedPage],
    ids: &HashMap<&str, &HashSet<String>>,
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = pages
        .par_iter()
        .map(|p| page_links(guide, p, ids))
        .collect();
    diags.extend(found.into_iter().flatten());
}

/// The broken links and fragments of one rendered article.
fn page_links(
    guide: &Guide,
    p: &RenderedPage,
    ids: &HashMap<&str, &HashSet<String>>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    {
        let page = &guide.pages[p.index];
        for link in &p.links {
            match guide.resolve(&page.out_path, &link.dest) {
                Resolved::Missing { path } => {
                    let suggestion = guide.suggest(&path);
                    let what = if link.image { "image" } else { "link" };
                    let d = Diagnostic::at(
                        Code::LinkBroken,
                        &page.src,
                        link.offset,
                        format!("broken {what}: `{}` is not a page of the guide", link.dest),
                    )
                    .target(&link.dest);
                    diags.push(match suggestion {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help("write the article, or link to an existing permalink"),
                    });
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
                    diags.push(
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
                    );
                }
                _ => {}
            }
        }
    }
    diags
}
