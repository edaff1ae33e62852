//! svcguide: a static-site generator for the Services Guide.
//!
//! Data flows one way: content files → `Source` → `Page` (front matter + typed
//! `Service`) → `Guide` (the model and its graph) → rendered site / checks / exports.

pub mod changed;
pub mod check;
pub mod config;
pub mod copied;
pub mod date;
pub mod diag;
pub mod export;
pub mod frontmatter;
pub mod guide;
pub mod highlight;
pub mod html;
pub mod impact;
pub mod load;
pub mod markdown;
pub mod memory;
pub mod output;
pub mod page;
pub mod repair;
pub mod report;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod service;
pub mod site;
pub mod source;
pub mod text;
pub mod timing;
pub mod url;
pub mod views;
