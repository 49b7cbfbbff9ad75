//! The actions a custom extension's response carries: [`Action`] and its [`ActionKind`] for any
//! event, one action type per event ([`TokenIssuanceStartAction`],
//! [`AttributeCollectionStartAction`], [`AttributeCollectionSubmitAction`],
//! [`EmailOtpSendAction`]) whose values are legal by construction, and the action fields
//! [`BlockPage`] and [`ValidationError`].

use std::fmt;

use indexmap::IndexMap;

use super::{AttributeValues, CustomExtensionError, Event, TokenClaims, odata_type};

/// Which action a response carries, whatever its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActionKind {
    /// `provideClaimsForToken` (token issuance start).
    ProvideClaimsForToken,
    /// `continueWithDefaultBehavior` (attribute collection start and submit, email OTP send).
    ContinueWithDefaultBehavior,
    /// `setPrefillValues` (attribute collection start); `setPreFillValues` is read too.
    SetPrefillValues,
    /// `modifyAttributeValues` (attribute collection submit).
    ModifyAttributeValues,
    /// `showBlockPage` (attribute collection start and submit).
    ShowBlockPage,
    /// `showValidationError` (attribute collection submit).
    ShowValidationError,
}

impl ActionKind {
    /// Every action.
    pub const ALL: [ActionKind; 6] = [
        ActionKind::ProvideClaimsForToken,
        ActionKind::ContinueWithDefaultBehavior,
        ActionKind::SetPrefillValues,
        ActionKind::ModifyAttributeValues,
        ActionKind::ShowBlockPage,
        ActionKind::ShowValidationError,
    ];

    /// The last part of the action's `@odata.type`, as the pages' JSON examples spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::ProvideClaimsForToken => "provideClaimsForToken",
            ActionKind::ContinueWithDefaultBehavior => "continueWithDefaultBehavior",
            ActionKind::SetPrefillValues => "setPrefillValues",
            ActionKind::ModifyAttributeValues => "modifyAttributeValues",
            ActionKind::ShowBlockPage => "showBlockPage",
            ActionKind::ShowValidationError => "showValidationError",
        }
    }

    /// The action's `@odata.type` in a response to `event`, for example
    /// `microsoft.graph.attributeCollectionSubmit.showValidationError`.
    pub fn odata_type(self, event: Event) -> String {
        format!(
            "microsoft.graph.{}.{}",
            event.action_namespace(),
            self.as_str()
        )
    }

    /// The action named `name` (the last part of an `@odata.type`), in any ASCII case.
    pub fn from_name(name: &str) -> Option<ActionKind> {
        ActionKind::ALL
            .into_iter()
            .find(|a| name.eq_ignore_ascii_case(a.as_str()))
    }

    /// Reads an action's `@odata.type` in a response to `event`: any ASCII case, with or
    /// without `#` and the `microsoft.graph.` namespace. The action must be in `event`'s
    /// namespace and allowed for it.
    pub fn from_odata_type(event: Event, value: &str) -> Result<ActionKind, CustomExtensionError> {
        let local = odata_type::local_name(value);
        let Some((namespace, name)) = local.rsplit_once('.') else {
            return Err(CustomExtensionError::UnknownAction(value.to_owned()));
        };
        match Event::from_action_namespace(namespace) {
            Some(e) if e == event => {}
            Some(_) => {
                return Err(CustomExtensionError::ActionOfAnotherEvent {
                    event,
                    found: value.to_owned(),
                });
            }
            None => return Err(CustomExtensionError::UnknownAction(value.to_owned())),
        }
        let action = ActionKind::from_name(name)
            .ok_or_else(|| CustomExtensionError::UnknownAction(value.to_owned()))?;
        if !event.allows(action) {
            return Err(CustomExtensionError::ActionNotAllowed { action, event });
        }
        Ok(action)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `showBlockPage`: "Show an error message and block the user from signing up".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockPage {
    /// `message`, shown to the user.
    pub message: String,
    /// `title`, emitted only when set (only the 2025 pages show it).
    pub title: Option<String>,
}

impl BlockPage {
    /// A block page showing `message`, without a title.
    pub fn new(message: impl Into<String>) -> Self {
        BlockPage {
            message: message.into(),
            title: None,
        }
    }

    /// The same page with `title`.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// `showValidationError`: the user stays on the attribute collection page, sees `message` and,
/// next to each attribute named in `attribute_errors`, its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// `message`, shown on the page.
    pub message: String,
    /// `attributeErrors`: attribute name → message. Always emitted (`{}` when empty).
    pub attribute_errors: IndexMap<String, String>,
}

impl ValidationError {
    /// A validation error showing `message`, with no per-attribute message.
    pub fn new(message: impl Into<String>) -> Self {
        ValidationError {
            message: message.into(),
            attribute_errors: IndexMap::new(),
        }
    }

    /// The same error with `message` next to attribute `attribute`.
    pub fn with_attribute_error(
        mut self,
        attribute: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.attribute_errors
            .insert(attribute.into(), message.into());
        self
    }
}

/// One action, for any event: [`CustomExtensionResponse::new`](super::CustomExtensionResponse::new)
/// checks that the event allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// `provideClaimsForToken` with its `claims`.
    ProvideClaimsForToken(TokenClaims),
    /// `continueWithDefaultBehavior`.
    ContinueWithDefaultBehavior,
    /// `setPrefillValues` with its `inputs`.
    SetPrefillValues(AttributeValues),
    /// `modifyAttributeValues` with its `attributes`.
    ModifyAttributeValues(AttributeValues),
    /// `showBlockPage`.
    ShowBlockPage(BlockPage),
    /// `showValidationError`.
    ShowValidationError(ValidationError),
}

impl Action {
    /// Which action this is.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::ProvideClaimsForToken(_) => ActionKind::ProvideClaimsForToken,
            Action::ContinueWithDefaultBehavior => ActionKind::ContinueWithDefaultBehavior,
            Action::SetPrefillValues(_) => ActionKind::SetPrefillValues,
            Action::ModifyAttributeValues(_) => ActionKind::ModifyAttributeValues,
            Action::ShowBlockPage(_) => ActionKind::ShowBlockPage,
            Action::ShowValidationError(_) => ActionKind::ShowValidationError,
        }
    }
}

/// The action of a response to token issuance start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenIssuanceStartAction {
    /// `provideClaimsForToken`: claims for the token (a claims-mapping policy decides which
    /// reach it).
    ProvideClaimsForToken(TokenClaims),
}

/// The action of a response to attribute collection start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeCollectionStartAction {
    /// `continueWithDefaultBehavior`: render the attribute collection page as usual.
    ContinueWithDefaultBehavior,
    /// `setPrefillValues`: prefill attributes of the page (others are ignored).
    SetPrefillValues(AttributeValues),
    /// `showBlockPage`: block the sign-up.
    ShowBlockPage(BlockPage),
}

/// The action of a response to attribute collection submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeCollectionSubmitAction {
    /// `continueWithDefaultBehavior`: continue with the sign-up.
    ContinueWithDefaultBehavior,
    /// `modifyAttributeValues`: overwrite submitted values; sign-up continues silently.
    ModifyAttributeValues(AttributeValues),
    /// `showBlockPage`: block the sign-up.
    ShowBlockPage(BlockPage),
    /// `showValidationError`: show errors on the page, for the user to correct.
    ShowValidationError(ValidationError),
}

/// The action of a response to email OTP send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailOtpSendAction {
    /// `continueWithDefaultBehavior` (`microsoft.graph.OtpSend.continueWithDefaultBehavior`):
    /// the API has sent the code.
    ContinueWithDefaultBehavior,
}

impl From<TokenIssuanceStartAction> for Action {
    fn from(action: TokenIssuanceStartAction) -> Self {
        match action {
            TokenIssuanceStartAction::ProvideClaimsForToken(c) => Action::ProvideClaimsForToken(c),
        }
    }
}

impl From<AttributeCollectionStartAction> for Action {
    fn from(action: AttributeCollectionStartAction) -> Self {
        match action {
            AttributeCollectionStartAction::ContinueWithDefaultBehavior => {
                Action::ContinueWithDefaultBehavior
            }
            AttributeCollectionStartAction::SetPrefillValues(v) => Action::SetPrefillValues(v),
            AttributeCollectionStartAction::ShowBlockPage(p) => Action::ShowBlockPage(p),
        }
    }
}

impl From<AttributeCollectionSubmitAction> for Action {
    fn from(action: AttributeCollectionSubmitAction) -> Self {
        match action {
            AttributeCollectionSubmitAction::ContinueWithDefaultBehavior => {
                Action::ContinueWithDefaultBehavior
            }
            AttributeCollectionSubmitAction::ModifyAttributeValues(v) => {
                Action::ModifyAttributeValues(v)
            }
            AttributeCollectionSubmitAction::ShowBlockPage(p) => Action::ShowBlockPage(p),
            AttributeCollectionSubmitAction::ShowValidationError(e) => {
                Action::ShowValidationError(e)
            }
        }
    }
}

impl From<EmailOtpSendAction> for Action {
    fn from(action: EmailOtpSendAction) -> Self {
        match action {
            EmailOtpSendAction::ContinueWithDefaultBehavior => Action::ContinueWithDefaultBehavior,
        }
    }
}
