//! An article: front matter + body, and for service articles the typed service.

use crate::date::PostDate;
use crate::diag::{Code, Diagnostic};
use crate::frontmatter::{self, FrontMatter, Split};
use crate::service::{self, availability, form, Service};
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
    /// `date:`, when it reads as a date.
    pub date: Option<PostDate>,
    /// When the article last changed ([`updated_text`]), when it reads as a date.
    pub updated: Option<PostDate>,
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

/// The date an article was last changed, as written: `updated`, or Jekyll's
/// `last_modified_at`.
pub fn updated_text(fm: &FrontMatter) -> Option<&str> {
    UPDATED_KEYS.iter().find_map(|key| updated_text_of(fm, key))
}

/// The keys of [`updated_text`], the first that holds text winning.
const UPDATED_KEYS: [&str; 2] = ["updated", "last_modified_at"];

fn updated_text_of<'f>(fm: &'f FrontMatter, key: &str) -> Option<&'f str> {
    match fm.extra.get(key)? {
        serde_yaml_ng::Value::String(s) if !s.trim().is_empty() => Some(s.trim()),
        _ => None,
    }
}

/// The date written under `key`; a text that does not read as one is
/// reported at its value (the page then shows no date, and leaves the feed).
fn read_date(
    src: &Source,
    fm: &FrontMatter,
    key: &str,
    text: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<PostDate> {
    let text = text?;
    if text.trim().is_empty() {
        return None;
    }
    let parsed = PostDate::parse(text);
    if parsed.is_none() {
        let line = fm.key_offset(key);
        let line_end = src.text[line..]
            .find('\n')
            .map_or(src.text.len(), |i| line + i);
        let at = src.text[line..line_end]
            .find(text.trim())
            .map_or(line, |i| line + i);
        diags.push(
            Diagnostic::at(
                Code::DateInvalid,
                src,
                at,
                format!("`{key}` does not read as a date: `{}`", text.trim()),
            )
            .help("write a day and time as the export does (`2003-08-06T12:00:00+02:00`) or a bare day (`2003-08-06`); the page shows no date meanwhile"),
        );
    }
    parsed
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
    "search-names.js",
    "search.html",
    "graph-data.js",
    "processes.html",
    "graph.html",
];

/// Reserved folders for generated pages and assets, and the dev server's own
/// routes (`serve::app::PREFIX`), which would hide a page there.
pub const RESERVED_DIRS: &[&str] = &["theme/", "os/", "tags/", "__svcguide/"];

/// The longest file or folder name most file systems accept, in bytes.
pub const MAX_SEGMENT_BYTES: usize = 255;

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
        // Hidden names (`.git`, the build's own `.svcguide-output`) would poison
        // the output folder for every later build; names ending in `.` are
        // another file's name on Windows.
        if segment.starts_with('.') {
            return Err(format!(
                "`{segment}` starts with `.`: hidden names (like `.git`) are reserved"
            ));
        }
        if segment.ends_with('.') {
            return Err(format!(
                "`{segment}` ends with `.`, which Windows drops from file names"
            ));
        }
        if segment.len() > MAX_SEGMENT_BYTES {
            return Err(format!(
                "a path segment is {} bytes long; file systems allow at most {MAX_SEGMENT_BYTES}",
                segment.len()
            ));
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
    let (permalink, out_path) = permalink_of(&src, &fm, diags)?;
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
    check_status(&src, &fm, diags);
    let date = read_date(&src, &fm, "date", fm.date.as_deref(), diags);
    let updated = UPDATED_KEYS
        .iter()
        .find(|key| updated_text_of(&fm, key).is_some())
        .and_then(|key| read_date(&src, &fm, key, updated_text_of(&fm, key), diags));
    let kind = if is_service(&fm) {
        let mut service = parse_service(&src, &fm, split, diags);
        service.evidence = availability_evidence(&src, &fm, date, &service, diags);
        PageKind::Service(Box::new(service))
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
        date,
        updated,
        kind,
    })
}

/// The permalink (trimmed) and the output path it gives; `None`, reported,
/// when it is missing or unsafe.
fn permalink_of(
    src: &Source,
    fm: &FrontMatter,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, String)> {
    let Some(permalink) = fm.permalink.clone() else {
        diags.push(
            Diagnostic::at(Code::KeyMissing, src, 0, "missing `permalink`").help(format!(
                "add `permalink: /article/{}` to the front matter",
                suggested_name(&src.rel)
            )),
        );
        return None;
    };
    // Spaces around the value (kept by a quoted YAML string) are dropped, so the
    // written path and every href agree; the author is told.
    let trimmed = permalink.trim();
    if trimmed.len() != permalink.len() && !trimmed.is_empty() {
        diags.push(
            Diagnostic::at(
                Code::KeyType,
                src,
                fm.key_offset("permalink"),
                format!("`permalink` has spaces around it; `{trimmed}` is used"),
            )
            .help("remove the spaces inside the quotes"),
        );
    }
    let permalink = trimmed.to_string();
    match permalink_output(&permalink) {
        Ok(out_path) => Some((permalink, out_path)),
        Err(why) => {
            diags.push(
                Diagnostic::at(
                    Code::PermalinkUnsafe,
                    src,
                    fm.key_offset("permalink"),
                    format!("unsafe permalink `{permalink}`"),
                )
                .help(why),
            );
            None
        }
    }
}

/// Reports a `status` that is neither `publish` nor a WordPress draft state.
fn check_status(src: &Source, fm: &FrontMatter, diags: &mut Vec<Diagnostic>) {
    if let Some(status) = &fm.status {
        if !matches!(
            status.as_str(),
            "publish" | "draft" | "pending" | "private" | "future" | "trash"
        ) {
            diags.push(
                Diagnostic::at(
                    Code::StatusUnknown,
                    src,
                    fm.key_offset("status"),
                    format!("unknown status `{status}`"),
                )
                .help("use `publish` to show the article, or `draft` to keep it out of the site"),
            );
        }
    }
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

/// Where the service exists, as far as this article says, and what an author
/// should hear about it: a `windows:` value that is not one, versions that
/// rest on inference alone, contradictions.
fn availability_evidence(
    src: &Source,
    fm: &FrontMatter,
    date: Option<PostDate>,
    service: &Service,
    diags: &mut Vec<Diagnostic>,
) -> availability::Evidence {
    let stated = stated_windows(src, fm, diags);
    let description: String = service
        .prose
        .iter()
        .map(|r| &src.text[r.clone()])
        .collect::<Vec<_>>()
        .join("\n\n");
    let evidence = availability::evidence(service, date.map(|d| d.day()), stated, &description);
    let at = service
        .default
        .iter()
        .find(|i| i.scope.is_all())
        .map_or(0, |i| i.offset);
    let own = evidence.availability(availability::OsSet::EMPTY);
    if own.only_inferred() {
        let written = evidence.written.map_or("", |f| f.name());
        diags.push(
            Diagnostic::at(
                Code::AvailabilityInferred,
                src,
                at,
                format!(
                    "the Windows versions of this service are inferred from the article's date ({written} was current): no label, `windows:` or statement names one",
                ),
            )
            .help(format!(
                "if that is right, state it: `windows: {}`",
                availability::windows_line(own.families())
            )),
        );
    }
    for (os, why) in &evidence.conflicts {
        let place = conflict_place(fm, service, *os).unwrap_or(at);
        diags.push(
            Diagnostic::at(
                Code::AvailabilityContradiction,
                src,
                place,
                format!("{}: {why}", os.name()),
            )
            .help("make the labels, `Not available` items and `windows:` agree; `Not available` and `windows:` win meanwhile"),
        );
    }
    evidence
}

/// The versions `windows:` names, at the top level or inside the `service:`
/// map; a value that is not a version is reported and ignored.
fn stated_windows(
    src: &Source,
    fm: &FrontMatter,
    diags: &mut Vec<Diagnostic>,
) -> Option<availability::OsSet> {
    let (entries, key) = match (&fm.windows, &fm.service) {
        (w, _) if !w.is_empty() => (w.clone(), "windows"),
        (_, Some(serde_yaml_ng::Value::Mapping(map))) => (
            map.get("windows")
                .map(frontmatter::string_list)
                .unwrap_or_default(),
            "service",
        ),
        _ => (Vec::new(), "windows"),
    };
    if entries.is_empty() {
        return None;
    }
    match availability::parse_windows(&entries) {
        Ok(set) => Some(set),
        Err(bad) => {
            diags.push(
                Diagnostic::at(
                    Code::WindowsValue,
                    src,
                    fm.key_offset(key),
                    format!("`{bad}` in `windows:` is not a Windows version"),
                )
                .help("write versions or ranges: `windows: [nt4, 2000, xp, 2003, vista, 7, 8]`, `windows: XP+`, `windows: Vista-7`"),
            );
            None
        }
    }
}

/// Where to report a contradiction about `os`: at the `Not available` item
/// for the version, else at the first label naming it, else at `windows:`.
fn conflict_place(
    fm: &FrontMatter,
    service: &Service,
    os: crate::service::os::OsFamily,
) -> Option<usize> {
    let not_available = service.default.iter().find(|i| {
        i.scope.covers(os)
            && !i.scope.is_all()
            && i.value
                .as_ref()
                .is_some_and(|v| v.state == crate::service::state::StartState::NotAvailable)
    });
    let labelled = service
        .default
        .iter()
        .chain(&service.recommended)
        .map(|i| (&i.scope, i.offset))
        .chain(service.processes.iter().map(|i| (&i.scope, i.offset)))
        .find(|(scope, _)| !scope.is_all() && scope.covers(os))
        .map(|(_, offset)| offset);
    not_available
        .map(|i| i.offset)
        .or(labelled)
        .or_else(|| fm.key_offsets.get("windows"))
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
        let long = "a".repeat(MAX_SEGMENT_BYTES - 5);
        assert!(permalink_output(&format!("/article/{long}.html")).is_ok());
        assert!(permalink_output(&format!("/article/{long}x.html")).is_err());
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
            "/.git/config.html",
            "/.svcguide-output/x.html",
            "/article/.x.html",
            "/a./x.html",
            "/__svcguide/status.html",
        ] {
            assert!(permalink_output(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(RESERVED_DIRS.contains(&crate::serve::app::PREFIX));
    }
}
