//! The provenance comment that starts every fragment.

use super::SliceError;

/// The body of the provenance comment that starts a fragment written by [`slice()`](super::slice()), if there is one.
///
/// Passing it back to [`slice()`](super::slice()) together with the fragment reproduces the fragment.
pub fn provenance(fragment: &str) -> Option<&str> {
    let rest = fragment.trim_start_matches('\u{feff}');
    let rest = match rest.strip_prefix("<?xml") {
        Some(r) => &r[r.find("?>")? + 2..],
        None => rest,
    };
    let body = rest.trim_start().strip_prefix("<!--")?;
    let body = &body[..body.find("-->")?];
    Some(
        body.strip_prefix('\n')
            .unwrap_or(body)
            .strip_suffix('\n')
            .unwrap_or(body),
    )
}

pub(super) fn check_provenance(p: &str) -> Result<(), SliceError> {
    if p.contains("--") {
        return Err(SliceError::Provenance(
            "it contains `--`, which XML comments forbid".into(),
        ));
    }
    if p.ends_with('-') {
        return Err(SliceError::Provenance(
            "it ends with `-`, which XML comments forbid".into(),
        ));
    }
    Ok(())
}
