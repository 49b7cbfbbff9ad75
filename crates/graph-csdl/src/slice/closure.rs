//! The closure walk: from the roots, every element the slice needs (base types, referenced types
//! and the types derived from them, member and parameter types), and which out-of-line annotations
//! it keeps.

use std::collections::HashMap;

use super::SliceError;
use super::detail::Detail;
use super::index::Index;
use super::roots::{self, Roots};
use super::xml::structure_error;

/// What is kept of one element.
#[derive(Debug)]
pub(super) struct Kept<'a> {
    pub(super) detail: Detail<'a>,
    /// Navigation properties removed from this type, in source order.
    pub(super) pruned: Vec<&'a str>,
}

#[derive(Debug)]
pub(super) struct Closure<'a> {
    /// Kept elements by index in `Index::elems`.
    pub(super) kept: HashMap<usize, Kept<'a>>,
    /// Types whose derived types were added.
    derived_done: Vec<usize>,
    /// The container holding the singleton and the singleton's child index in it.
    pub(super) container: usize,
    pub(super) singleton_child: usize,
    /// The singleton's name.
    pub(super) singleton: String,
    /// Root navigation properties present on the singleton's type.
    pub(super) roots: Vec<&'a str>,
    singleton_type: usize,
}

impl<'a> Closure<'a> {
    pub(super) fn compute(ix: &Index<'a>, roots: &Roots) -> Result<Self, SliceError> {
        let singleton = roots::singleton(ix, roots)?;
        let navigations = roots::navigations(ix, roots, singleton.type_index)?;
        let mut cl = Closure {
            kept: HashMap::new(),
            derived_done: Vec::new(),
            container: singleton.container,
            singleton_child: singleton.child,
            singleton: roots.singleton.clone(),
            roots: navigations,
            singleton_type: singleton.type_index,
        };
        cl.kept.insert(
            singleton.container,
            Kept {
                detail: singleton.container_detail,
                pruned: Vec::new(),
            },
        );
        let mut work: Vec<(usize, bool)> = vec![(singleton.type_index, false)];
        cl.run(ix, roots, &mut work)?;

        // The bound operations: overloads whose binding parameter type is in the slice, until no
        // more are found (an operation's parameter types can bring another's binding type in).
        let mut found: Vec<&str> = Vec::new();
        loop {
            let mut added = false;
            for i in 0..ix.elems.len() {
                if cl.kept.contains_key(&i) {
                    continue;
                }
                let Some(name) = roots::root_operation(ix, roots, i, |t| cl.kept.contains_key(&t))?
                else {
                    continue;
                };
                work.push((i, false));
                cl.run(ix, roots, &mut work)?;
                found.push(name);
                added = true;
            }
            if !added {
                break;
            }
        }
        if let Some(missing) = roots
            .bound_operations
            .iter()
            .find(|op| !found.contains(&op.as_str()))
        {
            return Err(roots::missing_operation(missing));
        }
        Ok(cl)
    }

    /// Add the elements of `work` and everything they reference.
    fn run(
        &mut self,
        ix: &Index<'a>,
        roots: &Roots,
        work: &mut Vec<(usize, bool)>,
    ) -> Result<(), SliceError> {
        while let Some((i, referenced)) = work.pop() {
            let el = &ix.elems[i];
            if !self.kept.contains_key(&i) {
                let detail = ix.detail(i)?;
                let qualified = ix.qualified(i);
                let mut pruned = Vec::new();
                if let Some(b) = el.base {
                    let t = ix
                        .lookup(b)
                        .filter(|t| ix.elems[*t].kind.is_structured())
                        .ok_or_else(|| {
                            structure_error(
                                ix.src,
                                el.span.start,
                                format!("base type `{b}` of `{qualified}` is not defined"),
                            )
                        })?;
                    work.push((t, false));
                }
                for c in &detail.children {
                    let follow = match c.local {
                        "Property" | "Parameter" | "ReturnType" => true,
                        "NavigationProperty" => {
                            let name = c.name.unwrap_or_default();
                            let cut = if i == self.singleton_type {
                                !self.roots.contains(&name)
                            } else {
                                roots.prunes(&qualified, name)
                            };
                            if cut {
                                pruned.push(name);
                            }
                            !cut
                        }
                        _ => false,
                    };
                    let Some(t) = c.type_ref.filter(|_| follow) else {
                        continue;
                    };
                    if t.starts_with("Edm.") || t.starts_with("Collection(Edm.") {
                        continue;
                    }
                    let target = ix
                        .lookup(t)
                        .filter(|t| ix.elems[*t].kind.is_type())
                        .ok_or_else(|| {
                            structure_error(
                                ix.src,
                                c.span.start,
                                format!(
                                    "type `{t}` of `{qualified}/{}` is not defined",
                                    c.name.unwrap_or(c.local)
                                ),
                            )
                        })?;
                    work.push((target, true));
                }
                self.kept.insert(i, Kept { detail, pruned });
            }
            if referenced && el.kind.is_structured() && !self.derived_done.contains(&i) {
                self.derived_done.push(i);
                for (j, d) in ix.elems.iter().enumerate() {
                    if d.kind.is_structured() && d.base.and_then(|b| ix.lookup(b)) == Some(i) {
                        work.push((j, true));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether an out-of-line annotation target names a kept element.
    pub(super) fn keeps_target(&self, ix: &Index<'a>, target: &'a str) -> bool {
        let (head, member) = match target.find('/') {
            Some(p) => (&target[..p], Some(&target[p + 1..])),
            None => (target, None),
        };
        // `ns.action(ns.bindingType)` addresses one overload.
        let head = head.find('(').map_or(head, |p| &head[..p]);
        let Some(i) = ix.lookup(head) else {
            return false;
        };
        let Some(kept) = self.kept.get(&i) else {
            return false;
        };
        let Some(member) = member else {
            return i != self.container;
        };
        let member = member.split('/').next().unwrap_or(member);
        if i == self.container {
            return kept
                .detail
                .children
                .get(self.singleton_child)
                .and_then(|c| c.name)
                == Some(member);
        }
        // The member may be declared on a base type (all of which are kept).
        let mut cur = Some((i, kept));
        let mut steps = 0;
        while let Some((t, k)) = cur {
            if k.pruned.contains(&member) {
                return false;
            }
            if k.detail
                .children
                .iter()
                .any(|c| !c.local.is_empty() && c.name == Some(member))
            {
                return true;
            }
            steps += 1;
            cur = ix.elems[t]
                .base
                .and_then(|b| ix.lookup(b))
                .and_then(|b| Some((b, self.kept.get(&b)?)))
                .filter(|_| steps < 64);
        }
        false
    }
}
