//! `svcguide.toml`: site title, base URL, folders and check levels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::diag::{Code, Diagnostic, Severity};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    /// Where the site is published, e.g. `https://example.org/guide/` (for the
    /// sitemap, the feed and canonical links; pages themselves use relative URLs).
    pub base_url: String,
    pub content: PathBuf,
    pub output: PathBuf,
    /// A folder of templates overriding the built-in ones, file by file.
    pub templates: PathBuf,
    /// A folder of theme assets overriding the built-in ones, file by file.
    pub theme: PathBuf,
    /// Publish articles whose status is not `publish`.
    pub drafts: bool,
    /// Clean raw HTML in article bodies (with ammonia) instead of trusting authors.
    pub sanitize: bool,
    pub search: SearchConfig,
    /// Severity per check code: `error`, `warn` or `off`.
    pub checks: BTreeMap<String, String>,
    /// Folder the relative paths above are resolved against (where the file was).
    #[serde(skip)]
    pub root: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    pub enabled: bool,
    /// Budget for the index plus doc store, in bytes; above it the build warns.
    pub max_bytes: u64,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: true,
            max_bytes: 5_000_000,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Services Guide".into(),
            base_url: "/".into(),
            content: "content".into(),
            output: "public".into(),
            templates: "templates".into(),
            theme: "theme".into(),
            drafts: false,
            sanitize: false,
            search: SearchConfig::default(),
            checks: BTreeMap::new(),
            root: PathBuf::from("."),
        }
    }
}

impl Config {
    /// Reads `path` if given, else `svcguide.toml` in the current folder if present.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("svcguide.toml"), false),
        };
        if !path.exists() {
            if required {
                bail!("config file {} does not exist", path.display());
            }
            return Ok(Config::default());
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid svcguide config", path.display()))?;
        config.root = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        for (code, level) in &self.checks {
            if Code::from_name(code).is_none() {
                let hint = crate::diag::nearest(code, Code::ALL.iter().map(|c| c.as_str()));
                bail!(
                    "unknown check `{code}` in [checks]{}",
                    hint.map(|h| format!(" (did you mean `{h}`?)"))
                        .unwrap_or_default()
                );
            }
            if !matches!(
                level.as_str(),
                "error" | "warn" | "warning" | "info" | "off"
            ) {
                bail!("check `{code}` has level `{level}`; use error, warn, info or off");
            }
        }
        Ok(())
    }

    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    /// The configured severity of a code (`None` when turned off).
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.checks.get(code.as_str()).map(String::as_str) {
            Some("off") => None,
            Some("error") => Some(Severity::Error),
            Some("warn" | "warning") => Some(Severity::Warning),
            Some("info") => Some(Severity::Info),
            _ => Some(code.default_severity()),
        }
    }

    /// Applies the configured levels: drops what is off, sets the rest.
    pub fn apply_levels(&self, diags: &mut Vec<Diagnostic>) {
        diags.retain_mut(|d| match self.severity(d.code) {
            Some(sev) => {
                d.severity = sev;
                true
            }
            None => false,
        });
    }

    /// The path part of the base URL (`/guide/`), for pages served at any depth (404).
    pub fn base_path(&self) -> String {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        let path = if self.base_url.contains("://") {
            after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
        } else {
            after_scheme
        };
        let path = path.trim_end_matches('/');
        format!(
            "{}/",
            if path.starts_with('/') {
                path.to_string()
            } else {
                format!("/{path}")
            }
            .trim_end_matches('/')
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        let mut c = Config::default();
        assert_eq!(c.base_path(), "/");
        c.base_url = "https://host/guide/".into();
        assert_eq!(c.base_path(), "/guide/");
        c.base_url = "https://host".into();
        assert_eq!(c.base_path(), "/");
        c.base_url = "/docs".into();
        assert_eq!(c.base_path(), "/docs/");
    }

    #[test]
    fn unknown_checks_are_refused_with_a_hint() {
        let mut c = Config::default();
        c.checks.insert("link-brokn".into(), "off".into());
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("link-broken"), "{err}");
    }
}
