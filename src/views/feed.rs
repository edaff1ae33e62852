//! `feed.xml` (Atom 1.0, newest first), `sitemap.xml` and `robots.txt`, with
//! absolute URLs from `base_url`.

use crate::config::Config;
use crate::date::PostDate;
use crate::guide::Guide;
use crate::url::absolute;

use super::escape::xml;

/// An id for an entry: its absolute URL when `base_url` makes one, else a URN
/// (Atom ids must be absolute IRIs).
fn entry_id(config: &Config, path: &str, slug: &str) -> String {
    let url = absolute(&config.base_url, path);
    if url.contains("://") {
        url
    } else {
        format!("urn:svcguide:{}", slug)
    }
}

/// `sitemap.xml`: the home page, every view and every article. Text goes through
/// the XML escaper (which drops the control characters XML forbids), and a
/// `<lastmod>` is written only for a date that reads as one.
pub fn sitemap(config: &Config, guide: &Guide) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut entry = |path: &str, date: Option<PostDate>| {
        out.push_str("  <url><loc>");
        out.push_str(&xml(&absolute(&config.base_url, path)));
        out.push_str("</loc>");
        if let Some(date) = date {
            out.push_str("<lastmod>");
            out.push_str(&xml(&date.day().to_string()));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    };
    entry("", None);
    for path in super::sitemap_paths(guide) {
        entry(&path, None);
    }
    for p in &guide.pages {
        entry(&p.out_path, p.date);
    }
    out.push_str("</urlset>\n");
    out
}

/// How many articles the feed carries: readers poll it, so it stays small
/// however large the guide grows (the sitemap lists everything).
pub const FEED_ENTRIES: usize = 100;

/// The Atom feed of the newest dated articles, newest first.
pub fn atom(config: &Config, guide: &Guide) -> String {
    let mut entries: Vec<(jiff::Timestamp, String, usize)> = guide
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.date?.instant(), p.date?.rfc3339(), i)))
        .collect();
    entries.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| guide.pages[a.2].out_path.cmp(&guide.pages[b.2].out_path))
    });
    entries.truncate(FEED_ENTRIES);
    let updated = entries
        .first()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |e| e.1.clone());
    let home = absolute(&config.base_url, "");
    let self_url = absolute(&config.base_url, "feed.xml");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <title>{}</title>\n", xml(&config.title)));
    out.push_str(&format!(
        "  <id>{}</id>\n",
        xml(&if home.contains("://") {
            home.clone()
        } else {
            "urn:svcguide:feed".to_string()
        })
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&home)
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&self_url)
    ));
    out.push_str(&format!("  <updated>{}</updated>\n", xml(&updated)));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml(&config.title)
    ));
    out.push_str("  <generator>svcguide</generator>\n");
    for (_, date, i) in &entries {
        let p = &guide.pages[*i];
        let url = absolute(&config.base_url, &p.out_path);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", xml(&p.title)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&url)
        ));
        out.push_str(&format!(
            "    <id>{}</id>\n",
            xml(&entry_id(config, &p.out_path, &p.slug))
        ));
        out.push_str(&format!("    <published>{}</published>\n", xml(date)));
        out.push_str(&format!("    <updated>{}</updated>\n", xml(date)));
        if let Some(a) = p.fm.author.as_deref().filter(|a| !a.trim().is_empty()) {
            out.push_str(&format!("    <author><name>{}</name></author>\n", xml(a)));
        }
        for t in p.fm.tags.iter().filter(|t| !t.trim().is_empty()) {
            out.push_str(&format!(
                "    <category term=\"{}\"/>\n",
                xml(&super::tags::tag_slug(t))
            ));
        }
        if let Some(e) = p.fm.excerpt.as_deref().filter(|e| !e.trim().is_empty()) {
            out.push_str(&format!(
                "    <summary type=\"text\">{}</summary>\n",
                xml(e.trim())
            ));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// robots.txt: everything may be crawled; the sitemap's absolute URL.
pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        absolute(&config.base_url, "sitemap.xml")
    )
}
