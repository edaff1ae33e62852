//! Small text helpers shared by the parser and the renderer.

/// Decodes HTML character references once (`&amp;lt;` becomes `&lt;`, not
/// `<`), with html-escape's table of every named reference HTML knows.
pub fn decode_entities(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// Removes Markdown backslash escapes (`clr\_optimization` is `clr_optimization`).
pub fn unescape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next.is_ascii_punctuation() {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML element content and attribute values (either quote).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_html_into(&mut out, s);
    out
}

/// The HTML entity for a byte that must be escaped in text and in quoted
/// attribute values (either quote), or `None` for a byte that stays as it is.
fn html_entity(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Calls `put` with the runs of `s` that stay and the entities between them.
fn for_each_escaped_piece(s: &str, mut put: impl FnMut(&str)) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(e) = html_entity(b) {
            if start < i {
                put(&s[start..i]);
            }
            put(e);
            start = i + 1;
        }
    }
    if start < s.len() {
        put(&s[start..]);
    }
}

/// Appends `s` escaped for HTML text and quoted attribute values.
pub fn escape_html_into(out: &mut String, s: &str) {
    for_each_escaped_piece(s, |piece| out.push_str(piece));
}

/// [`escape_html_into`] for a writer: tera's escape function (`Tera::set_escape_fn`).
pub fn escape_html_to(s: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut result = Ok(());
    for_each_escaped_piece(s, |piece| {
        if result.is_ok() {
            result = w.write_all(piece.as_bytes());
        }
    });
    result
}

/// A heading id in the style of GitHub: lowercase words joined by hyphens.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// `s` with each run of whitespace made one space and none at the ends: what
/// `s.split_whitespace().collect::<Vec<_>>().join(" ")` gives, in one pass and
/// without the list. ASCII text (nearly all of it) is walked by bytes.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.is_ascii() {
        // The ASCII characters `char::is_whitespace` accepts: tab to CR, space.
        let space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
        let bytes = s.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            while at < bytes.len() && space(bytes[at]) {
                at += 1;
            }
            let start = at;
            while at < bytes.len() && !space(bytes[at]) {
                at += 1;
            }
            if start < at {
                if !out.is_empty() {
                    out.push(' ');
                }
                // Every byte offset of an ASCII text is a char boundary.
                out.push_str(&s[start..at]);
            }
        }
    } else {
        for word in s.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Cuts text to at most `max` characters on a word boundary, adding an ellipsis.
pub fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(sp) if sp > max / 2 => &cut[..sp],
        _ => &cut[..],
    };
    format!(
        "{}\u{2026}",
        cut.trim_end_matches([',', '.', ';', ':', ' '])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]
        /// The same as splitting on Unicode whitespace and joining, ASCII or not
        /// (vertical tab, form feed, NBSP and the like included).
        #[test]
        fn collapse_whitespace_is_split_and_join(
            s in "([ \t\n\r\x0B\x0C\x1C\x1F\u{85}\u{a0}\u{2028}\u{3000}]|[a-zé€.,]){0,60}"
        ) {
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(collapse_whitespace(&s), want);
        }
    }

    #[test]
    fn entities_decode_once() {
        assert_eq!(decode_entities("Logs &amp; Alerts"), "Logs & Alerts");
        assert_eq!(decode_entities("&amp;lt;"), "&lt;");
        assert_eq!(
            decode_entities("a &#8211; b &#x41; &bogus; & c"),
            "a \u{2013} b A &bogus; & c"
        );
    }

    #[test]
    fn an_ampersand_before_wide_characters_does_not_panic() {
        // Found by tests/suite/props.rs: the 12-byte look-ahead cut a character in two.
        assert_eq!(decode_entities("&=\u{10a15}x"), "&=\u{10a15}x");
        assert_eq!(
            decode_entities("&\u{2013}\u{2013}\u{2013}\u{2013}"),
            "&\u{2013}\u{2013}\u{2013}\u{2013}"
        );
        assert_eq!(decode_entities("&amp;\u{1f600}"), "&\u{1f600}");
    }

    #[test]
    fn markdown_escapes_are_removed() {
        assert_eq!(unescape_markdown(r"clr\_optimization"), "clr_optimization");
        assert_eq!(unescape_markdown(r"Win7\\Vista"), r"Win7\Vista");
        assert_eq!(unescape_markdown(r"C:\temp"), r"C:\temp");
    }

    #[test]
    fn slugs_are_stable() {
        assert_eq!(
            slugify("What is a service wrapper ?"),
            "what-is-a-service-wrapper"
        );
        assert_eq!(slugify("Default State:"), "default-state");
        assert_eq!(slugify("???"), "section");
    }

    #[test]
    fn truncation_keeps_words() {
        assert_eq!(truncate_words("one two three four", 9), "one two\u{2026}");
        assert_eq!(truncate_words("short", 9), "short");
    }
}
