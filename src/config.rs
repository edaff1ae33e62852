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
    /// Folders copied verbatim to the site root (`static/assets/x.jpg` becomes
    /// `/assets/x.jpg`). Unset: `static` beside svcguide.toml, when it exists.
    #[serde(rename = "static")]
    pub static_dirs: Option<Vec<PathBuf>>,
    /// Publish articles whose status is not `publish`.
    pub drafts: bool,
    /// Clean raw HTML in article bodies (with ammonia) instead of trusting authors.
    pub sanitize: bool,
    pub search: SearchConfig,
    /// `check --external`: which URLs, how fast, how long results are cached.
    pub external: ExternalConfig,
    /// Level per check code, read from `error`, `warn`, `info` or `off`.
    #[serde(deserialize_with = "levels")]
    pub checks: BTreeMap<Code, Level>,
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

/// `[external]`: settings of `svcguide check --external`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalConfig {
    /// Regular expressions; a URL matching one (as written, or normalised) is not checked.
    pub exclude: Vec<String>,
    /// How long a cached result is trusted (`--cache`): seconds, or `"90s"`, `"30m"`, `"12h"`, `"1d"`.
    #[serde(deserialize_with = "duration")]
    pub max_age: std::time::Duration,
    /// Per request (each try), seconds or a duration text.
    #[serde(deserialize_with = "duration")]
    pub timeout: std::time::Duration,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host (`host:port`).
    pub per_host: usize,
    /// Extra tries after a transient failure (timeout, 5xx, 429, reset), with doubling waits.
    pub retries: u32,
    /// The wait before the first retry; it doubles for each further one.
    #[serde(deserialize_with = "duration")]
    pub retry_wait: std::time::Duration,
    /// Also check loopback, private and link-local addresses (and `localhost`).
    pub check_private: bool,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        ExternalConfig {
            exclude: Vec::new(),
            max_age: std::time::Duration::from_secs(24 * 3600),
            timeout: std::time::Duration::from_secs(20),
            concurrency: 16,
            per_host: 2,
            retries: 2,
            retry_wait: std::time::Duration::from_secs(1),
            check_private: false,
        }
    }
}

/// What `[checks]` sets a code to: a severity, or off (not reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    /// A level as written in `[checks]` (`warning` is accepted for `warn`).
    pub fn from_name(name: &str) -> Option<Level> {
        Some(match name {
            "off" => Level::Off,
            "error" => Level::On(Severity::Error),
            "warn" | "warning" => Level::On(Severity::Warning),
            "info" => Level::On(Severity::Info),
            _ => return None,
        })
    }
}

/// `[checks]`, parsed once: unknown codes (with a hint) and levels are refused.
fn levels<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<Code, Level>, D::Error> {
    let raw = BTreeMap::<String, String>::deserialize(d)?;
    let mut out = BTreeMap::new();
    for (code, level) in raw {
        let Some(known) = Code::from_name(&code) else {
            let hint = crate::diag::nearest(&code, Code::ALL.iter().map(|c| c.as_str()));
            return Err(serde::de::Error::custom(format!(
                "unknown check `{code}` in [checks]{}",
                hint.map(|h| format!(" (did you mean `{h}`?)"))
                    .unwrap_or_default()
            )));
        };
        let Some(parsed) = Level::from_name(&level) else {
            return Err(serde::de::Error::custom(format!(
                "check `{code}` has level `{level}`; use error, warn, info or off"
            )));
        };
        out.insert(known, parsed);
    }
    Ok(out)
}

/// A duration: a number of seconds, or a text like `500ms`, `90s`, `30m`, `12h`, `1d`.
fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::time::Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(u64),
        Float(f64),
        Text(String),
    }
    let bad = |what: &str| {
        serde::de::Error::custom(format!(
            "`{what}` is not a duration (use seconds, or e.g. \"500ms\", \"90s\", \"30m\", \"12h\", \"1d\")"
        ))
    };
    match Raw::deserialize(d)? {
        Raw::Int(n) => Ok(std::time::Duration::from_secs(n)),
        Raw::Float(f) => std::time::Duration::try_from_secs_f64(f).map_err(|_| bad(&f.to_string())),
        Raw::Text(t) => {
            let s = t.trim();
            let split = s
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(s.len());
            let (num, unit) = s.split_at(split);
            let n: f64 = num.parse().map_err(|_| bad(&t))?;
            let secs = match unit.trim() {
                "ms" => n / 1000.0,
                "" | "s" => n,
                "m" => n * 60.0,
                "h" => n * 3600.0,
                "d" => n * 86400.0,
                _ => return Err(bad(&t)),
            };
            std::time::Duration::try_from_secs_f64(secs).map_err(|_| bad(&t))
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
            static_dirs: None,
            drafts: false,
            sanitize: false,
            search: SearchConfig::default(),
            external: ExternalConfig::default(),
            checks: BTreeMap::new(),
            root: PathBuf::from("."),
        }
    }
}

/// What the command line overrides in svcguide.toml (`--config`, `--content`,
/// `--base-url`, `--drafts`, `--static`; folders as given); `build`, `check`
/// and `serve` read their configuration through [`Overrides::load`].
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The configuration file (default: ./svcguide.toml when present).
    pub config: Option<PathBuf>,
    pub content: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub static_dirs: Vec<PathBuf>,
}

impl Overrides {
    /// Reads the configuration and applies the overrides (folders made absolute).
    pub fn load(&self) -> Result<Config> {
        let mut config = Config::load(self.config.as_deref())?;
        config.override_with(self)?;
        Ok(config)
    }

    /// The configuration file that is (or would be) read, absolute.
    pub fn config_path(&self) -> Result<PathBuf> {
        Ok(std::path::absolute(
            self.config
                .clone()
                .unwrap_or_else(|| PathBuf::from("svcguide.toml")),
        )?)
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

    /// Applies the command line's overrides; the folders it names become
    /// absolute (they were given relative to the current folder, not to
    /// svcguide.toml).
    pub fn override_with(&mut self, o: &Overrides) -> Result<()> {
        if let Some(c) = &o.content {
            self.content = std::path::absolute(c)?;
        }
        if let Some(b) = &o.base_url {
            self.base_url = b.clone();
        }
        self.drafts |= o.drafts;
        if !o.static_dirs.is_empty() {
            self.static_dirs = Some(
                o.static_dirs
                    .iter()
                    .map(std::path::absolute)
                    .collect::<std::io::Result<_>>()?,
            );
        }
        Ok(())
    }

    fn validate(&self) -> Result<()> {
        let e = &self.external;
        if e.concurrency == 0 || e.per_host == 0 || e.timeout.is_zero() {
            bail!("[external] concurrency, per_host and timeout must be above 0");
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

    /// The static folders, resolved: the configured ones (each must exist), or
    /// `static` when it exists.
    pub fn static_folders(&self) -> Result<Vec<PathBuf>> {
        match &self.static_dirs {
            Some(dirs) => dirs
                .iter()
                .map(|d| {
                    let dir = self.resolve(d);
                    if dir.is_dir() {
                        Ok(dir)
                    } else {
                        bail!(
                            "static folder {} does not exist or is not a folder",
                            dir.display()
                        )
                    }
                })
                .collect(),
            None => {
                let dir = self.resolve(Path::new("static"));
                Ok(if dir.is_dir() { vec![dir] } else { vec![] })
            }
        }
    }

    /// The configured severity of a code (`None` when turned off).
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.checks.get(&code) {
            Some(Level::Off) => None,
            Some(Level::On(severity)) => Some(*severity),
            None => Some(code.default_severity()),
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
    fn external_durations_read_seconds_or_units() {
        let c: Config = toml::from_str(
            "[external]\nmax_age = \"12h\"\ntimeout = 2\nretry_wait = \"250ms\"\nexclude = [\"^https?://x/\"]",
        )
        .unwrap();
        assert_eq!(c.external.max_age.as_secs(), 12 * 3600);
        assert_eq!(c.external.timeout.as_secs(), 2);
        assert_eq!(c.external.retry_wait.as_millis(), 250);
        assert_eq!(Config::default().external.max_age.as_secs(), 86400);
        assert!(toml::from_str::<Config>("[external]\nmax_age = \"soon\"").is_err());
        assert!(toml::from_str::<Config>("[external]\nmax_age = \"1d\"\nbogus = 1").is_err());
    }

    #[test]
    fn unknown_checks_are_refused_with_a_hint() {
        let err = toml::from_str::<Config>("[checks]\nlink-brokn = \"off\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `link-broken`"), "{err}");
        let err = toml::from_str::<Config>("[checks]\nlink-broken = \"loud\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("use error, warn, info or off"), "{err}");
        let c: Config = toml::from_str("[checks]\nlink-broken = \"warning\"").unwrap();
        assert_eq!(c.severity(Code::LinkBroken), Some(Severity::Warning));
    }
}
