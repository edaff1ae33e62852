//! `index.html`: every service A–Z with its recommended state, then the other
//! articles grouped by category, each group with its letters. Titles that
//! occur more than once are told apart by their date (or their address).

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use serde::Serialize;

use super::SiteCtx;
use crate::config::Config;
use crate::guide::Guide;
use crate::page::Page;

const PATH: &str = "index.html";

/// The category every service article has; it does not group other articles.
const SERVICES_CATEGORY: &str = "Services Guide";

/// Groups with more entries than this get letter links of their own.
const LETTERS_FROM: usize = 30;

#[derive(Serialize)]
struct Entry {
    title: String,
    url: String,
    /// What tells this entry apart from another of the same title.
    hint: Option<String>,
    names: Vec<String>,
    recommended: Option<String>,
    recommended_state: Option<&'static str>,
    /// The condition the article puts on it (`if not having a printer`), plain
    /// text: a conditional "Disabled" is no plain advice to turn it off.
    recommended_condition: Option<String>,
}

#[derive(Serialize)]
struct Letter {
    letter: String,
    /// Unique in the page: `letter-A` for services, `<group>-A` for articles.
    id: String,
    entries: Vec<Entry>,
}

#[derive(Serialize)]
struct Group {
    name: String,
    id: String,
    count: usize,
    /// Empty letters list when the group is short: then `entries` holds all.
    letters: Vec<Letter>,
    entries: Vec<Entry>,
}

#[derive(Serialize)]
struct Ctx<'a> {
    site: SiteCtx<'a>,
    title: &'a str,
    canonical: String,
    description: String,
    letters: Vec<Letter>,
    groups: Vec<Group>,
    article_count: usize,
    service_count: usize,
}

/// The heading letter of a title: its first letter in upper case, `#` for
/// anything else.
fn letter_of(title: &str) -> String {
    let first = title
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    if !first.is_empty() && first.chars().all(char::is_alphabetic) {
        first
    } else {
        "#".into()
    }
}

/// Entries under their letters, in the order given.
fn by_letter(entries: Vec<Entry>, id_prefix: &str) -> Vec<Letter> {
    let mut letters: Vec<Letter> = Vec::new();
    for entry in entries {
        let letter = letter_of(&entry.title);
        match letters.last_mut() {
            Some(l) if l.letter == letter => l.entries.push(entry),
            _ => letters.push(Letter {
                id: format!("{id_prefix}-{}", if letter == "#" { "0" } else { &letter }),
                letter,
                entries: vec![entry],
            }),
        }
    }
    letters
}

/// For each title (lowercased) met more than once, a hint per page: its
/// post date when the dates differ, else its address.
fn duplicate_hints(guide: &Guide) -> HashMap<usize, String> {
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in guide.pages.iter().enumerate() {
        by_title
            .entry(p.title.trim().to_lowercase())
            .or_default()
            .push(i);
    }
    let mut hints = HashMap::new();
    for same in by_title.values().filter(|v| v.len() > 1) {
        let dates: Vec<Option<String>> = same
            .iter()
            .map(|&i| guide.pages[i].date.map(|d| d.display()))
            .collect();
        let distinct = dates
            .iter()
            .flatten()
            .collect::<std::collections::HashSet<_>>()
            .len()
            == same.len();
        for (k, &i) in same.iter().enumerate() {
            let hint = match (&dates[k], distinct) {
                (Some(d), true) => format!("posted {d}"),
                _ => guide.pages[i].out_path.clone(),
            };
            hints.insert(i, hint);
        }
    }
    hints
}

/// The group an article is listed under: its first category other than the
/// services' one, else its first tag, else "Other articles".
fn group_of(page: &Page) -> String {
    page.fm
        .categories
        .iter()
        .map(|c| c.trim())
        .find(|c| !c.is_empty() && *c != SERVICES_CATEGORY)
        .or_else(|| {
            page.fm
                .tags
                .iter()
                .map(|t| t.trim())
                .find(|t| !t.is_empty())
        })
        .unwrap_or("Other articles")
        .to_string()
}

pub fn render(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<String> {
    let hints = duplicate_hints(guide);
    let services: Vec<Entry> = guide
        .services
        .iter()
        .map(|&i| {
            let page = &guide.pages[i];
            let s = page.service().expect("service");
            let rec = s.recommended.first().and_then(|r| r.value.as_ref());
            Entry {
                title: page.title.clone(),
                url: page.out_path.clone(),
                hint: hints.get(&i).cloned(),
                names: s.names.clone(),
                recommended: rec.map(|v| crate::markdown::plain_text(&v.short())),
                recommended_state: rec.map(|v| v.state.id()),
                recommended_condition: rec
                    .and_then(|v| v.condition.as_deref())
                    .map(crate::markdown::plain_text)
                    .filter(|c| !c.is_empty()),
            }
        })
        .collect();
    let groups = other_groups(guide, &hints);
    let ctx = Ctx {
        site: SiteCtx::new(config, PATH),
        title: &config.title,
        canonical: crate::url::absolute(&config.base_url, ""),
        description: format!(
            "Descriptions and recommended settings for {} Windows services, from Windows NT 4.0 to Windows 8.",
            guide.services.len()
        ),
        article_count: groups.iter().map(|g| g.count).sum(),
        service_count: guide.services.len(),
        letters: by_letter(services, "letter"),
        groups,
    };
    let ctx = tera::Context::from_serialize(&ctx)?;
    // The A–Z list takes about 200 bytes a service (a page outgrowing its
    // buffer is copied into one twice its size).
    let expected = 256 * guide.pages.len() + 64 * 1024;
    crate::views::article::render_sized(tera, PATH, &ctx, expected)
        .map_err(|e| anyhow::anyhow!("index.html: {}", crate::views::article::tera_error(&e)))
}

/// The articles that are not services, by group, each group with a unique
/// id and, when long, split by letter.
fn other_groups(guide: &Guide, hints: &HashMap<usize, String>) -> Vec<Group> {
    let mut grouped: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in guide.pages.iter().enumerate() {
        if p.service().is_none() {
            grouped.entry(group_of(p)).or_default().push(i);
        }
    }
    let mut used_ids = std::collections::HashSet::new();
    grouped
        .into_iter()
        .map(|(name, mut pages)| {
            pages.sort_by_cached_key(|&i| guide.pages[i].title.to_lowercase());
            let entries: Vec<Entry> = pages
                .iter()
                .map(|&i| Entry {
                    title: guide.pages[i].title.clone(),
                    url: guide.pages[i].out_path.clone(),
                    hint: hints.get(&i).cloned(),
                    names: Vec::new(),
                    recommended: None,
                    recommended_state: None,
                    recommended_condition: None,
                })
                .collect();
            let base = format!("articles-{}", crate::text::slugify(&name));
            let mut id = base.clone();
            let mut n = 2;
            while !used_ids.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            let count = entries.len();
            let (letters, entries) = if count > LETTERS_FROM {
                (by_letter(entries, &id), Vec::new())
            } else {
                (Vec::new(), entries)
            };
            Group {
                name,
                id,
                count,
                letters,
                entries,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_group_titles_and_odd_starts_share_one() {
        let entry = |t: &str| Entry {
            title: t.into(),
            url: String::new(),
            hint: None,
            names: Vec::new(),
            recommended: None,
            recommended_state: None,
            recommended_condition: None,
        };
        let letters = by_letter(
            vec![
                entry(".NET"),
                entry("3D"),
                entry("alpha"),
                entry("Azure"),
                entry("Beta"),
            ],
            "x",
        );
        let got: Vec<(&str, &str, usize)> = letters
            .iter()
            .map(|l| (l.letter.as_str(), l.id.as_str(), l.entries.len()))
            .collect();
        assert_eq!(got, [("#", "x-0", 2), ("A", "x-A", 2), ("B", "x-B", 1)]);
    }
}
