//! Authoring helpers: `svcguide new` writes a service article in the house
//! format with guidance text (`check::placeholders` reports what the author
//! has not replaced yet, code `scaffold-todo`), and `svcguide completions`
//! prints a shell completion script.
//!
//! The guidance text is written so that it parses: every list item is a valid
//! item (a state word first, a `(ShortName)` process, `None`), and each carries
//! the marker `TODO:` followed by what to write. `svcguide check` on a fresh
//! scaffold therefore reports what is left to fill in, not parser failures.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use clap::Args;

use crate::check::placeholders::MARKER;

#[derive(Args, Debug, Clone)]
pub struct NewArgs {
    /// The service's short name (as `sc query` shows it), e.g. `Spooler`.
    #[arg(value_name = "SHORT-NAME")]
    pub short_name: String,
    /// The display name, used as the article's title (default: the short name).
    #[arg(long, value_name = "NAME")]
    pub title: Option<String>,
    /// Content folder (default: `content` from svcguide.toml, else ./content).
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Configuration file (default: ./svcguide.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Author in the front matter (default: the most common author of the guide).
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
    /// Print only the path of the new file.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug, Clone)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `svcguide completions <shell>`: the script goes to stdout.
pub fn completions(args: CompletionsArgs, cmd: &mut clap::Command) -> Result<ExitCode> {
    let name = cmd.get_name().to_string();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, cmd, name, &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A short name fit for a permalink: letters, digits, `-` and `_`.
pub fn slug_for(short_name: &str) -> Result<String> {
    let s = short_name.trim();
    if s.is_empty() {
        bail!("the short name is empty");
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        bail!(
            "the short name `{s}` holds `{c}`; use the service's short name (letters, digits, `-` and `_`), e.g. `Spooler`"
        );
    }
    Ok(format!("winnt-services-{}", s.to_ascii_lowercase()))
}

/// What the existing articles say: the highest id, the most common author, the
/// permalinks in use (drafts included: their ids and permalinks are taken too).
#[derive(Debug, Default)]
pub struct Existing {
    pub max_id: u64,
    pub author: Option<String>,
    pub permalinks: BTreeMap<String, String>,
}

/// Reads the front matter of every article with the site's own reader; files
/// it cannot read are skipped (`check` reports them).
pub fn existing(content: &Path) -> Existing {
    let mut out = Existing::default();
    let mut authors: BTreeMap<String, usize> = BTreeMap::new();
    let mut diags = Vec::new();
    let (articles, _) = crate::load::discover(content, &mut diags);
    for (rel, path) in articles {
        let Ok(src) = crate::load::read_source(&rel, &path) else {
            continue;
        };
        let Some((fm, _)) = crate::frontmatter::parse(&src, &mut diags) else {
            continue;
        };
        if let Some(id) = fm
            .id
            .as_deref()
            .and_then(|id| id.trim().parse::<u64>().ok())
        {
            out.max_id = out.max_id.max(id);
        }
        if let Some(author) = fm.author.filter(|a| !a.trim().is_empty()) {
            *authors.entry(author).or_default() += 1;
        }
        if let Some(permalink) = fm.permalink {
            out.permalinks.insert(permalink, rel);
        }
    }
    out.author = authors
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(a, _)| a);
    out
}

/// A YAML single-quoted scalar.
fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The new article's text, in the house format (no newline at the end).
pub fn article(short: &str, title: &str, slug: &str, id: u64, date: &str, author: &str) -> String {
    let title_yaml = yaml_quote(title);
    let excerpt = yaml_quote(&format!(
        "Description and recommended settings for the {title} service."
    ));
    let author = yaml_quote(author);
    let short_md = short.replace('_', "\\_");
    format!(
        "---
title: {title_yaml}
date: '{date}'
status: publish
permalink: /article/{slug}.html
author: {author}
excerpt: {excerpt}
type: post
id: {id}
category:
    - 'Services Guide'
tag:
    - {tag}
post_format: []
tags:
    - ''
---
##### Description:

{MARKER} say what the {title} service does, which programs and features need it, and what stops working when it is stopped or disabled.

##### Recommended State:

- Manual, {MARKER} the state you recommend and when, like `Disabled, if not having a printer.` (one item per case)

##### Default State:

- Win8/Win7/Vista: Manual ({MARKER} the startup type after a clean install, one item per Windows version)
- WinXP/Win2k3: Manual ({MARKER} or Automatic, Disabled, Not installed)
- Win2k/WinNT4: Not installed ({MARKER} or the startup type)

##### Process Name:

- svchost.exe -k netsvcs ({short_md}, {MARKER} the program that runs the service, like `services.exe` or `svchost.exe -k LocalService`)

##### Supports:

- None ({MARKER} link the services that need this one, like `[Fax](/article/winnt-services-fax.html)`, or keep None)

##### Depends:

- None ({MARKER} link the services this one needs, like `[Workstation](/article/winnt-services-lanmanworkstation.html)`, or keep None)",
        tag = short.to_ascii_lowercase(),
    )
}

/// `svcguide new <short-name>`: writes the article and prints its path.
pub fn run(args: NewArgs) -> Result<ExitCode> {
    let mut config = crate::config::Config::load(args.config.as_deref())?;
    config.override_with(&crate::config::Overrides {
        content: args.content.clone(),
        ..Default::default()
    })?;
    let content = config.resolve(&config.content);
    if !content.is_dir() {
        bail!(
            "content folder {} does not exist or is not a folder (pass --content)",
            content.display()
        );
    }
    let slug = slug_for(&args.short_name)?;
    let short = args.short_name.trim();
    let title = args
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(short);
    if title.contains(['\n', '\r']) {
        bail!("the title must be one line");
    }
    let permalink = format!("/article/{slug}.html");
    crate::page::permalink_output(&permalink).map_err(|why| anyhow::anyhow!("{why}"))?;
    let found = existing(&content);
    if let Some(other) = found.permalinks.get(&permalink) {
        bail!("{other} already has the permalink {permalink}; edit that article instead");
    }
    let rel = format!("services/{slug}.html.md");
    let path = content.join(&rel);
    let author = args
        .author
        .clone()
        .or(found.author)
        .unwrap_or_else(|| "svcguide authors".to_string());
    let text = article(
        short,
        title,
        &slug,
        found.max_id + 1,
        &crate::date::now_local(),
        &author,
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // `create_new`: never overwrite, even if the file appears meanwhile.
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} already exists; not overwriting it", path.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    if !args.quiet {
        eprintln!(
            "wrote a new service article (id {}); replace every `{MARKER}` text, then run `svcguide check`",
            found.max_id + 1
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug_for("Spooler").unwrap(), "winnt-services-spooler");
        assert_eq!(
            slug_for("clr_optimization").unwrap(),
            "winnt-services-clr_optimization"
        );
        assert!(slug_for("a/b").is_err());
        assert!(slug_for("../x").is_err());
        assert!(slug_for("").is_err());
    }

    #[test]
    fn quoting() {
        assert_eq!(yaml_quote("It's"), "'It''s'");
    }
}
