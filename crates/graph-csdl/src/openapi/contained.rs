//! Contained collections reached through complex properties of a root's item type, e.g. the
//! applications of an events flow, `…/{id}/conditions/applications/includeApplications`.
//!
//! Only below a property that the CSDL annotates with `Capabilities.V1.ReadRestrictions` (out of
//! line, `Type/property`), as Microsoft's conversion does (`RequireRestrictionAnnotationsToGenerateComplexPropertyPaths`):
//! `authenticationEventsFlow/conditions` has the annotation and the reference pages document its
//! paths, `authenticationEventListener/conditions` has neither. Nested complex properties are
//! followed. A collection navigation property with `ContainsTarget="true"` gets:
//!
//! - `GET …/{nav}` (`list_{one}_{nav}`) and `POST …/{nav}` (`create_{one}_{nav singular}`);
//! - `GET` (`get_…`), `PATCH` (`update_…`, only when the target type has properties besides its
//!   key) and `DELETE` (`delete_…`) on `…/{nav}/{key}`, the key named after the target type's key
//!   property (`{appId}`).

use serde_json::{Map, Value, json};

use super::{Converter, LIST_PARAMETERS, schema_ref, singular, snake_case};
use crate::error::CsdlError;
use crate::model::{NavigationProperty, StructuredType};

/// How deep nested complex properties are followed below the annotated property.
const MAX_DEPTH: usize = 4;

impl<'a> Converter<'a> {
    /// The contained collections below the annotated complex properties of `item_type`.
    pub(super) fn contained(
        &mut self,
        item: &str,
        tag: &str,
        one: &str,
        item_type: &'a StructuredType,
    ) -> Result<(), CsdlError> {
        for owner in self.index.ancestry(item_type) {
            for prop in &owner.properties {
                if prop.type_ref.collection
                    || !self.has_read_restrictions(&owner.qualified_name, &prop.name)
                {
                    continue;
                }
                let Some(complex) = self.index.structured(&prop.type_ref.name) else {
                    continue;
                };
                let path = format!("{item}/{}", prop.name);
                self.contained_below(&path, tag, one, complex, 0)?;
            }
        }
        Ok(())
    }

    /// Whether `owner/property` has an out-of-line `Capabilities.V1.ReadRestrictions` annotation.
    pub(super) fn has_read_restrictions(&self, owner: &str, property: &str) -> bool {
        self.index
            .annotations_for(&format!("{owner}/{property}"))
            .iter()
            .any(|a| a.term.ends_with("Capabilities.V1.ReadRestrictions"))
    }

    fn contained_below(
        &mut self,
        path: &str,
        tag: &str,
        one: &str,
        complex: &'a StructuredType,
        depth: usize,
    ) -> Result<(), CsdlError> {
        for nav in self.index.all_navigation_properties(complex) {
            if nav.contains_target && nav.type_ref.collection {
                self.contained_collection(path, tag, one, complex, nav)?;
            }
        }
        if depth >= MAX_DEPTH {
            return Ok(());
        }
        for prop in self.index.all_properties(complex) {
            if prop.type_ref.collection {
                continue;
            }
            if let Some(inner) = self.index.structured(&prop.type_ref.name) {
                let inner_path = format!("{path}/{}", prop.name);
                self.contained_below(&inner_path, tag, one, inner, depth + 1)?;
            }
        }
        Ok(())
    }

    fn contained_collection(
        &mut self,
        base: &str,
        tag: &str,
        one: &str,
        owner: &StructuredType,
        nav: &NavigationProperty,
    ) -> Result<(), CsdlError> {
        let context = format!("{}/{}", owner.qualified_name, nav.name);
        let target = self.structured(&nav.type_ref.name, &context)?;
        let key = match self
            .index
            .ancestry(target)
            .iter()
            .find_map(|t| (!t.key.is_empty()).then_some(&t.key))
        {
            Some(key) if key.len() == 1 => key[0].clone(),
            _ => {
                return Err(CsdlError::model(
                    context,
                    format!(
                        "the contained type `{}` needs a key of one property",
                        target.qualified_name
                    ),
                ));
            }
        };
        let key_param = if key == "id" {
            format!(
                "{}Id",
                super::lower_camel_case(singular(&snake_case(&nav.name)))
            )
        } else {
            key.clone()
        };
        let plural = snake_case(&nav.name);
        let single = singular(&plural).to_string();
        let item_ref = self.reference(&nav.type_ref.name);
        let page = self.collection_response(target, item_ref.clone());
        let collection = format!("{base}/{}", nav.name);

        let mut list = self.operation(
            &format!("list_{one}_{plural}"),
            tag,
            &format!("List the `{}` of `{context}`.", target.name),
            &LIST_PARAMETERS,
            true,
            None,
            "200",
            Some(schema_ref(&page)),
        );
        list["x-ms-pageable"] =
            json!({ "nextLinkName": "@odata.nextLink", "operationName": "listMore" });
        let create = self.operation(
            &format!("create_{one}_{single}"),
            tag,
            &format!("Add a `{}` to `{context}`.", target.name),
            &[],
            true,
            Some(item_ref.clone()),
            "201",
            Some(item_ref.clone()),
        );
        self.paths
            .insert(collection.clone(), json!({ "get": list, "post": create }));

        let key_parameter = json!({
            "name": key_param, "in": "path", "required": true,
            "description": format!("The `{key}` of the `{}`.", target.name),
            "schema": { "type": "string" },
        });
        let mut ops = Map::new();
        let mut get = self.operation(
            &format!("get_{one}_{single}"),
            tag,
            &format!("Get a `{}` of `{context}`.", target.name),
            &["select", "expand"],
            true,
            None,
            "200",
            Some(item_ref.clone()),
        );
        insert_parameter(&mut get, key_parameter.clone());
        ops.insert("get".into(), get);
        let updatable = self
            .index
            .all_properties(target)
            .iter()
            .any(|p| p.name != key);
        if updatable {
            let mut update = self.operation(
                &format!("update_{one}_{single}"),
                tag,
                &format!("Update a `{}` of `{context}`.", target.name),
                &[],
                true,
                Some(item_ref),
                "204",
                None,
            );
            insert_parameter(&mut update, key_parameter.clone());
            ops.insert("patch".into(), update);
        }
        let mut delete = self.operation(
            &format!("delete_{one}_{single}"),
            tag,
            &format!("Remove a `{}` from `{context}`.", target.name),
            &[],
            true,
            None,
            "204",
            None,
        );
        insert_parameter(&mut delete, key_parameter);
        ops.insert("delete".into(), delete);
        self.paths
            .insert(format!("{collection}/{{{key_param}}}"), Value::Object(ops));
        Ok(())
    }
}

/// Put a path parameter right after the item's `id` (before the query parameters).
fn insert_parameter(op: &mut Value, parameter: Value) {
    if let Some(params) = op["parameters"].as_array_mut() {
        params.insert(1.min(params.len()), parameter);
    }
}
