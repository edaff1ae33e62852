//! The one place URLs are made and resolved. Pages link to each other with
//! relative URLs, so the same output works at `https://host/`, at
//! `https://host/guide/` and from disk.

/// A relative URL from the page at `from` (output path like `article/x.html`)
/// to a site path (`/article/y.html#f`, `/`, `theme/style.css`).
pub fn relative(from: &str, to: &str) -> String {
    // Every page link goes through here (hundreds of thousands on a big guide):
    // slices of the two paths, one allocation.
    // Byte loops throughout: the paths are short, and str's searchers cost
    // more to set up than these scans take.
    let to = to.trim_start_matches('/');
    let (path, suffix) = match to.bytes().position(|b| b == b'#' || b == b'?') {
        Some(i) => (&to[..i], &to[i..]),
        None => (to, ""),
    };
    // `article//x.html` or `a/../b.html`: resolved first, as the browser will
    // (an empty segment left in made the link root-absolute: `/x.html`).
    let normalised;
    let path = if has_segments_to_resolve(path) {
        normalised = resolve_segments(&format!("/{path}"));
        normalised.as_str()
    } else {
        path
    };
    // Folders get their index.html spelled out: file:// shows no directory index.
    let index = path.is_empty() || path.ends_with('/');
    let depth = from.bytes().filter(|&b| b == b'/').count();
    // Folders the two share (a part of the target counts only if a `/` follows
    // it: never its last part); `shared` is the bytes they take.
    let (from_bytes, path_bytes) = (from.as_bytes(), path.as_bytes());
    let slash = |bytes: &[u8]| bytes.iter().position(|&b| b == b'/');
    let (mut common, mut shared) = (0, 0);
    while let (Some(a), Some(b)) = (slash(&from_bytes[shared..]), slash(&path_bytes[shared..])) {
        if a != b || from_bytes[shared..shared + a] != path_bytes[shared..shared + b] {
            break;
        }
        common += 1;
        shared += a + 1;
    }
    let rest = &path[shared..];
    let mut out = String::with_capacity(3 * (depth - common) + rest.len() + 10 + suffix.len());
    for _ in common..depth {
        out.push_str("../");
    }
    out.push_str(rest);
    if index {
        out.push_str("index.html");
    }
    out.push_str(suffix);
    out
}

/// The prefix that leads from the page at `from` to the site root (`../`, or empty).
pub fn root_prefix(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

/// An absolute URL for feeds and sitemaps, from the configured base URL.
pub fn absolute(base_url: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base_url.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// The output file a site path is served from (`/article/x.html`, `/a/` → `a/index.html`).
pub fn output_path(site_path: &str) -> String {
    let p = site_path.trim_start_matches('/');
    if p.is_empty() || p.ends_with('/') {
        format!("{p}index.html")
    } else {
        p.to_string()
    }
}

/// True for links that leave the site (`http:`, `mailto:`, `ftp:` ..., and
/// protocol-relative `//host/...`): a scheme comes before any `/`, `?` or `#`.
pub fn is_external(href: &str) -> bool {
    if href.starts_with("//") {
        return true;
    }
    // One pass over the bytes: this runs for every link of every page.
    let first = href
        .bytes()
        .position(|b| matches!(b, b':' | b'/' | b'?' | b'#'));
    first.is_some_and(|i| i > 0 && href.as_bytes()[i] == b':')
}

// Byte scans, not str's searchers: links are short, and these run for every
// link of every page.
fn find(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

/// A path with no empty, `.` or `..` segment and no percent-escape: nothing to
/// normalise or decode. Nearly every link is `/article/x.html` or `x.html`
/// beside the page.
fn plain(p: &str) -> bool {
    !p.as_bytes().contains(&b'%')
        && p.as_bytes()
            .split(|&b| b == b'/')
            .all(|s| !s.is_empty() && s != b"." && s != b"..")
}

/// Whether a path (without its leading `/`) has an empty segment before its
/// end, or a `.` or `..` one.
fn has_segments_to_resolve(p: &str) -> bool {
    // Every page link comes through `relative`: no list of the segments.
    let mut segments = p.split('/').peekable();
    while let Some(s) = segments.next() {
        if (s.is_empty() && segments.peek().is_some()) || s == "." || s == ".." {
            return true;
        }
    }
    false
}

/// Whether `fragment` names an element among `ids` as a browser finds it
/// (HTML's "indicated part of the document"): as written, else percent-decoded
/// (`#Step%201` finds `<a name="Step 1">`, `#%C3%BCber` the `über` heading);
/// and `top` (any case) with no such element is the top of the page.
pub fn fragment_found(ids: &rustc_hash::FxHashSet<String>, fragment: &str) -> bool {
    if ids.contains(fragment) {
        return true;
    }
    let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    ids.contains(decoded.as_ref()) || decoded.eq_ignore_ascii_case("top")
}

/// `href` without its fragment and query.
fn path_part(href: &str) -> &str {
    let path = find(href, b'#').map_or(href, |i| &href[..i]);
    find(path, b'?').map_or(path, |i| &path[..i])
}

/// The site path of a plain absolute link (`/article/x.html#top` gives
/// `article/x.html`), borrowed from it; `None` for any other link (see
/// [`site_path`]). Lookups of the links of every page need no new string.
pub fn plain_absolute(href: &str) -> Option<&str> {
    path_part(href).strip_prefix('/').filter(|abs| plain(abs))
}

/// The site path a link written on the page at `from` points at, without its
/// fragment; `None` for an external link. A plain absolute link is borrowed.
pub fn link_target<'a>(from: &str, href: &'a str) -> Option<std::borrow::Cow<'a, str>> {
    if let Some(path) = plain_absolute(href) {
        return Some(path.into());
    }
    (!is_external(href)).then(|| site_path(from, href).0.into())
}

/// Resolves `href` written on the page at `from` (an output path) into a site path.
pub fn site_path(from: &str, href: &str) -> (String, Option<String>) {
    let fragment = find(href, b'#').map(|i| href[i + 1..].to_string());
    let path = path_part(href);
    fn parent(p: &str) -> &str {
        p.bytes().rposition(|b| b == b'/').map_or("", |i| &p[..i])
    }
    if let Some(abs) = plain_absolute(href) {
        return (abs.to_string(), fragment);
    }
    if !path.starts_with('/') {
        // Relative, perhaps up some folders first (`../theme/style.css`).
        let mut rest = path;
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("../") {
            rest = r;
            up += 1;
        }
        let dir = parent(from);
        if plain(rest) && (dir.is_empty() || plain(dir)) {
            let mut dir = dir;
            for _ in 0..up {
                dir = parent(dir);
            }
            let joined = if dir.is_empty() {
                rest.to_string()
            } else {
                format!("{dir}/{rest}")
            };
            return (joined, fragment);
        }
    }
    let (path, fragment) = site_path_slow(from, path, fragment);
    // The file a server (or file://) finds for `a%20b.png` is `a b.png`. An
    // escaped `/` or `\` is not a folder to either: left as written, it
    // names no file.
    if !path.contains('%') {
        return (path, fragment);
    }
    let lower = path.to_ascii_lowercase();
    let separator = lower.contains("%2f") || lower.contains("%5c");
    let path = match percent_encoding::percent_decode_str(&path).decode_utf8() {
        Ok(decoded) if !separator => decoded.into_owned(),
        _ => path,
    };
    (path, fragment)
}

/// A root-relative path with its segments resolved (`/article//x.html` →
/// `article/x.html`), not decoded.
fn resolve_segments(abs: &str) -> String {
    site_path_slow("", abs, None).0
}

/// `site_path` for paths with segments to resolve (`..`, `.`, `//`, a trailing `/`).
fn site_path_slow(from: &str, path: &str, fragment: Option<String>) -> (String, Option<String>) {
    let joined = if path.is_empty() {
        from.to_string()
    } else if let Some(abs) = path.strip_prefix('/') {
        abs.to_string()
    } else {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        if dir.is_empty() {
            path.to_string()
        } else {
            format!("{dir}/{path}")
        }
    };
    // Segments resolved as browsers do (RFC 3986 / WHATWG): an empty segment
    // counts until the end (`a//..` is `a/`), and a final `.` or `..` names a
    // folder as a trailing `/` does, served as its `index.html`.
    let mut parts: Vec<&str> = Vec::new();
    let mut folder = false;
    let segments: Vec<&str> = joined.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => folder |= last,
            ".." => {
                parts.pop();
                folder |= last;
            }
            s => parts.push(s),
        }
    }
    folder |= parts.last() == Some(&"");
    let mut out = parts
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    if folder || out.is_empty() {
        out = output_path(&format!("{out}/"));
    }
    (out.trim_start_matches('/').to_string(), fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls() {
        assert_eq!(relative("article/a.html", "/article/b.html"), "b.html");
        assert_eq!(
            relative("article/a.html", "/article/b.html#frag"),
            "b.html#frag"
        );
        assert_eq!(relative("article/a.html", "/"), "../index.html");
        assert_eq!(relative("index.html", "/article/b.html"), "article/b.html");
        assert_eq!(
            relative("os/xp.html", "/theme/style.css"),
            "../theme/style.css"
        );
        assert_eq!(relative("a/b/c.html", "/a/d.html"), "../d.html");
        assert_eq!(relative("index.html", "/tags/"), "tags/index.html");
        // Segments to resolve are resolved first: an empty one left in made
        // the link root-absolute (`/b.html`).
        assert_eq!(relative("article/a.html", "/article//b.html"), "b.html");
        assert_eq!(
            relative("article/a.html", "/x/../article/b.html#f"),
            "b.html#f"
        );
    }

    #[test]
    fn escaped_paths_name_the_decoded_file_and_fragments_match_as_in_a_browser() {
        assert_eq!(
            site_path("article/a.html", "/assets/images/a%20b.png").0,
            "assets/images/a b.png"
        );
        assert_eq!(
            site_path("article/a.html", "x%2Dy.html").0,
            "article/x-y.html"
        );
        // An escaped separator is not one.
        assert_eq!(
            site_path("a.html", "/article%2Fb.html").0,
            "article%2Fb.html"
        );
        // Not UTF-8 once decoded: left as written.
        assert_eq!(site_path("a.html", "/b%FF.html").0, "b%FF.html");
        let ids: rustc_hash::FxHashSet<String> = ["Step 1", "über", "a%20b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for found in ["Step%201", "%C3%BCber", "über", "a%20b", "top", "TOP"] {
            assert!(fragment_found(&ids, found), "{found}");
        }
        for missing in ["step%201", "Step", "uber", "topp"] {
            assert!(!fragment_found(&ids, missing), "{missing}");
        }
    }

    /// The straightforward version `relative` replaced (lists of parts, joined).
    fn reference(from: &str, to: &str) -> String {
        let to = to.trim_start_matches('/');
        let (path, suffix) = match to.find(['#', '?']) {
            Some(i) => (&to[..i], &to[i..]),
            None => (to, ""),
        };
        // Empty segments dropped, as a browser's request resolves them (the
        // generated paths have no `.` or `..`).
        let kept: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let folder = path.is_empty() || path.ends_with('/');
        let path = kept.join("/");
        let path = if folder {
            if path.is_empty() {
                "index.html".to_string()
            } else {
                format!("{path}/index.html")
            }
        } else {
            path
        };
        let depth = from.matches('/').count();
        let from_dirs: Vec<&str> = from.split('/').take(depth).collect();
        let to_parts: Vec<&str> = path.split('/').collect();
        let common = from_dirs
            .iter()
            .zip(&to_parts)
            .take_while(|(a, b)| a == b)
            .count()
            .min(to_parts.len() - 1);
        let mut out = "../".repeat(depth - common);
        out.push_str(&to_parts[common..].join("/"));
        out.push_str(suffix);
        out
    }

    proptest::proptest! {
        #[test]
        fn relative_agrees_with_the_reference(
            from in "([ab]{0,2}/){0,3}[ab]{0,2}(\\.html)?",
            to in "/?([ab]{0,2}/){0,3}[ab]{0,2}(\\.html)?([#?][ab/]{0,3})?",
        ) {
            proptest::prop_assert_eq!(relative(&from, &to), reference(&from, &to));
        }
    }

    #[test]
    fn roots_and_absolutes() {
        assert_eq!(root_prefix("article/a.html"), "../");
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(
            absolute("https://h/guide/", "/article/a.html"),
            "https://h/guide/article/a.html"
        );
        assert_eq!(output_path("/x/"), "x/index.html");
    }

    /// Where a browser goes: `href` resolved on the page at `from` by the `url`
    /// crate (WHATWG URL resolution), as the file a static server would answer
    /// with (empty segments collapse as on a file system; a folder serves its
    /// `index.html`). Independent of `site_path` and its slow path.
    fn browser_path(from: &str, href: &str) -> (String, Option<String>) {
        let base = ::url::Url::parse("http://host/")
            .unwrap()
            .join(from)
            .unwrap();
        let target = base.join(href).unwrap();
        let segments: Vec<&str> = target.path().split('/').collect();
        let mut path = segments
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        if segments.last() == Some(&"") {
            path = if path.is_empty() {
                "index.html".into()
            } else {
                format!("{path}/index.html")
            };
        }
        (path, target.fragment().map(String::from))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]
        #[test]
        fn site_paths_go_where_a_browser_goes(
            // A page's output path: no empty, `.` or `..` segments.
            from in "([a.]?a[a.]?/){0,3}[a.]?a[a.]?",
            href in "/?(([a.]{0,2}|\\.\\.)/){0,3}[a.]{0,3}([?#][a.]{0,2})?",
        ) {
            // `//x` is a host to a browser; pages never write it for a path.
            proptest::prop_assume!(!href.starts_with("//"));
            let browser = browser_path(&from, &href);
            if let Some(plain) = plain_absolute(&href) {
                proptest::prop_assert_eq!(plain, browser.0.as_str());
            }
            proptest::prop_assert_eq!(site_path(&from, &href), browser);
        }
    }

    #[test]
    fn site_paths() {
        assert_eq!(
            site_path("article/a.html", "/article/b.html#x"),
            ("article/b.html".into(), Some("x".into()))
        );
        // Found by the url-crate reference: a final `.` or `..` is a folder, and
        // `..` removes an empty segment first.
        assert_eq!(site_path("a/a", "."), ("a/index.html".into(), None));
        assert_eq!(site_path("a/b/c", ".."), ("a/index.html".into(), None));
        assert_eq!(site_path("a/a", ".//../"), ("a/index.html".into(), None));
        assert_eq!(
            site_path("article/a.html", "b.html"),
            ("article/b.html".into(), None)
        );
        assert_eq!(
            site_path("article/a.html", "../index.html"),
            ("index.html".into(), None)
        );
        assert_eq!(
            site_path("article/a.html", "#top"),
            ("article/a.html".into(), Some("top".into()))
        );
        assert_eq!(
            site_path("article/a.html", "/"),
            ("index.html".into(), None)
        );
        assert_eq!(
            site_path("article/a.html", "../../../x.html"),
            ("x.html".into(), None)
        );
    }

    #[test]
    fn external_links() {
        assert!(is_external("http://support.microsoft.com/kb/1"));
        assert!(is_external("ftp://x/y"));
        assert!(is_external("mailto:a@b"));
        assert!(!is_external("/article/a.html"));
        assert!(!is_external("a.html#x:y"));
        assert!(!is_external("a/b:c"));
        assert!(!is_external(":nothing"));
        assert!(!is_external(""));
        assert!(is_external("//example.org/x"));
        assert!(is_external("//example.org:8080/x"));
    }
}
