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

/// Strongly connected components (Tarjan, iterative). Component ids come out in
/// reverse topological order: a component gets its id after every component it
/// reaches, so for an edge `v → w` across components, `comp[w] < comp[v]`.
pub fn components(adj: &[Vec<usize>]) -> Vec<usize> {
    let n = adj.len();
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![NONE; n];
    let (mut next, mut count) = (0, 0);
    for s in 0..n {
        if index[s] != NONE {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(s, 0)];
        index[s] = next;
        low[s] = next;
        next += 1;
        stack.push(s);
        on_stack[s] = true;
        while let Some(top) = call.last_mut() {
            let (v, i) = (top.0, top.1);
            if i < adj[v].len() {
                top.1 += 1;
                let w = adj[v][i];
                if index[w] == NONE {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(u, _)) = call.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = count;
                        if w == v {
                            break;
                        }
                    }
                    count += 1;
                }
            }
        }
    }
    comp
}

/// The layer of every node: 0 for nodes that depend on nothing, else one more than
/// the deepest node they depend on. Nodes of one cycle share a layer.
/// `adj[v]` lists what `v` depends on.
pub fn layers(adj: &[Vec<usize>]) -> Vec<usize> {
    let comp = components(adj);
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
                if comp[w] != c {
                    layer = layer.max(comp_layer[comp[w]] + 1);
                }
            }
        }
        comp_layer[c] = layer;
    }
    comp.iter().map(|&c| comp_layer[c]).collect()
}

/// Nodes per layer, ordered to shorten edges (barycenter sweeps); ties keep the
/// incoming order (callers pass nodes sorted by title).
pub fn order(adj: &[Vec<usize>], layer: &[usize]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let depth = layer.iter().map(|&l| l + 1).max().unwrap_or(0);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for v in 0..n {
        rows[layer[v]].push(v);
    }
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (v, ws) in adj.iter().enumerate() {
        for &w in ws {
            dependents[w].push(v);
        }
    }
    let mut pos = vec![0f64; n];
    let place = |rows: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for row in rows {
            for (k, &v) in row.iter().enumerate() {
                pos[v] = k as f64;
            }
        }
    };
    place(&rows, &mut pos);
    let sweep = |row: &mut Vec<usize>, pos: &[f64], nbrs: &dyn Fn(usize) -> Vec<usize>| {
        let mut keyed: Vec<(f64, usize, usize)> = row
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                let ns = nbrs(v);
                let key = if ns.is_empty() {
                    k as f64
                } else {
                    ns.iter().map(|&w| pos[w]).sum::<f64>() / ns.len() as f64
                };
                (key, k, v)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *row = keyed.into_iter().map(|t| t.2).collect();
    };
    for _ in 0..4 {
        for l in 1..depth {
            let below = |v: usize| -> Vec<usize> {
                adj[v]
                    .iter()
                    .copied()
                    .filter(|&w| layer[w] < layer[v])
                    .collect()
            };
            sweep(&mut rows[l], &pos, &below);
            place(&rows, &mut pos);
        }
        for l in (0..depth.saturating_sub(1)).rev() {
            let above = |v: usize| -> Vec<usize> {
                dependents[v]
                    .iter()
                    .copied()
                    .filter(|&w| layer[w] > layer[v])
                    .collect()
            };
            sweep(&mut rows[l], &pos, &above);
            place(&rows, &mut pos);
        }
    }
    rows
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

/// A node box with its wrapped title; a link unless `href` is `None`.
/// A coordinate as `{:.1}` writes it. Whole tenths (every coordinate of these
/// layouts) are written from an integer: the float formatter's exact mode was
/// over half of the time spent drawing the graphs.
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scaled = self.0 * 10.0;
        // Near a whole tenth, the exact decimal rounds to it: the integer is the answer.
        if scaled.fract() == 0.0
            && scaled.abs() < 1e15
            && !(scaled == 0.0 && self.0.is_sign_negative())
        {
            // Digits written backwards into a buffer and handed over in one
            // piece: through the formatter, these numbers were 2% of a build.
            let n = scaled as i64;
            let mut buf = [0u8; 24];
            let mut at = buf.len();
            let mut rest = n.unsigned_abs();
            let mut push = |b: u8| {
                at -= 1;
                buf[at] = b;
            };
            push(b'0' + (rest % 10) as u8);
            push(b'.');
            rest /= 10;
            loop {
                push(b'0' + (rest % 10) as u8);
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            if n < 0 {
                push(b'-');
            }
            f.write_str(std::str::from_utf8(&buf[at..]).expect("ASCII digits"))
        } else {
            write!(f, "{:.1}", self.0)
        }
    }
}

fn node(
    out: &mut String,
    (x, y, w, min_h): (f64, f64, f64, f64),
    lines: &[String],
    title: &str,
    href: Option<&str>,
    class: &str,
) -> f64 {
    let h = (lines.len() as f64 * LINE + 12.0).max(min_h);
    // Text block centred vertically in the box.
    let top = y + (h - (lines.len() as f64 * LINE + 12.0)) / 2.0;
    let open = match href {
        Some(h) => format!("<a href=\"{}\" class=\"g-node {class}\">", xml(h)),
        None => format!("<g class=\"g-node {class}\">"),
    };
    out.push_str(&open);
    let _ = write!(out, "<title>{}</title>", xml(title));
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
            Tenths(top + 6.0 + FONT + k as f64 * LINE - 1.0),
            xml(line)
        );
    }
    out.push_str(if href.is_some() { "</a>" } else { "</g>" });
    h
}

fn marker(out: &mut String, id: &str) {
    let _ = write!(
        out,
        "<defs><marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"g-arrow\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>"
    );
}

/// At most this many neighbours per side are drawn; the lists beside say the rest.
pub const MAX_SIDE: usize = 20;

/// The neighbourhood of one service as an inline SVG (empty when it has none):
/// what it depends on above, the service in the middle, what requires it below.
pub fn neighbourhood(guide: &Guide, index: usize) -> String {
    let page = &guide.pages[index];
    let mut deps: Vec<usize> = Vec::new();
    for &d in &guide.depends_on[index] {
        if !deps.contains(&d) {
            deps.push(d);
        }
    }
    deps.sort_by_cached_key(|&i| guide.pages[i].title.to_lowercase());
    let req: Vec<usize> = guide.required_by[index].clone();
    if deps.is_empty() && req.is_empty() {
        return String::new();
    }
    const W: f64 = 340.0;
    const PAD: f64 = 8.0;
    const TRUNK: f64 = 22.0;
    const NX: f64 = 40.0;
    const NW: f64 = W - NX - PAD;
    const CHARS: usize = 32;
    let from = &page.out_path;
    let id = format!("arrow-{}", page.slug);
    let mut body = String::new();
    let mut y = PAD;
    let section = |body: &mut String, y: &mut f64, list: &[usize], label: &str| -> Vec<f64> {
        let _ = write!(
            body,
            "<text class=\"g-label\" x=\"{PAD}\" y=\"{}\">{}</text>",
            Tenths(*y + FONT),
            xml(label)
        );
        *y += 24.0;
        let mut mids = Vec::new();
        for &i in list.iter().take(MAX_SIDE) {
            let p = &guide.pages[i];
            let lines = wrap(&p.title, CHARS, 2);
            let h = node(
                body,
                (NX, *y, NW, 0.0),
                &lines,
                &p.title,
                Some(&relative(from, &p.permalink)),
                "",
            );
            mids.push(*y + h / 2.0);
            *y += h + 8.0;
        }
        if list.len() > MAX_SIDE {
            let _ = write!(
                body,
                "<text class=\"g-more\" x=\"{NX}\" y=\"{}\">+ {} more, listed above</text>",
                Tenths(*y + FONT),
                list.len() - MAX_SIDE
            );
            *y += 24.0;
        }
        mids
    };
    let dep_mids = if deps.is_empty() {
        Vec::new()
    } else {
        let m = section(&mut body, &mut y, &deps, "Depends on");
        y += 8.0;
        m
    };
    let center_lines = wrap(&page.title, CHARS + 4, 2);
    let center_top = y;
    let ch = node(
        &mut body,
        (PAD, y, W - 2.0 * PAD, 0.0),
        &center_lines,
        &page.title,
        None,
        "g-center",
    );
    y += ch + 16.0;
    let req_mids = if req.is_empty() {
        Vec::new()
    } else {
        section(&mut body, &mut y, &req, "Required by")
    };
    let mut edges = String::new();
    if let (Some(first), Some(_)) = (dep_mids.first(), dep_mids.last()) {
        let _ = write!(
            edges,
            "<path class=\"g-edge\" d=\"M{TRUNK},{} L{TRUNK},{}\"/>",
            Tenths(center_top),
            Tenths(*first)
        );
        for m in &dep_mids {
            let _ = write!(
                edges,
                "<path class=\"g-edge\" d=\"M{TRUNK},{m} L{},{m}\" marker-end=\"url(#{id})\"/>",
                Tenths(NX - 1.0),
                m = Tenths(*m)
            );
        }
    }
    if let Some(last) = req_mids.last() {
        let bottom = center_top + ch;
        let _ = write!(
            edges,
            "<path class=\"g-edge\" d=\"M{TRUNK},{} L{TRUNK},{}\" marker-start=\"url(#{id})\"/>",
            Tenths(bottom + 1.0),
            Tenths(*last)
        );
        for m in &req_mids {
            let _ = write!(
                edges,
                "<path class=\"g-edge\" d=\"M{TRUNK},{m} L{NX},{m}\"/>",
                m = Tenths(*m)
            );
        }
    }
    let h = y + PAD;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"graph-svg graph-near\" viewBox=\"0 0 {W} {h:.0}\" width=\"{W}\" height=\"{h:.0}\" role=\"group\" aria-label=\"{}\">",
        xml(&format!(
            "Dependency graph of {}: {} depended on, {} requiring it",
            page.title,
            deps.len(),
            req.len()
        ))
    );
    marker(&mut out, &id);
    out.push_str(&edges);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// The whole-guide graph: services with at least one dependency edge.
pub struct WholeGraph {
    pub svg: String,
    /// Per layer, the services in it (page indexes, drawing order).
    pub layers: Vec<Vec<usize>>,
    /// Services with no edge in either direction.
    pub isolated: Vec<usize>,
    pub edges: usize,
}

/// Nodes per drawn column; a deeper layer is split into several columns.
const MAX_ROWS: usize = 24;

pub fn whole(guide: &Guide, from: &str) -> WholeGraph {
    // Local node ids follow guide.services (sorted by title).
    let nodes: Vec<usize> = guide
        .services
        .iter()
        .copied()
        .filter(|&i| !guide.depends_on[i].is_empty() || !guide.required_by[i].is_empty())
        .collect();
    let isolated: Vec<usize> = guide
        .services
        .iter()
        .copied()
        .filter(|i| !nodes.contains(i))
        .collect();
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
    let rows = order(&adj, &layer);
    const NW: f64 = 200.0;
    const GAP: f64 = 72.0;
    const SUBGAP: f64 = 20.0;
    const PAD: f64 = 10.0;
    const HEAD: f64 = 30.0;
    const CHARS: usize = 25;
    const NH: f64 = 2.0 * LINE + 12.0;
    const VGAP: f64 = 10.0;
    // Columns: (layer, nodes) with x positions.
    let mut x = PAD;
    let mut pos: Vec<(f64, f64)> = vec![(0.0, 0.0); nodes.len()];
    let mut heads = String::new();
    let tallest = rows
        .iter()
        .map(|r| r.len().min(MAX_ROWS))
        .max()
        .unwrap_or(0);
    let height = PAD + HEAD + tallest as f64 * (NH + VGAP) + PAD;
    for (l, row) in rows.iter().enumerate() {
        let _ = write!(
            heads,
            "<text class=\"g-label\" x=\"{}\" y=\"{}\">{}</text>",
            Tenths(x),
            Tenths(PAD + FONT),
            if l == 0 {
                "Depth 0 (needs none)".to_string()
            } else {
                format!("Depth {l}")
            }
        );
        for (c, chunk) in row.chunks(MAX_ROWS).enumerate() {
            if c > 0 {
                x += NW + SUBGAP;
            }
            let col_h = chunk.len() as f64 * (NH + VGAP);
            let top = PAD + HEAD + ((tallest as f64 * (NH + VGAP)) - col_h) / 2.0;
            for (k, &v) in chunk.iter().enumerate() {
                pos[v] = (x, top + k as f64 * (NH + VGAP));
            }
        }
        x += NW + GAP;
    }
    let width = x - GAP + PAD;
    let id = "arrow-all";
    let mut edges = String::new();
    let mut edge_count = 0;
    for (v, ws) in adj.iter().enumerate() {
        for &w in ws {
            edge_count += 1;
            let (vx, vy) = pos[v];
            let (wx, wy) = pos[w];
            let (vy, wy) = (vy + NH / 2.0, wy + NH / 2.0);
            let d = if layer[w] < layer[v] {
                // From the dependent's left side to the dependency's right side.
                let (x1, x2) = (vx, wx + NW);
                let bend = ((x1 - x2) / 2.0).max(30.0);
                format!(
                    "M{x1},{vy} C{},{vy} {},{wy} {x2},{wy}",
                    Tenths(x1 - bend),
                    Tenths(x2 + bend),
                    x1 = Tenths(x1),
                    x2 = Tenths(x2),
                    vy = Tenths(vy),
                    wy = Tenths(wy)
                )
            } else {
                // Same layer (a cycle): a loop out to the right.
                let (x1, x2) = (vx + NW, wx + NW);
                let bulge = 26.0 + (vy - wy).abs().min(400.0) / 20.0;
                format!(
                    "M{x1},{} C{},{} {},{} {x2},{}",
                    Tenths(vy - 6.0),
                    Tenths(x1 + bulge),
                    Tenths(vy - 6.0),
                    Tenths(x2 + bulge),
                    Tenths(wy + 6.0),
                    Tenths(wy + 6.0),
                    x1 = Tenths(x1),
                    x2 = Tenths(x2)
                )
            };
            let _ = write!(
                edges,
                "<path class=\"g-edge\" d=\"{d}\" marker-end=\"url(#{id})\"><title>{} depends on {}</title></path>",
                xml(&guide.pages[nodes[v]].title),
                xml(&guide.pages[nodes[w]].title)
            );
        }
    }
    let mut body = String::new();
    for row in &rows {
        for &v in row {
            let p = &guide.pages[nodes[v]];
            let (nx, ny) = pos[v];
            let lines = wrap(&p.title, CHARS, 2);
            node(
                &mut body,
                (nx, ny, NW, NH),
                &lines,
                &p.title,
                Some(&relative(from, &p.permalink)),
                "",
            );
        }
    }
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"graph-svg graph-all\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"group\" aria-label=\"{}\">",
        xml(&format!(
            "Dependency graph of {} services in {} layers",
            nodes.len(),
            rows.len()
        ))
    );
    marker(&mut svg, id);
    svg.push_str(&heads);
    svg.push_str(&edges);
    svg.push_str(&body);
    svg.push_str("</svg>");
    WholeGraph {
        svg,
        layers: rows
            .iter()
            .map(|r| r.iter().map(|&v| nodes[v]).collect())
            .collect(),
        isolated,
        edges: edge_count,
    }
}

#[derive(Serialize)]
struct ListNode {
    title: String,
    url: String,
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
}

pub fn render_page(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<OutFile> {
    let g = whole(guide, PATH);
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
                    depends: deps.into_iter().map(link).collect(),
                }
            })
            .collect();
        nodes.sort_by_key(|n| n.title.to_lowercase());
        layers.push(LayerCtx { depth, nodes });
    }
    let ctx = GraphCtx {
        site: SiteCtx::new(config, PATH),
        title: "Dependency graph",
        canonical: crate::url::absolute(&config.base_url, PATH),
        node_count: g.layers.iter().map(Vec::len).sum(),
        edge_count: g.edges,
        svg: g.svg,
        layers,
        isolated: g.isolated.into_iter().map(link).collect(),
    };
    // The lists below the drawing take about 220 bytes a service.
    let html_bytes = ctx.svg.len() + 256 * ctx.node_count;
    render_template(tera, "views/graph.html", PATH, &ctx, html_bytes)
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
            assert_eq!(Tenths(v).to_string(), format!("{v:.1}"), "{v:?}");
        }
    }

    use super::*;

    #[test]
    fn cycles_share_a_layer_and_the_layering_ends() {
        // 0 ↔ 1, 2 → 0, 3 → 2, 4 alone, 5 → 5 (self loop).
        let adj = vec![vec![1], vec![0], vec![0], vec![2], vec![], vec![5]];
        assert_eq!(layers(&adj), vec![0, 0, 1, 2, 0, 0]);
        let comp = components(&adj);
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
        assert!(layers(&ring).iter().all(|&l| l == 0));
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
