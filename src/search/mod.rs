//! Site search: two prebuilt lunr 2.3.9 indexes plus a small document store.
//!
//! The browser loads them as scripts (so `file://` works) and hands each index
//! to the unmodified `lunr.Index.load`; nothing is indexed client-side:
//! - `search-names.js`: titles, short names, process images and svchost
//!   groups only. Loaded (with the doc store) when the search box gets focus;
//!   it answers name queries on its own and is a small download.
//! - `search-index.js`: every field, the text too. Loaded only when a query
//!   needs it (a word no name holds, no name match, or the results page).
//!
//! See `theme/search.js`.

mod lunr;
mod stemmer;
mod tokens;

use lunr::{Document, Field, FieldTerms};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

/// What a search result is: decides how the result list shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocKind {
    /// A service article.
    Service,
    /// Any other article.
    #[default]
    Page,
    /// A process image's section of the processes page.
    Process,
    /// An svchost group's section of the processes page.
    Group,
}

impl DocKind {
    /// The one-letter code stored with the document (`k`).
    fn code(self) -> &'static str {
        match self {
            DocKind::Service => "s",
            DocKind::Page => "a",
            DocKind::Process => "p",
            DocKind::Group => "g",
        }
    }
}

/// One recommended-state item, as plain text for the result list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The version label as written (`WinXP`), empty when the item has none.
    pub label: String,
    /// The state's id (`disabled`), empty when the item has no state word.
    pub state: String,
    /// The state with its qualifier and condition: `Disabled, if no printer`.
    pub text: String,
}

/// One searchable page.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    /// "winnt-services-spooler": documents are indexed in slug order, and the
    /// first of a repeated slug is kept.
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
    /// Recommended state items, with their conditions and labels.
    pub recommended: Vec<Recommendation>,
    /// Command lines shown in the result: `svchost.exe -k netsvcs`.
    pub processes: Vec<String>,
    pub kind: DocKind,
}

/// The three generated scripts, to be written as `search-index.js`,
/// `search-names.js` and `search-docs.js` at the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFiles {
    /// `window.SVCGUIDE_INDEX=<lunr index JSON>;`: every field.
    pub index_js: String,
    /// `window.SVCGUIDE_NAMES=<lunr index JSON>;`: the `NAME_FIELDS` only.
    pub names_js: String,
    /// `window.SVCGUIDE_DOCS={ref:{"t","u","k","n","p","r","e"}};`
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

/// The name fields: the small index holds these, with the same boosts.
const NAME_FIELDS: usize = 4;

/// Stems a lowercase word exactly like lunr.js 2.3.9 (`lunr.stemmer`,
/// the original Porter algorithm: `skies` → `ski`, `news` → `new`).
pub fn stem(word: &str) -> String {
    stemmer::stem(word)
}

/// The recommended items of a service as plain text: the label as written,
/// the state's id and `State (qualifier), condition`.
pub fn recommendations(
    items: &[crate::service::Item<crate::service::state::StateValue>],
) -> Vec<Recommendation> {
    let plain = |md: &str| crate::text::collapse_whitespace(&crate::markdown::plain_text(md));
    items
        .iter()
        .map(|item| {
            let (state, text) = match &item.value {
                Some(v) => {
                    // The qualifier may hold Markdown (a link): plain text here.
                    let mut text = plain(&v.short());
                    if let Some(condition) =
                        v.condition.as_deref().map(plain).filter(|c| !c.is_empty())
                    {
                        let joiner = if condition.starts_with([',', ';', '(']) {
                            ""
                        } else {
                            ", "
                        };
                        text.push_str(joiner);
                        text.push_str(&condition);
                    }
                    (v.state.id().to_string(), text)
                }
                None => (String::new(), plain(&item.raw_value)),
            };
            Recommendation {
                label: item.label.clone().unwrap_or_default(),
                state,
                text,
            }
        })
        .collect()
}

/// Builds the three scripts. Output depends only on the set of documents:
/// they are sorted by slug, and a repeated slug keeps its first document.
pub fn build(docs: &[SearchDoc]) -> SearchFiles {
    use rayon::prelude::*;
    let indexer = Indexer::default();
    let prepared = docs.par_iter().map(|doc| indexer.prepare(doc)).collect();
    indexer.finish(prepared)
}

/// Builds the search files a document at a time: [`Indexer::prepare`] keeps
/// only what the index needs of a page (its terms, counted and numbered, and
/// its stored fields), so a build need not hold every page's text.
pub struct Indexer {
    terms: lunr::Terms,
    /// The names index's own numbering (its documents hold fewer terms).
    name_terms: lunr::Terms,
    /// One per thread of the pool (a thread only ever locks its own).
    slots: Vec<std::sync::Mutex<Slot>>,
}

/// A thread's working memory while it counts terms.
#[derive(Default)]
struct Slot {
    /// Token → its term's number, `None` for a stop word. The same few
    /// thousand words recur in every article: each is trimmed, looked up and
    /// stemmed once per thread.
    numbers: HashMap<String, Option<u32>, BuildHasherDefault<Fnv>>,
    /// By term number: where the term sits in the field being counted (+1; 0
    /// for not yet). Reset after each field.
    position: Vec<u32>,
}

/// Tokens cached per thread at most (a guide's vocabulary is far smaller).
const CACHED_TOKENS: usize = 200_000;

/// FNV-1a: short keys, no need for a keyed hash (the input is the guide itself).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Indexer {
    fn default() -> Self {
        Indexer {
            terms: lunr::Terms::default(),
            name_terms: lunr::Terms::default(),
            slots: (0..rayon::current_num_threads().max(1))
                .map(|_| Default::default())
                .collect(),
        }
    }
}

/// What the search files need of one document.
pub struct Prepared {
    document: Document,
    names: Document,
    stored: StoredDoc,
}

impl Indexer {
    /// Tokenises, filters, stems and counts a document's terms (any thread).
    pub fn prepare(&self, doc: &SearchDoc) -> Prepared {
        let texts = field_texts(doc);
        Prepared {
            document: Document {
                reference: doc.slug.clone(),
                fields: texts.iter().map(|text| self.count(text)).collect(),
            },
            names: Document {
                reference: doc.slug.clone(),
                fields: texts[..NAME_FIELDS]
                    .iter()
                    .map(|text| count_plain(text, &self.name_terms))
                    .collect(),
            },
            stored: StoredDoc {
                t: doc.title.clone(),
                u: doc.url.clone(),
                k: doc.kind.code(),
                n: doc.names.clone(),
                p: doc.processes.clone(),
                r: doc
                    .recommended
                    .iter()
                    .map(|r| [r.label.clone(), r.state.clone(), r.text.clone()])
                    .collect(),
                e: excerpt(&doc.excerpt, EXCERPT_CHARS),
            },
        }
    }

    /// The terms of one field's text, counted: the same terms, in the same
    /// order, as our tokenizer followed by lunr's pipeline (`tokens::tokenize`,
    /// `tokens::pipeline`: the tests' reference).
    fn count(&self, text: &str) -> FieldTerms {
        let at = rayon::current_thread_index().unwrap_or(0) % self.slots.len();
        let mut slot = self.slots[at].lock().expect("no panic while counting");
        let slot = &mut *slot;
        let mut field = FieldTerms::default();
        tokens::for_each_token(text, |token| {
            let number = match slot.numbers.get(token) {
                Some(&number) => number,
                None => {
                    let trimmed = tokens::trim_non_word(token);
                    let number =
                        (!tokens::is_stop_word(trimmed)).then(|| self.terms.number(&stem(trimmed)));
                    if slot.numbers.len() < CACHED_TOKENS {
                        slot.numbers.insert(token.to_string(), number);
                    }
                    number
                }
            };
            let Some(number) = number else {
                return;
            };
            field.length += 1;
            let n = number as usize;
            if slot.position.len() <= n {
                slot.position.resize(n + 1, 0);
            }
            match slot.position[n] {
                0 => {
                    field.counts.push((number, 1));
                    slot.position[n] = field.counts.len() as u32;
                }
                at => field.counts[at as usize - 1].1 += 1,
            }
        });
        for &(number, _) in &field.counts {
            slot.position[number as usize] = 0;
        }
        field.shrink();
        field
    }

    /// Both scripts, from the prepared documents in any order (sorted by slug
    /// here; a repeated slug keeps the first of them in the given order).
    pub fn finish(self, mut docs: Vec<Prepared>) -> SearchFiles {
        docs.sort_by(|a, b| a.document.reference.cmp(&b.document.reference));
        docs.dedup_by(|a, b| a.document.reference == b.document.reference);
        let count = docs.len();
        for (i, d) in docs.iter_mut().enumerate() {
            d.document.reference = short_ref(i, count);
            d.names.reference.clone_from(&d.document.reference);
        }
        let mut clock = crate::timing::Stopwatch::new();
        let mut documents = Vec::with_capacity(docs.len());
        let mut names = Vec::with_capacity(docs.len());
        let mut stored = Vec::with_capacity(docs.len());
        for d in docs {
            documents.push(d.document);
            names.push(d.names);
            stored.push(d.stored);
        }
        let references: Vec<String> = documents.iter().map(|d| d.reference.clone()).collect();
        let name_terms = self.name_terms;
        // The doc store and the names index are printed beside the full index
        // (whose inversion is one thread's work).
        let ((docs_js, names_js), index_js) = rayon::join(
            || {
                let names_js = js_assignment("SVCGUIDE_NAMES", |head| {
                    lunr::index_json(head, &FIELDS[..NAME_FIELDS], names, name_terms)
                });
                let store: BTreeMap<&str, &StoredDoc> =
                    references.iter().map(String::as_str).zip(&stored).collect();
                let docs_js = js_assignment("SVCGUIDE_DOCS", |mut out| {
                    let json =
                        serde_json::to_string(&store).expect("the doc store always serializes");
                    // Room for the closing `;` too.
                    out.reserve(json.len() + 1);
                    out.push_str(&json);
                    out
                });
                (docs_js, names_js)
            },
            || {
                js_assignment("SVCGUIDE_INDEX", |head| {
                    lunr::index_json(head, &FIELDS, documents, self.terms)
                })
            },
        );
        clock.lap(" search/docs+index");
        SearchFiles {
            index_js,
            names_js,
            docs_js,
        }
    }
}

/// The text of each field, in [`FIELDS`] order; lists become words.
fn field_texts(doc: &SearchDoc) -> [Cow<'_, str>; 5] {
    [
        Cow::Borrowed(&doc.title),
        Cow::Owned(doc.names.join(" ")),
        Cow::Owned(doc.images.join(" ")),
        Cow::Owned(doc.groups.join(" ")),
        Cow::Borrowed(&doc.body),
    ]
}

/// The terms of a short field, counted without the per-thread caches (the
/// names index's fields are a few words a page).
fn count_plain(text: &str, terms: &lunr::Terms) -> FieldTerms {
    let mut field = FieldTerms::default();
    tokens::for_each_token(text, |token| {
        let trimmed = tokens::trim_non_word(token);
        if tokens::is_stop_word(trimmed) {
            return;
        }
        let number = terms.number(&stem(trimmed));
        field.length += 1;
        match field.counts.iter_mut().find(|(n, _)| *n == number) {
            Some((_, count)) => *count += 1,
            None => field.counts.push((number, 1)),
        }
    });
    field.shrink();
    field
}

/// Short keys keep the store small; it is downloaded with the names index.
/// Empty lists are left out.
#[derive(Serialize)]
struct StoredDoc {
    /// Title.
    t: String,
    /// Site-root-relative URL.
    u: String,
    /// Kind: [`DocKind::code`].
    k: &'static str,
    /// Short names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    n: Vec<String>,
    /// Command lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    p: Vec<String>,
    /// Recommended items: `[label, state id, text]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    r: Vec<[String; 3]>,
    /// Excerpt.
    e: String,
}

/// Collapses whitespace and cuts at a word boundary, adding an ellipsis.
fn excerpt(text: &str, max_chars: usize) -> String {
    let text = crate::text::collapse_whitespace(text);
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

/// The lunr ref of the `i`-th of `count` documents in slug order: a letter,
/// then base-36 digits, at a fixed width, so that refs sort as the slugs do
/// (search.js breaks ties by ref) and none looks like an array index (which
/// JavaScript objects would put first). A ref is in every posting of the
/// index: 23-byte slugs made more than half of a 10,000-article index.
pub fn short_ref(i: usize, count: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut width = 1;
    let mut room = 26;
    while room < count {
        width += 1;
        room *= 36;
    }
    let mut out = vec![b'a'; width];
    let mut rest = i;
    for at in (1..width).rev() {
        out[at] = DIGITS[rest % 36];
        rest /= 36;
    }
    out[0] = b'a' + u8::try_from(rest.min(25)).expect("under 26");
    String::from_utf8(out).expect("ASCII letters and digits")
}

/// `window.NAME=<json>;`, the JSON appended by `write_json` to the prefix it
/// is given. U+2028 and U+2029 are escaped because engines before ES2019
/// reject them raw inside string literals.
fn js_assignment(name: &str, write_json: impl FnOnce(String) -> String) -> String {
    let mut out = write_json(format!("window.{name}="));
    out.push(';');
    // Searched as bytes: a char search over the megabytes of the index was a
    // visible part of the build's last, one-thread stretch.
    let has = |c: &str| memchr::memmem::find(out.as_bytes(), c.as_bytes()).is_some();
    if has("\u{2028}") || has("\u{2029}") {
        out.replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
