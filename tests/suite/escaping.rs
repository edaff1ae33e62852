//! Every value from front matter, svcguide.toml or the typed model is escaped for
//! the context it lands in: HTML text and attributes, JSON (services.json, the
//! search doc store), XML (sitemap, feed). Raw HTML inside Markdown bodies is the
//! author's and is kept, unless `sanitize = true` cleans it (issue 8).

use crate::common;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A title that breaks out of every context if it is not escaped.
const EVIL_TITLE: &str = "T<script>alert('title')</script> \"q\" ]]> &amp;x";
/// The title after the one entity decoding front matter titles get.
const EVIL_TITLE_DECODED: &str = "T<script>alert('title')</script> \"q\" ]]> &x";

fn yaml_single(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

struct Built {
    _dir: tempfile::TempDir,
    out: PathBuf,
}

fn build(files: &[(&str, String)], toml: &str) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    for (name, text) in files {
        let path = content.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let config = dir.path().join("svcguide.toml");
    std::fs::write(&config, toml).unwrap();
    let out = dir.path().join("public");
    let output = common::bin()
        .current_dir(dir.path())
        .args(["build", "--config"])
        .arg(&config)
        .arg("--content")
        .arg(&content)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        out.join("index.html").is_file(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Built { _dir: dir, out }
}

fn files_with_ext(root: &Path, exts: &[&str]) -> Vec<(String, String)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| exts.contains(&x.to_str().unwrap()))
        })
        .map(|e| {
            (
                e.path().strip_prefix(root).unwrap().display().to_string(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

/// An article whose every front matter value and typed item is hostile, while its
/// Markdown holds no raw HTML (so any `<script` in the output is an escaping bug).
fn hostile_service() -> String {
    format!(
        "---\ntitle: {}\ndate: {}\nstatus: publish\npermalink: /article/evil.html\nexcerpt: {}\nauthor: {}\ncategory:\n    - 'Services Guide'\ntag:\n    - {}\n    - {}\n---\n\
##### Description:\nHarmless prose with a [plain link](/article/evil.html).\n\n\
More Info [KB &lt;script&gt;alert('kb')&lt;/script&gt;](http://example.invalid/kb?a=1&b=\"2\")\n\n\
##### Recommended State:\n- Manual (&lt;script&gt;alert('qual')&lt;/script&gt;), if &lt;script&gt;alert('cond')&lt;/script&gt;\n\n\
##### Default State:\n- WinXP: Disabled (\"quoted\" 'single' ]]>)\n\n\
##### Process Name:\n- [ev\"il.exe -k g\"rp](/article/evil.html) (Na\"me, no&lt;te)\n\n\
##### Supports:\n- [&lt;script&gt;alert('ref')&lt;/script&gt;](/article/evil.html) (&lt;b&gt;qualifier&lt;/b&gt; \"q\")\n\n\
##### Depends:\n- &lt;img src=x onerror=alert('plain')&gt; (Vista+)",
        yaml_single(EVIL_TITLE),
        yaml_single("2001-02-03T04:05:06+01:00\"><script>alert('date')</script>"),
        yaml_single("<script>alert('excerpt')</script>"),
        yaml_single("<script>alert('author')</script>"),
        yaml_single("<script>alert('tag')</script>"),
        yaml_single("q\"uote,]]>"),
    )
}

const EVIL_TOML: &str = "title = \"S<script>alert('site')</script>\\\"\"\nbase_url = \"https://example.invalid/g\\\"><script>alert('base')</script>/\"\n";

#[test]
fn front_matter_and_typed_values_are_escaped_everywhere() {
    let plain = format!(
        "---\ntitle: {}\npermalink: /article/plain.html\ndate: '2002-01-01T00:00:00+00:00'\n---\nA plain page.",
        yaml_single("P<script>alert('plain-title')</script>")
    );
    let built = build(
        &[
            ("evil.html.md", hostile_service()),
            ("plain.html.md", plain),
        ],
        EVIL_TOML,
    );
    // HTML, XML and JS files: no active markup from any value.
    // (JSON and JS files hold the strings as JSON strings: checked by parsing below.)
    let outputs = files_with_ext(&built.out, &["html", "xml", "svg"]);
    assert!(outputs.len() > 5, "{outputs:?}");
    for (path, text) in &outputs {
        let lower = text.to_lowercase();
        // (Escaped text such as `&lt;img src=x onerror=...` is harmless and allowed.)
        for bad in ["<script>alert", "<img src=x", "<b>qualifier"] {
            assert!(!lower.contains(bad), "{path} holds `{bad}`");
        }
        // No attribute value was broken out of.
        assert!(!text.contains("\"><script"), "{path}");
        assert!(
            !text.contains("g\"><"),
            "{path}: base_url broke an attribute"
        );
    }
    let page = std::fs::read_to_string(built.out.join("article/evil.html")).unwrap();
    // The title is shown, escaped once (the entity in the front matter decoded once).
    assert!(
        page.contains("T&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"),
        "title not shown escaped: {}",
        &page[..page.len().min(3000)]
    );
    assert!(page.contains("&amp;x"), "decoded once, escaped once");
    assert!(!page.contains("&amp;amp;x"), "never double-escaped");
    // services.json keeps the exact strings.
    let services = common::services_by_slug(&built.out);
    let evil = &services["evil"];
    assert_eq!(evil["title"], EVIL_TITLE_DECODED);
    assert_eq!(evil["processes"][0]["image"], "ev\"il.exe");
    assert_eq!(
        evil["supports"]["items"][0]["name"],
        "<script>alert('ref')</script>"
    );
    assert!(evil["tags"]
        .as_array()
        .unwrap()
        .contains(&Value::from("<script>alert('tag')</script>")));
    // The search doc store is valid JSON holding the exact title.
    let docs = std::fs::read_to_string(built.out.join("search-docs.js")).unwrap();
    let json = docs
        .trim()
        .strip_prefix("window.SVCGUIDE_DOCS=")
        .and_then(|s| s.strip_suffix(';'))
        .expect("window.SVCGUIDE_DOCS=<json>;");
    let docs: Value = serde_json::from_str(json).unwrap();
    assert!(
        docs.to_string()
            .contains(&serde_json::to_string(EVIL_TITLE_DECODED).unwrap()[1..20]),
        "{docs}"
    );
    // XML files stay well-formed around the values: `]]>` never closes a CDATA
    // section early, `<` never opens a tag.
    for (path, text) in files_with_ext(&built.out, &["xml"]) {
        assert_eq!(
            text.matches("<![CDATA[").count(),
            text.matches("]]>").count(),
            "{path}"
        );
        assert!(!text.contains("<script"), "{path}");
    }
}

fn raw_html_article() -> String {
    "---\ntitle: Raw\npermalink: /article/raw.html\ncategory:\n    - 'Services Guide'\n---\n\
##### Description:\nBefore <script>alert('body')</script> after.\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n<b>bold stays</b> and [js](javascript:alert('link')).\n\n\
More Info [KB](javascript:alert('moreinfo'))\n\n\
##### Recommended State:\n- Manual, if <script>alert('item')</script>\n\n\
##### Default State:\n- <i onclick=\"alert(2)\">Sometimes</i>\n\n\
##### Process Name:\n- [x.exe](javascript:alert('proc')) (X)\n\n\
##### Supports:\n- None\n\n##### Depends:\n- None\n\
stray <script>alert('stray')</script>"
        .to_string()
}

#[test]
fn raw_html_in_bodies_is_kept_by_default() {
    let built = build(&[("raw.html.md", raw_html_article())], "");
    let page = std::fs::read_to_string(built.out.join("article/raw.html")).unwrap();
    assert!(page.contains("<script>alert('body')</script>"), "{page}");
    assert!(page.contains("<b>bold stays</b>"));
    assert!(page.contains("<script>alert('item')</script>"));
    assert!(page.contains("onerror=\"alert(1)\""));
}

#[test]
fn sanitize_true_cleans_body_and_item_html() {
    let built = build(&[("raw.html.md", raw_html_article())], "sanitize = true\n");
    for (path, text) in files_with_ext(&built.out, &["html"]) {
        let lower = text.to_lowercase();
        for bad in [
            "<script>alert",
            "onerror=\"",
            "onclick=\"",
            "href=\"javascript:",
        ] {
            assert!(!lower.contains(bad), "{path} holds `{bad}`:\n{text}");
        }
    }
    let page = std::fs::read_to_string(built.out.join("article/raw.html")).unwrap();
    assert!(
        page.contains("x.png"),
        "the image stays, without its handler"
    );
    let page = std::fs::read_to_string(built.out.join("article/raw.html")).unwrap();
    assert!(page.contains("<b>bold stays</b>"), "harmless markup stays");
    assert!(page.contains("Before"), "text stays");
    // The page's own scripts (search) are not the author's and stay.
    assert!(page.contains("search.js"));
}
