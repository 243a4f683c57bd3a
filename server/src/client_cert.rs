//! The merchant client certificate (商户API证书) for mutual TLS on `secapi` calls, loaded in
//! pure Rust from the files the merchant platform hands out: `apiclient_cert.pem` +
//! `apiclient_key.pem`, or `apiclient_cert.p12` (password: the mch_id unless told otherwise;
//! the legacy RC2/3DES files as well as AES ones).
//!
//! Start-up refuses a certificate that cannot be read, whose key does not belong to it, that
//! has expired or is not yet valid, or whose common name is another merchant number. The key
//! never appears in `Debug`, logs or errors.

use std::path::Path;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};

/// A loaded client identity: the certificate chain and key as PEM (what reqwest takes), and
/// what start-up reports about it.
#[derive(Clone)]
pub struct ClientIdentity {
    pem: Vec<u8>,
    /// The certificate's subject, e.g. `CN=1900000109, O=…`.
    pub subject: String,
    /// The end of its validity (Unix seconds).
    pub not_after: i64,
    /// Where it came from (`WXPAY_CLIENT_CERT` or `WXPAY_CLIENT_P12`).
    pub source: &'static str,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("subject", &self.subject)
            .field("not_after", &self.not_after)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

fn bad(env: &str, why: impl std::fmt::Display) -> Error {
    Error::Config(format!("invalid setting {env}: {why}"))
}

fn pem_block(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn key_label(key: &PrivateKeyDer<'_>) -> &'static str {
    match key {
        PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
        PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
        _ => "PRIVATE KEY",
    }
}

impl ClientIdentity {
    /// Loads `apiclient_cert.pem` and `apiclient_key.pem`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the setting and what is wrong.
    pub fn from_pem_files(cert: &Path, key: &Path, mch_id: &str, now_secs: i64) -> Result<Self> {
        const C: &str = "WXPAY_CLIENT_CERT";
        const K: &str = "WXPAY_CLIENT_KEY";
        let cert_pem = std::fs::read(cert).map_err(|e| bad(C, format!("{}: {e}", cert.display())))?;
        let certs = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| bad(C, "not a PEM certificate file"))?;
        if certs.is_empty() {
            return Err(bad(C, "no CERTIFICATE in the file"));
        }
        let key_pem = std::fs::read(key).map_err(|e| bad(K, format!("{}: {e}", key.display())))?;
        // The parse error could quote the file: say only what is wrong.
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| bad(K, "no readable PRIVATE KEY in the file"))?;
        Self::build(certs.iter().map(|c| c.as_ref().to_vec()).collect(), key, mch_id, now_secs, C)
    }

    /// Loads `apiclient_cert.p12` (legacy RC2/3DES or AES encryption).
    ///
    /// # Errors
    /// [`Error::Config`] naming the setting and what is wrong (never the password).
    pub fn from_p12_file(p12: &Path, password: &str, mch_id: &str, now_secs: i64) -> Result<Self> {
        const P: &str = "WXPAY_CLIENT_P12";
        let data = std::fs::read(p12).map_err(|e| bad(P, format!("{}: {e}", p12.display())))?;
        let store = p12_keystore::KeyStore::from_pkcs12(&data, password, p12_keystore::Pkcs12ImportPolicy::Strict).map_err(|e| {
            let why = e.to_string().replace(password, "***");
            bad(P, format!("cannot open the PKCS#12 file (wrong WXPAY_CLIENT_P12_PASSWORD, or not a .p12?): {why}"))
        })?;
        let (_, chain) = store.private_key_chain().ok_or_else(|| bad(P, "the file holds no private key with its certificate"))?;
        let certs: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
        if certs.is_empty() {
            return Err(bad(P, "the file holds no certificate"));
        }
        let key = PrivateKeyDer::try_from(chain.key().as_der().to_vec()).map_err(|_| bad(P, "unreadable private key"))?;
        Self::build(certs, key, mch_id, now_secs, P)
    }

    fn build(certs: Vec<Vec<u8>>, key: PrivateKeyDer<'static>, mch_id: &str, now_secs: i64, env: &'static str) -> Result<Self> {
        let (_, leaf) = x509_parser::parse_x509_certificate(&certs[0]).map_err(|_| bad(env, "the certificate is not valid X.509"))?;
        let subject = leaf.subject().to_string();
        let not_after = leaf.validity().not_after.timestamp();
        let not_before = leaf.validity().not_before.timestamp();
        if not_after < now_secs {
            return Err(bad(env, format!("the certificate ({subject}) expired at {} UTC", leaf.validity().not_after)));
        }
        if not_before > now_secs {
            return Err(bad(env, format!("the certificate ({subject}) is not valid before {} UTC", leaf.validity().not_before)));
        }
        let signer =
            rustls::crypto::ring::sign::any_supported_type(&key).map_err(|_| bad(env, "the private key is of an unsupported type"))?;
        let spki = signer.public_key().ok_or_else(|| bad(env, "cannot derive the public key of the private key"))?;
        if spki.as_ref() != leaf.public_key().raw {
            return Err(bad(env, format!("the private key does not belong to the certificate ({subject})")));
        }
        // WeChat's merchant certificates carry the merchant number as common name.
        if let Some(cn) = leaf.subject().iter_common_name().next().and_then(|c| c.as_str().ok()) {
            if !cn.is_empty() && cn.bytes().all(|b| b.is_ascii_digit()) && cn != mch_id {
                return Err(bad(env, format!("the certificate is for merchant {cn}, not WXPAY_MCH_ID {mch_id}")));
            }
        }
        let mut pem = String::new();
        for c in &certs {
            pem.push_str(&pem_block("CERTIFICATE", c));
        }
        pem.push_str(&pem_block(key_label(&key), key.secret_der()));
        Ok(ClientIdentity { pem: pem.into_bytes(), subject, not_after, source: env })
    }

    /// The identity for reqwest (certificate chain + key, PEM).
    ///
    /// # Errors
    /// [`Error::Config`] if reqwest refuses it.
    pub fn reqwest_identity(&self) -> Result<reqwest::Identity> {
        reqwest::Identity::from_pem(&self.pem).map_err(|_| Error::Config("client certificate: reqwest refused the identity".into()))
    }
}
