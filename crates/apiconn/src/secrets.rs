//! Secrets from a file, an environment variable or a terminal prompt — never from an argument, so
//! they do not end up in shell history or in the process list.

use std::io::IsTerminal as _;

use secrecy::SecretString;

use crate::Failure;
use crate::cli::SecretSource;

/// Read the secret `what` (e.g. "basic password") from `source`, or prompt for it when standard
/// input is a terminal.
pub fn read(source: &SecretSource, what: &str) -> Result<SecretString, Failure> {
    if let Some(path) = &source.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Runtime(format!(
                "cannot read the {what} from {}: {e}",
                path.display()
            ))
        })?;
        return Ok(SecretString::from(strip_newline(text)));
    }
    if let Some(name) = &source.password_env {
        return match std::env::var(name) {
            Ok(value) => Ok(SecretString::from(value)),
            Err(_) => Err(Failure::Usage(format!(
                "environment variable {name} (for the {what}) is not set"
            ))),
        };
    }
    if std::io::stdin().is_terminal() {
        let value = rpassword::prompt_password(format!("{what}: ")).map_err(|e| {
            Failure::Runtime(format!("cannot read the {what} from the terminal: {e}"))
        })?;
        return Ok(SecretString::from(value));
    }
    Err(Failure::Usage(format!(
        "the {what} is needed: give --password-file FILE or --password-env NAME (no terminal to prompt on)"
    )))
}

/// Drop one trailing `\n` or `\r\n`, as editors and `echo` add them.
fn strip_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::strip_newline;

    #[test]
    fn only_one_trailing_newline_is_dropped() {
        assert_eq!(strip_newline("pw\n".into()), "pw");
        assert_eq!(strip_newline("pw\r\n".into()), "pw");
        assert_eq!(strip_newline("pw\n\n".into()), "pw\n");
        assert_eq!(strip_newline(" pw ".into()), " pw ");
    }
}
