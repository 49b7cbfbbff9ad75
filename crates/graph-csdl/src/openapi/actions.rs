//! Bound actions: a `POST` on the item path for an action bound to the entity type (or a base type
//! of it), on the collection path for one bound to a collection of it.
//!
//! Naming: an action keeps its own name (`upload_client_certificate`) unless that name is
//! overloaded for the type (bound to the item and to the collection, as
//! `validateAuthenticationConfiguration` is); then the binding goes after the verb, singular for
//! the item and plural for the collection
//! (`validate_custom_authentication_extension_authentication_configuration`,
//! `validate_custom_authentication_extensions_authentication_configuration`). An action whose name
//! another root already took gets the binding at the end (`upload_client_certificate_b2x_user_flow`).

use serde_json::{Map, json};

use super::{Converter, lower_camel_case, schema_ref, snake_case, strip_nullable};
use crate::error::CsdlError;
use crate::model::{Action, StructuredType};

/// What an action is bound to, with the name of the binding in operation ids.
#[derive(Debug, Clone, Copy)]
pub(super) enum Binding<'b> {
    /// One entity: the singular of the root (`custom_authentication_extension`).
    Item(&'b str),
    /// The collection: the plural (`custom_authentication_extensions`).
    Collection(&'b str),
}

impl Binding<'_> {
    fn name(&self) -> &str {
        match self {
            Binding::Item(n) | Binding::Collection(n) => n,
        }
    }
}

impl<'a> Converter<'a> {
    /// Emit the `POST {base}/{action}` of a bound action.
    pub(super) fn action(
        &mut self,
        base: &str,
        tag: &str,
        binding: Binding<'_>,
        action: &Action,
        bound_to: &'a StructuredType,
    ) -> Result<(), CsdlError> {
        let op_id = self.action_operation_id(action, binding, bound_to);
        let mut props = Map::new();
        let mut required = Vec::new();
        for p in action.body_parameters() {
            let mut s =
                self.property_schema(&p.type_ref, p.nullable, &p.name, &action.qualified_name)?;
            if !p.nullable && !self.is_secret(&p.name) {
                s = strip_nullable(s);
            }
            props.insert(p.name.clone(), s);
            required.push(p.name.clone());
        }
        // An action without parameters takes no body (POST with an empty body).
        let body = if props.is_empty() {
            None
        } else {
            let mut body_name = format!("{}Request", action.name);
            if self.schemas.contains_key(&body_name) {
                // another overload of the name has parameters too
                body_name = format!("{}Request", lower_camel_case(&op_id));
            }
            self.schemas.insert(
                body_name.clone(),
                json!({
                    "type": "object",
                    "description": format!("Parameters of the `{}` action.", action.qualified_name),
                    "required": required,
                    "properties": props,
                }),
            );
            Some(schema_ref(&body_name))
        };
        let response = match &action.return_type {
            Some(t) => Some(self.type_ref_schema(t, &action.qualified_name)?),
            None => None,
        };
        let summary = match binding {
            Binding::Item(_) => format!("Invoke the bound action `{}`.", action.qualified_name),
            Binding::Collection(_) => format!(
                "Invoke the action `{}`, bound to the collection.",
                action.qualified_name
            ),
        };
        let op = self.operation(
            &op_id,
            tag,
            &summary,
            &[],
            matches!(binding, Binding::Item(_)),
            body,
            if response.is_some() { "200" } else { "204" },
            response,
        );
        self.paths
            .insert(format!("{base}/{}", action.name), json!({ "post": op }));
        Ok(())
    }

    fn action_operation_id(
        &self,
        action: &Action,
        binding: Binding<'_>,
        bound_to: &'a StructuredType,
    ) -> String {
        let snake = snake_case(&action.name);
        let overloads = self
            .index
            .bound_actions(bound_to)
            .into_iter()
            .chain(self.index.collection_bound_actions(bound_to))
            .filter(|a| a.name == action.name)
            .count();
        if overloads > 1 {
            return match snake.split_once('_') {
                Some((verb, rest)) => format!("{verb}_{}_{rest}", binding.name()),
                None => format!("{snake}_{}", binding.name()),
            };
        }
        if self.operations.contains(&snake) {
            format!("{snake}_{}", binding.name())
        } else {
            snake
        }
    }
}
