//! Generates a synthetic Services Guide in the house format, for benchmarks and
//! load tests: cross-linked service articles (Depends/Supports, some unmirrored,
//! some pointing at services that were never written), OS-labelled states, process
//! names with svchost groups, multi-paragraph descriptions with links, plus the
//! how-to pages the articles link to.
//!
//!     cargo run --release --example gen_corpus -- N DIR [--shape S] [--seed S]
//!                                         [--missing R] [--crlf R] [--force]
//!
//! `--shape` is the dependency graph's shape:
//!
//! * `layered` (the default): like Windows itself, every 100th service is a
//!   "core" one and every 10th a "mid" one; leaves depend on mid and core
//!   services, with a few two-service cycles;
//! * `chain`: each service depends on 1-5 of the ~60 written before it, in an
//!   order unrelated to the file names, the way a mature layered system grows
//!   (long chains: most of the guide stops with the first services);
//! * `ring`: each service depends on the next, the last on the first (one
//!   cycle through everything);
//! * `hub`: one service that every other depends on, plus up to two other
//!   random dependencies each.
//!
//! Writes `DIR/services/winnt-services-svcNNNNN.html.md` (N articles) and
//! `DIR/howto/*.html.md`. The output is deterministic for a given N and seed.
//! `--missing R` is the share of articles that also depend on a service that was
//! never written (default 0.01; the real guide has a few such links); `--crlf R`
//! the share of files saved with CRLF line ends (default 0.05). DIR must not exist or be empty unless
//! `--force` is given.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// splitmix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "network",
    "printer",
    "disk",
    "registry",
    "driver",
    "session",
    "logon",
    "remote",
    "update",
    "cache",
    "index",
    "event",
    "policy",
    "domain",
    "share",
    "device",
    "power",
    "audio",
    "display",
    "certificate",
    "backup",
    "time",
    "clock",
    "user",
    "account",
    "message",
    "queue",
    "storage",
    "volume",
    "shadow",
    "copy",
    "telephony",
    "modem",
    "fax",
    "media",
    "stream",
    "browser",
    "name",
    "address",
    "route",
    "firewall",
    "connection",
    "dial-up",
    "wireless",
    "smart card",
    "license",
    "performance",
    "counter",
    "log",
    "alert",
    "error",
    "report",
    "helper",
    "transfer",
    "protocol",
    "discovery",
    "host",
    "provider",
    "manager",
    "agent",
    "monitor",
    "server",
    "client",
];

const NOUNS: &[&str] = &[
    "Manager",
    "Service",
    "Host",
    "Provider",
    "Agent",
    "Monitor",
    "Helper",
    "Server",
    "Client",
    "Broker",
    "Spooler",
    "Discovery",
    "Notification",
    "Transfer",
    "Locator",
];

const ADJ: &[&str] = &[
    "Remote",
    "Network",
    "Windows",
    "Secure",
    "Distributed",
    "Portable",
    "Background",
    "Intelligent",
    "Plug and Play",
    "Shell",
    "Media",
    "Smart Card",
    "Telephony",
    "Wireless",
    "Diagnostic",
    "Application",
    "Volume",
    "Print",
    "Power",
    "Time",
];

const GROUPS: &[&str] = &[
    "netsvcs",
    "LocalService",
    "NetworkService",
    "LocalSystemNetworkRestricted",
    "imgsvc",
    "rpcss",
    "DcomLaunch",
    "LocalServiceNoNetwork",
    "wersvc",
];

const LABELS: &[&str] = &[
    "Win8/Win7/Vista",
    "WinXP SP2/Win2k3",
    "WinXP/2k3",
    "Win2k/WinNT4",
    "Win2k Srv.",
    "Win2k Pro",
    "WinXP SP2+",
    "Vista Business/Ultimate",
    "Win2k3 Enterprise/Datacenter/Web",
    "Win7\\\\Vista\\\\WinXP\\\\Win2k\\\\WinNT4",
    "Windows 7 Pro",
    "WinNT4",
    "Win8",
    "Vista Home Basic",
];

const STATES: &[&str] = &["Automatic", "Manual", "Disabled", "Not installed"];
const QUALIFIERS: &[&str] = &[
    " (Delayed Start)",
    " (Trigger Start)",
    " (Not Started)",
    "",
    "",
    "",
    "",
];
const CONDITIONS: &[&str] = &[
    "",
    ", if not having a printer.",
    ", vital part",
    ", if in a Workgroup",
    ", if no network.",
    ".",
    "",
];

struct Svc {
    slug: String,
    title: String,
    short: String,
}

fn title_for(i: usize, rng: &mut Rng) -> String {
    format!("{} {} {i}", rng.pick(ADJ), rng.pick(NOUNS))
}

fn sentence(rng: &mut Rng, links: &[&Svc]) -> String {
    let n = 8 + rng.below(14);
    let mut s = String::new();
    for k in 0..n {
        if k > 0 {
            s.push(' ');
        }
        let w = rng.pick(WORDS);
        if k == 0 {
            let mut c = w.chars();
            let first = c.next().unwrap().to_ascii_uppercase();
            s.push(first);
            s.push_str(c.as_str());
        } else {
            s.push_str(w);
        }
        if !links.is_empty() && rng.chance(0.05) {
            let t = rng.pick(links);
            let _ = write!(s, " ([{}](/article/{}.html))", t.title, t.slug);
        }
    }
    s.push('.');
    s
}

fn label(rng: &mut Rng, seps: bool) -> String {
    let sep = if seps {
        *rng.pick(&[": ", " : ", " - ", ": ", ": "])
    } else {
        ": "
    };
    format!("{}{sep}", rng.pick(LABELS))
}

fn state(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        rng.pick(STATES),
        rng.pick(QUALIFIERS),
        rng.pick(CONDITIONS)
    )
}

fn article(
    i: usize,
    svcs: &[Svc],
    depends: &[usize],
    supports: &[usize],
    missing: &[String],
    rng: &mut Rng,
) -> String {
    let s = &svcs[i];
    let mut out = String::new();
    let _ = writeln!(out, "---");
    if rng.chance(0.5) {
        let _ = writeln!(out, "title: '{}'", s.title);
    } else {
        let _ = writeln!(out, "title: {}", s.title);
    }
    let year = 2000 + rng.below(13);
    let _ = writeln!(
        out,
        "date: '{year}-{:02}-{:02}T{:02}:{:02}:{:02}+02:00'",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    );
    let _ = writeln!(out, "status: publish");
    let _ = writeln!(out, "permalink: /article/{}.html", s.slug);
    let _ = writeln!(out, "author: generated");
    let _ = writeln!(
        out,
        "excerpt: 'Description and recommended settings for the {} service.'",
        s.title
    );
    let _ = writeln!(out, "type: post");
    let _ = writeln!(out, "id: {}", 10_000 + i);
    let _ = writeln!(out, "category:");
    for _ in 0..1 + rng.below(3) {
        let _ = writeln!(out, "    - 'Services Guide'");
    }
    if rng.chance(0.2) {
        let _ = writeln!(out, "tag: []");
    } else {
        let _ = writeln!(out, "tag:");
        for _ in 0..1 + rng.below(3) {
            let _ = writeln!(out, "    - {}", rng.pick(WORDS).replace(' ', "-"));
        }
    }
    let _ = writeln!(out, "post_format: []");
    if rng.chance(0.3) {
        let _ = writeln!(
            out,
            "tags:\n    - '{},{}'",
            rng.pick(WORDS),
            rng.pick(WORDS)
        );
    } else {
        let _ = writeln!(out, "tags:\n    - ''");
    }
    let _ = writeln!(out, "---");
    let near: Vec<&Svc> = depends.iter().chain(supports).map(|&j| &svcs[j]).collect();
    let _ = writeln!(out, "##### Description:\n");
    for p in 0..1 + rng.below(3) {
        let mut para = String::new();
        for k in 0..2 + rng.below(4) {
            if k > 0 {
                para.push(' ');
            }
            para.push_str(&sentence(rng, &near));
        }
        if p == 0 && rng.chance(0.3) {
            para.push_str(" See [the svchost groups](/article/winnt-services-wrapper.html).");
        }
        let _ = writeln!(out, "{para}\n");
    }
    if rng.chance(0.2) {
        let kb = 100_000 + rng.below(800_000);
        let _ = writeln!(
            out,
            "More Info: [MS KB{kb}](http://support.microsoft.com/kb/{kb})\n"
        );
    }
    let rec = if rng.chance(0.5) {
        "Recommended State"
    } else {
        "Recommended state"
    };
    let _ = writeln!(out, "##### {rec}:\n");
    for _ in 0..1 + rng.below(2) {
        let _ = writeln!(out, "- {}", state(rng));
    }
    let _ = writeln!(out, "\n##### Default State:\n");
    let n = 1 + rng.below(3);
    for k in 0..n {
        if n == 1 && rng.chance(0.5) {
            let _ = writeln!(out, "- {}", state(rng));
        } else {
            let _ = writeln!(out, "- {}{}", label(rng, k > 0), state(rng));
        }
    }
    let proc_heading = if rng.chance(0.5) {
        "Process Name"
    } else {
        "Proces name"
    };
    let _ = writeln!(out, "\n##### {proc_heading}:\n");
    let short = s.short.replace('_', "\\_");
    match rng.below(4) {
        0 => {
            let _ = writeln!(out, "- {}.exe ({short})", s.short.to_lowercase());
        }
        1 => {
            let _ = writeln!(
                out,
                "- {}[svchost.exe -k {}](/article/winnt-services-wrapper.html) ({short})\n- WinNT4: services.exe ({short})",
                label(rng, false),
                rng.pick(GROUPS)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "- [svchost.exe -k {}](/article/winnt-services-wrapper.html) ({short})",
                rng.pick(GROUPS)
            );
        }
    }
    let refs = |out: &mut String, list: &[usize], extra: &[String], rng: &mut Rng| {
        if list.is_empty() && extra.is_empty() {
            let _ = writeln!(out, "- {}", if rng.chance(0.5) { "None" } else { "none" });
            return;
        }
        for &j in list {
            let q = *rng.pick(&["", "", "", " (Vista+)", " (WinXP only)", " (Unofficial)"]);
            let _ = writeln!(
                out,
                "- [{}](/article/{}.html){q}",
                svcs[j].title, svcs[j].slug
            );
        }
        for m in extra {
            let _ = writeln!(
                out,
                "- [{m}](/article/winnt-services-{}.html)",
                m.to_lowercase()
            );
        }
    };
    let _ = writeln!(out, "\n##### Supports:\n");
    refs(&mut out, supports, &[], rng);
    let _ = writeln!(out, "\n##### Depends:\n");
    refs(&mut out, depends, missing, rng);
    if rng.chance(0.1) {
        let _ = writeln!(out, "- NetBIOSGroup");
    }
    // House format: no newline at the end of the file.
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

fn howto(slug: &str, title: &str, id: usize, links: &[&Svc]) -> String {
    let mut out = format!(
        "---\ntitle: '{title}'\ndate: '2003-09-21T11:05:30+02:00'\nstatus: publish\npermalink: /article/{slug}.html\nauthor: generated\ntype: post\nid: {id}\ncategory:\n    - Troubleshoot\ntag: []\npost_format: []\n---\n##### About\n\nThis page explains {title}.\n\n##### Examples\n\n"
    );
    for s in links {
        let _ = writeln!(out, "- [{}](/article/{}.html)", s.title, s.slug);
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

fn usage() -> ! {
    eprintln!(
        "usage: gen_corpus N DIR [--shape layered|chain|ring|hub] [--seed S] [--missing RATE] [--crlf RATE] [--force]"
    );
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut seed = 1u64;
    let mut missing_rate = 0.01;
    let mut crlf_rate = 0.05;
    let mut force = false;
    let mut shape = Shape::Layered;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => {
                seed = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--missing" => {
                missing_rate = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--crlf" => {
                crlf_rate = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--shape" => {
                shape = it
                    .next()
                    .and_then(|v| Shape::parse(v))
                    .unwrap_or_else(|| usage())
            }
            "--force" => force = true,
            "-h" | "--help" => usage(),
            _ => positional.push(a.clone()),
        }
    }
    let [n, dir] = positional.as_slice() else {
        usage()
    };
    let n: usize = n.parse().unwrap_or_else(|_| usage());
    let dir = PathBuf::from(dir);
    if dir.exists() && !force && std::fs::read_dir(&dir).map_or(true, |mut d| d.next().is_some()) {
        eprintln!(
            "gen_corpus: {} exists and is not empty (pass --force to write into it)",
            dir.display()
        );
        std::process::exit(1);
    }
    let started = std::time::Instant::now();
    let written =
        generate_shaped(n, &dir, shape, seed, missing_rate, crlf_rate).unwrap_or_else(|e| {
            eprintln!("gen_corpus: {e}");
            std::process::exit(1);
        });
    eprintln!(
        "wrote {written} articles into {} in {:.2?}",
        dir.display(),
        started.elapsed()
    );
}

/// The shape of the generated dependency graph (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Layered,
    Chain,
    Ring,
    Hub,
}

impl Shape {
    pub const ALL: [Shape; 4] = [Shape::Layered, Shape::Chain, Shape::Ring, Shape::Hub];

    pub fn parse(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Shape::Layered => "layered",
            Shape::Chain => "chain",
            Shape::Ring => "ring",
            Shape::Hub => "hub",
        }
    }
}

/// A `layered` guide (see [`generate_shaped`]).
pub fn generate(
    n: usize,
    dir: &Path,
    seed: u64,
    missing_rate: f64,
    crlf_rate: f64,
) -> std::io::Result<usize> {
    generate_shaped(n, dir, Shape::Layered, seed, missing_rate, crlf_rate)
}

/// Writes `n` service articles whose Depends form `shape`, and the how-to pages.
pub fn generate_shaped(
    n: usize,
    dir: &Path,
    shape: Shape,
    seed: u64,
    missing_rate: f64,
    crlf_rate: f64,
) -> std::io::Result<usize> {
    let mut rng = Rng(seed);
    let svcs: Vec<Svc> = (0..n)
        .map(|i| {
            let short = format!("Svc{i:05}");
            Svc {
                slug: format!("winnt-services-{}", short.to_lowercase()),
                title: title_for(i, &mut rng),
                short,
            }
        })
        .collect();
    let depends = match shape {
        Shape::Layered => layered(n, &mut rng),
        Shape::Chain => chain(n, &mut rng),
        Shape::Ring => (0..n)
            .map(|i| if n > 1 { vec![(i + 1) % n] } else { vec![] })
            .collect(),
        Shape::Hub => hub(n, &mut rng),
    };
    let mut supports: Vec<Vec<usize>> = vec![vec![]; n];
    for (i, deps) in depends.iter().enumerate() {
        for &j in deps {
            // Most edges are mirrored, as in the real guide; the rest feed the graph checks.
            if rng.chance(0.97) && !supports[j].contains(&i) {
                supports[j].push(i);
            }
        }
    }
    let services = dir.join("services");
    let howtos = dir.join("howto");
    std::fs::create_dir_all(&services)?;
    std::fs::create_dir_all(&howtos)?;
    for i in 0..n {
        let missing: Vec<String> = if rng.chance(missing_rate) {
            vec![format!("NeverWritten{}", rng.below(n.max(10) / 10))]
        } else {
            vec![]
        };
        let mut text = article(i, &svcs, &depends[i], &supports[i], &missing, &mut rng);
        if rng.chance(crlf_rate) {
            text = text.replace('\n', "\r\n");
        }
        std::fs::write(services.join(format!("{}.html.md", svcs[i].slug)), text)?;
    }
    let sample: Vec<&Svc> = svcs.iter().take(20).collect();
    std::fs::write(
        howtos.join("winnt-services-wrapper.html.md"),
        howto(
            "winnt-services-wrapper",
            "Service host processes explained",
            9_001,
            &sample,
        ),
    )?;
    std::fs::write(
        howtos.join("winnt-services-startup-type.html.md"),
        howto(
            "winnt-services-startup-type",
            "How to change the startup type of a service",
            9_002,
            &sample[..sample.len().min(5)],
        ),
    )?;
    Ok(n)
}

/// Depends of a layered guide.
fn layered(n: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    // A layered system like Windows itself: every 100th service is "core" (like RPC),
    // every 10th a "mid" service; leaves depend on mid and core services, mid ones on
    // core ones, core ones on lower core ones. A few back edges make cycles (the real
    // guide has dfs <-> ntfrs). Supports mirrors about half of the Depends edges.
    let layer = |i: usize| match i {
        _ if i % 100 == 0 => 0,
        _ if i % 10 == 0 => 1,
        _ => 2,
    };
    let pick_in = |rng: &mut Rng, step: usize| -> usize {
        let count = n.div_ceil(step);
        rng.below(count) * step
    };
    let mut depends: Vec<Vec<usize>> = vec![vec![]; n];
    for (i, deps) in depends.iter_mut().enumerate() {
        let wanted = match layer(i) {
            0 => usize::from(i > 0 && rng.chance(0.5)),
            1 => rng.below(3),
            _ => rng.below(4),
        };
        for _ in 0..wanted {
            let j = match layer(i) {
                0 => rng.below(i / 100) * 100,
                1 => pick_in(rng, 100),
                _ if rng.chance(0.3) => pick_in(rng, 100),
                _ => pick_in(rng, 10),
            };
            if j != i && j < n && !deps.contains(&j) {
                deps.push(j);
            }
        }
    }
    // Two-service cycles among mid services.
    for k in 0..(n / 1000) {
        let (a, b) = (10 + k * 1000, 20 + k * 1000);
        if b < n {
            if !depends[a].contains(&b) {
                depends[a].push(b);
            }
            if !depends[b].contains(&a) {
                depends[b].push(a);
            }
        }
    }
    depends
}

/// Depends of a chain: in a random order of the services, each depends on 1-5
/// of the 60 before it.
fn chain(n: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        order.swap(k, rng.below(k + 1));
    }
    let mut depends: Vec<Vec<usize>> = vec![vec![]; n];
    for p in 1..n {
        let wanted = 1 + rng.below(5);
        let window = p.min(60);
        for _ in 0..wanted {
            let j = order[p - 1 - rng.below(window)];
            let deps = &mut depends[order[p]];
            if !deps.contains(&j) {
                deps.push(j);
            }
        }
    }
    depends
}

/// Depends of a hub guide: everything on service 0, and up to two others.
fn hub(n: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut depends: Vec<Vec<usize>> = vec![vec![]; n];
    for (i, deps) in depends.iter_mut().enumerate().skip(1) {
        deps.push(0);
        for _ in 0..rng.below(3) {
            let j = rng.below(n);
            if j != i && !deps.contains(&j) {
                deps.push(j);
            }
        }
    }
    depends
}
