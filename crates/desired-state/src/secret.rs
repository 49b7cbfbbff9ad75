//! Where secrets come from: the [`Environment`] that resolves `{env: …}` references (and tells the
//! time certificates are checked against), and the reading of `{file: …}` references.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::error::ConfigErrorKind;
use crate::model::SecretRef;

/// Why an environment variable gave no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableError {
    /// Not set.
    Unset,
    /// Set, but not valid Unicode.
    NotUnicode,
}

/// What validation reads from outside the file: environment variables and the current time.
pub trait Environment {
    /// The value of an environment variable.
    fn variable(&self, name: &str) -> Result<SecretString, VariableError>;

    /// The current time, Unix seconds, for certificate validity.
    fn now(&self) -> i64;
}

/// The process's environment variables and the system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn variable(&self, name: &str) -> Result<SecretString, VariableError> {
        match std::env::var_os(name) {
            None => Err(VariableError::Unset),
            Some(value) => value
                .into_string()
                .map(SecretString::from)
                .map_err(|_| VariableError::NotUnicode),
        }
    }

    fn now(&self) -> i64 {
        entra_api_connectors_certificate::unix_now()
    }
}

/// A fixed set of variables and a fixed time: for tests, and for programs that hold their secrets
/// somewhere other than the process environment.
#[derive(Default)]
pub struct FixedEnvironment {
    variables: HashMap<String, SecretString>,
    now: i64,
}

impl FixedEnvironment {
    /// No variables, and `now` as the time.
    pub fn new(now: i64) -> Self {
        Self {
            variables: HashMap::new(),
            now,
        }
    }

    /// Adds a variable.
    pub fn with_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables
            .insert(name.into(), SecretString::from(value.into()));
        self
    }
}

impl fmt::Debug for FixedEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.variables.keys().collect();
        names.sort();
        f.debug_struct("FixedEnvironment")
            .field("variables", &names)
            .field("now", &self.now)
            .finish()
    }
}

impl Environment for FixedEnvironment {
    fn variable(&self, name: &str) -> Result<SecretString, VariableError> {
        self.variables
            .get(name)
            .cloned()
            .ok_or(VariableError::Unset)
    }

    fn now(&self) -> i64 {
        self.now
    }
}

/// A path from the file, resolved against the file's folder.
pub(crate) fn resolve_path(base_dir: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base_dir.join(path)
    }
}

/// The secret a reference points at.
pub(crate) fn resolve(
    reference: &SecretRef,
    base_dir: &Path,
    environment: &dyn Environment,
) -> Result<SecretString, ConfigErrorKind> {
    match reference {
        SecretRef::Env(name) => {
            if name.is_empty() {
                return Err(ConfigErrorKind::Empty {
                    what: "environment variable name",
                });
            }
            if name.contains(['=', '\0']) {
                return Err(ConfigErrorKind::InvalidVariableName { name: name.clone() });
            }
            environment.variable(name).map_err(|e| match e {
                VariableError::Unset => ConfigErrorKind::VariableUnset { name: name.clone() },
                VariableError::NotUnicode => {
                    ConfigErrorKind::VariableNotUnicode { name: name.clone() }
                }
            })
        }
        SecretRef::File(path) => {
            let path = resolve_path(base_dir, path);
            let bytes = std::fs::read(&path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    ConfigErrorKind::SecretFileMissing { path: path.clone() }
                } else {
                    ConfigErrorKind::SecretFileUnreadable {
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                }
            })?;
            let mut text =
                String::from_utf8(bytes).map_err(|_| ConfigErrorKind::SecretFileUnreadable {
                    path: path.clone(),
                    reason: "it is not UTF-8 text".to_owned(),
                })?;
            // `echo secret > file` adds a line break that is not part of the secret.
            if text.ends_with("\r\n") {
                text.truncate(text.len() - 2);
            } else if text.ends_with('\n') {
                text.truncate(text.len() - 1);
            }
            Ok(SecretString::from(text))
        }
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    struct NotUnicode;

    impl Environment for NotUnicode {
        fn variable(&self, _: &str) -> Result<SecretString, VariableError> {
            Err(VariableError::NotUnicode)
        }

        fn now(&self) -> i64 {
            0
        }
    }

    #[test]
    fn variables_resolve_or_say_why_not() {
        let env = FixedEnvironment::new(7).with_variable("PW", "sentinel-value");
        let base = Path::new(".");
        let value = resolve(&SecretRef::Env("PW".into()), base, &env).unwrap();
        assert_eq!(value.expose_secret(), "sentinel-value");
        assert_eq!(
            resolve(&SecretRef::Env("NOPE".into()), base, &env).unwrap_err(),
            ConfigErrorKind::VariableUnset {
                name: "NOPE".into()
            }
        );
        assert_eq!(
            resolve(&SecretRef::Env(String::new()), base, &env).unwrap_err(),
            ConfigErrorKind::Empty {
                what: "environment variable name"
            }
        );
        assert_eq!(
            resolve(&SecretRef::Env("A=B".into()), base, &env).unwrap_err(),
            ConfigErrorKind::InvalidVariableName { name: "A=B".into() }
        );
        assert_eq!(
            resolve(&SecretRef::Env("X".into()), base, &NotUnicode).unwrap_err(),
            ConfigErrorKind::VariableNotUnicode { name: "X".into() }
        );
        // The process environment: a variable nobody sets.
        assert_eq!(
            ProcessEnvironment
                .variable("APICONN_DESIRED_STATE_TEST_SURELY_UNSET_4f1c")
                .unwrap_err(),
            VariableError::Unset
        );
        // Debug shows names, never values.
        let debug = format!("{env:?}");
        assert!(
            debug.contains("PW") && !debug.contains("sentinel-value"),
            "{debug}"
        );
    }

    #[test]
    fn secret_files_lose_one_line_break_and_must_be_text() {
        let dir = std::env::temp_dir().join(format!("apiconn-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let env = FixedEnvironment::new(0);
        for (contents, expected) in [
            (&b"pw\n"[..], "pw"),
            (b"pw\r\n", "pw"),
            (b"pw\n\n", "pw\n"),
            (b"pw", "pw"),
            (b"", ""),
        ] {
            std::fs::write(dir.join("s.txt"), contents).unwrap();
            let value = resolve(&SecretRef::File("s.txt".into()), &dir, &env).unwrap();
            assert_eq!(value.expose_secret(), expected);
        }
        std::fs::write(dir.join("s.bin"), [0xff, 0xfe, 0x00]).unwrap();
        assert_eq!(
            resolve(&SecretRef::File("s.bin".into()), &dir, &env).unwrap_err(),
            ConfigErrorKind::SecretFileUnreadable {
                path: dir.join("s.bin"),
                reason: "it is not UTF-8 text".into()
            }
        );
        // An absolute path is used as it is.
        let absolute = dir.join("s.txt");
        std::fs::write(&absolute, "abs").unwrap();
        let value = resolve(&SecretRef::File(absolute), Path::new("/elsewhere"), &env).unwrap();
        assert_eq!(value.expose_secret(), "abs");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
