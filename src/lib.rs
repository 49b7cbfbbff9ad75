//! Typed, fast and safe management of API connectors in Microsoft Entra External ID and
//! Azure AD B2C through Microsoft Graph.

#![warn(missing_docs)]

pub mod auth;
pub mod certificate;
pub mod cloud;
pub mod contract;
#[cfg(feature = "emulator")]
pub mod emulator;
