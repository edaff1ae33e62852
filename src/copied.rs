//! Files published as they are: non-Markdown files of the content folder and
//! every file of the static folders. Such a file never takes the place of one
//! svcguide generates (a page, the home page, `theme/search.js`, …), nor of
//! another copied file; and under `sanitize = true` no file a browser would run
//! as a document (HTML, SVG, XML) is published unsanitized: it is refused.

use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::guide::Guide;
use crate::load::{relative_to, shown, Asset};

/// Extensions of files a browser renders as active documents (scripts run in them).
const ACTIVE: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "svg", "svgz", "xml", "xsl", "xslt", "mht", "mhtml",
];

/// True when a browser opening the file could run script in the site's origin.
pub fn is_active_document(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| ACTIVE.iter().any(|a| a.eq_ignore_ascii_case(ext)))
}

/// Whether `serve`, which copies content files before it knows every generated
/// path, may serve the content file at `rel`: not at a name or in a folder only
/// svcguide writes, and not an active document under `sanitize = true`.
pub fn may_serve(rel: &str, config: &Config) -> bool {
    let reserved = crate::page::RESERVED_PATHS.contains(&rel)
        || crate::page::RESERVED_DIRS
            .iter()
            .any(|d| rel.starts_with(d));
    !(reserved || (config.sanitize && is_active_document(rel)))
}

/// The copied files that may be published, in order; a diagnostic for each
/// refused one. `taken`: every path the site generates.
pub fn admit<'g>(
    guide: &'g Guide,
    config: &Config,
    content: &Path,
    taken: &FxHashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<&'g Asset> {
    let mut first: FxHashMap<&str, &Asset> = FxHashMap::default();
    let mut kept = Vec::new();
    for asset in &guide.asset_files {
        let file = relative_to(content, &asset.path);
        let here = shown(&asset.path);
        if config.sanitize && is_active_document(&asset.rel) {
            diags.push(
                Diagnostic::new(
                    Code::CopiedActive,
                    &file,
                    1,
                    1,
                    format!(
                        "`{}` is not published: with `sanitize = true`, HTML, SVG and XML files are not copied as they are",
                        asset.rel
                    ),
                )
                .help("write the page as a Markdown article, or convert the image to PNG/JPEG; sanitize = false publishes it as it is"),
            );
            continue;
        }
        if taken.contains(&asset.rel) {
            diags.push(
                Diagnostic::new(
                    Code::CopiedShadows,
                    &file,
                    1,
                    1,
                    format!(
                        "`{here}` would replace `{}`, {}",
                        asset.rel,
                        generated_by(guide, content, &asset.rel)
                    ),
                )
                .help("rename or move the file; to change a built-in theme file, put it in the theme folder"),
            );
            continue;
        }
        if let Some(earlier) = first.get(asset.rel.as_str()) {
            let earlier = shown(&earlier.path);
            diags.push(
                Diagnostic::new(
                    Code::CopiedShadows,
                    &file,
                    1,
                    1,
                    format!(
                        "`{here}` and `{earlier}` are both published as `{}`; only `{earlier}` is",
                        asset.rel
                    ),
                )
                .help("keep one of the two files"),
            );
            continue;
        }
        first.insert(&asset.rel, asset);
        kept.push(asset);
    }
    kept
}

/// What makes the generated file at `path`, for the message.
fn generated_by(guide: &Guide, content: &Path, path: &str) -> String {
    if let Some(&i) = guide.by_path.get(path) {
        let src = shown(&content.join(&guide.pages[i].src.rel));
        return format!("the page svcguide generates from `{src}`");
    }
    if path.starts_with("theme/") {
        return "a theme file svcguide writes (built-in, or from the theme folder)".to_string();
    }
    "a file svcguide generates".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_documents_by_extension() {
        assert!(is_active_document("a/b.SVG"));
        assert!(is_active_document("x.html"));
        assert!(!is_active_document("assets/images/r.jpg"));
        assert!(!is_active_document("svg"));
        assert!(!is_active_document("downloads/tool.zip"));
    }
}
