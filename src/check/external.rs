//! `svcguide check --external`: the http(s) links of article bodies and items,
//! checked over the network with lychee-lib (rustls, no system OpenSSL).
//!
//! Every distinct URL (fragment dropped) is fetched once, however many places link
//! to it; each place gets its own diagnostic with the target exactly as written.
//! Requests are limited overall and per host, transient failures are retried with
//! doubling waits (lychee's retry loop), and with `--cache` results younger than
//! `[external] max_age` are read from `.svcguide-cache/external.json`: successes,
//! redirects and definite failures (HTTP 4xx but 408 and 429) are cached, never
//! timeouts, rate limits, 5xx or network errors.
//!
//! Links of other schemes (`mailto:`, `ftp:`, `news:` ...) are not checked; they are
//! only counted in the summary line on stderr.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::{Config, ExternalConfig};
use crate::diag::{Code, Diagnostic};
use crate::guide::Guide;
use crate::source::Source;
use crate::views::article::RenderedPage;

/// Where the cache lives, relative to the config file's folder (or the current one).
pub const CACHE_FILE: &str = ".svcguide-cache/external.json";

/// A progress line every this many URLs when stderr is not a terminal.
const PROGRESS_EVERY: usize = 25;

/// How a run reports and whether it caches.
pub struct Options {
    /// The cache file, when `--cache` is given.
    pub cache: Option<PathBuf>,
    /// Redraw one progress line (stderr is a terminal) instead of printing a line per N URLs.
    pub bar: bool,
    /// Print nothing on stderr (for library callers and tests of this module).
    pub quiet: bool,
}

impl Options {
    pub fn new(config: &Config, cache: bool) -> Options {
        Options {
            cache: cache.then(|| config.root.join(CACHE_FILE)),
            bar: std::io::stderr().is_terminal(),
            quiet: false,
        }
    }
}

/// What checking one URL found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    /// Redirects followed to a page that answered; `chain` starts with the URL checked.
    Redirect {
        chain: Vec<String>,
    },
    /// An HTTP error status, a network or TLS error, or a URL that does not parse.
    Broken {
        status: Option<u16>,
        reason: String,
    },
    RateLimited,
    Timeout,
    /// Not checked: lychee's own filter (example domains, private addresses ...).
    Skipped,
}

impl Outcome {
    /// Only what will not change by itself in a minute is cached.
    fn cacheable(&self) -> bool {
        match self {
            Outcome::Ok | Outcome::Redirect { .. } => true,
            Outcome::Broken {
                status: Some(s), ..
            } => (400..500).contains(s) && *s != 408 && *s != 429,
            _ => false,
        }
    }
}

/// One place that links to an external URL.
struct Place<'a> {
    src: &'a Source,
    offset: usize,
    /// The link as written.
    written: String,
}

/// Every distinct URL to check, with the places that link to it.
struct Target<'a> {
    url: url::Url,
    places: Vec<Place<'a>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    /// URL (fragment dropped) → result.
    entries: BTreeMap<String, CacheEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    /// Seconds since the Unix epoch.
    checked: u64,
    outcome: Outcome,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads the cache; a missing or unreadable file is an empty cache (with a note).
fn load_cache(path: &Path, quiet: bool) -> CacheFile {
    let Ok(text) = std::fs::read_to_string(path) else {
        return CacheFile::default();
    };
    match serde_json::from_str::<CacheFile>(&text) {
        Ok(c) if c.version == 1 => c,
        _ => {
            if !quiet {
                eprintln!(
                    "external links: ignoring unreadable cache {}",
                    path.display()
                );
            }
            CacheFile::default()
        }
    }
}

fn save_cache(path: &Path, cache: &CacheFile) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut text = serde_json::to_string_pretty(cache)?;
    text.push('\n');
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The URL a link asks for, when it is http(s): `Ok(None)` for other schemes and
/// internal links, `Err` for an http(s) link that does not parse.
fn http_url(dest: &str) -> Result<Option<url::Url>, String> {
    let lower = dest.trim().to_ascii_lowercase();
    let text = if lower.starts_with("//") {
        format!("https:{}", dest.trim())
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        dest.trim().to_string()
    } else {
        return Ok(None);
    };
    match url::Url::parse(&text) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(Some(u)),
        Ok(_) => Err("the URL has no host".into()),
        Err(e) => Err(format!("the URL does not parse ({e})")),
    }
}

/// The scheme of an external non-http link (`mailto`, `ftp` ...), for the summary.
fn other_scheme(dest: &str) -> Option<String> {
    if !crate::guide::is_external(dest) || dest.starts_with("//") {
        return None;
    }
    dest.split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .filter(|s| s != "http" && s != "https")
}

/// Loopback, private and link-local hosts (and `localhost`), skipped unless
/// `check_private = true`.
fn is_private_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Some(url::Host::Ipv6(ip)) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
        None => false,
    }
}

/// The cache and dedup key: the URL without its fragment.
fn key(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.to_string()
}

fn host_key(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or("").to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// What the run did, for the summary line.
#[derive(Default)]
struct Tally {
    checked: usize,
    cached: usize,
    excluded: usize,
    private: usize,
    other_schemes: BTreeMap<String, usize>,
}

/// Checks the external links of every page of the site; the diagnostics come back
/// with the configured levels applied.
pub fn check(
    config: &Config,
    guide: &Guide,
    pages: &[RenderedPage],
    options: &Options,
) -> Result<Vec<Diagnostic>> {
    let ext = &config.external;
    let excludes = ext
        .exclude
        .iter()
        .map(|p| {
            regex::Regex::new(p)
                .with_context(|| format!("[external] exclude pattern `{p}` is not a valid regex"))
        })
        .collect::<Result<Vec<_>>>()?;
    let started = Instant::now();

    // `pages`: the links exactly as the checker of internal links saw them.

    let mut tally = Tally::default();
    let mut diags = Vec::new();
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    for p in pages {
        let page = &guide.pages[p.index];
        for link in &p.links {
            let url = match http_url(&link.dest) {
                Ok(Some(u)) => u,
                Ok(None) => {
                    if let Some(s) = other_scheme(&link.dest) {
                        *tally.other_schemes.entry(s).or_default() += 1;
                    }
                    continue;
                }
                Err(reason) => {
                    diags.push(
                        Diagnostic::at(
                            Code::ExternalBroken,
                            &page.src,
                            link.offset,
                            format!("broken external link: {reason}"),
                        )
                        .target(&link.dest)
                        .help("write a full URL such as https://host/path"),
                    );
                    continue;
                }
            };
            if excludes
                .iter()
                .any(|r| r.is_match(&link.dest) || r.is_match(url.as_str()))
            {
                tally.excluded += 1;
                continue;
            }
            if !ext.check_private && is_private_host(&url) {
                tally.private += 1;
                continue;
            }
            targets
                .entry(key(&url))
                .or_insert_with(|| Target {
                    url: url.clone(),
                    places: Vec::new(),
                })
                .places
                .push(Place {
                    src: &page.src,
                    offset: link.offset,
                    written: link.dest.clone(),
                });
        }
    }

    let mut cache = options
        .cache
        .as_deref()
        .map(|p| load_cache(p, options.quiet));
    let now = now_secs();
    let mut results: HashMap<String, (Outcome, bool)> = HashMap::new();
    let mut to_check = Vec::new();
    for (k, t) in &targets {
        let fresh = cache.as_ref().and_then(|c| c.entries.get(k)).filter(|e| {
            e.checked <= now && now - e.checked < ext.max_age.as_secs() && e.outcome.cacheable()
        });
        match fresh {
            Some(e) => {
                tally.cached += 1;
                results.insert(k.clone(), (e.outcome.clone(), true));
            }
            None => to_check.push((k.clone(), t.url.clone())),
        }
    }
    tally.checked = to_check.len();

    let mut progress = Progress::new(to_check.len(), options);
    for (k, outcome) in fetch(ext, to_check, &mut progress)? {
        if let Some(c) = cache.as_mut() {
            if outcome.cacheable() {
                c.entries.insert(
                    k.clone(),
                    CacheEntry {
                        checked: now,
                        outcome: outcome.clone(),
                    },
                );
            } else {
                c.entries.remove(&k);
            }
        }
        results.insert(k, (outcome, false));
    }
    progress.finish();

    if let (Some(path), Some(mut c)) = (options.cache.as_deref(), cache) {
        c.version = 1;
        let max_age = ext.max_age.as_secs();
        c.entries
            .retain(|_, e| e.checked <= now && now - e.checked < max_age && e.outcome.cacheable());
        if let Err(e) = save_cache(path, &c) {
            eprintln!("external links: the cache was not saved: {e:#}");
        }
    }

    for (k, t) in &targets {
        let Some((outcome, cached)) = results.get(k) else {
            continue;
        };
        for place in &t.places {
            if let Some(d) = diagnostic(ext, place, outcome, *cached) {
                diags.push(d);
            }
        }
    }
    config.apply_levels(&mut diags);

    if !options.quiet {
        let mut line = format!(
            "external links: {} URL(s) checked, {} from cache",
            tally.checked, tally.cached
        );
        if tally.excluded > 0 {
            line.push_str(&format!(", {} link(s) excluded", tally.excluded));
        }
        if tally.private > 0 {
            line.push_str(&format!(
                ", {} link(s) to private hosts skipped",
                tally.private
            ));
        }
        if !tally.other_schemes.is_empty() {
            let others: Vec<String> = tally
                .other_schemes
                .iter()
                .map(|(s, n)| format!("{n} {s}:"))
                .collect();
            line.push_str(&format!(", not checked: {}", others.join(", ")));
        }
        eprintln!("{line} ({:.1?})", started.elapsed());
    }
    Ok(diags)
}

/// The diagnostic for one place, if its URL is not fine.
fn diagnostic(
    ext: &ExternalConfig,
    place: &Place,
    outcome: &Outcome,
    cached: bool,
) -> Option<Diagnostic> {
    let from_cache = if cached { " (cached result)" } else { "" };
    let at = |code, message: String| {
        Diagnostic::at(code, place.src, place.offset, message).target(&place.written)
    };
    Some(match outcome {
        Outcome::Ok | Outcome::Skipped => return None,
        Outcome::Redirect { chain } => {
            let last = chain.last().map_or("", String::as_str);
            let hops = chain.len().saturating_sub(1);
            at(
                Code::ExternalRedirect,
                format!(
                    "external link redirects ({hops} hop{}){from_cache}",
                    if hops == 1 { "" } else { "s" }
                ),
            )
            .help(format!("link to the final URL: {last}"))
        }
        Outcome::Broken {
            status: Some(s),
            reason,
        } => at(
            Code::ExternalBroken,
            format!("broken external link: HTTP {s} {reason}{from_cache}"),
        )
        .help("fix or remove the link, or add a pattern to [external] exclude in svcguide.toml"),
        Outcome::Broken {
            status: None,
            reason,
        } => at(
            Code::ExternalBroken,
            format!("broken external link: {reason}{from_cache}"),
        )
        .help("check the host name and that the site is up; network errors are not cached"),
        Outcome::Timeout => at(
            Code::ExternalBroken,
            format!(
                "broken external link: no answer within {:?} ({} retr{})",
                ext.timeout,
                ext.retries,
                if ext.retries == 1 { "y" } else { "ies" }
            ),
        )
        .help("try again later, or raise [external] timeout; timeouts are never cached"),
        Outcome::RateLimited => at(
            Code::ExternalRateLimited,
            "the host answered 429 Too Many Requests".to_string(),
        )
        .help("the link may be fine: check again later, or lower [external] per_host"),
    })
}

/// Checks the URLs concurrently (at most `concurrency` in flight, `per_host` per host).
fn fetch(
    ext: &ExternalConfig,
    urls: Vec<(String, url::Url)>,
    progress: &mut Progress,
) -> Result<Vec<(String, Outcome)>> {
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    let client = lychee_lib::ClientBuilder::builder()
        .timeout(ext.timeout)
        .max_retries(u64::from(ext.retries))
        .retry_wait_time(ext.retry_wait)
        .max_redirects(10usize)
        .exclude_all_private(!ext.check_private)
        .user_agent(format!(
            "svcguide/{} (link check; lychee)",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .client()
        .context("cannot set up the HTTP client")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let overall = Arc::new(tokio::sync::Semaphore::new(ext.concurrency));
        let mut per_host: HashMap<String, Arc<tokio::sync::Semaphore>> = HashMap::new();
        let mut tasks = tokio::task::JoinSet::new();
        let (retries, retry_wait) = (ext.retries, ext.retry_wait);
        for (k, url) in urls {
            let host = per_host
                .entry(host_key(&url))
                .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(ext.per_host)))
                .clone();
            let overall = overall.clone();
            let client = client.clone();
            tasks.spawn(async move {
                // The host's turn first, so waiting for a busy host holds no overall slot.
                let _host = host.acquire_owned().await;
                let _slot = overall.acquire_owned().await;
                let mut outcome = check_one(&client, &url).await;
                // lychee retries timeouts, resets and 429 itself; 5xx answers here.
                let mut wait = retry_wait;
                for _ in 0..retries {
                    if !matches!(outcome, Outcome::Broken { status: Some(s), .. } if s >= 500) {
                        break;
                    }
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                    outcome = check_one(&client, &url).await;
                }
                (k, outcome)
            });
        }
        let mut out = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let (k, outcome) = done.context("a link check task failed")?;
            out.push((k, outcome));
            progress.step();
        }
        Ok(out)
    })
}

async fn check_one(client: &lychee_lib::Client, url: &url::Url) -> Outcome {
    use lychee_lib::{ErrorKind, Status};
    let response = match client.check(url.as_str()).await {
        Ok(r) => r,
        Err(e) => {
            return Outcome::Broken {
                status: None,
                reason: error_chain(&e),
            }
        }
    };
    match response.status() {
        Status::Ok(_) => Outcome::Ok,
        Status::Redirected(_, redirects) => {
            let chain: Vec<String> = serde_json::to_value(redirects)
                .ok()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            if chain.len() < 2 || chain.last().map(String::as_str) == Some(url.as_str()) {
                Outcome::Ok
            } else {
                Outcome::Redirect { chain }
            }
        }
        Status::Timeout(_) => Outcome::Timeout,
        Status::Error(ErrorKind::RejectedStatusCode(code)) | Status::UnknownStatusCode(code) => {
            if code.as_u16() == 429 {
                Outcome::RateLimited
            } else {
                Outcome::Broken {
                    status: Some(code.as_u16()),
                    reason: code.canonical_reason().unwrap_or("").to_string(),
                }
            }
        }
        Status::Error(e) => Outcome::Broken {
            status: None,
            reason: error_chain(e),
        },
        Status::Excluded | Status::Unsupported(_) => Outcome::Skipped,
        Status::Cached(c) => {
            if response.status().is_success() {
                Outcome::Ok
            } else {
                Outcome::Broken {
                    status: None,
                    reason: c.to_string(),
                }
            }
        }
    }
}

/// An error with its innermost cause (`Network error: ... Connection refused`): the
/// cause tells DNS, TLS and connection failures apart.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut innermost = None;
    let mut source = e.source();
    while let Some(s) = source {
        innermost = Some(s.to_string());
        source = s.source();
    }
    if let Some(cause) = innermost.filter(|c| !c.is_empty() && !out.contains(c.as_str())) {
        out.push_str(": ");
        out.push_str(&cause);
    }
    out
}

/// Progress on stderr: one redrawn line on a terminal, else a line every N URLs.
struct Progress {
    total: usize,
    done: usize,
    bar: bool,
    quiet: bool,
}

impl Progress {
    fn new(total: usize, options: &Options) -> Progress {
        Progress {
            total,
            done: 0,
            bar: options.bar,
            quiet: options.quiet || total == 0,
        }
    }

    fn step(&mut self) {
        self.done += 1;
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        if self.bar {
            let width = 30;
            let filled = self.done * width / self.total.max(1);
            let _ = write!(
                err,
                "\r\x1b[Kexternal links [{}{}] {}/{}",
                "#".repeat(filled),
                " ".repeat(width - filled),
                self.done,
                self.total
            );
            let _ = err.flush();
        } else if self.done % PROGRESS_EVERY == 0 && self.done < self.total {
            let _ = writeln!(err, "external links: {}/{} checked", self.done, self.total);
        }
    }

    fn finish(&mut self) {
        if self.bar && !self.quiet {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_links_are_told_from_others() {
        assert!(http_url("https://example.org/a").unwrap().is_some());
        assert_eq!(
            http_url("//example.org/a").unwrap().unwrap().as_str(),
            "https://example.org/a"
        );
        assert!(http_url("/article/x.html").unwrap().is_none());
        assert!(http_url("mailto:a@b.c").unwrap().is_none());
        assert!(http_url("ftp://host/file").unwrap().is_none());
        assert!(http_url("http://").is_err());
        assert_eq!(other_scheme("ftp://host/f").as_deref(), Some("ftp"));
        assert_eq!(other_scheme("/article/x.html"), None);
        assert_eq!(other_scheme("https://x/"), None);
    }

    #[test]
    fn keys_drop_fragments_and_private_hosts_are_known() {
        let u = url::Url::parse("https://Example.org/a#b").unwrap();
        assert_eq!(key(&u), "https://example.org/a");
        for private in [
            "http://localhost:8080/",
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://192.168.1.1/",
            "http://[::1]/",
            "http://[fe80::1]/",
        ] {
            assert!(
                is_private_host(&url::Url::parse(private).unwrap()),
                "{private}"
            );
        }
        assert!(!is_private_host(
            &url::Url::parse("https://microsoft.com/").unwrap()
        ));
    }

    #[test]
    fn only_settled_results_are_cacheable() {
        assert!(Outcome::Ok.cacheable());
        assert!(Outcome::Redirect { chain: vec![] }.cacheable());
        let status = |s| Outcome::Broken {
            status: Some(s),
            reason: String::new(),
        };
        assert!(status(404).cacheable());
        assert!(status(410).cacheable());
        assert!(!status(408).cacheable());
        assert!(!status(429).cacheable());
        assert!(!status(503).cacheable());
        assert!(!Outcome::Timeout.cacheable());
        assert!(!Outcome::RateLimited.cacheable());
        assert!(!Outcome::Broken {
            status: None,
            reason: "dns".into()
        }
        .cacheable());
    }
}
