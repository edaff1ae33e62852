//! Tag pages: `tags/<slug>.html` per tag and `tags/index.html`. Tags that differ
//! only in case or punctuation (`Windows Update`, `windows-update`) share a page.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::{render_template, LinkCtx, SiteCtx};
use crate::config::Config;
use crate::guide::Guide;
use crate::url::relative;

/// A safe path segment for a tag: lower-case ASCII letters and digits joined by
/// single hyphens, at most 60 characters; never `index` or a Windows device name.
/// A tag with no ASCII letter or digit gets a stable hash-based name.
pub fn tag_slug(tag: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in tag.trim().chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if out.len() > 60 {
        out.truncate(60);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() {
        // FNV-1a: stable across runs and platforms.
        let mut h: u32 = 0x811c_9dc5;
        for b in tag.trim().bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        return format!("tag-{h:08x}");
    }
    let stem = out.to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if out == "index" || device {
        out = format!("tag-{out}");
    }
    out
}

/// One tag and the pages that carry it.
#[derive(Debug, Clone)]
pub struct Tag {
    pub slug: String,
    /// The spelling shown (the most frequent; ties alphabetical).
    pub name: String,
    pub spellings: Vec<String>,
    /// Page indexes, sorted by title.
    pub pages: Vec<usize>,
}

/// Every tag of the published pages, sorted by slug.
pub fn collect(guide: &Guide) -> Vec<Tag> {
    let mut by_slug: BTreeMap<String, (BTreeMap<String, usize>, Vec<usize>)> = BTreeMap::new();
    for (i, page) in guide.pages.iter().enumerate() {
        for tag in &page.fm.tags {
            if tag.trim().is_empty() {
                continue;
            }
            let entry = by_slug.entry(tag_slug(tag)).or_default();
            *entry.0.entry(tag.trim().to_string()).or_default() += 1;
            // Pages come in order: a page already listed is the last one
            // (a search of the list made a tag of every page quadratic).
            if entry.1.last() != Some(&i) {
                entry.1.push(i);
            }
        }
    }
    by_slug
        .into_iter()
        .map(|(slug, (spellings, mut pages))| {
            let mut sp: Vec<(String, usize)> = spellings.into_iter().collect();
            sp.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            pages.sort_by_cached_key(|&i| {
                (
                    guide.pages[i].title.to_lowercase(),
                    guide.pages[i].out_path.clone(),
                )
            });
            Tag {
                slug,
                name: sp[0].0.clone(),
                spellings: sp.into_iter().map(|s| s.0).collect(),
                pages,
            }
        })
        .collect()
}

#[derive(Serialize)]
struct TagCtx<'a> {
    site: SiteCtx<'a>,
    title: String,
    canonical: String,
    name: String,
    spellings: Vec<String>,
    /// How many articles carry the tag.
    count: usize,
    /// Their list items, already HTML (see [`entries_html`]).
    entries_html: String,
    index_url: String,
}

/// The tag's list items, as the template's loop wrote them before (a popular
/// tag lists thousands of articles, which tera made slowly): link, short
/// names, excerpt.
fn entries_html(guide: &Guide, path: &str, pages: &[usize]) -> String {
    use super::escape::html_into;
    let mut out = String::with_capacity(pages.len() * 160);
    for &i in pages {
        let p = &guide.pages[i];
        out.push_str("\n    <li><a href=\"");
        html_into(&mut out, &relative(path, &p.permalink));
        out.push_str("\">");
        html_into(&mut out, &p.title);
        out.push_str("</a>");
        let names = p.service().map_or(&[][..], |s| &s.names[..]);
        if !names.is_empty() {
            out.push_str(" <code>");
            html_into(&mut out, &names.join(", "));
            out.push_str("</code>");
        }
        if let Some(e) = p.fm.excerpt.as_deref().filter(|e| !e.trim().is_empty()) {
            out.push_str("<br><span class=\"excerpt\">");
            html_into(&mut out, e);
            out.push_str("</span>");
        }
        out.push_str("</li>\n  ");
    }
    out
}

#[derive(Serialize)]
struct TagLink {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct IndexCtx<'a> {
    site: SiteCtx<'a>,
    title: &'static str,
    canonical: String,
    tags: Vec<TagLink>,
}

/// Links from the page at `from` to the tag pages of `tags` (as written on a page).
pub fn links(from: &str, tags: &[String]) -> Vec<LinkCtx> {
    let mut out: Vec<LinkCtx> = Vec::new();
    for t in tags.iter().filter(|t| !t.trim().is_empty()) {
        let url = relative(from, &format!("/tags/{}.html", tag_slug(t)));
        if !out.iter().any(|l| l.url == url) {
            out.push(LinkCtx {
                title: t.trim().to_string(),
                url,
            });
        }
    }
    out
}

pub fn render(tera: &tera::Tera, config: &Config, guide: &Guide, emit: &super::Emit) -> Result<()> {
    use rayon::prelude::*;
    let tags = collect(guide);
    // Each tag page its own task: a popular tag's page is a big one.
    tags.par_iter().try_for_each(|t| {
        let path = format!("tags/{}.html", t.slug);
        let ctx = TagCtx {
            site: SiteCtx::new(config, &path),
            title: format!("Tagged \u{201c}{}\u{201d}", t.name),
            canonical: crate::url::absolute(&config.base_url, &path),
            name: t.name.clone(),
            spellings: t.spellings.iter().skip(1).cloned().collect(),
            count: t.pages.len(),
            entries_html: entries_html(guide, &path, &t.pages),
            index_url: relative(&path, "/tags/index.html"),
        };
        let html_bytes = ctx.entries_html.len();
        emit(render_template(
            tera,
            "views/tag.html",
            &path,
            &ctx,
            html_bytes,
        )?)
    })?;
    let path = "tags/index.html";
    let mut links: Vec<TagLink> = tags
        .iter()
        .map(|t| TagLink {
            name: t.name.clone(),
            url: relative(path, &format!("/tags/{}.html", t.slug)),
            count: t.pages.len(),
        })
        .collect();
    links.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.url.cmp(&b.url))
    });
    let ctx = IndexCtx {
        site: SiteCtx::new(config, path),
        title: "Tags",
        canonical: crate::url::absolute(&config.base_url, path),
        tags: links,
    };
    emit(render_template(
        tera,
        "views/tags_index.html",
        path,
        &ctx,
        0,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_slugs_are_safe_segments() {
        assert_eq!(tag_slug("Windows Update"), "windows-update");
        assert_eq!(tag_slug("windows-update"), "windows-update");
        assert_eq!(tag_slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(tag_slug("index"), "tag-index");
        assert_eq!(tag_slug("CON"), "tag-con");
        assert_eq!(tag_slug("<script>"), "script");
        assert!(tag_slug("☃").starts_with("tag-"));
        assert_eq!(tag_slug("☃"), tag_slug("☃"));
        assert!(tag_slug(&"x".repeat(200)).len() <= 60);
    }
}
