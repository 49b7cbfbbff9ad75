//! A running emulator, a client for it, and files validated against the real clock (the emulator
//! decides `isActive` with it).

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use entra_api_connectors::auth::StaticToken;
use entra_api_connectors::retry::RetryPolicy;
use entra_api_connectors::{Beta, GraphClient, V1};
use entra_api_connectors_desired_state::{
    ConfigFile, DesiredState, FixedEnvironment, GraphTenant, validate,
};
use entra_api_connectors_emulator::{DEFAULT_TOKEN, Emulator, EmulatorConfig};

use super::{DAY, Dir, SENTINEL};

/// The `.pfx` password every file uses.
pub const PFX_PASSWORD: &str = "Pfx-Sentinel-e2e-5d1";

/// The real time, taken once so that the `.pfx` cache of [`Dir::pfx`] is hit.
pub fn now() -> i64 {
    static NOW: OnceLock<i64> = OnceLock::new();
    *NOW.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    })
}

pub struct World {
    pub emu: Emulator,
    pub client: GraphClient,
    pub dir: Dir,
}

impl World {
    pub async fn start(config: EmulatorConfig) -> World {
        Self::start_with(config, RetryPolicy::default()).await
    }

    pub async fn start_with(config: EmulatorConfig, retry: RetryPolicy) -> World {
        let emu = Emulator::start(config).await.expect("emulator starts");
        let client = GraphClient::builder()
            .base_url(emu.base_url())
            .token_provider(StaticToken::new(DEFAULT_TOKEN))
            .retry_policy(retry)
            .build()
            .unwrap();
        World {
            emu,
            client,
            dir: Dir::new(),
        }
    }

    pub fn beta(&self) -> GraphTenant<Beta> {
        GraphTenant::new(self.client.beta())
    }

    pub fn v1(&self) -> GraphTenant<V1> {
        GraphTenant::new(self.client.v1())
    }

    /// Writes a `.pfx` (valid from `age_days` ago for a year) at `name`; returns its thumbprint.
    pub fn pfx(&self, name: &str, age_days: i64) -> String {
        self.dir.pfx(
            name,
            PFX_PASSWORD,
            now() - age_days * DAY,
            now() + 365 * DAY,
        )
    }

    /// The environment every file is validated with.
    pub fn environment(&self) -> FixedEnvironment {
        FixedEnvironment::new(now())
            .with_variable("BASIC_PASSWORD", SENTINEL)
            .with_variable("PFX_PASSWORD", PFX_PASSWORD)
    }

    /// Writes `text` as `tenant.yaml` and validates it.
    pub fn desired(&self, text: &str) -> DesiredState {
        let path = self.dir.write("tenant.yaml", text);
        validate(&ConfigFile::read(&path).unwrap(), &self.environment())
            .unwrap_or_else(|e| panic!("{e}"))
    }
}
