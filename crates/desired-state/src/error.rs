//! The errors of a configuration file: what is wrong ([`ConfigErrorKind`]), where ([`ConfigError`]), and
//! every one of them at once ([`ConfigErrors`]).
//!
//! No message contains a secret: passwords are references, and the values they resolve to, the `.pfx`
//! bytes and any scalar given where a reference was expected are never shown.

use std::fmt;
use std::path::PathBuf;

use crate::model::ExtensionEvent;
use crate::steps::{ApiVersion, Family, Step};

/// One segment of a [`KeyPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index, from 0.
    Index(usize),
}

/// Where in the file's structure something is, e.g. `connectors."Validate postal code".targetUrl`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// The root of the document.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path with one more key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.into()));
        Self(segments)
    }

    /// This path with one more sequence index.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Self(segments)
    }

    /// Whether this is the document root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("the document");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let plain = !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
                    if plain {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{}", Quoted(key))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A name in double quotes with `"`, `\` and control characters escaped, as in JSON.
pub(crate) struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self.0).map_err(|_| fmt::Error)?)
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, counted in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What is wrong. Each variant is one kind of problem; its fields say which key, value or file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The configuration file could not be read.
    Read {
        /// The operating system's reason.
        reason: String,
    },
    /// The text is not valid YAML or JSON.
    Syntax {
        /// The parser's description (it never quotes the text).
        message: String,
    },
    /// A key appears twice in one mapping.
    DuplicateKey {
        /// The key.
        key: String,
        /// Where it first appears.
        first: Position,
    },
    /// Two connectors have the same display name.
    DuplicateConnectorName {
        /// The display name.
        name: String,
        /// Where it first appears.
        first: Position,
    },
    /// A key that the format does not have.
    UnknownKey {
        /// The key.
        key: String,
        /// The keys allowed here.
        expected: Vec<String>,
    },
    /// A required key is missing.
    MissingKey {
        /// The key.
        key: String,
    },
    /// A value of the wrong type (a mapping where a string belongs, a quoted `"true"` for a boolean, …).
    WrongType {
        /// What belongs here.
        expected: String,
        /// What was found: "a string", "a mapping", "null", … (never the value itself).
        found: String,
    },
    /// A value outside its set (`apiVersion: v2`).
    UnknownValue {
        /// The value.
        value: String,
        /// The allowed values.
        expected: Vec<String>,
    },
    /// A choice needs exactly one key (`authentication`, a secret reference).
    ExactlyOne {
        /// The allowed keys.
        expected: Vec<String>,
        /// The keys found (none, or several).
        found: Vec<String>,
    },
    /// A password was written into the file instead of a reference to it.
    InlineSecret,
    /// Any other malformed value; the message never quotes the value.
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// `tenant` is neither a tenant id (GUID) nor a domain name.
    InvalidTenant {
        /// The value.
        value: String,
    },
    /// A display name, user name, user flow id or variable name is empty.
    Empty {
        /// What is empty ("connector display name", …).
        what: &'static str,
    },
    /// `targetUrl` uses `http`: Graph calls API connectors over HTTPS only.
    InsecureTargetUrl {
        /// The URL.
        url: String,
    },
    /// `targetUrl` is not an absolute `https` URL with a host.
    InvalidTargetUrl {
        /// Why (the URL itself is not repeated, as it may hold credentials).
        reason: String,
    },
    /// A step names a connector the file does not define.
    UndefinedConnector {
        /// The user flow.
        flow: String,
        /// The step.
        step: Step,
        /// The display name it names.
        name: String,
    },
    /// A step this Graph version and user-flow family cannot bind.
    StepNotBindable {
        /// The user flow.
        flow: String,
        /// The step.
        step: Step,
        /// The file's Graph version.
        version: ApiVersion,
        /// The flow's family.
        family: Family,
    },
    /// The user-flow family does not exist in this Graph version (`b2c` on `v1.0`).
    FamilyUnavailable {
        /// The user flow.
        flow: String,
        /// The family.
        family: Family,
        /// The file's Graph version.
        version: ApiVersion,
    },
    /// A user flow id without its family's prefix (`B2C_1_`, `B2X_1_`).
    FlowIdPrefix {
        /// The id.
        flow: String,
        /// The family.
        family: Family,
    },
    /// A secret reference names an environment variable that is not set.
    VariableUnset {
        /// The variable.
        name: String,
    },
    /// The variable is set but its value is not valid Unicode.
    VariableNotUnicode {
        /// The variable.
        name: String,
    },
    /// A variable name that no environment can hold (`=` or NUL in it).
    InvalidVariableName {
        /// The name.
        name: String,
    },
    /// A secret reference names a file that does not exist.
    SecretFileMissing {
        /// The resolved path.
        path: PathBuf,
    },
    /// The secret file exists but cannot be read as UTF-8 text.
    SecretFileUnreadable {
        /// The resolved path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A basic-authentication password resolves to the empty string.
    EmptyPassword,
    /// The `.pfx` file cannot be read.
    PfxUnreadable {
        /// The resolved path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The `.pfx` does not open with its password.
    PfxWrongPassword {
        /// The resolved path.
        path: PathBuf,
    },
    /// The `.pfx` is not a usable client certificate (not PKCS#12, no private key, …).
    PfxInvalid {
        /// The resolved path.
        path: PathBuf,
        /// The certificate crate's reason (never a secret).
        reason: String,
    },
    /// The `.pfx` certificate has expired: Graph would never make it active.
    PfxExpired {
        /// The resolved path.
        path: PathBuf,
        /// Its thumbprint.
        thumbprint: String,
        /// Its `notAfter`, Unix seconds.
        not_after: i64,
    },
    /// An External ID section in a file for another Graph version: the client has custom
    /// extensions, events flows and listeners on `v1.0` only.
    ExternalIdVersion {
        /// The section.
        section: &'static str,
        /// The file's Graph version.
        version: ApiVersion,
    },
    /// A custom extension's `resourceId` is not `api://{host}/{appId}`, or its host is not the
    /// target URL's (`IncorrectResourceIdFormat`, `DomainNameDoesNotMatch`).
    InvalidResourceId {
        /// Why.
        reason: String,
    },
    /// A number outside its range (`timeoutInMilliseconds`, `maximumRetries`).
    OutOfRange {
        /// The key.
        what: &'static str,
        /// The value.
        value: u32,
        /// The least allowed value.
        min: u32,
        /// The greatest allowed value.
        max: u32,
    },
    /// A flow handler or listener names an extension the file does not define.
    UndefinedExtension {
        /// The events flow or listener.
        owner: String,
        /// The display name it names.
        name: String,
    },
    /// A flow handler or listener names an extension of another event.
    ExtensionEventMismatch {
        /// The events flow or listener.
        owner: String,
        /// The extension's display name.
        name: String,
        /// The event the handler or listener needs.
        expected: ExtensionEvent,
        /// The extension's event.
        found: ExtensionEvent,
    },
    /// An application id that is not a GUID.
    InvalidAppId {
        /// The value.
        value: String,
    },
    /// An application in two events flows: Entra links an application to one flow only.
    ApplicationInTwoFlows {
        /// The application id.
        app_id: String,
        /// The flow listing it first.
        first: String,
    },
    /// `claims` on an extension that is not `onTokenIssuanceStart`.
    ClaimsNotAllowed {
        /// The extension's event.
        event: ExtensionEvent,
    },
    /// A token issuance listener without applications.
    NoApplications,
}

impl fmt::Display for ConfigErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { reason } => write!(f, "cannot read the file: {reason}"),
            Self::Syntax { message } => write!(f, "syntax error: {message}"),
            Self::DuplicateKey { key, first } => {
                write!(f, "duplicate key {} (first at {first})", Quoted(key))
            }
            Self::DuplicateConnectorName { name, first } => write!(
                f,
                "duplicate connector name {} (first at {first}); display names must be unique",
                Quoted(name)
            ),
            Self::UnknownKey { key, expected } => {
                write!(
                    f,
                    "unknown key {}; expected {}",
                    Quoted(key),
                    one_of(expected)
                )
            }
            Self::MissingKey { key } => write!(f, "missing key {key}"),
            Self::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Self::UnknownValue { value, expected } => {
                write!(
                    f,
                    "unknown value {}; expected {}",
                    Quoted(value),
                    one_of(expected)
                )
            }
            Self::ExactlyOne { expected, found } => {
                write!(f, "expected exactly one of {}, found ", list(expected))?;
                if found.is_empty() {
                    f.write_str("none")
                } else {
                    f.write_str(&list(found))
                }
            }
            Self::InlineSecret => f.write_str(
                "a password cannot be written into the file; use {env: VARIABLE} or {file: PATH}",
            ),
            Self::Invalid { message } => f.write_str(message),
            Self::InvalidTenant { value } => write!(
                f,
                "tenant {} is neither a tenant id (GUID) nor a domain name",
                Quoted(value)
            ),
            Self::Empty { what } => write!(f, "{what} is empty"),
            Self::InsecureTargetUrl { url } => write!(
                f,
                "targetUrl {url} uses http; Graph calls API connectors over https only"
            ),
            Self::InvalidTargetUrl { reason } => write!(f, "targetUrl {reason}"),
            Self::UndefinedConnector { flow, step, name } => write!(
                f,
                "step {step} of user flow {flow} names connector {}, which the file does not define",
                Quoted(name)
            ),
            Self::StepNotBindable {
                flow,
                step,
                version,
                family,
            } => write!(
                f,
                "step {step} cannot be bound in user flow {flow}: Graph {version} offers no $ref binding of it for {family} user flows"
            ),
            Self::FamilyUnavailable {
                flow,
                family,
                version,
            } => write!(
                f,
                "user flow {flow}: family {family} does not exist in Graph {version} ({} is beta only)",
                family.collection()
            ),
            Self::FlowIdPrefix { flow, family } => write!(
                f,
                "user flow id {flow} does not start with {}, the prefix Graph gives every {family} user flow",
                family.id_prefix()
            ),
            Self::VariableUnset { name } => write!(f, "environment variable {name} is not set"),
            Self::VariableNotUnicode { name } => {
                write!(f, "environment variable {name} is not valid Unicode")
            }
            Self::InvalidVariableName { name } => write!(
                f,
                "{} cannot be an environment variable name (it contains = or NUL)",
                Quoted(name)
            ),
            Self::SecretFileMissing { path } => {
                write!(f, "secret file {} does not exist", path.display())
            }
            Self::SecretFileUnreadable { path, reason } => {
                write!(f, "cannot read secret file {}: {reason}", path.display())
            }
            Self::EmptyPassword => f.write_str("the password resolves to an empty value"),
            Self::PfxUnreadable { path, reason } => {
                write!(f, "cannot read .pfx file {}: {reason}", path.display())
            }
            Self::PfxWrongPassword { path } => write!(
                f,
                ".pfx file {} does not open with its password",
                path.display()
            ),
            Self::PfxInvalid { path, reason } => {
                write!(f, ".pfx file {} is not usable: {reason}", path.display())
            }
            Self::PfxExpired {
                path,
                thumbprint,
                not_after,
            } => write!(
                f,
                "the certificate in {} (thumbprint {thumbprint}) expired at {} (notAfter {not_after})",
                path.display(),
                crate::time::iso8601(*not_after)
            ),
            Self::ExternalIdVersion { section, version } => write!(
                f,
                "{section} needs apiVersion v1.0 (the client has no custom extensions, events flows or listeners on Graph {version})"
            ),
            Self::InvalidResourceId { reason } => write!(f, "resourceId {reason}"),
            Self::OutOfRange {
                what,
                value,
                min,
                max,
            } => write!(f, "{what} {value} is outside {min}..={max}"),
            Self::UndefinedExtension { owner, name } => write!(
                f,
                "{owner} names custom extension {}, which the file does not define",
                Quoted(name)
            ),
            Self::ExtensionEventMismatch {
                owner,
                name,
                expected,
                found,
            } => write!(
                f,
                "{owner} needs an extension of type {expected}, but {} is of type {found}",
                Quoted(name)
            ),
            Self::InvalidAppId { value } => {
                write!(f, "application id {} is not a GUID", Quoted(value))
            }
            Self::ApplicationInTwoFlows { app_id, first } => write!(
                f,
                "application {app_id} is already in events flow {}; Entra links an application to one flow only",
                Quoted(first)
            ),
            Self::ClaimsNotAllowed { event } => write!(
                f,
                "claims are for onTokenIssuanceStart extensions only, not {event}"
            ),
            Self::NoApplications => {
                f.write_str("a token issuance listener needs at least one application")
            }
        }
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn one_of(items: &[String]) -> String {
    match items {
        [] => "nothing here".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// One problem in a configuration, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong.
    pub kind: ConfigErrorKind,
    /// The configuration file, when the configuration came from one.
    pub path: Option<PathBuf>,
    /// Line of the key or value at fault, from 1; `None` for a configuration built in code.
    pub line: Option<usize>,
    /// Column, from 1, counted in characters.
    pub column: Option<usize>,
    /// The key or value at fault within the document.
    pub key: KeyPath,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, key: KeyPath, position: Option<Position>) -> Self {
        Self {
            kind,
            path: None,
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            key,
        }
    }

    /// Line and column, when known.
    pub fn position(&self) -> Option<Position> {
        Some(Position {
            line: self.line?,
            column: self.column?,
        })
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefix = false;
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            prefix = true;
        }
        if let Some(position) = self.position() {
            if prefix {
                f.write_str(":")?;
            }
            write!(f, "{position}")?;
            prefix = true;
        }
        if prefix {
            f.write_str(": ")?;
        }
        write!(f, "{}", self.kind)?;
        if !self.key.is_root() && self.kind.wants_key() {
            write!(f, " (at {})", self.key)?;
        }
        Ok(())
    }
}

impl ConfigErrorKind {
    /// Whether the message is clearer with the key path after it (the structural problems, whose messages
    /// do not say where they are).
    fn wants_key(&self) -> bool {
        matches!(
            self,
            Self::UnknownKey { .. }
                | Self::MissingKey { .. }
                | Self::WrongType { .. }
                | Self::UnknownValue { .. }
                | Self::ExactlyOne { .. }
                | Self::InlineSecret
                | Self::Invalid { .. }
                | Self::Empty { .. }
                | Self::DuplicateKey { .. }
                | Self::VariableUnset { .. }
                | Self::VariableNotUnicode { .. }
                | Self::InvalidVariableName { .. }
                | Self::SecretFileMissing { .. }
                | Self::SecretFileUnreadable { .. }
                | Self::EmptyPassword
        )
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in a configuration, in file order (those without a position last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// The problems.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }

    /// Sets the file on every error and sorts them by position (stable, so problems at one place keep the
    /// order in which they were found).
    pub(crate) fn finish(mut errors: Vec<ConfigError>, path: Option<&std::path::Path>) -> Self {
        for error in &mut errors {
            error.path = path.map(std::path::Path::to_path_buf);
        }
        errors.sort_by_key(|e| match e.position() {
            Some(p) => (0, p.line, p.column),
            None => (1, 0, 0),
        });
        Self(errors)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
