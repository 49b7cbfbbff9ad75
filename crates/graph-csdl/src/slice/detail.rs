//! Pass 2: the direct children (and, for a `Singleton` or `EntitySet`, grandchildren) of the few
//! elements that end up in the closure.

use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::xml::{attr, local_name, xml_error};
use crate::error::CsdlError;

#[derive(Debug)]
pub(super) struct Child<'a> {
    /// Local element name; empty for a comment.
    pub(super) local: &'a str,
    pub(super) name: Option<&'a str>,
    pub(super) type_ref: Option<&'a str>,
    pub(super) span: Range<usize>,
    /// Children of a `Singleton`/`EntitySet`: (local name, Path, Target, span); comments have an empty name.
    pub(super) nested: Vec<Nested<'a>>,
}

/// A child of a `Singleton` or `EntitySet` (`NavigationPropertyBinding`, `Annotation`) or a comment.
#[derive(Debug)]
pub(super) struct Nested<'a> {
    /// Local element name; empty for a comment.
    pub(super) local: &'a str,
    pub(super) path: Option<&'a str>,
    pub(super) target: Option<&'a str>,
    pub(super) span: Range<usize>,
}

#[derive(Debug)]
pub(super) struct Detail<'a> {
    pub(super) start_tag: Range<usize>,
    /// `None` for an empty element.
    pub(super) end_tag: Option<Range<usize>>,
    pub(super) children: Vec<Child<'a>>,
}

impl<'a> Detail<'a> {
    pub(super) fn scan(src: &'a str, span: Range<usize>) -> Result<Self, CsdlError> {
        let text = &src[span.clone()];
        let mut reader = Reader::from_str(text);
        let mut depth = 0usize;
        let mut d = Detail {
            start_tag: span.clone(),
            end_tag: None,
            children: Vec::new(),
        };
        loop {
            let before = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| {
                xml_error(
                    src,
                    span.start + reader.error_position() as usize,
                    e.to_string(),
                )
            })?;
            let after = reader.buffer_position() as usize;
            let start = before + text[before..after].find('<').unwrap_or(0);
            let abs = span.start + start..span.start + after;
            let tag = &src[abs.clone()];
            match event {
                Event::Start(_) | Event::Empty(_) => {
                    let empty = matches!(event, Event::Empty(_));
                    match depth {
                        0 => d.start_tag = abs,
                        1 => d.children.push(Child {
                            local: local_name(tag),
                            name: attr(tag, "Name"),
                            type_ref: attr(tag, "Type"),
                            span: abs,
                            nested: Vec::new(),
                        }),
                        2 => {
                            if let Some(c) = d.children.last_mut() {
                                c.nested.push(Nested {
                                    local: local_name(tag),
                                    path: attr(tag, "Path"),
                                    target: attr(tag, "Target"),
                                    span: abs,
                                });
                            }
                        }
                        _ => {}
                    }
                    if !empty {
                        depth += 1;
                    }
                }
                Event::End(_) => {
                    depth -= 1;
                    match depth {
                        0 => d.end_tag = Some(abs),
                        1 => {
                            if let Some(c) = d.children.last_mut() {
                                c.span.end = abs.end;
                            }
                        }
                        2 => {
                            if let Some(n) = d.children.last_mut().and_then(|c| c.nested.last_mut())
                            {
                                n.span.end = abs.end;
                            }
                        }
                        _ => {}
                    }
                }
                Event::Comment(_) => match depth {
                    1 => d.children.push(Child {
                        local: "",
                        name: None,
                        type_ref: None,
                        span: abs,
                        nested: Vec::new(),
                    }),
                    2 => {
                        if let Some(c) = d.children.last_mut() {
                            c.nested.push(Nested {
                                local: "",
                                path: None,
                                target: None,
                                span: abs,
                            });
                        }
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(d)
    }
}
