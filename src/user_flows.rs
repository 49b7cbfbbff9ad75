//! User flows and their API connector configuration: which connector each step calls.
//!
//! Graph binds a connector to a step with `PUT .../apiConnectorConfiguration/{step}/$ref` and a
//! body `{"@odata.id": "<full URL of the connector>"}` (a bare id is rejected), and unbinds it with
//! `PUT {}`. Which steps exist depends on the version: `preTokenIssuance` is beta-only and Graph
//! marks it not referenceable, so it can be read but not bound through `$ref`.

/// Operations on one user-flow family (`b2cUserFlows`, `b2xUserFlows`) for one version module.
macro_rules! user_flow_family {
    (
        $(#[$doc:meta])*
        $handle:ident, $accessor:ident, $flow:ident, $page:ident,
        list: $list:ident, get: $get:ident, create: $create:ident, delete: $delete:ident,
        configuration: $config:ident,
        refs: { $($step:ident => $set_ref:ident),* $(,)? },
        steps: [$($all_steps:ident),*]
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $handle {
            graph: Graph,
        }

        impl Graph {
            $(#[$doc])*
            pub fn $accessor(&self) -> $handle {
                $handle { graph: self.clone() }
            }
        }

        impl $handle {
            /// Every user flow of this family, following `@odata.nextLink`.
            pub fn list(&self) -> futures::stream::BoxStream<'static, $crate::Result<types::$flow>> {
                let this = self.clone();
                $crate::paging::items::<types::$page, _>(
                    self.graph.graph.transport().clone(),
                    self.graph.base_url(),
                    self.graph.graph.max_pages(),
                    async move {
                        match this.graph.client.$list().send().await {
                            Ok(page) => Ok(page.into_inner()),
                            Err(e) => Err($crate::hooks::from_generated(e, this.graph.graph.transport()).await),
                        }
                    },
                )
            }

            /// Every user flow of this family, collected.
            pub async fn list_all(&self) -> $crate::Result<Vec<types::$flow>> {
                futures::TryStreamExt::try_collect(self.list()).await
            }

            /// A user flow by id (e.g. `B2C_1_SignUp`).
            pub async fn get(&self, id: &str) -> $crate::Result<types::$flow> {
                $crate::connectors::validate_id("user flow", id)?;
                match self.graph.client.$get().id(id).send().await {
                    Ok(f) => Ok(f.into_inner()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// Create a user flow (`201 Created`). Bind connectors afterwards with
            /// [`attach`](Self::attach): Graph ignores connectors given inline here.
            pub async fn create(&self, flow: &types::$flow) -> $crate::Result<types::$flow> {
                match flow.id.as_deref() {
                    Some(id) => $crate::connectors::validate_id("user flow", id)?,
                    None => return Err($crate::Error::InvalidInput("a new user flow needs an id".into())),
                }
                match self.graph.client.$create().body(flow.clone()).send().await {
                    Ok(f) => Ok(f.into_inner()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// Delete a user flow (`204 No Content`).
            pub async fn delete(&self, id: &str) -> $crate::Result<()> {
                $crate::connectors::validate_id("user flow", id)?;
                match self.graph.client.$delete().id(id).send().await {
                    Ok(_) => Ok(()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// The connectors bound to each step, expanded inline (`$expand` of every step).
            pub async fn configuration(&self, id: &str) -> $crate::Result<types::UserFlowApiConnectorConfiguration> {
                $crate::connectors::validate_id("user flow", id)?;
                let expand = [$(Step::$all_steps.as_str()),*].join(",");
                match self.graph.client.$config().id(id).expand(expand).send().await {
                    Ok(c) => Ok(c.into_inner()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }

            /// Bind `connector_id` to `step` of user flow `flow_id` (`204 No Content`). The body
            /// carries the connector's full URL, built from this client's base URL.
            pub async fn attach(&self, flow_id: &str, step: Step, connector_id: &str) -> $crate::Result<()> {
                $crate::connectors::validate_id("connector", connector_id)?;
                let url = self.graph.entity_url(&["identity", "apiConnectors", connector_id]);
                self.set_ref(flow_id, step, types::ReferenceUpdate { odata_id: Some(url.to_string()) }).await
            }

            /// Unbind whatever connector `step` of user flow `flow_id` calls (`PUT {}`).
            pub async fn detach(&self, flow_id: &str, step: Step) -> $crate::Result<()> {
                self.set_ref(flow_id, step, types::ReferenceUpdate::default()).await
            }

            async fn set_ref(&self, flow_id: &str, step: Step, body: types::ReferenceUpdate) -> $crate::Result<()> {
                $crate::connectors::validate_id("user flow", flow_id)?;
                let result = match step {
                    $(Step::$step => self.graph.client.$set_ref().id(flow_id).body(body).send().await,)*
                    #[allow(unreachable_patterns)]
                    other => {
                        return Err($crate::Error::InvalidInput(format!(
                            "the {} step cannot be bound through $ref: Graph marks it not referenceable",
                            other.as_str()
                        )))
                    }
                };
                match result {
                    Ok(_) => Ok(()),
                    Err(e) => Err($crate::hooks::from_generated(e, self.graph.graph.transport()).await),
                }
            }
        }

        $crate::paging::collection_pages!(types::$page => types::$flow);
    };
}
pub(crate) use user_flow_family;

/// Defines a version's `Step` enum.
macro_rules! steps {
    ($($(#[$doc:meta])* $variant:ident = $name:literal),* $(,)?) => {
        /// A step of a sign-up user flow at which an API connector can be called.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Step {
            $($(#[$doc])* $variant,)*
        }

        impl Step {
            /// Every step of this version.
            pub const ALL: &'static [Step] = &[$(Step::$variant),*];

            /// The navigation property name, e.g. `postAttributeCollection`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Step::$variant => $name,)*
                }
            }
        }

        impl std::fmt::Display for Step {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for Step {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<Self> {
                Step::ALL
                    .iter()
                    .copied()
                    .find(|step| step.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| $crate::Error::InvalidInput(format!(
                        "unknown step `{s}`; this version has: {}",
                        Step::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    )))
            }
        }
    };
}
pub(crate) use steps;
