//! Errors of the CSDL crate. Every error names where in the document it happened.

use std::fmt;

/// A position in a source document, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Location {
    /// The line and column of byte offset `at` in `src`.
    pub fn of(src: &str, at: usize) -> Location {
        let mut at = at.min(src.len());
        while !src.is_char_boundary(at) {
            at -= 1;
        }
        let before = &src[..at];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// What went wrong while reading, checking or converting a CSDL document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsdlError {
    /// The text is not well-formed XML.
    #[error("malformed XML at {at}: {message}")]
    Xml {
        /// Where the parser stopped.
        at: Location,
        /// What the XML parser said.
        message: String,
    },
    /// Well-formed XML that is not a usable CSDL document (missing attribute, bad value, ...).
    #[error("invalid CSDL at {at}: {message}")]
    Structure {
        /// The element's position.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// The model is inconsistent or lacks what the conversion needs; names the element.
    #[error("unsupported CSDL in {element}: {message}")]
    Model {
        /// The element, e.g. `microsoft.graph.identityApiConnector/authenticationConfiguration`.
        element: String,
        /// What is wrong.
        message: String,
    },
}

impl CsdlError {
    /// A model error about `element`.
    pub fn model(element: impl Into<String>, message: impl Into<String>) -> Self {
        CsdlError::Model {
            element: element.into(),
            message: message.into(),
        }
    }
}
