//! Connectors named by id or by display name.
//!
//! An argument shaped like a Graph object id (a GUID) is read by id first; if Graph answers 404
//! it is tried as a display name, and if no connector has that name either, Graph's 404 is the
//! error. Any other argument is a display name, matched exactly (case included) against every
//! connector: the list operation's reference page documents no `$filter` for API connectors (only
//! `$expand`, `L(identityapiconnector-list)`), so the tool lists them all and filters locally
//! (`docs/graph-behaviour.md` §14). A name that several connectors have is an error that lists
//! them; a name that only differs in case is suggested.
//!
//! [`resolve_by`] and [`pick_by`] do the same for any kind of object (custom extensions, events
//! flows, listeners), described by a [`Candidate`].

use entra_api_connectors::Error;
use entra_api_connectors::Version;
use entra_api_connectors::connectors::{Connectors, ListOptions};
use entra_api_connectors::models::ConnectorModel;

use crate::Failure;
use crate::hints::{self, Operation};

/// Whether `text` has the shape of a Graph object id (a GUID in its usual 36-character form).
pub fn is_id(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}

/// The connector `reference` names: by id, or by display name.
pub async fn resolve<V: Version>(
    connectors: &Connectors<V>,
    reference: &str,
    op: Operation,
) -> Result<V::Connector, Failure> {
    let not_found = if is_id(reference) {
        match connectors.get(reference, &[]).await {
            Ok(connector) => return Ok(connector),
            Err(e) if e.is_not_found() => Some(e),
            Err(e) => return Err(hints::failure(op, None, e)),
        }
    } else {
        None
    };
    let all = connectors
        .list_all(ListOptions::default())
        .await
        .map_err(|e| hints::failure(Operation::ListConnectors, None, e))?;
    pick(all, reference, not_found)
}

/// The one connector of `all` named `name`; `not_found` is Graph's answer to `name` as an id.
fn pick<C: ConnectorModel>(
    all: Vec<C>,
    name: &str,
    not_found: Option<Error>,
) -> Result<C, Failure> {
    pick_by(&CONNECTOR, all, name, not_found, |c| Candidate {
        id: id(c),
        name: c.display_name().clone().unwrap_or_default(),
        detail: c.target_url().clone().unwrap_or_default(),
    })
}

/// What kind of object a name refers to, for the messages.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// One, e.g. `connector`.
    pub noun: &'static str,
    /// Several, e.g. `connectors`.
    pub plural: &'static str,
    /// The command that lists them, e.g. `apiconn connectors list`.
    pub list: &'static str,
}

/// API connectors.
pub const CONNECTOR: Kind = Kind {
    noun: "connector",
    plural: "connectors",
    list: "apiconn connectors list",
};

/// How name resolution sees an object: its id, its display name and what tells it apart from
/// another one of the same name (e.g. its target URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// `id`, or `-`.
    pub id: String,
    /// `displayName`.
    pub name: String,
    /// Printed next to the id when several have the name.
    pub detail: String,
}

/// The object `reference` names, of any kind: `get` reads it by id (when `reference` is shaped
/// like one; other errors are failures of `op`), `list` lists them all to match the display name,
/// as [`resolve`] does for connectors.
pub async fn resolve_by<T, G, GF, L, LF>(
    kind: &Kind,
    reference: &str,
    op: Operation,
    get: G,
    list: L,
    describe: impl Fn(&T) -> Candidate,
) -> Result<T, Failure>
where
    G: FnOnce() -> GF,
    GF: std::future::Future<Output = Result<T, Error>>,
    L: FnOnce() -> LF,
    LF: std::future::Future<Output = Result<Vec<T>, Failure>>,
{
    let not_found = if is_id(reference) {
        match get().await {
            Ok(found) => return Ok(found),
            Err(e) if e.is_not_found() => Some(e),
            Err(e) => return Err(hints::failure(op, None, e)),
        }
    } else {
        None
    };
    pick_by(kind, list().await?, reference, not_found, describe)
}

/// The one object of `all` whose display name is `name`; `not_found` is Graph's answer to `name`
/// as an id. No match, or several, is an error that says what to do.
pub fn pick_by<T>(
    kind: &Kind,
    all: Vec<T>,
    name: &str,
    not_found: Option<Error>,
    describe: impl Fn(&T) -> Candidate,
) -> Result<T, Failure> {
    let (mut exact, others): (Vec<T>, Vec<T>) =
        all.into_iter().partition(|c| describe(c).name == name);
    match exact.len() {
        1 => Ok(exact.remove(0)),
        0 => {
            if let Some(e) = not_found {
                return Err(Failure::from(e));
            }
            let message = format!("no {} has the display name '{name}'", kind.noun);
            let similar: Vec<String> = others
                .iter()
                .map(&describe)
                .filter(|c| c.name.to_lowercase() == name.to_lowercase())
                .map(|c| format!("'{}' ({})", c.name, c.id))
                .collect();
            if similar.is_empty() {
                Err(Failure::Advised {
                    message,
                    hint: format!(
                        "`{}` shows the {}; names match exactly",
                        kind.list, kind.plural
                    ),
                })
            } else {
                Err(Failure::Advised {
                    message,
                    hint: format!(
                        "names match exactly, case included: did you mean {}?",
                        similar.join(", ")
                    ),
                })
            }
        }
        n => {
            let lines: Vec<String> = exact
                .iter()
                .map(&describe)
                .map(|c| format!("  {}  {}", c.id, c.detail))
                .collect();
            Err(Failure::Advised {
                message: format!(
                    "{n} {} have the display name '{name}':\n{}",
                    kind.plural,
                    lines.join("\n")
                ),
                hint: format!("name the {} by its id", kind.noun),
            })
        }
    }
}

/// The connectors of `all` with exactly the display name `name`.
pub fn named<'a, C: ConnectorModel>(all: &'a [C], name: &str) -> Vec<&'a C> {
    all.iter()
        .filter(|c| c.display_name().as_deref() == Some(name))
        .collect()
}

/// A connector's id, or `-`.
pub fn id<C: ConnectorModel>(c: &C) -> String {
    c.id().clone().unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_guids() {
        assert!(is_id("be1f769b-9b13-437e-b540-79a905c4932c"));
        assert!(!is_id("Check age"));
        assert!(!is_id("be1f769b9b13437eb54079a905c4932c"));
        assert!(!is_id(""));
    }
}
