//! `svcguide check --external`: the http(s) links of article bodies and items,
//! checked over the network with reqwest (rustls, no system OpenSSL).
//!
//! Every distinct URL (fragment dropped) is fetched once, however many places link
//! to it; each place gets its own diagnostic with the target exactly as written.
//! Requests are limited overall and per host, transient failures are retried with
//! doubling waits, and with `--cache` results younger than
//! `[external] max_age` are read from `.svcguide-cache/external.json`: successes,
//! redirects and definite failures (HTTP 4xx but 408 and 429) are cached, never
//! timeouts, rate limits, 5xx or network errors.
//!
//! Links of other schemes (`mailto:`, `ftp:`, `news:` ...) are not checked; they are
//! only counted in the summary line on stderr.
//!
//! Private hosts (loopback, private, link-local, unique-local, unspecified, in
//! every spelling: IPv4-mapped IPv6, decimal, octal, hex) are never contacted
//! unless `check_private = true`: a link to one is skipped, a host name is
//! resolved by our own resolver, which refuses private addresses at connect
//! time (so DNS rebinding cannot slip one in), and redirects are followed hop by
//! hop here, each hop vetted the same way. lychee-lib, used before, had no hook
//! for either.

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
    /// Not checked: a reserved example domain (`example.com`, `*.invalid` ...).
    Skipped,
    /// Not checked: the host name resolves to a private address.
    Private,
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
    if !crate::url::is_external(dest) || dest.starts_with("//") {
        return None;
    }
    dest.split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .filter(|s| s != "http" && s != "https")
}

/// Hosts that are not on the public internet, skipped unless `check_private =
/// true`: `localhost` names, and private addresses in any spelling (the URL
/// parser already reads decimal, octal and hex IPv4 as addresses).
fn is_private_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => is_private_ip(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_private_ip(std::net::IpAddr::V6(ip)),
        None => false,
    }
}

/// Loopback, private, link-local, shared (CGNAT), unique-local, unspecified,
/// multicast and broadcast addresses; an IPv6 address that carries an IPv4
/// one (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`,
/// 6to4 `2002::/16`) is judged by that IPv4 address.
pub fn is_private_ip(ip: std::net::IpAddr) -> bool {
    use std::net::{IpAddr, Ipv4Addr};
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            let embedded = if let Some(v4) = v6.to_ipv4() {
                // Mapped and compatible forms (`::1` is loopback, not 0.0.0.1).
                Some(v4)
            } else if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                Some(Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                ))
            } else if seg[0] == 0x2002 {
                Some(Ipv4Addr::new(
                    (seg[1] >> 8) as u8,
                    seg[1] as u8,
                    (seg[2] >> 8) as u8,
                    seg[2] as u8,
                ))
            } else {
                None
            };
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
                || (seg[0] & 0xffc0) == 0xfec0
                || embedded.is_some_and(|v4| is_private_ip(IpAddr::V4(v4)))
        }
    }
}

/// Reserved example names (RFC 2606, 6761): never fetched.
fn is_example_host(url: &url::Url) -> bool {
    let Some(url::Host::Domain(d)) = url.host() else {
        return false;
    };
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    ["example.com", "example.org", "example.net", "example.edu"]
        .iter()
        .any(|e| d == *e || d.ends_with(&format!(".{e}")))
        || [".test", ".example", ".invalid", ".localhost"]
            .iter()
            .any(|t| d.ends_with(t) || d == t[1..])
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
    let mut tally = Tally::default();
    let mut diags = Vec::new();
    let targets = collect_targets(ext, &excludes, guide, pages, &mut tally, &mut diags);
    let mut cache = options
        .cache
        .as_deref()
        .map(|p| load_cache(p, options.quiet));
    let now = now_secs();
    let (mut results, to_check) = from_cache(ext, cache.as_ref(), &targets, now, &mut tally);
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
    if let (Some(path), Some(c)) = (options.cache.as_deref(), cache) {
        store_cache(path, c, ext, now);
    }
    for (k, t) in &targets {
        let Some((outcome, cached)) = results.get(k) else {
            continue;
        };
        if *outcome == Outcome::Private {
            // Found out only by resolving the name: counted with the other private links.
            tally.checked -= 1;
            tally.private += t.places.len();
        }
        diags.extend(
            t.places
                .iter()
                .filter_map(|place| diagnostic(ext, place, outcome, *cached)),
        );
    }
    config.apply_levels(&mut diags);
    if !options.quiet {
        eprintln!("{} ({:.1?})", tally.summary(), started.elapsed());
    }
    Ok(diags)
}

/// The http(s) URLs the pages link to (the links exactly as the checker of
/// internal links saw them), each with the places that name it. Links that
/// cannot be a URL become diagnostics; excluded, private and other-scheme
/// links are counted.
fn collect_targets<'a>(
    ext: &ExternalConfig,
    excludes: &[regex::Regex],
    guide: &'a Guide,
    pages: &[RenderedPage],
    tally: &mut Tally,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Target<'a>> {
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
    targets
}

/// Outcomes by URL key, with whether each came from the cache.
type Results = HashMap<String, (Outcome, bool)>;

/// Splits the targets into those the cache still answers for (fresh and
/// cacheable) and those to fetch.
fn from_cache(
    ext: &ExternalConfig,
    cache: Option<&CacheFile>,
    targets: &BTreeMap<String, Target>,
    now: u64,
    tally: &mut Tally,
) -> (Results, Vec<(String, url::Url)>) {
    let mut results = HashMap::new();
    let mut to_check = Vec::new();
    for (k, t) in targets {
        let fresh = cache.and_then(|c| c.entries.get(k)).filter(|e| {
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
    (results, to_check)
}

/// Saves the cache without the entries too old to be trusted; a failure is
/// reported and not fatal (the check itself is done).
fn store_cache(path: &Path, mut cache: CacheFile, ext: &ExternalConfig, now: u64) {
    cache.version = 1;
    let max_age = ext.max_age.as_secs();
    cache
        .entries
        .retain(|_, e| e.checked <= now && now - e.checked < max_age && e.outcome.cacheable());
    if let Err(e) = save_cache(path, &cache) {
        eprintln!("external links: the cache was not saved: {e:#}");
    }
}

impl Tally {
    /// The line printed after the check (without its time).
    fn summary(&self) -> String {
        let mut line = format!(
            "external links: {} URL(s) checked, {} from cache",
            self.checked, self.cached
        );
        if self.excluded > 0 {
            line.push_str(&format!(", {} link(s) excluded", self.excluded));
        }
        if self.private > 0 {
            line.push_str(&format!(
                ", {} link(s) to private hosts skipped",
                self.private
            ));
        }
        if !self.other_schemes.is_empty() {
            let others: Vec<String> = self
                .other_schemes
                .iter()
                .map(|(s, n)| format!("{n} {s}:"))
                .collect();
            line.push_str(&format!(", not checked: {}", others.join(", ")));
        }
        line
    }
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
        Outcome::Ok | Outcome::Skipped | Outcome::Private => return None,
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

/// Redirects followed before a link counts as broken.
const MAX_REDIRECTS: usize = 10;

/// The resolver of guarded runs: it drops private addresses, so a public name
/// that resolves (or rebinds) to one is never connected to.
struct PublicOnly;

/// The error [`PublicOnly`] gives for a name with only private addresses.
#[derive(Debug)]
struct PrivateAddress(String);

impl std::fmt::Display for PrivateAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves only to private addresses", self.0)
    }
}

impl std::error::Error for PrivateAddress {}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<std::net::SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| !is_private_ip(a.ip()))
                .collect();
            // One private address is enough to refuse: a name that mixes them
            // is how a rebinding host picks its moment.
            if public.is_empty() || public.len() != found.len() {
                return Err(
                    Box::new(PrivateAddress(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// True when `e` (or a cause of it) is the resolver's [`PrivateAddress`].
fn is_private_address_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<PrivateAddress>()
            || err
                .to_string()
                .contains("resolves only to private addresses")
        {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The HTTP client: no redirects of its own (they are vetted hop by hop), and
/// unless `check_private`, a resolver that never yields a private address.
fn client(ext: &ExternalConfig) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(ext.timeout)
        .connect_timeout(ext.timeout.min(std::time::Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(format!(
            "svcguide/{} (link check)",
            env!("CARGO_PKG_VERSION")
        ));
    if !ext.check_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build().context("cannot set up the HTTP client")
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // Built inside the runtime: the connector registers with its reactor.
    let client = runtime.block_on(async { client(ext) })?;
    runtime.block_on(async {
        let overall = Arc::new(tokio::sync::Semaphore::new(ext.concurrency));
        let mut per_host: HashMap<String, Arc<tokio::sync::Semaphore>> = HashMap::new();
        let mut tasks = tokio::task::JoinSet::new();
        let (retries, retry_wait, guard) = (ext.retries, ext.retry_wait, !ext.check_private);
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
                let mut outcome = check_one(&client, &url, guard).await;
                // Transient answers are tried again: timeouts, 429, 5xx, lost connections.
                let mut wait = retry_wait;
                for _ in 0..retries {
                    if !outcome.1 {
                        break;
                    }
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                    outcome = check_one(&client, &url, guard).await;
                }
                (k, outcome.0)
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

/// Fetches one URL, following redirects hop by hop; the outcome, and whether it
/// is worth another try.
async fn check_one(client: &reqwest::Client, url: &url::Url, guard: bool) -> (Outcome, bool) {
    if is_example_host(url) {
        return (Outcome::Skipped, false);
    }
    let mut chain = vec![url.to_string()];
    let mut current = url.clone();
    loop {
        let response = match client.get(current.clone()).send().await {
            Ok(r) => r,
            Err(e) => return send_failure(&e, chain.len() == 1, &current),
        };
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        drop(response);
        if let (true, Some(location)) = (status.is_redirection(), location) {
            let next = match current.join(&location) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => u,
                _ => {
                    return (
                        Outcome::Broken {
                            status: Some(status.as_u16()),
                            reason: format!(
                                "redirects to `{location}`, which is not an http(s) URL"
                            ),
                        },
                        false,
                    )
                }
            };
            if guard && is_private_host(&next) {
                return (private_hop(&next), false);
            }
            if chain.len() > MAX_REDIRECTS {
                return (
                    Outcome::Broken {
                        status: Some(status.as_u16()),
                        reason: format!("more than {MAX_REDIRECTS} redirects"),
                    },
                    false,
                );
            }
            chain.push(next.to_string());
            current = next;
            continue;
        }
        return final_outcome(status, chain);
    }
}

/// The outcome of a request that got no response (and whether to retry):
/// a private address (at the first URL, or `current` after redirects), a
/// timeout, or another failure.
fn send_failure(e: &reqwest::Error, first: bool, current: &url::Url) -> (Outcome, bool) {
    if is_private_address_error(e) {
        return if first {
            (Outcome::Private, false)
        } else {
            (private_hop(current), false)
        };
    }
    if e.is_timeout() {
        return (Outcome::Timeout, true);
    }
    let transient = e.is_connect() || e.is_request();
    (
        Outcome::Broken {
            status: None,
            reason: error_chain(e),
        },
        transient,
    )
}

/// The outcome of the last response of a redirect `chain` (and whether to
/// retry): fine, fine after redirects, rate-limited or broken.
fn final_outcome(status: reqwest::StatusCode, chain: Vec<String>) -> (Outcome, bool) {
    match status.as_u16() {
        200..=299 if chain.len() > 1 && chain.last() != chain.first() => {
            (Outcome::Redirect { chain }, false)
        }
        200..=299 => (Outcome::Ok, false),
        429 => (Outcome::RateLimited, true),
        code => (
            Outcome::Broken {
                status: Some(code),
                reason: status.canonical_reason().unwrap_or("").to_string(),
            },
            code >= 500,
        ),
    }
}

/// A redirect to a private host: not followed, and reported.
fn private_hop(to: &url::Url) -> Outcome {
    Outcome::Broken {
        status: None,
        reason: format!("redirects to a private address ({to}), which is not followed"),
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
    fn every_spelling_of_a_private_host_is_private() {
        for private in [
            "http://[::ffff:127.0.0.1]:1/",
            "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:127.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:c0a8:101::1]/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.0.0.1/",
            "http://0x7f000001/",
            "http://127.1/",
            "http://0/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://[fd00::1]/",
            "http://[fe80::1%25eth0]/",
            "http://100.64.0.1/",
            "http://172.16.0.1/",
            "http://169.254.169.254/",
            "http://LOCALHOST./",
            "http://a.localhost/",
        ] {
            match url::Url::parse(private) {
                Ok(u) => assert!(is_private_host(&u), "{private}"),
                // A spelling the URL parser refuses is never fetched either.
                Err(_) => assert!(http_url(private).is_err(), "{private}"),
            }
        }
        for public in [
            "http://93.184.216.34/",
            "http://1.1.1.1/",
            "http://[2606:4700:4700::1111]/",
            "http://[::ffff:1.1.1.1]/",
            "https://microsoft.com/",
        ] {
            assert!(
                !is_private_host(&url::Url::parse(public).unwrap()),
                "{public}"
            );
        }
    }

    /// A server on 127.0.0.1 whose `/hop-*` paths redirect to private spellings
    /// of itself; it counts the requests for `/secret`.
    fn redirecting_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let secret = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let hits = secret.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(50) {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                let mut buf = [0u8; 2048];
                let n = stream.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                let answer = match path.as_str() {
                    "/hop-mapped" => format!("HTTP/1.1 302 Found\r\nLocation: http://[::ffff:127.0.0.1]:{port}/secret\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                    "/hop-decimal" => format!("HTTP/1.1 301 Moved\r\nLocation: http://2130706433:{port}/secret\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                    "/hop-name" => format!("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://localhost:{port}/secret\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                    _ => {
                        hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                    }
                };
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (port, secret)
    }

    #[test]
    fn redirects_and_names_leading_to_private_addresses_are_not_followed() {
        let (port, secret) = redirecting_server();
        let ext = ExternalConfig {
            timeout: std::time::Duration::from_secs(5),
            ..ExternalConfig::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let client = client(&ext).unwrap();
            // The first hop is private too here (the test has no public server);
            // `check` skips such links before this point, so fetch them directly.
            for hop in ["hop-mapped", "hop-decimal", "hop-name"] {
                let url = url::Url::parse(&format!("http://127.0.0.1:{port}/{hop}")).unwrap();
                let (outcome, retry) = check_one(&client, &url, true).await;
                assert!(!retry);
                match outcome {
                    Outcome::Broken { reason, .. } => {
                        assert!(reason.contains("private address"), "{hop}: {reason}")
                    }
                    other => panic!("{hop}: {other:?}"),
                }
            }
            // A name is resolved by the guarded resolver, which refuses loopback
            // (`check_one` skips `localhost` itself as reserved, so ask the client).
            use reqwest::dns::Resolve as _;
            let refused = PublicOnly.resolve("localhost".parse().unwrap()).await;
            assert!(refused.is_err_and(|e| e.is::<PrivateAddress>()));
            let err = client
                .get(format!("http://localhost:{port}/secret"))
                .send()
                .await
                .unwrap_err();
            assert!(is_private_address_error(&err), "{err:?}");
        });
        assert_eq!(secret.load(std::sync::atomic::Ordering::SeqCst), 0);
        // With `check_private = true` the same redirect is followed.
        let ext = ExternalConfig {
            check_private: true,
            ..ext
        };
        runtime.block_on(async {
            let client = client(&ext).unwrap();
            let url = url::Url::parse(&format!("http://127.0.0.1:{port}/hop-decimal")).unwrap();
            let (outcome, _) = check_one(&client, &url, false).await;
            assert!(matches!(outcome, Outcome::Redirect { .. }), "{outcome:?}");
        });
        assert_eq!(secret.load(std::sync::atomic::Ordering::SeqCst), 1);
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
