//! Faults (issue 7): the client against the local Graph emulator with injected throttling, outages
//! and dropped connections, over real HTTP.
//!
//! What Graph asks of a client, and what these tests hold the client to:
//! - `429` carries `Retry-After` in seconds: wait that long, then retry
//!   (<https://learn.microsoft.com/graph/throttling>); `503` may carry it too
//!   (<https://learn.microsoft.com/graph/errors>). Both mean the request was not processed, so even
//!   a create (`POST`) is retried.
//! - A connection lost after the request was sent leaves a `POST`'s outcome unknown: the client
//!   must report it (`Error::Transport`) rather than send it again, and the caller reconciles by
//!   reading. Reads and idempotent writes are retried.
//! - The emulator decides faults before touching its state, so a failed request never leaves
//!   anything half-written; the tests check that from the client's side.
//!
//! Retries are observed through the client's `tracing` event "retrying Graph request", recorded
//! by a subscriber installed only on the threads of each test's own runtime.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

mod support;

use entra_api_connectors::auth::{AccessToken, TokenFuture, TokenProvider};
use entra_api_connectors::connectors::{
    Authentication, ConnectorPatch, ListOptions, NewConnector, Patch, Pkcs12Upload,
};
use entra_api_connectors::models::{ConnectorModel, FlowModel};
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{B2c, B2x, Beta, Error, GraphClient, Step, UserFlowFamily, V1, Version};
use entra_api_connectors_emulator::{
    DEFAULT_TOKEN, Emulator, EmulatorConfig, FaultRule, Faults, Step as StoredStep, TenantKind,
};
use secrecy::SecretString;
use serde_json::json;
use support::{expect_graph, typed};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Dispatch, Event, Metadata};

// ---------------------------------------------------------------------------------------------
// Observing retries

/// One "retrying Graph request" event of the client's transport.
#[derive(Debug, Clone, Default)]
struct Retry {
    method: String,
    path: String,
    reason: String,
    delay_ms: u64,
}

#[derive(Default)]
struct Retries(Mutex<Vec<Retry>>);

impl Retries {
    fn all(&self) -> Vec<Retry> {
        self.0.lock().unwrap().clone()
    }
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// The one global `tracing` subscriber of this binary: it keeps the client's retry events in the
/// log of the thread that emits them, if that thread has one. (A thread-local default subscriber
/// is not enough: a callsite first hit on a thread without one may cache "never".)
struct Recorder;

#[derive(Default)]
struct Fields {
    message: String,
    retry: Retry,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        match field.name() {
            "message" => self.message = text,
            "method" => self.retry.method = text,
            "reason" => self.retry.reason = text,
            "path" => self.retry.path = text.trim_matches('"').to_owned(),
            _ => {}
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "path" => self.retry.path = value.to_owned(),
            "reason" => self.retry.reason = value.to_owned(),
            "method" => self.retry.method = value.to_owned(),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "delay_ms" {
            self.retry.delay_ms = value;
        }
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if fields.message == "retrying Graph request" {
            RECORDER.with(|r| {
                if let Some(retries) = &*r.borrow() {
                    retries.0.lock().unwrap().push(fields.retry);
                }
            });
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

thread_local! {
    static RECORDER: RefCell<Option<Arc<Retries>>> = const { RefCell::new(None) };
}

/// Run `test` on a new multi-threaded runtime whose threads (and this one) record retry events
/// into the returned log; other tests' threads are not affected.
fn run<F: Future>(workers: usize, test: impl FnOnce(Arc<Retries>) -> F) -> F::Output {
    let retries = Arc::new(Retries::default());
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        tracing::dispatcher::set_global_default(Dispatch::new(Recorder))
            .expect("the only global subscriber")
    });
    let for_workers = retries.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .on_thread_start(move || RECORDER.with(|r| *r.borrow_mut() = Some(for_workers.clone())))
        .on_thread_stop(|| RECORDER.with(|r| drop(r.borrow_mut().take())))
        .build()
        .expect("a runtime");
    RECORDER.with(|r| *r.borrow_mut() = Some(retries.clone()));
    let output = runtime.block_on(test(retries));
    drop(runtime);
    output
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Tiny delays so that the tests run in a few seconds; Retry-After from the emulator still rules.
fn fast_retries(max_retries: u32) -> RetryPolicy {
    support::fast_retries(max_retries, Duration::from_secs(2))
}

fn client_with(emulator: &Emulator, policy: RetryPolicy) -> GraphClient {
    support::emulator_client(emulator, policy)
}

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("the emulator starts")
}

const PASSWORD: &str = "s3cret-basic-pa55word";

fn basic(name: &str) -> NewConnector {
    NewConnector::new(
        name,
        format!("https://api.contoso.example/{}", name.replace(' ', "-")),
        Authentication::basic("caller", SecretString::from(PASSWORD)),
    )
}

/// A dropped connection on a request that reached the server: `Error::Transport` with a message
/// that says so, and no secret in it.
fn assert_clear_transport<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(e @ Error::Transport { .. }) => {
            let text = e.to_string();
            assert!(text.starts_with("transport error: "), "{text}");
            assert!(
                text.contains("connection closed"),
                "says what happened: {text}"
            );
            assert!(
                !text.contains(PASSWORD) && !text.contains(DEFAULT_TOKEN),
                "{text}"
            );
            assert!(!format!("{e:?}").contains(PASSWORD), "{e:?}");
            text
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Targeted faults

fn throttled_reads_wait_for_retry_after_then_succeed<V: Version>() {
    run(2, |retries| async move {
        let emulator = start(EmulatorConfig::new(TenantKind::B2c).seed(7).fault_rule(
            FaultRule::new(
                "GET /identity/apiConnectors/*",
                Faults::throttle(0.5, Duration::from_millis(20)),
            ),
        ))
        .await;
        // A backoff of up to 1 s would show if Retry-After were ignored.
        let policy = RetryPolicy {
            max_retries: 10,
            max_total_delay: Duration::from_secs(5),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(1),
        };
        let client = client_with(&emulator, policy);
        let connectors = client.graph::<V>().connectors();
        let created = connectors.create(&basic("throttled")).await.unwrap();
        let id = created.id().clone().unwrap();
        for _ in 0..20 {
            assert_eq!(connectors.get(&id, &[]).await.unwrap(), created);
        }
        let seen = retries.all();
        assert!(
            !seen.is_empty(),
            "a 50% throttle over 20 reads must be retried at least once"
        );
        for r in &seen {
            assert_eq!(
                (r.method.as_str(), r.reason.as_str(), r.delay_ms),
                ("GET", "HTTP 429", 20),
                "{r:?}"
            );
            assert_eq!(r.path, format!("/{}/identity/apiConnectors/{id}", V::API));
        }
        println!(
            "throttled reads: 20 succeeded after {} retries on 429",
            seen.len()
        );
    });
}

fn throttling_that_lasts_ends_with_a_clear_429_within_the_delay_budget<V: Version>() {
    run(2, |retries| async move {
        let emulator = start(EmulatorConfig::new(TenantKind::Workforce).fault_rule(
            FaultRule::new(
                "GET /identity/apiConnectors/*",
                Faults::throttle(1.0, Duration::from_millis(40)),
            ),
        ))
        .await;
        let policy = RetryPolicy {
            max_total_delay: Duration::from_millis(100),
            ..fast_retries(10)
        };
        let client = client_with(&emulator, policy);
        let connectors = client.graph::<V>().connectors();
        let id = connectors
            .create(&basic("always throttled"))
            .await
            .unwrap()
            .id()
            .clone()
            .unwrap();
        let started = Instant::now();
        let g = expect_graph(connectors.get(&id, &[]).await, 429);
        // 40 ms + 40 ms fit in the 100 ms budget; a third wait would not.
        assert_eq!(retries.count(), 2, "{:?}", retries.all());
        assert!(
            started.elapsed() >= Duration::from_millis(80),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(g.code, "TooManyRequests");
        assert_eq!(g.retry_after, Some(Duration::from_millis(40)));
        assert!(
            g.request_id.is_some() && g.client_request_id.is_some(),
            "{g:?}"
        );
        let text = Error::Graph(g).to_string();
        assert!(
            text.starts_with("Graph error 429 Too Many Requests: TooManyRequests: "),
            "{text}"
        );
    });
}

fn unavailable_creates_are_retried_without_duplicates<V: Version>() {
    run(2, |retries| async move {
        let emulator = start(EmulatorConfig::new(TenantKind::B2c).seed(3).fault_rule(
            FaultRule::new("POST /identity/apiConnectors", Faults::unavailable(0.5)),
        ))
        .await;
        let client = client_with(&emulator, fast_retries(10));
        let connectors = client.graph::<V>().connectors();
        let mut ids = Vec::new();
        for i in 0..10 {
            let c = connectors
                .create(&basic(&format!("retried create {i}")))
                .await
                .unwrap();
            ids.push(c.id().clone().unwrap());
        }
        let stored: Vec<(String, Option<String>)> = emulator
            .connectors()
            .into_iter()
            .map(|c| (c.id, c.display_name))
            .collect();
        let expected: Vec<(String, Option<String>)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), Some(format!("retried create {i}"))))
            .collect();
        assert_eq!(stored, expected, "exactly one connector per create");
        let seen = retries.all();
        assert!(!seen.is_empty());
        assert!(
            seen.iter()
                .all(|r| r.method == "POST" && r.reason == "HTTP 503"),
            "{seen:?}"
        );
        println!(
            "unavailable creates: 10 created once each after {} retries on 503",
            seen.len()
        );
    });
}

/// A flow family on a tenant: the tenant kind, the `PUT` pattern of the family's `$ref`s and one
/// of the tenant's default flows.
struct FlowTenant {
    kind: TenantKind,
    refs: &'static str,
    flow: &'static str,
}

const B2C_TENANT: FlowTenant = FlowTenant {
    kind: TenantKind::B2c,
    refs: "PUT /identity/b2cUserFlows/**",
    flow: "B2C_1_SignUp",
};
const B2X_TENANT: FlowTenant = FlowTenant {
    kind: TenantKind::Workforce,
    refs: "PUT /identity/b2xUserFlows/**",
    flow: "B2X_1_PartnerSignUp",
};

fn failed_writes_leave_nothing_half_written<V: Version, F: UserFlowFamily<V>>(tenant: FlowTenant) {
    run(2, |retries| async move {
        let emulator = start(EmulatorConfig::new(tenant.kind)).await;
        let client = client_with(&emulator, fast_retries(2));
        let connectors = client.graph::<V>().connectors();

        // Create: 503 until the retries run out; no connector appears.
        emulator.add_fault_rule(FaultRule::new(
            "POST /identity/apiConnectors",
            Faults::unavailable(1.0),
        ));
        let g = expect_graph(connectors.create(&basic("never")).await, 503);
        assert_eq!(g.code, "serviceNotAvailable");
        assert_eq!(retries.count(), 2);
        assert!(emulator.connectors().is_empty());

        emulator.clear_faults();
        let id = connectors
            .create(&basic("kept"))
            .await
            .unwrap()
            .id()
            .clone()
            .unwrap();
        let before = emulator.connectors();

        // Update throttled to the end: unchanged.
        emulator.add_fault_rule(FaultRule::new(
            "PATCH /identity/apiConnectors/*",
            Faults::throttle(1.0, Duration::from_millis(1)),
        ));
        let patch = ConnectorPatch {
            display_name: Patch::Set("changed".into()),
            ..ConnectorPatch::default()
        };
        expect_graph(connectors.update(&id, &patch).await, 429);
        assert_eq!(emulator.connectors(), before);

        // Certificate upload dropped: a POST, so a transport error and no certificate stored.
        emulator.add_fault_rule(FaultRule::new(
            "POST /identity/apiConnectors/*/uploadClientCertificate",
            Faults::drop_connections(1.0),
        ));
        let now = entra_api_connectors::certificate::unix_now();
        let password = SecretString::from("pfx-pass");
        let pfx = entra_api_connectors::certificate::testing::self_signed_pkcs12(
            "dropped",
            &password,
            now - 60,
            now + 86_400,
        );
        let upload = Pkcs12Upload::from_bytes(&pfx, password).unwrap();
        let retries_before = retries.count();
        let text = assert_clear_transport(connectors.upload_certificate(&id, &upload).await);
        assert!(!text.contains("pfx-pass"), "{text}");
        assert_eq!(
            retries.count(),
            retries_before,
            "an upload is not sent twice"
        );
        assert_eq!(emulator.connectors(), before);

        // Delete unavailable to the end: still there.
        emulator.add_fault_rule(FaultRule::new(
            "DELETE /identity/apiConnectors/*",
            Faults::unavailable(1.0),
        ));
        expect_graph(connectors.delete(&id).await, 503);
        assert_eq!(emulator.connectors(), before);

        // Attach throttled to the end: nothing bound.
        emulator.add_fault_rule(FaultRule::new(
            tenant.refs,
            Faults::throttle(1.0, Duration::ZERO),
        ));
        expect_graph(
            client
                .graph::<V>()
                .user_flows::<F>()
                .attach(tenant.flow, Step::PostAttributeCollection, &id)
                .await,
            429,
        );
        assert!(
            emulator
                .user_flow(tenant.flow)
                .unwrap()
                .api_connector_configuration
                .is_empty()
        );
    });
}

fn dropped_connection_on_create_is_a_transport_error_and_not_retried<V: Version>() {
    run(2, |retries| async move {
        let emulator = start(EmulatorConfig::new(TenantKind::Workforce).fault_rule(
            FaultRule::new(
                "POST /identity/apiConnectors",
                Faults::drop_connections(1.0),
            ),
        ))
        .await;
        let client = client_with(&emulator, fast_retries(5));
        let result = client
            .graph::<V>()
            .connectors()
            .create(&basic("dropped"))
            .await;
        let text = assert_clear_transport(result);
        println!("{}: a dropped create reads: {text}", V::API);
        assert_eq!(
            retries.count(),
            0,
            "a POST whose outcome is unknown is not sent again: {:?}",
            retries.all()
        );
        assert!(emulator.connectors().is_empty());
        // The caller's reconciliation: list by the unique display name.
        let found = client
            .graph::<V>()
            .connectors()
            .list_all(ListOptions::default().filter("displayName eq 'dropped'"))
            .await
            .unwrap();
        assert!(found.is_empty());
    });
}

fn dropped_connections_on_reads_and_idempotent_writes_are_retried<V: Version>()
where
    B2x: UserFlowFamily<V>,
{
    run(2, |retries| async move {
        let emulator = start(
            EmulatorConfig::new(TenantKind::Workforce)
                .page_size(2)
                .seed(11),
        )
        .await;
        let client = client_with(&emulator, fast_retries(10));
        let connectors = client.graph::<V>().connectors();
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(
                connectors
                    .create(&basic(&format!("read {i}")))
                    .await
                    .unwrap()
                    .id()
                    .clone()
                    .unwrap(),
            );
        }
        emulator.set_faults(Faults::drop_connections(0.4));
        for id in ids.iter().cycle().take(20) {
            assert_eq!(
                connectors.get(id, &["id"]).await.unwrap().id().as_ref(),
                Some(id)
            );
        }
        let listed: Vec<String> = connectors
            .list_all(ListOptions::default())
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id().clone().unwrap())
            .collect();
        assert_eq!(listed, ids, "every page read despite drops");
        // PATCH, PUT $ref and DELETE are idempotent: retried after a drop.
        let patch = ConnectorPatch {
            target_url: Patch::Set("https://api.contoso.example/new".into()),
            ..ConnectorPatch::default()
        };
        connectors.update(&ids[0], &patch).await.unwrap();
        let flows = client.graph::<V>().b2x_user_flows();
        flows
            .attach("B2X_1_PartnerSignUp", Step::PostFederationSignup, &ids[1])
            .await
            .unwrap();
        connectors.delete(&ids[2]).await.unwrap();
        emulator.clear_faults();

        assert_eq!(
            emulator.connector(&ids[0]).unwrap().target_url.as_deref(),
            Some("https://api.contoso.example/new")
        );
        assert_eq!(
            emulator
                .user_flow("B2X_1_PartnerSignUp")
                .unwrap()
                .api_connector_configuration,
            BTreeMap::from([(StoredStep::PostFederationSignup, ids[1].clone())])
        );
        assert!(emulator.connector(&ids[2]).is_none());
        assert_eq!(emulator.connectors().len(), 4);
        let seen = retries.all();
        assert!(!seen.is_empty());
        assert!(
            seen.iter().all(|r| r.reason.starts_with("transport error")),
            "{seen:?}"
        );
        assert!(seen.iter().all(|r| r.method != "POST"), "{seen:?}");
        println!(
            "dropped reads: everything succeeded after {} retries on dropped connections",
            seen.len()
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Soak: many concurrent operations through one client under heavy faults

const TASKS: usize = 8;
const OPERATIONS: usize = 300;

/// A token provider that counts how often the client asks it for a token.
#[derive(Debug, Default)]
struct CountingToken(AtomicUsize);

impl TokenProvider for CountingToken {
    fn token(&self) -> TokenFuture<'_> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            // Slow enough that the concurrent first requests all wait for this one refresh.
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(AccessToken::new(
                DEFAULT_TOKEN,
                SystemTime::now() + Duration::from_secs(3600),
            ))
        })
    }
}

/// What the client knows about whether a connector exists.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Exists {
    Yes,
    No,
    /// A delete whose outcome is unknown (transport error after sending).
    Unknown,
}

/// A connector a task created, as its successful operations imply.
#[derive(Debug, Clone)]
struct Known {
    id: String,
    name: String,
    /// Every `targetUrl` it may have: one after a success, more after an update of unknown outcome.
    targets: Vec<String>,
    exists: Exists,
}

/// How a failed operation failed.
enum Failure {
    /// 429/503 with the retries exhausted: Graph did not process the request.
    NotApplied,
    /// The connection was lost or timed out: the request may or may not have been processed.
    Unknown,
    /// 404.
    NotFound,
}

#[derive(Debug, Default)]
struct Tally {
    operations: usize,
    succeeded: usize,
    failures: BTreeMap<String, usize>,
    unclear: Vec<String>,
    mismatches: Vec<String>,
    unknown_creates: usize,
    reconciled_present: usize,
    reconciled_absent: usize,
}

impl Tally {
    /// Sorts an error into a clear failure, or records it as unclear.
    fn fail(&mut self, op: &str, e: &Error) -> Option<Failure> {
        let (kind, failure) = match e {
            Error::Graph(g) if g.status == 429 && g.code == "TooManyRequests" => {
                ("429", Failure::NotApplied)
            }
            Error::Graph(g) if g.status == 503 && g.code == "serviceNotAvailable" => {
                ("503", Failure::NotApplied)
            }
            Error::Graph(g) if g.status == 404 => ("404", Failure::NotFound),
            Error::Transport { message, .. } if !message.is_empty() => {
                ("transport", Failure::Unknown)
            }
            Error::Timeout(m) if !m.is_empty() => ("timeout", Failure::Unknown),
            other => {
                self.unclear.push(format!("{op}: {other:?}"));
                return None;
            }
        };
        if matches!(failure, Failure::NotFound) {
            return Some(failure);
        }
        *self.failures.entry(format!("{op} {kind}")).or_default() += 1;
        Some(failure)
    }

    fn mismatch(&mut self, what: String) {
        self.mismatches.push(what);
    }
}

/// One task's view: its user flow, its connectors, and each step's possible bindings.
struct Task {
    n: usize,
    flow: String,
    connectors: Vec<Known>,
    created: usize,
    /// Names of creates whose outcome is still unknown.
    unresolved: Vec<String>,
    bindings: BTreeMap<StoredStep, BTreeSet<Option<String>>>,
    rng: fastrand::Rng,
    tally: Tally,
}

const REFERENCEABLE: [(Step, StoredStep); 2] = [
    (Step::PostFederationSignup, StoredStep::PostFederationSignup),
    (
        Step::PostAttributeCollection,
        StoredStep::PostAttributeCollection,
    ),
];

impl Task {
    fn new(n: usize) -> Self {
        Task {
            n,
            flow: format!("B2C_1_Soak{n}"),
            connectors: Vec::new(),
            created: 0,
            unresolved: Vec::new(),
            bindings: REFERENCEABLE
                .iter()
                .map(|(_, s)| (*s, BTreeSet::from([None])))
                .collect(),
            rng: fastrand::Rng::with_seed(1000 + n as u64),
            tally: Tally::default(),
        }
    }

    fn prefix(&self) -> String {
        format!("soak-{}-", self.n)
    }

    /// A connector that may exist, picked at random.
    fn pick(&mut self, only_existing: bool) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.connectors.len())
            .filter(|i| match self.connectors[*i].exists {
                Exists::Yes => true,
                Exists::Unknown => !only_existing,
                Exists::No => false,
            })
            .collect();
        (!candidates.is_empty()).then(|| candidates[self.rng.usize(..candidates.len())])
    }

    /// A 404 for a connector the task believes exists is a mismatch; for one whose deletion was
    /// uncertain it settles the question.
    fn not_found(&mut self, i: usize, op: &str) {
        let listing = op == "list";
        match self.connectors[i].exists {
            Exists::Yes => {
                let c = &self.connectors[i];
                self.tally
                    .mismatch(format!("{op}: {} ({}) is gone", c.name, c.id));
            }
            // The answer settles an uncertain delete: a successful operation.
            Exists::Unknown => {
                if !listing {
                    self.tally.succeeded += 1;
                }
                self.connectors[i].exists = Exists::No;
            }
            Exists::No => {}
        }
    }

    fn found(&mut self, i: usize, target: Option<&str>, op: &str) {
        let c = &mut self.connectors[i];
        c.exists = Exists::Yes;
        match target {
            Some(t) if c.targets.iter().any(|x| x == t) => c.targets = vec![t.to_owned()],
            other => {
                let what = format!(
                    "{op}: {} has targetUrl {other:?}, expected one of {:?}",
                    c.name, c.targets
                );
                self.tally.mismatch(what);
            }
        }
    }

    /// After a create whose outcome is unknown: list by the unique display name.
    async fn reconcile<V: Version>(&mut self, client: &GraphClient, name: &str, url: &str) {
        self.tally.unknown_creates += 1;
        let filter = format!("displayName eq '{name}'");
        for _ in 0..5 {
            match client
                .graph::<V>()
                .connectors()
                .list_all(ListOptions::default().filter(filter.clone()))
                .await
            {
                Ok(found) => {
                    if found.len() > 1 {
                        self.tally
                            .mismatch(format!("{name} was created {} times", found.len()));
                    }
                    match found.first() {
                        Some(c) => {
                            self.tally.reconciled_present += 1;
                            self.connectors.push(Known {
                                id: c.id().clone().unwrap_or_default(),
                                name: name.to_owned(),
                                targets: vec![url.to_owned()],
                                exists: Exists::Yes,
                            });
                        }
                        None => self.tally.reconciled_absent += 1,
                    }
                    return;
                }
                Err(e) => {
                    self.tally.operations += 1;
                    self.tally.fail("reconcile", &e);
                }
            }
        }
        self.unresolved.push(name.to_owned());
    }

    async fn create<V: Version>(&mut self, client: &GraphClient) {
        let name = format!("{}{}", self.prefix(), self.created);
        let url = format!(
            "https://api.contoso.example/soak/{}/{}/v0",
            self.n, self.created
        );
        self.created += 1;
        let new = NewConnector::new(
            &name,
            &url,
            Authentication::basic("soak", SecretString::from(PASSWORD)),
        );
        match client.graph::<V>().connectors().create(&new).await {
            Ok(c) => {
                self.tally.succeeded += 1;
                if c.display_name().as_deref() != Some(name.as_str())
                    || c.target_url().as_deref() != Some(url.as_str())
                {
                    self.tally.mismatch(format!("create {name} returned {c:?}"));
                }
                self.connectors.push(Known {
                    id: c.id().clone().unwrap_or_default(),
                    name,
                    targets: vec![url],
                    exists: Exists::Yes,
                });
            }
            Err(e) => match self.tally.fail("create", &e) {
                Some(Failure::Unknown) => self.reconcile::<V>(client, &name, &url).await,
                Some(Failure::NotFound) => self.tally.unclear.push(format!("create {name}: {e}")),
                _ => {}
            },
        }
    }

    async fn get<V: Version>(&mut self, client: &GraphClient) {
        let Some(i) = self.pick(false) else {
            return self.create::<V>(client).await;
        };
        let id = self.connectors[i].id.clone();
        match client.graph::<V>().connectors().get(&id, &[]).await {
            Ok(c) => {
                self.tally.succeeded += 1;
                if c.display_name().as_deref() != Some(self.connectors[i].name.as_str()) {
                    self.tally
                        .mismatch(format!("get {id}: displayName {:?}", c.display_name()));
                }
                self.found(i, c.target_url().as_deref(), "get");
            }
            Err(e) => {
                if let Some(Failure::NotFound) = self.tally.fail("get", &e) {
                    self.not_found(i, "get");
                }
            }
        }
    }

    async fn update<V: Version>(&mut self, client: &GraphClient) {
        let Some(i) = self.pick(true) else {
            return self.create::<V>(client).await;
        };
        let id = self.connectors[i].id.clone();
        let url = format!(
            "https://api.contoso.example/soak/{}/{id}/v{}",
            self.n,
            self.rng.u32(1..1_000_000)
        );
        let patch = ConnectorPatch {
            target_url: Patch::Set(url.clone()),
            ..ConnectorPatch::default()
        };
        match client.graph::<V>().connectors().update(&id, &patch).await {
            Ok(()) => {
                self.tally.succeeded += 1;
                self.connectors[i].targets = vec![url];
            }
            Err(e) => match self.tally.fail("update", &e) {
                Some(Failure::Unknown) => self.connectors[i].targets.push(url),
                Some(Failure::NotFound) => self.not_found(i, "update"),
                _ => {}
            },
        }
    }

    async fn delete<V: Version>(&mut self, client: &GraphClient) {
        let Some(i) = self.pick(true) else {
            return self.create::<V>(client).await;
        };
        let id = self.connectors[i].id.clone();
        let unbind = |bindings: &mut BTreeMap<StoredStep, BTreeSet<Option<String>>>,
                      certain: bool| {
            for possible in bindings.values_mut() {
                if possible.contains(&Some(id.clone())) {
                    if certain {
                        possible.remove(&Some(id.clone()));
                    }
                    possible.insert(None);
                }
            }
        };
        match client.graph::<V>().connectors().delete(&id).await {
            Ok(()) => {
                self.tally.succeeded += 1;
                self.connectors[i].exists = Exists::No;
                unbind(&mut self.bindings, true);
            }
            Err(e) => match self.tally.fail("delete", &e) {
                Some(Failure::Unknown) => {
                    self.connectors[i].exists = Exists::Unknown;
                    unbind(&mut self.bindings, false);
                }
                Some(Failure::NotFound) => self.not_found(i, "delete"),
                _ => {}
            },
        }
    }

    async fn attach<V: Version>(&mut self, client: &GraphClient)
    where
        B2c: UserFlowFamily<V>,
    {
        let Some(i) = self.pick(true) else {
            return self.create::<V>(client).await;
        };
        let id = self.connectors[i].id.clone();
        let (step, stored) = REFERENCEABLE[self.rng.usize(..REFERENCEABLE.len())];
        let detach = self.rng.u8(..4) == 0;
        let flows = client.graph::<V>().user_flows::<B2c>();
        let (result, target) = if detach {
            (flows.detach(&self.flow, step).await, None)
        } else {
            (flows.attach(&self.flow, step, &id).await, Some(id))
        };
        let op = if detach { "detach" } else { "attach" };
        match result {
            Ok(()) => {
                self.tally.succeeded += 1;
                self.bindings.insert(stored, BTreeSet::from([target]));
            }
            Err(e) => match self.tally.fail(op, &e) {
                Some(Failure::Unknown) => {
                    self.bindings.entry(stored).or_default().insert(target);
                }
                Some(Failure::NotFound) => self.not_found(i, op),
                _ => {}
            },
        }
    }

    /// List the task's own connectors (several pages) and compare with what it knows.
    async fn list<V: Version>(&mut self, client: &GraphClient) {
        let filter = format!("startswith(displayName,'{}')", self.prefix());
        match client
            .graph::<V>()
            .connectors()
            .list_all(ListOptions::default().filter(filter))
            .await
        {
            Ok(listed) => {
                self.tally.succeeded += 1;
                let mut seen = BTreeSet::new();
                for c in &listed {
                    let id = c.id().clone().unwrap_or_default();
                    seen.insert(id.clone());
                    match self.connectors.iter().position(|k| k.id == id) {
                        Some(i) if self.connectors[i].exists == Exists::No => {
                            self.tally.mismatch(format!("list: deleted {id} is listed"));
                        }
                        Some(i) => self.found(i, c.target_url().as_deref(), "list"),
                        None => {
                            let name = c.display_name().clone().unwrap_or_default();
                            match self.unresolved.iter().position(|n| *n == name) {
                                Some(u) => {
                                    self.unresolved.remove(u);
                                    self.tally.reconciled_present += 1;
                                    self.connectors.push(Known {
                                        id,
                                        name,
                                        targets: c.target_url().clone().into_iter().collect(),
                                        exists: Exists::Yes,
                                    });
                                }
                                None => self
                                    .tally
                                    .mismatch(format!("list: unexpected {name} ({id})")),
                            }
                        }
                    }
                }
                for i in 0..self.connectors.len() {
                    if !seen.contains(&self.connectors[i].id) {
                        self.not_found(i, "list");
                    }
                }
            }
            Err(e) => {
                self.tally.fail("list", &e);
            }
        }
    }

    async fn run<V: Version>(mut self, client: GraphClient, operations: usize) -> Self
    where
        B2c: UserFlowFamily<V>,
    {
        for _ in 0..operations {
            self.tally.operations += 1;
            match self.rng.u8(..100) {
                0..25 => self.create::<V>(&client).await,
                25..45 => self.get::<V>(&client).await,
                45..65 => self.update::<V>(&client).await,
                65..80 => self.attach::<V>(&client).await,
                80..92 => self.delete::<V>(&client).await,
                _ => self.list::<V>(&client).await,
            }
        }
        self
    }
}

fn soak_concurrent_operations_under_heavy_faults_lose_and_duplicate_nothing<V: Version>()
where
    B2c: UserFlowFamily<V>,
{
    run(4, |retries| async move {
        let emulator = start(EmulatorConfig::new(TenantKind::B2c).page_size(5).seed(2024)).await;
        // One user flow per task, created before the faults start, with a separate client.
        let setup = client_with(&emulator, RetryPolicy::none());
        for n in 0..TASKS {
            let flow: <B2c as UserFlowFamily<V>>::Flow = typed(json!({
                "id": format!("Soak{n}"), "userFlowType": "signUp", "userFlowTypeVersion": 3.0
            }));
            assert_eq!(flow.id().as_deref(), Some(format!("Soak{n}").as_str()));
            setup
                .graph::<V>()
                .user_flows::<B2c>()
                .create(&flow)
                .await
                .unwrap();
        }

        let faults = Faults {
            throttle_rate: 0.15,
            unavailable_rate: 0.15,
            drop_rate: 0.05,
            retry_after: Duration::from_millis(2),
            latency: Duration::from_millis(1),
            ..Faults::none()
        };
        emulator.set_faults(faults.clone());
        // Creates may also be carried out with their response lost: the client cannot know
        // whether the connector exists, must not send the create again, and the test reconciles
        // by the unique display name.
        emulator.add_fault_rule(FaultRule::new(
            "POST /identity/apiConnectors",
            Faults {
                lose_response_rate: 0.1,
                ..faults.clone()
            },
        ));
        let tokens = Arc::new(CountingToken::default());
        // ONE client, shared by every task (clones share the connection pool and token cache).
        let client = GraphClient::builder()
            .base_url(emulator.base_url())
            .token_provider(tokens.clone())
            .retry_policy(fast_retries(6))
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();

        let started = Instant::now();
        let mut handles = Vec::new();
        for n in 0..TASKS {
            let operations = OPERATIONS / TASKS + usize::from(n < OPERATIONS % TASKS);
            handles.push(tokio::spawn(
                Task::new(n).run::<V>(client.clone(), operations),
            ));
        }
        let tasks =
            tokio::time::timeout(Duration::from_secs(120), futures::future::join_all(handles))
                .await
                .expect("no deadlock: the soak finishes in time");
        let mut tasks: Vec<Task> = tasks
            .into_iter()
            .map(|t| t.expect("no task panicked"))
            .collect();
        let elapsed = started.elapsed();
        let retries_seen = retries.all();
        emulator.clear_faults();

        // Creates still unresolved: reconcile now, without faults.
        for task in &mut tasks {
            for name in std::mem::take(&mut task.unresolved) {
                let found = client
                    .graph::<V>()
                    .connectors()
                    .list_all(ListOptions::default().filter(format!("displayName eq '{name}'")))
                    .await
                    .unwrap();
                if found.len() > 1 {
                    task.tally
                        .mismatch(format!("{name} was created {} times", found.len()));
                }
                if let Some(c) = found.first() {
                    task.tally.reconciled_present += 1;
                    task.connectors.push(Known {
                        id: c.id().clone().unwrap(),
                        name: name.clone(),
                        targets: c.target_url().clone().into_iter().collect(),
                        exists: Exists::Yes,
                    });
                } else {
                    task.tally.reconciled_absent += 1;
                }
            }
        }

        // The emulator's final state against what the successful operations imply.
        let stored = emulator.connectors();
        let mut mismatches: Vec<String> = tasks
            .iter()
            .flat_map(|t| t.tally.mismatches.clone())
            .collect();
        let mut names = BTreeMap::<String, usize>::new();
        for c in &stored {
            *names
                .entry(c.display_name.clone().unwrap_or_default())
                .or_default() += 1;
        }
        for (name, count) in &names {
            if *count > 1 {
                mismatches.push(format!("duplicated: {name} x{count}"));
            }
        }
        let known: BTreeMap<&str, &Known> = tasks
            .iter()
            .flat_map(|t| t.connectors.iter().map(|k| (k.id.as_str(), k)))
            .collect();
        for c in &stored {
            match known.get(c.id.as_str()) {
                None => mismatches.push(format!(
                    "unexpected connector {:?} ({})",
                    c.display_name, c.id
                )),
                Some(k) if k.exists == Exists::No => {
                    mismatches.push(format!("deleted {} still exists", k.name))
                }
                Some(k) => {
                    if c.display_name.as_deref() != Some(k.name.as_str()) {
                        mismatches.push(format!("{}: displayName {:?}", k.name, c.display_name));
                    }
                    if !c.target_url.as_ref().is_some_and(|t| k.targets.contains(t)) {
                        mismatches.push(format!(
                            "{}: targetUrl {:?} not in {:?}",
                            k.name, c.target_url, k.targets
                        ));
                    }
                    if c.basic_password_matches(PASSWORD) != Some(true) {
                        mismatches.push(format!("{}: credentials changed", k.name));
                    }
                }
            }
        }
        for k in known.values() {
            if k.exists == Exists::Yes && !stored.iter().any(|c| c.id == k.id) {
                mismatches.push(format!("lost connector {} ({})", k.name, k.id));
            }
        }
        for task in &tasks {
            let flow = emulator
                .user_flow(&task.flow)
                .expect("the task's flow exists");
            for (step, possible) in &task.bindings {
                let actual = flow.api_connector_configuration.get(step).cloned();
                let actual = actual.filter(|id| stored.iter().any(|c| &c.id == id));
                if !possible.contains(&actual) {
                    mismatches.push(format!(
                        "{}: {step:?} bound to {actual:?}, expected one of {possible:?}",
                        task.flow
                    ));
                }
            }
        }

        // Totals.
        let mut total = Tally::default();
        for t in &tasks {
            total.operations += t.tally.operations;
            total.succeeded += t.tally.succeeded;
            total.unknown_creates += t.tally.unknown_creates;
            total.reconciled_present += t.tally.reconciled_present;
            total.reconciled_absent += t.tally.reconciled_absent;
            total.unclear.extend(t.tally.unclear.iter().cloned());
            for (k, v) in &t.tally.failures {
                *total.failures.entry(k.clone()).or_default() += v;
            }
        }
        let mut retry_reasons = BTreeMap::<String, usize>::new();
        for r in &retries_seen {
            let reason = if r.reason.starts_with("transport error") {
                "dropped connection"
            } else {
                r.reason.as_str()
            };
            *retry_reasons
                .entry(format!("{} {reason}", r.method))
                .or_default() += 1;
        }
        let surfaced: usize = total.failures.values().sum();
        let live = known.values().filter(|k| k.exists != Exists::No).count();
        println!(
            "soak: {TASKS} tasks sharing one client, {:?} with faults {faults:?}",
            elapsed
        );
        println!(
            "soak: operations {} (plus reconciliation reads), succeeded {}, failures surfaced {surfaced}",
            total.operations, total.succeeded
        );
        println!("soak: failures by kind {:?}", total.failures);
        println!(
            "soak: injected faults absorbed as retries {} {:?}",
            retries_seen.len(),
            retry_reasons
        );
        println!(
            "soak: creates of unknown outcome {} (reconciled present {}, absent {})",
            total.unknown_creates, total.reconciled_present, total.reconciled_absent
        );
        println!(
            "soak: final connectors {} (expected {live}), token requests {}, unclear errors {}, state mismatches {}",
            stored.len(),
            tokens.0.load(Ordering::SeqCst),
            total.unclear.len(),
            mismatches.len()
        );
        assert!(
            total.unclear.is_empty(),
            "errors that are not clear: {:#?}",
            total.unclear
        );
        assert_eq!(mismatches.len(), 0, "{mismatches:#?}");
        assert!(total.operations >= OPERATIONS);
        assert!(
            !retries_seen.is_empty(),
            "the faults were injected and retried"
        );
        assert_eq!(
            tokens.0.load(Ordering::SeqCst),
            1,
            "one token, shared by every task"
        );
        assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    });
}

fn timeouts_are_retried_for_reads_and_leave_a_create_to_reconcile<V: Version>() {
    run(2, |retries| async move {
        let emulator = start(EmulatorConfig::new(TenantKind::B2c)).await;
        let client = support::builder(&emulator.base_url(), DEFAULT_TOKEN, fast_retries(2))
            .timeout(Duration::from_millis(150))
            .build()
            .unwrap();
        let connectors = client.graph::<V>().connectors();
        let id = connectors
            .create(&basic("slow"))
            .await
            .unwrap()
            .id()
            .clone()
            .unwrap();

        // Every read is slower than the client's timeout: retried, then a clear timeout.
        emulator.set_faults(Faults::latency(Duration::from_millis(400)));
        let started = Instant::now();
        match connectors.get(&id, &[]).await {
            Err(Error::Timeout(message)) => assert!(!message.is_empty()),
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert!(
            started.elapsed() >= Duration::from_millis(450),
            "three attempts of 150 ms"
        );
        let seen = retries.all();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(seen.iter().all(|r| r.method == "GET"), "{seen:?}");

        // A create that times out may or may not have been done: not sent again, and listing by
        // its unique name finds it at most once.
        let result = connectors.create(&basic("slow create")).await;
        assert!(matches!(result, Err(Error::Timeout(_))), "{result:?}");
        assert_eq!(retries.count(), 2, "the create was not retried");
        emulator.clear_faults();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let found = connectors
            .list_all(ListOptions::default().filter("displayName eq 'slow create'"))
            .await
            .unwrap();
        assert!(found.len() <= 1, "{found:?}");
        let stored = emulator
            .connectors()
            .into_iter()
            .filter(|c| c.display_name.as_deref() == Some("slow create"))
            .count();
        assert_eq!(found.len(), stored);
        println!(
            "a timed-out create was {}",
            if stored == 1 {
                "done by the server"
            } else {
                "not done"
            }
        );
    });
}

// The tests above run once per version (`beta::…`, `v1::…`); the soak binds Azure AD B2C user
// flows, which only beta has.
support::per_version!(
    sync:
    throttled_reads_wait_for_retry_after_then_succeed,
    throttling_that_lasts_ends_with_a_clear_429_within_the_delay_budget,
    unavailable_creates_are_retried_without_duplicates,
    dropped_connection_on_create_is_a_transport_error_and_not_retried,
    dropped_connections_on_reads_and_idempotent_writes_are_retried,
    timeouts_are_retried_for_reads_and_leave_a_create_to_reconcile,
);

#[test]
fn failed_writes_leave_nothing_half_written_b2c_beta() {
    failed_writes_leave_nothing_half_written::<Beta, B2c>(B2C_TENANT)
}

#[test]
fn failed_writes_leave_nothing_half_written_b2x_v1() {
    failed_writes_leave_nothing_half_written::<V1, B2x>(B2X_TENANT)
}

#[test]
fn soak_concurrent_operations_under_heavy_faults_lose_and_duplicate_nothing_beta() {
    soak_concurrent_operations_under_heavy_faults_lose_and_duplicate_nothing::<Beta>()
}
