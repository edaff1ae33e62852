//! Checks run after rendering, on the model and on the rendered pages.
//! `site::build` runs them all; `build` and `check` only differ in what they do
//! with the diagnostics (and whether they write).

pub mod graph;
pub mod links;
pub mod output;

#[cfg(feature = "external")]
pub mod external;

use std::collections::{HashMap, HashSet};

/// Ids present in an HTML page (`id="..."`), for fragment checks.
pub fn html_ids(html: &str) -> HashSet<String> {
    html.match_indices(" id=\"")
        .filter_map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest.find('"')
                .map(|end| crate::text::decode_entities(&rest[..end]))
        })
        .collect()
}

/// Ids per output path, for every HTML file of the site.
pub fn ids_by_path(files: &[crate::output::OutFile]) -> HashMap<String, HashSet<String>> {
    use rayon::prelude::*;
    files
        .par_iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| (f.path.clone(), html_ids(&String::from_utf8_lossy(&f.bytes))))
        .collect()
}
