//! Elements an article's raw HTML opens and never closes. A browser reading
//! the page would keep such an element open over everything after it: an
//! unclosed `<a>` turns the rest of the page into one link, an unclosed
//! `<table>` pulls the page's own sections into it. The raw HTML of a
//! fragment (its blocks and inline tags, in order) is fed here, read by
//! html5gum's tokenizer like the link checks read it.

use std::convert::Infallible;

use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Span, Tokenizer};

/// Elements whose end tag a document may not leave out, and whose staying
/// open changes what follows them. Elements with optional end tags (`p`,
/// `li`, `td`, `tr`, …) close by themselves; void ones (`br`, `img`) have none.
const MUST_CLOSE: &[&[u8]] = &[
    b"a",
    b"abbr",
    b"b",
    b"big",
    b"blockquote",
    b"button",
    b"center",
    b"cite",
    b"code",
    b"del",
    b"details",
    b"div",
    b"dl",
    b"em",
    b"font",
    b"form",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"i",
    b"iframe",
    b"ins",
    b"kbd",
    b"label",
    b"mark",
    b"object",
    b"ol",
    b"pre",
    b"q",
    b"s",
    b"samp",
    b"section",
    b"select",
    b"small",
    b"span",
    b"strike",
    b"strong",
    b"sub",
    b"sup",
    b"table",
    b"textarea",
    b"tt",
    b"u",
    b"ul",
    b"var",
];

/// The open elements of the raw HTML read so far.
#[derive(Default)]
pub struct Balance {
    /// (lowercase tag name, offset of its `<`), innermost last.
    open: Vec<(String, usize)>,
    /// The last piece ended inside a comment: the next one starts there.
    in_comment: bool,
}

impl Balance {
    /// Reads one piece of raw HTML; `offset(i)` maps a byte of `html` to where
    /// the diagnostics point.
    pub fn feed(&mut self, html: &str, offset: impl Fn(usize) -> usize) {
        let mut start = 0;
        if self.in_comment {
            match memchr::memmem::find(html.as_bytes(), b"-->") {
                Some(end) => start = end + 3,
                None => return,
            }
        }
        let rest = &html[start..];
        self.in_comment = ends_in_comment(rest);
        // Cheap way out: most pieces (`<br>`, `<img …>`) open nothing tracked.
        if !rest.as_bytes().contains(&b'<') {
            return;
        }
        let mut tag: Vec<u8> = Vec::new();
        let mut tag_at = 0;
        let open = &mut self.open;
        let callback = |event: CallbackEvent<'_>, span: Span<usize>| -> Option<Infallible> {
            match event {
                CallbackEvent::OpenStartTag { name } => {
                    tag.clear();
                    tag.extend_from_slice(name);
                    // The span starts at the `<` (or in the name just after it).
                    let end = (span.start + 1).min(rest.len());
                    tag_at = rest.get(..end).and_then(|r| r.rfind('<')).unwrap_or(0);
                }
                CallbackEvent::CloseStartTag { self_closing }
                    if !self_closing && MUST_CLOSE.contains(&tag.as_slice()) =>
                {
                    let name = String::from_utf8_lossy(&tag).into_owned();
                    open.push((name, offset(start + tag_at)));
                }
                CallbackEvent::EndTag { name } => {
                    // The innermost element of that name closes, with any
                    // left open inside it (a browser ends those there too).
                    if let Some(k) = open.iter().rposition(|(n, _)| n.as_bytes() == name) {
                        open.truncate(k);
                    }
                }
                _ => {}
            }
            None
        };
        let mut emitter = CallbackEmitter::new(callback);
        // Script, style, textarea and title hold text, not tags (as in a browser).
        emitter.naively_switch_states(true);
        if let Some(Ok(never) | Err(never)) = Tokenizer::new_with_emitter(rest, emitter).next() {
            match never {}
        }
    }

    /// The elements left open, outermost first: (offset of its `<`, name).
    pub fn unclosed(self) -> Vec<(usize, String)> {
        self.open.into_iter().map(|(name, at)| (at, name)).collect()
    }
}

/// Whether `html` ends inside a comment: its last `<!--` has no `-->` after it
/// (`<!-->` closes at once, as the standard reads it).
fn ends_in_comment(html: &str) -> bool {
    let Some(open) = memchr::memmem::rfind(html.as_bytes(), b"<!--") else {
        return false;
    };
    let after = &html[open + 2..];
    !after.starts_with("-->") && !after.starts_with("->") && !after.contains("-->")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unclosed(pieces: &[&str]) -> Vec<(usize, String)> {
        let mut b = Balance::default();
        let mut at = 0;
        for p in pieces {
            b.feed(p, |i| at + i);
            at += p.len();
        }
        b.unclosed()
    }

    #[test]
    fn what_stays_open_and_where_it_opened() {
        assert_eq!(
            unclosed(&["<table><tr><td>x", "<a href=\"y\">z"]),
            [(0, "table".to_string()), (16, "a".to_string())]
        );
        // Closed, void, self-closed, optional end tags, case: nothing open.
        assert!(unclosed(&["<DIV><p>x<br><img src=a><li>y</div>", "<span/>"]).is_empty());
        assert!(unclosed(&["<a href=x>", "text", "</A>"]).is_empty());
        // An end tag closes what was left open inside its element.
        assert!(unclosed(&["<div><b>x", "</div>"]).is_empty());
        // A stray end tag closes nothing that is open.
        assert_eq!(unclosed(&["<div>", "</span>"]), [(0, "div".to_string())]);
    }

    #[test]
    fn comments_and_text_hold_no_tags() {
        assert!(unclosed(&["<!-- <div> -->"]).is_empty());
        // A comment over several pieces: the tags inside it are not tags.
        assert!(unclosed(&["<!-- start", "<table>", "end --><b>x</b>"]).is_empty());
        assert_eq!(unclosed(&["<!--> <div>"]), [(6, "div".to_string())]);
        assert!(unclosed(&["<script>var s = '<div>';</script>"]).is_empty());
        assert!(unclosed(&["&lt;div&gt;"]).is_empty());
    }
}
