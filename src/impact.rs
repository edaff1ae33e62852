//! "Disabling this service also stops": which services stop with one, on
//! some Windows version. A dependency holds only on the versions its link
//! names (`[RPC Endpoint Mapper](…) (Win7+)`) and on which both services
//! exist: following every link on every version counted Indexing Service
//! (Windows 2000 to 2003) among what a Windows 7 service stops, through a
//! service that needs the first only on Windows 7. A service stops with
//! another when, on one version, a path of links that all hold there leads
//! from the one to the other.

/// Versions as bits (`OsSet`'s, one per Windows family, NT4 lowest).
pub type Versions = u8;

/// Every version: a link without a version limit, a service whose article
/// does not say where it exists.
pub const ALL: Versions = 0x7f;

/// Beside a Depends link's versions in the guide: set when the link is
/// official. A link marked Unofficial makes no edge: Windows does not stop
/// the dependent with the service (the "Required by" list still shows it).
pub const OFFICIAL: Versions = 0x80;

/// An edge of the impact graph: the service that depends (the target of the
/// walk) and the versions on which it does.
pub type Edge = (usize, Versions);

/// The versions on which the link from a dependent service to the one it
/// names holds: those its qualifier names (`link`), where both services exist
/// (`from`, `to`; [`ALL`] when an article does not say). When the articles
/// leave no version for it, the link's own words stand: the dependent's
/// article says it needs the other, which outweighs what is known of where
/// either exists.
pub fn edge_versions(link: Versions, from: Versions, to: Versions) -> Versions {
    let link = if link == 0 { ALL } else { link };
    match link & from & to {
        0 => link,
        both => both,
    }
}

/// Per node: how many other nodes it reaches on some version, over `edges`
/// (each holding on its versions). A version whose links are all links of
/// another version's adds nothing to the union (what it reaches, the other
/// reaches too): only the others' graphs are walked, one per distinct set. A
/// graph whose edges all hold everywhere is one plain reachability, as fast
/// as [`reach_counts`].
pub fn reach_counts_by_version(edges: &[Vec<Edge>]) -> Vec<usize> {
    // Per version, which edges hold on it, as bits over the edges in order.
    let words = edges.iter().map(Vec::len).sum::<usize>().div_ceil(64);
    let mut keeps: Vec<Vec<u64>> = vec![vec![0; words]; 7];
    for (k, &(_, v)) in edges.iter().flatten().enumerate() {
        for (bit, set) in keeps.iter_mut().enumerate() {
            if v & (1 << bit) != 0 {
                set[k / 64] |= 1 << (k % 64);
            }
        }
    }
    let within = |a: &[u64], b: &[u64]| a.iter().zip(b).all(|(x, y)| x & !y == 0);
    // The first of equal sets stands for them all.
    let versions: Vec<usize> = (0..7)
        .filter(|&v| {
            !(0..7).any(|w| {
                w != v && within(&keeps[v], &keeps[w]) && (!within(&keeps[w], &keeps[v]) || w < v)
            })
        })
        .collect();
    let graphs: Vec<Vec<Vec<usize>>> = versions
        .iter()
        .map(|&bit| {
            edges
                .iter()
                .map(|list| {
                    list.iter()
                        .filter(|&&(_, v)| v & (1 << bit) != 0)
                        .map(|&(j, _)| j)
                        .collect()
                })
                .collect()
        })
        .collect();
    if let [only] = graphs.as_slice() {
        return reach_counts(only);
    }
    union_reach_counts(&graphs)
}

/// Per node: how many other nodes it reaches over `edges`, in time and memory
/// linear in the graph times a block of nodes, where a walk per node took the
/// sum of all reachable sets (on a ring or a long chain, the square of the guide).
///
/// Nodes of one strongly connected component reach the same set, and the
/// components form a DAG; each component's set is the union of its
/// successors', as bits, for one block of at most 4,096 target nodes at a time. Blocks
/// are independent, so they run in parallel, each thread reusing one buffer.
pub fn reach_counts(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let (comp, succ) = condense(edges);
    let reached = per_block(n, succ.len(), Block::default, |block, lo, hi| {
        reach_block(block, &comp, &succ, lo, hi);
        row_counts(&block.bits, block.words)
    });
    // A node's own bit is in its component's set.
    (0..n).map(|v| reached[comp[v]] as usize - 1).collect()
}

/// Per node: how many other nodes it reaches in at least one of `graphs`
/// (on the same nodes). As in [`reach_counts`], a block of target nodes at a
/// time, as bits: each graph's components add their reach to each node's.
fn union_reach_counts(graphs: &[Vec<Vec<usize>>]) -> Vec<usize> {
    use rayon::prelude::*;
    let n = graphs[0].len();
    let condensed: Vec<(Vec<usize>, Vec<Vec<usize>>)> =
        graphs.par_iter().map(|edges| condense(edges)).collect();
    let init = || (Vec::new(), Block::default());
    let reached = per_block(
        n,
        n,
        init,
        |(acc, block): &mut (Vec<u64>, Block), lo, hi| {
            let words = (hi - lo).div_ceil(64);
            acc.clear();
            acc.resize(n * words, 0);
            for (comp, succ) in &condensed {
                reach_block(block, comp, succ, lo, hi);
                for (v, row) in acc.chunks_exact_mut(words).enumerate() {
                    if block.filled[comp[v]] {
                        for (a, b) in row.iter_mut().zip(block.row(comp[v])) {
                            *a |= *b;
                        }
                    }
                }
            }
            row_counts(acc, words)
        },
    );
    // A node's own bit is in every graph's reach of it.
    reached.into_iter().map(|c| c as usize - 1).collect()
}

/// Target blocks of at most 4,096 nodes, as many as a multiple of the
/// threads: three blocks on two threads would take two rounds of the longest.
fn block_size(n: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    let blocks = n.div_ceil(4096).div_ceil(threads) * threads;
    n.div_ceil(blocks.max(1)).next_multiple_of(64).max(64)
}

/// Each node's strongly connected component, and each component's successors.
fn condense(edges: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let (comp, comps) = components(edges);
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); comps];
    for (v, targets) in edges.iter().enumerate() {
        for &w in targets {
            if comp[v] != comp[w] {
                succ[comp[v]].push(comp[w]);
            }
        }
    }
    for s in &mut succ {
        s.sort_unstable();
        s.dedup();
    }
    (comp, succ)
}

/// One block's reach: a row of `words` words per component, and whether each
/// row has any bit (most reach none of a block's targets: on a chain, every
/// component past them; those rows are skipped).
#[derive(Default)]
struct Block {
    bits: Vec<u64>,
    filled: Vec<bool>,
    words: usize,
}

impl Block {
    fn row(&self, c: usize) -> &[u64] {
        &self.bits[c * self.words..(c + 1) * self.words]
    }
}

/// Fills `block` with each component's reach among the target nodes `lo..hi`.
fn reach_block(block: &mut Block, comp: &[usize], succ: &[Vec<usize>], lo: usize, hi: usize) {
    let words = (hi - lo).div_ceil(64);
    let Block { bits, filled, .. } = block;
    bits.clear();
    bits.resize(succ.len() * words, 0);
    filled.clear();
    filled.resize(succ.len(), false);
    for v in lo..hi {
        bits[comp[v] * words + (v - lo) / 64] |= 1 << ((v - lo) % 64);
        filled[comp[v]] = true;
    }
    // Components are numbered sinks first: every successor's bits are final.
    for (c, successors) in succ.iter().enumerate() {
        let (done, rest) = bits.split_at_mut(c * words);
        let row = &mut rest[..words];
        for &d in successors {
            if filled[d] {
                for (a, b) in row.iter_mut().zip(&done[d * words..(d + 1) * words]) {
                    *a |= *b;
                }
                filled[c] = true;
            }
        }
    }
    block.words = words;
}

/// Runs `count` on every block of target nodes (`lo..hi`, see
/// [`block_size`]), in parallel with a buffer per thread from `init`, and adds
/// up the `len` counts each returns.
fn per_block<S: Send>(
    n: usize,
    len: usize,
    init: impl Fn() -> S + Send + Sync,
    count: impl Fn(&mut S, usize, usize) -> Vec<u32> + Send + Sync,
) -> Vec<u32> {
    use rayon::prelude::*;
    let block = block_size(n);
    (0..n)
        .into_par_iter()
        .step_by(block)
        .map_init(init, |buffer, lo| count(buffer, lo, (lo + block).min(n)))
        .reduce(
            || vec![0u32; len],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

/// The bits set in each row of `words` words.
fn row_counts(bits: &[u64], words: usize) -> Vec<u32> {
    bits.chunks_exact(words)
        .map(|row| row.iter().map(|w| w.count_ones()).sum())
        .collect()
}

/// What a page shows of its impact (see `Guide::impact_summary`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImpactSummary {
    /// Every service that stops with this one (cycles counted once, itself not).
    pub count: usize,
    /// Of those, the services whose Depends name this one (its "required by").
    pub direct: usize,
    /// The nearest of the others: (page, depth), depth 2 and up, by depth then title.
    pub nearest: Vec<(usize, u32)>,
}

/// How many of the nearest indirect dependents a service page lists: enough
/// to show what breaks first, few enough that a guide of long chains (where
/// every page has thousands) stays within 8 times its articles' bytes.
pub const IMPACT_NEAREST: usize = 5;

/// Per thread: what a walk knows of each page (with a stamp per walk, so no
/// walk clears a guide-sized array), and its levels.
#[derive(Default)]
struct Scratch {
    stamp: u32,
    seen: Vec<Mark>,
    /// The pages of the level being walked, with the versions each had
    /// reached when the level began (what it passes on).
    level: Vec<(usize, Versions)>,
}

#[derive(Default, Clone, Copy)]
struct Mark {
    /// The walk this mark is of.
    stamp: u32,
    /// The versions the page is reached on so far.
    versions: Versions,
    /// The level whose list holds the page (so it goes in once).
    queued: u32,
}

thread_local! {
    static IMPACT_SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// A page's impact over `edges`, given their [`reach_counts_by_version`]: a
/// breadth-first walk from `start` that carries the versions each page is
/// reached on, so a path holds only where all its links do. Each level passes
/// on what its pages had reached when it began; a page's depth is the level
/// that first reaches it (its shortest path that holds on some version), and
/// a page reached again on more versions walks on, without being listed
/// again. The walk stops once the nearest list is full, each level sorted by
/// `title` only while it has room. Without `count` (the page's
/// [`reach_counts_by_version`], when known), the walk goes on to the end and
/// counts. (`theme/impact.js` walks the same way.)
pub fn summarise(
    edges: &[Vec<Edge>],
    count: Option<usize>,
    start: usize,
    bound: usize,
    title: impl Fn(usize) -> String,
) -> ImpactSummary {
    IMPACT_SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch { stamp, seen, level } = &mut *scratch;
        if seen.len() < edges.len() {
            seen.resize(edges.len(), Mark::default());
        }
        *stamp = stamp.wrapping_add(1);
        if *stamp == 0 {
            // The stamps wrapped: forget every old mark once.
            seen.iter_mut().for_each(|s| *s = Mark::default());
            *stamp = 1;
        }
        let stamp = *stamp;
        seen[start] = Mark {
            stamp,
            versions: ALL,
            queued: 0,
        };
        level.clear();
        level.push((start, ALL));
        let (mut next, mut fresh): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        let mut summary = ImpactSummary {
            count: count.unwrap_or(0),
            ..Default::default()
        };
        let counting = count.is_none();
        let mut depth = 0u32;
        while !level.is_empty() && (depth == 0 || counting || summary.nearest.len() < bound) {
            depth += 1;
            next.clear();
            fresh.clear();
            for &(i, on) in level.iter() {
                for &(j, versions) in &edges[i] {
                    let reach = on & versions;
                    let mark = &mut seen[j];
                    if mark.stamp != stamp {
                        *mark = Mark {
                            stamp,
                            versions: 0,
                            queued: 0,
                        };
                    }
                    if reach & !mark.versions == 0 {
                        continue;
                    }
                    if mark.versions == 0 {
                        fresh.push(j);
                    }
                    mark.versions |= reach;
                    if mark.queued != depth {
                        mark.queued = depth;
                        next.push(j);
                    }
                }
            }
            if counting {
                summary.count += fresh.len();
            }
            if depth == 1 {
                summary.direct = fresh.len();
            } else if !fresh.is_empty() && summary.nearest.len() < bound {
                fresh.sort_by_cached_key(|&i| (title(i), i));
                let room = bound - summary.nearest.len();
                summary
                    .nearest
                    .extend(fresh.iter().take(room).map(|&i| (i, depth)));
            }
            // What the next level passes on: all its pages reached by now,
            // on paths no longer than its depth.
            level.clear();
            level.extend(next.iter().map(|&j| (j, seen[j].versions)));
        }
        summary
    })
}

/// Strongly connected components (Tarjan's, without recursion, so deep graphs
/// cannot overflow the stack): each node's component, numbered so that a
/// component comes after every one it reaches (for an edge `v → w` across
/// components, `comp[w] < comp[v]`); and how many there are. The one copy of
/// the algorithm: impact counts, the graph page's layers and the cycle check
/// all use it.
pub fn components(edges: &[Vec<usize>]) -> (Vec<usize>, usize) {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNSEEN; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut calls: Vec<(usize, usize)> = Vec::new();
    let (mut next_index, mut comps) = (0, 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // Each node is entered once: numbered, stacked, and its edges walked.
        let mut enter = Some(root);
        loop {
            if let Some(v) = enter.take() {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
                calls.push((v, 0));
            }
            let Some(&(v, e)) = calls.last() else {
                break;
            };
            if let Some(&w) = edges[v].get(e) {
                calls.last_mut().expect("a call").1 += 1;
                if index[w] == UNSEEN {
                    enter = Some(w);
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w] = false;
                    comp[w] = comps;
                    if w == v {
                        break;
                    }
                }
                comps += 1;
            }
        }
    }
    (comp, comps)
}
