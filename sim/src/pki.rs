//! The simulator's certificates: a CA, the HTTPS server certificate for `localhost` /
//! `127.0.0.1` / `::1` it signs, and the merchant's client certificate (CN = mch_id, as the
//! merchant platform issues it) for `/secapi/…`, as PEM and PKCS#12 (password: the mch_id).
//! Its key is RSA 2048, as WeChat's `apiclient_key.pem` is, and is also the merchant's API v3
//! key; the certificate's serial (40 hex digits) is the v3 `serial_no`.
//!
//! Everything is kept in the state directory and reused at the next start, so an SDK that
//! trusts `ca.pem` and holds `apiclient_cert.*` keeps working across restarts. The client
//! certificate is issued again (by the same CA) only when the mch_id changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};
use crate::files::{read_optional, write_private, write_public};

/// Where the certificates are, and the TLS configuration serving them.
pub struct Pki {
    /// The CA certificate to trust (`ca.pem`).
    pub ca_file: PathBuf,
    /// The merchant client certificate (`apiclient_cert.pem`).
    pub client_cert: PathBuf,
    /// Its key, PKCS#8 PEM (`apiclient_key.pem`).
    pub client_key: PathBuf,
    /// Both as PKCS#12 (`apiclient_cert.p12`, password: the mch_id).
    pub client_p12: PathBuf,
    /// The client certificate's serial, upper-case hex: the merchant's v3 `serial_no`.
    pub mch_serial: String,
    /// The client key (PKCS#8 PEM), the merchant's v3 API key.
    pub(crate) client_key_pem: String,
    /// rustls configuration: the server certificate, client certificates requested and verified.
    pub(crate) server_config: Arc<ServerConfig>,
}

fn pki_error(e: impl std::fmt::Display) -> Error {
    Error::Pki(e.to_string())
}

/// The CA's name and uses: the same every time, so a CA key read back from the state directory
/// issues certificates that chain to the CA certificate written there.
fn ca_params() -> Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(pki_error)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, "wxpay-sim CA (generated, for tests only)");
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(p)
}

fn server_params() -> Result<CertificateParams> {
    let mut p = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()]).map_err(pki_error)?;
    p.distinguished_name.push(DnType::CommonName, "localhost");
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    Ok(p)
}

fn client_params(mch_id: &str) -> Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(pki_error)?;
    p.distinguished_name.push(DnType::CommonName, mch_id);
    p.distinguished_name.push(DnType::OrganizationName, "wxpay-sim merchant");
    p.serial_number = Some(rcgen::SerialNumber::from_slice(&crate::rsakey::serial_bytes()));
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    Ok(p)
}

struct Files {
    ca_cert: PathBuf,
    ca_key: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
    client_p12: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Self {
        Files {
            ca_cert: dir.join("ca.pem"),
            ca_key: dir.join("ca_key.pem"),
            server_cert: dir.join("server_cert.pem"),
            server_key: dir.join("server_key.pem"),
            client_cert: dir.join("apiclient_cert.pem"),
            client_key: dir.join("apiclient_key.pem"),
            client_p12: dir.join("apiclient_cert.p12"),
        }
    }
}

/// Loads the certificates kept in `dir`, making what is missing. `issued_for` is the mch_id the
/// kept client certificate was issued to (from the kept credentials), if any.
///
/// # Errors
/// I/O, or unreadable kept files.
pub fn prepare(dir: &Path, mch_id: &str, issued_for: Option<&str>) -> Result<Pki> {
    std::fs::create_dir_all(dir).map_err(Error::file(dir))?;
    let f = Files::in_dir(dir);
    let (ca_pem, ca_key, fresh_ca) = match (read_optional(&f.ca_cert)?, read_optional(&f.ca_key)?) {
        (Some(cert), Some(key)) => (cert, KeyPair::from_pem(&key).map_err(|e| pki_error(format!("{}: {e}", f.ca_key.display())))?, false),
        _ => {
            let key = KeyPair::generate().map_err(pki_error)?;
            let cert = ca_params()?.self_signed(&key).map_err(pki_error)?;
            write_private(&f.ca_key, key.serialize_pem().as_bytes())?;
            write_public(&f.ca_cert, cert.pem().as_bytes())?;
            tracing::info!(dir = %dir.display(), "a new CA was generated");
            (cert.pem(), key, true)
        }
    };
    let issuer = Issuer::new(ca_params()?, &ca_key);
    let issue = |params: CertificateParams, cert_path: &Path, key_path: &Path, rsa: bool| -> Result<(String, String)> {
        let key_pem = if rsa { crate::rsakey::generate()?.0 } else { KeyPair::generate().map_err(pki_error)?.serialize_pem() };
        let key = KeyPair::from_pem(&key_pem).map_err(pki_error)?;
        let cert = params.signed_by(&key, &issuer).map_err(pki_error)?;
        write_private(key_path, key_pem.as_bytes())?;
        write_public(cert_path, cert.pem().as_bytes())?;
        Ok((cert.pem(), key_pem))
    };
    let kept = |cert: &Path, key: &Path| -> Result<Option<(String, String)>> {
        Ok(match (read_optional(cert)?, read_optional(key)?) {
            (Some(c), Some(k)) => Some((c, k)),
            _ => None,
        })
    };
    let (server_cert, server_key) = match kept(&f.server_cert, &f.server_key)? {
        Some(pair) if !fresh_ca => pair,
        _ => issue(server_params()?, &f.server_cert, &f.server_key, false)?,
    };
    let same_merchant = issued_for == Some(mch_id);
    // A key kept from before the merchant key was RSA (ECDSA) is replaced: v3 needs RSA.
    let client_kept = kept(&f.client_cert, &f.client_key)?
        .filter(|(_, key)| !fresh_ca && same_merchant && f.client_p12.exists() && crate::rsakey::is_rsa(key));
    let (client_cert_pem, client_key_pem) = match client_kept {
        Some(pair) => pair,
        None => {
            let (cert, key) = issue(client_params(mch_id)?, &f.client_cert, &f.client_key, true)?;
            write_private(&f.client_p12, &client_p12(&cert, &key, mch_id)?)?;
            (cert, key)
        }
    };
    let mch_serial = wxpay::v3::PlatformCertificate::from_pem(&client_cert_pem)
        .map_err(|e| pki_error(format!("{}: {e}", f.client_cert.display())))?
        .serial_no;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let ca_der = CertificateDer::from_pem_slice(ca_pem.as_bytes()).map_err(|e| pki_error(format!("{}: {e}", f.ca_cert.display())))?;
    let server_der =
        CertificateDer::from_pem_slice(server_cert.as_bytes()).map_err(|e| pki_error(format!("{}: {e}", f.server_cert.display())))?;
    let server_key_der =
        PrivateKeyDer::from_pem_slice(server_key.as_bytes()).map_err(|e| pki_error(format!("{}: {e}", f.server_key.display())))?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der.clone()).map_err(pki_error)?;
    // WeChat serves everything on one host: a client certificate is asked of every connection,
    // verified when presented, and only /secapi/… refuses a call without one.
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(pki_error)?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(pki_error)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server_der, ca_der], server_key_der)
        .map_err(pki_error)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Pki {
        ca_file: f.ca_cert,
        client_cert: f.client_cert,
        client_key: f.client_key,
        client_p12: f.client_p12,
        mch_serial,
        client_key_pem,
        server_config: Arc::new(config),
    })
}

/// A PKCS#12 file of the client certificate and key (AES-256, HMAC-SHA256), as the merchant
/// platform's newer files are.
fn client_p12(cert_pem: &str, key_pem: &str, password: &str) -> Result<Vec<u8>> {
    let cert_der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(pki_error)?;
    let key_der = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(pki_error)?;
    let cert = p12_keystore::Certificate::from_der(&cert_der).map_err(pki_error)?;
    let chain = p12_keystore::PrivateKeyChain::new(key_der.secret_der(), b"1", vec![cert]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry("apiclient", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    store.writer(password).write().map_err(pki_error)
}
