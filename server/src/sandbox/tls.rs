//! The simulator's PKI and HTTPS listener: a CA generated at start (its certificate is written
//! where the server can trust it through `WXPAY_CA_FILE`) and a server certificate for
//! `localhost` / `127.0.0.1` / `::1` signed by it, and the merchant's client certificate (CN =
//! mch_id) for `/secapi/…`. rustls with the ring provider. Client certificates are requested
//! on every connection and verified against the CA when presented (WeChat uses one host for
//! everything); each request is told whether a verified one was presented ([`ClientCert`]),
//! and `/secapi/…` refuses calls without.

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

/// Whether the connection presented a client certificate that verified against the CA.
#[derive(Debug, Clone, Copy)]
pub struct ClientCert(pub bool);

/// Cuts the request's connection when notified: the connection is dropped (TCP closed, no TLS
/// close_notify) without an answer, whatever its request is doing (the `drop_connections` fault).
#[derive(Debug, Clone, Default)]
pub struct CutConnection(pub Arc<tokio::sync::Notify>);

/// A freshly generated CA and the TLS configuration of the simulator.
pub struct Pki {
    /// The CA certificate, PEM (what `WXPAY_CA_FILE` points at).
    pub ca_pem: String,
    /// The merchant's client certificate (`apiclient_cert.pem`).
    pub client_cert_pem: String,
    /// Its key, PKCS#8 PEM (`apiclient_key.pem`).
    pub client_key_pem: String,
    /// The certificate, DER (for the `.p12`).
    pub client_cert_der: Vec<u8>,
    /// The key, PKCS#8 DER (for the `.p12`).
    pub client_key_der: Vec<u8>,
    /// rustls configuration serving the CA-signed certificate.
    pub server_config: Arc<ServerConfig>,
}

/// Generates the CA and the server certificate.
///
/// # Errors
/// rcgen or rustls failures, as text.
pub fn generate(mch_id: &str) -> Result<Pki, String> {
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

    // The merchant certificate, as the merchant platform issues it (CN = mch_id; ECDSA here, RSA at WeChat).
    let client_key = KeyPair::generate().map_err(e)?;
    let mut cparams = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    cparams.distinguished_name.push(DnType::CommonName, mch_id);
    cparams.distinguished_name.push(DnType::OrganizationName, "wxpay sandbox merchant");
    cparams.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    cparams.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    let client = cparams.signed_by(&client_key, &ca).map_err(e)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).map_err(|e| e.to_string())?;
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(|e| e.to_string())?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![cert.der().clone(), ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Pki {
        ca_pem: ca.pem(),
        client_cert_pem: client.pem(),
        client_key_pem: client_key.serialize_pem(),
        client_cert_der: client.der().to_vec(),
        client_key_der: client_key.serialize_der(),
        server_config: Arc::new(config),
    })
}

/// A PKCS#12 file of the client certificate and key (AES-256, HMAC-SHA256), as the
/// merchant platform's newer files are.
///
/// # Errors
/// Encoding failures, as text.
pub fn client_p12(pki: &Pki, password: &str) -> Result<Vec<u8>, String> {
    let cert = p12_keystore::Certificate::from_der(&pki.client_cert_der).map_err(|e| e.to_string())?;
    let key = p12_keystore::PrivateKey::from_der(&pki.client_key_der).map_err(|e| e.to_string())?;
    let chain = p12_keystore::PrivateKeyChain::new(b"1".to_vec(), key, vec![cert]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry("apiclient", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    store.writer(password).write().map_err(|e| e.to_string())
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
        // TLS writes each answer in several records: without this, Nagle's algorithm holds the
        // last one until the client's delayed ACK (tens of milliseconds a call).
        let _ = tcp.set_nodelay(true);
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
            let presented = tls.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty());
            let cut = CutConnection::default();
            let router = router.layer(axum::Extension(ClientCert(presented))).layer(axum::Extension(cut.clone()));
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), TowerToHyperService::new(router));
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => if let Err(e) = r { tracing::debug!(error = %e, "sandbox connection ended") },
                _ = stop.changed() => conn.as_mut().graceful_shutdown(),
                // Dropping the connection future closes the socket with no answer written.
                _ = cut.0.notified() => tracing::info!("sandbox: connection dropped (fault)"),
            }
        });
    }
}
