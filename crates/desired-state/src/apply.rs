//! Carrying a [`Plan`] out on a [`Tenant`]: phase by phase ([`Phase`]), at most
//! [`ApplyOptions::concurrency`] requests at a time, with a typed [`ApplyReport`].
//!
//! - **Order.** Connector actions (creates, updates, uploads) first, binds and unbinds next, deletes
//!   last. Within a phase the actions are independent and run concurrently, except those on the same
//!   connector, which run in plan order. A bind whose connector could not be created, and a delete
//!   whose connector is still bound because an unbind failed, are not attempted (they are reported
//!   as skipped with the reason).
//! - **Tenant check.** Before anything, the credential's tenant, cloud and version are checked
//!   against the file ([`check_tenant`]); a mismatch changes nothing.
//! - **No duplicates.** A create (`POST`) whose outcome is unknown (timeout, lost response, 5xx) is
//!   reconciled first: the tenant's connectors are read and one with the display name (unique by the
//!   file's rule) is adopted; only when there is none is the create sent again. An upload whose
//!   outcome is unknown is reconciled by reading the connector's `certificateList`.
//! - **Convergence.** A transient failure (after the client's own retries) is tried again up to
//!   [`ApplyOptions::attempts`] times. Whatever still fails leaves a tenant the next plan compares
//!   like any other: every action is idempotent once matched by display name, so plan and apply
//!   again converge. [`ApplyError::Incomplete`] says what was done and what was not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::{Error, Result};
use futures::StreamExt;
use secrecy::ExposeSecret;
use serde::Serialize;

use crate::error::Quoted;
use crate::plan::{Action, Change, Phase, Plan};
use crate::tenant::Tenant;
use crate::tenant_check::{TenantError, check_tenant};
use crate::validate::{DesiredAuthentication, DesiredConnector, DesiredState};

/// The default [`ApplyOptions::concurrency`]: 10 requests at a time.
///
/// Graph's identity and access limits allow an application 3,000 writes per 2 minutes 30 seconds
/// in a tenant, 20 writes a second (<https://learn.microsoft.com/graph/throttling-limits>, "Identity
/// and access service limits"). Assuming about half a second per directory write (Graph publishes no
/// latency), 10 writes in flight stay near that quota; `Retry-After` covers the rest
/// (`docs/graph-behaviour.md` §13).
pub const DEFAULT_CONCURRENCY: usize = 10;

/// The default [`ApplyOptions::attempts`].
pub const DEFAULT_ATTEMPTS: u32 = 4;

/// Called after each action with what happened to it.
pub type ProgressFn = dyn Fn(&Progress<'_>) + Send + Sync;

/// How `apply` runs.
#[derive(Clone)]
pub struct ApplyOptions {
    /// The most requests in flight (at least 1).
    pub concurrency: usize,
    /// How often an action is tried when it fails transiently (after the client's own retries).
    pub attempts: u32,
    /// The current time, Unix seconds, for the certificate checks before upload.
    pub now: i64,
    /// Progress, after each action.
    pub progress: Option<Arc<ProgressFn>>,
}

impl fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("concurrency", &self.concurrency)
            .field("attempts", &self.attempts)
            .field("now", &self.now)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl ApplyOptions {
    /// [`DEFAULT_CONCURRENCY`], [`DEFAULT_ATTEMPTS`], no progress, at `now`.
    pub fn new(now: i64) -> Self {
        ApplyOptions {
            concurrency: DEFAULT_CONCURRENCY,
            attempts: DEFAULT_ATTEMPTS,
            now,
            progress: None,
        }
    }

    /// With at most `concurrency` requests in flight.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// With `progress` called after each action.
    pub fn progress(mut self, progress: impl Fn(&Progress<'_>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }
}

/// One action finished (or was skipped).
#[derive(Debug)]
pub struct Progress<'a> {
    /// Actions finished so far, this one included.
    pub finished: usize,
    /// Actions in the plan.
    pub total: usize,
    /// The action.
    pub action: &'a Action,
    /// What happened.
    pub outcome: &'a Outcome,
}

/// What happened to one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    /// Carried out.
    #[serde(rename_all = "camelCase")]
    Done {
        /// The connector's id, for a create.
        created_id: Option<String>,
    },
    /// Tried and failed; the message is the last error (never a secret).
    Failed {
        /// The error.
        error: String,
    },
    /// Not tried, because an action it depends on did not succeed.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// How a create or upload of unknown outcome was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    /// The connector.
    pub display_name: String,
    /// What was reconciled.
    pub kind: ReconciliationKind,
    /// What the tenant showed.
    pub found: bool,
}

/// What a reconciliation was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ReconciliationKind {
    /// A create: found means the connector existed and was adopted.
    Create,
    /// A certificate upload: found means the certificate was already listed and active.
    Upload,
}

/// What `apply` did, action by action in plan order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyReport {
    /// Each action of the plan with its outcome.
    pub actions: Vec<(Action, Outcome)>,
    /// Creates and uploads whose outcome was unknown, and how each was resolved.
    pub reconciliations: Vec<Reconciliation>,
    /// How many times an action was tried again after a transient failure.
    pub retries: usize,
}

impl ApplyReport {
    /// Whether every action was done.
    pub fn is_complete(&self) -> bool {
        self.actions
            .iter()
            .all(|(_, o)| matches!(o, Outcome::Done { .. }))
    }

    /// The actions done.
    pub fn done(&self) -> impl Iterator<Item = &Action> {
        self.actions
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Done { .. }))
            .map(|(a, _)| a)
    }

    /// The actions not done, with why.
    pub fn not_done(&self) -> impl Iterator<Item = (&Action, &Outcome)> {
        self.actions
            .iter()
            .filter(|(_, o)| !matches!(o, Outcome::Done { .. }))
            .map(|(a, o)| (a, o))
    }
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (action, outcome) in &self.actions {
            match outcome {
                Outcome::Done { .. } => writeln!(f, "done: {action}")?,
                Outcome::Failed { error } => writeln!(f, "failed: {action}: {error}")?,
                Outcome::Skipped { reason } => writeln!(f, "not done: {action}: {reason}")?,
            }
        }
        let done = self.done().count();
        write!(
            f,
            "{done} of {} actions done, {} not done; {} reconciliations, {} retries.",
            self.actions.len(),
            self.actions.len() - done,
            self.reconciliations.len(),
            self.retries
        )
    }
}

/// Why `apply` did not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// Refused before any change (wrong tenant, cloud or version; the check could not be made).
    #[error(transparent)]
    Refused(#[from] TenantError),
    /// Some actions failed or were skipped; the report says which were done. Planning again
    /// against the tenant gives what is left.
    #[error("apply stopped short; planning again shows what is left:\n{0}")]
    Incomplete(Box<ApplyReport>),
}

/// Whether a failed `POST` may nevertheless have been carried out: anything but an answer from
/// Graph that it refused the request (4xx) or was throttled / unavailable before handling it. A
/// success whose body could not be read counts as unknown.
fn outcome_unknown(e: &Error) -> bool {
    match e.status() {
        Some(429 | 503) => false,
        Some(s) => s >= 500 || (200..300).contains(&s),
        None => matches!(e, Error::Timeout(_) | Error::Transport { .. }),
    }
}

/// Whether trying again may succeed.
fn transient(e: &Error) -> bool {
    e.is_retryable() || outcome_unknown(e)
}

struct Run<'a, T> {
    tenant: &'a T,
    desired: &'a DesiredState,
    options: &'a ApplyOptions,
    total: usize,
    finished: AtomicUsize,
    retries: AtomicUsize,
    reconciliations: Mutex<Vec<Reconciliation>>,
}

impl<T: Tenant> Run<'_, T> {
    fn report(&self, action: &Action, outcome: &Outcome) {
        let finished = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(progress) = &self.options.progress {
            progress(&Progress {
                finished,
                total: self.total,
                action,
                outcome,
            });
        }
    }

    fn reconciled(&self, display_name: &str, kind: ReconciliationKind, found: bool) {
        self.reconciliations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Reconciliation {
                display_name: display_name.to_owned(),
                kind,
                found,
            });
    }

    fn connector(&self, name: &str) -> Result<&DesiredConnector> {
        self.desired.connectors.get(name).ok_or_else(|| {
            Error::InvalidInput(format!(
                "the plan names connector {}, which the file does not define",
                Quoted(name)
            ))
        })
    }

    fn upload(&self, name: &str) -> Result<Pkcs12Upload> {
        match &self.connector(name)?.authentication {
            DesiredAuthentication::ClientCertificate(c) => Pkcs12Upload::from_bytes_at(
                c.bundle.original_der().expose_secret(),
                c.password.clone(),
                self.options.now,
            ),
            DesiredAuthentication::Basic { .. } => Err(Error::InvalidInput(format!(
                "connector {} uses basic authentication in the file",
                Quoted(name)
            ))),
        }
    }

    fn authentication(&self, name: &str) -> Result<Authentication> {
        match &self.connector(name)?.authentication {
            DesiredAuthentication::Basic { username, password } => {
                Ok(Authentication::basic(username.clone(), password.clone()))
            }
            DesiredAuthentication::ClientCertificate(_) => {
                Ok(Authentication::Certificate(self.upload(name)?))
            }
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the attempts are used up.
    async fn retrying<R, F, Fut>(&self, mut attempt: F) -> Result<R>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<R>>,
    {
        let mut n = 0;
        loop {
            match attempt(n).await {
                Err(e) if transient(&e) && n + 1 < self.options.attempts.max(1) => {
                    n += 1;
                    self.retries.fetch_add(1, Ordering::SeqCst);
                }
                other => return other,
            }
        }
    }

    /// Creates, reconciling by display name whenever the outcome of a try is unknown.
    async fn create(&self, name: &str) -> Result<String> {
        let connector = self.connector(name)?;
        let new = NewConnector::new(
            name,
            connector.target_url.clone(),
            self.authentication(name)?,
        );
        let unknown = &AtomicUsize::new(0);
        let new = &new;
        self.retrying(move |_| async move {
            if unknown.load(Ordering::SeqCst) > 0 {
                // The previous try may have created it: look before sending again.
                let found: Vec<_> = self
                    .tenant
                    .list_connectors()
                    .await?
                    .into_iter()
                    .filter(|c| c.display_name == name)
                    .collect();
                self.reconciled(name, ReconciliationKind::Create, !found.is_empty());
                match found.as_slice() {
                    [] => {}
                    [one] => return Ok(one.id.clone()),
                    several => {
                        return Err(Error::InvalidInput(format!(
                            "the tenant has {} connectors named {}",
                            several.len(),
                            Quoted(name)
                        )));
                    }
                }
                unknown.store(0, Ordering::SeqCst);
            }
            match self.tenant.create_connector(new).await {
                Ok(created) => Ok(created.id),
                Err(e) => {
                    if outcome_unknown(&e) {
                        unknown.store(1, Ordering::SeqCst);
                    }
                    Err(e)
                }
            }
        })
        .await
    }

    /// Uploads, checking the `certificateList` whenever the outcome of a try is unknown.
    async fn upload_certificate(&self, id: &str, name: &str, thumbprint: &str) -> Result<()> {
        let upload = &self.upload(name)?;
        let unknown = &AtomicUsize::new(0);
        self.retrying(move |_| async move {
            if unknown.load(Ordering::SeqCst) > 0 {
                let connector = self.tenant.connector(id).await?;
                let active = matches!(
                    &connector.authentication,
                    crate::snapshot::AuthenticationSnapshot::ClientCertificate { certificate_list }
                        if certificate_list.iter().any(|c| c.is_active && c.thumbprint.eq_ignore_ascii_case(thumbprint))
                );
                self.reconciled(name, ReconciliationKind::Upload, active);
                if active {
                    return Ok(());
                }
                unknown.store(0, Ordering::SeqCst);
            }
            match self.tenant.upload_certificate(id, upload).await {
                Ok(()) => Ok(()),
                Err(e) => {
                    if outcome_unknown(&e) {
                        unknown.store(1, Ordering::SeqCst);
                    }
                    Err(e)
                }
            }
        })
        .await
    }

    /// One connector action; a create returns the new id.
    async fn connector_action(&self, action: &Action) -> Result<Option<String>> {
        match action {
            Action::CreateConnector { display_name, .. } => {
                self.create(display_name).await.map(Some)
            }
            Action::UpdateConnector {
                id,
                display_name,
                changes,
                sends_password,
            } => {
                let mut patch = ConnectorPatch::default();
                for change in changes {
                    if let Change::TargetUrl { to, .. } = change {
                        patch.target_url = Patch::Set(to.clone());
                    }
                }
                if *sends_password {
                    patch.authentication = Patch::Set(self.authentication(display_name)?);
                }
                self.retrying(|_| self.tenant.update_connector(id, &patch))
                    .await
                    .map(|()| None)
            }
            Action::SwitchAuthentication {
                id, display_name, ..
            }
            | Action::UpdateSecret {
                id, display_name, ..
            } => {
                let patch = ConnectorPatch {
                    authentication: Patch::Set(self.authentication(display_name)?),
                    ..ConnectorPatch::default()
                };
                self.retrying(|_| self.tenant.update_connector(id, &patch))
                    .await
                    .map(|()| None)
            }
            Action::UploadCertificate {
                id,
                display_name,
                thumbprint,
                ..
            } => self
                .upload_certificate(id, display_name, thumbprint)
                .await
                .map(|()| None),
            Action::Bind { .. } | Action::Unbind { .. } | Action::DeleteConnector { .. } => {
                Err(Error::InvalidInput("not a connector action".into()))
            }
        }
    }
}

/// Carries `plan` out on `tenant`, taking secrets from `desired` (the state the plan was made from).
///
/// The tenant is checked first ([`check_tenant`]): a wrong tenant, cloud or version changes nothing.
/// Returns the report when every action was done, else [`ApplyError::Incomplete`] with it.
pub async fn apply<T: Tenant>(
    plan: &Plan,
    desired: &DesiredState,
    tenant: &T,
    options: &ApplyOptions,
) -> std::result::Result<ApplyReport, ApplyError> {
    check_tenant(&desired.tenant, desired.cloud, desired.api_version, tenant).await?;
    let concurrency = options.concurrency.max(1);
    let run = Run {
        tenant,
        desired,
        options,
        total: plan.actions.len(),
        finished: AtomicUsize::new(0),
        retries: AtomicUsize::new(0),
        reconciliations: Mutex::new(Vec::new()),
    };
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.actions.len()];

    // Phase 1: connector actions, grouped by connector, groups concurrently.
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, action) in plan.actions.iter().enumerate() {
        if action.phase() == Phase::Connectors {
            let name = action.connector().unwrap_or_default();
            groups.entry(name).or_default().push(i);
        }
    }
    let run_ref = &run;
    let results: Vec<Vec<(usize, Outcome)>> = futures::stream::iter(groups.into_values())
        .map(|indices| async move {
            let mut out = Vec::new();
            let mut failed: Option<String> = None;
            for i in indices {
                let action = &plan.actions[i];
                let outcome = match &failed {
                    Some(reason) => Outcome::Skipped {
                        reason: reason.clone(),
                    },
                    None => match run_ref.connector_action(action).await {
                        Ok(created_id) => Outcome::Done { created_id },
                        Err(e) => {
                            failed =
                                Some(format!("an earlier change of the connector failed: {e}"));
                            Outcome::Failed {
                                error: e.to_string(),
                            }
                        }
                    },
                };
                run_ref.report(action, &outcome);
                out.push((i, outcome));
            }
            out
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut created: BTreeMap<String, String> = BTreeMap::new();
    for (i, outcome) in results.into_iter().flatten() {
        if let (
            Outcome::Done {
                created_id: Some(id),
            },
            Some(name),
        ) = (&outcome, plan.actions[i].connector())
        {
            created.insert(name.to_owned(), id.clone());
        }
        outcomes[i] = Some(outcome);
    }

    // Phase 2: binds and unbinds, all independent.
    let bindings: Vec<usize> = (0..plan.actions.len())
        .filter(|&i| plan.actions[i].phase() == Phase::Bindings)
        .collect();
    let created_ref = &created;
    let results: Vec<(usize, Outcome)> = futures::stream::iter(bindings)
        .map(|i| async move {
            let action = &plan.actions[i];
            let result: std::result::Result<(), Outcome> = match action {
                Action::Bind {
                    flow,
                    family,
                    step,
                    display_name,
                    connector_id,
                    ..
                } => match connector_id
                    .as_ref()
                    .or_else(|| created_ref.get(display_name))
                {
                    Some(id) => run_ref
                        .retrying(|_| run_ref.tenant.bind(*family, flow, *step, id))
                        .await
                        .map_err(|e| Outcome::Failed {
                            error: e.to_string(),
                        }),
                    None => Err(Outcome::Skipped {
                        reason: format!("connector {} was not created", Quoted(display_name)),
                    }),
                },
                Action::Unbind {
                    flow, family, step, ..
                } => run_ref
                    .retrying(|_| run_ref.tenant.unbind(*family, flow, *step))
                    .await
                    .map_err(|e| Outcome::Failed {
                        error: e.to_string(),
                    }),
                _ => Ok(()),
            };
            let outcome = result.map_or_else(|o| o, |()| Outcome::Done { created_id: None });
            run_ref.report(action, &outcome);
            (i, outcome)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    // Connectors some step may still call because its unbind did not happen.
    let mut still_bound = BTreeSet::new();
    for (i, outcome) in results {
        if let (Action::Unbind { previous, .. }, false) =
            (&plan.actions[i], matches!(outcome, Outcome::Done { .. }))
        {
            still_bound.insert(previous.connector_id.clone());
        }
        outcomes[i] = Some(outcome);
    }

    // Phase 3: deletes, once nothing calls the connector.
    let deletes: Vec<usize> = (0..plan.actions.len())
        .filter(|&i| plan.actions[i].phase() == Phase::Deletes)
        .collect();
    let still_bound_ref = &still_bound;
    let results: Vec<(usize, Outcome)> = futures::stream::iter(deletes)
        .map(|i| async move {
            let action = &plan.actions[i];
            let outcome = match action {
                Action::DeleteConnector { id, .. } if still_bound_ref.contains(id) => {
                    Outcome::Skipped {
                        reason: "a step still calls it: its unbind did not happen".into(),
                    }
                }
                Action::DeleteConnector { id, .. } => {
                    // A delete sent again after a lost answer finds the connector gone: done.
                    match run_ref
                        .retrying(|_| run_ref.tenant.delete_connector(id))
                        .await
                    {
                        Ok(()) => Outcome::Done { created_id: None },
                        Err(e) if e.is_not_found() => Outcome::Done { created_id: None },
                        Err(e) => Outcome::Failed {
                            error: e.to_string(),
                        },
                    }
                }
                _ => Outcome::Done { created_id: None },
            };
            run_ref.report(action, &outcome);
            (i, outcome)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for (i, outcome) in results {
        outcomes[i] = Some(outcome);
    }

    let report = ApplyReport {
        actions: plan
            .actions
            .iter()
            .cloned()
            .zip(outcomes.into_iter().map(|o| {
                o.unwrap_or(Outcome::Skipped {
                    reason: "not reached".into(),
                })
            }))
            .collect(),
        reconciliations: run
            .reconciliations
            .into_inner()
            .unwrap_or_else(|p| p.into_inner()),
        retries: run.retries.load(Ordering::SeqCst),
    };
    if report.is_complete() {
        Ok(report)
    } else {
        Err(ApplyError::Incomplete(Box::new(report)))
    }
}
