//! Connectors named by id or by display name.
//!
//! An argument shaped like a Graph object id (a GUID) is read by id first; if Graph answers 404
//! it is tried as a display name, and if no connector has that name either, Graph's 404 is the
//! error. Any other argument is a display name, matched exactly (case included) against every
//! connector: the list operation's reference page documents no `$filter` for API connectors (only
//! `$expand`, `L(identityapiconnector-list)`), so the tool lists them all and filters locally
//! (`docs/graph-behaviour.md` §14). A name that several connectors have is an error that lists
//! them; a name that only differs in case is suggested.

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
    let display = |c: &C| c.display_name().clone().unwrap_or_default();
    let (mut exact, others): (Vec<C>, Vec<C>) = all.into_iter().partition(|c| display(c) == name);
    match exact.len() {
        1 => Ok(exact.remove(0)),
        0 => {
            if let Some(e) = not_found {
                return Err(Failure::from(e));
            }
            let message = format!("no connector has the display name '{name}'");
            let similar: Vec<String> = others
                .iter()
                .filter(|c| display(c).to_lowercase() == name.to_lowercase())
                .map(|c| format!("'{}' ({})", display(c), id(c)))
                .collect();
            if similar.is_empty() {
                Err(Failure::Advised {
                    message,
                    hint: "`apiconn connectors list` shows the connectors; names match exactly"
                        .into(),
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
                .map(|c| {
                    format!(
                        "  {}  {}",
                        id(c),
                        c.target_url().clone().unwrap_or_default()
                    )
                })
                .collect();
            Err(Failure::Advised {
                message: format!(
                    "{n} connectors have the display name '{name}':\n{}",
                    lines.join("\n")
                ),
                hint: "name the connector by its id".into(),
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
