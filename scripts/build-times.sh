#!/usr/bin/env bash
# Build-time figures of the library against a "floor" crate with only the HTTP/JSON stack we need.
#
#   scripts/build-times.sh
#
# In one run, each in a fresh temporary CARGO_TARGET_DIR (the shared target/ is not touched):
#   1. clean build of entra-api-connectors (library, default features), dev profile;
#   2. clean build of a floor crate generated here: reqwest (default-features = false; json, query,
#      stream, rustls-no-provider) + rustls (ring) + serde + serde_json + tokio;
#   3. a no-op rebuild of the library, checking with -vv that the build script did not run again;
#   4. a rebuild after `touch spec/beta/identity.csdl.xml` (the build script must run again).
#   5. clean builds of the contract crate (default features, then `axum`) and of a floor crate of
#      only serde (derive) + serde_json: what an author of a connector API pays;
#   6. (PREGENERATED=1) a clean build of a copy of the library whose build.rs copies the bindings
#      generated in step 1 instead of generating them: what build-time generation (progenitor,
#      typify, regex, syn 2, openapiv3, graph-csdl) costs. An experiment only; the crate itself
#      always generates its bindings at build time.
# Prints the figures and the ratio library / floor. Needs crates.io only for what is not in the
# local cargo cache.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jobs="${JOBS:-$(nproc)}"

seconds() { # command... -> prints elapsed seconds, output to $work/log
    local start end
    start=$(date +%s.%N)
    "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; echo "failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

# 1. the library
export CARGO_TARGET_DIR="$work/target-lib"
lib=$(cd "$root" && seconds cargo build -p entra-api-connectors --lib -j "$jobs")

# 3. no-op rebuild; the build script must not run
noop=$(cd "$root" && seconds cargo build -p entra-api-connectors --lib -j "$jobs" -vv)
if grep -q 'Running `.*build-script-build' "$work/log"; then
    echo "no-op rebuild ran the build script again:" >&2
    grep 'build-script-build' "$work/log" >&2
    exit 1
fi
if grep -q 'Running `.*rustc' "$work/log"; then
    echo "no-op rebuild compiled something:" >&2
    grep 'Running `' "$work/log" >&2
    exit 1
fi

# 4. rebuild after touching the spec; here the build script must run
touch "$root/spec/beta/identity.csdl.xml"
spec=$(cd "$root" && seconds cargo build -p entra-api-connectors --lib -j "$jobs" -vv)
if ! grep -q 'Running `.*build-script-build' "$work/log"; then
    echo "touching the spec did not rerun the build script" >&2
    exit 1
fi

# 2. the floor crate
mkdir -p "$work/floor/src"
cat >"$work/floor/Cargo.toml" <<'TOML'
[package]
name = "floor"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12", "logging"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["rt", "time", "sync", "macros"] }

[workspace]
TOML
cat >"$work/floor/src/lib.rs" <<'RS'
//! The least a hand-written client of the same API needs.
#[derive(serde::Deserialize)]
pub struct Connector {
    pub id: Option<String>,
}
pub async fn get(url: &str, token: &str) -> reqwest::Result<Connector> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new().get(url).bearer_auth(token).send().await?.json().await
}
RS
# Start from our Cargo.lock, so that the floor resolves to the same versions as the library.
cp "$root/Cargo.lock" "$work/floor/Cargo.lock"
export CARGO_TARGET_DIR="$work/target-floor"
floor=$(cd "$work/floor" && seconds cargo build --lib -j "$jobs")

# 5. the contract crate against a serde-only floor
export CARGO_TARGET_DIR="$work/target-contract"
contract=$(cd "$root" && seconds cargo build -p entra-api-connectors-contract --lib -j "$jobs")
export CARGO_TARGET_DIR="$work/target-contract-axum"
contract_axum=$(cd "$root" && seconds cargo build -p entra-api-connectors-contract --lib --features axum -j "$jobs")
mkdir -p "$work/serde-floor/src"
cat >"$work/serde-floor/Cargo.toml" <<'TOML'
[package]
name = "serde-floor"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[workspace]
TOML
cat >"$work/serde-floor/src/lib.rs" <<'RS'
//! The least a hand-written connector contract needs.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Request {
    pub email: Option<String>,
}
pub fn parse(body: &[u8]) -> serde_json::Result<Request> {
    serde_json::from_slice(body)
}
RS
cp "$root/Cargo.lock" "$work/serde-floor/Cargo.lock"
export CARGO_TARGET_DIR="$work/target-serde-floor"
serde_floor=$(cd "$work/serde-floor" && seconds cargo build --lib -j "$jobs")

if [ "${PREGENERATED:-0}" = 1 ]; then
    mkdir -p "$work/pregen"
    (cd "$root" && git archive HEAD) | tar -x -C "$work/pregen"
    mkdir "$work/pregen/pregenerated"
    cp "$work"/target-lib/debug/build/entra-api-connectors-*/out/* "$work/pregen/pregenerated/"
    cat >"$work/pregen/build.rs" <<'RS'
fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    for entry in std::fs::read_dir("pregenerated").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, out.join(path.file_name().unwrap())).unwrap();
    }
    println!("cargo:rerun-if-changed=pregenerated");
}
RS
    # Drop the [build-dependencies] table (up to the next table).
    awk '/^\[build-dependencies\]/{skip=1; next} /^\[/{skip=0} !skip' "$root/Cargo.toml" \
        >"$work/pregen/Cargo.toml"
    export CARGO_TARGET_DIR="$work/target-pregen"
    pregen=$(cd "$work/pregen" && seconds cargo build -p entra-api-connectors --lib -j "$jobs")
fi

printf 'jobs                          %s\n' "$jobs"
printf 'clean build, library          %6.1f s\n' "$lib"
printf 'clean build, floor crate      %6.1f s\n' "$floor"
printf 'ratio library / floor         %6.2fx\n' "$(echo "$lib / $floor" | bc -l)"
printf 'no-op rebuild (no build.rs)   %6.2f s\n' "$noop"
printf 'rebuild after spec touch      %6.1f s\n' "$spec"
printf 'clean build, contract         %6.1f s\n' "$contract"
printf 'clean build, contract + axum  %6.1f s\n' "$contract_axum"
printf 'clean build, serde floor      %6.1f s\n' "$serde_floor"
printf 'ratio contract / serde floor  %6.2fx\n' "$(echo "$contract / $serde_floor" | bc -l)"
printf 'ratio contract+axum / floor   %6.2fx\n' "$(echo "$contract_axum / $serde_floor" | bc -l)"
if [ -n "${pregen:-}" ]; then
    printf 'clean build, pregenerated     %6.1f s\n' "$pregen"
    printf 'ratio pregenerated / floor    %6.2fx\n' "$(echo "$pregen / $floor" | bc -l)"
fi
