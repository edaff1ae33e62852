//! Windows availability: where a service exists, where that comes from, and
//! that every page that counts services per version counts the same.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

const VERSIONS: [&str; 7] = ["nt4", "2000", "xp", "2003", "vista", "7", "8"];

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn json(out: &Path) -> Value {
    common::services_json(out)
}

/// `(os, source)` of each service's availability in services.json.
fn availability(out: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    json(out)["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let versions = s["availability"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["os"].as_str().unwrap().to_string(),
                        v["source"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (s["slug"].as_str().unwrap().to_string(), versions)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn each_evidence_source_with_its_provenance() {
    let built = common::build_fixture("availability");
    let got = availability(&built.out);
    let want: BTreeMap<String, Vec<(String, String)>> = [
        // `windows: [xp, 2003]` outweighs the date and the unlabeled item.
        ("stated-svc", pairs(&[("xp", "stated"), ("2003", "stated")])),
        // Labels (editions and service packs of XP, Vista); NT4 from its own
        // Depends qualifier `(WinNT4 only)`.
        (
            "edition-svc",
            pairs(&[
                ("nt4", "related"),
                ("xp", "labelled"),
                ("vista", "labelled"),
            ]),
        ),
        // "introduced with Windows 7" rules out the Vista of its date.
        (
            "described-svc",
            pairs(&[("7", "described"), ("8", "described")]),
        ),
        // NT4: another article's relation to it; 2003 described; 2000-XP
        // inferred from its 2000 date up to the newest version named.
        (
            "related-target",
            pairs(&[
                ("nt4", "related"),
                ("2000", "inferred"),
                ("xp", "inferred"),
                ("2003", "described"),
            ]),
        ),
        // Written in 2007, names nothing: Vista and later, all inferred.
        (
            "inferred-svc",
            pairs(&[("vista", "inferred"), ("7", "inferred"), ("8", "inferred")]),
        ),
        // `WinXP: Not available` outweighs the Process label naming XP.
        ("contradiction-svc", pairs(&[("2003", "labelled")])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(got, want);

    // by_os lists exactly the available versions, each row with its source.
    let j = json(&built.out);
    for (slug, versions) in &want {
        for os in VERSIONS {
            let row = j["by_os"][os]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["slug"] == slug.as_str());
            let expected = versions.iter().find(|(o, _)| o == os);
            assert_eq!(
                row.map(|r| r["source"].as_str().unwrap().to_string()),
                expected.map(|(_, s)| s.clone()),
                "{slug} on {os}"
            );
        }
    }
    // The row of a version speaks for it as it stands: XP SP2+ (Disabled)
    // over XP Pro (Automatic); the Home edition's `Not available` does not.
    let xp_row = j["by_os"]["xp"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == "edition-svc")
        .unwrap()
        .clone();
    assert_eq!(xp_row["default"], "disabled");
    assert_eq!(xp_row["recommended"], "disabled");
}

#[test]
fn service_pages_list_every_variant_and_mark_inferences() {
    let built = common::build_fixture("availability");
    let page = read(&built.out, "article/edition-svc.html");
    let table = &page[page.find("<table class=\"by-os\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    for variant in [
        "<span class=\"os\">Pro:</span> <span class=\"state state-automatic\">Automatic</span>",
        "<span class=\"os\">Home:</span> <span class=\"state state-not_available\">Not available</span>",
        "<span class=\"os\">SP2+:</span> <span class=\"state state-disabled\">Disabled</span>",
        "<span class=\"state state-manual\">Manual (Trigger Start)</span>",
    ] {
        assert!(table.contains(variant), "{variant} in {table}");
    }
    // One row per available version: NT4 (no Default item holds: not stated), XP, Vista.
    assert_eq!(table.matches("<tr class=\"src-").count(), 3, "{table}");
    assert!(table.contains("Not stated"));
    assert!(!page.contains("badge inferred"), "nothing inferred here");

    let page = read(&built.out, "article/inferred-svc.html");
    assert_eq!(
        page.matches("<span class=\"badge inferred\"").count(),
        4,
        "three rows and the note"
    );
    assert!(page.contains("it was written on 1 July 2007, when Windows Vista was current"));
    // Summaries are plain text: the link in the recommended state is its text.
    let home = read(&built.out, "index.html");
    assert!(
        home.contains("Manual (Not to be confused with Edition Service)"),
        "{home}"
    );
    assert!(!home.contains("](/article/"));
}

#[test]
fn authors_hear_about_inference_contradictions_and_bad_values() {
    let (code, report) = common::check_json(&common::fixture("availability"), &[]);
    assert_eq!(code, 0, "{report:#}");
    let diags: Vec<(String, String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].as_str().unwrap().contains("availability"))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        diags,
        [
            (
                "availability-contradiction".into(),
                "contradiction-svc.html.md".into(),
                21
            ),
            (
                "availability-inferred".into(),
                "inferred-svc.html.md".into(),
                21
            ),
        ]
    );
    let inferred = common::diagnostic(&report, "availability-inferred");
    assert_eq!(
        inferred["help"],
        "if that is right, state it: `windows: vista+`"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.html.md"),
        "---\ntitle: 'Bad'\ndate: '2004-01-01'\npermalink: /article/bad.html\ncategory:\n    - 'Services Guide'\nwindows: [xp, Windows 95]\n---\n##### Default State:\n\n- Manual",
    )
    .unwrap();
    let (_, report) = common::check_json(dir.path(), &[]);
    let bad = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "windows-value")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(bad["line"], 7);
    assert!(bad["message"].as_str().unwrap().contains("`Windows 95`"));

    // `windows:` inside the `service:` form states them too.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("form.html.md"),
        "---\ntitle: 'Form'\ndate: '2001-01-01'\npermalink: /article/form.html\nservice:\n  name: FormSvc\n  windows: Vista-7\n  default: Manual\n---\nA service described in its front matter.",
    )
    .unwrap();
    let (code, report) = common::check_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report:#}");
    let built = common::build_dir(dir.path(), &[]);
    assert_eq!(
        availability(&built.out)["form"],
        pairs(&[("vista", "stated"), ("7", "stated")])
    );
}

/// Counts per version from every place that shows them.
fn assert_counts_agree(out: &Path) {
    let j = json(out);
    let index = read(out, "os/index.html");
    for os in VERSIONS {
        let by_os: Vec<&Value> = j["by_os"][os].as_array().into_iter().flatten().collect();
        let page = read(out, &format!("os/{os}.html"));
        let rows = page.matches("<tr data-states=\"").count();
        let csv_rows = read(out, &format!("os/{os}.csv"))
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .count();
        // os/index.html: `<a href="xp.html">…</a></th>` then the total and one cell per state.
        let at = index
            .find(&format!("<a href=\"{os}.html\">"))
            .unwrap_or_else(|| panic!("{os} in os/index.html"));
        let cells: Vec<usize> = index[at..]
            .split("<td>")
            .skip(1)
            .take(7)
            .map(|c| c[..c.find("</td>").unwrap()].trim().parse().unwrap())
            .collect();
        assert_eq!(
            (cells[0], rows, csv_rows),
            (by_os.len(), by_os.len(), by_os.len()),
            "{os}: index total, page rows, CSV rows against by_os"
        );
        let columns = [
            "automatic",
            "manual",
            "disabled",
            "not_installed",
            "not_available",
            "not_stated",
        ];
        assert_eq!(
            cells[1..].iter().sum::<usize>(),
            by_os.len(),
            "{os}: columns add up"
        );
        for (k, state) in columns.iter().enumerate() {
            let in_json = by_os
                .iter()
                .filter(|r| r["default"].as_str().unwrap_or("not_stated") == *state)
                .count();
            // A row's own state comes first in `data-states`; its variants' follow.
            let states_of_rows: Vec<&str> = page
                .split("<tr data-states=\"")
                .skip(1)
                .map(|r| &r[..r.find('"').unwrap()])
                .collect();
            let in_rows = states_of_rows
                .iter()
                .filter(|s| s.split(' ').next() == Some(*state))
                .count();
            let filtered = states_of_rows
                .iter()
                .filter(|s| s.split(' ').any(|s| s == *state))
                .count();
            // The filter option (shown when the count is not zero): `Manual (3)`,
            // the rows the filter shows (by any variant's state).
            let option = page.find(&format!("<option value=\"{state}\">")).map(|i| {
                let text = &page[i..i + page[i..].find("</option>").unwrap()];
                let n = &text[text.rfind('(').unwrap() + 1..text.rfind(')').unwrap()];
                n.parse::<usize>().unwrap()
            });
            assert_eq!(
                (cells[k + 1], in_rows),
                (in_json, in_json),
                "{os} {state}: index cell, page rows against by_os"
            );
            assert_eq!(
                option.unwrap_or(0),
                filtered,
                "{os} {state}: filter option against the rows it finds"
            );
        }
    }
}

#[test]
fn per_version_counts_agree_everywhere() {
    assert_counts_agree(&common::build_fixture("availability").out);
    assert_counts_agree(&common::build_fixture("views/content").out);
    let bundled = common::build_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &[]);
    assert_counts_agree(&bundled.out);
}

/// The original site's per-version tables for the services of
/// `../shared/corpus-sample`, against what svcguide derives from the articles.
#[test]
#[ignore = "needs ../shared (or $SVCGUIDE_CORPUS_SAMPLE), outside the repository: run with --include-ignored (.ci/run does)"]
fn the_sample_matches_the_original_per_version_tables() {
    let corpus = common::corpus_sample();
    let tsv = corpus.join("../expected/windows-versions.tsv");
    let expected_text = std::fs::read_to_string(&tsv).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the original tables beside the corpus sample; set SVCGUIDE_CORPUS_SAMPLE)",
            tsv.display()
        )
    });
    // slug -> version -> state, for the versions the tables have (NT4 to 7).
    let columns = ["nt4", "2000", "xp", "2003", "vista", "7"];
    let mut expected: BTreeMap<String, BTreeMap<&str, String>> = BTreeMap::new();
    for line in expected_text.lines() {
        if line.starts_with('#') || line.starts_with("slug\t") || line.is_empty() {
            continue;
        }
        let mut cells = line.split('\t');
        let slug = cells.next().unwrap().to_string();
        let states = columns
            .iter()
            .zip(cells)
            .filter(|(_, c)| !c.is_empty())
            .map(|(os, c)| (*os, c.to_string()))
            .collect();
        expected.insert(slug, states);
    }
    assert!(expected.len() >= 25, "{} services", expected.len());

    let built = common::build_dir(&corpus, &[]);
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    let j = json(&built.out);
    let mut listed: BTreeSet<(String, &str)> = BTreeSet::new();
    let mut state: BTreeMap<(String, &str), String> = BTreeMap::new();
    for os in columns {
        for row in j["by_os"][os].as_array().into_iter().flatten() {
            let slug = row["slug"].as_str().unwrap().to_string();
            if expected.contains_key(&slug) {
                state.insert(
                    (slug.clone(), os),
                    row["default"].as_str().unwrap_or("").to_string(),
                );
                listed.insert((slug, os));
            }
        }
    }
    let truth: BTreeSet<(String, &str)> = expected
        .iter()
        .flat_map(|(slug, m)| m.keys().map(move |os| (slug.clone(), *os)))
        .collect();
    let hits = listed.intersection(&truth).count();
    let precision = hits as f64 / listed.len() as f64;
    let recall = hits as f64 / truth.len() as f64;
    let agree = listed
        .intersection(&truth)
        .filter(|(slug, os)| expected[slug][os] == state[&(slug.clone(), *os)])
        .count();
    let agreement = agree as f64 / hits as f64;
    eprintln!(
        "sample: {} rows listed, {} in the tables, {hits} in both: precision {:.1}%, recall {:.1}%, default state agrees on {agree} of {hits} ({:.1}%)",
        listed.len(),
        truth.len(),
        precision * 100.0,
        recall * 100.0,
        agreement * 100.0
    );
    let extra: Vec<_> = listed.difference(&truth).collect();
    let missing: Vec<_> = truth.difference(&listed).collect();
    assert!(
        precision >= 0.95,
        "precision {precision:.3}; listed but not in the tables: {extra:?}"
    );
    assert!(
        recall >= 0.95,
        "recall {recall:.3}; in the tables but not listed: {missing:?}"
    );
    assert!(agreement >= 0.95, "default-state agreement {agreement:.3}");
}

/// The service page's table in headless Chromium (tests/node/availability.test.mjs).
#[test]
#[ignore = "needs node, `npm ci` in tests/node and chromium: run with --include-ignored (.ci/run does)"]
fn variants_in_a_real_browser() {
    let tools = common::require(common::browser_tools());
    let built = common::build_fixture("availability");
    let mut cmd = std::process::Command::new(&tools.node);
    cmd.arg("--test")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/availability.test.mjs"))
        .env("SVCGUIDE_SITE", &built.out)
        .env("CHROMIUM", &tools.chromium);
    if let Ok(dir) = std::env::var("SVCGUIDE_SCREENSHOTS") {
        cmd.env("SVCGUIDE_SCREENSHOTS", dir);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::tap_count(&stdout, "pass"), 4, "{stdout}");
    assert_eq!(common::tap_count(&stdout, "fail"), 0, "{stdout}");
    assert_eq!(common::tap_count(&stdout, "skipped"), 0, "{stdout}");
}
