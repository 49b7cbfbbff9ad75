//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod emulated;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use entra_api_connectors_certificate::testing::self_signed_pkcs12;
use entra_api_connectors_certificate::{Pkcs12Bundle, thumbprint_of};
use secrecy::SecretString;

/// The time every test runs at: 2025-06-15T16:26:40Z.
pub const NOW: i64 = 1_750_004_800;
pub const DAY: i64 = 86_400;

/// A password that must never show up in any output.
pub const SENTINEL: &str = "Sentinel-P4ssw0rd-7f3a";

/// Line and column (1-based, in characters) of the `nth` (from 0) occurrence of `needle` in `text`.
pub fn pos_nth(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs fewer than {} times", nth + 1))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// [`pos_nth`] of the only occurrence.
pub fn pos(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "{needle:?} must occur exactly once"
    );
    pos_nth(text, needle, 0)
}

/// A folder with a configuration file and what it refers to.
pub struct Dir {
    pub dir: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Writes a `.pfx` valid from `not_before` to `not_after`; returns its thumbprint. Files are made once
    /// per (password, validity) and reused: generating PKCS#12 is slow in debug builds.
    pub fn pfx(&self, name: &str, password: &str, not_before: i64, not_after: i64) -> String {
        static MADE: Mutex<BTreeMap<(String, i64, i64), Vec<u8>>> = Mutex::new(BTreeMap::new());
        let bytes = MADE
            .lock()
            .unwrap()
            .entry((password.to_owned(), not_before, not_after))
            .or_insert_with(|| {
                self_signed_pkcs12(
                    "client.contoso.com",
                    &SecretString::from(password),
                    not_before,
                    not_after,
                )
            })
            .clone();
        self.write(name, &bytes);
        let bundle = Pkcs12Bundle::from_der(&bytes, &SecretString::from(password)).unwrap();
        assert_eq!(bundle.thumbprint(), thumbprint_of(bundle.leaf_der()));
        bundle.thumbprint().to_owned()
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}
