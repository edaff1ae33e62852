//! The `svcguide` command line: argument parsing and dispatch only.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use svcguide::config::{Config, Overrides};
use svcguide::diag::{Diagnostic, Severity};
use svcguide::report::{self, Format};

#[derive(Parser)]
#[command(
    name = "svcguide",
    version,
    about = "Build, check and preview the Services Guide, a reference of Windows services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the static site (by default ./content into ./public).
    Build(BuildArgs),
    /// Check links, structure and the dependency graph without writing anything.
    Check(CheckArgs),
    /// Preview the guide on http://127.0.0.1, rebuilt and reloaded on every change.
    Serve(svcguide::serve::ServeArgs),
    /// Start a new service article in the house format.
    New(svcguide::scaffold::NewArgs),
    /// Print a shell completion script.
    Completions(svcguide::scaffold::CompletionsArgs),
}

#[derive(Args)]
struct Common {
    /// Content folder (default: `content` from svcguide.toml, else ./content).
    #[arg(long, value_name = "DIR")]
    content: Option<PathBuf>,
    /// Configuration file (default: ./svcguide.toml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Override the site's base URL (e.g. https://example.org/guide/).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Also publish articles whose status is not `publish`.
    #[arg(long)]
    drafts: bool,
    /// A folder copied as it is to the site root (repeatable; default: `static`
    /// from svcguide.toml, else ./static when it exists).
    #[arg(long = "static", value_name = "DIR")]
    static_dirs: Vec<PathBuf>,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    common: Common,
    /// Output folder (default: `output` from svcguide.toml, else ./public).
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Open the built home page in a browser.
    #[arg(long)]
    open: bool,
    /// Print only errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Report only what a change to these files causes: their own diagnostics, and broken
    /// links and fragments in other articles that point into them. Paths as `check` prints
    /// them, relative to the content folder, or absolute.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    changed: Vec<PathBuf>,
    /// As --changed, for every file changed since this git revision (committed or not),
    /// deleted and renamed files included.
    #[arg(long, value_name = "GIT_REV", conflicts_with = "changed")]
    since: Option<String>,
    /// Also check external http(s) links over the network (settings: [external] in svcguide.toml).
    #[arg(long)]
    external: bool,
    /// With --external: reuse results younger than [external] max_age from
    /// .svcguide-cache/external.json (beside svcguide.toml, else in the current folder).
    #[arg(long, requires = "external")]
    cache: bool,
}

/// Exit code of a command line svcguide cannot understand (sysexits.h EX_USAGE).
const USAGE_ERROR: u8 = 64;

// The build allocates many small strings on every core; mimalloc handles that
// pattern better than the system allocator (src/memory.rs sets it up).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    svcguide::memory::tune();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed. A usage error
            // exits 64 (EX_USAGE), not clap's 2: 2 means "errors found".
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(USAGE_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Build(args) => build(args).map(end_now),
        Command::Check(args) => check(args).map(end_now),
        Command::Serve(args) => svcguide::serve::run(args),
        Command::New(args) => svcguide::scaffold::run(args),
        Command::Completions(args) => {
            svcguide::scaffold::completions(args, &mut <Cli as clap::CommandFactory>::command())
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("svcguide: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Ends the process with `code` once the output is flushed, without the
/// allocator's cleanup at exit: mimalloc hands every page of a build's model
/// back to the system one by one (tens of milliseconds at 10,000 articles)
/// for a process that is about to end. Every file is written and closed by now.
fn end_now(code: u8) -> ExitCode {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    #[cfg(unix)]
    // SAFETY: `_exit` ends the process; nothing after it runs, and the only
    // buffered output (stdout, stderr) was flushed above.
    unsafe {
        libc::_exit(i32::from(code))
    }
    #[cfg(not(unix))]
    ExitCode::from(code)
}

fn config(common: &Common) -> anyhow::Result<Config> {
    Overrides {
        config: common.config.clone(),
        content: common.content.clone(),
        base_url: common.base_url.clone(),
        drafts: common.drafts,
        static_dirs: common.static_dirs.clone(),
    }
    .load()
}

fn build(args: BuildArgs) -> anyhow::Result<u8> {
    let mut config = config(&args.common)?;
    if let Some(o) = &args.output {
        config.output = std::path::absolute(o)?;
    }
    let content = config.resolve(&config.content);
    let output = config.resolve(&config.output);
    svcguide::output::check_output_dir(&output, &content)?;
    let started = std::time::Instant::now();
    // Files go to a folder beside the output as they are made; it replaces the
    // output once every file is written (the build closes it, then finishes its
    // checks). A build that fails before that leaves the output as it was.
    let staging = svcguide::output::Staging::begin(&output)?;
    let mut site = svcguide::site::build_into(&config, &staging, svcguide::site::Work::Everything)?;
    // In a build, only problems that keep a page out are errors; the rest are warnings.
    let diags: Vec<Diagnostic> = std::mem::take(&mut site.diags)
        .into_iter()
        .map(|mut d| {
            d.severity = if d.code.stops_page() {
                Severity::Error
            } else {
                d.severity.max(Severity::Warning)
            };
            d
        })
        .filter(|d| !args.quiet || d.severity == Severity::Error)
        .collect();
    if !diags.is_empty() {
        eprint!(
            "{}",
            report::human(&diags, &content, std::io::stderr().is_terminal())
        );
    }
    let failed = diags.iter().any(|d| d.severity == Severity::Error);
    if !args.quiet {
        let search_bytes = site.search_bytes;
        if search_bytes > 0 {
            eprintln!(
                "search index + doc store: {:.1} KB (budget {:.1} KB)",
                search_bytes as f64 / 1024.0,
                config.search.max_bytes as f64 / 1024.0
            );
        }
        eprintln!(
            "built {} pages ({} services) into {} in {:.2?}",
            site.guide.pages.len(),
            site.guide.services.len(),
            output.display(),
            started.elapsed()
        );
        // As in `check`: a closed stdout (`| head`) is no reason to fail.
        let _ = writeln!(
            std::io::stdout(),
            "open {}",
            output.join("index.html").display()
        );
    }
    if args.open {
        open_in_browser(&output.join("index.html"));
    }
    // The process ends here: freeing the model and its many small allocations
    // one by one would only cost time.
    std::mem::forget(site);
    Ok(if failed { 2 } else { 0 })
}

/// Hands the page to the desktop's opener (`open` crate: xdg-open, gio, ... on
/// Linux; open on macOS; the shell on Windows), without waiting for it.
fn open_in_browser(path: &std::path::Path) {
    if let Err(e) = open::that_detached(path) {
        eprintln!(
            "could not start a browser ({e}); open {} in one",
            path.display()
        );
    }
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    if (args.external || args.cache) && !cfg!(feature = "external") {
        anyhow::bail!(
            "this svcguide was built without the `external` feature, so `check --external` is \
             not available; rebuild with default features (cargo build --features external)"
        );
    }
    let config = config(&args.common)?;
    let content = config.resolve(&config.content);
    let changed = match &args.since {
        Some(rev) => Some(svcguide::changed::since(rev)?),
        None if !args.changed.is_empty() => {
            Some(svcguide::changed::given(&args.changed, &content)?)
        }
        None => None,
    };
    #[allow(unused_mut)]
    // Nothing is written: the files are dropped once the checks have seen them.
    let mut site = svcguide::site::build_into(
        &config,
        &svcguide::output::Discard,
        svcguide::site::Work::Checks,
    )?;
    #[cfg(feature = "external")]
    if args.external {
        let options = svcguide::check::external::Options::new(&config, args.cache);
        // The diagnostics come back with the configured levels applied.
        let found = svcguide::check::external::check(&config, &site.guide, &site.pages, &options)?;
        site.diags.extend(found);
        svcguide::diag::normalise(&mut site.diags);
    }
    if let Some(changed) = changed {
        svcguide::changed::retain(&mut site.diags, &changed, &content, &site.guide);
    }
    let colour = args.format == Format::Human && std::io::stdout().is_terminal();
    // A reader that stops early (`| head`) is not an error of the check.
    let report = report::print(args.format, &site.diags, &content, colour);
    if let Err(e) = std::io::stdout().lock().write_all(report.as_bytes()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    let failed = site.diags.iter().any(|d| d.severity == Severity::Error);
    // As in `build`: the process ends here, no need to free the model.
    std::mem::forget(site);
    Ok(if failed { 2 } else { 0 })
}
