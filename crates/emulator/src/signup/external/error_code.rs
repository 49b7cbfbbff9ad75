//! The troubleshooting page's error codes that a simulated sign-up can end with
//! (<https://learn.microsoft.com/entra/identity-platform/custom-extension-troubleshoot>; the
//! emulator's triggers are in `custom-extensions-contract.md` §6.1). Not emulated: 1003004
//! (throttling), 1003008 (no `apiSchemaVersion` is sent), 1003017, 1003018, 1003022, 1003023.

/// A troubleshooting code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    EventHandlerUnexpectedError,
    CustomExtensionUnexpectedError,
    CustomExtensionInvalidHttpStatus,
    CustomExtensionInvalidResponseBody,
    CustomExtensionTimedOut,
    CustomExtensionInvalidResponseContentType,
    CustomExtensionNullClaimsResponse,
    CustomExtensionEmptyResponse,
    CustomExtensionInvalidNumberOfActions,
    CustomExtensionNotFound,
    CustomExtensionInvalidActionType,
    CustomExtensionIncorrectResourceIdFormat,
    CustomExtensionDomainNameDoesNotMatch,
    CustomExtensionResourceServicePrincipalNotFound,
    CustomExtensionResourceServicePrincipalDisabled,
    CustomExtensionIncorrectTargetUrlFormat,
    CustomExtensionPermissionNotGrantedToServicePrincipal,
    CustomExtensionResponseSizeExceeded,
    CustomExtensionResponseClaimsSizeExceeded,
    CustomExtensionNullOrEmptyClaimKeyNotSupported,
    CustomExtensionConnectionError,
}

impl ErrorCode {
    /// The number.
    pub fn code(self) -> u32 {
        match self {
            ErrorCode::EventHandlerUnexpectedError => 1_003_000,
            ErrorCode::CustomExtensionUnexpectedError => 1_003_001,
            ErrorCode::CustomExtensionInvalidHttpStatus => 1_003_002,
            ErrorCode::CustomExtensionInvalidResponseBody => 1_003_003,
            ErrorCode::CustomExtensionTimedOut => 1_003_005,
            ErrorCode::CustomExtensionInvalidResponseContentType => 1_003_006,
            ErrorCode::CustomExtensionNullClaimsResponse => 1_003_007,
            ErrorCode::CustomExtensionEmptyResponse => 1_003_009,
            ErrorCode::CustomExtensionInvalidNumberOfActions => 1_003_010,
            ErrorCode::CustomExtensionNotFound => 1_003_011,
            ErrorCode::CustomExtensionInvalidActionType => 1_003_012,
            ErrorCode::CustomExtensionIncorrectResourceIdFormat => 1_003_014,
            ErrorCode::CustomExtensionDomainNameDoesNotMatch => 1_003_015,
            ErrorCode::CustomExtensionResourceServicePrincipalNotFound => 1_003_016,
            ErrorCode::CustomExtensionResourceServicePrincipalDisabled => 1_003_019,
            ErrorCode::CustomExtensionIncorrectTargetUrlFormat => 1_003_020,
            ErrorCode::CustomExtensionPermissionNotGrantedToServicePrincipal => 1_003_021,
            ErrorCode::CustomExtensionResponseSizeExceeded => 1_003_024,
            ErrorCode::CustomExtensionResponseClaimsSizeExceeded => 1_003_025,
            ErrorCode::CustomExtensionNullOrEmptyClaimKeyNotSupported => 1_003_026,
            ErrorCode::CustomExtensionConnectionError => 1_003_027,
        }
    }

    /// The name, verbatim from the page.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::EventHandlerUnexpectedError => "EventHandlerUnexpectedError",
            ErrorCode::CustomExtensionUnexpectedError => "CustomExtensionUnexpectedError",
            ErrorCode::CustomExtensionInvalidHttpStatus => "CustomExtensionInvalidHTTPStatus",
            ErrorCode::CustomExtensionInvalidResponseBody => "CustomExtensionInvalidResponseBody",
            ErrorCode::CustomExtensionTimedOut => "CustomExtensionTimedOut",
            ErrorCode::CustomExtensionInvalidResponseContentType => {
                "CustomExtensionInvalidResponseContentType"
            }
            ErrorCode::CustomExtensionNullClaimsResponse => "CustomExtensionNullClaimsResponse",
            ErrorCode::CustomExtensionEmptyResponse => "CustomExtensionEmptyResponse",
            ErrorCode::CustomExtensionInvalidNumberOfActions => {
                "CustomExtensionInvalidNumberOfActions"
            }
            ErrorCode::CustomExtensionNotFound => "CustomExtensionNotFound",
            ErrorCode::CustomExtensionInvalidActionType => "CustomExtensionInvalidActionType",
            ErrorCode::CustomExtensionIncorrectResourceIdFormat => {
                "CustomExtensionIncorrectResourceIdFormat"
            }
            ErrorCode::CustomExtensionDomainNameDoesNotMatch => {
                "CustomExtensionDomainNameDoesNotMatch"
            }
            ErrorCode::CustomExtensionResourceServicePrincipalNotFound => {
                "CustomExtensionResourceServicePrincipalNotFound"
            }
            ErrorCode::CustomExtensionResourceServicePrincipalDisabled => {
                "CustomExtensionResourceServicePrincipalDisabled"
            }
            ErrorCode::CustomExtensionIncorrectTargetUrlFormat => {
                "CustomExtensionIncorrectTargetUrlFormat"
            }
            ErrorCode::CustomExtensionPermissionNotGrantedToServicePrincipal => {
                "CustomExtensionPermissionNotGrantedToServicePrincipal"
            }
            ErrorCode::CustomExtensionResponseSizeExceeded => "CustomExtensionResponseSizeExceeded",
            ErrorCode::CustomExtensionResponseClaimsSizeExceeded => {
                "CustomExtensionResponseClaimsSizeExceeded"
            }
            ErrorCode::CustomExtensionNullOrEmptyClaimKeyNotSupported => {
                "CustomExtensionNullOrEmptyClaimKeyNotSupported"
            }
            ErrorCode::CustomExtensionConnectionError => "CustomExtensionConnectionError",
        }
    }
}

/// A failed call: the code and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub code: ErrorCode,
    pub reason: String,
}

impl Failure {
    pub fn new(code: ErrorCode, reason: impl Into<String>) -> Self {
        Failure {
            code,
            reason: reason.into(),
        }
    }
}
