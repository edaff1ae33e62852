//! Checks of the dependency graph that only a typed model can do: unmirrored
//! edges, cycles, unlinked names, and Disabled services that Automatic ones need.

use crate::diag::{Code, Diagnostic};
use crate::guide::{Guide, Resolved};
use crate::service::refs::RefList;
use crate::service::state::StartState;
use crate::service::Item;

pub fn check(guide: &Guide, diags: &mut Vec<Diagnostic>) {
    use rayon::prelude::*;
    let targets = Targets::of(guide);
    // Unlinked names are looked up by title: the index is built here, on all
    // threads, not by the first thread to meet one while the others wait.
    let unlinked = |item: &Item<crate::service::refs::Ref>| {
        item.value.as_ref().is_some_and(|r| r.href.is_none())
    };
    if guide.services.iter().any(|&i| {
        let s = guide.pages[i].service().expect("service page");
        s.depends
            .items()
            .iter()
            .chain(s.supports.items())
            .any(unlinked)
    }) {
        guide.prepare_suggestions();
    }
    let found: Vec<Vec<Diagnostic>> = guide
        .services
        .par_iter()
        .map(|&i| {
            let mut diags = Vec::new();
            let page = &guide.pages[i];
            let service = page.service().expect("service page");
            mirror(guide, &targets, i, true, &mut diags);
            mirror(guide, &targets, i, false, &mut diags);
            for item in service
                .depends
                .items()
                .iter()
                .chain(service.supports.items())
            {
                if let Some(r) = item.value.as_ref().filter(|r| r.href.is_none()) {
                    let help = match guide.page_titled(&r.name) {
                        Some(j) => format!(
                            "did you mean `[{}]({})`?",
                            guide.pages[j].title, guide.pages[j].permalink
                        ),
                        None => "link it to the service's article, e.g. `[Name](/article/winnt-services-<name>.html)`, if the guide has one".to_string(),
                    };
                    diags.push(
                        Diagnostic::at(Code::RefUnlinked, &page.src, item.offset, format!("`{}` is named without a link", r.name))
                            .help(help),
                    );
                }
            }
            disabled_dependencies(guide, &targets, i, &mut diags);
            itself(guide, i, &mut diags);
            diags
        })
        .collect();
    diags.extend(found.into_iter().flatten());
    cycles(guide, &targets, diags);
}

/// Whether a Depends item's link is unofficial (see [`Ref::is_unofficial`]).
fn is_unofficial(item: &Item<crate::service::refs::Ref>) -> bool {
    item.value
        .as_ref()
        .is_some_and(crate::service::refs::Ref::is_unofficial)
}

/// Per page, the services its official Depends items link to: the edges a
/// start can deadlock on.
fn official_depends(guide: &Guide, targets: &Targets) -> Vec<Vec<usize>> {
    let mut edges = vec![Vec::new(); guide.pages.len()];
    for &i in &guide.services {
        let service = guide.pages[i].service().expect("service page");
        for (item, &j) in service.depends.items().iter().zip(&targets.depends[i]) {
            if let Some(j) = j.filter(|_| !is_unofficial(item)) {
                edges[i].push(j);
            }
        }
    }
    edges
}

/// The service page each Depends and Supports item links to, by page index,
/// worked out once: the mirror check asks of every edge whether the other end
/// lists it back.
struct Targets {
    depends: Vec<ItemTargets>,
    supports: Vec<ItemTargets>,
}

/// Per item of a list, the service page it links to.
type ItemTargets = Vec<Option<usize>>;

impl Targets {
    fn of(guide: &Guide) -> Targets {
        use rayon::prelude::*;
        let resolved: Vec<(usize, ItemTargets, ItemTargets)> = guide
            .services
            .par_iter()
            .map(|&i| {
                let s = guide.pages[i].service().expect("service page");
                let of = |list: &RefList| {
                    list.items()
                        .iter()
                        .map(|item| target(guide, i, item))
                        .collect()
                };
                (i, of(&s.depends), of(&s.supports))
            })
            .collect();
        let mut targets = Targets {
            depends: vec![Vec::new(); guide.pages.len()],
            supports: vec![Vec::new(); guide.pages.len()],
        };
        for (i, depends, supports) in resolved {
            targets.depends[i] = depends;
            targets.supports[i] = supports;
        }
        targets
    }
}

/// The service page an item links to, if any.
fn target(guide: &Guide, from: usize, item: &Item<crate::service::refs::Ref>) -> Option<usize> {
    let href = item.value.as_ref()?.href.as_deref()?;
    match guide.resolve(&guide.pages[from].out_path, href) {
        Resolved::Page { index, .. } if guide.pages[index].service().is_some() && index != from => {
            Some(index)
        }
        _ => None,
    }
}

/// One warning per edge whose other end does not list it back.
fn mirror(guide: &Guide, targets: &Targets, i: usize, depends: bool, diags: &mut Vec<Diagnostic>) {
    let page = &guide.pages[i];
    let service = page.service().expect("service page");
    let (list, mine) = if depends {
        (&service.depends, &targets.depends[i])
    } else {
        (&service.supports, &targets.supports[i])
    };
    for (item, &j) in list.items().iter().zip(mine) {
        let Some(j) = j else {
            continue;
        };
        let other = guide.pages[j].service().expect("service target");
        let (back, theirs) = if depends {
            (&other.supports, &targets.supports[j])
        } else {
            (&other.depends, &targets.depends[j])
        };
        let mirrored = matches!(back, RefList::Everything) || theirs.contains(&Some(i));
        if mirrored {
            continue;
        }
        let (code, msg, help) = if depends {
            (
                Code::GraphDependsUnmirrored,
                format!(
                    "depends on {}, whose Supports does not list {}",
                    guide.pages[j].title, page.title
                ),
                format!(
                    "add `- [{}]({})` to the Supports of {}",
                    page.title, page.permalink, guide.pages[j].src.rel
                ),
            )
        } else {
            (
                Code::GraphSupportsUnmirrored,
                format!(
                    "supports {}, whose Depends does not list {}",
                    guide.pages[j].title, page.title
                ),
                format!(
                    "add `- [{}]({})` to the Depends of {}, or remove this item",
                    page.title, page.permalink, guide.pages[j].src.rel
                ),
            )
        };
        // The other article is half of the problem: a change to it (a
        // Supports item removed) causes this one (see `changed::retain`).
        diags.push(
            Diagnostic::at(code, &page.src, item.offset, msg)
                .help(help)
                .related(&guide.pages[j].src.rel),
        );
    }
}

fn first_recommended(guide: &Guide, i: usize) -> Option<StartState> {
    let s = guide.pages[i].service()?;
    s.recommended.first()?.value.as_ref().map(|v| v.state)
}

/// A service recommended Automatic that depends on one recommended Disabled.
fn disabled_dependencies(guide: &Guide, targets: &Targets, i: usize, diags: &mut Vec<Diagnostic>) {
    if first_recommended(guide, i) != Some(StartState::Automatic) {
        return;
    }
    let page = &guide.pages[i];
    let service = page.service().expect("service page");
    for (item, &j) in service.depends.items().iter().zip(&targets.depends[i]) {
        let Some(j) = j else {
            continue;
        };
        // Only an unconditional Disabled recommendation contradicts the Automatic one.
        let Some(rec) = guide.pages[j].service().and_then(|s| s.recommended.first()) else {
            continue;
        };
        let Some(v) = rec.value.as_ref() else {
            continue;
        };
        if v.state == StartState::Disabled && v.condition.is_none() && rec.scope.is_all() {
            diags.push(
                Diagnostic::at(Code::GraphDisabledDependency, &page.src, item.offset, format!("{} is recommended Automatic but depends on {}, which is recommended Disabled", page.title, guide.pages[j].title))
                    .help("one of the two recommendations is wrong, or the Disabled one needs a condition (`Disabled, if ...`)")
                    .related(&guide.pages[j].src.rel),
            );
        }
    }
}

/// An official Depends item that links to the article's own page: a loop of
/// one, which the graph leaves out (a service cannot wait for itself).
fn itself(guide: &Guide, i: usize, diags: &mut Vec<Diagnostic>) {
    let page = &guide.pages[i];
    let service = page.service().expect("service page");
    for item in service.depends.items() {
        let Some(href) = item.value.as_ref().and_then(|r| r.href.as_deref()) else {
            continue;
        };
        // `page_of`: a lookup without a new string, for every Depends link.
        if guide.page_of(&page.out_path, href) == Some(i) && !is_unofficial(item) {
            diags.push(
                Diagnostic::at(
                    Code::GraphCycle,
                    &page.src,
                    item.offset,
                    format!("{} depends on itself", page.title),
                )
                .help("remove this item: a service cannot wait for itself to start (the page lists it, the graph leaves it out)"),
            );
        }
    }
}

/// One diagnostic per cycle (strongly connected component) of the official
/// Depends links, at its first member: the shortest loop through it, as the
/// links run, and how many services the component holds when that is more
/// than the loop. A loop through an Unofficial link is no deadlock at start.
fn cycles(guide: &Guide, targets: &Targets, diags: &mut Vec<Diagnostic>) {
    let edges = official_depends(guide, targets);
    let (comp, count) = crate::impact::components(&edges);
    for component in members_of(&comp, count) {
        if component.len() < 2 {
            continue;
        }
        let first = *component
            .iter()
            .min_by(|&&a, &&b| guide.pages[a].src.rel.cmp(&guide.pages[b].src.rel))
            .expect("a component of two or more");
        let same = |j: usize| comp[j] == comp[first];
        let ring = shortest_loop(&edges, first, same);
        let page = &guide.pages[first];
        let at = page
            .service()
            .and_then(|s| {
                s.depends
                    .items()
                    .iter()
                    .zip(&targets.depends[first])
                    .find(|(it, j)| !is_unofficial(it) && j.is_some_and(same))
            })
            .map_or(0, |(it, _)| it.offset);
        let mut message = format!(
            "dependency cycle: {}",
            loop_text(&ring, |i| guide.pages[i].title.as_str())
        );
        if component.len() > ring.len() {
            message.push_str(&format!(
                " ({} services in all depend on each other in loops)",
                component.len()
            ));
        }
        diags.push(
            Diagnostic::at(Code::GraphCycle, &page.src, at, message)
                .help("services that depend on each other cannot start; check which Depends item is wrong (or mark it Unofficial)"),
        );
    }
}

/// The shortest loop from `start` back to it over `edges`, staying on nodes
/// for which `inside` holds: its nodes in order, `start` first. A walk over
/// the component only (a map, not a guide-sized array: a guide of many small
/// loops stays linear).
fn shortest_loop(edges: &[Vec<usize>], start: usize, inside: impl Fn(usize) -> bool) -> Vec<usize> {
    let mut parent: rustc_hash::FxHashMap<usize, usize> = rustc_hash::FxHashMap::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(i) = queue.pop_front() {
        for &j in &edges[i] {
            if j == start {
                let mut path = vec![i];
                while let Some(&p) = parent.get(path.last().expect("not empty")) {
                    path.push(p);
                }
                path.reverse();
                return path;
            }
            if inside(j) && !parent.contains_key(&j) {
                parent.insert(j, i);
                queue.push_back(j);
            }
        }
    }
    // Not reached for a component of two or more; the start alone otherwise.
    vec![start]
}

/// How many services of a long loop the message names at each end.
const LOOP_ENDS: usize = 4;

/// "A → B → C → A"; for a long loop its first and last few, with a count of
/// those between (a ring of thousands gives a line, not a page).
fn loop_text<'a>(ring: &[usize], title: impl Fn(usize) -> &'a str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if ring.len() <= 2 * LOOP_ENDS + 1 {
        parts.extend(ring.iter().map(|&i| title(i).to_string()));
    } else {
        parts.extend(ring[..LOOP_ENDS].iter().map(|&i| title(i).to_string()));
        parts.push(format!("… {} more …", ring.len() - 2 * LOOP_ENDS));
        parts.extend(
            ring[ring.len() - LOOP_ENDS..]
                .iter()
                .map(|&i| title(i).to_string()),
        );
    }
    parts.push(title(ring[0]).to_string());
    parts.join(" → ")
}

/// The strongly connected components as lists of nodes (`impact::components`).
#[cfg(test)]
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let (comp, count) = crate::impact::components(edges);
    members_of(&comp, count)
}

/// Each component's nodes, from each node's component.
fn members_of(comp: &[usize], count: usize) -> Vec<Vec<usize>> {
    let mut components: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (node, &c) in comp.iter().enumerate() {
        components[c].push(node);
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_singletons() {
        let edges = vec![vec![1], vec![0], vec![0], vec![3]];
        let mut comps: Vec<Vec<usize>> = strongly_connected(&edges)
            .into_iter()
            .map(|mut c| {
                c.sort();
                c
            })
            .collect();
        comps.sort();
        assert_eq!(comps, vec![vec![0, 1], vec![2], vec![3]]);
    }

    #[test]
    fn loops_are_the_shortest_through_their_start_and_bounded_in_text() {
        // 0 → 1 → 2 → 0 and 0 → 3 → 0: the shortest is through 3.
        let edges = vec![vec![1, 3], vec![2], vec![0], vec![0], vec![0]];
        let inside = |j: usize| j < 4;
        assert_eq!(shortest_loop(&edges, 0, inside), vec![0, 3]);
        assert_eq!(shortest_loop(&edges, 1, inside), vec![1, 2, 0]);
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
        assert_eq!(loop_text(&[0, 3], |i| names[i]), "a → d → a");
        let long: Vec<usize> = (0..11).collect();
        assert_eq!(
            loop_text(&long, |i| names[i]),
            "a → b → c → d → … 3 more … → h → i → j → k → a"
        );
        let ring: Vec<Vec<usize>> = (0..100_000).map(|i| vec![(i + 1) % 100_000]).collect();
        let found = shortest_loop(&ring, 0, |_| true);
        assert_eq!(found.len(), 100_000);
        assert!(loop_text(&found, |_| "x").len() < 100);
    }

    #[test]
    fn deep_chains_do_not_overflow() {
        let edges: Vec<Vec<usize>> = (0..200_000)
            .map(|i| {
                if i + 1 < 200_000 {
                    vec![i + 1]
                } else {
                    vec![0]
                }
            })
            .collect();
        let comps = strongly_connected(&edges);
        assert_eq!(comps.len(), 1);
    }
}
