//! Scale (issue 19): output that grows with the guide, not with its square, on
//! every shape of dependency graph, and text paths that stay linear.

use crate::common;

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::gen_corpus;

use gen_corpus::Shape;

/// Bytes of every file under `dir`.
fn bytes_under(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}

/// Generates `n` articles of `shape` and builds them: (articles' bytes, the output folder).
fn build_shape(shape: Shape, n: usize) -> (u64, common::Built, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    gen_corpus::generate_shaped(n, &content, shape, 3, 0.0, 0.0).unwrap();
    let built = common::build_dir(&content, &["--quiet"]);
    assert!(
        built.out.join("index.html").exists(),
        "build failed: {}",
        built.stderr()
    );
    (bytes_under(&content), built, dir)
}

/// The count a service page gives under "Disabling this service also stops" (0 when absent).
fn impact_count(html: &str) -> usize {
    let Some(at) = html.find("<p class=\"impact-count\">") else {
        return 0;
    };
    let rest = &html[at + "<p class=\"impact-count\">".len()..];
    rest[..rest.find(' ').unwrap()].parse().unwrap()
}

/// Per service slug, how many services stop with it on some Windows version,
/// read from services.json alone (the reference for the pages' counts): an
/// official Depends link (not marked Unofficial) holds on the versions its item names (`os`, else all), where
/// both services exist (`availability`, else all), or on its own versions
/// when the articles leave it none; a plain breadth-first search per version,
/// the results merged.
fn reference_counts(out: &Path) -> BTreeMap<String, usize> {
    let services = common::services_by_slug(out);
    let slugs: Vec<&str> = services.keys().map(String::as_str).collect();
    let index: BTreeMap<&str, usize> = slugs.iter().enumerate().map(|(k, &s)| (s, k)).collect();
    let bits = |list: &serde_json::Value, key: &str| -> u8 {
        let mut set = 0u8;
        for v in list.as_array().into_iter().flatten() {
            let os = if key.is_empty() { v } else { &v[key] };
            let at = ["nt4", "2000", "xp", "2003", "vista", "7", "8"]
                .iter()
                .position(|o| os.as_str() == Some(*o))
                .unwrap();
            set |= 1 << at;
        }
        if set == 0 {
            0x7f
        } else {
            set
        }
    };
    let exists: Vec<u8> = slugs
        .iter()
        .map(|s| bits(&services[*s]["availability"], "os"))
        .collect();
    // required_by[t]: (dependent, versions of its links to t).
    let mut links: BTreeMap<(usize, usize), u8> = BTreeMap::new();
    for (k, slug) in slugs.iter().enumerate() {
        for item in services[*slug]["depends"]["items"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(&t) = item["slug"].as_str().and_then(|s| index.get(s)) else {
                continue;
            };
            // An Unofficial link stops nothing.
            let unofficial = item["qualifier"]
                .as_str()
                .is_some_and(|q| q.to_lowercase().contains("unofficial"));
            if t != k && !unofficial {
                *links.entry((t, k)).or_default() |= bits(&item["os"], "");
            }
        }
    }
    let mut required_by: Vec<Vec<(usize, u8)>> = vec![Vec::new(); slugs.len()];
    for (&(t, k), &link) in &links {
        let both = link & exists[t] & exists[k];
        required_by[t].push((k, if both == 0 { link } else { both }));
    }
    (0..slugs.len())
        .map(|start| {
            let mut reached = vec![false; slugs.len()];
            for bit in 0..7 {
                let mut seen = vec![false; slugs.len()];
                seen[start] = true;
                let mut queue = VecDeque::from([start]);
                while let Some(s) = queue.pop_front() {
                    for &(t, versions) in &required_by[s] {
                        if versions & (1 << bit) != 0 && !seen[t] {
                            seen[t] = true;
                            reached[t] = true;
                            queue.push_back(t);
                        }
                    }
                }
            }
            reached[start] = false;
            (
                slugs[start].to_string(),
                reached.iter().filter(|&&r| r).count(),
            )
        })
        .collect()
}

/// Bytes per top-level entry of the output (`article`, `os`, `services.json`, ...).
fn breakdown(out: &Path) -> String {
    let mut parts: Vec<(u64, String)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.metadata().unwrap().is_dir() {
                bytes_under(&e.path())
            } else {
                e.metadata().unwrap().len()
            };
            (bytes, e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    parts.sort_unstable_by(|a, b| b.cmp(a));
    parts
        .iter()
        .map(|(b, name)| format!("{name} {b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The target: at most 8x the articles' bytes, whatever the graph's
/// shape, and nothing that grows with the square of the guide: three times the
/// articles give three times the output (within 10%), where the transitive
/// lists gave nine. (The generator is seeded: the ratio is the same on every
/// run, so a page that grows shows here.)
#[test]
fn a_chain_and_a_ring_of_3000_grow_linearly_and_stay_within_8x_their_articles() {
    for shape in [Shape::Chain, Shape::Ring] {
        let (small_in, small, _small_dir) = build_shape(shape, 1000);
        let small_ratio = bytes_under(&small.out) as f64 / small_in as f64;
        let (input, built, _dir) = build_shape(shape, 3000);
        let output = bytes_under(&built.out);
        let ratio = output as f64 / input as f64;
        eprintln!(
            "{}: 1000 articles {small_ratio:.2}x, 3000 articles {ratio:.2}x ({})",
            shape.name(),
            breakdown(&built.out)
        );
        assert!(
            ratio <= 8.0,
            "{}: {output} bytes of output from {input} bytes of articles ({ratio:.2}x): {}",
            shape.name(),
            breakdown(&built.out)
        );
        assert!(
            ratio <= small_ratio * 1.1,
            "{}: {small_ratio:.2}x at 1000 articles, {ratio:.2}x at 3000",
            shape.name()
        );
        // Every page's count is what a search per version of services.json's graph reaches.
        let counts = reference_counts(&built.out);
        assert_eq!(counts.len(), 3000);
        for (slug, want) in &counts {
            let html =
                std::fs::read_to_string(built.out.join(format!("article/{slug}.html"))).unwrap();
            assert_eq!(impact_count(&html), *want, "{}: {slug}", shape.name());
        }
        if shape == Shape::Ring {
            // Around the ring, a path stops where no version holds all its
            // links (the generator's "(WinXP only)", "(Vista+)"), and only there.
            assert!(counts.values().all(|&c| c <= 2999));
            assert!(counts.values().any(|&c| c > 10), "{counts:?}");
        } else {
            // A chain: the first services stop most of the guide.
            assert!(counts.values().any(|&c| c > 1000), "{counts:?}");
        }
        // The full set is one file for the whole guide, not a list per page.
        let data = std::fs::read_to_string(built.out.join("graph-data.js")).unwrap();
        assert!(data.starts_with("window.svcguideGraph = {"));
        assert!(data.len() < 1024 * 1024, "{} bytes", data.len());
    }
}

/// Builds one article whose body is `body` and returns how long it took.
fn build_one(body: &str) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(
        content.join("big.html.md"),
        format!(
            "---\ntitle: 'A big page'\ndate: '2003-09-21T11:05:30+02:00'\nstatus: publish\npermalink: /article/big.html\ntype: post\nid: 1\n---\n{body}"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let built = common::build_dir(&content, &["--quiet"]);
    let took = started.elapsed();
    assert!(
        built.out.join("article/big.html").exists(),
        "build failed: {}",
        built.stderr()
    );
    took
}

/// 40,000 empty headings took 75 s (each duplicate id tried `-1`, `-2`, ... from
/// the start), and 320 KB of `x](` took 15 s (each `](` searched to the end).
/// At 1 MB each, quadratic paths would take hours; linear ones take well under a
/// second in a release build. The bound leaves room for a debug build on a
/// loaded machine.
#[test]
fn a_megabyte_of_headings_or_link_openers_builds_in_seconds() {
    const MB: usize = 1 << 20;
    for (what, unit) in [("empty headings", "#\n"), ("link openers", "x](")] {
        let body = unit.repeat(MB / unit.len());
        let took = build_one(&body);
        assert!(took < Duration::from_secs(120), "1 MB of {what}: {took:?}");
    }
}
