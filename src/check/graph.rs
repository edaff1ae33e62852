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
                    diags.push(
                        Diagnostic::at(Code::RefUnlinked, &page.src, item.offset, format!("`{}` is named without a link", r.name))
                            .help("link it to the service's article, e.g. `[Name](/article/winnt-services-<name>.html)`, if the guide has one"),
                    );
                }
            }
            disabled_dependencies(guide, &targets, i, &mut diags);
            diags
        })
        .collect();
    diags.extend(found.into_iter().flatten());
    cycles(guide, diags);
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
        diags.push(Diagnostic::at(code, &page.src, item.offset, msg).help(help));
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
                    .help("one of the two recommendations is wrong, or the Disabled one needs a condition (`Disabled, if ...`)"),
            );
        }
    }
}

/// One diagnostic per cycle (strongly connected component), at its first member.
fn cycles(guide: &Guide, diags: &mut Vec<Diagnostic>) {
    for component in strongly_connected(&guide.depends_on) {
        if component.len() < 2 {
            continue;
        }
        let mut members = component.clone();
        members.sort_by(|&a, &b| guide.pages[a].src.rel.cmp(&guide.pages[b].src.rel));
        let first = members[0];
        let names: Vec<&str> = members
            .iter()
            .map(|&m| guide.pages[m].title.as_str())
            .collect();
        let page = &guide.pages[first];
        let at = page
            .service()
            .and_then(|s| {
                s.depends
                    .items()
                    .iter()
                    .find(|it| target(guide, first, it).is_some_and(|t| members.contains(&t)))
            })
            .map_or(0, |it| it.offset);
        diags.push(
            Diagnostic::at(Code::GraphCycle, &page.src, at, format!("dependency cycle: {}", names.join(" → ")))
                .help("services that depend on each other cannot start; check which Depends item is wrong (or mark it Unofficial)"),
        );
    }
}

/// The strongly connected components as lists of nodes (`guide::components`).
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let (comp, count) = crate::guide::components(edges);
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
