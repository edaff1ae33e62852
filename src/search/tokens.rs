//! Turning field text into index terms.
//!
//! Two halves with different contracts:
//! * `tokenize` (the tests' reference; [`for_each_token`] in the build) is
//!   ours: lunr's tokenizer plus extra tokens for
//!   identifiers (`LServer.exe` also yields `lserver` and `exe`,
//!   `TermService` also yields `term` and `service`).
//! * `pipeline` (the tests' reference; fused into `Indexer::count`) is
//!   lunr's index pipeline exactly (trimmer, stop word
//!   filter, stemmer), so a term in the index equals what lunr makes of the
//!   same token in the browser.

/// lunr's English stop word list (`lunr.stopWordFilter`), verbatim.
const STOP_WORDS: &[&str] = &[
    "a", "able", "about", "across", "after", "all", "almost", "also", "am", "among", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "but", "by", "can", "cannot", "could",
    "dear", "did", "do", "does", "either", "else", "ever", "every", "for", "from", "get", "got",
    "had", "has", "have", "he", "her", "hers", "him", "his", "how", "however", "i", "if", "in",
    "into", "is", "it", "its", "just", "least", "let", "like", "likely", "may", "me", "might",
    "most", "must", "my", "neither", "no", "nor", "not", "of", "off", "often", "on", "only", "or",
    "other", "our", "own", "rather", "said", "say", "says", "she", "should", "since", "so", "some",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "tis", "to",
    "too", "twas", "us", "wants", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "yet", "you", "your",
];

/// Identifier parts shorter than this (the `L` of `LServer`) are noise.
const MIN_PART_CHARS: usize = 2;

/// Splits text like `lunr.tokenizer` (on `/[\s\-]+/`, lowercased) and adds
/// the identifier parts of each token right after it.
///
/// Tokens without any word character are dropped: lunr would index them as
/// the empty term, which no query can reach, and they only skew BM25
/// field lengths.
#[cfg(test)]
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for_each_token(text, |token| tokens.push(token.to_string()));
    tokens
}

/// Calls `f` with each token of `tokenize`, in order, without allocating
/// for the plain lowercase words that most text is made of.
pub fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let mut lowered = String::new();
    for raw in split_lunr(text) {
        match word_shape(raw) {
            // Most words are plain lowercase words: their identifier parts are the word itself.
            Shape::Lowercase => f(raw),
            // `Windows`, `service.`, `(Spooler),`: the one identifier part is
            // the word, which the lowercased token already trims to.
            Shape::OneWord => {
                lowered.clear();
                lowered.push_str(raw);
                lowered.make_ascii_lowercase();
                f(&lowered);
            }
            Shape::Other => identifier_tokens(raw, &mut f),
        }
    }
}

/// The general case of [`for_each_token`]: the lowercased token, then each
/// identifier part that trims to something new.
fn identifier_tokens(raw: &str, f: &mut impl FnMut(&str)) {
    let mut seen: Vec<String> = Vec::new();
    for candidate in std::iter::once(raw.to_lowercase()).chain(identifier_parts(raw)) {
        let trimmed = trim_non_word(&candidate);
        if !trimmed.is_empty() && !seen.iter().any(|s| s == trimmed) {
            seen.push(trimmed.to_string());
            f(&candidate);
        }
    }
}

/// How much work a token's identifier parts take.
#[derive(Debug, PartialEq)]
enum Shape {
    /// Lowercase ASCII letters and digits only.
    Lowercase,
    /// ASCII: punctuation (not `_`), one word (a letter or digit, then
    /// lowercase letters and digits), punctuation. Its only identifier part
    /// is the word: nothing to split at, no capital after the first.
    OneWord,
    /// Anything else: the general path.
    Other,
}

fn word_shape(raw: &str) -> Shape {
    let bytes = raw.as_bytes();
    if bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Shape::Lowercase;
    }
    // `_` is a word character to lunr's trimmer but splits identifiers: not punctuation here.
    let punctuation = |b: &u8| b.is_ascii() && !b.is_ascii_alphanumeric() && *b != b'_';
    let start = bytes.iter().position(|b| !punctuation(b));
    let end = bytes.iter().rposition(|b| !punctuation(b));
    let (Some(start), Some(end)) = (start, end) else {
        return Shape::Other;
    };
    let word = &bytes[start..=end];
    let tail_lower = word[1..]
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if word[0].is_ascii_alphanumeric() && tail_lower {
        Shape::OneWord
    } else {
        Shape::Other
    }
}

/// lunr's index pipeline: trimmer, stop word filter, stemmer. The index
/// runs it fused with the tokenizer (`Indexer::count`); this plain form is the
/// reference the tests hold that to.
#[cfg(test)]
pub fn pipeline<I, S>(tokens: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    tokens
        .into_iter()
        .map(|token| trim_non_word(token.as_ref()).to_string())
        .filter(|token| !is_stop_word(token))
        .map(|token| super::stem(&token))
        .collect()
}

pub fn is_stop_word(token: &str) -> bool {
    STOP_WORDS.contains(&token)
}

/// The raw (not yet lowercased) pieces between separators.
fn split_lunr(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == '-' || is_js_space(c))
        .filter(|piece| !piece.is_empty())
}

/// JavaScript's `\s`: WhiteSpace and LineTerminator of ECMAScript, which is
/// not the same set as Rust's `char::is_whitespace` (U+FEFF yes, U+0085 no).
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `lunr.trimmer`: strips `\W` (anything but ASCII letters, digits and `_`)
/// from both ends.
pub fn trim_non_word(token: &str) -> &str {
    token.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
}

/// Lowercased parts of an identifier: the alphanumeric pieces between
/// punctuation (`spoolsv.exe` → `spoolsv`, `exe`) and the CamelCase words
/// of each piece (`TermServLicensing` → `term`, `serv`, `licensing`).
pub fn identifier_parts(raw: &str) -> Vec<String> {
    // The file names of a path (`…\\downloader\\qmgr0.dat` → `qmgr0.dat`):
    // a reader searches for the name as written, dot and all.
    let segments = raw
        .split(['\\', '/'])
        .filter(|seg| seg.len() < raw.len() && seg.contains(|c: char| !c.is_alphanumeric()));
    let pieces: Vec<&str> = raw
        .split(|c: char| !c.is_alphanumeric())
        .filter(|piece| !piece.is_empty())
        .collect();
    let camel = pieces.iter().flat_map(|piece| camel_words(piece));
    segments
        .chain(pieces.iter().copied())
        .chain(camel)
        .filter(|part| part.chars().count() >= MIN_PART_CHARS)
        .map(str::to_lowercase)
        .collect()
}

/// Splits `LServer` into `L`, `Server` and `DNSCache` into `DNS`, `Cache`:
/// a word starts at an upper-case letter that follows a lower-case letter
/// or digit, or that ends a run of capitals before a lower-case letter.
fn camel_words(piece: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = piece.char_indices().collect();
    let mut words = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (prev, cur) = (chars[i - 1].1, chars[i].1);
        let next_lower = chars.get(i + 1).is_some_and(|&(_, c)| c.is_lowercase());
        let boundary = cur.is_uppercase()
            && (prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower));
        if boundary {
            words.push(&piece[start..chars[i].0]);
            start = chars[i].0;
        }
    }
    words.push(&piece[start..]);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`for_each_token`] with every token taking the general path.
    fn tokenize_general(text: &str) -> Vec<String> {
        let mut tokens = Vec::new();
        for raw in split_lunr(text) {
            identifier_tokens(raw, &mut |t: &str| tokens.push(t.to_string()));
        }
        tokens
    }

    #[test]
    fn word_shapes() {
        assert_eq!(word_shape("spooler2"), Shape::Lowercase);
        for one in ["Windows", "service.", "(Spooler),", "X", "\"%1\"", "W2k"] {
            assert_eq!(word_shape(one), Shape::OneWord, "{one}");
        }
        for other in [
            "LServer", "svc.exe", "_x", "a_b", "café", "...", "WINDOWS", "a'b",
        ] {
            assert_eq!(word_shape(other), Shape::Other, "{other}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

        /// The shortcuts for plain words give what the general path gives.
        #[test]
        fn the_word_shortcuts_agree_with_the_general_path(
            text in r#"([a-zA-Z0-9_.,;:()'"%!?/\\é\x{A0}\x{1}-]{1,6}[ \t]){0,8}"#,
        ) {
            proptest::prop_assert_eq!(tokenize(&text), tokenize_general(&text));
        }
    }

    #[test]
    fn splits_like_lunr_on_whitespace_and_hyphens() {
        let text = "Print\u{A0}Spooler--service\tand\u{3000}Fax\u{FEFF}x \u{85}y";
        assert_eq!(
            tokenize(text),
            ["print", "spooler", "service", "and", "fax", "x", "\u{85}y"]
        );
    }

    #[test]
    fn drops_tokens_without_word_characters() {
        assert_eq!(tokenize("a & b ... (c)"), ["a", "b", "(c)"]);
    }

    #[test]
    fn expands_file_names() {
        assert_eq!(
            tokenize("LServer.exe"),
            ["lserver.exe", "lserver", "exe", "server"]
        );
        assert_eq!(tokenize("spoolsv.exe"), ["spoolsv.exe", "spoolsv", "exe"]);
        // A path also yields its file names, as written.
        let path = tokenize(r"%ALLUSERSPROFILE%\Downloader\qmgr0.dat");
        assert!(path.contains(&"qmgr0.dat".to_string()), "{path:?}");
        assert!(path.contains(&"%allusersprofile%".to_string()), "{path:?}");
        assert!(path.contains(&"qmgr0".to_string()), "{path:?}");
        assert!(tokenize("C:/Windows/System32/svchost.exe").contains(&"svchost.exe".to_string()));
    }

    #[test]
    fn expands_camel_case_names() {
        assert_eq!(tokenize("TermService"), ["termservice", "term", "service"]);
        assert_eq!(
            tokenize("TermServLicensing"),
            ["termservlicensing", "term", "serv", "licensing"]
        );
        assert_eq!(tokenize("DNSCache"), ["dnscache", "dns", "cache"]);
        assert_eq!(tokenize("W32Time"), ["w32time", "w32", "time"]);
        assert_eq!(
            tokenize("clr_optimization_v2"),
            ["clr_optimization_v2", "clr", "optimization", "v2"]
        );
    }

    #[test]
    fn plain_words_are_not_duplicated() {
        assert_eq!(tokenize("Spooler (Spooler)"), ["spooler", "(spooler)"]);
        assert_eq!(tokenize("netsvcs"), ["netsvcs"]);
    }

    #[test]
    fn pipeline_matches_lunr() {
        let terms = pipeline(["the", "(printers)", "lserver.exe", "exe", "...", "services"]);
        // lunr keeps a token that trims to nothing, as the empty term.
        assert_eq!(terms, ["printer", "lserver.ex", "ex", "", "servic"]);
    }

    #[test]
    fn trimmer_only_keeps_ascii_word_characters() {
        assert_eq!(trim_non_word("«café»"), "caf");
        assert_eq!(trim_non_word("_x_"), "_x_");
        assert_eq!(trim_non_word("%SystemRoot%"), "SystemRoot");
    }

    #[test]
    fn stop_words_are_lunrs() {
        assert_eq!(STOP_WORDS.len(), 119);
        assert!(is_stop_word("the") && is_stop_word("twas"));
        assert!(!is_stop_word("service") && !is_stop_word("constructor"));
    }
}
