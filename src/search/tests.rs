use super::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// SHA-256 of `lunr.js` in the npm tarball of lunr 2.3.9.
const LUNR_JS_SHA256: &str = "9431726f05c0eae2a6e54dc197709422869f25cad44f2430d2fb7ddae80cc717";

fn doc(
    slug: &str,
    title: &str,
    names: &[&str],
    images: &[&str],
    groups: &[&str],
    body: &str,
) -> SearchDoc {
    let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
    SearchDoc {
        slug: slug.to_string(),
        title: title.to_string(),
        names: strings(names),
        images: strings(images),
        groups: strings(groups),
        body: body.to_string(),
        url: format!("article/{slug}.html"),
        excerpt: body.to_string(),
        recommended: vec![Recommendation {
            state: "automatic".into(),
            text: "Automatic".into(),
            ..Default::default()
        }],
        kind: DocKind::Service,
        ..Default::default()
    }
}

/// Synthetic services, shaped like the guide's articles.
fn sample_docs() -> Vec<SearchDoc> {
    vec![
        doc("winnt-services-spooler", "Print Spooler", &["Spooler"], &["spoolsv.exe"], &[],
            "Queues print jobs and hands them to the printers. Several printers can be pooled \
             to act as one, and without it nothing can be printed."),
        doc("winnt-services-termservlicensing", "Terminal Services Licensing", &["TermServLicensing"],
            &["LServer.exe"], &[],
            "Keeps the client access licenses handed out to remote desktop clients of a terminal server."),
        doc("winnt-services-browser", "Computer Browser", &["Browser"], &["svchost.exe"], &["netsvcs"],
            "Maintains the list of computers in the workgroup shown in Network Neighborhood."),
        doc("winnt-services-termservice", "Terminal Services", &["TermService"], &["svchost.exe"],
            &["termsvcs"],
            "Lets users log on to this computer from a remote desktop client."),
        doc("winnt-services-eventlog", "Event Log", &["Eventlog"], &["services.exe"], &[],
            "Writes the messages of programs and drivers to the event logs shown by Event Viewer."),
        doc("winnt-services-lanmanserver", "Server", &["LanmanServer"], &["svchost.exe"], &["netsvcs"],
            "Shares files and printers of this computer over the network."),
        doc("winnt-services-w32time", "Windows Time", &["W32Time"], &["svchost.exe"], &["LocalService"],
            "Synchronizes the clock with a time server on the network or the internet."),
        doc("winnt-services-fax", "Fax", &["Fax"], &["fxssvc.exe"], &[],
            "Sends and receives faxes through a fax modem."),
        doc("winnt-services-wrapper", "Service host (svchost.exe)", &[], &[], &[],
            "Many services run inside svchost.exe -k <group>, for example netsvcs or LocalService."),
    ]
}

fn index_value(files: &SearchFiles) -> Value {
    parse_assignment(&files.index_js, "SVCGUIDE_INDEX")
}

fn parse_assignment(js: &str, name: &str) -> Value {
    let prefix = format!("window.{name}=");
    let json = js
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(';'))
        .expect("window.NAME=<json>; form");
    serde_json::from_str(json).expect("valid JSON")
}

/// Refs of the documents whose index holds the term a lunr query for
/// `word` looks up (lowercase, then the search pipeline: the stemmer).
fn refs_for_query_word(index: &Value, word: &str) -> Vec<String> {
    let term = stem(&word.to_lowercase());
    let entries = index["invertedIndex"].as_array().unwrap();
    let Some(entry) = entries.iter().find(|e| e[0] == term.as_str()) else {
        return Vec::new();
    };
    let mut refs: Vec<String> = entry[1]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(key, _)| *key != "_index")
        .flat_map(|(_, docs)| docs.as_object().unwrap().keys().cloned())
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

#[test]
fn stems_match_lunr_fixture() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lunr-stems.tsv");
    let fixture = std::fs::read_to_string(path).expect("stem fixture");
    let rows: Vec<(&str, &str)> = fixture
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.split_once('\t').expect("word<TAB>stem"))
        .collect();
    assert!(rows.len() >= 300, "fixture has {} rows", rows.len());
    let wrong: Vec<String> = rows
        .iter()
        .filter(|(word, expected)| stem(word) != *expected)
        .map(|(word, expected)| format!("{word}: lunr {expected}, ours {}", stem(word)))
        .collect();
    assert!(
        wrong.is_empty(),
        "stems differ from lunr:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn bundled_lunr_js_is_the_npm_release() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("theme/lunr.js");
    let bytes = std::fs::read(&path).expect("theme/lunr.js");
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest,
        LUNR_JS_SHA256,
        "{} is not lunr 2.3.9 from npm",
        path.display()
    );
}

#[test]
fn output_is_deterministic_and_independent_of_input_order() {
    let docs = sample_docs();
    let mut reversed = docs.clone();
    reversed.reverse();
    let first = build(&docs);
    assert_eq!(first, build(&docs));
    assert_eq!(first, build(&reversed));
}

#[test]
fn repeated_slug_keeps_the_first_document() {
    let mut docs = sample_docs();
    let mut twin = docs[0].clone();
    twin.title = "Another title".to_string();
    docs.push(twin);
    let store = parse_assignment(&build(&docs).docs_js, "SVCGUIDE_DOCS");
    assert_eq!(
        store[&refs(&docs)["winnt-services-spooler"]]["t"],
        "Print Spooler"
    );
}

#[test]
fn index_has_lunr_serialization_shape() {
    let docs = sample_docs();
    let index = index_value(&build(&docs));
    let fields = ["title", "names", "images", "groups", "body"];
    assert_eq!(index["version"], "2.3.9");
    assert_eq!(index["fields"], serde_json::json!(fields));
    assert_eq!(index["pipeline"], serde_json::json!(["stemmer"]));

    // One vector per field and document, document-major, documents by slug.
    let mut slugs: Vec<&str> = docs.iter().map(|d| d.slug.as_str()).collect();
    slugs.sort();
    let refs_of = refs(&docs);
    let expected_refs: Vec<String> = slugs
        .iter()
        .flat_map(|slug| {
            let id = &refs_of[*slug];
            fields.iter().map(move |field| format!("{field}/{id}"))
        })
        .collect();
    let vectors = index["fieldVectors"].as_array().unwrap();
    let refs: Vec<&str> = vectors.iter().map(|v| v[0].as_str().unwrap()).collect();
    assert_eq!(refs, expected_refs);

    // Terms sorted, `_index` a numbering 0..n, vector indices ascending.
    let entries = index["invertedIndex"].as_array().unwrap();
    let terms: Vec<&str> = entries.iter().map(|e| e[0].as_str().unwrap()).collect();
    assert!(
        terms.windows(2).all(|w| w[0] < w[1]),
        "terms sorted and unique"
    );
    let mut ids: Vec<u64> = entries
        .iter()
        .map(|e| e[1]["_index"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    assert!(ids.iter().enumerate().all(|(i, &id)| id == i as u64));
    for vector in vectors {
        let elements = vector[1].as_array().unwrap();
        let indices: Vec<u64> = elements
            .iter()
            .step_by(2)
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert!(indices.windows(2).all(|w| w[0] < w[1]), "{}", vector[0]);
        assert!(elements
            .iter()
            .skip(1)
            .step_by(2)
            .all(|s| s.as_f64().unwrap() > 0.0));
    }
    // Every posting lists each field, and only known documents.
    for entry in entries {
        let posting = entry[1].as_object().unwrap();
        assert_eq!(posting.len(), fields.len() + 1);
        for field in fields {
            assert!(posting[field]
                .as_object()
                .unwrap()
                .keys()
                .all(|r| refs_of.values().any(|id| id == r)));
        }
    }
}

#[test]
fn first_document_gets_the_first_term_numbers() {
    let index = index_value(&build(&sample_docs()));
    let entries = index["invertedIndex"].as_array().unwrap();
    let id_of = |term: &str| entries.iter().find(|e| e[0] == term).unwrap()[1]["_index"].clone();
    // "winnt-services-browser" sorts first; its title is "Computer Browser".
    assert_eq!(id_of("comput"), 0);
    assert_eq!(id_of("browser"), 1);
}

#[test]
fn identifiers_are_found_by_their_parts() {
    let docs = sample_docs();
    let index = index_value(&build(&docs));
    let ids = refs(&docs);
    let cases = [
        ("lserver", "winnt-services-termservlicensing"),
        ("LServer.exe", "winnt-services-termservlicensing"),
        ("exe", "winnt-services-termservlicensing"),
        ("spoolsv", "winnt-services-spooler"),
        ("spoolsv.exe", "winnt-services-spooler"),
        ("svchost", "winnt-services-browser"),
        ("svchost.exe", "winnt-services-browser"),
        ("netsvcs", "winnt-services-browser"),
        ("termservice", "winnt-services-termservice"),
        ("TermServLicensing", "winnt-services-termservlicensing"),
        ("licensing", "winnt-services-termservlicensing"),
        ("w32time", "winnt-services-w32time"),
        ("printers", "winnt-services-spooler"),
    ];
    for (word, slug) in cases {
        let refs = refs_for_query_word(&index, word);
        assert!(
            refs.iter().any(|r| *r == ids[slug]),
            "{word} should find {slug}, found {refs:?}"
        );
    }
    assert_eq!(refs_for_query_word(&index, "netsvcs").len(), 3);
    assert!(
        refs_for_query_word(&index, "the").is_empty(),
        "stop words are not indexed"
    );
}

#[test]
fn doc_store_holds_display_fields() {
    let mut docs = sample_docs();
    docs[0].excerpt = "word ".repeat(60);
    docs[0].recommended = vec![Recommendation {
        label: "WinXP".into(),
        state: "disabled".into(),
        text: "Disabled, if no printer".into(),
    }];
    docs[0].processes = vec!["spoolsv.exe".into()];
    let store = parse_assignment(&build(&docs).docs_js, "SVCGUIDE_DOCS");
    let ids = refs(&docs);
    let spooler = &store[&ids["winnt-services-spooler"]];
    assert_eq!(spooler["t"], "Print Spooler");
    assert_eq!(spooler["u"], "article/winnt-services-spooler.html");
    assert_eq!(spooler["k"], "s");
    assert_eq!(spooler["n"], serde_json::json!(["Spooler"]));
    assert_eq!(spooler["p"], serde_json::json!(["spoolsv.exe"]));
    assert_eq!(
        spooler["r"],
        serde_json::json!([["WinXP", "disabled", "Disabled, if no printer"]])
    );
    assert!(
        store[&ids["winnt-services-wrapper"]].get("p").is_none(),
        "empty lists are left out"
    );
    let excerpt = spooler["e"].as_str().unwrap();
    assert!(
        excerpt.chars().count() <= EXCERPT_CHARS && excerpt.ends_with("word…"),
        "{excerpt}"
    );
    assert_eq!(store.as_object().unwrap().len(), docs.len());
}

#[test]
fn excerpts_are_cut_at_words() {
    assert_eq!(excerpt("  short\n text ", 160), "short text");
    assert_eq!(excerpt("alpha beta gamma", 12), "alpha beta…");
    assert_eq!(excerpt("alpha beta, gamma", 12), "alpha beta…");
    assert_eq!(excerpt("abcdefghijklmnop", 8), "abcdefg…");
}

#[test]
fn line_separators_are_escaped_in_scripts() {
    let mut docs = sample_docs();
    docs[0].title = "Print\u{2028}Spooler".to_string();
    docs[0].excerpt = "a\u{2029}b".to_string();
    let files = build(&docs);
    for js in [&files.index_js, &files.names_js, &files.docs_js] {
        assert!(!js.contains('\u{2028}') && !js.contains('\u{2029}'));
    }
    let store = parse_assignment(&files.docs_js, "SVCGUIDE_DOCS");
    assert_eq!(
        store[&refs(&docs)["winnt-services-spooler"]]["t"],
        "Print\u{2028}Spooler"
    );
}

#[test]
fn names_index_holds_the_name_fields_only() {
    let docs = sample_docs();
    let files = build(&docs);
    let names = parse_assignment(&files.names_js, "SVCGUIDE_NAMES");
    assert_eq!(names["version"], "2.3.9");
    assert_eq!(
        names["fields"],
        serde_json::json!(["title", "names", "images", "groups"])
    );
    // A name is found; a word only the text holds is not (the wrapper page
    // names netsvcs in its text only).
    assert_eq!(refs_for_query_word(&names, "netsvcs").len(), 2);
    assert_eq!(
        refs_for_query_word(&index_value(&files), "netsvcs").len(),
        3
    );
    assert_eq!(
        refs_for_query_word(&names, "spooler"),
        vec![refs(&docs)["winnt-services-spooler"].clone()]
    );
    assert!(refs_for_query_word(&names, "workgroup").is_empty());
    assert!(!refs_for_query_word(&index_value(&files), "workgroup").is_empty());
    assert!(files.names_js.len() * 2 < files.index_js.len());
}

#[test]
fn empty_input_gives_an_empty_index() {
    let files = build(&[]);
    let index = index_value(&files);
    assert_eq!(index["invertedIndex"], serde_json::json!([]));
    assert_eq!(files.docs_js, "window.SVCGUIDE_DOCS={};");
}

/// With `SVCGUIDE_SEARCH_DUMP_DIR` set, writes the index, doc store and the
/// tokens of every field, for `tests/node` to check the index against one
/// built by lunr.js itself. The documents are the samples, or those of the
/// JSON array of `SearchDoc` objects named by `SVCGUIDE_SEARCH_DUMP_DOCS`.
/// Without it, the dump goes to a temp folder and is read back (`.ci/run` sets
/// it and runs tests/node/lunr_query.test.mjs on the files).
#[test]
fn dump_sample_for_node_tests() {
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("SVCGUIDE_SEARCH_DUMP_DIR");
    let dir = dir.as_deref().map_or(temp.path(), Path::new);
    std::fs::create_dir_all(dir).unwrap();
    let docs = match std::env::var_os("SVCGUIDE_SEARCH_DUMP_DOCS") {
        Some(path) => docs_from_json(&std::fs::read_to_string(path).unwrap()),
        None => sample_docs(),
    };
    let files = build(&docs);
    std::fs::write(dir.join("search-index.js"), &files.index_js).unwrap();
    std::fs::write(dir.join("search-docs.js"), &files.docs_js).unwrap();
    std::fs::write(dir.join("search-names.js"), &files.names_js).unwrap();
    std::fs::write(dir.join("search-tokens.json"), tokens_json(&docs)).unwrap();
    let tokens: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("search-tokens.json")).unwrap())
            .unwrap();
    assert_eq!(
        tokens["docs"].as_array().unwrap().len(),
        sorted_unique(&docs).len()
    );
    assert_eq!(tokens["fields"].as_array().unwrap().len(), FIELDS.len());
}

/// `{"fields":[{"name","boost"}], "docs":[{"ref", "<field>": [tokens],
/// "raw": {"<field>": text}}]}`,
/// documents in index order.
fn tokens_json(docs: &[SearchDoc]) -> String {
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|f| serde_json::json!({"name": f.name, "boost": f.boost}))
        .collect();
    let sorted = sorted_unique(docs);
    let count = sorted.len();
    let docs: Vec<Value> = sorted
        .into_iter()
        .enumerate()
        .map(|(i, doc)| {
            let mut entry = serde_json::Map::new();
            let mut raw = serde_json::Map::new();
            entry.insert("ref".into(), short_ref(i, count).into());
            for ((field, tokens), text) in FIELDS
                .iter()
                .zip(field_texts(doc).map(|t| tokens::tokenize(&t)))
                .zip(field_texts(doc))
            {
                entry.insert(field.name.into(), tokens.into());
                raw.insert(field.name.into(), text.into());
            }
            entry.insert("raw".into(), Value::Object(raw));
            Value::Object(entry)
        })
        .collect();
    serde_json::json!({"fields": fields, "docs": docs}).to_string()
}

fn docs_from_json(json: &str) -> Vec<SearchDoc> {
    let values: Vec<Value> = serde_json::from_str(json).expect("a JSON array of docs");
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
    let list = |v: &Value, key: &str| -> Vec<String> {
        v[key].as_array().map_or_else(Vec::new, |items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect()
        })
    };
    values
        .iter()
        .map(|v| SearchDoc {
            slug: text(v, "slug"),
            title: text(v, "title"),
            names: list(v, "names"),
            images: list(v, "images"),
            groups: list(v, "groups"),
            body: text(v, "body"),
            url: text(v, "url"),
            excerpt: text(v, "excerpt"),
            recommended: vec![Recommendation {
                text: text(v, "recommended"),
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect()
}

/// The lunr ref of each slug of `docs`.
fn refs(docs: &[SearchDoc]) -> std::collections::BTreeMap<String, String> {
    let sorted = sorted_unique(docs);
    let count = sorted.len();
    sorted
        .into_iter()
        .enumerate()
        .map(|(i, d)| (d.slug.clone(), short_ref(i, count)))
        .collect()
}

#[test]
fn short_refs_sort_as_their_numbers_and_are_never_array_indices() {
    for count in [1, 26, 27, 936, 937, 50_000] {
        let all: Vec<String> = (0..count).map(|i| short_ref(i, count)).collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]), "{count}");
        assert!(all
            .iter()
            .all(|r| r.len() == all[0].len() && r.as_bytes()[0].is_ascii_lowercase()));
    }
    assert_eq!(short_ref(0, 1), "a");
    assert_eq!(short_ref(27, 10_000), "a0r");
    assert_eq!(short_ref(9_999, 10_000), "hpr");
}

/// The documents in index order: by slug, the first of a repeated slug.
fn sorted_unique(docs: &[SearchDoc]) -> Vec<&SearchDoc> {
    let mut sorted: Vec<&SearchDoc> = docs.iter().collect();
    sorted.sort_by(|a, b| a.slug.cmp(&b.slug));
    sorted.dedup_by(|a, b| a.slug == b.slug);
    sorted
}

#[test]
fn fused_counting_gives_the_reference_pipelines_index() {
    // Indexer::count tokenises, filters, stems and counts in one pass with
    // per-thread caches; the reference is tokenize, then pipeline, then count.
    let texts = [
        "The Print Spooler service spools print jobs and handles printing",
        "LServer.exe TermServLicensing DNSCache svchost -k netsvcs",
        "a & b ... (c) don't stop-words: the of and; Éclair naïve café x\u{A0}y",
        "printing printers printed print print PRINT Print.",
        "",
    ];
    let docs: Vec<SearchDoc> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| SearchDoc {
            slug: format!("doc-{i}"),
            title: texts[(i + 1) % texts.len()].to_string(),
            names: vec!["Spooler".into(), "LanmanServer".into()],
            images: vec!["spoolsv.exe".into()],
            groups: vec!["netsvcs".into()],
            body: t.to_string(),
            ..Default::default()
        })
        .collect();
    let terms = lunr::Terms::default();
    let sorted = sorted_unique(&docs);
    let count = sorted.len();
    let reference: Vec<Document> = sorted
        .into_iter()
        .enumerate()
        .map(|(i, doc)| Document {
            reference: short_ref(i, count),
            fields: field_texts(doc)
                .iter()
                .map(|t| FieldTerms::count(&tokens::pipeline(tokens::tokenize(t)), &terms))
                .collect(),
        })
        .collect();
    let expected = js_assignment("SVCGUIDE_INDEX", |head| {
        lunr::index_json(head, &FIELDS, reference, terms)
    });
    assert_eq!(build(&docs).index_js, expected);
}

#[test]
fn prepared_terms_keep_no_spare_room() {
    // Every page's terms wait for the index: growth's spare room would be held
    // for each of them (a third of their memory at 10,000 articles).
    let words: Vec<String> = (0..37).map(|i| format!("word{i}")).collect();
    let body = words.join(" ");
    let prepared = Indexer::default().prepare(&doc("s", "Some Title", &["Name"], &[], &[], &body));
    for field in prepared
        .document
        .fields
        .iter()
        .chain(&prepared.names.fields)
    {
        assert_eq!(field.counts.capacity(), field.counts.len());
    }
    assert!(prepared
        .document
        .fields
        .iter()
        .any(|f| f.counts.len() >= 37));
}
