//! Simulated sign-ups on an external tenant: the emulator plays an authentication events flow
//! (`externalUsersSelfServiceSignUpEventsFlow`) for one application and calls the custom
//! authentication extensions its events name, as Microsoft Entra External ID does
//! (`docs/custom-extensions-contract.md`, `docs/graph-behaviour.md` §7–§9, §11).
//!
//! The order (contract §4): email one-time passcode send (a local account, when an
//! `onEmailOtpSendListener` applies to the application), attribute collection start (the flow's
//! `onAttributeCollectionStart`), the page, attribute collection submit (the flow's
//! `onAttributeCollectionSubmit`; after `showValidationError` the simulated user submits the next
//! set of `SignUpInput::resubmissions`, if any), user creation, token issuance start (an
//! `onTokenIssuanceStartListener` that applies to the application), the token.
//!
//! Each call is `POST {targetUrl}` with `Content-Type: application/json` and
//! `Authorization: Bearer {token}`, a token the emulated tenant signs with RS256 (`token`); the
//! keys are published at `Emulator::jwks_url`. The extension's `clientConfiguration` (or the
//! handler's overwrite) bounds each attempt (default 1000 ms) and the retries (default 1, after a
//! timeout or a connection failure only). A call that fails ends the sign-up with the
//! troubleshooting code of its cause (`error_code`), checked in the table's order (`answer`); an
//! accepted answer's action is applied (`flow`). The request bodies are built in `payload`, the
//! calls with their retries in `call`.

mod answer;
mod call;
mod error_code;
mod flow;
mod payload;
mod token;

pub(crate) use self::flow::run;
