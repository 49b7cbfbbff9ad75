//! Output: every kept element copied verbatim from the source, grouped per `Schema` by kind, with
//! the rebuilt elements (pruned navigation properties, the container's singleton) marked by a
//! comment where something was removed.

use std::ops::Range;

use super::closure::Closure;
use super::detail::{Detail, Nested};
use super::index::{Index, Kind};

/// The whitespace that precedes `at` on its line, if only whitespace does.
fn indent(src: &str, at: usize) -> &str {
    let line_start = src[..at].rfind('\n').map_or(0, |p| p + 1);
    let lead = &src[line_start..at];
    if lead.chars().all(|c| c == ' ' || c == '\t') {
        lead
    } else {
        ""
    }
}

fn push_line(out: &mut String, src: &str, span: &Range<usize>) {
    out.push_str(indent(src, span.start));
    out.push_str(&src[span.clone()]);
    out.push('\n');
}

pub(super) fn write(ix: &Index<'_>, cl: &Closure<'_>, provenance: &str) -> String {
    let src = ix.src;
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!--\n");
    out.push_str(provenance.strip_suffix('\n').unwrap_or(provenance));
    out.push_str("\n-->\n");
    push_line(&mut out, src, &ix.edmx_start);
    for r in &ix.references {
        push_line(&mut out, src, r);
    }
    push_line(&mut out, src, &ix.services_start);
    for (s, schema) in ix.schemas.iter().enumerate() {
        let mut elems: Vec<usize> = cl
            .kept
            .keys()
            .copied()
            .filter(|i| ix.elems[*i].schema == s)
            .chain(
                ix.elems
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.schema == s && e.kind == Kind::Annotations)
                    .filter(|(_, e)| cl.keeps_target(ix, e.name))
                    .map(|(i, _)| i),
            )
            .collect();
        if elems.is_empty() {
            continue;
        }
        elems.sort_by_key(|i| (ix.elems[*i].kind, *i));
        push_line(&mut out, src, &schema.start_tag);
        for i in elems {
            let el = &ix.elems[i];
            match cl.kept.get(&i) {
                Some(_) if i == cl.container => write_container(&mut out, ix, cl),
                Some(k) if !k.pruned.is_empty() => {
                    let kept = k.detail.children.iter().filter(|c| {
                        !(c.local == "NavigationProperty"
                            && c.name.is_some_and(|n| k.pruned.contains(&n)))
                    });
                    let note =
                        format!("<!-- pruned for this fragment: {} -->", k.pruned.join(", "));
                    write_rebuilt(
                        &mut out,
                        src,
                        &k.detail,
                        kept.map(|c| c.span.clone()),
                        Some(&note),
                    );
                }
                _ => push_line(&mut out, src, &el.span),
            }
        }
        push_line(&mut out, src, &schema.end_tag);
    }
    push_line(&mut out, src, &ix.services_end);
    out.push_str(indent(src, ix.edmx_end.start));
    out.push_str(&src[ix.edmx_end.clone()]);
    out.push('\n');
    out
}

/// Write an element with only some of its children, and an optional comment after them.
fn write_rebuilt(
    out: &mut String,
    src: &str,
    d: &Detail<'_>,
    children: impl Iterator<Item = Range<usize>>,
    note: Option<&str>,
) {
    let Some(end_tag) = &d.end_tag else {
        push_line(out, src, &d.start_tag);
        return;
    };
    let outer = indent(src, d.start_tag.start);
    push_line(out, src, &d.start_tag);
    let mut child_indent = None;
    for c in children {
        child_indent.get_or_insert_with(|| indent(src, c.start).to_string());
        push_line(out, src, &c);
    }
    if let Some(note) = note {
        out.push_str(child_indent.as_deref().unwrap_or(&format!("{outer}  ")));
        out.push_str(note);
        out.push('\n');
    }
    out.push_str(indent(src, end_tag.start));
    out.push_str(&src[end_tag.clone()]);
    out.push('\n');
}

fn write_container(out: &mut String, ix: &Index<'_>, cl: &Closure<'_>) {
    let src = ix.src;
    let d = &cl.kept[&cl.container].detail;
    let outer = indent(src, d.start_tag.start);
    push_line(out, src, &d.start_tag);
    for (n, c) in d.children.iter().enumerate() {
        if c.local.is_empty() {
            push_line(out, src, &c.span);
            continue;
        }
        if n != cl.singleton_child {
            continue;
        }
        let keep = |Nested {
                        local,
                        path,
                        target,
                        ..
                    }: &Nested<'_>| {
            if *local != "NavigationPropertyBinding" {
                return true;
            }
            let first_nav = path.unwrap_or("").split('/').find(|seg| !seg.contains('.'));
            let target_root = target.unwrap_or("").split('/').next();
            first_nav.is_some_and(|n| cl.roots.contains(&n))
                && target_root == Some(cl.singleton.as_str())
        };
        let pruned = c.nested.iter().filter(|n| !keep(n)).count();
        if pruned == 0 {
            push_line(out, src, &c.span);
            continue;
        }
        let sd = Detail {
            start_tag: c.span.start
                ..c.span.start + src[c.span.clone()].find('>').map_or(0, |p| p + 1),
            end_tag: Some(c.span.start + src[c.span.clone()].rfind("</").unwrap_or(0)..c.span.end),
            children: Vec::new(),
        };
        let note = format!(
            "<!-- pruned {pruned} NavigationPropertyBinding(s) for navigation properties not in this fragment -->"
        );
        write_rebuilt(
            out,
            src,
            &sd,
            c.nested.iter().filter(|n| keep(n)).map(|n| n.span.clone()),
            Some(&note),
        );
    }
    let end = d
        .end_tag
        .clone()
        .unwrap_or(d.start_tag.end..d.start_tag.end);
    if end.is_empty() {
        return;
    }
    out.push_str(if end.start == d.start_tag.end {
        outer
    } else {
        indent(src, end.start)
    });
    out.push_str(&src[end]);
    out.push('\n');
}
