//! The Porter stemmer exactly as lunr.js 2.3.9 runs it (`lunr.stemmer`).
//!
//! lunr implements the original Porter (1980) algorithm with regular
//! expressions. The index only works if every stem here equals the stem the
//! browser computes for a query, so this module mirrors those expressions
//! rule by rule instead of following another Porter implementation:
//!
//! * words are sequences of UTF-16 code units, as in JavaScript (`length < 3`,
//!   `.` and character classes all count code units);
//! * `(.+?)` captures are the shortest non-empty prefix made of characters
//!   that `.` matches (anything but a line terminator);
//! * the measure tests (`[C]VC...`) are evaluated by a tiny backtracking
//!   matcher over lunr's own consonant/vowel classes, so `y` is treated
//!   however the regular expression would treat it.

const STEP2: &[(&str, &str)] = &[
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
];

const STEP3: &[(&str, &str)] = &[
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
];

const STEP4: &[&str] = &[
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou", "ism",
    "ate", "iti", "ous", "ive", "ize",
];

/// Stems one lowercase word the way `lunr.stemmer` does.
pub fn stem(word: &str) -> String {
    let mut w: Vec<u16> = word.encode_utf16().collect();
    if w.len() < 3 {
        return word.to_string();
    }
    // lunr upper-cases a leading `y` so the vowel classes see it as a consonant.
    let initial_y = w[0] == u16::from(b'y');
    if initial_y {
        w[0] = u16::from(b'Y');
    }
    step1a(&mut w);
    step1b(&mut w);
    step1c(&mut w);
    step2(&mut w);
    step3(&mut w);
    step4(&mut w);
    step5(&mut w);
    if initial_y {
        w[0] = u16::from(b'y');
    }
    String::from_utf16(&w).expect("only ASCII suffixes are removed or added")
}

fn step1a(w: &mut Vec<u16>) {
    // /^(.+?)(ss|i)es$/ -> "$1$2", else /^(.+?)([^s])s$/ -> "$1$2"
    if split_suffix(w, &["sses", "ies"]).is_some() {
        w.truncate(w.len() - 2);
    } else if w.len() >= 3
        && ends_with(w, "s")
        && w[w.len() - 2] != u16::from(b's')
        && is_dot_run(&w[..w.len() - 2])
    {
        w.pop();
    }
}

fn step1b(w: &mut Vec<u16>) {
    if let Some((stem_len, _)) = split_suffix(w, &["eed"]) {
        if matches_prefix(&w[..stem_len], MGR0) {
            w.pop();
        }
        return;
    }
    let Some((stem_len, _)) = split_suffix(w, &["ed", "ing"]) else {
        return;
    };
    if !matches_prefix(&w[..stem_len], S_V) {
        return;
    }
    w.truncate(stem_len);
    if ends_with(w, "at") || ends_with(w, "bl") || ends_with(w, "iz") {
        w.push(u16::from(b'e'));
    } else if ends_in_double_consonant(w) {
        // `w.replace(/.$/, "")` leaves a final line terminator in place.
        if w.last().is_some_and(|&u| is_dot(u)) {
            w.pop();
        }
    } else if matches_whole(w, CVC) {
        w.push(u16::from(b'e'));
    }
}

/// `/^(.+?[^aeiou])y$/`: a final `y` after a consonant becomes `i`.
fn step1c(w: &mut [u16]) {
    let n = w.len();
    if n >= 3
        && w[n - 1] == u16::from(b'y')
        && !in_set(w[n - 2], "aeiou")
        && is_dot_run(&w[..n - 2])
    {
        w[n - 1] = u16::from(b'i');
    }
}

fn step2(w: &mut Vec<u16>) {
    replace_if_measure(w, STEP2, MGR0);
}

fn step3(w: &mut Vec<u16>) {
    replace_if_measure(w, STEP3, MGR0);
}

fn step4(w: &mut Vec<u16>) {
    if let Some((stem_len, _)) = split_suffix(w, STEP4) {
        if matches_prefix(&w[..stem_len], MGR1) {
            w.truncate(stem_len);
        }
        return;
    }
    // /^(.+?)(s|t)(ion)$/: the s or t stays part of the stem.
    if let Some((stem_len, _)) = split_suffix(w, &["sion", "tion"]) {
        let stem_len = stem_len + 1;
        if matches_prefix(&w[..stem_len], MGR1) {
            w.truncate(stem_len);
        }
    }
}

fn step5(w: &mut Vec<u16>) {
    if let Some((stem_len, _)) = split_suffix(w, &["e"]) {
        let stem = &w[..stem_len];
        if matches_prefix(stem, MGR1) || (matches_whole(stem, MEQ1) && !matches_whole(stem, CVC)) {
            w.truncate(stem_len);
        }
    }
    if ends_with(w, "ll") && matches_prefix(w, MGR1) {
        w.pop();
    }
}

/// Steps 2 and 3: swap the suffix when the stem's measure test passes.
fn replace_if_measure(w: &mut Vec<u16>, table: &[(&str, &str)], test: &[Item]) {
    let suffixes: Vec<&str> = table.iter().map(|(from, _)| *from).collect();
    let Some((stem_len, i)) = split_suffix(w, &suffixes) else {
        return;
    };
    if matches_prefix(&w[..stem_len], test) {
        w.truncate(stem_len);
        w.extend(table[i].1.encode_utf16());
    }
}

/// Emulates `/^(.+?)(alt1|alt2|...)$/`: the shortest non-empty stem of
/// `.`-characters whose remainder is one of `suffixes`. Returns the stem
/// length and the index of the matching suffix.
fn split_suffix(w: &[u16], suffixes: &[&str]) -> Option<(usize, usize)> {
    for stem_len in 1..w.len() {
        if !is_dot(w[stem_len - 1]) {
            return None;
        }
        let rest = &w[stem_len..];
        if let Some(i) = suffixes.iter().position(|s| eq_ascii(rest, s)) {
            return Some((stem_len, i));
        }
    }
    None
}

/// `/([^aeiouylsz])\1$/`
fn ends_in_double_consonant(w: &[u16]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && !in_set(w[n - 1], "aeiouylsz")
}

fn ends_with(w: &[u16], suffix: &str) -> bool {
    w.len() >= suffix.len() && eq_ascii(&w[w.len() - suffix.len()..], suffix)
}

fn eq_ascii(units: &[u16], s: &str) -> bool {
    units.len() == s.len() && units.iter().zip(s.bytes()).all(|(&u, b)| u == u16::from(b))
}

fn in_set(unit: u16, set: &str) -> bool {
    set.bytes().any(|b| unit == u16::from(b))
}

/// What `.` matches in a JavaScript regular expression without flags.
fn is_dot(unit: u16) -> bool {
    !matches!(unit, 0x0A | 0x0D | 0x2028 | 0x2029)
}

fn is_dot_run(units: &[u16]) -> bool {
    !units.is_empty() && units.iter().all(|&u| is_dot(u))
}

/// Pieces of lunr's measure expressions, built from
/// `C = [^aeiou][^aeiouy]*`, `V = [aeiouy][aeiou]*`, `c`, `v`.
#[derive(Clone, Copy)]
enum Item {
    /// `C`, a consonant sequence.
    Cons,
    /// `V`, a vowel sequence.
    Vow,
    /// `(C)?`
    OptCons,
    /// `(V)?`
    OptVow,
    /// `v`, a single vowel.
    Vowel,
    /// `[^aeiouwxy]`
    NotWxy,
}

/// `^([C])?VC` : measure > 0.
const MGR0: &[Item] = &[Item::OptCons, Item::Vow, Item::Cons];
/// `^([C])?VCVC` : measure > 1.
const MGR1: &[Item] = &[Item::OptCons, Item::Vow, Item::Cons, Item::Vow, Item::Cons];
/// `^([C])?VC([V])?$` : measure = 1.
const MEQ1: &[Item] = &[Item::OptCons, Item::Vow, Item::Cons, Item::OptVow];
/// `^([C])?v` : the stem contains a vowel.
const S_V: &[Item] = &[Item::OptCons, Item::Vowel];
/// `^Cv[^aeiouwxy]$` : consonant-vowel-consonant ending (`hop`, not `how`).
const CVC: &[Item] = &[Item::Cons, Item::Vowel, Item::NotWxy];

/// The pattern matches at the start of `w` (no `$`).
fn matches_prefix(w: &[u16], pattern: &[Item]) -> bool {
    match_at(w, 0, pattern, false)
}

/// The pattern matches all of `w` (`^...$`).
fn matches_whole(w: &[u16], pattern: &[Item]) -> bool {
    match_at(w, 0, pattern, true)
}

/// Backtracking match of `pattern` at `pos`, trying every length a run may
/// take, like the regular expression engine does.
fn match_at(w: &[u16], pos: usize, pattern: &[Item], to_end: bool) -> bool {
    let Some((&item, rest)) = pattern.split_first() else {
        return !to_end || pos == w.len();
    };
    let next = |len: usize| match_at(w, pos + len, rest, to_end);
    match item {
        Item::Cons => run_lengths(w, pos, "aeiou", "aeiouy", false).any(next),
        Item::Vow => run_lengths(w, pos, "aeiouy", "aeiou", true).any(next),
        Item::OptCons => run_lengths(w, pos, "aeiou", "aeiouy", false).any(next) || next(0),
        Item::OptVow => run_lengths(w, pos, "aeiouy", "aeiou", true).any(next) || next(0),
        Item::Vowel => w.get(pos).is_some_and(|&u| in_set(u, "aeiouy")) && next(1),
        Item::NotWxy => w.get(pos).is_some_and(|&u| !in_set(u, "aeiouwxy")) && next(1),
    }
}

/// Lengths (longest first) of a run at `pos` whose first unit is in (or,
/// for consonants, outside) `first` and whose following units are in (or
/// outside) `more`.
fn run_lengths<'a>(
    w: &'a [u16],
    pos: usize,
    first: &'a str,
    more: &'a str,
    inside: bool,
) -> impl Iterator<Item = usize> + 'a {
    let fits = move |unit: u16, set: &str| in_set(unit, set) == inside;
    let max = match w.get(pos) {
        Some(&u) if fits(u, first) => {
            1 + w[pos + 1..].iter().take_while(|&&u| fits(u, more)).count()
        }
        _ => 0,
    };
    (1..=max).rev()
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn classic_examples() {
        let cases = [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("hopping", "hop"),
            ("filing", "file"),
            ("happy", "happi"),
            ("relational", "relat"),
            ("generalization", "gener"),
            ("skies", "ski"),
            ("news", "new"),
            ("yelling", "yell"),
            ("lserver.exe", "lserver.ex"),
            ("by", "by"),
        ];
        for (word, expected) in cases {
            assert_eq!(stem(word), expected, "stem({word:?})");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for word in ["", "é", "ééing", "😀😀ies", "a\nies", "yyyyy", "\u{2028}ed"] {
            let _ = stem(word);
        }
    }
}
