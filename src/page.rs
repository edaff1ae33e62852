//! An article: front matter + body, and for service articles the typed service.

use crate::diag::{Code, Diagnostic};
use crate::frontmatter::{self, FrontMatter, Split};
use crate::service::{self, form, Service};
use crate::source::Source;

#[derive(Debug, Clone)]
pub enum PageKind {
    Service(Box<Service>),
    Plain,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub src: Source,
    pub fm: FrontMatter,
    pub split: Split,
    /// `/article/winnt-services-rpcss.html`, as the author wrote it.
    pub permalink: String,
    /// The permalink's basename without `.html` (the key in services.json and search).
    pub slug: String,
    /// Where the page is written, relative to the output folder.
    pub out_path: String,
    pub title: String,
    pub kind: PageKind,
}

impl Page {
    pub fn service(&self) -> Option<&Service> {
        match &self.kind {
            PageKind::Service(s) => Some(s),
            PageKind::Plain => None,
        }
    }
}

/// Output paths the generator itself writes; an article may not claim them.
pub const RESERVED_PATHS: &[&str] = &[
    "index.html",
    "404.html",
    "sitemap.xml",
    "services.json",
    "services.csv",
    "feed.xml",
    "robots.txt",
    "search-index.js",
    "search-docs.js",
    "graph-data.js",
    "processes.html",
    "graph.html",
];

/// Reserved folders for generated pages and assets.
pub const RESERVED_DIRS: &[&str] = &["theme/", "os/", "tags/"];

/// Checks a permalink and returns the output path it is written to.
pub fn permalink_output(permalink: &str) -> Result<String, String> {
    let p = permalink.trim();
    if !p.starts_with('/') || p.starts_with("//") {
        return Err("a permalink must be a site path starting with a single `/`, like `/article/<slug>.html`".into());
    }
    if p.contains('\\') || p.contains('%') || p.chars().any(|c| c.is_control()) {
        return Err(
            "a permalink may not contain backslashes, `%` escapes or control characters".into(),
        );
    }
    let path = crate::url::output_path(p);
    for segment in path.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err("a permalink may not contain empty, `.` or `..` segments".into());
        }
        if !segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
        {
            return Err(format!(
                "`{segment}` holds characters other than letters, digits, `-`, `_`, `.` and `~`"
            ));
        }
        let stem = segment.split('.').next().unwrap_or("").to_ascii_uppercase();
        let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || (stem.len() == 4
                && (stem.starts_with("COM") || stem.starts_with("LPT"))
                && stem.as_bytes()[3].is_ascii_digit());
        if reserved {
            return Err(format!("`{segment}` is a reserved device name on Windows"));
        }
    }
    if !path.ends_with(".html") {
        return Err("a permalink must end in `.html` (or `/`)".into());
    }
    if RESERVED_PATHS.contains(&path.as_str()) || RESERVED_DIRS.iter().any(|d| path.starts_with(d))
    {
        return Err(format!("`{path}` is written by svcguide itself"));
    }
    Ok(path)
}

/// True for articles of the Services Guide category (or with a `service:` map).
fn is_service(fm: &FrontMatter) -> bool {
    fm.service.is_some()
        || fm
            .categories
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case("services guide"))
}

/// Parses one source into a page; `None` when it cannot become a page.
pub fn parse(src: Source, diags: &mut Vec<Diagnostic>) -> Option<Page> {
    let (fm, split) = frontmatter::parse(&src, diags)?;
    let Some(permalink) = fm.permalink.clone() else {
        diags.push(
            Diagnostic::at(Code::KeyMissing, &src, 0, "missing `permalink`").help(format!(
                "add `permalink: /article/{}` to the front matter",
                suggested_name(&src.rel)
            )),
        );
        return None;
    };
    let out_path = match permalink_output(&permalink) {
        Ok(p) => p,
        Err(why) => {
            diags.push(
                Diagnostic::at(
                    Code::PermalinkUnsafe,
                    &src,
                    fm.key_offset("permalink"),
                    format!("unsafe permalink `{permalink}`"),
                )
                .help(why),
            );
            return None;
        }
    };
    let slug = out_path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".html")
        .to_string();
    let title = match fm.title.clone().filter(|t| !t.trim().is_empty()) {
        Some(t) => t,
        None => {
            diags.push(
                Diagnostic::at(Code::KeyMissing, &src, 0, "missing `title`").help(
                    "add `title: 'Display Name'` to the front matter; the slug is shown meanwhile",
                ),
            );
            slug.clone()
        }
    };
    if let Some(status) = &fm.status {
        if !matches!(
            status.as_str(),
            "publish" | "draft" | "pending" | "private" | "future" | "trash"
        ) {
            diags.push(
                Diagnostic::at(
                    Code::StatusUnknown,
                    &src,
                    fm.key_offset("status"),
                    format!("unknown status `{status}`"),
                )
                .help("use `publish` to show the article, or `draft` to keep it out of the site"),
            );
        }
    }
    let kind = if is_service(&fm) {
        PageKind::Service(Box::new(parse_service(&src, &fm, split, diags)))
    } else {
        PageKind::Plain
    };
    Some(Page {
        src,
        fm,
        split,
        permalink,
        slug,
        out_path,
        title,
        kind,
    })
}

/// The body is the reference; a `service:` map fills in when the body has no sections.
fn parse_service(
    src: &Source,
    fm: &FrontMatter,
    split: Split,
    diags: &mut Vec<Diagnostic>,
) -> Service {
    let has_sections = !service::sections::split(&src.text, split.body_start)
        .sections
        .is_empty();
    let mut form_diags = Vec::new();
    let from_form = form::parse(src, fm, split, &mut form_diags);
    diags.extend(form_diags);
    match from_form {
        Some(mut form_service) if !has_sections => {
            // The whole body is the description.
            // One range: the whole body (a Vec because service bodies have several).
            #[allow(clippy::single_range_in_vec_init)]
            let prose = vec![split.body_start..src.text.len()];
            form_service.prose = prose;
            form_service
        }
        from_form => {
            let body = service::parse_body(src, split.body_start, diags);
            if let Some(form_service) = from_form {
                form::compare(src, fm, split, &form_service, &body, diags);
            }
            body
        }
    }
}

fn suggested_name(rel: &str) -> String {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let stem = file.trim_end_matches(".md");
    if stem.ends_with(".html") {
        stem.to_string()
    } else {
        format!("{stem}.html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_permalinks() {
        assert_eq!(
            permalink_output("/article/winnt-services-rpcss.html").unwrap(),
            "article/winnt-services-rpcss.html"
        );
        assert_eq!(permalink_output("/guide/").unwrap(), "guide/index.html");
        for bad in [
            "/article/../../etc/passwd.html",
            "article/x.html",
            "//evil.com/x.html",
            "/a/%2e%2e/x.html",
            "/a\\b.html",
            "/a/\0.html",
            "/CON.html",
            "/a/aux.html",
            "/index.html",
            "/theme/x.html",
            "/a/x.php",
            "http://x/a.html",
        ] {
            assert!(permalink_output(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
