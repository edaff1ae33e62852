//! `svcguide check`: planted broken links come back exactly, every check code has
//! a fixture that triggers it and one that does not, and the output formats hold.

use crate::common;
use crate::common::write_tree as site;

use std::path::Path;

use serde_json::Value;

fn service(slug: &str, title: &str, sections: &str) -> (String, String) {
    (
        format!("{slug}.html.md"),
        format!("---\ntitle: '{title}'\nstatus: publish\npermalink: /article/{slug}.html\nid: {}\ncategory:\n    - 'Services Guide'\n---\n{sections}", slug.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % 1_000_000),
    )
}

const CLEAN: &str = "##### Description:\n\nText.\n\n##### Recommended State:\n\n- Manual\n\n##### Default State:\n\n- WinXP: Manual\n\n##### Process Name:\n\n- x.exe (X)\n\n##### Supports:\n\n- None\n\n##### Depends:\n\n- None";

fn diagnostics(report: &Value) -> Vec<(String, String, u64, u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["col"].as_u64().unwrap(),
                d["target"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Where the link right before the marker `(PLANTED-n)` starts: its `[` (or `!`).
fn planted_position(text: &str, marker: &str) -> (u64, u64, String) {
    let at = text.find(marker).unwrap_or_else(|| panic!("{marker}"));
    let before = &text[..at];
    let open = before.rfind("](").unwrap();
    let dest_end = open + 2 + before[open + 2..].find([')', ' ']).unwrap();
    let target = before[open + 2..dest_end].to_string();
    let mut depth = 0;
    let mut start = open;
    for (i, c) in before[..open].char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => {
                start = i;
                break;
            }
            '[' => depth -= 1,
            _ => {}
        }
    }
    if before[..start].ends_with('!') {
        start -= 1;
    }
    let line = before[..start].matches('\n').count() as u64 + 1;
    let col = before[..start].rsplit('\n').next().unwrap().chars().count() as u64 + 1;
    (line, col, target)
}

#[test]
fn planted_broken_links_come_back_exactly() {
    let dir = common::fixture("check-links");
    let (code, report) = common::check_json(&dir, &[]);
    assert_eq!(code, 2, "broken links are errors");
    let mut expected = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        for n in 1..=20 {
            // A Supports/Depends link to an article nobody wrote shows as a
            // plain name on the page: not a broken link, an article to write.
            for (kind, broken) in [("PLANTED", "link-broken"), ("UNWRITTEN", "ref-unwritten")] {
                let marker = format!("({kind}-{n})");
                if text.contains(&marker) {
                    let (line, col, target) = planted_position(&text, &marker);
                    let code = if target.contains('#') {
                        "link-fragment"
                    } else {
                        broken
                    };
                    expected.push((code.to_string(), file.clone(), line, col, target));
                }
            }
        }
    }
    expected.sort();
    let mut got: Vec<_> = diagnostics(&report)
        .into_iter()
        .filter(|d| d.0.starts_with("link-") || d.0 == "ref-unwritten")
        .collect();
    got.sort();
    assert_eq!(expected.len(), 11);
    assert_eq!(got, expected);
    // A guide that links services nobody wrote yet accepts those links
    // alone; broken links in the text stay errors.
    let config = tempfile::tempdir().unwrap();
    let config = config.path().join("svcguide.toml");
    std::fs::write(&config, "[checks]\nref-unwritten = \"warn\"\n").unwrap();
    let (code, report) = common::check_json(&dir, &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 2);
    let levels: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ref-unwritten" || d["code"] == "link-broken")
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert!(levels.contains(&("ref-unwritten", "warning")), "{levels:?}");
    assert!(
        levels.iter().all(|l| *l != ("ref-unwritten", "error")),
        "{levels:?}"
    );
    assert!(levels.contains(&("link-broken", "error")), "{levels:?}");
}

#[test]
fn a_clean_guide_has_no_diagnostics() {
    let (a_name, a) = service(
        "winnt-services-a",
        "A",
        &CLEAN.replace("- x.exe (X)", "- a.exe (A)"),
    );
    let dir = site(&[(&a_name, &a)]);
    let (code, report) = common::check_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["diagnostics"], Value::Array(vec![]), "{report}");
    assert_eq!(report["schema"], 1);
}

/// `check --format json` of a guide of these (file name, text) pairs: the exit
/// code and the report.
fn check_files(files: &[(String, String)]) -> (i32, Value) {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = site(&refs);
    common::check_json(dir.path(), &[])
}

/// Each case: content that triggers `code` on the line holding `needle` (the clean guide does not).
fn expect_code(files: &[(String, String)], code: &str, file: &str, needle: &str) {
    let text = &files.iter().find(|(name, _)| name == file).unwrap().1;
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {file}"));
    let line = text[..at].matches('\n').count() as u64 + 1;
    let (exit, report) = check_files(files);
    let found = diagnostics(&report);
    assert!(
        found
            .iter()
            .any(|d| d.0 == code && d.1 == file && d.2 == line),
        "expected {code} at {file}:{line}, got {found:?}"
    );
    // The level docs/check.md promises for the code, and the exit status it
    // implies: 2 when any error was found, else 0.
    let level = documented_level(code);
    let reported = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code && d["file"] == file && d["line"] == line)
        .unwrap();
    assert_eq!(
        reported["severity"], level,
        "{code}: level in docs/check.md"
    );
    let errors = report["counts"]["error"].as_u64().unwrap();
    let error_diags = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .count() as u64;
    assert_eq!(errors, error_diags, "counts.error: {report}");
    assert_eq!(
        exit,
        if errors > 0 { 2 } else { 0 },
        "{code}: exit status with {errors} errors"
    );
    if level == "error" {
        assert_eq!(exit, 2, "{code} is an error");
    }
}

/// The default level of a code in the table of docs/check.md: `error`,
/// `warning` or `info`.
fn documented_level(code: &str) -> &'static str {
    let docs = include_str!("../../docs/check.md");
    let row = docs
        .lines()
        .find(|l| l.starts_with(&format!("| `{code}` |")))
        .unwrap_or_else(|| panic!("{code} is not in docs/check.md"));
    let level = row.split('|').nth(2).unwrap().trim();
    ["error", "warning", "info"]
        .into_iter()
        .find(|l| level.starts_with(l))
        .unwrap_or_else(|| panic!("{code}: unknown level {level:?}"))
}

#[test]
fn structure_checks() {
    let missing = service(
        "winnt-services-m",
        "M",
        &CLEAN.replace("##### Supports:\n\n- None\n\n", ""),
    );
    // Reported where the section belongs: before the next one.
    expect_code(
        std::slice::from_ref(&missing),
        "section-missing",
        &missing.0,
        "##### Depends:",
    );
    // The last section is missed at the end of the text, not on a line past
    // the file's end.
    let last = service(
        "winnt-services-l",
        "L",
        &format!("{}\n", CLEAN.replace("\n\n##### Depends:\n\n- None", "")),
    );
    expect_code(
        std::slice::from_ref(&last),
        "section-missing",
        &last.0,
        "- None\n",
    );
    // A Description heading of another level is read as the section.
    let level = service(
        "winnt-services-h",
        "H",
        &CLEAN.replacen("##### Description:", "#### Description:", 1),
    );
    expect_code(
        std::slice::from_ref(&level),
        "section-missing",
        &level.0,
        "#### Description:",
    );
    let (_, report) = check_files(std::slice::from_ref(&level));
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        !messages.iter().any(|m| m.starts_with("missing section")),
        "{messages:?}"
    );
    let dup = service(
        "winnt-services-d",
        "D",
        &format!("{CLEAN}\n\n##### Depends on:\n\n- None"),
    );
    expect_code(
        std::slice::from_ref(&dup),
        "section-duplicate",
        &dup.0,
        "##### Depends on:",
    );
    let unknown = service(
        "winnt-services-u",
        "U",
        &CLEAN.replace("##### Supports:", "##### Suports:"),
    );
    expect_code(
        std::slice::from_ref(&unknown),
        "section-unknown",
        &unknown.0,
        "##### Suports:",
    );
    let order = service(
        "winnt-services-o",
        "O",
        &CLEAN
            .replace("##### Description:\n\nText.\n\n", "")
            .replace(
                "- None\n\n##### Depends:",
                "- None\n\n##### Description:\n\nText.\n\n##### Depends:",
            ),
    );
    expect_code(
        std::slice::from_ref(&order),
        "section-order",
        &order.0,
        "##### Description:",
    );
    let empty = service(
        "winnt-services-e",
        "E",
        &CLEAN.replace("- WinXP: Manual", ""),
    );
    expect_code(
        std::slice::from_ref(&empty),
        "section-empty",
        &empty.0,
        "##### Default State:",
    );
}

#[test]
fn value_checks() {
    let state = service(
        "winnt-services-s",
        "S",
        &CLEAN.replace("- WinXP: Manual", "- WinXP: Manaul"),
    );
    expect_code(
        std::slice::from_ref(&state),
        "state-unknown",
        &state.0,
        "- WinXP: Manaul",
    );
    let label = service(
        "winnt-services-l",
        "L",
        &CLEAN.replace("- WinXP: Manual", "- WinXq: Manual"),
    );
    expect_code(
        std::slice::from_ref(&label),
        "os-label-unknown",
        &label.0,
        "- WinXq",
    );
    // A misspelt edition, and a service pack the version never had.
    for slip in ["- Win7 Ultmate: Manual", "- WinXP SP4: Manual"] {
        let label = service(
            "winnt-services-l",
            "L",
            &CLEAN.replace("- WinXP: Manual", slip),
        );
        expect_code(
            std::slice::from_ref(&label),
            "os-label-unknown",
            &label.0,
            slip,
        );
    }
    let process = service(
        "winnt-services-p",
        "P",
        &CLEAN.replace("- x.exe (X)", "- x.exe"),
    );
    expect_code(
        std::slice::from_ref(&process),
        "process-no-name",
        &process.0,
        "- x.exe",
    );
}

/// An author's own "TODO:" is not guidance from `svcguide new`: no
/// scaffold-todo, and a broken link on its line is still reported.
#[test]
fn an_authors_todo_is_not_a_placeholder() {
    let files = [service(
        "winnt-services-t",
        "T",
        &CLEAN.replace(
            "Text.",
            "Text.\n\nTODO: read [this](/article/winnt-tip-nothere.html) again.",
        ),
    )];
    let (exit, report) = check_files(&files);
    let found = diagnostics(&report);
    let codes: Vec<&str> = found.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(codes, ["link-broken"], "{found:?}");
    assert_eq!(exit, 2);
}

#[test]
fn front_matter_checks() {
    let files = [
        (
            "a.md".to_string(),
            "---\ntitle: A\npermalink: /article/a.html\nid: 1\n---\nx".to_string(),
        ),
        (
            "b.md".to_string(),
            "---\ntitle: B\npermalink: /article/a.html\nid: 2\n---\nx".to_string(),
        ),
        (
            "c.md".to_string(),
            "---\ntitle: C\npermalink: /article/c.html\nid: 1\n---\nx".to_string(),
        ),
        (
            "e.md".to_string(),
            "---\ntitle: E\npermalink: /article/e.html\nstatus: maybe\n---\nx".to_string(),
        ),
        ("d.md".to_string(), "---\ntitle: D\n---\nx".to_string()),
    ];
    expect_code(&files, "permalink-duplicate", "b.md", "permalink:");
    expect_code(&files, "id-duplicate", "c.md", "id: 1");
    expect_code(&files, "status-unknown", "e.md", "status:");
    expect_code(&files, "frontmatter-key-missing", "d.md", "---");
}

/// A loop through a link the article marks Unofficial is no deadlock at start:
/// no `graph-cycle` (the help of that warning offers the mark as a way out).
#[test]
fn a_loop_through_an_unofficial_link_is_no_cycle() {
    let dep = |slug: &str, q: &str| format!("- [{slug}](/article/{slug}.html){q}");
    let pair = |qualifier: &str| {
        [
            service(
                "winnt-services-ua",
                "UA",
                &CLEAN.replace(
                    "##### Depends:\n\n- None",
                    &format!("##### Depends:\n\n{}", dep("winnt-services-ub", "")),
                ),
            ),
            service(
                "winnt-services-ub",
                "UB",
                &CLEAN.replace(
                    "##### Depends:\n\n- None",
                    &format!("##### Depends:\n\n{}", dep("winnt-services-ua", qualifier)),
                ),
            ),
        ]
    };
    let cycles = |files: &[(String, String)]| {
        diagnostics(&check_files(files).1)
            .into_iter()
            .filter(|d| d.0 == "graph-cycle")
            .count()
    };
    assert_eq!(cycles(&pair(" (Vista+)")), 1);
    assert_eq!(cycles(&pair(" (WinXP only, Unofficial)")), 0);
}

/// A link to an article's source file is answered with the article's page, and
/// a version name one letter off is not read as an edition.
#[test]
fn slips_get_the_help_they_need() {
    let target = service("winnt-services-ev", "Event Log", CLEAN);
    let linking = service(
        "winnt-services-lk",
        "Linking",
        &CLEAN
            .replace("Text.", "See [Event Log](winnt-services-ev.html.md).")
            .replace("- WinXP: Manual", "- Win7/XP/Vitsa: Manual"),
    );
    let (_, report) = check_files(&[target, linking.clone()]);
    // The guide has one other article, the target, which has no problems.
    let of = |code: &str| {
        let d = common::diagnostic(&report, code).clone();
        assert_eq!(d["file"], linking.0.as_str(), "{d}");
        d
    };
    assert_eq!(
        of("link-broken")["help"],
        "did you mean `/article/winnt-services-ev.html`?"
    );
    let label = of("os-label-unknown");
    assert!(
        label["message"].as_str().unwrap().starts_with("`Vitsa`"),
        "{label}"
    );
    assert!(
        label["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `Vista`?"),
        "{label}"
    );
}

/// "Did you mean" follows the link's text: a page of that title is the
/// answer, and a file name one letter from a different service's is not.
#[test]
fn suggestions_follow_what_the_link_names() {
    let security = service("winnt-services-wsc", "Security Center", CLEAN);
    let tasks = service("winnt-services-tsk", "Task Scheduler", CLEAN);
    let linking = service(
        "winnt-services-lk",
        "Linking",
        &CLEAN.replace(
            "Text.",
            "See [Event Collector](winnt-services-wec.html), \
             [Task Scheduler](winnt-services-schedule.html), \
             <a class=\"x\" href=\"winnt-services-wsd.html\">the Security Center</a> \
             [svchost.exe -k tasks](winnt-services-tks.html), \
             [Task Scheduler](winnt-services-tsk.htm) \
             and [here](winnt-services-wsx.html).",
        ),
    );
    let (_, report) = check_files(&[security, tasks, linking]);
    let help = |target: &str| {
        let found: Vec<&Value> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "link-broken" && d["target"] == target)
            .collect();
        assert_eq!(found.len(), 1, "{target}: {report}");
        found[0]["help"].as_str().unwrap().to_string()
    };
    // Security Center is one letter away by file name, but it is not what the text names.
    assert_eq!(
        help("winnt-services-wec.html"),
        "write the article, or link to an existing permalink"
    );
    assert_eq!(
        help("winnt-services-schedule.html"),
        "did you mean `/article/winnt-services-tsk.html`?"
    );
    assert_eq!(
        help("winnt-services-wsd.html"),
        "did you mean `/article/winnt-services-wsc.html`?"
    );
    // Text not written as a name, or no name: the nearest file name stands.
    assert_eq!(
        help("winnt-services-tks.html"),
        "did you mean `/article/winnt-services-tsk.html`?"
    );
    assert_eq!(
        help("winnt-services-tsk.htm"),
        "did you mean `/article/winnt-services-tsk.html`?"
    );
    // "here" names nothing: the nearest file name stands.
    assert_eq!(
        help("winnt-services-wsx.html"),
        "did you mean `/article/winnt-services-wsc.html`?"
    );
}

/// A link to an article that exists but has no page says why: a draft is
/// to publish, an unreadable file to mend, not an article to write.
#[test]
fn a_link_to_a_draft_or_an_unreadable_article_says_why_it_has_no_page() {
    let (name, text) = service("winnt-services-drf", "Draft", CLEAN);
    let draft = (name, text.replace("status: publish", "status: draft"));
    // Its permalink line is read as text, though the file is not its page's name.
    let (_, text) = service("winnt-services-bad", "Bad", CLEAN);
    let bad = (
        "old-name.html.md".to_string(),
        text.replace("title: 'Bad'", "title: 'Bad\ntags: [x"),
    );
    let linking = service(
        "winnt-services-lk",
        "Linking",
        &CLEAN.replace(
            "Text.",
            "See [Draft](winnt-services-drf.html) and [Bad](/article/winnt-services-bad.html).",
        ),
    );
    let (_, report) = check_files(&[draft, bad, linking]);
    let helps: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "link-broken")
        .map(|d| {
            (
                d["target"].as_str().unwrap().to_string(),
                d["help"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        helps,
        [
            (
                "winnt-services-drf.html".to_string(),
                "winnt-services-drf.html.md has this permalink but is not published (status `draft`): set `status: publish`, or preview with `--drafts`".to_string()
            ),
            (
                "/article/winnt-services-bad.html".to_string(),
                "old-name.html.md has this permalink but could not be read: mend the error reported in it".to_string()
            ),
        ],
        "{report}"
    );
}

/// A misspelt heading of a section the article lacks is read as that section:
/// one warning, where the list used to turn into description text (and its
/// version words into evidence against the article's own labels).
#[test]
fn a_misspelt_section_heading_keeps_its_list() {
    let (name, text) = service(
        "winnt-services-ms",
        "MS",
        &CLEAN.replace(
            "##### Supports:\n\n- None",
            "##### Suports:\n\n- [Alerter](/article/winnt-services-alerter.html) (WinNT4 only)",
        ),
    );
    let (_, report) = check_files(&[(name.clone(), text.clone())]);
    let found = diagnostics(&report);
    let codes: Vec<&str> = found.iter().map(|d| d.0.as_str()).collect();
    assert!(codes.contains(&"section-unknown"), "{found:?}");
    assert!(!codes.contains(&"section-missing"), "{found:?}");
    assert!(!codes.contains(&"availability-contradiction"), "{found:?}");
    // services.json has the item as a Supports link.
    let dir = site(&[(name.as_str(), text.as_str())]);
    let built = common::build_dir(dir.path(), &[]);
    let supports = &common::services_by_slug(&built.out)["winnt-services-ms"]["supports"];
    assert_eq!(supports["items"][0]["name"], "Alerter", "{supports}");
    let unknown = common::diagnostic(&report, "section-unknown");
    assert_eq!(
        unknown["help"],
        "did you mean `##### Supports:`? It is read as that section meanwhile"
    );
}

/// Dates that do not read as dates, and HTML comments never closed, are
/// reported where they are written.
#[test]
fn bad_dates_and_unclosed_comments_are_reported() {
    let (name, text) = service(
        "winnt-services-da",
        "DA",
        &CLEAN.replace("Text.", "Text.\n\n<!-- to check again"),
    );
    let text = text.replace(
        "status: publish",
        "status: publish\ndate: '2003-13-45 25:00'",
    );
    let files = [(name.clone(), text)];
    expect_code(&files, "date-invalid", &name, "date:");
    expect_code(&files, "html-comment-unclosed", &name, "<!-- to check");
}

/// Raw HTML that opens a table or a link and never closes it is reported at
/// the tag, and the page closes it where the text ends: the sections after
/// the description stay outside the table, the next list item outside the link.
#[test]
fn unclosed_elements_are_reported_and_closed_where_their_text_ends() {
    let (name, text) = service(
        "winnt-services-uc",
        "UC",
        &CLEAN
            .replace(
                "Text.",
                "Text.\n\n<table><tr><td>left open\n\n<div class=\"note\">closed</div>",
            )
            .replace(
                "- WinXP: Manual",
                "- WinXP: Manual, <a href=\"/article/winnt-services-uc.html\">see itself\n- Win7: Manual",
            ),
    );
    let files = [(name.clone(), text.clone())];
    expect_code(&files, "html-unclosed", &name, "<table>");
    expect_code(&files, "html-unclosed", &name, "<a href");
    let (_, report) = check_files(&files);
    let unclosed: Vec<_> = diagnostics(&report)
        .into_iter()
        .filter(|d| d.0 == "html-unclosed")
        .collect();
    // Two, the `<div>` closed: the column is the tag's `<`.
    assert_eq!(unclosed.len(), 2, "{unclosed:?}");
    let line_of = |at: usize| text[..at].matches('\n').count() as u64 + 1;
    let col_of = |at: usize| (at - text[..at].rfind('\n').map_or(0, |n| n + 1)) as u64 + 1;
    let table = text.find("<table>").unwrap();
    assert!(
        unclosed
            .iter()
            .any(|d| d.2 == line_of(table) && d.3 == col_of(table)),
        "{unclosed:?}"
    );
    let link = text.find("<a href").unwrap();
    assert!(
        unclosed
            .iter()
            .any(|d| d.2 == line_of(link) && d.3 == col_of(link)),
        "{unclosed:?}"
    );

    let dir = site(&[(name.as_str(), text.as_str())]);
    let built = common::build_dir(dir.path(), &[]);
    let page = std::fs::read_to_string(built.out.join("article/winnt-services-uc.html")).unwrap();
    let closed = page.find("left open").unwrap()
        + page[page.find("left open").unwrap()..]
            .find("</table>")
            .unwrap();
    assert!(
        closed < page.find("<section class=\"relations\"").unwrap(),
        "{page}"
    );
    // "As written" shows the item: the link ends with it.
    let item = page.find(">see itself").unwrap();
    assert!(
        page[item..].find("</a>").unwrap() < page[item..].find("</li>").unwrap(),
        "{page}"
    );
}

#[test]
fn graph_checks() {
    let dep = |slug: &str| format!("- [{slug}](/article/{slug}.html)");
    let a = service(
        "winnt-services-ga",
        "GA",
        &CLEAN
            .replace(
                "##### Depends:\n\n- None",
                &format!("##### Depends:\n\n{}", dep("winnt-services-gb")),
            )
            .replace("- Manual\n", "- Automatic\n"),
    );
    let b = service(
        "winnt-services-gb",
        "GB",
        &CLEAN
            .replace(
                "##### Depends:\n\n- None",
                &format!(
                    "##### Depends:\n\n{}\n- NetBIOSGroup",
                    dep("winnt-services-ga")
                ),
            )
            .replace("- Manual\n", "- Disabled\n"),
    );
    let files = [a.clone(), b.clone()];
    expect_code(
        &files,
        "graph-depends-unmirrored",
        &a.0,
        "- [winnt-services-gb]",
    );
    expect_code(&files, "graph-cycle", &a.0, "- [winnt-services-gb]");
    expect_code(
        &files,
        "graph-disabled-dependency",
        &a.0,
        "- [winnt-services-gb]",
    );
    expect_code(&files, "ref-unlinked", &b.0, "- NetBIOSGroup");
    let c = service(
        "winnt-services-gc",
        "GC",
        &CLEAN.replace(
            "##### Supports:\n\n- None",
            &format!("##### Supports:\n\n{}", dep("winnt-services-ga")),
        ),
    );
    expect_code(
        &[a.clone(), b.clone(), c.clone()],
        "graph-supports-unmirrored",
        &c.0,
        "- [winnt-services-ga]",
    );
    // Each of GA's warnings involves GB: `--changed GB` keeps them.
    let dir = site(&[(&a.0, &a.1), (&b.0, &b.1)]);
    let changed = dir.path().join(&b.0);
    let (_, report) = common::check_json(dir.path(), &["--changed", changed.to_str().unwrap()]);
    let mut in_a: Vec<String> = diagnostics(&report)
        .into_iter()
        .filter(|d| d.1 == a.0)
        .map(|d| d.0)
        .collect();
    in_a.sort();
    assert_eq!(
        in_a,
        [
            "graph-cycle",
            "graph-depends-unmirrored",
            "graph-disabled-dependency"
        ],
        "{report}"
    );
    // An item that links two services: both are dependencies (GB lists GA
    // in its Depends, so GA's Supports must list GB: no mirror warning on
    // the second link means it was read).
    let two = service(
        "winnt-services-gt",
        "GT",
        &CLEAN.replace(
            "##### Depends:\n\n- None",
            &format!(
                "##### Depends:\n\n{}, {}",
                dep("winnt-services-ga"),
                &dep("winnt-services-gb")[2..]
            ),
        ),
    );
    expect_code(
        &[a.clone(), b.clone(), two.clone()],
        "ref-several",
        &two.0,
        "- [winnt-services-ga]",
    );
    let (_, report) = check_files(&[a.clone(), b.clone(), two.clone()]);
    let second = two.1.find("[winnt-services-gb]").unwrap();
    let second_col = (second - two.1[..second].rfind('\n').unwrap()) as u64;
    let unmirrored: Vec<u64> = diagnostics(&report)
        .into_iter()
        .filter(|d| d.0 == "graph-depends-unmirrored" && d.1 == two.0)
        .map(|d| d.3)
        .collect();
    assert_eq!(unmirrored, [3, second_col], "{report}");
    // A service named without its link, by its exact title: the link is offered.
    let named = service(
        "winnt-services-gn",
        "GN",
        &CLEAN.replace("##### Depends:\n\n- None", "##### Depends:\n\n- ga"),
    );
    let (_, report) = check_files(&[a.clone(), named.clone()]);
    let help: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ref-unlinked")
        .filter_map(|d| d["help"].as_str())
        .collect();
    assert_eq!(
        help,
        ["did you mean `[GA](/article/winnt-services-ga.html)`?"],
        "{report}"
    );
    // A service that depends on itself is a loop of one.
    let own = service(
        "winnt-services-go",
        "GO",
        &CLEAN.replace(
            "##### Depends:\n\n- None",
            &format!("##### Depends:\n\n{}", dep("winnt-services-go")),
        ),
    );
    expect_code(
        std::slice::from_ref(&own),
        "graph-cycle",
        &own.0,
        "- [winnt-services-go]",
    );
}

/// A new article that takes the permalink of one published years before does
/// not take its page: the newcomer is reported, and `--changed` names either
/// file to find the clash.
#[test]
fn the_article_published_first_keeps_its_permalink() {
    let article = |title: &str, date: &str, id: u32| {
        format!("---\ntitle: '{title}'\nstatus: publish\ndate: '{date}'\npermalink: /article/winnt-services-old.html\nid: {id}\n---\nText.\n")
    };
    let old = (
        "services/winnt-services-old.html.md",
        article("Old", "2005-03-01 10:00:00", 120),
    );
    // Sorts first by path, was written last.
    let new = (
        "services/aaa-new.html.md",
        article("New", "2012-06-01 10:00:00", 9300),
    );
    let dir = site(&[(old.0, &old.1), (new.0, &new.1)]);
    let (code, report) = common::check_json(dir.path(), &[]);
    assert_eq!(code, 2);
    let clash = common::diagnostic(&report, "permalink-duplicate");
    assert_eq!(clash["file"], new.0, "{clash}");
    assert_eq!(clash["related"], old.0, "{clash}");
    for changed in [new.0, old.0] {
        let path = dir.path().join(changed);
        let (code, report) = common::check_json(dir.path(), &["--changed", path.to_str().unwrap()]);
        assert_eq!(code, 2, "--changed {changed}: {report}");
        common::diagnostic(&report, "permalink-duplicate");
    }
    let built = common::build_dir(dir.path(), &[]);
    let page = std::fs::read_to_string(built.out.join("article/winnt-services-old.html")).unwrap();
    assert!(page.contains("<h1>Old</h1>"), "{page}");
}

/// Outside git, a changed article's earlier permalink is unknown: the page
/// its file name gives stands for it, so links to it are kept.
#[test]
fn changed_outside_git_keeps_links_to_the_page_its_file_name_gives() {
    let (b_name, b) = service("winnt-services-b", "B", CLEAN);
    let b = b.replace(
        "permalink: /article/winnt-services-b.html",
        "permalink: /article/winnt-services-b2.html",
    );
    let (a_name, a) = service(
        "winnt-services-a",
        "A",
        &CLEAN.replace("Text.", "See [B](/article/winnt-services-b.html)."),
    );
    let dir = site(&[(&a_name, &a), (&b_name, &b)]);
    let changed = dir.path().join(&b_name);
    let (code, report) = common::check_json(dir.path(), &["--changed", changed.to_str().unwrap()]);
    let found: Vec<(String, String)> = diagnostics(&report)
        .into_iter()
        .map(|d| (d.0, d.1))
        .collect();
    assert_eq!(code, 2, "{report}");
    assert_eq!(found, [("link-broken".to_string(), a_name)], "{report}");
}

#[test]
fn levels_are_configurable_and_changed_filters() {
    let (a_name, a) = service(
        "winnt-services-a",
        "A",
        &CLEAN.replace("Text.", "See [Gone](/article/gone.html)."),
    );
    let (b_name, b) = service(
        "winnt-services-b",
        "B",
        &CLEAN.replace("Text.", "See [Gone too](/article/gone-too.html)."),
    );
    let dir = site(&[(&a_name, &a), (&b_name, &b)]);
    let (code, report) = common::check_json(dir.path(), &[]);
    assert_eq!((code, report["counts"]["error"].as_u64()), (2, Some(2)));
    let changed = dir.path().join(&a_name);
    let (_, report) = common::check_json(dir.path(), &["--changed", changed.to_str().unwrap()]);
    let files: Vec<_> = diagnostics(&report).into_iter().map(|d| d.1).collect();
    assert_eq!(files, std::slice::from_ref(&a_name));
    let config = dir.path().join("svcguide.toml");
    std::fs::write(&config, "[checks]\nlink-broken = \"warn\"\n").unwrap();
    let (code, report) = common::check_json(dir.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!((code, report["counts"]["warning"].as_u64()), (0, Some(2)));
    std::fs::write(&config, "[checks]\nlink-broken = \"off\"\n").unwrap();
    let (code, report) = common::check_json(dir.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(
        (code, report["diagnostics"].as_array().unwrap().len()),
        (0, 0)
    );
}

#[test]
fn github_and_human_formats() {
    let dir = common::fixture("check-links");
    let out = common::bin()
        .args(["check", "--format", "github", "--content"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(
            // Relative to the current folder (the crate root here), as CI needs.
            |l| l.starts_with(
                "::error file=tests/fixtures/check-links/winnt-services-alpha.html.md,line="
            ) && l.contains("title=link-broken::")
        ),
        "{text}"
    );
    let out = common::bin()
        .args(["check", "--content"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("winnt-services-alpha.html.md\n"),
        "grouped by file: {text}"
    );
    assert!(text.contains("= help: "), "{text}");
    assert!(text.contains("     | "), "code frame: {text}");
    assert!(text.trim_end().ends_with("info"), "summary line: {text}");
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn tool_failures_exit_1() {
    let out = common::bin()
        .args(["check", "--content", "/definitely/not/here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let _ = Path::new("");
}

/// `svcguide check | head`: the reader goes away early; the check still ends
/// with its own exit code, and says nothing about the pipe.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    // A report much bigger than a pipe's buffer (64 KB), so writing it meets the closed pipe.
    let links: String = (0..600)
        .map(|n| format!("See [gone {n}](/article/gone-{n}.html).\n\n"))
        .collect();
    let (name, text) = service("alpha", "Alpha", &CLEAN.replace("Text.", &links));
    let dir = site(&[(&name, &text)]);
    let mut child = common::bin()
        .args(["check", "--format", "json", "--content"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "the broken links still fail the check"
    );
}
