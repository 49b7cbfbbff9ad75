//! Navigation properties reached through a structural property of a root's item type.
//!
//! A complex property that holds navigation properties gets a `GET` (`get_{one}_{property}`, with
//! `$expand`: `apiConnectorConfiguration`). Each of those navigation properties that is
//! `NavigationRestrictions/Referenceable` (inline or out of line) gets reference operations, also
//! where only a derived entity type declares the property, or only a derived complex type the
//! navigation property; the path then casts to it (`…/{id}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/
//! onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes`). A property
//! of a derived entity type is followed only when the CSDL annotates it with `Capabilities.V1.ReadRestrictions`
//! (out of line), as Microsoft's conversion requires for complex-property paths: the events flow's
//! `onAttributeCollection` has it and its attribute pages are documented; the `handler` of an
//! `onAttributeCollectionListener` has neither. (The item type's own properties are followed without it, which
//! is how the b2c user flows keep their documented `apiConnectorConfiguration` paths.)
//!
//! - single-valued: `PUT …/$ref` (`set_{one}_{nav}_ref`, body `ReferenceUpdate`; `{}` unbinds);
//! - collection: `GET …/{nav}` (`list_{one}_{nav}`, a page of the target type),
//!   `POST …/{nav}/$ref` (`add_{one}_{nav}_ref`, body `ReferenceCreate`) and
//!   `DELETE …/{nav}/{key}/$ref` (`remove_{one}_{nav}_ref`).
//!
//! The other form of removal, `DELETE …/{nav}/$ref?@id=URL`, is left out: Graph's reference page
//! for the attributes of a sign-up flow shows it in its request line but the keyed form in its
//! example, and progenitor names the `@id` query parameter `id`, as the item's key, so the two
//! cannot share one generated method (`docs/graph-behaviour.md`).

use serde_json::{Map, Value, json};

use super::{
    Converter, LIST_PARAMETERS, REFERENCE_CREATE_SCHEMA, REFERENCE_SCHEMA, lower_camel_case,
    schema_ref, singular, snake_case,
};
use crate::error::CsdlError;
use crate::model::{NavigationProperty, Property, StructuredType, referenceable};

impl<'a> Converter<'a> {
    /// The paths below the item path `item` that go through a structural property.
    pub(super) fn references(
        &mut self,
        item: &str,
        tag: &str,
        one: &str,
        item_type: &'a StructuredType,
    ) -> Result<(), CsdlError> {
        for prop in self.index.all_properties(item_type) {
            self.through_property(item, tag, one, prop, true)?;
        }
        for derived in self.index.all_derived(&item_type.qualified_name) {
            let cast = format!("{item}/{}", derived.qualified_name);
            for prop in &derived.properties {
                if self.has_read_restrictions(&derived.qualified_name, &prop.name) {
                    self.through_property(&cast, tag, one, prop, false)?;
                }
            }
        }
        Ok(())
    }

    /// The `GET` of the property (when `readable` and its type declares navigation properties)
    /// and the reference operations below it.
    fn through_property(
        &mut self,
        base: &str,
        tag: &str,
        one: &str,
        prop: &'a Property,
        readable: bool,
    ) -> Result<(), CsdlError> {
        let Some(complex) = self.index.structured(&prop.type_ref.name) else {
            return Ok(());
        };
        if prop.type_ref.collection {
            return Ok(());
        }
        let path = format!("{base}/{}", prop.name);
        if readable && !complex.navigation_properties.is_empty() {
            let config_ref = self.reference(&complex.qualified_name);
            let op = self.operation(
                &format!("get_{one}_{}", snake_case(&prop.name)),
                tag,
                &format!(
                    "Read the `{}` of a user flow; use `$expand` to include the referenced entities.",
                    prop.name
                ),
                &["select", "expand"],
                true,
                None,
                "200",
                Some(config_ref),
            );
            self.paths.insert(path.clone(), json!({ "get": op }));
        }
        for nav in self.index.all_navigation_properties(complex) {
            self.reference_operations(&path, tag, one, complex, nav)?;
        }
        for derived in self.index.all_derived(&complex.qualified_name) {
            let cast = format!("{path}/{}", derived.qualified_name);
            for nav in &derived.navigation_properties {
                self.reference_operations(&cast, tag, one, derived, nav)?;
            }
        }
        Ok(())
    }

    /// The reference operations of `nav` (declared on `owner` or a base type of it) below `base`,
    /// if it is referenceable.
    fn reference_operations(
        &mut self,
        base: &str,
        tag: &str,
        one: &str,
        owner: &StructuredType,
        nav: &NavigationProperty,
    ) -> Result<(), CsdlError> {
        let target = format!("{}/{}", owner.qualified_name, nav.name);
        let out_of_line = self.index.annotations_for(&target);
        if !(nav.is_referenceable()
            || referenceable(&out_of_line.into_iter().cloned().collect::<Vec<_>>()))
        {
            return Ok(());
        }
        let name = snake_case(&nav.name);
        if !nav.type_ref.collection {
            let op = self.operation(
                &format!("set_{one}_{name}_ref"),
                tag,
                &format!(
                    "Bind (`{{\"@odata.id\": <connector URL>}}`) or unbind (`{{}}`) the `{}` reference.",
                    nav.name
                ),
                &[],
                true,
                Some(schema_ref(REFERENCE_SCHEMA)),
                "204",
                None,
            );
            self.paths
                .insert(format!("{base}/{}/$ref", nav.name), json!({ "put": op }));
            return Ok(());
        }

        let target_type = self.structured(&nav.type_ref.name, &target)?;
        let item_ref = self.reference(&nav.type_ref.name);
        let page = self.collection_response(target_type, item_ref);
        let mut list = self.operation(
            &format!("list_{one}_{name}"),
            tag,
            &format!("List the `{}` referenced by `{target}`.", target_type.name),
            &LIST_PARAMETERS,
            true,
            None,
            "200",
            Some(schema_ref(&page)),
        );
        list["x-ms-pageable"] =
            json!({ "nextLinkName": "@odata.nextLink", "operationName": "listMore" });
        self.paths
            .insert(format!("{base}/{}", nav.name), json!({ "get": list }));

        self.reference_create_schema();
        let add = self.operation(
            &format!("add_{one}_{name}_ref"),
            tag,
            &format!("Add a reference (`{{\"@odata.id\": <entity URL>}}`) to `{target}`."),
            &[],
            true,
            Some(schema_ref(REFERENCE_CREATE_SCHEMA)),
            "204",
            None,
        );
        self.paths
            .insert(format!("{base}/{}/$ref", nav.name), json!({ "post": add }));

        let key = format!("{}Id", lower_camel_case(singular(&name)));
        let mut remove_key = self.operation(
            &format!("remove_{one}_{name}_ref"),
            tag,
            &format!("Remove the reference to the entity with the key `{key}` from `{target}`."),
            &[],
            true,
            None,
            "204",
            None,
        );
        push_parameter(
            &mut remove_key,
            json!({
                "name": key, "in": "path", "required": true,
                "description": "The key of the referenced entity.",
                "schema": { "type": "string" },
            }),
        );
        let mut ops = Map::new();
        ops.insert("delete".into(), remove_key);
        self.paths.insert(
            format!("{base}/{}/{{{key}}}/$ref", nav.name),
            Value::Object(ops),
        );
        Ok(())
    }

    fn reference_create_schema(&mut self) {
        self.schemas
            .entry(REFERENCE_CREATE_SCHEMA)
            .or_insert_with(|| {
                json!({
                    "type": "object",
                    "description": "Body of `POST .../$ref`: the full URL of the entity to add to a collection of references.",
                    "required": ["@odata.id"],
                    "properties": {
                        "@odata.id": { "type": "string", "description": "Full URL of the referenced entity." },
                    },
                })
            });
    }
}

/// Append a parameter to an operation built by `Converter::operation`.
fn push_parameter(op: &mut Value, parameter: Value) {
    if let Some(params) = op["parameters"].as_array_mut() {
        params.push(parameter);
    }
}
