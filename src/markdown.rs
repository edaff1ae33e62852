//! Markdown to HTML: quirks repaired first, one pulldown-cmark pass that collects
//! every link (with its offset in the source), gives headings ids, rewrites
//! root-relative links through `url::relative`, and highlights code blocks.

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::repair::{repair, Repaired};

/// A link or image source as written, and where (byte offset in the source file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub offset: usize,
    pub image: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fragment {
    pub html: String,
    pub links: Vec<Link>,
    pub headings: Vec<Heading>,
    /// Plain text, for search and excerpts.
    pub text: String,
    /// Liquid tags the repair did not understand: (offset, tag).
    pub unknown_liquid: Vec<(usize, String)>,
    /// Where an HTML comment opens that nothing closes (source offsets). The
    /// fragment's HTML closes it at its end, so it hides no more than the
    /// rest of the fragment, never the page around it.
    pub unclosed_comments: Vec<usize>,
    /// Elements the raw HTML opens and never closes: (source offset of the
    /// `<`, name). The fragment's HTML closes them at its end, for the same reason.
    pub unclosed_tags: Vec<(usize, String)>,
}

impl Fragment {
    pub fn append(&mut self, other: Fragment) {
        self.html.push_str(&other.html);
        self.links.extend(other.links);
        self.headings.extend(other.headings);
        if !self.text.is_empty() && !other.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(&other.text);
        self.unknown_liquid.extend(other.unknown_liquid);
        self.unclosed_comments.extend(other.unclosed_comments);
        self.unclosed_tags.extend(other.unclosed_tags);
    }
}

/// Rendering settings for one page.
pub struct Renderer<'a> {
    /// The page's output path (`article/x.html`): links are made relative to it.
    pub page: &'a str,
    /// Heading ids already used on the page (ids stay unique across fragments).
    pub ids: FxHashSet<String>,
    /// Clean raw HTML out of the result (`sanitize = true` in svcguide.toml).
    pub sanitize: bool,
    /// Levels added to every heading (negative: taken away), so that a page's
    /// outline goes on from its title (see [`top_heading_level`]).
    pub heading_shift: i8,
    /// Per heading slug: the next number to try for a duplicate of it, so that
    /// a page of a thousand equal headings does not try `-1`, `-2`, ... from
    /// the start for each.
    next_suffix: FxHashMap<String, usize>,
    /// Ids tried so far (for the tests' step count).
    probes: usize,
}

/// Element ids of the page templates and the scripts (a heading "Description"
/// becomes `description-1`; with `sanitize = true` raw HTML may not use them).
/// A test keeps this list in step with the templates.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "facts",
    "description",
    "more-info",
    "search-input",
    "search-results",
    "az",
    "az-title",
    "browse-title",
    "howto-title",
    "dep-graph",
    "isolated-title",
    "list-title",
    "filter-state",
    "filter-text",
    "os-table",
    "groups-title",
    "images-title",
    "toc-title",
    "articles",
    "articles-title",
    "filter-recommended",
    "graph-focus",
    "legend-title",
    "search-page",
    "search-page-input",
    "search-page-results",
    "search-page-status",
    "search-popup",
    "search-status",
    "svc-impact",
    "svc-relations",
];

/// Ids the site's own code makes up at run time (`search-result-3`, the dev
/// server's `svcguide-overlay`).
const RESERVED_ID_PREFIXES: &[&str] = &["search-result-", "svcguide-"];

/// True for an id an article must not take: the page's own elements use it.
pub fn is_reserved_id(id: &str) -> bool {
    RESERVED_IDS.contains(&id) || RESERVED_ID_PREFIXES.iter().any(|p| id.starts_with(p))
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

impl<'a> Renderer<'a> {
    pub fn new(page: &'a str) -> Self {
        Renderer {
            page,
            ids: FxHashSet::default(),
            sanitize: false,
            heading_shift: 0,
            next_suffix: FxHashMap::default(),
            probes: 0,
        }
    }

    /// Renders `source[range]` as blocks.
    pub fn block(&mut self, source: &str, range: Range<usize>) -> Fragment {
        self.render(source, range, false)
    }

    /// Renders a one-line value (a list item) without its `<p>` wrapper.
    pub fn inline(&mut self, source: &str, range: Range<usize>) -> Fragment {
        self.render(source, range, true)
    }

    fn render(&mut self, source: &str, range: Range<usize>, inline: bool) -> Fragment {
        if inline {
            if let Some(mut frag) = self.simple_inline(&source[range.clone()], range.start) {
                if self.sanitize {
                    frag.html = sanitize(&frag.html);
                }
                return frag;
            }
        }
        self.render_parsed(source, range, inline)
    }

    /// The parser's pass (every value and block the fast path does not take).
    fn render_parsed(&mut self, source: &str, range: Range<usize>, inline: bool) -> Fragment {
        let base = range.start;
        let repaired = repair(&source[range]);
        let mut frag = Fragment {
            unknown_liquid: repaired
                .unknown_liquid
                .iter()
                .map(|(o, t)| (base + o, t.clone()))
                .collect(),
            ..Default::default()
        };
        // Room up front for what the text turns into (about one event per 16
        // bytes of Markdown): growing these by doubling was most of the
        // renderer's allocations.
        let size = repaired.text.len();
        frag.html.reserve(size + size / 4 + 16);
        frag.text.reserve(size);
        let events = self.events(&repaired, base, &mut frag);
        pulldown_cmark::html::push_html(&mut frag.html, events.into_iter());
        if !frag.unclosed_comments.is_empty() {
            frag.html.push_str("-->");
        }
        for (_, name) in frag.unclosed_tags.iter().rev() {
            frag.html.push_str("</");
            frag.html.push_str(name);
            frag.html.push('>');
        }
        if inline {
            unwrap_paragraph(&mut frag.html);
        }
        if self.sanitize {
            frag.html = sanitize(&frag.html);
        }
        frag.text = crate::text::collapse_whitespace(&frag.text);
        frag
    }

    /// The parser's events for the repaired text of a fragment starting at
    /// `base`: links tracked and rewritten, headings given unique ids, code
    /// blocks highlighted; the plain text and headings go into `frag`.
    fn events<'t>(
        &mut self,
        repaired: &'t Repaired,
        base: usize,
        frag: &mut Fragment,
    ) -> Vec<Event<'t>> {
        let mut events: Vec<Event> = Vec::with_capacity(repaired.text.len() / 16 + 4);
        let mut heading: Option<(HeadingLevel, usize, String)> = None;
        let mut code: Option<(String, String)> = None;
        // Where the text's last `-->` starts, found at the first raw HTML.
        let mut last_close: Option<Option<usize>> = None;
        let mut balance = crate::html::balance::Balance::default();
        // Root-absolute URLs of the raw HTML read so far, made relative like
        // Markdown links are: (start, end in the text, the new URL).
        let mut rewrites: Vec<(usize, usize, String)> = Vec::new();
        // The raw HTML block being read, for its text.
        let mut html_block: Option<String> = None;
        for (event, span) in Parser::new_ext(&repaired.text, options()).into_offset_iter() {
            match event {
                Event::Start(mut tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                    let image = matches!(tag, Tag::Image { .. });
                    if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = &mut tag {
                        let offset = base + repaired.original(span.start);
                        *dest_url = self.track(frag, dest_url, offset, image);
                    }
                    events.push(Event::Start(tag));
                }
                // Raw HTML of the article: its links are the author's, checked at
                // the author's line (a block's Start spans the whole block).
                Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => {
                    // After a comment nothing closes, every tag is in it.
                    if frag.unclosed_comments.is_empty() {
                        balance.feed(&repaired.text[span.clone()], |i| {
                            base + repaired.original(span.start + i)
                        });
                    }
                    if frag.unclosed_comments.is_empty() {
                        let text = &repaired.text;
                        let last_close = *last_close
                            .get_or_insert_with(|| memchr::memmem::rfind(text.as_bytes(), b"-->"));
                        if let Some(at) = unclosed_comment(text, span.clone(), last_close) {
                            frag.unclosed_comments.push(base + repaired.original(at));
                        }
                    }
                    raw_html_links(frag, repaired, span.clone(), base, |at, url| {
                        if url.starts_with('/') && !url.starts_with("//") {
                            let new = crate::url::relative(self.page, url);
                            rewrites.push((at, at + url.len(), new));
                        }
                    });
                    match event {
                        Event::InlineHtml(html) => {
                            // One tag (its text is Markdown's): a line break
                            // or a block parts words, `<b>` does not.
                            if inline_break(&html) {
                                push_text(&mut frag.text, " ");
                            }
                            events.push(Event::InlineHtml(rewritten(html, span, &mut rewrites)))
                        }
                        other => {
                            html_block = Some(String::new());
                            events.push(other)
                        }
                    }
                }
                Event::Html(html) => {
                    // A block comes a line at a time: its text is read whole
                    // at its end (a script or a comment spans lines).
                    match html_block.as_mut() {
                        Some(block) => block.push_str(&html),
                        None => crate::html::visible_text(&html, &mut frag.text),
                    }
                    events.push(Event::Html(rewritten(html, span, &mut rewrites)))
                }
                Event::End(TagEnd::HtmlBlock) => {
                    if let Some(block) = html_block.take() {
                        // Searchable like the Markdown around it.
                        push_text(&mut frag.text, " ");
                        crate::html::visible_text(&block, &mut frag.text);
                        push_text(&mut frag.text, " ");
                    }
                    events.push(event);
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    heading = Some((self.shifted(level), events.len(), String::new()));
                    events.push(Event::Start(Tag::Paragraph)); // placeholder, replaced at the end tag
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, at, text)) = heading.take() {
                        events[at] = self.heading_start(level, text, frag);
                        events.push(Event::End(TagEnd::Heading(level)));
                    }
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(lang) => lang.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((lang, String::new()));
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((lang, text)) = code.take() {
                        frag.text.push_str(&text);
                        events.push(Event::Html(CowStr::from(crate::highlight::code_block(
                            &lang, &text,
                        ))));
                    }
                }
                Event::Text(t) if code.is_some() => code.as_mut().expect("in code").1.push_str(&t),
                Event::Text(ref t) | Event::Code(ref t) => {
                    if let Some(h) = heading.as_mut() {
                        h.2.push_str(t);
                    }
                    push_text(&mut frag.text, t);
                    events.push(event);
                }
                Event::SoftBreak | Event::HardBreak => {
                    push_text(&mut frag.text, " ");
                    events.push(event);
                }
                Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => {
                    push_text(&mut frag.text, " ");
                    events.push(event);
                }
                other => events.push(other),
            }
        }
        frag.unclosed_tags = balance.unclosed();
        events
    }

    /// `level` moved by [`Renderer::heading_shift`], within h1-h6.
    fn shifted(&self, level: HeadingLevel) -> HeadingLevel {
        let to = (level as i8 + self.heading_shift).clamp(1, 6);
        HeadingLevel::try_from(to as usize).unwrap_or(level)
    }

    /// A heading's start tag, now that its text (and so its unique id) is
    /// known; the heading is recorded in `frag`.
    fn heading_start<'t>(
        &mut self,
        level: HeadingLevel,
        text: String,
        frag: &mut Fragment,
    ) -> Event<'t> {
        let id = self.unique_id(&text);
        frag.headings.push(Heading {
            level: level as u8,
            id: id.clone(),
            text,
        });
        Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(id)),
            classes: vec![],
            attrs: vec![],
        })
    }

    /// Records a link and returns the destination to put in the HTML.
    fn track<'e>(
        &self,
        frag: &mut Fragment,
        dest: &CowStr<'e>,
        offset: usize,
        image: bool,
    ) -> CowStr<'e> {
        frag.links.push(Link {
            dest: dest.to_string(),
            offset,
            image,
        });
        if dest.starts_with('/') && !dest.starts_with("//") {
            CowStr::from(crate::url::relative(self.page, dest))
        } else {
            dest.clone()
        }
    }

    /// The heading's slug, or the slug with the first free `-N`. Numbers only go
    /// up per slug, and a taken `slug-N` is tried by that slug alone, so a page
    /// costs time in proportion to its headings however many share a slug.
    fn unique_id(&mut self, text: &str) -> String {
        let mut base = crate::text::slugify(text);
        if RESERVED_ID_PREFIXES.iter().any(|p| base.starts_with(p)) {
            base.insert_str(0, "h-");
        }
        self.probes += 1;
        if !RESERVED_IDS.contains(&base.as_str()) && self.ids.insert(base.clone()) {
            return base;
        }
        let n = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            self.probes += 1;
            let id = format!("{base}-{n}");
            *n += 1;
            if !RESERVED_IDS.contains(&id.as_str()) && self.ids.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// Removes scripts, event handlers and other active HTML, keeping what Markdown
/// itself produces (heading ids, highlighting and footnote classes, relative links).
pub fn sanitize(html: &str) -> String {
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_generic_attributes(["class"]);
            for tag in ["h1", "h2", "h3", "h4", "h5", "h6", "div", "sup", "li"] {
                b.add_tag_attributes(tag, ["id"]);
            }
            b.add_tags(["input"])
                .add_tag_attributes("input", ["type", "checked", "disabled"]);
            b.link_rel(None);
            // An id of the page's own (`main`, `search-input` ...) would let the
            // article stand in for that element: such ids are dropped.
            b.attribute_filter(|_element, attribute, value| {
                if attribute == "id" && is_reserved_id(value.trim()) {
                    None
                } else {
                    Some(value.into())
                }
            });
            b
        })
        .clean(html)
        .to_string()
}

/// Bytes Markdown leaves as they are in a line of text (no emphasis, code,
/// escape, entity, HTML, bracket, tilde or table pipe).
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b' ' | b'.'
                | b','
                | b';'
                | b':'
                | b'-'
                | b'('
                | b')'
                | b'/'
                | b'\''
                | b'"'
                | b'%'
                | b'+'
                | b'='
                | b'?'
                | b'@'
                | b'$'
                | b'#'
        )
}

/// The last `<!--` in `text[span]` when no `-->` after it closes it, anywhere
/// in `text` (`last_close`: where the text's last `-->` starts). A browser
/// hides everything after such an opening.
fn unclosed_comment(text: &str, span: Range<usize>, last_close: Option<usize>) -> Option<usize> {
    let open = span.start + memchr::memmem::rfind(text[span].as_bytes(), b"<!--")?;
    // `<!-->` already closes (the HTML standard's abrupt comment).
    let closed = last_close.is_some_and(|c| c >= open + 2);
    (!closed).then_some(open)
}

/// The highest level (smallest number) of the Markdown headings in `text`, as
/// a browser would read them (not a `#` line of a code block).
pub fn top_heading_level(text: &str) -> Option<u8> {
    Parser::new_ext(text, options())
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level as u8),
            _ => None,
        })
        .min()
}

/// Records the links of raw HTML (`repaired.text[span]`) as the author wrote
/// them, and hands each URL that stands in the text as it reads (no character
/// reference in it) to `found`, with where it starts in the text.
fn raw_html_links(
    frag: &mut Fragment,
    repaired: &crate::repair::Repaired,
    span: Range<usize>,
    base: usize,
    mut found: impl FnMut(usize, &str),
) {
    let start = span.start;
    let html = &repaired.text[span];
    crate::html::scan(html, |fact| {
        if let crate::html::Fact::Link(url, at) = fact {
            frag.links.push(Link {
                dest: url.to_string(),
                offset: base + repaired.original(start + at),
                image: false,
            });
            if html.get(at..).is_some_and(|h| h.starts_with(url)) {
                found(start + at, url);
            }
        }
    });
}

/// Whether an inline HTML tag parts the words around it (`<br>`, `<p>`).
fn inline_break(tag: &str) -> bool {
    let rest = tag.trim_start_matches('<').trim_start_matches('/');
    let len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
    // Tag names are short: lowercased on the stack, once per inline tag.
    let mut name = [0u8; 10];
    if len > name.len() {
        return false;
    }
    name[..len].copy_from_slice(&rest.as_bytes()[..len]);
    name[..len].make_ascii_lowercase();
    crate::html::breaks_text(&name[..len])
}

/// A piece of raw HTML (at `span` of the text) with the `rewrites` that fall
/// in it applied; those are used up. The parser may hand over a block's line
/// without its indent: the piece is then the end of the span.
fn rewritten<'t>(
    html: CowStr<'t>,
    span: Range<usize>,
    rewrites: &mut Vec<(usize, usize, String)>,
) -> CowStr<'t> {
    if rewrites.is_empty() {
        return html;
    }
    let start = span.end.saturating_sub(html.len()).max(span.start);
    let inside: Vec<(usize, usize, String)> = {
        let (inside, rest): (Vec<_>, Vec<_>) = std::mem::take(rewrites)
            .into_iter()
            .partition(|&(a, b, _)| a >= start && b <= span.end);
        *rewrites = rest
            .into_iter()
            .filter(|&(a, _, _)| a >= span.end)
            .collect();
        inside
    };
    if inside.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut at = 0;
    for (a, b, new) in inside {
        let (a, b) = (a - start, b - start);
        if a < at || !html.is_char_boundary(a) || !html.is_char_boundary(b) {
            continue;
        }
        out.push_str(&html[at..a]);
        out.push_str(&new);
        at = b;
    }
    out.push_str(&html[at..]);
    CowStr::from(out)
}

/// Bytes a link destination keeps as they are, through parsing and the
/// renderer's URL escaping (no parentheses: they would end or nest the link).
fn is_plain_href(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'/' | b'.' | b'_' | b'#' | b'-' | b':' | b'?' | b'=' | b'%' | b'+' | b'@' | b','
        )
}

/// Inline Markdown as plain text (links as their text, no syntax), for
/// summaries, badges and tables.
pub fn plain_text(md: &str) -> String {
    let md = md.trim();
    if md.is_empty() {
        return String::new();
    }
    Renderer::new("index.html").inline(md, 0..md.len()).text
}

impl Renderer<'_> {
    /// A one-line value of plain text and plain `[text](/link)`s (`Manual`,
    /// `svchost.exe -k netsvcs`, `[Remote Procedure Call](/article/rpcss.html)
    /// (Vista+)`), rendered without the parser: nearly every list value is like
    /// this, and a big guide has hundreds of thousands of them. `None` when the
    /// value holds anything else Markdown or the repairs could act on; the parser
    /// takes it. `base`: the value's offset in its file, for the links.
    fn simple_inline(&self, value: &str, base: usize) -> Option<Fragment> {
        let bytes = value.as_bytes();
        // A letter or a link first: no list marker, heading, quote, indent or
        // thematic break. No space last (the paragraph would lose it), no two
        // together (the text would fold them).
        let first = *bytes.first()?;
        if !(first.is_ascii_alphabetic() || first == b'[')
            || bytes.last() == Some(&b' ')
            || value.contains("  ")
        {
            return None;
        }
        let mut frag = Fragment::default();
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at] != b'[' {
                let end = value[at..].find('[').map_or(bytes.len(), |k| at + k);
                let run = &value[at..end];
                if !run.bytes().all(is_plain) {
                    return None;
                }
                frag.html.push_str(run);
                frag.text.push_str(run);
                at = end;
                continue;
            }
            // `[text](dest)`, both plain, the text without edge spaces.
            let close = at + 1 + value[at + 1..].find(']')?;
            let text = &value[at + 1..close];
            if text.is_empty()
                || text.starts_with(' ')
                || text.ends_with(' ')
                || !text.bytes().all(is_plain)
                || bytes.get(close + 1) != Some(&b'(')
            {
                return None;
            }
            let end = close + 2 + value[close + 2..].find(')')?;
            let dest = &value[close + 2..end];
            if dest.is_empty() || !dest.bytes().all(is_plain_href) {
                return None;
            }
            let href = self.track(&mut frag, &CowStr::Borrowed(dest), base + at, false);
            frag.html.push_str("<a href=\"");
            frag.html.push_str(&href);
            frag.html.push_str("\">");
            frag.html.push_str(text);
            frag.html.push_str("</a>");
            frag.text.push_str(text);
            at = end + 1;
        }
        Some(frag)
    }
}

fn push_text(out: &mut String, t: &str) {
    out.push_str(t);
}

/// An inline value's HTML without the paragraph the parser wraps it in.
fn unwrap_paragraph(html: &mut String) {
    let trimmed = html.trim();
    if let Some(inner) = trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        if !inner.contains("<p>") {
            *html = inner.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> Fragment {
        Renderer::new("article/x.html").block(md, 0..md.len())
    }

    /// Raw HTML's text is searchable as the reader sees it; its markup, a
    /// script and a comment are not.
    #[test]
    fn the_text_of_raw_html_goes_into_the_plain_text() {
        let f = render(
            "Walrus text.\n\n<table><tr><td>narwhal</td><td>orca</td></tr></table>\n\n<p>platypus &amp; co</p><script>var hidden = 1</script>\n\n<div>\n<script>\nvar blocksecret = 2;\n</script>\n<!-- one\ncommentsecret -->\n<span\n  class=\"attrsecret\">seal</span>\n</div>\n\nSee un<b>believ</b>able <!-- a note --> words, a<br>b.",
        );
        for word in [
            "Walrus",
            "narwhal orca",
            "platypus & co",
            "seal",
            "See unbelievable words, a b.",
        ] {
            assert!(f.text.contains(word), "{word}: {:?}", f.text);
        }
        for hidden in ["hidden", "note", "<td>", "table", "secret"] {
            assert!(!f.text.contains(hidden), "{hidden}: {:?}", f.text);
        }
    }

    #[test]
    fn links_are_collected_with_offsets_and_rewritten() {
        let md =
            "Intro\n\nSee [RPC](/article/winnt-services-rpcss.html#top) and ![i](/assets/a.png).";
        let f = render(md);
        assert_eq!(f.links.len(), 2);
        assert_eq!(f.links[0].dest, "/article/winnt-services-rpcss.html#top");
        assert_eq!(f.links[0].offset, md.find("[RPC]").unwrap());
        assert!(f.links[1].image);
        assert!(
            f.html.contains("href=\"winnt-services-rpcss.html#top\""),
            "{}",
            f.html
        );
        assert!(f.html.contains("src=\"../assets/a.png\""), "{}", f.html);
    }

    #[test]
    fn headings_go_on_from_the_page_title() {
        let md = "##### First\n\n```\n# a comment, not a heading\n```\n\n###### Second\n";
        assert_eq!(top_heading_level(md), Some(5));
        let mut r = Renderer::new("article/x.html");
        r.heading_shift = 2 - 5;
        let f = r.block(md, 0..md.len());
        assert!(f.html.contains("<h2 id=\"first\">First</h2>"), "{}", f.html);
        assert!(
            f.html.contains("<h3 id=\"second\">Second</h3>"),
            "{}",
            f.html
        );
        assert_eq!(f.headings[0].level, 2);
        assert_eq!(top_heading_level("no heading"), None);
    }

    #[test]
    fn an_unclosed_comment_ends_with_its_text() {
        let md = "Intro.\n\n<!-- draft note\n\nHidden [x](/article/x.html)";
        let f = render(md);
        assert_eq!(f.unclosed_comments, [md.find("<!--").unwrap()]);
        // Closed at the end of the fragment: the page around it stays visible.
        assert!(f.html.trim_end().ends_with("-->"), "{}", f.html);
        for closed in [
            "<!-- a -->\n\nText",
            "<div><!--\n\nx --></div>",
            "<!-->\n\nText",
        ] {
            assert!(render(closed).unclosed_comments.is_empty(), "{closed}");
        }
        // A comment in a code block is text.
        assert!(render("```\n<!-- x\n```").unclosed_comments.is_empty());
    }

    #[test]
    fn quirky_titles_still_make_links() {
        let md = r#"More Info [MS KB1](http://support.microsoft.com/kb/1 ""Error" Message [Q1]")"#;
        let f = render(md);
        assert_eq!(f.links.len(), 1);
        assert!(
            f.html.contains("title=\"&quot;Error&quot; Message [Q1]\""),
            "{}",
            f.html
        );
        assert_eq!(f.links[0].offset, 10);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]
        /// The counters give the ids that trying `-1`, `-2`, ... from the start gave.
        #[test]
        fn unique_ids_agree_with_trying_every_number(
            headings in proptest::collection::vec("(a|b|1|-| ){0,5}", 0..30)
        ) {
            let mut r = Renderer::new("article/x.html");
            let mut taken = FxHashSet::default();
            for h in &headings {
                let base = crate::text::slugify(h);
                let mut want = base.clone();
                let mut n = 1;
                while !taken.insert(want.clone()) {
                    want = format!("{base}-{n}");
                    n += 1;
                }
                proptest::prop_assert_eq!(r.unique_id(h), want);
            }
        }
    }

    /// `"#\n"` repeated 40,000 times took 75 s: each duplicate tried `-1`, `-2`,
    /// ... from the start. Now a page tries about two ids per heading, whatever
    /// the headings are (here: all equal, and equal with numbered ones between).
    #[test]
    fn heading_ids_take_steps_in_proportion_to_the_headings() {
        for md in [
            "#\n".repeat(50_000),
            "# a\n\n# a-1\n\n# a-2\n\n".repeat(10_000),
        ] {
            let mut r = Renderer::new("article/x.html");
            let f = r.block(&md, 0..md.len());
            let headings = f.headings.len();
            assert!(headings >= 30_000, "{headings}");
            assert!(
                r.probes <= 3 * headings,
                "{} ids tried for {headings}",
                r.probes
            );
        }
    }

    #[test]
    fn headings_get_unique_ids() {
        let f = render("##### What is it ?\n\ntext\n\n##### What is it ?\n");
        let ids: Vec<_> = f.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["what-is-it", "what-is-it-1"]);
        assert!(f.html.contains("<h5 id=\"what-is-it\">"));
    }

    #[test]
    fn entities_are_not_double_escaped() {
        let f = render("A &gt; B &amp; C");
        assert!(f.html.contains("A &gt; B &amp; C"), "{}", f.html);
        assert_eq!(f.text, "A > B & C");
    }

    #[test]
    fn inline_values_lose_their_paragraph() {
        let md = "Disabled, if [no printer](/article/a.html).";
        let f = Renderer::new("article/x.html").inline(md, 0..md.len());
        assert_eq!(f.html, "Disabled, if <a href=\"a.html\">no printer</a>.");
    }

    #[test]
    fn sanitize_removes_active_html_but_keeps_markdown_output() {
        let md = "##### Title\n\n<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[a](javascript:alert(3)) [b](/article/b.html)\n\n```ps\nGet-Service\n```\n";
        let trusted = render(md);
        assert!(trusted.html.contains("<script>"), "{}", trusted.html);
        let mut r = Renderer::new("article/x.html");
        r.sanitize = true;
        let clean = r.block(md, 0..md.len());
        for bad in ["<script", "onerror", "javascript:"] {
            assert!(!clean.html.contains(bad), "{bad} in {}", clean.html);
        }
        assert!(clean.html.contains("<h5 id=\"title\">"), "{}", clean.html);
        assert!(clean.html.contains("href=\"b.html\""), "{}", clean.html);
        assert!(clean.html.contains("class=\"hl-"), "{}", clean.html);
    }

    /// Every literal `id="..."` of the built-in templates is reserved.
    #[test]
    fn reserved_ids_cover_the_templates() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for entry in walkdir::WalkDir::new(&root) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "html") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for part in text.split("id=\"").skip(1) {
                let id = part.split('"').next().unwrap();
                if id.contains("{{") || id.contains("{%") {
                    continue;
                }
                assert!(
                    is_reserved_id(id),
                    "{}: id `{id}` is not in RESERVED_IDS",
                    entry.path().display()
                );
            }
        }
    }

    #[test]
    fn articles_cannot_take_the_pages_own_ids() {
        let md = "## Main\n\n## Search result 2\n\n<div id=\"main\">a</div><div id=\" search-input\">b</div><div id=\"svcguide-overlay\">c</div><div id=\"mine\">d</div>\n";
        let mut r = Renderer::new("article/x.html");
        r.sanitize = true;
        let html = r.block(md, 0..md.len()).html;
        assert!(html.contains("<h2 id=\"main-1\">"), "{html}");
        assert!(html.contains("<h2 id=\"h-search-result-2\">"), "{html}");
        assert!(!html.contains("id=\"main\""), "{html}");
        assert!(!html.contains("search-input"), "{html}");
        assert!(!html.contains("svcguide-overlay"), "{html}");
        assert!(html.contains("<div id=\"mine\">"), "{html}");
    }

    /// The fast path's answer and the parser's, for `value` at offset 7 of a file.
    fn both(value: &str) -> (Option<Fragment>, Fragment) {
        let source = format!("- item {value}");
        let range = 7..source.len();
        let fast =
            Renderer::new("article/x.html").simple_inline(&source[range.clone()], range.start);
        let slow = Renderer::new("article/x.html").render_parsed(&source, range, true);
        (fast, slow)
    }

    /// Values the fast path takes render as the parser renders them.
    #[test]
    fn simple_values_match_the_parser() {
        for value in [
            "Manual",
            "Automatic (Delayed Start)",
            "svchost.exe -k netsvcs",
            "Windows XP SP2+: Disabled, if 'no' \"printer\" 100% = ok? a@b.c $5 C#",
            "Not installed by default. See below: a/b; c-d",
            "[Remote Procedure Call (RPC)](/article/winnt-services-rpcss.html) (Vista+)",
            "[KB 1](http://support.microsoft.com/kb/1?x=y#z) and [b](/article/b.html#top).",
            "see [x](other.html)",
        ] {
            let (fast, slow) = both(value);
            assert_eq!(fast.expect("simple"), slow, "{value}");
        }
        for value in [
            "- a",
            "1. a",
            " a",
            "a ",
            "a  b",
            "*a*",
            "a_b_",
            "a & b",
            "a~b~",
            "a\nb",
            "é",
            "[a](b c)",
            "[a](<b>)",
            "[a] (b)",
            "[a]",
            "[ a](b)",
            "[a](b \"t\")",
            "![a](b)",
            "[a](b(c))",
        ] {
            assert!(both(value).0.is_none(), "{value}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        /// Whenever the fast path answers, the parser agrees, links and their
        /// offsets included: values in the characters it allows (so it answers
        /// often), with links, and with many characters it must refuse.
        #[test]
        fn the_fast_path_agrees_with_the_parser(value in proptest::prop_oneof![
            "[a-zA-Z0-9 .,;:()/'\"%+=?@$#-]{0,30}",
            "([a-zA-Z0-9 .,;:()/'\"%+=?@$#-]{0,8}(\\[[a-zA-Z ()]{0,6}\\]\\([a-z/.#:?=_(-]{0,10}\\))?){1,3}",
            "[a-zA-Z0-9 .,;:()/'\"%+=?@$#*_\\[\\]<>&`~|!{}\n\t-]{0,24}",
        ]) {
            let (fast, slow) = both(&value);
            if let Some(fast) = fast {
                proptest::prop_assert_eq!(fast, slow);
            }
        }
    }

    #[test]
    fn code_blocks_are_highlighted() {
        let f = render("```powershell\nGet-Service -Name Spooler\n```\n");
        assert!(f.html.contains("hl-"), "{}", f.html);
        assert_eq!(f.text, "Get-Service -Name Spooler");
    }
}
