//! The modules of `src/` point one way: each uses only the layers below it
//! (README, "Layout"). The module graph is read from the source itself: every
//! `crate::name` path outside test code is an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first. A module may use those before it, never one after it.
const LAYERS: &[&str] = &[
    // Plain helpers that know nothing of the guide.
    "text",
    "url",
    "date",
    "source",
    "timing",
    "memory",
    "output",
    "diag",
    "config",
    "highlight",
    "html",
    // The model.
    "frontmatter",
    "service",
    "repair",
    "page",
    "load",
    // Which services stop with one: graph algorithms over the model's numbers.
    "impact",
    // Printing diagnostics: reads files only as the loader allows.
    "report",
    "guide",
    "copied",
    // Which articles a change touches, across the whole guide.
    "changed",
    "export",
    // Rendering and checking.
    "markdown",
    "search",
    "views",
    "check",
    // The build pipeline, then the commands that use it.
    "site",
    "scaffold",
    "serve",
];

/// The names after `crate::` in `text`, including those in `crate::{a, b::c}`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

/// Top-level module → the top-level modules its non-test code names.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.file_name().unwrap() == "tests.rs" {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let uses = graph.entry(module.clone()).or_default();
        uses.extend(crate_paths(code).into_iter().filter(|m| *m != module));
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|m| modules.contains(m));
    }
    graph
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let unplaced: Vec<&String> = graph.keys().filter(|m| rank(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from LAYERS in tests/layers.rs: {unplaced:?}"
    );
    let upward: Vec<String> = graph
        .iter()
        .flat_map(|(m, uses)| {
            uses.iter()
                .filter(|u| rank(u) >= rank(m))
                .map(move |u| format!("{m} -> {u}"))
        })
        .collect();
    assert!(
        upward.is_empty(),
        "modules that use a layer above (or beside) them: {upward:?}"
    );
}

#[test]
fn the_reader_sees_every_form_of_path() {
    let found =
        crate_paths("use crate::a::B;\nuse crate::{b, c::D, d::{e, f}};\nlet x = crate::g::h();");
    assert!(
        ["a", "b", "c", "d", "g"].iter().all(|m| found.contains(*m)),
        "{found:?}"
    );
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph["views"].contains("guide"), "{graph:?}");
    assert!(!graph["text"].contains("guide"));
}
