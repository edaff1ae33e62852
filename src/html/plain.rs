//! A fast reader for the plain HTML that svcguide's own templates and the
//! Markdown renderer write: tags with quoted or simple unquoted attributes,
//! comments, a doctype, and raw-text elements. It takes tags exactly as the
//! WHATWG tokenizer does for that subset and declines everything else (a `\r`,
//! a character reference in a value it reports, a parse error, `<![CDATA[`, a
//! `<!--` inside a script, …), so the caller falls back to html5gum for the
//! whole input.
//!
//! Why it exists: html5gum reads about 130 MB/s here, and `check` of a
//! 10,000-article guide reads 117 MB of pages; this reads the same pages
//! several times faster. It is held to html5gum by the differential tests
//! below (every page of the fixture sites, and generated tag soup): on every
//! input it either declines or reports exactly html5gum's facts.

use super::{attribute_kind, push_value_facts, Fact, Kind};

/// The input is outside the subset; read it with the full tokenizer.
#[derive(Debug, PartialEq, Eq)]
pub struct Declined;

type Read<T> = Result<T, Declined>;

/// The facts of `html`, or `Declined` when a tag-level construct is outside the subset.
pub fn scan<'h>(html: &'h str, facts: &mut Vec<Fact<'h>>) -> Read<()> {
    let bytes = html.as_bytes();
    // The tokenizer turns CR and CRLF into LF first; stay out of that.
    if memchr::memchr(b'\r', bytes).is_some() {
        return Err(Declined);
    }
    let mut reader = Reader {
        html,
        bytes,
        at: 0,
        tag: Vec::with_capacity(16),
        name: Vec::with_capacity(16),
    };
    while let Some(lt) = memchr::memchr(b'<', &bytes[reader.at..]) {
        reader.at += lt + 1;
        match reader.peek() {
            Some(b) if b.is_ascii_alphabetic() => {
                reader.start_tag(facts)?;
                if !reader.raw_text()? {
                    return Ok(());
                }
            }
            Some(b'/') => reader.end_tag()?,
            Some(b'!') => reader.markup_declaration()?,
            // `<?` starts a bogus comment.
            Some(b'?') => return Err(Declined),
            // `<` before anything else is text.
            _ => {}
        }
    }
    Ok(())
}

struct Reader<'h> {
    html: &'h str,
    bytes: &'h [u8],
    /// The next byte to read.
    at: usize,
    /// The lowercased name of the start tag being read, or just read.
    tag: Vec<u8>,
    /// The lowercased name of the attribute being read.
    name: Vec<u8>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b' ')
}

impl<'h> Reader<'h> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Read<u8> {
        let b = self.peek().ok_or(Declined)?;
        self.at += 1;
        Ok(b)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.at += 1;
        }
    }

    /// Reads a start tag from its name to its `>`, pushing the facts of its attributes.
    fn start_tag(&mut self, facts: &mut Vec<Fact<'h>>) -> Read<()> {
        self.tag.clear();
        loop {
            match self.next()? {
                b if is_space(b) => break,
                b'/' => return self.self_closing(),
                b'>' => return Ok(()),
                b'\0' => return Err(Declined),
                b => self.tag.push(b.to_ascii_lowercase()),
            }
        }
        let tag_is_a = self.tag == b"a";
        // Before attribute name: each turn reads one attribute, or the tag's end.
        loop {
            self.skip_space();
            match self.peek().ok_or(Declined)? {
                b'>' => {
                    self.at += 1;
                    return Ok(());
                }
                b'/' => {
                    self.at += 1;
                    return self.self_closing();
                }
                b'=' => return Err(Declined),
                _ => {}
            }
            self.attribute_name()?;
            let kind = attribute_kind(&self.tag, tag_is_a, &self.name);
            // After attribute name.
            self.skip_space();
            match self.peek().ok_or(Declined)? {
                b'=' => self.at += 1,
                // A name without a value: no fact; the loop reads what follows.
                _ => continue,
            }
            self.skip_space();
            match self.peek().ok_or(Declined)? {
                q @ (b'"' | b'\'') => {
                    self.at += 1;
                    let start = self.at;
                    let len = memchr::memchr(q, &self.bytes[start..]).ok_or(Declined)?;
                    self.at = start + len + 1;
                    self.value_facts(kind, start, start + len, facts)?;
                    // After a quoted value comes a space, `/` or `>`.
                    match self.peek().ok_or(Declined)? {
                        b if is_space(b) => {}
                        b'>' | b'/' => {}
                        _ => return Err(Declined),
                    }
                }
                // `name=>`: a missing value (a parse error); the tag ends.
                b'>' => return Err(Declined),
                _ => {
                    let start = self.at;
                    while let Some(b) = self.peek() {
                        match b {
                            b if is_space(b) => break,
                            b'>' => break,
                            b'"' | b'\'' | b'<' | b'=' | b'`' | b'\0' => return Err(Declined),
                            _ => self.at += 1,
                        }
                    }
                    if self.peek().is_none() {
                        return Err(Declined);
                    }
                    self.value_facts(kind, start, self.at, facts)?;
                }
            }
        }
    }

    /// Reads the name of an attribute into `name`, lowercased.
    fn attribute_name(&mut self) -> Read<()> {
        self.name.clear();
        while let Some(b) = self.peek() {
            match b {
                b if is_space(b) => break,
                b'/' | b'>' | b'=' => break,
                b'"' | b'\'' | b'<' | b'\0' => return Err(Declined),
                _ => {
                    self.name.push(b.to_ascii_lowercase());
                    self.at += 1;
                }
            }
        }
        Ok(())
    }

    /// `/` inside a tag must close it (`<br/>`); anything else is a parse error.
    fn self_closing(&mut self) -> Read<()> {
        match self.next()? {
            b'>' => Ok(()),
            _ => Err(Declined),
        }
    }

    fn value_facts(
        &self,
        kind: Kind,
        start: usize,
        end: usize,
        facts: &mut Vec<Fact<'h>>,
    ) -> Read<()> {
        if kind == Kind::Other {
            return Ok(());
        }
        let value = &self.html[start..end];
        // A character reference or NUL would change the value: html5gum decodes it.
        if value.bytes().any(|b| b == b'&' || b == b'\0') {
            return Err(Declined);
        }
        if !value.is_empty() {
            push_value_facts(kind, value, start, |f| facts.push(f));
        }
        Ok(())
    }

    /// After a start tag: skips the text of a raw-text element up to its end
    /// tag, as html5gum's naive state switch does. False at a `<plaintext>`,
    /// whose text runs to the end.
    fn raw_text(&mut self) -> Read<bool> {
        let script = match self.tag.as_slice() {
            b"plaintext" => return Ok(false),
            b"script" => true,
            b"textarea" | b"title" | b"style" | b"iframe" | b"xmp" | b"noembed" | b"noframe"
            | b"noscript" => false,
            _ => return Ok(true),
        };
        let name = std::mem::take(&mut self.tag);
        let mut from = self.at;
        let end = loop {
            let lt = from + memchr::memmem::find(&self.bytes[from..], b"</").ok_or(Declined)?;
            let after = lt + 2 + name.len();
            let closes = self
                .bytes
                .get(lt + 2..after)
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                && self
                    .bytes
                    .get(after)
                    .is_some_and(|&b| is_space(b) || b == b'/' || b == b'>');
            if closes {
                break lt;
            }
            from = lt + 2;
        };
        // A script's `<!--` opens the escaped states, where `</script>` may not end it.
        if script && memchr::memmem::find(&self.bytes[self.at..end], b"<!--").is_some() {
            return Err(Declined);
        }
        self.tag = name;
        self.at = end + 1;
        self.end_tag()?;
        Ok(true)
    }

    /// After `</`: a plain end tag (`</name>`, spaces allowed before `>`).
    fn end_tag(&mut self) -> Read<()> {
        self.at += 1;
        if !self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            return Err(Declined);
        }
        while let Some(b) = self.peek() {
            match b {
                b'>' => {
                    self.at += 1;
                    return Ok(());
                }
                b if is_space(b) => {
                    self.skip_space();
                    return match self.next()? {
                        b'>' => Ok(()),
                        _ => Err(Declined),
                    };
                }
                b'/' | b'\0' => return Err(Declined),
                _ => self.at += 1,
            }
        }
        Err(Declined)
    }

    /// After `<!`: a comment or a doctype.
    fn markup_declaration(&mut self) -> Read<()> {
        let rest = &self.bytes[self.at + 1..];
        if let Some(body) = rest.strip_prefix(b"--") {
            // `<!-->` and `<!--->` end at once (abruptly); `--!>` also ends one.
            if body.starts_with(b">") || body.starts_with(b"->") {
                return Err(Declined);
            }
            let end = memchr::memmem::find(body, b"-->").ok_or(Declined)?;
            if memchr::memmem::find(&body[..end + 2], b"--!").is_some() {
                return Err(Declined);
            }
            self.at += 1 + 2 + end + 3;
            return Ok(());
        }
        if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
            // Even inside a quoted identifier, `>` ends a doctype.
            let end = memchr::memchr(b'>', rest).ok_or(Declined)?;
            self.at += 1 + end + 1;
            return Ok(());
        }
        Err(Declined)
    }
}
