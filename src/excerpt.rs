//! Excerpts of response bodies for error messages: cut to a length, secret values masked.
//!
//! Both Graph's and the token endpoint's errors quote the start of a body; they use the one cut
//! here, so no message is longer than it needs to be and none shows a password, a PKCS#12 blob or
//! a token.

use serde_json::Value;

/// Keys whose values are masked in excerpts.
const SECRET_KEYS: &[&str] = &[
    "password",
    "pkcs12value",
    "client_secret",
    "clientsecret",
    "access_token",
    "refresh_token",
];

/// The start of a body for an error message (200 characters), with secret JSON values masked.
pub fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            mask_values(&mut v, "***");
            v.to_string()
        }
        Err(_) => {
            let t = String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned();
            mask_text(&t)
        }
    };
    shorten(&text, MAX)
}

/// `text` cut to at most `max` characters, with `…` when something was cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// Replace the value of every secret key (at any depth, case-insensitively) with `mask`.
pub(crate) fn mask_values(v: &mut Value, mask: &str) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) {
                    *val = Value::String(mask.into());
                } else {
                    mask_values(val, mask);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| mask_values(v, mask)),
        _ => {}
    }
}

/// Mask `"key": "value"` pairs of secret keys in text that is not valid JSON (e.g. truncated).
fn mask_text(t: &str) -> String {
    let lower = t.to_ascii_lowercase();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    'outer: while i < t.len() {
        for key in SECRET_KEYS {
            let pat = format!("\"{key}\"");
            if lower[i..].starts_with(&pat) {
                out.push_str(&t[i..i + pat.len()]);
                i += pat.len();
                // copy up to the value's opening quote, then skip the value
                let rest = &t[i..];
                if let Some(q) = rest.find('"')
                    && rest[..q].trim().trim_start_matches(':').trim().is_empty()
                {
                    out.push_str(&rest[..=q]);
                    out.push_str("***");
                    let after = &rest[q + 1..];
                    let end = after.find('"').map_or(after.len(), |e| e);
                    i += q + 1 + end;
                    continue 'outer;
                }
                continue 'outer;
            }
        }
        let c = t[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_masks_secrets_in_json_and_in_truncated_text() {
        let json = br#"{"authenticationConfiguration":{"password":"hunter22","username":"u"}}"#;
        let e = excerpt(json);
        assert!(!e.contains("hunter22"), "{e}");
        assert!(e.contains("\"username\":\"u\""), "{e}");
        let truncated = br#"{"pkcs12Value": "MIIKAAAAsecretblob", "password": "p4ss"#;
        let e = excerpt(truncated);
        assert!(!e.contains("secretblob") && !e.contains("p4ss"), "{e}");
    }
}
