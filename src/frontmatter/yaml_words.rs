//! The YAML parser's errors in the author's words: what is wrong at the spot
//! and what to do about it (a tab, an indentation slip, an unquoted `: `, an
//! unclosed quote), instead of the scanner's vocabulary.

/// A message and a help line for a YAML error `msg` at byte `at` of `yaml`.
pub fn explain(msg: &str, yaml: &str, at: usize) -> (String, String) {
    let here = yaml.get(at..).and_then(|s| s.chars().next());
    let line = line_at(yaml, at);
    let says = |s: &str| msg.contains(s);
    if here == Some('\t') || (says("cannot start any token") && line.contains('\t')) {
        return (
            "front matter has a tab character; YAML indents with spaces only".into(),
            "replace the tab with spaces (four before each `- ` list item, as in the other articles)".into(),
        );
    }
    if let Some((_, quote)) = inner_quote(yaml, at) {
        let write = if quote == '"' {
            r#"write it as \" inside, or put the value in single quotes"#
        } else {
            "write it as '' (two single quotes) inside, or put the value in double quotes"
        };
        return (
            format!(
                "front matter value has a `{quote}` inside its quotes, which ends the value early"
            ),
            format!("{write}, e.g. title: 'The \"Error 1068\" message'"),
        );
    }
    if says("quoted scalar")
        || says("unexpected end of stream")
        || quote_runs_on(yaml, at).is_some()
    {
        let double = yaml.as_bytes().get(slip_at(msg, yaml, at)) == Some(&b'"');
        let inside = if double {
            r#"inside "…", write a " as \""#
        } else {
            "inside '…', write a ' as ''"
        };
        return (
            "front matter has a quote that is never closed".into(),
            format!("end the value with the same quote it starts with; {inside}"),
        );
    }
    if says("cannot start any token") {
        let c = here.map_or_else(String::new, |c| format!(" `{c}`"));
        return (
            format!("front matter value starts with a character{c} that YAML reserves"),
            "put the value in quotes, e.g. title: '@Home service'".into(),
        );
    }
    if says("mapping values are not allowed") && line.starts_with(' ') && !after_key(yaml, at) {
        // `key: value` indented under a line that opens nothing: YAML read it
        // as more of the value above.
        return (
            "front matter line is indented, so YAML reads it as part of the value above".into(),
            "start the key at the left edge, like the other keys".into(),
        );
    }
    if says("mapping values are not allowed") {
        return (
            "front matter value holds `: `, which YAML reads as a second key on the line".into(),
            "put the value in quotes, e.g. title: 'Remote Access: Auto Connection Manager'".into(),
        );
    }
    if says("did not find expected key")
        || says("did not find expected '-' indicator")
        || says("block mapping")
        || says("block sequence")
        || says("invalid indentation")
    {
        return (
            "front matter line is indented differently from the lines around it".into(),
            "keys start at the left edge; list items under a key are indented the same way, e.g. `    - 'Services Guide'`".into(),
        );
    }
    if says("could not find expected ':'") {
        return (
            "front matter line has no `:` after its key".into(),
            "write `key: value`, with a colon and a space, e.g. `status: publish`".into(),
        );
    }
    if says("duplicate") {
        return match duplicate_key(msg) {
            Some(key) => (
                format!("front matter has the key `{key}` twice"),
                format!("keep one of the two `{key}:` lines"),
            ),
            None => (
                "front matter has the same key twice".into(),
                "keep one of the two lines".into(),
            ),
        };
    }
    let plain = msg.split(" at line ").next().unwrap_or(msg);
    (
        format!("front matter is not valid YAML: {plain}"),
        "quote values that contain `: ` or start with a special character, e.g. title: 'A: B'"
            .into(),
    )
}

/// Where the author's slip is, for errors YAML notices only later: a key
/// without its colon is found at the next line, a quote never closed at the
/// end of the block. Any other error stays at `at`.
pub fn slip_at(msg: &str, yaml: &str, at: usize) -> usize {
    let at = at.min(yaml.len());
    if let Some((inner, _)) = inner_quote(yaml, at) {
        return inner;
    }
    if let Some(second) = duplicate_key(msg).and_then(|key| second_key(yaml, key)) {
        return second;
    }
    if msg.contains("could not find expected ':'") {
        // The last line with text before the one YAML stopped on.
        let line_start = yaml[..at].rfind('\n').map_or(0, |i| i + 1);
        let mut end = line_start;
        while let Some(prev_end) = yaml[..end].strip_suffix('\n').map(str::len) {
            let start = yaml[..prev_end].rfind('\n').map_or(0, |i| i + 1);
            let line = &yaml[start..prev_end];
            if !line.trim().is_empty() {
                return start + (line.len() - line.trim_start().len());
            }
            end = start;
        }
        return at;
    }
    if let Some(open) = quote_runs_on(yaml, at) {
        return open;
    }
    if msg.contains("quoted scalar") || msg.contains("unexpected end of stream") {
        // The first line whose value opens a quote it does not close.
        let mut start = 0;
        for line in yaml[..at].split_inclusive('\n') {
            if let Some(open) = unclosed_quote(line) {
                return start + open;
            }
            start += line.len();
        }
    }
    at
}

/// A quoted value that a quote of its own kind ends early, on the line of
/// `at` or the one before (YAML stumbles on what follows it): `title: "The
/// "Error 1068" message"`, `title: 'Don't stop'`. The inner quote's offset
/// and the quote.
fn inner_quote(yaml: &str, at: usize) -> Option<(usize, char)> {
    let at = at.min(yaml.len());
    let line_start = yaml[..at].rfind('\n').map_or(0, |i| i + 1);
    let prev_start = yaml[..line_start.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    [line_start, prev_start].into_iter().find_map(|start| {
        let line = yaml[start..].split('\n').next().unwrap_or("");
        let (key, value) = line.split_once(": ")?;
        if key.starts_with([' ', '-', '#']) || key.contains(['\'', '"']) {
            return None;
        }
        let value_at = line.len() - value.len();
        let trimmed = value.trim_start();
        let quote = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let open = value_at + (value.len() - trimmed.len());
        let close = closing_quote(&line[open + 1..], quote)? + open + 1;
        let after = line[close + 1..].trim();
        (!after.is_empty() && !after.starts_with('#')).then_some((start + close, quote))
    })
}

/// Where `quote` closes in `s` (the text after the opening quote): `''` is
/// a single quote inside single quotes, `\"` one inside double quotes.
fn closing_quote(s: &str, quote: char) -> Option<usize> {
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                } else {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The key YAML found twice (`duplicate entry with key "status"`).
fn duplicate_key(msg: &str) -> Option<&str> {
    let rest = &msg[msg.find("duplicate")?..];
    let open = rest.find('"')?;
    let len = rest[open + 1..].find('"')?;
    Some(&rest[open + 1..open + 1 + len])
}

/// Where the second top-level line of `key` starts (YAML reports the
/// mapping that holds both, at its first key).
fn second_key(yaml: &str, key: &str) -> Option<usize> {
    let mut start = 0;
    let mut seen = false;
    for line in yaml.split_inclusive('\n') {
        let name = line.split(':').next().unwrap_or("").trim_end();
        let name = name.trim_matches(['\'', '"']);
        if !line.starts_with([' ', '\t', '-', '#']) && line.contains(':') && name == key {
            if seen {
                return Some(start);
            }
            seen = true;
        }
        start += line.len();
    }
    None
}

/// Where the line before the one at `at` opens a quote it does not close: the
/// quoted value ran on into this line, and YAML stumbled on what followed
/// (`title: 'Logs` above `date: '2000-…'`).
fn quote_runs_on(yaml: &str, at: usize) -> Option<usize> {
    let at = at.min(yaml.len());
    let line_start = yaml[..at].rfind('\n')?;
    let prev_start = yaml[..line_start].rfind('\n').map_or(0, |i| i + 1);
    unclosed_quote(&yaml[prev_start..line_start]).map(|open| prev_start + open)
}

/// Where `key: 'value` opens a quote the line does not close.
fn unclosed_quote(line: &str) -> Option<usize> {
    let colon = line.find(": ")?;
    let value = &line[colon + 2..];
    let open = colon + 2 + (value.len() - value.trim_start().len());
    let quote = line[open..]
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')?;
    let rest = line[open + 1..].trim_end();
    let closed = match quote {
        // '' is a quote inside '…'; the value ends at a lone '.
        '\'' => rest.replace("''", "").contains('\''),
        _ => rest.replace("\\\\", "").replace("\\\"", "").contains('"'),
    };
    (!closed).then_some(open)
}

/// True when the line before the one at `at` ends with `:` (opens a map or list).
fn after_key(text: &str, at: usize) -> bool {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').unwrap_or(0);
    text[..start]
        .lines()
        .last()
        .is_some_and(|l| l.trim_end().ends_with(':'))
}

fn line_at(text: &str, at: usize) -> &str {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text.get(start..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words serde_yaml_ng gives, for each kind of slip authors make.
    fn words(yaml: &str) -> String {
        let e = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(yaml).unwrap_err();
        let at = e.location().map_or(0, |l| l.index());
        explain(&e.to_string(), yaml, at).0
    }

    fn slip(yaml: &str) -> usize {
        let e = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(yaml).unwrap_err();
        let at = e.location().map_or(0, |l| l.index());
        slip_at(&e.to_string(), yaml, at)
    }

    #[test]
    fn slips_are_placed_where_the_author_made_them() {
        let yaml = "title: x\nstatus publish\n\npermalink: /a.html\n";
        assert_eq!(slip(yaml), yaml.find("status").unwrap());
        let yaml = "title: 'Perf Logs\nstatus: publish\nid: 3\n";
        assert_eq!(slip(yaml), yaml.find('\'').unwrap());
        let yaml = "title: \"FAX\nstatus: publish\n";
        assert_eq!(slip(yaml), yaml.find('"').unwrap());
        let yaml = "excerpt: 'It''s fine'\ntitle: 'open\n";
        assert_eq!(slip(yaml), yaml.find("'open").unwrap());
        // The quote closes on the next line, and YAML stumbles there.
        let yaml = "title: 'Logs and Alerts\ndate: '2000-07-23'\nstatus: publish\n";
        assert_eq!(slip(yaml), yaml.find('\'').unwrap());
        assert!(words(yaml).contains("quote"), "{}", words(yaml));
    }

    #[test]
    fn common_slips_in_plain_words() {
        assert!(words("title: x\n\tstatus: publish\n").contains("tab"));
        assert!(words("title: Remote Access: Auto\n").contains("`: `"));
        let w = words("title: x\n  status: publish\nid: 3\n");
        assert!(w.contains("indented"), "{w}");
        assert!(words("title: 'open\nstatus: publish\n").contains("quote"));
    }

    #[test]
    fn a_key_written_twice_is_named_at_its_second_line() {
        let yaml = "title: x\nstatus: publish\nid: 3\nstatus: draft\n";
        assert_eq!(words(yaml), "front matter has the key `status` twice");
        assert_eq!(slip(yaml), yaml.rfind("status").unwrap());
    }

    #[test]
    fn a_quote_inside_quotes_is_named_at_the_quote() {
        for yaml in [
            "title: \"The \"Error 1068\" message\"\nstatus: publish\n",
            "title: \"The \"Error 1068\" message\nstatus: publish\n",
            "title: 'Don't stop'\nstatus: publish\n",
        ] {
            assert!(
                words(yaml).contains("inside its quotes"),
                "{yaml}: {}",
                words(yaml)
            );
            let inner = if yaml.contains('\'') {
                yaml.find("'t")
            } else {
                yaml.find("\"Error")
            };
            assert_eq!(slip(yaml), inner.unwrap(), "{yaml}");
        }
        // Quotes closed properly, or doubled inside single quotes: no such finding.
        assert!(inner_quote("excerpt: 'It''s fine'\n", 0).is_none());
        assert!(inner_quote("title: \"A \\\"B\\\" C\"\n", 0).is_none());
    }

    #[test]
    fn an_unclosed_quote_gets_the_advice_of_its_kind() {
        let help = |yaml: &str| {
            let e = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(yaml).unwrap_err();
            let at = e.location().map_or(0, |l| l.index());
            explain(&e.to_string(), yaml, at).1
        };
        assert!(help("title: \"FAX\nstatus: publish\n").contains(r#"write a " as \""#));
        assert!(help("title: 'FAX\nstatus: publish\n").contains("write a ' as ''"));
    }
}
