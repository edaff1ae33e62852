//! `graph-data.js`: the service graph in one compact file, so that a service
//! page can list everything that stops with it without carrying that list.
//!
//! Pages show a count and the nearest services (`Guide::impact_summary`); on a
//! long chain of dependencies the whole set is most of the guide, and writing
//! it on every page made the output grow with the square of the guide. This
//! file grows with the pages and edges only. It is a script that assigns the
//! data (like the search index), so `theme/impact.js` can load it on demand
//! from a `<script>` element, which works from `file://` too.

use crate::guide::Guide;

/// Where the data is written (reserved in `page::RESERVED_PATHS`).
pub const PATH: &str = "graph-data.js";

/// `window.svcguideGraph = {"pages": [...], "titles": [...], "requiredBy": [[...]]};`
/// — per service (in the guide's title order): its output path, its title, and
/// the services whose Depends name it, each as `position * 128 + versions`:
/// its position in these lists, and the versions on which the link holds
/// (bits, NT4 lowest; see `crate::impact`), one number per link.
pub fn script(guide: &Guide) -> String {
    let mut position = vec![usize::MAX; guide.pages.len()];
    for (k, &i) in guide.services.iter().enumerate() {
        position[i] = k;
    }
    let mut out = String::with_capacity(guide.services.len() * 96);
    out.push_str("window.svcguideGraph = {\"pages\": [");
    for (k, &i) in guide.services.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        push_json(&mut out, &guide.pages[i].out_path);
    }
    out.push_str("],\n\"titles\": [");
    for (k, &i) in guide.services.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        push_json(&mut out, &guide.pages[i].title);
    }
    out.push_str("],\n\"requiredBy\": [");
    let mut digits = itoa::Buffer::new();
    for (k, &i) in guide.services.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('[');
        let mut first = true;
        for &(j, versions) in &guide.impact_edges[i] {
            if position[j] == usize::MAX {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(digits.format(position[j] * 128 + usize::from(versions)));
        }
        out.push(']');
    }
    out.push_str("]};\n");
    out
}

fn push_json(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).expect("a string serialises"));
}
