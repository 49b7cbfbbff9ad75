//! Checks of the workspace's shape that `cargo test --workspace --all-features` (CI) runs: the
//! dependency arrows the architecture promises (issue 12) and what each package ships.
//!
//! They ask cargo itself (`cargo metadata`, `cargo tree`, `cargo package --list`, all
//! `--offline --locked`, so no network), with the cargo that runs the tests.
//!
//! Which features are checked: the contract crate is a serde-only dependency, so its tree is
//! checked with its default features, with `axum` and with all features, each against the same
//! set. Its `axum` feature uses axum without default features, which brings neither tokio nor hyper
//! (those are axum's `tokio` and `http1` features), so the full set holds there too.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The root crate sits at the workspace root.
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `cargo <args> --offline --locked` at the workspace root; panics with cargo's stderr.
fn cargo(args: &[&str]) -> String {
    let root = workspace_root();
    let output = Command::new(env!("CARGO"))
        .args(args)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--offline", "--locked"])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO")));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`cargo {}` failed ({}):\n{stderr}",
        args.join(" "),
        output.status
    );
    String::from_utf8(output.stdout).expect("cargo prints UTF-8")
}

/// The workspace's packages, by name.
fn workspace_packages() -> Vec<String> {
    let metadata: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--no-deps", "--format-version", "1"]))
            .expect("cargo metadata prints JSON");
    let names: Vec<String> = metadata["packages"]
        .as_array()
        .expect("`packages` in cargo metadata")
        .iter()
        .map(|p| p["name"].as_str().expect("package name").to_owned())
        .collect();
    assert!(
        names.iter().any(|n| n == "entra-api-connectors"),
        "the client crate is a workspace member: {names:?}"
    );
    names
}

/// The crate names in `package`'s tree of normal and build dependencies with `features`.
fn dependency_names(package: &str, features: &[&str]) -> BTreeSet<String> {
    let mut args = vec![
        "tree",
        "-p",
        package,
        "-e",
        "normal,build",
        "--prefix",
        "none",
    ];
    args.extend_from_slice(features);
    let tree = cargo(&args);
    let names: BTreeSet<String> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(
        names.contains(package),
        "`cargo tree -p {package}` lists {package} itself:\n{tree}"
    );
    names
}

/// `name` is `family` or one of its crates (`tokio-rustls` is tokio's and rustls' family).
fn in_family(name: &str, family: &str) -> bool {
    name == family
        || name.starts_with(&format!("{family}-"))
        || name.ends_with(&format!("-{family}"))
}

/// What a connector API written against the contract crate must not have to compile: an HTTP
/// client, an async runtime, the code generator, a TLS stack, an HTTP server, the PKCS#12 and
/// X.509 crates.
const NOT_IN_THE_CONTRACT: &[&str] = &[
    "reqwest",
    "tokio",
    "progenitor",
    "rustls",
    "hyper",
    "pkcs12",
    "p12-keystore",
    "x509-cert",
];

#[test]
fn the_contract_crate_is_serde_only() {
    let contract = "entra-api-connectors-contract";
    for features in [&[][..], &["--features", "axum"], &["--all-features"]] {
        let names = dependency_names(contract, features);
        assert!(names.contains("serde"), "{features:?}: {names:?}");
        let offenders: Vec<&String> = names
            .iter()
            .filter(|name| NOT_IN_THE_CONTRACT.iter().any(|f| in_family(name, f)))
            .collect();
        assert!(
            offenders.is_empty(),
            "{contract} ({features:?}) depends on {offenders:?}; \
             `cargo tree -p {contract} -e normal,build -i <crate>` shows through what"
        );
    }
    // The feature really adds axum (and the check above saw it).
    assert!(!dependency_names(contract, &[]).contains("axum"));
    assert!(dependency_names(contract, &["--features", "axum"]).contains("axum"));
}

#[test]
fn the_emulator_does_not_depend_on_the_client() {
    for features in [&[][..], &["--all-features"]] {
        let names = dependency_names("entra-api-connectors-emulator", features);
        assert!(
            !names.contains("entra-api-connectors"),
            "entra-api-connectors-emulator ({features:?}) depends on the client crate \
             entra-api-connectors; `cargo tree -p entra-api-connectors-emulator -e normal,build \
             -i entra-api-connectors` shows through what"
        );
    }
}

#[test]
fn the_leaf_crates_depend_on_no_other_workspace_crate() {
    let members = workspace_packages();
    for leaf in [
        "entra-api-connectors-contract",
        "entra-api-connectors-certificate",
        "graph-csdl",
    ] {
        let names = dependency_names(leaf, &["--all-features"]);
        let inner: Vec<&String> = members
            .iter()
            .filter(|m| m.as_str() != leaf && names.contains(m.as_str()))
            .collect();
        assert!(
            inner.is_empty(),
            "{leaf} is a leaf of the workspace but depends on {inner:?}"
        );
    }
}

/// The files `cargo package` would put into `package`'s `.crate`.
fn package_files(package: &str) -> Vec<String> {
    let list = cargo(&["package", "--list", "--allow-dirty", "-p", package]);
    let files: Vec<String> = list.lines().map(str::to_owned).collect();
    assert!(
        files.iter().any(|f| f == "Cargo.toml"),
        "{package}'s package has a Cargo.toml: {files:?}"
    );
    files
}

/// Paths that are tests or test data rather than what a user of the package builds.
fn is_test_material(path: &str) -> bool {
    let top = path.split('/').next().unwrap_or_default();
    matches!(top, "tests" | "benches" | "fuzz")
        || path
            .split('/')
            .any(|c| matches!(c, "fixtures" | "testdata" | "test-data"))
}

#[test]
fn no_package_ships_tests_or_test_data() {
    for package in workspace_packages() {
        let shipped: Vec<String> = package_files(&package)
            .into_iter()
            .filter(|f| is_test_material(f))
            .collect();
        assert!(
            shipped.is_empty(),
            "the {package} package ships test material {shipped:?}; \
             list what it needs in `include` of its Cargo.toml"
        );
    }
}

fn files_under(dir: &Path, root: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files_under(&path, root, out);
        } else {
            let relative = path.strip_prefix(root).expect("under the root");
            out.push(relative.to_str().expect("UTF-8 path").replace('\\', "/"));
        }
    }
}

#[test]
fn the_client_package_holds_its_build_script_and_spec() {
    let files = package_files("entra-api-connectors");
    let mut spec = Vec::new();
    files_under(&workspace_root().join("spec"), workspace_root(), &mut spec);
    assert!(
        spec.iter().any(|f| f.starts_with("spec/beta/"))
            && spec.iter().any(|f| f.starts_with("spec/v1.0/")),
        "the repository's spec has both versions: {spec:?}"
    );
    let mut required: Vec<String> = ["build.rs", "src/lib.rs", "README.md"]
        .map(str::to_owned)
        .to_vec();
    required.extend(spec);
    let missing: Vec<&String> = required.iter().filter(|f| !files.contains(f)).collect();
    assert!(
        missing.is_empty(),
        "the entra-api-connectors package lacks {missing:?}, which building it needs; \
         it holds {files:?}"
    );
    let extra: Vec<&String> = files
        .iter()
        .filter(|f| {
            f.starts_with("examples/") || f.starts_with("scripts/") || f.starts_with("docs/")
        })
        .collect();
    assert!(
        extra.is_empty(),
        "the entra-api-connectors package ships {extra:?}, which building it does not need"
    );
}

#[test]
fn test_material_is_recognised() {
    for path in [
        "tests/e2e.rs",
        "tests/fixtures/a.json",
        "benches/paging.rs",
        "fuzz/fuzz_targets/pkcs12.rs",
        "src/fixtures/x.json",
        "data/testdata/y",
    ] {
        assert!(is_test_material(path), "{path}");
    }
    for path in [
        "src/lib.rs",
        "spec/beta/identity.csdl.xml",
        "build.rs",
        "src/tests.rs",
    ] {
        assert!(!is_test_material(path), "{path}");
    }
    assert!(in_family("tokio-rustls", "tokio") && in_family("tokio-rustls", "rustls"));
    assert!(in_family("progenitor-client", "progenitor") && in_family("hyper", "hyper"));
    assert!(!in_family("serde", "hyper") && !in_family("tokio_like", "tokio"));
}
