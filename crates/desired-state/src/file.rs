//! A configuration file: its text read as YAML or JSON into a tree that knows where every key and value
//! is, and that tree read into the [`Configuration`] types part by part, so that one broken connector
//! does not hide the problems of the others.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use marked_yaml::Node;
use marked_yaml::types::MarkedMappingNode;

use crate::error::{ConfigError, ConfigErrorKind, ConfigErrors, KeyPath, Position, Segment};
use crate::model::{
    Cloud, Configuration, Connector, CustomExtension, EventsFlow, TokenIssuanceListener, UserFlow,
};
use crate::node_de::{self, Sink, describe, from_node, is_null};
use crate::steps::ApiVersion;

/// The syntax of a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML 1.2 (without anchors, aliases or tags).
    Yaml,
    /// JSON (RFC 8259, strict: no comments, no trailing commas).
    Json,
}

impl Format {
    /// The format a file name says: `.json` is JSON, `.yaml` and `.yml` YAML; `None` otherwise.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            _ => None,
        }
    }
}

/// A key that appears twice in one mapping.
#[derive(Debug, Clone)]
pub(crate) struct Duplicate {
    /// The mapping's path.
    pub parent: KeyPath,
    pub key: String,
    pub first: Position,
    pub at: Position,
}

impl Duplicate {
    fn error(&self) -> ConfigError {
        let kind = if self.parent.0 == [Segment::Key("connectors".to_owned())] {
            ConfigErrorKind::DuplicateConnectorName {
                name: self.key.clone(),
                first: self.first,
            }
        } else {
            ConfigErrorKind::DuplicateKey {
                key: self.key.clone(),
                first: self.first,
            }
        };
        ConfigError::new(kind, self.parent.key(&self.key), Some(self.at))
    }
}

/// A parsed configuration file: a tree of the text's keys and values with their positions.
#[derive(Debug)]
pub struct ConfigFile {
    path: Option<PathBuf>,
    base_dir: PathBuf,
    root: Node,
    duplicates: Vec<Duplicate>,
}

impl ConfigFile {
    /// Reads and parses a file. Its format comes from the extension (`.json`, `.yaml`, `.yml`), else
    /// from the text: JSON when it starts with `{` and parses as JSON, YAML otherwise. Relative paths in
    /// it resolve against its folder.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, ConfigErrors> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors::finish(
                vec![ConfigError::new(
                    ConfigErrorKind::Read {
                        reason: e.to_string(),
                    },
                    KeyPath::root(),
                    None,
                )],
                Some(path),
            )
        })?;
        let base_dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let format = Format::from_path(path).unwrap_or_else(|| sniff(&text));
        Self::parse(&text, format, Some(path), base_dir)
    }

    /// Parses text. `path` names it in errors; relative paths in it resolve against `base_dir`.
    pub fn parse(
        text: &str,
        format: Format,
        path: Option<&Path>,
        base_dir: impl Into<PathBuf>,
    ) -> Result<Self, ConfigErrors> {
        // A byte-order mark is not part of the document.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let parsed = match format {
            Format::Yaml => crate::yaml::parse(text),
            Format::Json => crate::json::parse(text),
        };
        let (root, duplicates) = parsed.map_err(|e| ConfigErrors::finish(vec![*e], path))?;
        Ok(Self {
            path: path.map(Path::to_path_buf),
            base_dir: base_dir.into(),
            root,
            duplicates,
        })
    }

    /// The file, when it came from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The folder relative paths resolve against.
    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    /// The file as [`Configuration`], checking its structure only (keys, types, required keys, duplicate
    /// keys); secrets, certificates and cross-references are checked by [`crate::validate()`].
    pub fn configuration(&self) -> Result<Configuration, ConfigErrors> {
        let mut errors = Vec::new();
        let parts = self.parts(&mut errors);
        match (errors.is_empty(), parts.into_configuration()) {
            (true, Some(configuration)) => Ok(configuration),
            _ => Err(ConfigErrors::finish(errors, self.path())),
        }
    }

    fn root(&self) -> &MarkedMappingNode {
        self.root
            .as_mapping()
            .expect("both parsers return a mapping at the top")
    }

    /// Reads every part it can, adding one error per problem to `errors`.
    pub(crate) fn parts(&self, errors: &mut Vec<ConfigError>) -> Parts {
        errors.extend(self.duplicates.iter().map(Duplicate::error));
        let sink = Sink::default();
        let root = self.root();
        let mut parts = Parts::default();
        let top = KeyPath::root();
        for (k, value) in root.iter() {
            let key = top.key(k.as_str());
            match k.as_str() {
                "$schema" => parts.schema = ok(from_node(value, &key, &sink), errors),
                "tenant" => parts.tenant = ok(from_node(value, &key, &sink), errors),
                "cloud" => parts.cloud = ok(from_node(value, &key, &sink), errors),
                "apiVersion" => parts.api_version = ok(from_node(value, &key, &sink), errors),
                "prune" => parts.prune = ok(from_node(value, &key, &sink), errors),
                "connectors" => {
                    parts.connectors = self.entries(value, &key, &sink, errors);
                }
                "userFlows" => {
                    parts.user_flows = self.entries(value, &key, &sink, errors);
                }
                "customAuthenticationExtensions" => {
                    parts.extensions = self.entries(value, &key, &sink, errors);
                }
                "eventsFlows" => {
                    parts.events_flows = self.entries(value, &key, &sink, errors);
                }
                "tokenIssuanceListeners" => {
                    parts.listeners = self.entries(value, &key, &sink, errors);
                }
                other => errors.push(ConfigError::new(
                    ConfigErrorKind::UnknownKey {
                        key: other.to_owned(),
                        expected: Configuration::KEYS
                            .iter()
                            .map(|s| (*s).to_owned())
                            .collect(),
                    },
                    key.clone(),
                    node_de::position(k.span()),
                )),
            }
        }
        for required in ["tenant", "apiVersion"] {
            if root.get_node(required).is_none() {
                errors.push(ConfigError::new(
                    ConfigErrorKind::MissingKey {
                        key: required.to_owned(),
                    },
                    KeyPath::root(),
                    node_de::start(&self.root).or(Some(Position { line: 1, column: 1 })),
                ));
            }
        }
        errors.extend(sink.into_inner());
        parts
    }

    /// A mapping of named entries (`connectors`, `userFlows`), each read on its own. A plain `null`
    /// (the key with nothing after it) is an empty mapping.
    fn entries<T: serde::de::DeserializeOwned>(
        &self,
        node: &Node,
        key: &KeyPath,
        sink: &Sink,
        errors: &mut Vec<ConfigError>,
    ) -> Vec<(String, Option<T>)> {
        match node {
            Node::Mapping(map) => map
                .iter()
                .map(|(name, value)| {
                    let entry = ok(from_node(value, &key.key(name.as_str()), sink), errors);
                    (name.as_str().to_owned(), entry)
                })
                .collect(),
            Node::Scalar(s) if is_null(s) => Vec::new(),
            other => {
                errors.push(ConfigError::new(
                    ConfigErrorKind::WrongType {
                        expected: "a mapping".to_owned(),
                        found: describe(other).to_owned(),
                    },
                    key.clone(),
                    node_de::start(other),
                ));
                Vec::new()
            }
        }
    }

    fn node(&self, path: &KeyPath) -> Option<(&Node, Option<Position>)> {
        let mut node = &self.root;
        let mut key_position = None;
        for segment in &path.0 {
            match (segment, node) {
                (Segment::Key(k), Node::Mapping(map)) => {
                    let (key, value) = map.iter().find(|(key, _)| key.as_str() == k)?;
                    key_position = node_de::position(key.span());
                    node = value;
                }
                (Segment::Index(i), Node::Sequence(items)) => {
                    node = items.get(*i)?;
                    key_position = node_de::position(node.span());
                }
                _ => return None,
            }
        }
        Some((node, key_position))
    }

    /// Where the key at the end of `path` is written.
    pub(crate) fn key_position(&self, path: &KeyPath) -> Option<Position> {
        self.node(path).and_then(|(_, key)| key)
    }

    /// Where the value at `path` is written.
    pub(crate) fn value_position(&self, path: &KeyPath) -> Option<Position> {
        self.node(path).and_then(|(node, _)| node_de::start(node))
    }
}

fn ok<T>(result: Result<T, Box<ConfigError>>, errors: &mut Vec<ConfigError>) -> Option<T> {
    result.map_err(|e| errors.push(*e)).ok()
}

/// JSON when the text starts with `{` and parses as JSON, else YAML (which also covers YAML flow
/// mappings that start with `{` but are not JSON).
fn sniff(text: &str) -> Format {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('{') && crate::json::parse(trimmed).is_ok() {
        Format::Json
    } else {
        Format::Yaml
    }
}

/// What could be read of a file: `None` where a part is missing or broken (its error is already out).
#[derive(Debug, Default)]
pub(crate) struct Parts {
    pub schema: Option<String>,
    pub tenant: Option<String>,
    pub cloud: Option<Cloud>,
    pub api_version: Option<ApiVersion>,
    pub prune: Option<bool>,
    pub connectors: Vec<(String, Option<Connector>)>,
    pub user_flows: Vec<(String, Option<UserFlow>)>,
    pub extensions: Vec<(String, Option<CustomExtension>)>,
    pub events_flows: Vec<(String, Option<EventsFlow>)>,
    pub listeners: Vec<(String, Option<TokenIssuanceListener>)>,
}

fn entries_of<T: Clone>(map: &IndexMap<String, T>) -> Vec<(String, Option<T>)> {
    map.iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect()
}

fn all_of<T>(entries: Vec<(String, Option<T>)>) -> Option<IndexMap<String, T>> {
    entries.into_iter().map(|(k, v)| Some((k, v?))).collect()
}

impl Parts {
    /// A configuration built in code, all of it present.
    pub(crate) fn of(configuration: &Configuration) -> Self {
        Self {
            schema: configuration.schema.clone(),
            tenant: Some(configuration.tenant.clone()),
            cloud: Some(configuration.cloud),
            api_version: Some(configuration.api_version),
            prune: Some(configuration.prune),
            connectors: entries_of(&configuration.connectors),
            user_flows: entries_of(&configuration.user_flows),
            extensions: entries_of(&configuration.custom_authentication_extensions),
            events_flows: entries_of(&configuration.events_flows),
            listeners: entries_of(&configuration.token_issuance_listeners),
        }
    }

    fn into_configuration(self) -> Option<Configuration> {
        let connectors = all_of(self.connectors)?;
        let user_flows = all_of(self.user_flows)?;
        let custom_authentication_extensions = all_of(self.extensions)?;
        let events_flows = all_of(self.events_flows)?;
        let token_issuance_listeners = all_of(self.listeners)?;
        Some(Configuration {
            schema: self.schema,
            tenant: self.tenant?,
            cloud: self.cloud.unwrap_or_default(),
            api_version: self.api_version?,
            prune: self.prune.unwrap_or(false),
            connectors,
            user_flows,
            custom_authentication_extensions,
            events_flows,
            token_issuance_listeners,
        })
    }
}
