//! The simulator's PKI and HTTPS listener: a CA generated at start (its certificate is written
//! where the server can trust it through `WXPAY_CA_FILE`) and a server certificate for
//! `localhost` / `127.0.0.1` / `::1` signed by it. rustls with the ring provider; the refund
//! issue will add a client-certificate verifier here for `/secapi/pay/refund`.

use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// A freshly generated CA and the TLS configuration of the simulator.
pub struct Pki {
    /// The CA certificate, PEM (what `WXPAY_CA_FILE` points at).
    pub ca_pem: String,
    /// rustls configuration serving the CA-signed certificate.
    pub server_config: Arc<ServerConfig>,
}

/// Generates the CA and the server certificate.
///
/// # Errors
/// rcgen or rustls failures, as text.
pub fn generate() -> Result<Pki, String> {
    let e = |e: rcgen::Error| e.to_string();
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "wxpay sandbox CA (generated, for tests only)");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(e)?;

    let key = KeyPair::generate().map_err(e)?;
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()]).map_err(e)?;
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    let cert = params.signed_by(&key, &ca).map_err(e)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Pki { ca_pem: ca.pem(), server_config: Arc::new(config) })
}

/// Serves `router` over TLS on `listener` until `stop` turns true.
pub async fn serve(listener: TcpListener, router: Router, config: Arc<ServerConfig>, mut stop: watch::Receiver<bool>) {
    let acceptor = TlsAcceptor::from(config);
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox accept failed");
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::debug!(error = %e, "sandbox TLS handshake failed");
                    return;
                }
            };
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), TowerToHyperService::new(router));
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => if let Err(e) = r { tracing::debug!(error = %e, "sandbox connection ended") },
                _ = stop.changed() => conn.as_mut().graceful_shutdown(),
            }
        });
    }
}
