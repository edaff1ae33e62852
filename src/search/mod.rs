//! Site search: a prebuilt lunr 2.3.9 index plus a small document store.
//!
//! The browser loads both as scripts (`search-index.js`, `search-docs.js`,
//! so `file://` works) and hands the index to the unmodified
//! `lunr.Index.load`; nothing is indexed client-side. See `theme/search.js`.

mod lunr;
mod stemmer;
mod tokens;

use lunr::{Document, Field, FieldTerms};
use serde::Serialize;
use std::collections::BTreeMap;

/// One searchable page.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    /// lunr ref, e.g. "winnt-services-spooler".
    pub slug: String,
    /// "Print Spooler".
    pub title: String,
    /// Service short names: ["Spooler"].
    pub names: Vec<String>,
    /// Process images: ["spoolsv.exe"].
    pub images: Vec<String>,
    /// svchost groups: ["netsvcs"].
    pub groups: Vec<String>,
    /// Description as plain text.
    pub body: String,
    /// Site-root-relative url: "article/winnt-services-spooler.html".
    pub url: String,
    /// Short excerpt for the result list; cut to [`EXCERPT_CHARS`].
    pub excerpt: String,
    /// Recommended state, short: "Disabled, if no printer".
    pub recommended: String,
}

/// The two generated scripts, to be written as `search-index.js` and
/// `search-docs.js` at the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFiles {
    /// `window.SVCGUIDE_INDEX=<lunr index JSON>;`
    pub index_js: String,
    /// `window.SVCGUIDE_DOCS={slug:{"t","u","e","r"}};`
    pub docs_js: String,
}

/// Longest excerpt kept in the doc store, in characters.
pub const EXCERPT_CHARS: usize = 160;

/// Indexed fields and boosts: a hit in a name beats one in the body.
const FIELDS: [Field; 5] = [
    Field {
        name: "title",
        boost: 10.0,
    },
    Field {
        name: "names",
        boost: 8.0,
    },
    Field {
        name: "images",
        boost: 6.0,
    },
    Field {
        name: "groups",
        boost: 5.0,
    },
    Field {
        name: "body",
        boost: 1.0,
    },
];

/// Stems a lowercase word exactly like lunr.js 2.3.9 (`lunr.stemmer`,
/// the original Porter algorithm: `skies` → `ski`, `news` → `new`).
pub fn stem(word: &str) -> String {
    stemmer::stem(word)
}

/// Builds both scripts. Output depends only on the set of documents:
/// they are sorted by slug, and a repeated slug keeps its first document.
pub fn build(docs: &[SearchDoc]) -> SearchFiles {
    let docs = sorted_unique(docs);
    let mut clock = crate::timing::Stopwatch::new();
    let index_js = js_assignment("SVCGUIDE_INDEX", index_json(&docs));
    clock.lap(" search/index");
    let docs_js = js_assignment("SVCGUIDE_DOCS", docs_json(&docs));
    clock.lap(" search/docs");
    SearchFiles { index_js, docs_js }
}

fn sorted_unique(docs: &[SearchDoc]) -> Vec<&SearchDoc> {
    let mut sorted: Vec<&SearchDoc> = docs.iter().collect();
    sorted.sort_by(|a, b| a.slug.cmp(&b.slug));
    sorted.dedup_by(|a, b| a.slug == b.slug);
    sorted
}

fn index_json(docs: &[&SearchDoc]) -> String {
    use rayon::prelude::*;
    // Tokenising and stemming is per document: do it on every core.
    let documents: Vec<Document> = docs
        .par_iter()
        .map(|doc| Document {
            reference: &doc.slug,
            fields: field_tokens(doc)
                .into_iter()
                .map(|tokens| FieldTerms::count(tokens::pipeline(tokens)))
                .collect(),
        })
        .collect();
    let mut clock = crate::timing::Stopwatch::new();
    let json = lunr::index_json(&FIELDS, documents);
    clock.lap(" search/lunr");
    json
}

/// The tokens of each field, in [`FIELDS`] order, before lunr's pipeline;
/// lists become words.
fn field_tokens(doc: &SearchDoc) -> Vec<Vec<String>> {
    [
        tokens::tokenize(&doc.title),
        tokens::tokenize(&doc.names.join(" ")),
        tokens::tokenize(&doc.images.join(" ")),
        tokens::tokenize(&doc.groups.join(" ")),
        tokens::tokenize(&doc.body),
    ]
    .into()
}

/// Short keys keep the store small; it is downloaded with the index.
#[derive(Serialize)]
struct StoredDoc<'a> {
    t: &'a str,
    u: &'a str,
    e: String,
    r: &'a str,
}

fn docs_json(docs: &[&SearchDoc]) -> String {
    let store: BTreeMap<&str, StoredDoc> = docs
        .iter()
        .map(|doc| {
            let stored = StoredDoc {
                t: &doc.title,
                u: &doc.url,
                e: excerpt(&doc.excerpt, EXCERPT_CHARS),
                r: &doc.recommended,
            };
            (doc.slug.as_str(), stored)
        })
        .collect();
    serde_json::to_string(&store).expect("the doc store always serializes")
}

/// Collapses whitespace and cuts at a word boundary, adding an ellipsis.
fn excerpt(text: &str, max_chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars - 1).collect();
    let ends_word = text.chars().nth(max_chars - 1) == Some(' ');
    let at_word = match cut.rfind(' ') {
        Some(space) if !ends_word && space > cut.len() / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        at_word.trim_end_matches(|c: char| c.is_ascii_punctuation())
    )
}

/// `window.NAME=<json>;`. U+2028 and U+2029 are escaped because engines
/// before ES2019 reject them raw inside string literals.
fn js_assignment(name: &str, json: String) -> String {
    let json = if json.contains(['\u{2028}', '\u{2029}']) {
        json.replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    } else {
        json
    };
    let mut out = String::with_capacity(json.len() + name.len() + 12);
    out.push_str("window.");
    out.push_str(name);
    out.push('=');
    out.push_str(&json);
    out.push(';');
    out
}

#[cfg(test)]
mod tests;
