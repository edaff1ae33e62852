//! The one place URLs are made. Pages link to each other with relative URLs, so
//! the same output works at `https://host/`, at `https://host/guide/` and from disk.

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
    }

    /// The straightforward version `relative` replaced (lists of parts, joined).
    fn reference(from: &str, to: &str) -> String {
        let to = to.trim_start_matches('/');
        let (path, suffix) = match to.find(['#', '?']) {
            Some(i) => (&to[..i], &to[i..]),
            None => (to, ""),
        };
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
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
}
