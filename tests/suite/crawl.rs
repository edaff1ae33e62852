//! An independent link crawler: every `href` and `src` of every HTML file of a
//! built site, read by a spec HTML tokenizer (html5gum) and resolved by the WHATWG
//! URL library (`url`), must reach a file, both when the site is served under a
//! sub-path (`http://host/sub/`) and when it is opened from disk (`file://`).
//! Nothing here uses svcguide's own link code or its `output-link-broken` check.

use crate::common;

use std::path::{Path, PathBuf};

use html5gum::{DefaultEmitter, Token, Tokenizer};
use url::Url;

/// (attribute, value) of every `href` and `src` in the page, in order.
fn links(html: &str) -> Vec<(String, String)> {
    let mut emitter = DefaultEmitter::default();
    // Script and style contents are text, not tags.
    emitter.naively_switch_states(true);
    let mut out = Vec::new();
    for token in Tokenizer::new_with_emitter(html, emitter) {
        let Ok(Token::StartTag(tag)) = token else {
            continue;
        };
        for (name, value) in &tag.attributes {
            let name: &[u8] = name;
            if name == b"href" || name == b"src" {
                let value: &[u8] = &value.value;
                out.push((
                    String::from_utf8_lossy(name).into_owned(),
                    String::from_utf8_lossy(value).into_owned(),
                ));
            }
        }
    }
    out
}

fn html_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}

/// Links that leave the site on purpose: another scheme, or another host.
fn external(resolved: &Url, site: &Url) -> bool {
    resolved.scheme() != site.scheme() || resolved.host_str() != site.host_str()
}

/// What a static web server serving `root` at `http://host/sub/` answers for
/// `url`: the file, or why there is none.
fn served_file(root: &Path, url: &Url) -> Result<PathBuf, String> {
    let path = url.path();
    let rest = path
        .strip_prefix("/sub/")
        .ok_or_else(|| format!("{url} leaves the sub-path /sub/"))?;
    let mut file = root.to_path_buf();
    for seg in rest.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_decode(seg);
        file.push(seg);
    }
    if rest.is_empty() || rest.ends_with('/') || file.is_dir() {
        file.push("index.html");
    }
    if file.is_file() {
        Ok(file)
    } else {
        Err(format!("{url} -> {} is not a file", file.display()))
    }
}

/// What a browser opens for a `file://` URL: the file itself (a folder shows a
/// listing, not its index.html, so a folder link is broken from disk).
fn disk_file(root: &Path, url: &Url) -> Result<PathBuf, String> {
    let file = url
        .to_file_path()
        .map_err(|()| format!("{url} is not a file path"))?;
    if !file.starts_with(root) {
        return Err(format!("{url} leaves the site folder"));
    }
    if file.is_file() {
        Ok(file)
    } else {
        Err(format!("{url} is not a file"))
    }
}

fn percent_decode(seg: &str) -> String {
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&seg[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Crawls every HTML file of `root` both ways; returns (links checked, problems).
/// The site must be built with `--base-url http://host/sub/` (the 404 page is
/// served at any depth, so its links start at the base URL's path).
fn crawl(root: &Path) -> (usize, Vec<String>) {
    let root = root.canonicalize().unwrap();
    let http_base = Url::parse("http://host/sub/").unwrap();
    let file_base = Url::from_directory_path(&root).unwrap();
    let mut checked = 0;
    let mut problems = Vec::new();
    for rel in html_files(&root) {
        let html = std::fs::read_to_string(root.join(&rel)).unwrap();
        let rel_url = rel.to_string_lossy().replace('\\', "/");
        let on_http = http_base.join(&rel_url).unwrap();
        let on_disk = file_base.join(&rel_url).unwrap();
        for (attr, value) in links(&html) {
            let value = value.trim();
            let (Ok(http), Ok(disk)) = (on_http.join(value), on_disk.join(value)) else {
                problems.push(format!("{rel_url}: {attr}={value:?} is not a URL"));
                continue;
            };
            if external(&http, &on_http) {
                continue;
            }
            checked += 1;
            if let Err(e) = served_file(&root, &http) {
                problems.push(format!("{rel_url}: {attr}={value:?} under a sub-path: {e}"));
            }
            // From disk: not the 404 page (only a server shows it), nor absolute
            // links to the published site (canonical, feed), which leave the disk.
            if rel_url != "404.html" && disk.scheme() == "file" {
                if let Err(e) = disk_file(&root, &disk) {
                    problems.push(format!("{rel_url}: {attr}={value:?} from disk: {e}"));
                }
            }
        }
    }
    (checked, problems)
}

#[test]
fn every_href_and_src_of_the_bundled_guide_reaches_a_file() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let built = common::build_dir(&content, &["--quiet", "--base-url", "http://host/sub/"]);
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    let pages = html_files(&built.out).len();
    let (checked, problems) = crawl(&built.out);
    eprintln!("{pages} HTML files, {checked} internal links checked");
    assert!(pages >= 20, "{pages} pages");
    assert!(
        checked >= pages * 5,
        "only {checked} links in {pages} pages"
    );
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_href_and_src_of_the_views_fixture_reaches_a_file() {
    let built = common::build_dir(
        &common::fixture("views/content"),
        &["--quiet", "--base-url", "http://host/sub/"],
    );
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    let (checked, problems) = crawl(&built.out);
    assert!(checked > 0);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Root-absolute links an article writes in raw HTML (inline, in a block, in a
/// tag over two lines, in a list item) are made relative like its Markdown
/// links: they work under a sub-path and from disk too.
#[test]
fn raw_html_links_of_an_article_reach_their_files() {
    let dir = common::write_tree(&[
        (
            "article/raw.html.md",
            "---\ntitle: 'Raw'\npermalink: /article/raw.html\n---\n\
             Inline <a href=\"/article/raw.html#top\">self</a> <img src=\"/img/p.png\" alt=\"p\">\n\n\
             <div class=\"box\">\n  <a href=\"/article/raw.html\">block</a>\n  <img\n    src=\"/img/p.png\" alt=\"two lines\">\n</div>\n\n\
             - item <a href=\"/index.html\">home</a>\n",
        ),
        ("img/p.png", "png"),
    ]);
    let built = common::build_dir(dir.path(), &["--quiet", "--base-url", "http://host/sub/"]);
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    let page = std::fs::read_to_string(built.out.join("article/raw.html")).unwrap();
    for written in [
        "\"raw.html#top\"",
        "\"../img/p.png\"",
        "\"raw.html\"",
        "\"../index.html\"",
    ] {
        assert!(page.contains(written), "{written} in {page}");
    }
    let (checked, problems) = crawl(&built.out);
    assert!(checked > 0);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The crawler itself finds what it should: a planted root-absolute link leaves
/// the sub-path, a folder link fails from disk, a missing file fails both ways.
#[test]
fn the_crawler_catches_planted_breakage() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("a")).unwrap();
    std::fs::write(root.join("a/index.html"), "ok").unwrap();
    std::fs::write(root.join("style.css"), "").unwrap();
    std::fs::write(
        root.join("index.html"),
        concat!(
            r#"<link href="style.css"><a href="a/index.html#top">fine</a>"#,
            r#"<a href="/style.css">root</a><a href="a/">folder</a><img src="missing.png">"#,
            r#"<a href="https://example.org/">away</a><script>var x = '<a href="nowhere.html">';</script>"#,
        ),
    )
    .unwrap();
    let (checked, problems) = crawl(root);
    assert_eq!(checked, 5, "{problems:#?}");
    let expected = [
        "href=\"/style.css\" under a sub-path: http://host/style.css leaves the sub-path",
        "href=\"/style.css\" from disk: file:///style.css leaves the site folder",
        "href=\"a/\" from disk",
        "src=\"missing.png\" under a sub-path",
        "src=\"missing.png\" from disk",
    ];
    for e in expected {
        assert!(
            problems.iter().any(|p| p.contains(e)),
            "{e} not in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}
