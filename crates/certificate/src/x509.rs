//! What is read from one X.509 certificate: Graph's thumbprint, validity, subject (as text) and the
//! raw names and key that link a chain together.

use sha1::{Digest as _, Sha1};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode as _, Encode as _, Tag, Tagged as _};
use x509_cert::name::Name;

use crate::CertificateError;

/// Graph's certificate thumbprint: upper-case hex SHA-1 of the DER certificate, as in the
/// `certificateList` of the uploadClientCertificate response example
/// (<https://learn.microsoft.com/graph/api/identityapiconnector-uploadclientcertificate>).
pub fn thumbprint_of(certificate_der: &[u8]) -> String {
    Sha1::digest(certificate_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Facts read from one X.509 certificate.
pub(crate) struct CertFacts {
    pub(crate) der: Vec<u8>,
    pub(crate) spki: Vec<u8>,
    pub(crate) subject_raw: Vec<u8>,
    pub(crate) issuer_raw: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) common_name: Option<String>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) local_key_id: Option<Vec<u8>>,
}

impl CertFacts {
    pub(crate) fn parse(
        der: &[u8],
        local_key_id: Option<Vec<u8>>,
    ) -> Result<Self, CertificateError> {
        let invalid = |e: x509_cert::der::Error| CertificateError::InvalidCertificate {
            reason: e.to_string(),
        };
        let cert = x509_cert::Certificate::from_der(der).map_err(invalid)?;
        let tbs = cert.tbs_certificate();
        let validity = tbs.validity();
        let unix = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        Ok(Self {
            der: der.to_vec(),
            spki: tbs.subject_public_key_info().to_der().map_err(invalid)?,
            subject_raw: tbs.subject().to_der().map_err(invalid)?,
            issuer_raw: tbs.issuer().to_der().map_err(invalid)?,
            subject: name_to_string(tbs.subject())
                .unwrap_or_else(|| "<X509Error: Invalid X.509 name>".to_owned()),
            common_name: first_common_name(tbs.subject()),
            not_before: unix(validity.not_before),
            not_after: unix(validity.not_after),
            local_key_id,
        })
    }

    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }
}

const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// Short names of the attribute types found in distinguished names: the usual abbreviations first, then
/// the X.520 / RFC 4519 / PKCS#9 names.
const NAME_ATTRIBUTES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "Email"),
    ("0.9.2342.19200300.100.1.1", "uid"),
    ("1.2.840.113549.1.9.2", "unstructuredName"),
    ("1.3.6.1.4.1.311.60.2.1.1", "msJurisdictionLocality"),
    ("1.3.6.1.4.1.311.60.2.1.2", "msJurisdictionStateOrProvince"),
    ("1.3.6.1.4.1.311.60.2.1.3", "msJurisdictionCountry"),
    ("2.5.4.0", "objectClass"),
    ("2.5.4.1", "aliasedEntryName"),
    ("2.5.4.2", "knowledgeInformation"),
    ("2.5.4.4", "surname"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.9", "streetAddress"),
    ("2.5.4.12", "title"),
    ("2.5.4.13", "description"),
    ("2.5.4.14", "searchGuide"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.16", "postalAddress"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.41", "name"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.43", "initials"),
    ("2.5.4.44", "generationQualifier"),
    ("2.5.4.45", "uniqueIdentifier"),
    ("2.5.4.46", "dnQualifier"),
];

/// A distinguished name as `TYPE=value` pairs in certificate order: RDNs separated by `", "`, the
/// attributes of a multi-valued RDN by `" + "`. String values are shown as text, other values as
/// upper-case hex of their content octets, and types without a short name as `OID(dotted)`.
/// `None` when a string value is not valid in its encoding.
fn name_to_string(name: &Name) -> Option<String> {
    let mut out = String::new();
    for (i, rdn) in name.iter_rdn().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push_str(" + ");
            }
            let dotted = atv.oid.to_string();
            match NAME_ATTRIBUTES.iter().find(|(oid, _)| *oid == dotted) {
                Some((_, short)) => out.push_str(short),
                None => {
                    out.push_str("OID(");
                    out.push_str(&dotted);
                    out.push(')');
                }
            }
            out.push('=');
            out.push_str(&attribute_value_string(atv.value.tag(), atv.value.value())?);
        }
    }
    Some(out)
}

fn attribute_value_string(tag: Tag, content: &[u8]) -> Option<String> {
    match tag {
        Tag::NumericString
        | Tag::VisibleString
        | Tag::PrintableString
        | Tag::GeneralString
        | Tag::TeletexString
        | Tag::VideotexString
        | Tag::Utf8String
        | Tag::Ia5String => std::str::from_utf8(content).ok().map(str::to_owned),
        Tag::BmpString => {
            if !content.len().is_multiple_of(2) {
                return None;
            }
            let units = content
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        _ => Some(content.iter().map(|b| format!("{b:02X}")).collect()),
    }
}

/// The first common name attribute, when it is a text string type.
fn first_common_name(name: &Name) -> Option<String> {
    let cn = name.iter().find(|atv| atv.oid == COMMON_NAME)?;
    match cn.value.tag() {
        Tag::NumericString | Tag::PrintableString | Tag::Utf8String | Tag::Ia5String => {
            std::str::from_utf8(cn.value.value())
                .ok()
                .map(str::to_owned)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_text_or_upper_case_hex() {
        assert_eq!(
            attribute_value_string(Tag::Utf8String, "Müller".as_bytes()).as_deref(),
            Some("Müller")
        );
        assert_eq!(
            attribute_value_string(Tag::PrintableString, b"FI").as_deref(),
            Some("FI")
        );
        // BMPString: UTF-16 big-endian, surrogate pairs included.
        assert_eq!(
            attribute_value_string(
                Tag::BmpString,
                &[0x00, 0x4d, 0x00, 0xfc, 0xd8, 0x3d, 0xdd, 0x11]
            )
            .as_deref(),
            Some("M\u{fc}\u{1F511}")
        );
        // Not a string type: hex of the content octets.
        assert_eq!(
            attribute_value_string(Tag::OctetString, &[0x0a, 0xff]).as_deref(),
            Some("0AFF")
        );
        // Invalid encodings make the whole name unprintable.
        assert_eq!(attribute_value_string(Tag::Utf8String, &[0xff]), None);
        assert_eq!(attribute_value_string(Tag::BmpString, &[0x00]), None);
        assert_eq!(attribute_value_string(Tag::BmpString, &[0xd8, 0x3d]), None);
    }

    #[test]
    fn multi_valued_rdns_are_joined_with_plus() {
        use std::str::FromStr as _;
        // RFC 4514 strings list RDNs last-first; the certificate order is the reverse.
        let name = Name::from_str("CN=client,OU=Connectors+L=Helsinki,O=Contoso,C=FI").unwrap();
        assert_eq!(
            name_to_string(&name).as_deref(),
            Some("C=FI, O=Contoso, L=Helsinki + OU=Connectors, CN=client")
        );
        assert_eq!(first_common_name(&name).as_deref(), Some("client"));
        assert_eq!(name_to_string(&Name::default()).as_deref(), Some(""));
        assert_eq!(first_common_name(&Name::default()), None);
    }
}
