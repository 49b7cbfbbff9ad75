//! YAML text to a node tree, with every duplicate key.
//!
//! marked-yaml builds the tree (plain scalars marked as such, so that `null` and `true` are told apart
//! from `"null"` and `"true"`); it can only stop at the first duplicate key, so a second pass over the
//! parser's events (yaml-rust2, the parser marked-yaml runs on) finds all of them. Anchors, aliases and
//! tags are refused: the file is data, not a program.

use std::collections::HashMap;

use marked_yaml::{LoadError, LoaderOptions, Node};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::error::{ConfigError, KeyPath, Position};
use crate::file::Duplicate;

/// Parses YAML whose top level is a mapping; returns the tree and the duplicate keys.
pub(crate) fn parse(text: &str) -> Result<(Node, Vec<Duplicate>), Box<ConfigError>> {
    let options = LoaderOptions::default().prevent_coercion(true);
    let root = marked_yaml::parse_yaml_with_options(0, text, options).map_err(load_error)?;
    let mut scan = DuplicateScan::default();
    // The same text has just parsed, so the scan cannot fail; were it to, there would be no duplicates
    // to add to what was found.
    let _ = Parser::new_from_str(text).load(&mut scan, false);
    Ok((root, scan.found))
}

fn load_error(error: LoadError) -> Box<ConfigError> {
    let (marker, message) = match &error {
        LoadError::TopLevelMustBeMapping(m) | LoadError::TopLevelMustBeSequence(m) => {
            (*m, "the document must be a mapping".to_owned())
        }
        LoadError::UnexpectedAnchor(m) => (*m, "anchors and aliases are not supported".to_owned()),
        LoadError::MappingKeyMustBeScalar(m) => {
            (*m, "mapping keys must be plain values".to_owned())
        }
        LoadError::UnexpectedTag(m) => (*m, "tags (!name) are not supported".to_owned()),
        LoadError::ScanError(m, e) => (*m, e.info().to_owned()),
        LoadError::DuplicateKey(inner) => {
            // Not enabled in the options; kept for completeness.
            let m = inner
                .key
                .span()
                .start()
                .copied()
                .unwrap_or_else(|| marked_yaml::Marker::new(0, 0, 1, 1));
            (m, "duplicate key".to_owned())
        }
    };
    crate::json::syntax_error(
        message,
        Position {
            line: marker.line(),
            column: marker.column(),
        },
    )
}

enum Frame {
    Mapping {
        path: KeyPath,
        keys: HashMap<String, Position>,
        /// The key whose value comes next, when a value comes next.
        pending: Option<String>,
    },
    Sequence {
        path: KeyPath,
        next: usize,
    },
}

#[derive(Default)]
struct DuplicateScan {
    stack: Vec<Frame>,
    found: Vec<Duplicate>,
}

fn position(mark: Marker) -> Position {
    // marked-yaml's convention: lines as the scanner counts them, columns from 1.
    Position {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl DuplicateScan {
    /// The path of a value starting now, and the parent's bookkeeping for it.
    fn value_path(&mut self) -> KeyPath {
        match self.stack.last_mut() {
            None => KeyPath::root(),
            Some(Frame::Mapping { path, pending, .. }) => match pending.take() {
                Some(key) => path.key(key),
                None => path.clone(),
            },
            Some(Frame::Sequence { path, next }) => {
                *next += 1;
                path.index(*next - 1)
            }
        }
    }
}

impl MarkedEventReceiver for DuplicateScan {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::MappingStart(..) => {
                let path = self.value_path();
                self.stack.push(Frame::Mapping {
                    path,
                    keys: HashMap::new(),
                    pending: None,
                });
            }
            Event::SequenceStart(..) => {
                let path = self.value_path();
                self.stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Scalar(value, ..) => match self.stack.last_mut() {
                Some(Frame::Mapping {
                    path,
                    keys,
                    pending,
                }) if pending.is_none() => {
                    let at = position(mark);
                    if let Some(first) = keys.get(&value) {
                        self.found.push(Duplicate {
                            parent: path.clone(),
                            key: value.clone(),
                            first: *first,
                            at,
                        });
                    } else {
                        keys.insert(value.clone(), at);
                    }
                    *pending = Some(value);
                }
                _ => {
                    self.value_path();
                }
            },
            Event::Alias(_) => {
                self.value_path();
            }
            _ => {}
        }
    }
}
