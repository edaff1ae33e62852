//! The integration tests, built as one binary: each file below was a test binary of
//! its own, and each linked the library and every dependency again.

mod common;
/// The benchmark's generated guides, for the scale and serve tests.
#[path = "../../examples/gen_corpus.rs"]
#[allow(dead_code)]
mod gen_corpus;

mod availability;
mod browser;
mod check;
mod crash_safety;
mod crawl;
mod escaping;
mod external;
mod hostile;
mod html_reader;
mod layers;
mod link_trust;
mod output_safety;
mod promises;
mod props;
mod reader_pages;
mod scaffold;
mod scale;
mod serve;
mod snapshots;
mod variants;
mod views;
