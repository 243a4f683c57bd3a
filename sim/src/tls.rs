//! The listener. One port serves both:
//!
//! - HTTPS (rustls, ring): WeChat's APIs, the simulated WeChat client (`/sandbox/…`) and the
//!   control API. Each request is told whether its connection presented a client certificate
//!   that verified against the CA ([`ClientCert`]).
//! - plain HTTP on loopback: the control API and its page only, so a person can open the
//!   control URL in a browser without trusting the CA first. Nothing of WeChat's answers there.
//!
//! The first byte tells them apart: a TLS connection starts with a handshake record (0x16).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// Whether the connection presented a client certificate that verified against the CA.
#[derive(Debug, Clone, Copy)]
pub struct ClientCert(pub bool);

/// Cuts the request's connection when notified: the connection is dropped (TCP closed, no TLS
/// close_notify) without an answer, whatever its request is doing (the dropped-connection fault).
#[derive(Debug, Clone, Default)]
pub struct CutConnection(pub Arc<tokio::sync::Notify>);

/// TLS record type of a handshake: the first byte of every TLS connection.
const TLS_HANDSHAKE: u8 = 0x16;

/// How long a connection may stay silent before its first byte.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `tls_router` over TLS and `plain_router` over plain HTTP on `listener` until `stop`
/// turns true; then connections finish their requests in flight.
pub(crate) async fn serve(
    listener: TcpListener,
    tls_router: Router,
    plain_router: Router,
    config: Arc<ServerConfig>,
    mut stop: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(config);
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        // TLS writes each answer in several records: without this, Nagle's algorithm holds the
        // last one until the client's delayed ACK (tens of milliseconds a call).
        let _ = tcp.set_nodelay(true);
        let (acceptor, tls_router, plain_router, stop) = (acceptor.clone(), tls_router.clone(), plain_router.clone(), stop.clone());
        tokio::spawn(async move {
            let mut first = [0u8; 1];
            match tokio::time::timeout(FIRST_BYTE_TIMEOUT, tcp.peek(&mut first)).await {
                Ok(Ok(1)) => {}
                _ => return,
            }
            if first[0] == TLS_HANDSHAKE {
                serve_tls(tcp, acceptor, tls_router, stop).await;
            } else {
                let cut = CutConnection::default();
                let router = plain_router.layer(axum::Extension(ClientCert(false))).layer(axum::Extension(cut.clone()));
                connection(TokioIo::new(tcp), router, stop, cut).await;
            }
        });
    }
}

async fn serve_tls(tcp: TcpStream, acceptor: TlsAcceptor, router: Router, stop: watch::Receiver<bool>) {
    let tls = match acceptor.accept(tcp).await {
        Ok(t) => t,
        Err(e) => {
            tracing::debug!(error = %e, "TLS handshake failed");
            return;
        }
    };
    // rustls has verified a presented certificate against the CA, or refused the handshake.
    let presented = tls.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty());
    let cut = CutConnection::default();
    let router = router.layer(axum::Extension(ClientCert(presented))).layer(axum::Extension(cut.clone()));
    connection(TokioIo::new(tls), router, stop, cut).await;
}

async fn connection<I>(io: TokioIo<I>, router: Router, mut stop: watch::Receiver<bool>, cut: CutConnection)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, TowerToHyperService::new(router));
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => if let Err(e) = r { tracing::debug!(error = %e, "connection ended") },
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.as_mut().await;
        }
        // Dropping the connection future closes the socket with no answer written.
        _ = cut.0.notified() => tracing::info!("connection dropped (fault)"),
    }
}
