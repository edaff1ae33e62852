//! What readers see around the services: the home page's article groups,
//! duplicate titles and legend, the page head (description, OpenGraph,
//! canonical, favicon, current section), post and update dates, the search
//! files and results page, and the dependency graph's depths.

use crate::common;

use std::path::Path;

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn build(extra: &[&str]) -> common::Built {
    let built = common::build_dir(&common::fixture("reader"), extra);
    assert!(built.output.status.success(), "{}", built.stderr());
    built
}

#[test]
fn home_groups_articles_tells_twins_apart_and_explains_the_badges() {
    let built = build(&[]);
    let home = read(&built.out, "index.html");
    // Browse lists the article groups, each a section of its own.
    assert!(
        home.contains(r##"<a href="#articles">Articles</a> (3): <a href="#articles-troubleshoot">Troubleshoot</a> (2), <a href="#articles-workshop">Workshop</a> (1)"##),
        "{home}"
    );
    assert!(home.contains(
        r#"<h3 id="articles-troubleshoot">Troubleshoot <span class="count">(2)</span></h3>"#
    ));
    // The two "Plumbing questions" are told apart by their dates.
    assert!(home.contains(r#"<a href="article/rd-faq-2004.html">Plumbing questions</a> <span class="hint">(posted 2 January 2004)</span>"#), "{home}");
    assert!(home.contains(r#"<a href="article/rd-faq-2009.html">Plumbing questions</a> <span class="hint">(posted 2 January 2009)</span>"#));
    assert!(!home.contains(r#"Tools of the trade</a> <span class="hint">"#));
    // The badges have a legend, and the A–Z section its letters.
    assert!(home.contains("recommended state</strong>"));
    assert!(home.contains(r##"<a href="#letter-W">W</a>"##));
    assert!(home.contains(r#"<a href="index.html#az" aria-current="page">A–Z</a>"#));
}

#[test]
fn page_head_has_description_opengraph_favicon_and_an_absolute_canonical_only_with_a_base_url() {
    let plain = build(&[]);
    let page = read(&plain.out, "article/rd-pump.html");
    assert!(
        page.contains(r#"<meta name="description" content="Keeps the imaginary water moving.">"#),
        "{page}"
    );
    assert!(page.contains(r#"<meta property="og:title" content="Water Pump">"#));
    assert!(page.contains(r#"<meta property="og:type" content="article">"#));
    assert!(page.contains(r#"<link rel="icon" href="../theme/favicon.svg" type="image/svg+xml">"#));
    assert!(plain.out.join("theme/favicon.svg").is_file());
    assert!(
        !page.contains("rel=\"canonical\""),
        "no base URL: no canonical link"
    );
    // No header entry is current on an article.
    assert!(!page.contains("aria-current"));

    let hosted = build(&["--base-url", "https://guide.example.org/sub/"]);
    let page = read(&hosted.out, "article/rd-pump.html");
    assert!(
        page.contains(
            r#"<link rel="canonical" href="https://guide.example.org/sub/article/rd-pump.html">"#
        ),
        "{page}"
    );
    assert!(page.contains(
        r#"<meta property="og:url" content="https://guide.example.org/sub/article/rd-pump.html">"#
    ));
    let graph = read(&hosted.out, "graph.html");
    assert!(graph.contains(r#"<a href="graph.html" aria-current="page">Dependency graph</a>"#));
}

#[test]
fn posted_and_updated_dates_are_both_shown_and_links_appear_once() {
    let built = build(&[]);
    let pump = read(&built.out, "article/rd-pump.html");
    assert!(
        pump.contains(r#"Posted <time datetime="2001-03-04T05:06:07+01:00">4 March 2001</time> · last updated <time datetime="2012-10-26">26 October 2012</time>"#),
        "{pump}"
    );
    let valve = read(&built.out, "article/rd-valve.html");
    assert!(valve.contains("Posted <time"));
    assert!(!valve.contains("last updated"));
    // The Knowledge Base link of the text is not repeated in a list of its own.
    assert_eq!(
        pump.matches("https://support.example.com/kb/1234").count(),
        2,
        "the two links the text has"
    );
}

#[test]
fn search_files_and_results_page() {
    let built = build(&[]);
    for file in [
        "search-index.js",
        "search-names.js",
        "search-docs.js",
        "search.html",
    ] {
        assert!(built.out.join(file).is_file(), "{file}");
    }
    let docs = read(&built.out, "search-docs.js");
    // The svchost group is a result; the service carries its states with labels.
    assert!(
        docs.contains(
            r#"{"t":"svchost -k pipes (svchost group)","u":"processes.html#group-pipes","k":"g""#
        ),
        "{docs}"
    );
    assert!(docs.contains(r#""r":[["WinXP","disabled","Disabled, if no tanks are fitted"],["Vista+","manual","Manual"]]"#), "{docs}");
    let names = read(&built.out, "search-names.js");
    assert!(names.starts_with("window.SVCGUIDE_NAMES={\"version\":\"2.3.9\",\"fields\":[\"title\",\"names\",\"images\",\"groups\"]"));
    let search = read(&built.out, "search.html");
    assert!(search.contains(r#"<section id="search-page" data-root="""#));
    assert!(search.contains(r#"<form class="search" role="search" action="search.html""#));
}

#[test]
fn graph_puts_only_services_without_dependencies_at_depth_zero() {
    let built = build(&[]);
    let graph = read(&built.out, "graph.html");
    let depth0 = graph
        .split(r#"<h3 id="depth-0">"#)
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap();
    assert!(
        depth0.contains("Water Pump") && !depth0.contains("Water Valve"),
        "{depth0}"
    );
    assert!(graph.contains(r#"id="g-rd-valve" data-n="#));
    assert!(graph.contains(r#"<option value="g-rd-pump">Water Pump</option>"#));
}
