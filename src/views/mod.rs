//! Readers' views derived from the model: per-Windows-version tables, the process
//! index, tag pages, the dependency graph, the Atom feed and robots.txt.

use anyhow::Result;

use crate::config::Config;
use crate::guide::Guide;
use crate::output::OutFile;

/// Templates of the views (name, built-in text); a file in the templates folder wins.
pub const TEMPLATES: &[(&str, &str)] = &[];

/// Renders every view page of the guide.
pub fn render(_tera: &tera::Tera, _config: &Config, _guide: &Guide) -> Result<Vec<OutFile>> {
    Ok(Vec::new())
}
