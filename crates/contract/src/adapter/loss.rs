//! [`Loss`]: information that one call's adaptation drops or changes, reported so that the API
//! can log it.

use std::fmt;

/// Something of one call that does not carry over between the two contracts. The adapter goes on
/// (the answer is still sent) and reports it in [`AdaptedCall::losses`](super::AdaptedCall) or
/// [`AdaptedResponse::losses`](super::AdaptedResponse).
///
/// What is lost on every call (the envelope's ids, `correlationId`, `client.ip` and `market`,
/// `protocol`, the resource service principal; `version` and `status` of the connector answer)
/// is listed in the module docs, not reported per call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Loss {
    /// An attribute's value has a type the contract crate does not know: the handler gets its raw
    /// JSON, and the type is not shown to it.
    UnknownAttributeValueType {
        /// The attribute's name, as the external tenant sent it.
        attribute: String,
        /// Its `@odata.type`.
        odata_type: String,
    },
    /// The handler's `Continue` carried a `userMessage`: custom-extension continuations show no
    /// message, so it was dropped.
    ContinueUserMessage,
    /// The handler answered `ValidationError` at attribute collection start (B2C's
    /// `PostFederationSignup`), which has no validation error: it became `showBlockPage` with the
    /// same message, so the user cannot correct and resubmit.
    ValidationErrorAsBlockPage,
    /// The handler returned an attribute the call did not collect: Entra ignores it ("Any extra
    /// attributes that are returned but that aren't part of the attribute collection are
    /// ignored").
    AttributeNotCollected {
        /// The attribute's name, in the external tenant's form.
        attribute: String,
    },
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loss::UnknownAttributeValueType {
                attribute,
                odata_type,
            } => write!(
                f,
                "attribute `{attribute}` has the unknown value type `{odata_type}`; its raw value was passed on"
            ),
            Loss::ContinueUserMessage => {
                f.write_str("the continuation's `userMessage` was dropped: custom extensions show no message when continuing")
            }
            Loss::ValidationErrorAsBlockPage => f.write_str(
                "the validation error became a block page: attribute collection start has no validation error",
            ),
            Loss::AttributeNotCollected { attribute } => write!(
                f,
                "attribute `{attribute}` is not collected by this call; Entra ignores it"
            ),
        }
    }
}
