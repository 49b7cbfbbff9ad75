//! Reading raw tag text: the error constructors with line and column, attribute checks, and the tag
//! name and attribute lookups that work on the borrowed source.

use quick_xml::events::BytesStart;

use crate::error::{CsdlError, Location};

pub(super) fn xml_error(src: &str, at: usize, message: impl Into<String>) -> CsdlError {
    CsdlError::Xml {
        at: Location::of(src, at),
        message: message.into(),
    }
}

pub(super) fn structure_error(src: &str, at: usize, message: impl Into<String>) -> CsdlError {
    CsdlError::Structure {
        at: Location::of(src, at),
        message: message.into(),
    }
}

/// Check the attributes of a tag (quick-xml only parses them on demand).
pub(super) fn check_attributes(src: &str, e: &BytesStart<'_>, at: usize) -> Result<(), CsdlError> {
    for a in e.attributes() {
        if let Err(err) = a {
            return Err(xml_error(src, at, format!("bad attribute: {err}")));
        }
    }
    Ok(())
}

/// The name of a tag from its raw text (`<edmx:Edmx ...` → `edmx:Edmx`).
pub(super) fn tag_name(tag: &str) -> &str {
    let t = tag.trim_start_matches('<').trim_start_matches('/');
    let end = t
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(t.len());
    &t[..end]
}

pub(super) fn local_name(tag: &str) -> &str {
    let n = tag_name(tag);
    n.rsplit(':').next().unwrap_or(n)
}

/// The raw value of attribute `key` in the (already checked) tag text.
pub(super) fn attr<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let b = tag.as_bytes();
    let mut i = 1 + tag_name(tag).len();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] == b'/' || b[i] == b'>' {
            return None;
        }
        let k0 = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let k = &tag[k0..i];
        while i < b.len() && (b[i] == b'=' || b[i].is_ascii_whitespace()) {
            i += 1;
        }
        let q = *b.get(i)?;
        let v0 = i + 1;
        let v1 = v0 + tag[v0..].find(q as char)?;
        let local = k.rsplit(':').next().unwrap_or(k);
        if local == key && !k.starts_with("xmlns") {
            return Some(&tag[v0..v1]);
        }
        i = v1 + 1;
    }
}
