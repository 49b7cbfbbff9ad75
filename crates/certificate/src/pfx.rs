//! PKCS#12 (RFC 7292, <https://www.rfc-editor.org/rfc/rfc7292>) decoding with the RustCrypto `pkcs12`,
//! `pkcs5`, `der` and cipher crates: the outer PFX shape check, the password integrity check (MAC), the
//! decryption of encrypted safes and shrouded key bags, and the collection of key and certificate bags.
//!
//! Supported protection, which covers what Windows, OpenSSL (1.x `-legacy` and 3.x defaults), Java and
//! Azure Key Vault export:
//! - MAC: HMAC with SHA-1 or SHA-2 and the PKCS#12 key derivation (RFC 7292 appendix B); files without
//!   a MAC are accepted, their decryption then being the only password check.
//! - PBES2 (RFC 8018 §6.2) with PBKDF2 (HMAC-SHA-1/SHA-2 PRF) and AES-128/192/256-CBC or DES-EDE3-CBC.
//! - The RFC 7292 appendix C schemes: pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd2-KeyTripleDES-CBC,
//!   pbeWithSHAAnd128BitRC2-CBC and pbeWithSHAAnd40BitRC2-CBC.
//!
//! Nothing here formats a password, a key or file bytes into an error.

use pkcs12::cms::content_info::{CmsVersion, ContentInfo};
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::kdf::{self, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pbes2Params, Pkcs12PbeParams};
use pkcs12::{AuthenticatedSafe, CertBag, MacData, Pfx, SafeBag};
use secrecy::zeroize::Zeroizing;
use x509_cert::der::asn1::{AnyRef, ContextSpecific, ObjectIdentifier, OctetString};
use x509_cert::der::{Decode, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::CertificateError;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");

const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const SHA512_224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.5");
const SHA512_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.6");

const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
const AES_128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
const AES_192_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22");
const AES_256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");

const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_2DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");
const PBE_SHA1_RC2_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");

/// Upper bound on MAC and key-derivation iteration counts, so that a crafted file cannot make parsing
/// spin; real exporters use 1–600,000.
const MAX_ITERATIONS: u32 = 1_000_000;

/// One private key bag, decrypted.
pub(super) struct KeyEntry {
    /// PKCS#8 DER.
    pub(super) pkcs8: Zeroizing<Vec<u8>>,
    pub(super) local_key_id: Option<Vec<u8>>,
}

/// One X.509 certificate bag.
pub(super) struct CertEntry {
    pub(super) der: Vec<u8>,
    pub(super) local_key_id: Option<Vec<u8>>,
}

/// The key and certificate bags of an archive, in file order.
#[derive(Default)]
pub(super) struct Contents {
    pub(super) keys: Vec<KeyEntry>,
    pub(super) certs: Vec<CertEntry>,
}

/// The password in both forms PKCS#12 uses.
struct Password<'a> {
    /// UTF-8, for PBES2/PBKDF2 (RFC 9579 §3).
    utf8: &'a [u8],
    /// Big-endian BMPString with two terminating zero bytes, for the RFC 7292 appendix B derivation.
    /// Characters beyond the Basic Multilingual Plane become UTF-16 surrogate pairs, as OpenSSL writes
    /// them.
    bmp: Zeroizing<Vec<u8>>,
}

impl<'a> Password<'a> {
    fn new(password: &'a str) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 4 + 2));
        for unit in password.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Self {
            utf8: password.as_bytes(),
            bmp,
        }
    }
}

fn malformed(what: &str, err: impl std::fmt::Display) -> CertificateError {
    CertificateError::Malformed {
        reason: format!("{what}: {err}"),
    }
}

fn unsupported(reason: String) -> CertificateError {
    CertificateError::Unsupported { reason }
}

fn checked_iterations(count: i64) -> Result<u32, CertificateError> {
    match u32::try_from(count) {
        Ok(n) if (1..=MAX_ITERATIONS).contains(&n) => Ok(n),
        _ => Err(CertificateError::Malformed {
            reason: format!("iteration count {count} outside 1..={MAX_ITERATIONS}"),
        }),
    }
}

// ---------------------------------------------------------------------------------------------------
// Outer shape check.

/// Deepest nesting accepted by the structural check (the same bound as der-parser's).
const MAX_DEPTH: usize = 50;

/// Length of the complete BER element at the start of `bytes`, checking the nested structure of
/// constructed elements (definite or indefinite length). `None` when it is not well-formed.
fn ber_element_len(bytes: &[u8], depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let first = *bytes.first()?;
    let constructed = first & 0x20 != 0;
    let mut pos = 1;
    if first & 0x1f == 0x1f {
        // High tag number form: base-128 digits, the last without the top bit.
        loop {
            let b = *bytes.get(pos)?;
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let len_byte = *bytes.get(pos)?;
    pos += 1;
    if len_byte == 0x80 {
        // Indefinite length: constructed only, ended by an end-of-contents element (00 00).
        if !constructed {
            return None;
        }
        loop {
            let rest = &bytes[pos..];
            if rest.starts_with(&[0, 0]) {
                return Some(pos + 2);
            }
            pos += ber_element_len(rest, depth + 1)?;
        }
    }
    let len = if len_byte & 0x80 == 0 {
        usize::from(len_byte)
    } else {
        let count = usize::from(len_byte & 0x7f);
        if count > std::mem::size_of::<usize>() || count == 0x7f {
            return None;
        }
        let digits = bytes.get(pos..pos + count)?;
        pos += count;
        digits
            .iter()
            .fold(0usize, |acc, &d| (acc << 8) | usize::from(d))
    };
    let end = pos.checked_add(len)?;
    let content = bytes.get(pos..end)?;
    if constructed {
        let mut inner = 0;
        while inner < content.len() {
            inner += ber_element_len(&content[inner..], depth + 1)?;
        }
    }
    Some(end)
}

/// Cheap outer check: a well-formed BER SEQUENCE whose first element is the INTEGER version 3
/// (RFC 7292 §4). BER is accepted so that a BER-encoded PFX is reported as malformed (only DER is
/// decoded) rather than as "not PKCS#12". Trailing bytes after the SEQUENCE are left to the decoder.
pub(super) fn looks_like_pfx(bytes: &[u8]) -> bool {
    if bytes.first() != Some(&0x30) || ber_element_len(bytes, 0).is_none() {
        return false;
    }
    // Skip the SEQUENCE header to its first element.
    let header_len = match bytes.get(1) {
        Some(&b) if b & 0x80 == 0 || b == 0x80 => 2,
        Some(&b) => 2 + usize::from(b & 0x7f),
        None => return false,
    };
    let Some(version) = bytes.get(header_len..) else {
        return false;
    };
    match version {
        [0x02, len, value @ ..] if *len >= 1 && usize::from(*len) <= value.len() => {
            let digits = &value[..usize::from(*len)];
            // Leading zero octets (non-minimal BER) do not change the value.
            let significant: Vec<u8> = digits.iter().copied().skip_while(|&d| d == 0).collect();
            significant == [3]
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------------
// Decoding.

/// Decodes a DER PFX: verifies the MAC when there is one, decrypts every encrypted safe and shrouded key
/// bag with `password`, and returns the key and certificate bags. Other bag types (CRL, secret, nested
/// safe contents) are ignored.
pub(super) fn decode(bytes: &[u8], password: &str) -> Result<Contents, CertificateError> {
    let pfx = Pfx::from_der(bytes).map_err(|e| malformed("PFX", e))?;
    let password = Password::new(password);

    if pfx.auth_safe.content_type != ID_DATA {
        return Err(unsupported(format!(
            "authSafe content type {} (only password integrity mode, id-data, is supported)",
            pfx.auth_safe.content_type
        )));
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(|e| malformed("authSafe content", e))?;
    if let Some(mac_data) = &pfx.mac_data {
        verify_mac(mac_data, &password, auth_safe.as_bytes())?;
    }

    let safes =
        AuthenticatedSafe::from_der(auth_safe.as_bytes()).map_err(|e| malformed("authSafe", e))?;
    let mut contents = Contents::default();
    for safe in &safes {
        let safe_contents = open_safe(safe, &password)?;
        collect_bags(&safe_contents, &password, &mut contents)?;
    }
    Ok(contents)
}

/// The DER `SafeContents` of one `ContentInfo` of the authenticated safe, decrypted when needed.
fn open_safe(
    safe: &ContentInfo,
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, CertificateError> {
    if safe.content_type == ID_DATA {
        let data = safe
            .content
            .decode_as::<OctetString>()
            .map_err(|e| malformed("data content", e))?;
        return Ok(Zeroizing::new(data.into_bytes().into_vec()));
    }
    if safe.content_type != ID_ENCRYPTED_DATA {
        return Err(unsupported(format!(
            "safe content type {} (only data and encryptedData are supported)",
            safe.content_type
        )));
    }
    let encrypted = safe
        .content
        .decode_as::<EncryptedData>()
        .map_err(|e| malformed("encryptedData content", e))?;
    if encrypted.version != CmsVersion::V0 {
        return Err(unsupported(format!(
            "encryptedData version {:?} (expected 0)",
            encrypted.version
        )));
    }
    match &encrypted.enc_content_info.encrypted_content {
        Some(ciphertext) => decrypt(
            &encrypted.enc_content_info.content_enc_alg,
            ciphertext.as_bytes(),
            password,
        ),
        // Detached content: nothing in this file.
        None => Ok(Zeroizing::new(Vec::new())),
    }
}

fn collect_bags(
    safe_contents: &[u8],
    password: &Password<'_>,
    contents: &mut Contents,
) -> Result<(), CertificateError> {
    if safe_contents.is_empty() {
        return Ok(());
    }
    let bags: Vec<SafeBag> =
        Vec::from_der(safe_contents).map_err(|e| malformed("SafeContents", e))?;
    for bag in bags {
        let local_key_id = local_key_id(&bag);
        // bagValue is `[0] EXPLICIT`; `SafeBag` keeps the whole tagged element.
        let value = ContextSpecific::<AnyRef<'_>>::from_der(&bag.bag_value)
            .map_err(|e| malformed("bagValue", e))?
            .value;
        if bag.bag_id == KEY_BAG || bag.bag_id == SHROUDED_KEY_BAG {
            let pkcs8 = if bag.bag_id == KEY_BAG {
                Zeroizing::new(value.to_der().map_err(|e| malformed("keyBag", e))?)
            } else {
                let info = value
                    .decode_as::<EncryptedPrivateKeyInfo>()
                    .map_err(|e| malformed("pkcs8ShroudedKeyBag", e))?;
                decrypt(
                    &info.encryption_algorithm,
                    info.encrypted_data.as_bytes(),
                    password,
                )?
            };
            check_pkcs8(&pkcs8)?;
            contents.keys.push(KeyEntry {
                pkcs8,
                local_key_id,
            });
        } else if bag.bag_id == CERT_BAG {
            let cert_bag = value
                .decode_as::<CertBag>()
                .map_err(|e| malformed("certBag", e))?;
            if cert_bag.cert_id != X509_CERTIFICATE {
                return Err(unsupported(format!(
                    "certificate bag of type {} (only X.509 certificates are supported)",
                    cert_bag.cert_id
                )));
            }
            contents.certs.push(CertEntry {
                der: cert_bag.cert_value.into_bytes().into_vec(),
                local_key_id,
            });
        }
    }
    Ok(())
}

/// The first `localKeyId` attribute value of a bag (PKCS#9), when it is an OCTET STRING.
fn local_key_id(bag: &SafeBag) -> Option<Vec<u8>> {
    let attributes = bag.bag_attributes.as_ref()?;
    let attribute = attributes.iter().find(|a| a.oid == LOCAL_KEY_ID)?;
    let value = attribute.values.iter().next()?;
    value
        .decode_as::<OctetString>()
        .ok()
        .map(|id| id.into_bytes().into_vec())
}

fn check_pkcs8(der: &[u8]) -> Result<(), CertificateError> {
    pkcs8::PrivateKeyInfoRef::try_from(der)
        .map(|_| ())
        .map_err(|_| CertificateError::Malformed {
            reason: "private key bag does not hold a PKCS#8 private key".to_owned(),
        })
}

// ---------------------------------------------------------------------------------------------------
// Integrity (RFC 7292 §5.1 and appendix B).

fn verify_mac(
    mac_data: &MacData,
    password: &Password<'_>,
    data: &[u8],
) -> Result<(), CertificateError> {
    let iterations = checked_iterations(i64::from(mac_data.iterations))?;
    let salt = mac_data.mac_salt.as_bytes();
    let expected = mac_data.mac.digest.as_bytes();
    let oid = mac_data.mac.algorithm.oid;
    let matches = if oid == SHA1 {
        mac_matches::<sha1::Sha1>(password, salt, iterations, data, expected)
    } else if oid == SHA224 {
        mac_matches::<sha2::Sha224>(password, salt, iterations, data, expected)
    } else if oid == SHA256 {
        mac_matches::<sha2::Sha256>(password, salt, iterations, data, expected)
    } else if oid == SHA384 {
        mac_matches::<sha2::Sha384>(password, salt, iterations, data, expected)
    } else if oid == SHA512 {
        mac_matches::<sha2::Sha512>(password, salt, iterations, data, expected)
    } else if oid == SHA512_224 {
        mac_matches::<sha2::Sha512_224>(password, salt, iterations, data, expected)
    } else if oid == SHA512_256 {
        mac_matches::<sha2::Sha512_256>(password, salt, iterations, data, expected)
    } else {
        return Err(unsupported(format!("MAC digest algorithm {oid}")));
    };
    if matches {
        Ok(())
    } else {
        Err(CertificateError::WrongPassword)
    }
}

fn mac_matches<D>(
    password: &Password<'_>,
    salt: &[u8],
    iterations: u32,
    data: &[u8],
    expected: &[u8],
) -> bool
where
    D: hmac::digest::Digest
        + hmac::digest::FixedOutputReset
        + hmac::digest::block_api::BlockSizeUser
        + hmac::EagerHash,
{
    use hmac::{KeyInit as _, Mac as _};
    let key = Zeroizing::new(kdf::derive_key::<D>(
        &password.bmp,
        salt,
        Pkcs12KeyType::Mac,
        iterations.cast_signed(),
        <D as hmac::digest::Digest>::output_size(),
    ));
    let Ok(mut mac) = hmac::Hmac::<D>::new_from_slice(&key) else {
        return false;
    };
    mac.update(data);
    // Constant-time comparison.
    mac.verify_slice(expected).is_ok()
}

// ---------------------------------------------------------------------------------------------------
// Decryption.

fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, CertificateError> {
    let oid = algorithm.oid;
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| CertificateError::Malformed {
            reason: format!("encryption algorithm {oid} without parameters"),
        })?;
    if oid == PBES2 {
        let params = params
            .decode_as::<Pbes2Params>()
            .map_err(|e| malformed("PBES2 parameters", e))?;
        return pbes2_decrypt(&params, ciphertext, password);
    }
    // (decryption, key length in bytes)
    let (cbc, key_len): (PbeDecrypt, usize) = if oid == PBE_SHA1_3DES {
        (pkcs12_pbe_decrypt::<des::TdesEde3>, 24)
    } else if oid == PBE_SHA1_2DES {
        (pkcs12_pbe_decrypt::<des::TdesEde2>, 16)
    } else if oid == PBE_SHA1_RC2_128 {
        (pkcs12_pbe_decrypt::<rc2::Rc2>, 16)
    } else if oid == PBE_SHA1_RC2_40 {
        (pkcs12_pbe_decrypt::<rc2::Rc2>, 5)
    } else {
        return Err(unsupported(format!("encryption algorithm {oid}")));
    };
    let params = params
        .decode_as::<Pkcs12PbeParams>()
        .map_err(|e| malformed("PKCS#12 PBE parameters", e))?;
    let iterations = checked_iterations(i64::from(params.iterations))?;
    cbc(
        password,
        params.salt.as_bytes(),
        iterations,
        key_len,
        ciphertext,
    )
}

/// [`pkcs12_pbe_decrypt`] for one cipher.
type PbeDecrypt =
    fn(&Password<'_>, &[u8], u32, usize, &[u8]) -> Result<Zeroizing<Vec<u8>>, CertificateError>;

/// RFC 7292 appendix C: key and IV from the appendix B derivation with SHA-1, then CBC with PKCS#7
/// padding.
fn pkcs12_pbe_decrypt<C>(
    password: &Password<'_>,
    salt: &[u8],
    iterations: u32,
    key_len: usize,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CertificateError>
where
    C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
{
    let derive = |kind, len| {
        Zeroizing::new(kdf::derive_key::<sha1::Sha1>(
            &password.bmp,
            salt,
            kind,
            iterations.cast_signed(),
            len,
        ))
    };
    let key = derive(Pkcs12KeyType::EncryptionKey, key_len);
    let iv = derive(Pkcs12KeyType::Iv, 8);
    cbc_decrypt::<C>(&key, &iv, ciphertext)
}

/// RFC 8018 §6.2.2: PBKDF2 over the UTF-8 password, then the CBC cipher the parameters name.
fn pbes2_decrypt(
    params: &Pbes2Params,
    ciphertext: &[u8],
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, CertificateError> {
    use pkcs5::pbes2::{Pbkdf2Params, Pbkdf2Prf};

    if params.kdf.oid != PBKDF2 {
        return Err(unsupported(format!(
            "PBES2 key derivation function {} (only PBKDF2 is supported)",
            params.kdf.oid
        )));
    }
    let kdf_params = params
        .kdf
        .parameters
        .as_ref()
        .ok_or_else(|| CertificateError::Malformed {
            reason: "PBKDF2 without parameters".to_owned(),
        })?
        .decode_as::<Pbkdf2Params>()
        .map_err(|e| malformed("PBKDF2 parameters", e))?;
    let iterations = checked_iterations(i64::from(kdf_params.iteration_count))?;

    let scheme = params.encryption.oid;
    // (decryption, key length, IV length), in bytes
    let (cbc, key_len, block_len): (CbcDecrypt, usize, usize) = if scheme == AES_128_CBC {
        (cbc_decrypt::<aes::Aes128>, 16, 16)
    } else if scheme == AES_192_CBC {
        (cbc_decrypt::<aes::Aes192>, 24, 16)
    } else if scheme == AES_256_CBC {
        (cbc_decrypt::<aes::Aes256>, 32, 16)
    } else if scheme == DES_EDE3_CBC {
        (cbc_decrypt::<des::TdesEde3>, 24, 8)
    } else {
        return Err(unsupported(format!("PBES2 encryption scheme {scheme}")));
    };
    if let Some(declared) = kdf_params.key_length
        && usize::from(declared) != key_len
    {
        return Err(CertificateError::Malformed {
            reason: format!("PBKDF2 key length {declared} does not fit encryption scheme {scheme}"),
        });
    }
    let iv = params
        .encryption
        .parameters
        .as_ref()
        .ok_or_else(|| CertificateError::Malformed {
            reason: format!("encryption scheme {scheme} without an IV"),
        })?
        .decode_as::<OctetString>()
        .map_err(|e| malformed("encryption scheme IV", e))?;
    if iv.as_bytes().len() != block_len {
        return Err(CertificateError::Malformed {
            reason: format!(
                "IV of {} bytes for encryption scheme {scheme}",
                iv.as_bytes().len()
            ),
        });
    }

    let mut key = Zeroizing::new(vec![0u8; key_len]);
    let salt = kdf_params.salt.as_bytes();
    match kdf_params.prf {
        Pbkdf2Prf::HmacWithSha1 => {
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.utf8, salt, iterations, &mut key)
        }
        Pbkdf2Prf::HmacWithSha224 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha224>(password.utf8, salt, iterations, &mut key)
        }
        Pbkdf2Prf::HmacWithSha256 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.utf8, salt, iterations, &mut key)
        }
        Pbkdf2Prf::HmacWithSha384 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password.utf8, salt, iterations, &mut key)
        }
        Pbkdf2Prf::HmacWithSha512 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.utf8, salt, iterations, &mut key)
        }
        other => {
            return Err(unsupported(format!(
                "PBKDF2 pseudo-random function {}",
                other.oid()
            )));
        }
    }
    cbc(&key, iv.as_bytes(), ciphertext)
}

/// [`cbc_decrypt`] for one cipher.
type CbcDecrypt = fn(&[u8], &[u8], &[u8]) -> Result<Zeroizing<Vec<u8>>, CertificateError>;

/// CBC decryption with PKCS#7 padding. Bad padding is what a wrong password produces.
fn cbc_decrypt<C>(
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CertificateError>
where
    C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
{
    use cbc::cipher::{BlockModeDecrypt as _, KeyIvInit as _, block_padding::Pkcs7};

    let decryptor =
        cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| CertificateError::Malformed {
            reason: "cipher key or IV of the wrong length".to_owned(),
        })?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plaintext_len = decryptor
        .decrypt_padded::<Pkcs7>(&mut buffer)
        .map_err(|_| CertificateError::WrongPassword)?
        .len();
    buffer.truncate(plaintext_len);
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ber_lengths() {
        // Definite, nested.
        assert_eq!(
            ber_element_len(&[0x30, 0x03, 0x02, 0x01, 0x03, 0xff], 0),
            Some(5)
        );
        // Indefinite, nested, with end-of-contents.
        assert_eq!(
            ber_element_len(&[0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00], 0),
            Some(7)
        );
        // Indefinite length on a primitive element.
        assert_eq!(ber_element_len(&[0x04, 0x80, 0x00, 0x00], 0), None);
        // Content shorter than announced; child overrunning its parent.
        assert_eq!(ber_element_len(&[0x30, 0x82, 0xff, 0xff, 0x00], 0), None);
        assert_eq!(ber_element_len(&[0x30, 0x02, 0x02, 0x05, 0x00], 0), None);
        // Long-form length.
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert_eq!(ber_element_len(&long, 0), Some(long.len()));
        // Nesting deeper than the bound.
        let mut deep = Vec::new();
        for _ in 0..=MAX_DEPTH + 1 {
            deep.extend([0x30, 0x80]);
        }
        deep.extend(std::iter::repeat_n(0u8, 2 * (MAX_DEPTH + 2)));
        assert_eq!(ber_element_len(&deep, 0), None);
    }

    #[test]
    fn pfx_shape() {
        assert!(looks_like_pfx(&[0x30, 0x03, 0x02, 0x01, 0x03]));
        assert!(looks_like_pfx(&[0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00]));
        // Version 3 written with a redundant leading zero (BER).
        assert!(looks_like_pfx(&[0x30, 0x04, 0x02, 0x02, 0x00, 0x03]));
        assert!(!looks_like_pfx(&[0x30, 0x03, 0x02, 0x01, 0x02]));
        assert!(!looks_like_pfx(&[0x30, 0x03, 0x04, 0x01, 0x03]));
        assert!(!looks_like_pfx(&[0x31, 0x03, 0x02, 0x01, 0x03]));
        assert!(!looks_like_pfx(&[]));
    }

    #[test]
    fn bmp_password_is_utf16_be_with_terminator() {
        let p = Password::new("aé");
        assert_eq!(p.bmp.as_slice(), &[0x00, 0x61, 0x00, 0xe9, 0x00, 0x00]);
        assert_eq!(p.utf8, "aé".as_bytes());
        assert_eq!(Password::new("").bmp.as_slice(), &[0, 0]);
        // U+1F511 is the surrogate pair D83D DD11.
        assert_eq!(
            Password::new("\u{1F511}").bmp.as_slice(),
            &[0xd8, 0x3d, 0xdd, 0x11, 0x00, 0x00]
        );
    }

    #[test]
    fn iteration_bounds() {
        assert_eq!(checked_iterations(1).unwrap(), 1);
        assert_eq!(
            checked_iterations(i64::from(MAX_ITERATIONS)).unwrap(),
            MAX_ITERATIONS
        );
        for bad in [0, -1, i64::from(MAX_ITERATIONS) + 1] {
            assert!(matches!(
                checked_iterations(bad),
                Err(CertificateError::Malformed { .. })
            ));
        }
    }
}
