//! A writer for lunr 2.x serialized indexes.
//!
//! It repeats what `lunr.Builder` computes (term numbering, BM25 field
//! vectors, inverted index) and prints it the way `JSON.stringify` prints
//! `lunr.Index.prototype.toJSON()`, so `lunr.Index.load` in the browser gets
//! the index lunr itself would have built from the same terms.

use std::collections::HashMap;
use std::fmt::Write as _;

/// The lunr version the output claims; `lunr.Index.load` warns on mismatch.
pub const LUNR_VERSION: &str = "2.3.9";
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// An indexed field and its boost (`builder.field(name, {boost})`).
pub struct Field {
    pub name: &'static str,
    pub boost: f64,
}

/// One document: its ref and, per field (same order as the fields), the
/// terms that came out of the pipeline, counted.
pub struct Document {
    pub reference: String,
    pub fields: Vec<FieldTerms>,
}

/// A field's terms as lunr's builder sees them: each distinct term once, in
/// order of first appearance (which fixes the term numbering), with its count.
#[derive(Default)]
pub struct FieldTerms {
    /// Number of terms, repeats included (BM25's field length).
    pub length: usize,
    /// (term number in [`Terms`], count). Numbers, not strings: a guide's
    /// documents hold millions of these while the index is being built.
    pub counts: Vec<(u32, u32)>,
}

impl FieldTerms {
    /// Drops the room left by growing: every page's terms are held until the
    /// index is built (a third of their memory was spare capacity).
    pub fn shrink(&mut self) {
        self.counts.shrink_to_fit();
    }

    /// Counts terms already through the pipeline (the tests' reference path).
    #[cfg(test)]
    pub fn count(terms: &[String], dictionary: &Terms) -> FieldTerms {
        let mut slot: HashMap<&str, usize> = HashMap::with_capacity(terms.len());
        let mut distinct: Vec<(&str, u32)> = Vec::new();
        for term in terms {
            match slot.get(term.as_str()) {
                Some(&at) => distinct[at].1 += 1,
                None => {
                    slot.insert(term, distinct.len());
                    distinct.push((term, 1));
                }
            }
        }
        FieldTerms {
            length: terms.len(),
            counts: distinct
                .into_iter()
                .map(|(term, count)| (dictionary.number(term), count))
                .collect(),
        }
    }
}

/// Every term met while documents are counted (on any thread), numbered as it
/// comes. lunr numbers terms by first appearance in the sorted documents;
/// [`index_json`] works that numbering out at the end.
pub struct Terms {
    shards: Vec<std::sync::Mutex<Shard>>,
}

#[derive(Default)]
struct Shard {
    numbers: HashMap<String, u32>,
    names: Vec<String>,
}

/// A power of two: the low bits of a term's number name its shard.
const SHARDS: usize = 16;

impl Default for Terms {
    fn default() -> Self {
        Terms {
            shards: (0..SHARDS).map(|_| Default::default()).collect(),
        }
    }
}

impl Terms {
    pub fn number(&self, term: &str) -> u32 {
        let shard = fnv(term) % SHARDS;
        let mut s = self.shards[shard].lock().expect("no panic while numbering");
        if let Some(&n) = s.numbers.get(term) {
            return n;
        }
        let n = u32::try_from(s.names.len() * SHARDS + shard).expect("under 4 billion terms");
        s.numbers.insert(term.to_string(), n);
        s.names.push(term.to_string());
        n
    }

    /// Every term's name, by number (`names[n % SHARDS][n / SHARDS]`).
    fn into_names(self) -> Vec<Vec<String>> {
        self.shards
            .into_iter()
            .map(|s| s.into_inner().expect("no panic while numbering").names)
            .collect()
    }
}

/// Cheap, and fixed, so a term always lands in the same shard.
fn fnv(s: &str) -> usize {
    use std::hash::Hasher;
    let mut h = super::Fnv::default();
    h.write(s.as_bytes());
    h.finish() as usize
}

struct Posting {
    term: String,
    /// Per field, the documents (as positions in the input) holding the term.
    docs: Vec<Vec<u32>>,
}

/// One `field/ref` pair: its length and term frequencies, by lunr's term
/// number in ascending order (the order of its field vector).
struct FieldEntry {
    doc: u32,
    field: usize,
    length: usize,
    frequencies: Vec<(u32, u32)>,
}

/// Builds the serialized index. Refs must be unique; documents are indexed
/// in the given order, which fixes the term numbering. `terms` numbered the
/// documents' terms. The JSON is appended to `head` (a script's prefix: the
/// index runs to tens of megabytes, not worth copying into place afterwards).
pub fn index_json(head: String, fields: &[Field], docs: Vec<Document>, terms: Terms) -> String {
    let refs: Vec<String> = docs.iter().map(|d| json_string(&d.reference)).collect();
    let reorder = docs.iter().any(|d| array_index(&d.reference).is_some());
    let (postings, entries) = invert(fields.len(), docs, terms);
    let weights = Weights::new(fields, refs.len(), &postings, &entries);
    serialize(head, fields, &refs, reorder, &postings, &entries, &weights)
}

/// `lunr.Builder.prototype.add` for every document: numbers each new term
/// in order of first appearance and records postings and frequencies.
/// The documents are consumed: their terms are freed as they are indexed.
fn invert(
    field_count: usize,
    docs: Vec<Document>,
    terms: Terms,
) -> (Vec<Posting>, Vec<FieldEntry>) {
    let mut names = terms.into_names();
    let highest = names.iter().map(Vec::len).max().unwrap_or(0) * SHARDS;
    // By number in `terms`: the term's number in lunr's order (MAX: not met yet).
    let mut lunr_number: Vec<u32> = vec![u32::MAX; highest];
    let mut postings: Vec<Posting> = Vec::new();
    let mut entries = Vec::new();
    for (doc, document) in docs.into_iter().enumerate() {
        let doc = u32::try_from(doc).expect("under 4 billion documents");
        for (field, terms) in document.fields.into_iter().enumerate() {
            let mut frequencies = terms.counts;
            for (term, _) in &mut frequencies {
                let at = *term as usize;
                if lunr_number[at] == u32::MAX {
                    lunr_number[at] = postings.len() as u32;
                    postings.push(Posting {
                        term: std::mem::take(&mut names[at % SHARDS][at / SHARDS]),
                        docs: vec![Vec::new(); field_count],
                    });
                }
                let n = lunr_number[at];
                *term = n;
                postings[n as usize].docs[field].push(doc);
            }
            frequencies.sort_unstable_by_key(|&(term, _)| term);
            entries.push(FieldEntry {
                doc,
                field,
                length: terms.length,
                frequencies,
            });
        }
    }
    (postings, entries)
}

/// `lunr.Builder.prototype.createFieldVectors`: BM25 weight of each term
/// in each field, times the field boost, rounded to 3 decimals. The
/// arithmetic is written in lunr's order so the doubles come out equal.
/// Weights are worked out as the vectors are printed, not stored.
struct Weights<'a> {
    fields: &'a [Field],
    averages: Vec<f64>,
    idfs: Vec<f64>,
}

impl<'a> Weights<'a> {
    fn new(
        fields: &'a [Field],
        doc_count: usize,
        postings: &[Posting],
        entries: &[FieldEntry],
    ) -> Self {
        Weights {
            fields,
            averages: average_lengths(fields.len(), doc_count, entries),
            idfs: postings.iter().map(|p| idf(p, doc_count)).collect(),
        }
    }

    /// The field vector of `entry`: (term number, weight in thousandths: lunr
    /// rounds weights to 3 decimals), by term number.
    fn vector<'e>(&'e self, entry: &'e FieldEntry) -> impl Iterator<Item = (u32, f64)> + 'e {
        let relative_length = entry.length as f64 / self.averages[entry.field];
        let boost = self.fields[entry.field].boost;
        entry.frequencies.iter().map(move |&(term, tf)| {
            let tf = f64::from(tf);
            let score = self.idfs[term as usize] * ((K1 + 1.0) * tf)
                / (K1 * (1.0 - B + B * relative_length) + tf)
                * boost;
            // lunr's `Math.round(score * 1000)`. Scores are never negative, where
            // `Math.round` (half up) and `f64::round` (half away from zero) agree.
            (term, (score * 1000.0).round())
        })
    }
}

/// `lunr.Builder.prototype.calculateAverageFieldLengths`.
fn average_lengths(field_count: usize, doc_count: usize, entries: &[FieldEntry]) -> Vec<f64> {
    let mut sums = vec![0usize; field_count];
    for entry in entries {
        sums[entry.field] += entry.length;
    }
    sums.iter()
        .map(|&sum| sum as f64 / doc_count as f64)
        .collect()
}

/// `lunr.idf`. A document holding the term in two fields counts twice, as
/// in lunr.
fn idf(posting: &Posting, doc_count: usize) -> f64 {
    let with_term: usize = posting.docs.iter().map(Vec::len).sum();
    let x = (doc_count as f64 - with_term as f64 + 0.5) / (with_term as f64 + 0.5);
    (1.0 + x.abs()).ln()
}

fn serialize(
    head: String,
    fields: &[Field],
    refs: &[String],
    reorder: bool,
    postings: &[Posting],
    entries: &[FieldEntry],
    weights: &Weights,
) -> String {
    use rayon::prelude::*;
    // Refs come JSON-quoted; the two big arrays are printed in chunks on every
    // core and joined in order, so the output is the same as a single pass.
    let vectors = || -> Vec<String> {
        entries
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut out = String::with_capacity(chunk.len() * 256);
                push_list(&mut out, chunk, |out, entry| {
                    out.push_str("[\"");
                    out.push_str(fields[entry.field].name);
                    out.push('/');
                    let quoted = &refs[entry.doc as usize];
                    out.push_str(&quoted[1..]);
                    out.push_str(",[");
                    for (i, (term, score)) in weights.vector(entry).enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(itoa::Buffer::new().format(term));
                        out.push(',');
                        push_thousandths(out, score);
                    }
                    out.push_str("]]");
                });
                out
            })
            .collect()
    };
    let inverted = || -> Vec<String> {
        // The sort of the terms is one thread's work: it overlaps the vectors.
        let term_ids = sorted_term_ids(postings);
        term_ids
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut out = String::with_capacity(chunk.len() * 128);
                push_list(&mut out, chunk, |out, &id| {
                    push_posting(out, fields, refs, reorder, id, &postings[id]);
                });
                out
            })
            .collect()
    };
    let (vector_chunks, posting_chunks) = rayon::join(vectors, inverted);
    let size: usize = vector_chunks
        .iter()
        .chain(&posting_chunks)
        .map(String::len)
        .sum();
    let mut out = head;
    out.reserve(size + vector_chunks.len() + posting_chunks.len() + 256);
    out.push_str("{\"version\":");
    push_string(&mut out, LUNR_VERSION);
    out.push_str(",\"fields\":[");
    push_list(&mut out, fields, |out, field| push_string(out, field.name));
    out.push_str("],\"fieldVectors\":[");
    push_joined(&mut out, &vector_chunks);
    out.push_str("],\"invertedIndex\":[");
    push_joined(&mut out, &posting_chunks);
    out.push_str("],\"pipeline\":[\"stemmer\"]}");
    out
}

/// Items per parallel serialization task.
const CHUNK: usize = 2048;

/// Comma-joins pieces that are themselves comma-separated lists (empty ones skipped).
fn push_joined(out: &mut String, pieces: &[String]) {
    let mut first = true;
    for piece in pieces.iter().filter(|p| !p.is_empty()) {
        if !first {
            out.push(',');
        }
        out.push_str(piece);
        first = false;
    }
}

/// `["term",{"_index":n,"title":{"ref":{}},...}]`; `refs` are JSON-quoted.
fn push_posting(
    out: &mut String,
    fields: &[Field],
    refs: &[String],
    reorder: bool,
    id: usize,
    p: &Posting,
) {
    out.push('[');
    push_string(out, &p.term);
    out.push_str(",{\"_index\":");
    out.push_str(itoa::Buffer::new().format(id));
    for (field, holders) in fields.iter().zip(&p.docs) {
        out.push_str(",\"");
        out.push_str(field.name);
        out.push_str("\":{");
        let mut keys: Vec<&str> = holders.iter().map(|&d| refs[d as usize].as_str()).collect();
        if reorder {
            js_key_order(&mut keys, |quoted| &quoted[1..quoted.len() - 1]);
        }
        push_list(out, &keys, |out, reference| {
            out.push_str(reference);
            out.push_str(":{}");
        });
        out.push('}');
    }
    out.push_str("}]");
}

/// Term ids in the order of `Object.keys(invertedIndex).sort()`, which
/// compares UTF-16 code units. That is byte order unless a term holds a
/// character beyond U+FFFF (a surrogate pair sorts before U+E000..U+FFFF).
fn sorted_term_ids(postings: &[Posting]) -> Vec<usize> {
    let mut ids: Vec<usize> = (0..postings.len()).collect();
    let astral = postings
        .iter()
        .any(|p| p.term.chars().any(|c| c > '\u{FFFF}'));
    if astral {
        ids.sort_by(|&a, &b| {
            let (a, b) = (&postings[a].term, &postings[b].term);
            a.encode_utf16().cmp(b.encode_utf16())
        });
    } else {
        ids.sort_unstable_by(|&a, &b| postings[a].term.cmp(&postings[b].term));
    }
    ids
}

/// The order JavaScript gives an object's keys: array-index keys ("0",
/// "42") first in numeric order, then the others in insertion order.
fn js_key_order<T>(keys: &mut [T], name: impl Fn(&T) -> &str) {
    keys.sort_by_key(|key| match array_index(name(key)) {
        Some(n) => (0, n),
        None => (1, 0),
    });
}

/// A canonical decimal below 2^32 - 1, the only keys JavaScript reorders.
fn array_index(key: &str) -> Option<u64> {
    let canonical = key == "0" || (!key.starts_with('0') && !key.is_empty());
    if !canonical || !key.bytes().all(|b| b.is_ascii_digit()) || key.len() > 10 {
        return None;
    }
    key.parse::<u64>().ok().filter(|&n| n < u64::from(u32::MAX))
}

fn push_list<T>(out: &mut String, items: &[T], mut push: impl FnMut(&mut String, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push(out, item);
    }
}

/// A JSON string as `JSON.stringify` writes it (serde_json escapes the
/// same characters, with the same lowercase `\u00xx` form).
pub fn push_string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).expect("strings always serialize"));
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_string(&mut out, s);
    out
}

/// `k / 1000` as JavaScript prints it, for a whole number `k` (a rounded
/// weight): from the integer's digits, which is what the shortest round-trip
/// form of such a double is (cheaper than the float formatter: docs/benchmarks.md).
fn push_thousandths(out: &mut String, k: f64) {
    if k > 0.0 && k < 1e15 {
        let k = k as u64;
        out.push_str(itoa::Buffer::new().format(k / 1000));
        let frac = k % 1000;
        if frac != 0 {
            let digits = [frac / 100, frac / 10 % 10, frac % 10];
            let used = 3 - digits.iter().rev().take_while(|&&d| d == 0).count();
            out.push('.');
            for d in &digits[..used] {
                out.push(char::from(b'0' + *d as u8));
            }
        }
    } else {
        push_js_number(out, k / 1000.0);
    }
}

/// [`js_number`] without an allocation for the usual range, where Rust's
/// shortest round-trip `Display` and JavaScript print the same digits.
fn push_js_number(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push('0');
    } else if (1e-6..1e21).contains(&x.abs()) {
        let _ = write!(out, "{x}");
    } else {
        out.push_str(&js_number(x));
    }
}

/// ECMAScript `Number::toString` for a finite double: the shortest
/// round-trip digits, in plain notation for 1e-7 < |x| < 1e21.
pub fn js_number(x: f64) -> String {
    assert!(x.is_finite(), "lunr scores are finite");
    if x == 0.0 {
        return "0".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // `{:e}` gives the shortest round-trip digits: "1.234e-2".
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').expect("`{:e}` has an exponent");
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let k = digits.len() as i32;
    let n = exponent.parse::<i32>().expect("numeric exponent") + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let exp = if e < 0 {
            format!("-{}", -e)
        } else {
            format!("+{e}")
        };
        match digits.split_at(1) {
            (d, "") => format!("{d}e{exp}"),
            (d, rest) => format!("{d}.{rest}e{exp}"),
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_javascript() {
        let cases = [
            (0.0, "0"),
            (1.0, "1"),
            (12.0, "12"),
            (1.234, "1.234"),
            (0.001, "0.001"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123.456, "123.456"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1e20, "100000000000000000000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (-2.5, "-2.5"),
        ];
        for (x, expected) in cases {
            assert_eq!(js_number(x), expected, "{x:e}");
        }
    }

    /// lunr's `Math.round(x * 1000) / 1000`, printed as JavaScript prints it.
    fn rounded(x: f64) -> String {
        let mut out = String::new();
        push_thousandths(&mut out, (x * 1000.0).round());
        out
    }

    #[test]
    fn rounds_like_math_round() {
        assert_eq!(rounded(1.2345), "1.235");
        assert_eq!(rounded(2.5e-3), "0.003");
        assert_eq!(rounded(0.0005), "0.001");
        assert_eq!(rounded(2.0004999), "2");
        assert_eq!(rounded(0.0), "0");
        assert_eq!(rounded(12.3), "12.3");
    }

    /// Thousandths printed from their integer read as the float formatter's
    /// shortest form of the same double (what the index held before).
    #[test]
    fn thousandths_print_as_the_shortest_double() {
        let mut ks: Vec<u64> = (0..200_000).collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ks.push(x % 1_000_000_000_000_000);
        }
        for k in ks {
            let mut fast = String::new();
            push_thousandths(&mut fast, k as f64);
            let mut slow = String::new();
            push_js_number(&mut slow, k as f64 / 1000.0);
            assert_eq!(fast, slow, "{k}");
        }
    }

    #[test]
    fn keys_follow_javascript_object_order() {
        let mut keys = vec!["b", "10", "a", "2", "02", "4294967295", "4294967294"];
        js_key_order(&mut keys, |k| k);
        assert_eq!(
            keys,
            ["2", "10", "4294967294", "b", "a", "02", "4294967295"]
        );
    }

    #[test]
    fn terms_sort_by_utf16_code_units() {
        let posting = |term: &str| Posting {
            term: term.to_string(),
            docs: Vec::new(),
        };
        // U+1F600 sorts after U+FF41 by code point, before it in UTF-16.
        let postings = [posting("\u{1F600}"), posting("\u{FF41}"), posting("b")];
        assert_eq!(sorted_term_ids(&postings), [2, 0, 1]);
    }

    #[test]
    fn small_index_has_lunrs_shape_and_weights() {
        let fields = [
            Field {
                name: "title",
                boost: 10.0,
            },
            Field {
                name: "body",
                boost: 1.0,
            },
        ];
        let terms = Terms::default();
        let counted = |words: &[&str]| {
            let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            FieldTerms::count(&words, &terms)
        };
        // Numbered in another order than lunr's, as threads would.
        counted(&["job", "fax"]);
        let docs = [
            Document {
                reference: "a".into(),
                fields: vec![counted(&["print", "spooler"]), counted(&["print", "job"])],
            },
            Document {
                reference: "b".into(),
                fields: vec![counted(&["fax"]), counted(&[])],
            },
        ];
        // Weights worked out by hand: `print` is in 2 postings of 2 docs, so
        // idf = ln(1 + 0.5 / 2.5); `spooler` idf = ln 2; title lengths 2 and 1.
        let expected = concat!(
            r#"{"version":"2.3.9","fields":["title","body"],"fieldVectors":["#,
            r#"["title/a",[0,1.604,1,6.1]],["body/a",[0,0.129,2,0.492]],"#,
            r#"["title/b",[3,8.026]],["body/b",[]]],"invertedIndex":["#,
            r#"["fax",{"_index":3,"title":{"b":{}},"body":{}}],"#,
            r#"["job",{"_index":2,"title":{},"body":{"a":{}}}],"#,
            r#"["print",{"_index":0,"title":{"a":{}},"body":{"a":{}}}],"#,
            r#"["spooler",{"_index":1,"title":{"a":{}},"body":{}}]],"#,
            r#""pipeline":["stemmer"]}"#
        );
        let json = index_json(String::new(), &fields, docs.into(), terms);
        assert_eq!(json, expected);
    }
}
