//! Checks run after rendering, on the model and on the rendered pages.
//! `site::build` runs them all; `build` and `check` only differ in what they do
//! with the diagnostics (and whether they write).

pub mod graph;
pub mod links;
pub mod output;
pub mod placeholders;

#[cfg(feature = "external")]
pub mod external;
