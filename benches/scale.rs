//! Criterion benchmarks of the paths that once grew with the square of their
//! input (issue 19): heading ids, link-title repair, and the transitive impact
//! of every service on a long chain of dependencies.
//!
//! Each runs at two sizes: a linear path takes about four times as long at the
//! larger one, a quadratic one sixteen.
//!
//!     nice cargo bench --bench scale
//!     nice cargo bench --bench scale -- headings

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use svcguide::impact::{reach_counts_by_version, summarise, Edge, IMPACT_NEAREST};
use svcguide::markdown::Renderer;

const SIZES: [usize; 2] = [256 * 1024, 1024 * 1024];

fn text_paths(c: &mut Criterion) {
    let mut group = c.benchmark_group("text");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for (name, unit) in [("headings", "#\n"), ("link_openers", "x](")] {
        for size in SIZES {
            let text = unit.repeat(size / unit.len());
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, size), &text, |b, text| {
                b.iter(|| {
                    let mut r = Renderer::new("article/big.html");
                    black_box(r.block(text, 0..text.len()).html.len())
                })
            });
        }
    }
    for size in SIZES {
        let text = "x](".repeat(size / 3);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("repair", size), &text, |b, text| {
            b.iter(|| black_box(svcguide::repair::repair(text).text.len()))
        });
    }
    group.finish();
}

/// "Required by" lists of a chain like `gen_corpus --shape chain`: service `p`
/// depends on 1-5 of the 60 before it (a fixed pseudo-random choice). With
/// `scoped`, a third of the links hold on XP only or on Vista and later, as
/// the generator's qualifiers do; else every link holds everywhere.
fn chain(n: usize, scoped: bool) -> Vec<Vec<Edge>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let mut required_by: Vec<Vec<Edge>> = vec![Vec::new(); n];
    for p in 1..n {
        for _ in 0..1 + next() % 5 {
            let j = p - 1 - next() % p.min(60);
            let versions = match next() % 6 {
                0 if scoped => 0x04,
                1 if scoped => 0x70,
                _ => 0x7f,
            };
            if !required_by[j].iter().any(|e| e.0 == p) {
                required_by[j].push((p, versions));
            }
        }
    }
    required_by
}

fn impact(c: &mut Criterion) {
    let mut group = c.benchmark_group("impact_all_pages");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for (name, scoped) in [("chain", false), ("chain_scoped", true)] {
        for n in [2_500, 10_000] {
            let required_by = chain(n, scoped);
            group.bench_with_input(BenchmarkId::new(name, n), &required_by, |b, rb| {
                b.iter(|| {
                    let counts = reach_counts_by_version(rb);
                    let mut shown = 0;
                    for (start, &count) in counts.iter().enumerate() {
                        let s = summarise(rb, Some(count), start, IMPACT_NEAREST, |i| {
                            format!("{i:05}")
                        });
                        shown += s.count + s.nearest.len();
                    }
                    black_box(shown)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, text_paths, impact);
criterion_main!(benches);
