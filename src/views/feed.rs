//! `feed.xml` (Atom 1.0, newest first), `sitemap.xml` and `robots.txt`, with
//! absolute URLs from `base_url`.

use crate::config::Config;
use crate::guide::Guide;
use crate::url::absolute;

use super::escape::xml;

/// A front-matter date as an RFC 3339 timestamp, and its instant (seconds since
/// 1970, for sorting). Accepts `2000-06-06T16:43:14+02:00`, `...Z`, a space for
/// `T`, fractional seconds, a missing time (midnight UTC) or a missing zone (UTC).
pub fn rfc3339(date: &str) -> Option<(String, i64)> {
    let d = date.trim();
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, day) = (num(d.get(0..4)?)?, num(d.get(5..7)?)?, num(d.get(8..10)?)?);
    if d.get(4..5)? != "-" || d.get(7..8)? != "-" || !(1..=12).contains(&m) {
        return None;
    }
    if !(1..=days_in_month(y, m)).contains(&day) {
        return None;
    }
    let rest = &d[10..];
    let (hh, mm, ss, zone) = if rest.is_empty() {
        (0, 0, 0, "Z")
    } else {
        let t = rest.strip_prefix(['T', 't', ' '])?;
        let (hh, mm, ss) = (num(t.get(0..2)?)?, num(t.get(3..5)?)?, num(t.get(6..8)?)?);
        if t.get(2..3)? != ":" || t.get(5..6)? != ":" || hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        let mut zone = &t[8..];
        if let Some(frac) = zone.strip_prefix('.') {
            zone = frac.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        (hh, mm, ss, if zone.is_empty() { "Z" } else { zone })
    };
    let offset = if zone.eq_ignore_ascii_case("z") {
        0
    } else {
        let sign = match zone.get(0..1)? {
            "+" => 1,
            "-" => -1,
            _ => return None,
        };
        let (oh, om) = (num(zone.get(1..3)?)?, num(zone.get(4..6)?)?);
        if zone.len() != 6 || zone.get(3..4)? != ":" || oh > 23 || om > 59 {
            return None;
        }
        sign * (oh * 3600 + om * 60)
    };
    let days = days_from_civil(y, m, day);
    let instant = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
    let zone_text = if offset == 0 && zone.eq_ignore_ascii_case("z") {
        "Z".to_string()
    } else {
        zone.to_string()
    };
    Some((
        format!("{y:04}-{m:02}-{day:02}T{hh:02}:{mm:02}:{ss:02}{zone_text}"),
        instant,
    ))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

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
    let mut entry = |path: &str, date: Option<&str>| {
        out.push_str("  <url><loc>");
        out.push_str(&xml(&absolute(&config.base_url, path)));
        out.push_str("</loc>");
        if let Some((stamp, _)) = date.and_then(rfc3339) {
            out.push_str("<lastmod>");
            out.push_str(&xml(&stamp[..10]));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    };
    entry("", None);
    for path in super::sitemap_paths(guide) {
        entry(&path, None);
    }
    for p in &guide.pages {
        entry(&p.out_path, p.fm.date.as_deref());
    }
    out.push_str("</urlset>\n");
    out
}

/// How many articles the feed carries: readers poll it, so it stays small
/// however large the guide grows (the sitemap lists everything).
pub const FEED_ENTRIES: usize = 100;

/// The Atom feed of the newest dated articles, newest first.
pub fn atom(config: &Config, guide: &Guide) -> String {
    let mut entries: Vec<(i64, String, usize)> = guide
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (text, instant) = rfc3339(p.fm.date.as_deref()?)?;
            Some((instant, text, i))
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_rfc3339_instants() {
        let (t, i) = rfc3339("2000-06-06T16:43:14+02:00").unwrap();
        assert_eq!(t, "2000-06-06T16:43:14+02:00");
        let (_, j) = rfc3339("2000-06-06T14:43:14Z").unwrap();
        assert_eq!(i, j);
        assert_eq!(
            rfc3339("1970-01-01").unwrap(),
            ("1970-01-01T00:00:00Z".into(), 0)
        );
        assert_eq!(
            rfc3339("2005-03-04 10:11:12").unwrap().0,
            "2005-03-04T10:11:12Z"
        );
        assert_eq!(
            rfc3339("2005-03-04T10:11:12.5-05:00").unwrap().0,
            "2005-03-04T10:11:12-05:00"
        );
        for bad in [
            "",
            "2005",
            "2005-13-01",
            "2005-02-30",
            "yesterday",
            "2005-01-01T1",
        ] {
            assert!(rfc3339(bad).is_none(), "{bad}");
        }
    }
}
