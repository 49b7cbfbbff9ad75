//! Advice next to Graph's own message when it answers 403: the permission the operation needs, or
//! for the `AADB2C` 403 the user-flow family the tenant has.
//!
//! The permissions are the least privileged ones the Graph reference pages list for each
//! operation (`docs/graph-behaviour.md` §10): every API connector operation, reads included, needs
//! `APIConnectors.ReadWrite.All`; listing and reading user flows `IdentityUserFlow.Read.All`; the
//! API connector configuration of a flow, read or written, `IdentityUserFlow.ReadWrite.All`;
//! custom authentication extensions `CustomAuthenticationExtension.Read.All` to read and validate,
//! `…ReadWrite.All` to change; events flows and listeners `EventListener.Read.All` and
//! `EventListener.ReadWrite.All`.

use entra_api_connectors::Error;

use crate::Failure;
use crate::cli::FlowKind;

/// A Graph operation of the tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `GET /identity/apiConnectors`
    ListConnectors,
    /// `GET /identity/apiConnectors/{id}`
    GetConnector,
    /// `POST /identity/apiConnectors`
    CreateConnector,
    /// `PATCH /identity/apiConnectors/{id}`
    UpdateConnector,
    /// `DELETE /identity/apiConnectors/{id}`
    DeleteConnector,
    /// `POST /identity/apiConnectors/{id}/uploadClientCertificate`
    UploadCertificate,
    /// `GET /identity/{family}`
    ListFlows,
    /// `GET /identity/{family}/{id}/apiConnectorConfiguration`
    ShowFlow,
    /// `PUT .../apiConnectorConfiguration/{step}/$ref` with a connector
    Attach,
    /// `PUT .../apiConnectorConfiguration/{step}/$ref` with `{}`
    Detach,
    /// List, get or validate custom authentication extensions
    ReadExtensions,
    /// Create, update or delete a custom authentication extension
    WriteExtensions,
    /// List or get authentication events flows, or a flow's applications
    ReadEventsFlows,
    /// Create, update or delete an events flow, attach an extension, add or remove an application
    WriteEventsFlows,
    /// List or get authentication event listeners
    ReadListeners,
    /// Create, update or delete an authentication event listener
    WriteListeners,
}

impl Operation {
    /// The least privileged Graph permission of the operation (application and delegated alike).
    pub fn permission(self) -> &'static str {
        match self {
            Operation::ListConnectors
            | Operation::GetConnector
            | Operation::CreateConnector
            | Operation::UpdateConnector
            | Operation::DeleteConnector
            | Operation::UploadCertificate => "APIConnectors.ReadWrite.All",
            Operation::ListFlows => "IdentityUserFlow.Read.All",
            Operation::ShowFlow | Operation::Attach | Operation::Detach => {
                "IdentityUserFlow.ReadWrite.All"
            }
            Operation::ReadExtensions => "CustomAuthenticationExtension.Read.All",
            Operation::WriteExtensions => "CustomAuthenticationExtension.ReadWrite.All",
            Operation::ReadEventsFlows | Operation::ReadListeners => "EventListener.Read.All",
            Operation::WriteEventsFlows | Operation::WriteListeners => {
                "EventListener.ReadWrite.All"
            }
        }
    }

    /// The least privileged Entra role of a delegated caller.
    fn role(self) -> &'static str {
        match self {
            Operation::ReadExtensions
            | Operation::WriteExtensions
            | Operation::ReadListeners
            | Operation::WriteListeners => "Authentication Extensibility Administrator",
            _ => "External ID User Flow Administrator",
        }
    }

    /// What the operation does, for the hint.
    fn what(self) -> &'static str {
        match self {
            Operation::ListConnectors => "listing API connectors",
            Operation::GetConnector => "reading an API connector",
            Operation::CreateConnector => "creating an API connector",
            Operation::UpdateConnector => "updating an API connector",
            Operation::DeleteConnector => "deleting an API connector",
            Operation::UploadCertificate => "uploading a connector's client certificate",
            Operation::ListFlows => "listing user flows",
            Operation::ShowFlow => "reading a user flow's API connector configuration",
            Operation::Attach | Operation::Detach => {
                "changing a user flow's API connector configuration"
            }
            Operation::ReadExtensions => "reading custom authentication extensions",
            Operation::WriteExtensions => "changing a custom authentication extension",
            Operation::ReadEventsFlows => "reading authentication events flows",
            Operation::WriteEventsFlows => "changing an authentication events flow",
            Operation::ReadListeners => "reading authentication event listeners",
            Operation::WriteListeners => "changing an authentication event listener",
        }
    }
}

/// The failure of `op`, with advice when Graph answered 403. `kind` is the user-flow family the
/// request used, for the flows commands.
pub fn failure(op: Operation, kind: Option<FlowKind>, e: Error) -> Failure {
    if e.status() != Some(403) {
        return Failure::from(e);
    }
    let hint = match (e.code(), kind) {
        (Some("AADB2C"), Some(FlowKind::B2x)) => "this is an Azure AD B2C tenant: its user flows \
             are the b2c family, in Graph beta (--kind b2c --api-version beta)"
            .to_owned(),
        (Some("AADB2C"), Some(FlowKind::B2c)) => "this is not an Azure AD B2C tenant: its \
             self-service sign-up flows are the b2x family (--kind b2x)"
            .to_owned(),
        _ => format!(
            "{} needs the Microsoft Graph permission {} (application permission with admin \
             consent, or delegated for a user with the {} role)",
            op.what(),
            op.permission(),
            op.role()
        ),
    };
    Failure::Advised {
        message: e.to_string(),
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_names_its_least_privileged_permission() {
        use Operation::*;
        for op in [
            ListConnectors,
            GetConnector,
            CreateConnector,
            UpdateConnector,
            DeleteConnector,
            UploadCertificate,
        ] {
            assert_eq!(op.permission(), "APIConnectors.ReadWrite.All");
        }
        assert_eq!(ListFlows.permission(), "IdentityUserFlow.Read.All");
        for op in [ShowFlow, Attach, Detach] {
            assert_eq!(op.permission(), "IdentityUserFlow.ReadWrite.All");
        }
        assert_eq!(
            ReadExtensions.permission(),
            "CustomAuthenticationExtension.Read.All"
        );
        assert_eq!(
            WriteExtensions.permission(),
            "CustomAuthenticationExtension.ReadWrite.All"
        );
        for op in [ReadEventsFlows, ReadListeners] {
            assert_eq!(op.permission(), "EventListener.Read.All");
        }
        for op in [WriteEventsFlows, WriteListeners] {
            assert_eq!(op.permission(), "EventListener.ReadWrite.All");
        }
        assert_eq!(
            WriteListeners.role(),
            "Authentication Extensibility Administrator"
        );
        assert_eq!(
            WriteEventsFlows.role(),
            "External ID User Flow Administrator"
        );
    }

    #[test]
    fn errors_other_than_403_pass_unchanged() {
        let e = Error::InvalidInput("x".into());
        match failure(Operation::CreateConnector, None, e) {
            Failure::Runtime(m) => assert_eq!(m, "invalid input: x"),
            other => panic!("{other:?}"),
        }
    }
}
