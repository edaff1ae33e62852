//! A build killed at any moment leaves the output folder holding either the whole
//! previous site or the whole new one, never a mix; the next successful build
//! leaves no temp folders behind (issue 8).
//!
//! Two generations of a 2,000-article guide differ in every page's text and in
//! their file sets. `svcguide build` of the other generation is SIGKILLed after
//! deterministic pseudo-random delays: a third spread over a whole build, a third
//! inside the write phase (timed from the moment the temp folder appears), a third
//! just after the swap (while the previous site is being removed). After each
//! kill the output must match one of the two reference sites file for file, hash
//! for hash.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const ARTICLES: usize = 2_000;
const KILL_POINTS: usize = 30;

/// Writes generation `gen` (0 or 1) of the guide into `dir`.
fn write_generation(dir: &Path, gen: usize) {
    std::fs::create_dir_all(dir).unwrap();
    // Generation 1 drops the first 100 articles and adds 100 new ones.
    let range = if gen == 0 {
        0..ARTICLES
    } else {
        100..ARTICLES + 100
    };
    for i in range {
        let slug = format!("winnt-services-gen{i:04}");
        // Both generations hold articles 100..2000, so every link resolves.
        let dep = format!(
            "winnt-services-gen{:04}",
            (i * 7 + 3) % (ARTICLES - 100) + 100
        );
        let text = format!(
            "---\ntitle: 'Generated Service {i}'\nstatus: publish\npermalink: /article/{slug}.html\ncategory:\n    - 'Services Guide'\n---\n##### Description:\nGeneration {gen} text for service {i}. {}\n\n##### Recommended State:\n- Manual\n\n##### Default State:\n- WinXP: Manual\n- Vista+: Automatic (Delayed Start)\n\n##### Process Name:\n- [svchost.exe -k netsvcs](/article/{slug}.html) (Gen{i})\n\n##### Supports:\n- None\n\n##### Depends:\n- [Dependency](/article/{dep}.html)",
            "Filler words so that pages have some weight. ".repeat(1 + i % 5)
        );
        std::fs::write(dir.join(format!("{slug}.html.md")), text).unwrap();
    }
}

/// Relative path → sha256 of every file under `root`.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !root.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(root) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.insert(
                rel,
                format!("{:x}", Sha256::digest(std::fs::read(e.path()).unwrap())),
            );
        }
    }
    out
}

fn build_cmd(content: &Path, out: &Path, cwd: &Path) -> Command {
    let mut cmd = common::bin();
    cmd.current_dir(cwd)
        .args(["build", "--quiet", "--content"])
        .arg(content)
        .arg("--output")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn build_ok(content: &Path, out: &Path, cwd: &Path) -> Duration {
    let started = Instant::now();
    let output = build_cmd(content, out, cwd).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    started.elapsed()
}

/// Temp folders svcguide left beside the output folder.
fn leftovers(parent: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".svcguide-tmp")
        })
        .collect()
}

fn inode(p: &Path) -> Option<u64> {
    std::fs::metadata(p)
        .ok()
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
}

/// Waits until the build's temp folder appears beside the output (or the build ends).
fn wait_for_temp(parent: &Path, child: &mut std::process::Child) -> Option<Instant> {
    loop {
        if !leftovers(parent).is_empty() {
            return Some(Instant::now());
        }
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

#[test]
fn a_killed_build_leaves_the_old_site_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let content = [root.join("content-0"), root.join("content-1")];
    write_generation(&content[0], 0);
    write_generation(&content[1], 1);

    // Reference sites, built in a folder of their own.
    let refs = root.join("refs");
    std::fs::create_dir_all(&refs).unwrap();
    let mut durations = Vec::new();
    let reference: Vec<BTreeMap<String, String>> = (0..2)
        .map(|g| {
            let out = refs.join(format!("site-{g}"));
            durations.push(build_ok(&content[g], &out, root));
            snapshot(&out)
        })
        .collect();
    assert_ne!(
        reference[0], reference[1],
        "the generations must be distinguishable"
    );
    assert!(reference[0].len() > ARTICLES && reference[1].len() > ARTICLES);
    let full = durations.iter().max().copied().unwrap();

    let site_parent = root.join("deploy");
    std::fs::create_dir_all(&site_parent).unwrap();
    let out = site_parent.join("public");
    build_ok(&content[0], &out, root);
    let mut current = 0;
    assert_eq!(snapshot(&out), reference[0]);
    assert!(leftovers(&site_parent).is_empty());

    // How long the write-and-swap phase lasts: from the temp folder's appearance
    // to the end of the process.
    let write_phase = {
        let next = 1 - current;
        let mut child = build_cmd(&content[next], &out, root).spawn().unwrap();
        let seen = wait_for_temp(&site_parent, &mut child);
        child.wait().unwrap();
        current = next;
        seen.map_or(Duration::from_millis(200), |t| t.elapsed())
    };
    assert_eq!(snapshot(&out), reference[current]);

    let mut outcomes = [0usize; 2];
    // Kills that hit a build still running, and those inside its write phase
    // (temp folder seen): a test whose kills all came after the build ended
    // would prove nothing.
    let (mut running_kills, mut write_kills) = (0usize, 0usize);
    let mut seed: u64 = 0x5eed_cafe_f00d_0001;
    for point in 0..KILL_POINTS {
        // xorshift64*: deterministic pseudo-random fractions in [0, 1).
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let frac = (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
        let next = 1 - current;
        let mut child = build_cmd(&content[next], &out, root).spawn().unwrap();
        // A third of the kills fall anywhere in the build, the rest inside the
        // write-and-swap phase, once the temp folder exists.
        let (delay, phase) = if point % 3 == 0 {
            let delay = full.mul_f64(0.2 + 0.9 * frac);
            std::thread::sleep(delay);
            (delay, "build")
        } else if point % 3 == 2 {
            // Right after the swap, while the previous site is being removed.
            let before = inode(&out);
            let started = Instant::now();
            while inode(&out) == before && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_micros((frac * 2000.0) as u64));
            (started.elapsed(), "swap")
        } else {
            let delay = write_phase.mul_f64(1.1 * frac);
            if wait_for_temp(&site_parent, &mut child).is_some() {
                std::thread::sleep(delay);
            }
            (delay, "write")
        };
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            running_kills += 1;
            if phase == "write" && !leftovers(&site_parent).is_empty() {
                write_kills += 1;
            }
        }
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let got = snapshot(&out);
        let Some(which) = reference.iter().position(|r| *r == got) else {
            let only_old = got
                .keys()
                .filter(|k| !reference[next].contains_key(*k))
                .count();
            let only_new = got
                .keys()
                .filter(|k| !reference[current].contains_key(*k))
                .count();
            panic!(
                "kill point {point} ({phase} phase, after {delay:?}): the output is a mix \
                 ({} files, {only_old} only in the old site, {only_new} only in the new one)",
                got.len()
            );
        };
        eprintln!(
            "kill point {point:2}: {phase} phase + {delay:>10.2?}: {}{}",
            if which == next {
                "new site"
            } else {
                "old site"
            },
            if finished {
                " (build had finished)"
            } else {
                ""
            }
        );
        outcomes[usize::from(which == next)] += 1;
        current = which;
    }
    eprintln!(
        "{KILL_POINTS} kill points: {} left the old site, {} the new one; \
         {running_kills} hit a running build, {write_kills} inside its write phase",
        outcomes[0], outcomes[1]
    );
    assert!(
        running_kills >= KILL_POINTS / 2,
        "only {running_kills} of {KILL_POINTS} kills hit a running build"
    );
    assert!(
        write_kills >= 3,
        "only {write_kills} kills hit the write phase (temp folder present)"
    );
    assert!(
        outcomes[0] >= 1,
        "no kill interrupted a build before its swap: {outcomes:?}"
    );

    // The next successful build cleans up whatever the killed ones left.
    let next = 1 - current;
    build_ok(&content[next], &out, root);
    assert_eq!(snapshot(&out), reference[next]);
    assert_eq!(leftovers(&site_parent), Vec::<PathBuf>::new());
    // And the content folders were never touched.
    assert_eq!(std::fs::read_dir(&content[0]).unwrap().count(), ARTICLES);
}
