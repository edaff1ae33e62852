//! Dependency graphs drawn as inline SVG at build time (no script): each service's
//! neighbourhood (what it depends on, what requires it) for its page, and the whole
//! guide in `graph.html`, laid out in layers by dependency depth. Cycles are
//! collapsed into their strongly connected component first, so the layering
//! always ends. Nodes are `<a href>` links; colours come from CSS classes, so the
//! drawing follows the light / dark theme.

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;

use super::escape::xml;
use super::{render_template, LinkCtx, SiteCtx};
use crate::config::Config;
use crate::guide::Guide;
use crate::output::OutFile;
use crate::url::relative;

const PATH: &str = "graph.html";

/// The layer (depth) of every node: 0 for nodes that depend on nothing, else
/// one more than the deepest node they depend on. Nodes of one cycle share a
/// layer, one past what the cycle depends on outside itself, so depth 0 holds
/// only nodes with no dependency at all. `adj[v]` lists what `v` depends on.
pub fn layers(adj: &[Vec<usize>]) -> Vec<usize> {
    let comp = crate::impact::components(adj).0;
    let count = comp.iter().map(|&c| c + 1).max().unwrap_or(0);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (v, &c) in comp.iter().enumerate() {
        members[c].push(v);
    }
    let mut comp_layer = vec![0usize; count];
    for c in 0..count {
        let mut layer = 0;
        for &v in &members[c] {
            for &w in &adj[v] {
                // Components come in reverse topological order: `comp[w]`'s
                // layer is known; a dependency inside the cycle counts as one.
                let below = if comp[w] == c { 0 } else { comp_layer[comp[w]] };
                layer = layer.max(below + 1);
            }
        }
        comp_layer[c] = layer;
    }
    comp.iter().map(|&c| comp_layer[c]).collect()
}

/// A layered drawing's order: per layer, the real nodes (`< n`) and a dummy
/// node (`>= n`) for each layer a long edge passes, so that those edges take
/// part in crossing reduction and get a slot of their own between the boxes.
pub struct Ordering {
    /// Per layer, node ids in drawing order (real and dummy).
    pub rows: Vec<Vec<usize>>,
    /// The number of real nodes.
    pub real: usize,
    /// Per edge `v → w` across layers: the ids it passes, `v` first, `w` last.
    pub chains: Vec<Vec<usize>>,
    /// Edge crossings between adjacent layers, of `rows`.
    pub crossings: usize,
    /// The same count for the first order (nodes as given, by title).
    pub crossings_before: usize,
}

/// An edge spanning more layers than this is drawn straight, without dummy
/// nodes: the drawing stays linear in the number of edges on any graph.
const MAX_SPAN: usize = 8;

/// Sweeps of median ordering (each followed by adjacent swaps), at most.
const SWEEPS: usize = 8;

/// Slot visits (real and dummy nodes, summed over sweeps) the ordering may
/// spend. A drawing too big for all [`SWEEPS`] within it gets fewer, never
/// under two (one down, one up), so the ordering stays linear in the guide.
/// 10,000 generated services (about 19,000 slots) still get all eight; at
/// 50,000 the eight sweeps took 0.6 s, a tenth of the whole build.
const SWEEP_BUDGET: usize = 200_000;

/// How many sweeps a drawing of `slots` real and dummy nodes gets.
fn sweeps_for(slots: usize) -> usize {
    (SWEEP_BUDGET / slots.max(1)).clamp(2, SWEEPS)
}

/// Orders each layer to reduce edge crossings: median ordering sweeps down
/// and up, each followed by swaps of neighbours that remove crossings
/// (transpose); the best order met is kept. Ties keep the incoming order
/// (callers pass nodes sorted by title).
pub fn ordering(adj: &[Vec<usize>], layer: &[usize]) -> Ordering {
    let n = adj.len();
    let depth = layer.iter().map(|&l| l + 1).max().unwrap_or(0);
    let mut node_layer: Vec<usize> = layer.to_vec();
    // down[x]: neighbours of x one layer below; up[x]: one layer above.
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut chains = Vec::new();
    for (v, ws) in adj.iter().enumerate() {
        for &w in ws {
            if layer[w] >= layer[v] {
                continue; // inside a cycle: drawn as a loop beside the column
            }
            let span = layer[v] - layer[w];
            let mut chain = vec![v];
            if span <= MAX_SPAN {
                for l in (layer[w] + 1..layer[v]).rev() {
                    let d = node_layer.len();
                    node_layer.push(l);
                    down.push(Vec::new());
                    up.push(Vec::new());
                    chain.push(d);
                }
            }
            chain.push(w);
            for pair in chain.windows(2) {
                if node_layer[pair[0]] == node_layer[pair[1]] + 1 {
                    down[pair[0]].push(pair[1]);
                    up[pair[1]].push(pair[0]);
                }
            }
            chains.push(chain);
        }
    }
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (x, &l) in node_layer.iter().enumerate() {
        rows[l].push(x);
    }
    let mut pos = vec![0usize; node_layer.len()];
    // Only the row just sorted moves: placing every row after each one made a
    // sweep quadratic in the depth (seconds on a long chain of dependencies).
    let place = |row: &[usize], pos: &mut [usize]| {
        for (k, &x) in row.iter().enumerate() {
            pos[x] = k;
        }
    };
    for row in &rows {
        place(row, &mut pos);
    }
    let crossings_before = total_crossings(&rows, &down, &pos);
    let mut best = (crossings_before, rows.clone());
    for sweep in 0..sweeps_for(node_layer.len()) {
        if best.0 == 0 {
            break;
        }
        if sweep % 2 == 0 {
            for row in rows.iter_mut().skip(1) {
                sort_by_median(row, &down, &pos);
                place(row, &mut pos);
            }
        } else {
            for row in rows.iter_mut().rev().skip(1) {
                sort_by_median(row, &up, &pos);
                place(row, &mut pos);
            }
        }
        transpose(&mut rows, &down, &up, &mut pos);
        let c = total_crossings(&rows, &down, &pos);
        if c < best.0 {
            best = (c, rows.clone());
        }
    }
    Ordering {
        rows: best.1,
        real: n,
        chains,
        crossings: best.0,
        crossings_before,
    }
}

/// The real nodes of each layer, in [`ordering`]'s order.
pub fn order(adj: &[Vec<usize>], layer: &[usize]) -> Vec<Vec<usize>> {
    let o = ordering(adj, layer);
    o.rows
        .into_iter()
        .map(|row| row.into_iter().filter(|&x| x < o.real).collect())
        .collect()
}

/// Sorts a row by the median position of each node's neighbours in the
/// adjacent layer; a node without any keeps its place.
fn sort_by_median(row: &mut Vec<usize>, nbrs: &[Vec<usize>], pos: &[usize]) {
    let mut keyed: Vec<(f64, usize, usize)> = row
        .iter()
        .enumerate()
        .map(|(k, &x)| {
            let mut p: Vec<usize> = nbrs[x].iter().map(|&y| pos[y]).collect();
            p.sort_unstable();
            let key = match p.len() {
                0 => k as f64,
                len if len % 2 == 1 => p[len / 2] as f64,
                len => (p[len / 2 - 1] + p[len / 2]) as f64 / 2.0,
            };
            (key, k, x)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    *row = keyed.into_iter().map(|t| t.2).collect();
}

/// Crossings among the edges from `u` and from `v` (u placed left of v) to
/// their neighbours `nbrs` in one adjacent layer.
fn pair_crossings(u: usize, v: usize, nbrs: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut count = 0;
    for &a in &nbrs[u] {
        for &b in &nbrs[v] {
            if pos[a] > pos[b] {
                count += 1;
            }
        }
    }
    count
}

/// Swaps neighbouring nodes while a swap removes crossings (a few passes).
fn transpose(rows: &mut [Vec<usize>], down: &[Vec<usize>], up: &[Vec<usize>], pos: &mut [usize]) {
    for _ in 0..4 {
        let mut improved = false;
        for row in rows.iter_mut() {
            for k in 0..row.len().saturating_sub(1) {
                let (u, v) = (row[k], row[k + 1]);
                // Pairs of very busy nodes are left alone: the count is quadratic in degree.
                if (down[u].len() + up[u].len()) * (down[v].len() + up[v].len()) > 1024 {
                    continue;
                }
                let now = pair_crossings(u, v, down, pos) + pair_crossings(u, v, up, pos);
                let swapped = pair_crossings(v, u, down, pos) + pair_crossings(v, u, up, pos);
                if swapped < now {
                    row.swap(k, k + 1);
                    pos[u] = k + 1;
                    pos[v] = k;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Edge crossings between every pair of adjacent layers: the inversions of
/// the lower ends when the edges are sorted by their upper ends.
pub fn total_crossings(rows: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for (l, row) in rows.iter().enumerate().skip(1) {
        let mut ends: Vec<(usize, usize)> = row
            .iter()
            .flat_map(|&x| down[x].iter().map(move |&y| (pos[x], pos[y])))
            .collect();
        ends.sort_unstable();
        // Fenwick tree over the lower layer's positions.
        let width = rows[l - 1].len() + 1;
        let mut tree = vec![0usize; width + 1];
        for (seen, &(_, lower)) in ends.iter().enumerate() {
            // Edges already seen whose lower end lies right of this one cross it.
            let mut i = lower + 1;
            let mut at_or_left = 0;
            while i > 0 {
                at_or_left += tree[i];
                i &= i - 1;
            }
            total += seen - at_or_left;
            let mut i = lower + 1;
            while i <= width {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}

/// Word-wraps `name` into at most `lines` lines of `width` characters; what does
/// not fit ends in an ellipsis.
pub fn wrap(name: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut truncated = false;
    for word in name.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let len = cur.chars().count();
            let wlen = word.chars().count();
            let need = if cur.is_empty() { wlen } else { len + 1 + wlen };
            if need <= width {
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(&word);
                break;
            }
            if cur.is_empty() {
                // A word longer than a line: cut it.
                cur = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
            }
            out.push(std::mem::take(&mut cur));
            if out.len() == lines {
                truncated = true;
                break;
            }
        }
        if truncated {
            break;
        }
    }
    if !truncated && !cur.is_empty() {
        out.push(cur);
    }
    if truncated {
        if let Some(last) = out.last_mut() {
            if last.chars().count() + 1 > width {
                let keep: String = last.chars().take(width.saturating_sub(1)).collect();
                *last = match keep.rfind(' ') {
                    Some(sp) if sp > 0 => keep[..sp].to_string(),
                    _ => keep,
                };
            }
            *last = format!("{}\u{2026}", last.trim_end());
        }
    }
    out
}

const FONT: f64 = 13.0;
const LINE: f64 = 16.0;

/// A coordinate as `{:.1}` writes it, without a `.0` (every coordinate of these
/// layouts is a whole tenth and most are whole: at 10,000 services the `.0`s
/// were 1.4 MB of the page). Written from an integer, far cheaper than the
/// float formatter's exact mode (docs/benchmarks.md).
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scaled = self.0 * 10.0;
        // Near a whole tenth, the exact decimal rounds to it: the integer is the answer.
        if scaled.fract() == 0.0
            && scaled.abs() < 1e15
            && !(scaled == 0.0 && self.0.is_sign_negative())
        {
            let n = scaled as i64;
            let (whole, tenth) = (n.unsigned_abs() / 10, n.unsigned_abs() % 10);
            let mut digits = itoa::Buffer::new();
            if n < 0 {
                f.write_str("-")?;
            }
            f.write_str(digits.format(whole))?;
            if tenth != 0 {
                f.write_str(
                    ["", ".1", ".2", ".3", ".4", ".5", ".6", ".7", ".8", ".9"][tenth as usize],
                )?;
            }
            Ok(())
        } else {
            let text = format!("{:.1}", self.0);
            f.write_str(text.strip_suffix(".0").unwrap_or(&text))
        }
    }
}

fn marker(out: &mut String, id: &str) {
    let _ = write!(
        out,
        "<defs><marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"g-arrow\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>"
    );
}

/// At most this many neighbours per side are drawn; the lists beside say the rest.
pub const MAX_SIDE: usize = 20;

/// The whole-guide graph: services with at least one dependency edge.
pub struct WholeGraph {
    pub svg: String,
    /// Per layer, the services in it (page indexes, drawing order).
    pub layers: Vec<Vec<usize>>,
    /// Services with no edge in either direction.
    pub isolated: Vec<usize>,
    pub edges: usize,
    /// Edge crossings between adjacent layers before and after ordering.
    pub crossings_before: usize,
    pub crossings: usize,
}

/// Sizes of the whole-guide drawing.
const NW: f64 = 200.0;
const GAP: f64 = 90.0;
const PAD: f64 = 10.0;
const HEAD: f64 = 30.0;
const CHARS: usize = 25;
const VGAP: f64 = 10.0;
/// The slot a long edge passes a column in.
const DUMMY: f64 = 6.0;

/// The whole-guide drawing's geometry, before any SVG is written.
struct Layout {
    /// Page index of each local node (services with an edge, by title).
    nodes: Vec<usize>,
    /// What each local node depends on (local ids).
    adj: Vec<Vec<usize>>,
    layer: Vec<usize>,
    order: Ordering,
    /// Each real node's title, wrapped in full (boxes grow with their text).
    lines: Vec<Vec<String>>,
    /// (x, top) of every slot, real or dummy.
    pos: Vec<(f64, f64)>,
    tallest: f64,
}

impl Layout {
    fn height_of(&self, x: usize) -> f64 {
        if x < self.order.real {
            self.lines[x].len() as f64 * LINE + 12.0
        } else {
            DUMMY
        }
    }

    fn column_height(&self, row: &[usize]) -> f64 {
        row.iter().map(|&x| self.height_of(x) + VGAP).sum()
    }

    fn mid(&self, x: usize) -> f64 {
        self.pos[x].1 + self.height_of(x) / 2.0
    }

    fn width(&self) -> f64 {
        PAD + self.order.rows.len() as f64 * (NW + GAP) - GAP + PAD
    }

    fn height(&self) -> f64 {
        PAD + HEAD + self.tallest + PAD
    }
}

/// Lays out the services with a dependency edge: layers by depth, each ordered
/// to reduce crossings, each column centred.
fn layout(guide: &Guide, nodes: Vec<usize>) -> Layout {
    let local: std::collections::HashMap<usize, usize> =
        nodes.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let adj: Vec<Vec<usize>> = nodes
        .iter()
        .map(|&i| {
            let mut ws: Vec<usize> = guide.depends_on[i]
                .iter()
                .filter_map(|j| local.get(j).copied())
                .collect();
            ws.sort_unstable();
            ws.dedup();
            ws
        })
        .collect();
    let layer = layers(&adj);
    let order = ordering(&adj, &layer);
    let lines = nodes
        .iter()
        .map(|&i| wrap(&guide.pages[i].title, CHARS, usize::MAX))
        .collect();
    let slots = order.chains.iter().map(|c| c.len()).sum::<usize>() + order.real;
    let mut layout = Layout {
        nodes,
        adj,
        layer,
        pos: vec![(0.0, 0.0); slots.max(order.real)],
        order,
        lines,
        tallest: 0.0,
    };
    layout.tallest = layout
        .order
        .rows
        .iter()
        .map(|r| layout.column_height(r))
        .fold(0.0, f64::max);
    for l in 0..layout.order.rows.len() {
        let x = PAD + l as f64 * (NW + GAP);
        let row = &layout.order.rows[l];
        let mut y = PAD + HEAD + (layout.tallest - layout.column_height(row)) / 2.0;
        let mut placed = Vec::with_capacity(row.len());
        for &x_id in row {
            placed.push((x_id, y));
            y += layout.height_of(x_id) + VGAP;
        }
        for (x_id, y) in placed {
            if x_id >= layout.pos.len() {
                layout.pos.resize(x_id + 1, (0.0, 0.0));
            }
            layout.pos[x_id] = (x, y);
        }
    }
    layout
}

/// The whole-guide graph, laid out and drawn as SVG for the page at `from`.
pub fn whole(guide: &Guide, from: &str) -> WholeGraph {
    // Local node ids follow guide.services (sorted by title).
    let (nodes, isolated): (Vec<usize>, Vec<usize>) = guide
        .services
        .iter()
        .partition(|&&i| !guide.depends_on[i].is_empty() || !guide.required_by[i].is_empty());
    let layout = layout(guide, nodes);
    let (svg, edges) = whole_svg(&layout, guide, from);
    let o = &layout.order;
    WholeGraph {
        svg,
        layers: o
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .filter(|&&x| x < o.real)
                    .map(|&v| layout.nodes[v])
                    .collect()
            })
            .collect(),
        isolated,
        edges,
        crossings_before: o.crossings_before,
        crossings: o.crossings,
    }
}

/// Writes a laid-out whole graph as SVG; also returns how many edges it drew.
fn whole_svg(layout: &Layout, guide: &Guide, from: &str) -> (String, usize) {
    const ID: &str = "arrow-all";
    let o = &layout.order;
    let (width, height) = (layout.width(), layout.height());
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"graph-svg graph-all\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"group\" aria-label=\"{}\">",
        xml(&format!(
            "Dependency graph of {} services in {} layers",
            layout.nodes.len(),
            o.rows.len()
        ))
    );
    marker(&mut svg, ID);
    for l in 0..o.rows.len() {
        let _ = write!(
            svg,
            "<text class=\"g-label\" x=\"{}\" y=\"{}\">{}</text>",
            Tenths(PAD + l as f64 * (NW + GAP)),
            Tenths(PAD + FONT),
            if l == 0 {
                "Depth 0 (needs none)".to_string()
            } else {
                format!("Depth {l}")
            }
        );
    }
    // The arrow is inherited by every edge from the group.
    let _ = write!(svg, "<g class=\"g-edges\" marker-end=\"url(#{ID})\">");
    let edges = whole_edges(&mut svg, layout);
    svg.push_str("</g>");
    for row in &o.rows {
        for &v in row.iter().filter(|&&x| x < o.real) {
            let p = &guide.pages[layout.nodes[v]];
            let (nx, ny) = layout.pos[v];
            graph_node(
                &mut svg,
                (nx, ny, NW),
                &layout.lines[v],
                p,
                &relative(from, &p.permalink),
                v,
            );
        }
    }
    svg.push_str("</svg>");
    (svg, edges)
}

/// The edges of the whole graph as SVG paths; returns how many there are.
fn whole_edges(out: &mut String, layout: &Layout) -> usize {
    let (o, pos) = (&layout.order, &layout.pos);
    let mid = |x: usize| layout.mid(x);
    let mut count = 0;
    // No `<title>` per edge: the boxes name both ends (graph.js lights a box's
    // edges), the list after the drawing says the same in words, and at
    // 10,000 services the titles were 2 MB.
    let mut edge = |out: &mut String, v: usize, w: usize, d: String| {
        count += 1;
        let _ = write!(
            out,
            "<path class=\"g-edge\" data-from=\"{v}\" data-to=\"{w}\" d=\"{d}\"/>"
        );
    };
    // Edges across layers: from the dependent's left side, through the slot
    // of each column passed, to the dependency's right side. Relative
    // commands (`c`, `h`) after the first point: at 10,000 services absolute
    // coordinates were a third of the page.
    for chain in &o.chains {
        let (v, w) = (chain[0], chain[chain.len() - 1]);
        let mut from = (pos[v].0, mid(v));
        let mut d = format!("M{},{}", Tenths(from.0), Tenths(from.1));
        for &x in &chain[1..] {
            let to = (pos[x].0 + NW, mid(x));
            let bend = ((from.0 - to.0) / 2.0).max(30.0);
            let (dx, dy) = (to.0 - from.0, to.1 - from.1);
            let _ = write!(
                d,
                "c{},0 {},{} {},{}",
                Tenths(-bend),
                Tenths(dx + bend),
                Tenths(dy),
                Tenths(dx),
                Tenths(dy)
            );
            if x >= o.real {
                // Through the column's slot, to its left side.
                let _ = write!(d, "h{}", Tenths(-NW));
            }
            from = (pos[x].0, to.1);
        }
        edge(out, v, w, d);
    }
    // Edges inside a cycle (one layer): a loop out to the right.
    for (v, ws) in layout.adj.iter().enumerate() {
        for &w in ws.iter().filter(|&&w| layout.layer[w] == layout.layer[v]) {
            let (x1, x2) = (pos[v].0 + NW, pos[w].0 + NW);
            let (y1, y2) = (mid(v) - 6.0, mid(w) + 6.0);
            let bulge = 26.0 + (y1 - y2 + 12.0).abs().min(400.0) / 20.0;
            let (dx, dy) = (x2 - x1, y2 - y1);
            let d = format!(
                "M{},{}c{},0 {},{} {},{}",
                Tenths(x1),
                Tenths(y1),
                Tenths(bulge),
                Tenths(dx + bulge),
                Tenths(dy),
                Tenths(dx),
                Tenths(dy)
            );
            edge(out, v, w, d);
        }
    }
    count
}

/// A service's box in the whole graph: a link to its article, numbered
/// (`data-n`, what its edges' `data-from` / `data-to` name) and with an id
/// for the focus view (`graph.html#g-<slug>`).
fn graph_node(
    out: &mut String,
    (x, y, w): (f64, f64, f64),
    lines: &[String],
    page: &crate::page::Page,
    href: &str,
    n: usize,
) {
    let _ = write!(
        out,
        "<a href=\"{}\" class=\"g-node\" id=\"g-{}\" data-n=\"{n}\">",
        xml(href),
        xml(&page.slug)
    );
    out.push_str("<title>");
    out.push_str(&xml(&page.title));
    out.push_str("</title>");
    let h = lines.len() as f64 * LINE + 12.0;
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"5\"/>",
        Tenths(x),
        Tenths(y),
        Tenths(w),
        Tenths(h)
    );
    for (k, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            Tenths(x + 8.0),
            Tenths(y + 6.0 + FONT + k as f64 * LINE - 1.0),
            xml(line)
        );
    }
    out.push_str("</a>");
}

#[derive(Serialize)]
struct ListNode {
    title: String,
    url: String,
    /// The id of its box in the drawing (`g-<slug>`).
    anchor: String,
    depends: Vec<LinkCtx>,
}

#[derive(Serialize)]
struct LayerCtx {
    depth: usize,
    nodes: Vec<ListNode>,
}

#[derive(Serialize)]
struct GraphCtx<'a> {
    site: SiteCtx<'a>,
    title: &'static str,
    canonical: String,
    svg: String,
    node_count: usize,
    edge_count: usize,
    layers: Vec<LayerCtx>,
    isolated: Vec<LinkCtx>,
    /// Every drawn service, by title, for the focus view's chooser.
    focus: Vec<FocusCtx>,
    /// Edge crossings between adjacent columns, as drawn and in title order.
    crossings: usize,
    crossings_before: usize,
}

#[derive(Serialize)]
struct FocusCtx {
    anchor: String,
    title: String,
}

pub fn render_page(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<OutFile> {
    let mut clock = crate::timing::Stopwatch::new();
    let g = whole(guide, PATH);
    clock.lap(" views/graph layout");
    let link = |i: usize| LinkCtx {
        title: guide.pages[i].title.clone(),
        url: relative(PATH, &guide.pages[i].permalink),
    };
    let mut layers = Vec::new();
    for (depth, row) in g.layers.iter().enumerate() {
        let mut nodes: Vec<ListNode> = row
            .iter()
            .map(|&i| {
                let mut deps: Vec<usize> = guide.depends_on[i].clone();
                deps.sort_by_cached_key(|&j| guide.pages[j].title.to_lowercase());
                deps.dedup();
                ListNode {
                    title: guide.pages[i].title.clone(),
                    url: relative(PATH, &guide.pages[i].permalink),
                    anchor: format!("g-{}", guide.pages[i].slug),
                    depends: deps.into_iter().map(link).collect(),
                }
            })
            .collect();
        nodes.sort_by_key(|n| n.title.to_lowercase());
        layers.push(LayerCtx { depth, nodes });
    }
    let mut focus: Vec<FocusCtx> = layers
        .iter()
        .flat_map(|l| &l.nodes)
        .map(|n| FocusCtx {
            anchor: n.anchor.clone(),
            title: n.title.clone(),
        })
        .collect();
    focus.sort_by_key(|f| f.title.to_lowercase());
    let ctx = GraphCtx {
        site: SiteCtx::new(config, PATH),
        title: "Dependency graph",
        canonical: crate::url::absolute(&config.base_url, PATH),
        node_count: g.layers.iter().map(Vec::len).sum(),
        edge_count: g.edges,
        svg: g.svg,
        layers,
        isolated: g.isolated.into_iter().map(link).collect(),
        focus,
        crossings: g.crossings,
        crossings_before: g.crossings_before,
    };
    // The lists below the drawing take 260-410 bytes a drawn service on the
    // generated guides. Reserved room that is never written costs no memory;
    // a page that outgrows its buffer is copied into one twice its size.
    let html_bytes = ctx.svg.len() + 640 * ctx.node_count + 160 * ctx.isolated.len();
    render_template(tera, "views/graph.html", PATH, ctx, html_bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tenths_are_written_as_the_float_formatter_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            0.05,
            0.25,
            -0.25,
            0.15,
            1e20,
            f64::NAN,
            f64::INFINITY,
            -3.5,
            12.3,
            1234.5,
            -0.04,
        ];
        for i in -2000..2000 {
            values.push(i as f64 * 0.1);
            values.push(i as f64 / 8.0);
            values.push(i as f64 * 16.0 / 3.0);
        }
        for v in values {
            let tenths = format!("{v:.1}");
            let expected = tenths.strip_suffix(".0").unwrap_or(&tenths);
            assert_eq!(Tenths(v).to_string(), expected, "{v:?}");
        }
    }

    use super::*;

    #[test]
    fn cycles_share_a_layer_and_the_layering_ends() {
        // 0 ↔ 1, 2 → 0, 3 → 2, 4 alone, 5 → 5 (self loop). Depth 0 holds
        // only what depends on nothing: a cycle sits one past what it needs.
        let adj = vec![vec![1], vec![0], vec![0], vec![2], vec![], vec![5]];
        assert_eq!(layers(&adj), vec![1, 1, 2, 3, 0, 1]);
        let comp = crate::impact::components(&adj).0;
        assert_eq!(comp[0], comp[1]);
        assert_ne!(comp[0], comp[2]);
        let rows = order(&adj, &layers(&adj));
        assert_eq!(rows.iter().map(Vec::len).sum::<usize>(), 6);
    }

    #[test]
    fn long_chains_and_big_cycles() {
        let n = 5000;
        let chain: Vec<Vec<usize>> = (0..n)
            .map(|i| if i > 0 { vec![i - 1] } else { vec![] })
            .collect();
        assert_eq!(layers(&chain)[n - 1], n - 1);
        let ring: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        assert!(layers(&ring).iter().all(|&l| l == 1));
    }

    #[test]
    fn ordering_removes_avoidable_crossings_and_routes_long_edges() {
        // Layer 0: a, b. Layer 1: c → b, d → a (crossing in the given order),
        // and e → a, e → c, so e is on layer 2 and e → a spans two layers.
        let (a, b, c, d, e) = (0, 1, 2, 3, 4);
        let mut adj = vec![Vec::new(); 5];
        adj[c] = vec![b];
        adj[d] = vec![a];
        adj[e] = vec![a, c];
        let layer = layers(&adj);
        assert_eq!(layer, vec![0, 0, 1, 1, 2]);
        let o = ordering(&adj, &layer);
        assert!(o.crossings_before > 0, "{}", o.crossings_before);
        assert_eq!(o.crossings, 0);
        // e → a passes layer 1 through a dummy node of its own.
        let long = o
            .chains
            .iter()
            .find(|ch| ch[0] == e && ch[ch.len() - 1] == a)
            .unwrap();
        assert_eq!(long.len(), 3);
        assert!(long[1] >= o.real);
        assert_eq!(order(&adj, &layer).concat().len(), 5);
    }

    #[test]
    fn very_long_edges_get_no_dummies() {
        // A chain of 40 and one edge from its top to its bottom: the long
        // edge is drawn straight, so the drawing stays linear in the edges.
        let mut adj: Vec<Vec<usize>> = (0..40)
            .map(|i| if i > 0 { vec![i - 1] } else { vec![] })
            .collect();
        adj[39].push(0);
        let o = ordering(&adj, &layers(&adj));
        let dummies: usize = o
            .rows
            .iter()
            .map(|r| r.iter().filter(|&&x| x >= o.real).count())
            .sum();
        assert_eq!(dummies, 0);
    }

    #[test]
    fn sweeps_stay_within_the_budget_and_never_under_two() {
        // The guide's own size and 10,000 generated services keep every sweep.
        assert_eq!(sweeps_for(1_000), SWEEPS);
        assert_eq!(sweeps_for(19_264), SWEEPS);
        for slots in [25_001, 40_000, 99_816, 1_000_000] {
            let sweeps = sweeps_for(slots);
            assert!(sweeps < SWEEPS, "{slots} slots: {sweeps} sweeps");
            assert!(sweeps >= 2);
            assert!(sweeps * slots <= SWEEP_BUDGET.max(2 * slots));
        }
    }

    #[test]
    fn labels_wrap_in_full_when_lines_are_not_limited() {
        assert_eq!(
            wrap(
                "Background Intelligent Transfer Service (BITS)",
                20,
                usize::MAX
            ),
            ["Background", "Intelligent Transfer", "Service (BITS)"]
        );
    }

    #[test]
    fn names_wrap_then_truncate() {
        assert_eq!(wrap("Event Log", 20, 2), ["Event Log"]);
        assert_eq!(
            wrap("Background Intelligent Transfer Service (BITS)", 20, 2),
            ["Background", "Intelligent\u{2026}"]
        );
        assert_eq!(
            wrap("Supercalifragilistic", 8, 2),
            ["Supercal", "ifragil\u{2026}"]
        );
    }
}
