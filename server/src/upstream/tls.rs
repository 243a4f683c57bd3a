//! The HTTP clients: rustls with the system roots plus, optionally, one extra CA file (the
//! simulator's), HTTPS only; the `secapi` one presents the merchant's client certificate. There
//! is no switch to turn verification off.

use std::path::Path;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use super::RetryPolicy;
use crate::client_cert::ClientIdentity;
use crate::error::{Error, Result};

/// Parses the certificates of a PEM file.
///
/// # Errors
/// A message when the PEM is malformed.
pub fn parse_pem_certs(pem: &[u8]) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_slice_iter(pem).collect::<std::result::Result<Vec<_>, _>>().map_err(|e| format!("bad PEM: {e}"))
}

/// A reqwest client over rustls that trusts the system roots and `ca_file`.
///
/// # Errors
/// [`Error::Config`] if the CA file cannot be read.
pub fn http_client(ca_file: Option<&Path>, policy: &RetryPolicy) -> Result<reqwest::Client> {
    builder(ca_file, policy)?.build().map_err(|e| Error::Config(format!("HTTP client: {e}")))
}

/// Like [`http_client`], presenting the merchant client certificate (for `secapi` only).
///
/// # Errors
/// [`Error::Config`] if the CA file cannot be read or the identity is refused.
pub fn secapi_client(ca_file: Option<&Path>, policy: &RetryPolicy, id: &ClientIdentity) -> Result<reqwest::Client> {
    builder(ca_file, policy)?
        .identity(id.reqwest_identity()?)
        .build()
        .map_err(|_| Error::Config("HTTP client with the client certificate could not be built".into()))
}

fn builder(ca_file: Option<&Path>, policy: &RetryPolicy) -> Result<reqwest::ClientBuilder> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_native_certs(true)
        .https_only(true)
        .timeout(policy.timeout)
        .connect_timeout(policy.connect_timeout)
        .user_agent(concat!("wxpay-server/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| Error::Config(format!("invalid setting WXPAY_CA_FILE: {e}")))?;
        for cert in
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| Error::Config("invalid setting WXPAY_CA_FILE: bad PEM".into()))?
        {
            b = b.add_root_certificate(cert);
        }
    }
    Ok(b)
}
