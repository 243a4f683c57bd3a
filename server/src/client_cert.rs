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
    /// Its common name, if any (a merchant number on WeChat's merchant certificates).
    pub common_name: Option<String>,
    /// The start of its validity (Unix seconds).
    pub not_before: i64,
    /// The end of its validity (Unix seconds).
    pub not_after: i64,
    /// The start and end as text (UTC).
    not_before_text: String,
    /// The end as text (UTC), e.g. `Dec  7 14:00:00 2031 +00:00`.
    pub not_after_text: String,
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

/// What is wrong with a client certificate: start-up's message (naming the setting), and what
/// `doctor` tells apart. Never carries the password or the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertProblem {
    /// The file cannot be read or is not what it should be.
    Unreadable(String),
    /// `WXPAY_CLIENT_KEY` (the PEM key beside the PEM certificate) cannot be read.
    KeyUnreadable(String),
    /// The PKCS#12 file's integrity check failed: the password is not the file's.
    WrongPassword,
    /// Past its validity.
    Expired {
        /// The certificate's subject.
        subject: String,
        /// The end of its validity, UTC.
        at: String,
    },
    /// Not valid yet.
    NotYetValid {
        /// The certificate's subject.
        subject: String,
        /// The start of its validity, UTC.
        at: String,
    },
    /// The private key is not the certificate's.
    KeyMismatch {
        /// The certificate's subject.
        subject: String,
    },
    /// Its common name is another merchant number.
    OtherMerchant {
        /// The merchant number it was issued to.
        cn: String,
    },
}

impl CertProblem {
    /// Start-up's error, naming `env`.
    pub fn into_error(self, env: &str) -> Error {
        match self {
            CertProblem::Unreadable(why) => bad(env, why),
            CertProblem::KeyUnreadable(why) => bad("WXPAY_CLIENT_KEY", why),
            CertProblem::WrongPassword => {
                bad(env, "cannot open the PKCS#12 file: wrong WXPAY_CLIENT_P12_PASSWORD (the mch_id unless you changed it)")
            }
            CertProblem::Expired { subject, at } => bad(env, format!("the certificate ({subject}) expired at {at} UTC")),
            CertProblem::NotYetValid { subject, at } => bad(env, format!("the certificate ({subject}) is not valid before {at} UTC")),
            CertProblem::KeyMismatch { subject } => bad(env, format!("the private key does not belong to the certificate ({subject})")),
            CertProblem::OtherMerchant { cn } => bad(env, format!("the certificate is for merchant {cn}, not WXPAY_MCH_ID")),
        }
    }
}

type Loaded = std::result::Result<ClientIdentity, CertProblem>;

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
        Self::read_pem_files(cert, key).and_then(|id| id.check(mch_id, now_secs)).map_err(|p| p.into_error("WXPAY_CLIENT_CERT"))
    }

    /// Loads `apiclient_cert.p12` (legacy RC2/3DES or AES encryption).
    ///
    /// # Errors
    /// [`Error::Config`] naming the setting and what is wrong (never the password).
    pub fn from_p12_file(p12: &Path, password: &str, mch_id: &str, now_secs: i64) -> Result<Self> {
        Self::read_p12_file(p12, password).and_then(|id| id.check(mch_id, now_secs)).map_err(|p| p.into_error("WXPAY_CLIENT_P12"))
    }

    /// Reads the PEM pair, its key checked against the certificate; merchant and validity are
    /// [`ClientIdentity::check`]'s.
    ///
    /// # Errors
    /// What is wrong.
    pub fn read_pem_files(cert: &Path, key: &Path) -> Loaded {
        let unreadable = |why: String| CertProblem::Unreadable(why);
        let cert_pem = std::fs::read(cert).map_err(|e| unreadable(format!("{}: {e}", cert.display())))?;
        let certs = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| unreadable("not a PEM certificate file".into()))?;
        if certs.is_empty() {
            return Err(unreadable("no CERTIFICATE in the file".into()));
        }
        let key_pem = std::fs::read(key).map_err(|e| CertProblem::KeyUnreadable(format!("{}: {e}", key.display())))?;
        // The parse error could quote the file: say only what is wrong.
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|_| CertProblem::KeyUnreadable("no readable PRIVATE KEY in the file".into()))?;
        Self::build(certs.iter().map(|c| c.as_ref().to_vec()).collect(), key, "WXPAY_CLIENT_CERT")
    }

    /// Reads a PKCS#12 file (legacy RC2/3DES or AES encryption), its key checked against the
    /// certificate; merchant and validity are [`ClientIdentity::check`]'s.
    ///
    /// # Errors
    /// What is wrong ([`CertProblem::WrongPassword`] when the file's MAC does not verify).
    pub fn read_p12_file(p12: &Path, password: &str) -> Loaded {
        let unreadable = |why: String| CertProblem::Unreadable(why);
        let data = std::fs::read(p12).map_err(|e| unreadable(format!("{}: {e}", p12.display())))?;
        let store = p12_keystore::KeyStore::from_pkcs12(&data, password).map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => CertProblem::WrongPassword,
            other => unreadable(format!("cannot open the PKCS#12 file (not a .p12?): {}", other.to_string().replace(password, "***"))),
        })?;
        let (_, chain) =
            store.private_key_chain().ok_or_else(|| unreadable("the file holds no private key with its certificate".into()))?;
        let certs: Vec<Vec<u8>> = chain.chain().iter().map(|c| c.as_der().to_vec()).collect();
        if certs.is_empty() {
            return Err(unreadable("the file holds no certificate".into()));
        }
        let key = PrivateKeyDer::try_from(chain.key().to_vec()).map_err(|_| unreadable("unreadable private key".into()))?;
        Self::build(certs, key, "WXPAY_CLIENT_P12")
    }

    fn build(certs: Vec<Vec<u8>>, key: PrivateKeyDer<'static>, env: &'static str) -> Loaded {
        let (_, leaf) = x509_parser::parse_x509_certificate(&certs[0])
            .map_err(|_| CertProblem::Unreadable("the certificate is not valid X.509".into()))?;
        let subject = leaf.subject().to_string();
        let signer = rustls::crypto::ring::sign::any_supported_type(&key)
            .map_err(|_| CertProblem::Unreadable("the private key is of an unsupported type".into()))?;
        let spki = signer.public_key().ok_or_else(|| CertProblem::Unreadable("cannot derive the public key of the private key".into()))?;
        if spki.as_ref() != leaf.public_key().raw {
            return Err(CertProblem::KeyMismatch { subject });
        }
        let common_name = leaf.subject().iter_common_name().next().and_then(|c| c.as_str().ok()).map(str::to_owned);
        let validity = leaf.validity();
        let (not_before, not_after) = (validity.not_before.timestamp(), validity.not_after.timestamp());
        let (not_before_text, not_after_text) = (validity.not_before.to_string(), validity.not_after.to_string());
        let mut pem = String::new();
        for c in &certs {
            pem.push_str(&pem_block("CERTIFICATE", c));
        }
        pem.push_str(&pem_block(key_label(&key), key.secret_der()));
        Ok(ClientIdentity {
            pem: pem.into_bytes(),
            subject,
            common_name,
            not_before,
            not_after,
            not_before_text,
            not_after_text,
            source: env,
        })
    }

    /// Checks that the certificate is valid at `now_secs` and is merchant `mch_id`'s (WeChat's
    /// merchant certificates carry the merchant number as common name).
    ///
    /// # Errors
    /// The first thing wrong.
    pub fn check(self, mch_id: &str, now_secs: i64) -> Loaded {
        if self.not_after < now_secs {
            return Err(CertProblem::Expired { subject: self.subject, at: self.not_after_text });
        }
        if self.not_before > now_secs {
            return Err(CertProblem::NotYetValid { subject: self.subject, at: self.not_before_text });
        }
        if let Some(cn) = self.merchant_number() {
            if cn != mch_id {
                return Err(CertProblem::OtherMerchant { cn: cn.to_owned() });
            }
        }
        Ok(self)
    }

    /// The common name when it is a merchant number (digits).
    pub fn merchant_number(&self) -> Option<&str> {
        self.common_name.as_deref().filter(|cn| !cn.is_empty() && cn.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The identity for reqwest (certificate chain + key, PEM).
    ///
    /// # Errors
    /// [`Error::Config`] if reqwest refuses it.
    pub fn reqwest_identity(&self) -> Result<reqwest::Identity> {
        reqwest::Identity::from_pem(&self.pem).map_err(|_| Error::Config("client certificate: reqwest refused the identity".into()))
    }
}
