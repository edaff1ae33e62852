//! A link checker CI can trust (issue 17) and copied files that never replace
//! generated ones (issue 21, item 1): fixture guides checked and built end to
//! end, with exact codes, files, lines and exit codes.

use crate::common;
use crate::common::write_tree as guide;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn service(slug: &str, body: &str) -> (String, String) {
    (
        format!("content/services/{slug}.html.md"),
        format!(
            "---\ntitle: '{slug}'\nstatus: publish\npermalink: /article/{slug}.html\nid: {}\ncategory:\n    - 'Services Guide'\n---\n##### Description:\n\n{body}\n\n##### Recommended State:\n\n- Manual\n\n##### Default State:\n\n- WinXP: Manual\n\n##### Process Name:\n\n- x.exe (X)\n\n##### Supports:\n\n- None\n\n##### Depends:\n\n- None\n",
            slug.len() * 7919 + body.len()
        ),
    )
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::bin().current_dir(dir).args(args).output().unwrap()
}

/// A diagnostic as (code, path, line, target).
type Found = (String, String, u64, String);

/// `check --format json` in `dir`: (exit code, diagnostics, the report).
fn check(dir: &Path, extra: &[&str]) -> (i32, Vec<Found>, Value) {
    let out = run(dir, &[&["check", "--format", "json"], extra].concat());
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let diags = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["target"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (out.status.code().unwrap(), diags, report)
}

fn codes(diags: &[Found], code: &str) -> Vec<(String, u64, String)> {
    diags
        .iter()
        .filter(|d| d.0 == code)
        .map(|d| (d.1.clone(), d.2, d.3.clone()))
        .collect()
}

fn owned<const N: usize>(files: [(String, String); N]) -> Vec<(String, String)> {
    files.into()
}

fn refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

#[test]
fn raw_html_anchors_and_links_in_articles() {
    let files = owned([
        service(
            "target",
            "<a name=\"SIMPLE_FILESHARING\"></a>Text.\n\n<p id='raw-id'>x</p>\n\n<A NAME=Upper></A>",
        ),
        service(
            "source",
            "[a](/article/target.html#SIMPLE_FILESHARING) [b](/article/target.html#raw-id) [c](/article/target.html#Upper) [d](/article/target.html#nowhere)\n\n<a\n  href='/article/gone.html'>raw</a>",
        ),
    ]);
    let dir = guide(&refs(&files));
    let (code, diags, _) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    let src = "content/services/source.html.md".to_string();
    assert_eq!(
        codes(&diags, "link-fragment"),
        [(src.clone(), 11, "/article/target.html#nowhere".into())],
        "{diags:?}"
    );
    // The raw HTML link is the author's: reported at the article's line, not blamed on a template.
    assert_eq!(
        codes(&diags, "link-broken"),
        [(src, 14, "/article/gone.html".into())]
    );
    assert!(codes(&diags, "output-link-broken").is_empty(), "{diags:?}");
}

/// Links a browser follows without trouble are not reported: escaped
/// fragments and paths, `#top`, the generated pages (home, version tables),
/// and a doubled slash. The one broken fragment is.
#[test]
fn links_are_resolved_as_a_browser_resolves_them() {
    let files = owned([
        service(
            "target",
            "<a name=\"Step 1\"></a>First.\n\n## Über alles\n\nText.",
        ),
        service(
            "source",
            "[s](/article/target.html#Step%201) [u](/article/target.html#über) [u2](/article/target.html#%C3%BCber-alles) [t](#top) [h](/) [i](/index.html) [x](/os/xp.html) [d](/article//target.html) [p](/article/target%2Ehtml) ![i](/assets/images/a%20b.png) [n](/article/target.html#nowhere)",
        ),
        ("content/assets/images/a b.png".to_string(), "png".to_string()),
    ]);
    let dir = guide(&refs(&files));
    let (code, diags, _) = check(dir.path(), &[]);
    let src = "content/services/source.html.md".to_string();
    let mut fragments = codes(&diags, "link-fragment");
    fragments.sort();
    assert_eq!(
        fragments,
        [
            (src.clone(), 11, "/article/target.html#nowhere".into()),
            (src, 11, "/article/target.html#über".into())
        ],
        "{diags:?}"
    );
    assert!(codes(&diags, "link-broken").is_empty(), "{diags:?}");
    assert!(codes(&diags, "output-link-broken").is_empty(), "{diags:?}");
    assert_eq!(code, 2);
    // The doubled slash is written as the page it resolves to, not `/target.html`.
    let built = common::build_dir(&dir.path().join("content"), &[]);
    let html = std::fs::read_to_string(built.out.join("article/source.html")).unwrap();
    assert!(html.contains("<a href=\"target.html\">d</a>"), "{html}");
}

#[test]
fn href_like_text_in_code_is_not_a_link() {
    let files = owned([service(
        "code",
        "Use `<link href=\"<?php echo $x ?>\">` or\n\n```html\n<a href=\"missing.html\">x</a>\n```\n\n<code>&lt;a href=\"also-missing.html\"&gt;</code>",
    )]);
    let dir = guide(&refs(&files));
    let (code, diags, _) = check(dir.path(), &[]);
    assert!(
        codes(&diags, "output-link-broken").is_empty() && codes(&diags, "link-broken").is_empty(),
        "{diags:?}"
    );
    assert_eq!(code, 0, "{diags:?}");
}

#[test]
fn single_quoted_and_multi_line_attributes_in_an_overridden_template() {
    let base = std::fs::read_to_string(common::fixture("../../templates/base.html")).unwrap();
    let extra = "<a href='{{ root }}index.html'>home</a>\n<img alt=x\n     src='{{ root }}theme/missing.png'>\n<img srcset=\"{{ root }}theme/style.css 1x, {{ root }}theme/nope-2x.png 2x\">\n</body>";
    let base = base.replacen("</body>", extra, 1);
    let files = owned([service("a", "Text.")]);
    let mut all = refs(&files);
    all.push(("templates/base.html", &base));
    let dir = guide(&all);
    let (code, diags, _) = check(dir.path(), &[]);
    let broken: Vec<_> = codes(&diags, "output-link-broken")
        .into_iter()
        .filter(|(f, ..)| f == "article/a.html")
        .map(|(_, line, target)| (line, target))
        .collect();
    assert_eq!(code, 2);
    assert!(run(dir.path(), &["build", "--quiet"]).status.success());
    let page = std::fs::read_to_string(dir.path().join("public/article/a.html")).unwrap();
    let line_of = |s: &str| page[..page.find(s).unwrap()].matches('\n').count() as u64 + 1;
    assert_eq!(
        broken,
        [
            (
                line_of("theme/missing.png"),
                "../theme/missing.png".to_string()
            ),
            (
                line_of("theme/nope-2x.png"),
                "../theme/nope-2x.png".to_string()
            )
        ],
        "{diags:?}"
    );
    assert!(
        line_of("theme/missing.png") > line_of("<img alt=x"),
        "the link is on the attribute's own line"
    );
}

fn static_guide() -> (tempfile::TempDir, Vec<(String, String)>) {
    let files = owned([service(
        "img",
        "![Regedit](/assets/images/regedit_services.jpg) [tool](/downloads/tool.zip) ![typo](/assets/images/regedit_service.jpg)",
    )]);
    let mut all = refs(&files);
    all.push(("static/assets/images/regedit_services.jpg", "JPEG"));
    all.push(("static/downloads/tool.zip", "ZIP"));
    (guide(&all), files)
}

#[test]
fn static_files_are_published_and_their_links_pass() {
    let (dir, _) = static_guide();
    let (code, diags, report) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(
        codes(&diags, "link-broken"),
        [(
            "content/services/img.html.md".to_string(),
            11,
            "/assets/images/regedit_service.jpg".to_string()
        )]
    );
    let help = report["diagnostics"][0]["help"].as_str().unwrap();
    assert!(
        help.contains("did you mean `/assets/images/regedit_services.jpg`"),
        "{help}"
    );
    let out = run(dir.path(), &["build", "--quiet"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(dir.path().join("public/assets/images/regedit_services.jpg")).unwrap(),
        b"JPEG"
    );
    // --static names another folder instead.
    std::fs::rename(dir.path().join("static"), dir.path().join("files")).unwrap();
    let (_, diags, _) = check(dir.path(), &["--static", "files"]);
    assert_eq!(codes(&diags, "link-broken").len(), 1, "{diags:?}");
    let (_, diags, _) = check(dir.path(), &[]);
    assert_eq!(codes(&diags, "link-broken").len(), 3, "{diags:?}");
}

#[test]
fn unchanged_static_files_keep_their_timestamps() {
    let (dir, _) = static_guide();
    assert!(run(dir.path(), &["build", "--quiet"]).status.success());
    let file = dir.path().join("public/downloads/tool.zip");
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(run(dir.path(), &["build", "--quiet"]).status.success());
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn copied_files_never_replace_generated_files() {
    let files = owned([service("a", "Text.")]);
    let mut all = refs(&files);
    all.push(("content/theme/search.js", "alert('content')"));
    all.push(("static/index.html", "<p>static</p>"));
    all.push(("static/article/a.html", "<p>static page</p>"));
    all.push(("static/x.txt", "static"));
    all.push(("content/x.txt", "content"));
    let dir = guide(&all);
    let out = run(dir.path(), &["build", "--quiet"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for both in [
        "`content/theme/search.js` would replace `theme/search.js`",
        "`static/index.html` would replace `index.html`",
        "`static/article/a.html` would replace `article/a.html`, the page svcguide generates from `content/services/a.html.md`",
        "`static/x.txt` and `content/x.txt` are both published as `x.txt`",
    ] {
        assert!(stderr.contains(both), "{both}\n{stderr}");
    }
    let public = dir.path().join("public");
    let js = std::fs::read_to_string(public.join("theme/search.js")).unwrap();
    assert!(!js.contains("alert('content')"));
    assert!(!std::fs::read_to_string(public.join("index.html"))
        .unwrap()
        .contains("<p>static</p>"));
    assert_eq!(
        std::fs::read_to_string(public.join("x.txt")).unwrap(),
        "content"
    );
    let (code, diags, _) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(codes(&diags, "copied-file-shadows").len(), 4, "{diags:?}");
}

#[test]
fn sanitize_refuses_copied_html_and_svg() {
    let files = owned([service("a", "Text.")]);
    let mut all = refs(&files);
    all.push(("svcguide.toml", "sanitize = true\n"));
    all.push(("content/evil.svg", "<svg onload=alert(1)></svg>"));
    all.push(("static/page.HTML", "<script>alert(1)</script>"));
    all.push(("static/fine.png", "PNG"));
    let dir = guide(&all);
    let out = run(dir.path(), &["build", "--quiet"]);
    assert_eq!(out.status.code(), Some(2));
    let public = dir.path().join("public");
    assert!(!public.join("evil.svg").exists() && !public.join("page.HTML").exists());
    assert!(public.join("fine.png").exists());
    let (_, diags, _) = check(dir.path(), &[]);
    let mut refused: Vec<_> = codes(&diags, "copied-file-active")
        .into_iter()
        .map(|d| d.0)
        .collect();
    refused.sort();
    assert_eq!(refused, ["content/evil.svg", "static/page.HTML"]);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A committed guide: `a` links to `b` and to its heading; `c` is unrelated.
fn history() -> tempfile::TempDir {
    let files = owned([
        service(
            "a",
            "[b](/article/b.html) and [setup](/article/b.html#setup).",
        ),
        service("b", "Text.\n\n###### Setup\n\nMore."),
        service("c", "Text."),
    ]);
    let dir = guide(&refs(&files));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "guide"]);
    dir
}

/// A dependency warning in an untouched article stays out of `--since` when
/// the change left what it reads alone (a description edited), and comes in
/// when the change caused it (the Supports item removed).
#[test]
fn since_reports_the_dependency_warnings_a_change_causes_and_no_older_ones() {
    let (z_name, z) = service("z", "Text.");
    let z = z.replace(
        "##### Depends:\n\n- None",
        "##### Depends:\n\n- [b](/article/b.html)\n- [y](/article/y.html)",
    );
    let (b_name, b) = service("b", "Text.");
    let (y_name, y) = service("y", "Text.");
    let y = y.replace(
        "##### Supports:\n\n- None",
        "##### Supports:\n\n- [z](/article/z.html)",
    );
    let files = [(z_name, z), (b_name, b), (y_name, y.clone())];
    let dir = guide(&refs(&files));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "guide"]);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = dir.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    // z's link to b was one-sided before: a new description of b is not its cause.
    edit("content/services/b.html.md", "Text.", "New text.");
    let (_, diags, _) = check(dir.path(), &["--since", "HEAD"]);
    assert!(
        codes(&diags, "graph-depends-unmirrored").is_empty(),
        "{diags:?}"
    );
    // y's Supports item for z removed: z's link to y is one-sided now.
    edit(
        "content/services/y.html.md",
        "- [z](/article/z.html)",
        "- None",
    );
    let (_, diags, _) = check(dir.path(), &["--since", "HEAD"]);
    let z = "content/services/z.html.md".to_string();
    assert_eq!(
        codes(&diags, "graph-depends-unmirrored"),
        [(z, 32, String::new())],
        "{diags:?}"
    );
}

#[test]
fn since_reports_what_a_delete_breaks_in_other_files() {
    let dir = history();
    git(dir.path(), &["rm", "-q", "content/services/b.html.md"]);
    git(dir.path(), &["commit", "-q", "-m", "delete b"]);
    let (code, diags, _) = check(dir.path(), &["--since", "HEAD~1"]);
    assert_eq!(code, 2, "{diags:?}");
    let a = "content/services/a.html.md".to_string();
    assert_eq!(
        codes(&diags, "link-broken"),
        [
            (a.clone(), 11, "/article/b.html".into()),
            (a, 11, "/article/b.html#setup".into())
        ]
    );
}

#[test]
fn since_reports_what_a_rename_or_a_removed_heading_breaks() {
    let dir = history();
    let b = dir.path().join("content/services/b.html.md");
    let text = std::fs::read_to_string(&b).unwrap();
    std::fs::write(&b, text.replace("/article/b.html", "/article/b2.html")).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "new permalink for b"]);
    let (_, diags, _) = check(dir.path(), &["--since", "HEAD~1"]);
    assert_eq!(codes(&diags, "link-broken").len(), 2, "{diags:?}");
    git(dir.path(), &["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(&b, text.replace("###### Setup", "###### Install")).unwrap();
    // Uncommitted changes count too; the fragment into b breaks in a.
    let (code, diags, _) = check(dir.path(), &["--since", "HEAD"]);
    assert_eq!(code, 2);
    assert_eq!(
        codes(&diags, "link-fragment"),
        [(
            "content/services/a.html.md".to_string(),
            11,
            "/article/b.html#setup".to_string()
        )]
    );
    // An unrelated change reports nothing of a.
    git(dir.path(), &["checkout", "-q", "--", "."]);
    let c = dir.path().join("content/services/c.html.md");
    std::fs::write(
        &c,
        std::fs::read_to_string(&c)
            .unwrap()
            .replace("Text.", "New text."),
    )
    .unwrap();
    let (code, diags, _) = check(dir.path(), &["--since", "HEAD"]);
    assert_eq!((code, diags.len()), (0, 0), "{diags:?}");
}

#[test]
fn changed_paths_in_every_form_and_unmatched_ones() {
    let dir = history();
    let b = dir.path().join("content/services/b.html.md");
    std::fs::remove_file(&b).unwrap();
    // As printed (relative to the current folder), relative to the content folder, absolute.
    for given in [
        PathBuf::from("content/services/b.html.md"),
        PathBuf::from("services/b.html.md"),
        b.clone(),
    ] {
        let (code, diags, _) = check(dir.path(), &["--changed", given.to_str().unwrap()]);
        assert_eq!(
            (code, codes(&diags, "link-broken").len()),
            (2, 2),
            "{given:?}: {diags:?}"
        );
    }
    let out = run(
        dir.path(),
        &["check", "--changed", "content/services/nope.html.md"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--changed content/services/nope.html.md: no such file"),
        "{stderr}"
    );
}

#[test]
fn since_on_a_shallow_clone_says_to_fetch_more() {
    let dir = history();
    git(
        dir.path(),
        &["commit", "-q", "--allow-empty", "-m", "second"],
    );
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "g"]);
    let out = run(&clone.path().join("g"), &["check", "--since", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("shallow clone") && stderr.contains("fetch-depth: 0"),
        "{stderr}"
    );
}

#[test]
fn annotation_paths_are_relative_to_the_current_folder() {
    let files = owned([service("a", "[x](/article/missing.html)")]);
    let dir = guide(&refs(&files));
    let nested = dir.path().join("site");
    std::fs::create_dir(&nested).unwrap();
    std::fs::rename(dir.path().join("content"), nested.join("content")).unwrap();
    // From the parent folder (a repository root with the guide in `site/`).
    let out = run(
        dir.path(),
        &["check", "--format", "github", "--content", "site/content"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "::error file=site/content/services/a.html.md,line=11,col=1,title=link-broken::"
        ),
        "{text}"
    );
    let out = run(&nested, &["check", "--content", "content"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--> content/services/a.html.md:11:1"),
        "{text}"
    );
    let out = run(
        &nested.join("content"),
        &["check", "--format", "json", "--content", "."],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["path"], "services/a.html.md");
    assert_eq!(report["diagnostics"][0]["file"], "services/a.html.md");
}

#[test]
fn exit_codes() {
    let files = owned([service("a", "Text.")]);
    let dir = guide(&refs(&files));
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(0));
    std::fs::write(
        dir.path().join("content/services/a.html.md"),
        service("a", "[x](/article/missing.html)").1,
    )
    .unwrap();
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(2));
    assert_eq!(
        run(dir.path(), &["build", "--quiet"]).status.code(),
        Some(0),
        "a broken link does not stop a build"
    );
    // The tool cannot run: 1.
    let missing = run(dir.path(), &["check", "--content", "nowhere"]);
    assert_eq!(missing.status.code(), Some(1));
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join("empty/readme.txt"), "no articles").unwrap();
    let empty = run(dir.path(), &["check", "--content", "empty"]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("holds no article"));
    assert_eq!(
        run(dir.path(), &["build", "--content", "empty"])
            .status
            .code(),
        Some(1)
    );
    // A wrong command line: 64, never 2.
    for args in [
        &["check", "--no-such-flag"][..],
        &["check", "--format", "xml"],
        &["bogus"],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(64), "{args:?}");
    }
    assert_eq!(run(dir.path(), &["--help"]).status.code(), Some(0));
    assert_eq!(run(dir.path(), &["--version"]).status.code(), Some(0));
}

#[test]
fn author_messages_name_the_real_mistake() {
    let files = owned([
        service("labels", "Text."),
        (
            "content/services/yaml.html.md".to_string(),
            "---\ntitle: 'Y'\n\tstatus: publish\npermalink: /article/yaml.html\n---\nText.\n"
                .to_string(),
        ),
    ]);
    let labels = files[0]
        .1
        .replace(
            "- WinXP: Manual",
            "- Wn7: Not installed\n- Win10: Manual\n- WinXp Prof: Manual",
        )
        .replace("##### Depends:", "#### Depends:")
        .replace(
            "##### Supports:\n\n- None",
            "##### Supports:\n\n- [c](/article/labels.html)",
        );
    let dir = guide(&[(&files[0].0, &labels), (&files[1].0, &files[1].1)]);
    let (_, diags, report) = check(dir.path(), &[]);
    let all = report["diagnostics"].as_array().unwrap();
    let find = |code: &str, needle: &str| {
        all.iter()
            .find(|d| d["code"] == code && d["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("{code} {needle}: {diags:?}"))
    };
    let wn7 = find("os-label-unknown", "`Wn7`");
    assert!(wn7["help"]
        .as_str()
        .unwrap()
        .starts_with("did you mean `Win7`?"));
    find("os-label-unknown", "`Win10`");
    // One mistake, one diagnostic: the value after the label is a good state.
    assert!(codes(&diags, "state-unknown").is_empty(), "{diags:?}");
    let yaml = find("frontmatter-syntax", "tab");
    assert_eq!(
        (yaml["line"].as_u64(), yaml["col"].as_u64()),
        (Some(3), Some(1))
    );
    // `#### Depends:` ends the Supports list: its `None` is not a Supports item.
    let loose = find("section-missing", "`#### Depends:`");
    assert!(loose["help"].as_str().unwrap().contains("##### Depends:"));
    let out = run(dir.path(), &["build", "--quiet"]);
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("public/services.json")).unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    let svc = json["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["slug"] == "labels"))
        .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        svc["supports"]["items"].as_array().map(Vec::len),
        Some(1),
        "{svc}"
    );
    assert_eq!(svc["depends"]["kind"], "none", "{svc}");
}
