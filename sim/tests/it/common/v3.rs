//! API v3 from the merchant's side, with the core's v3 client (`wxpay::v3`): the merchant of
//! the ready line, WeChat's keys as an SDK would hold them, signed calls, and an HTTPS notify
//! receiver (v3 notify_urls are https://) with a certificate from the simulator's CA.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use wxpay::v3::{read_response, ApiV3Key, KeySet, Merchant, MerchantKey, Request, SignatureHeaders, SignedRequest};

use super::Sim;

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// An answer as received.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn signature_headers(&self) -> SignatureHeaders {
        SignatureHeaders::from_pairs(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The answer verified with `keys` and typed as `R`'s.
    pub fn read<R: Request>(&self, keys: &KeySet) -> wxpay::Result<R::Response>
    where
        R::Response: serde::de::DeserializeOwned,
    {
        read_response::<R>(keys, self.status, &self.signature_headers(), &self.body, now())
    }
}

impl Sim {
    /// The merchant of the ready line: appid, mch_id, `mch_serial`, `mch_private_key`.
    pub fn v3_merchant(&self) -> Merchant {
        let r = self.sim.ready();
        let key = MerchantKey::from_pem(&std::fs::read_to_string(&r.v3.mch_private_key).unwrap()).unwrap();
        Merchant::new(r.appid, r.mch_id, r.v3.mch_serial, key).unwrap()
    }

    pub fn api_v3_key(&self) -> ApiV3Key {
        ApiV3Key::new(&self.sim.ready().v3.apiv3_key).unwrap()
    }

    /// WeChat's keys from the ready line: the public key and/or the current certificate.
    pub fn v3_keys(&self) -> KeySet {
        let v3 = self.sim.ready().v3;
        let mut keys = KeySet::new();
        if let (Some(file), Some(id)) = (&v3.wechatpay_public_key, &v3.wechatpay_public_key_id) {
            keys.add_public_key(id, &std::fs::read_to_string(file).unwrap()).unwrap();
        }
        if let Some(file) = &v3.platform_certificate {
            keys.add_certificate_pem(&std::fs::read_to_string(file).unwrap()).unwrap();
        }
        keys
    }

    /// Sends a signed request as it was signed.
    pub async fn v3_send(&self, signed: &SignedRequest) -> Answer {
        self.v3_raw(signed.method, &signed.path_and_query, &signed.body, &signed.authorization, signed.wechatpay_serial.as_deref()).await
    }

    /// Signs `req` now (the `Wechatpay-Serial` the key set picks) and sends it.
    pub async fn v3_call<R: Request>(&self, keys: &KeySet, req: &R) -> Answer {
        let signed = self.v3_merchant().sign_request_with_keys(keys, req, now(), &wxpay::nonce_str().unwrap()).unwrap();
        self.v3_send(&signed).await
    }

    /// Signs `req` now, naming `serial` as `Wechatpay-Serial` (or none).
    pub async fn v3_call_with_serial<R: Request>(&self, serial: Option<&str>, req: &R) -> Answer {
        let mut signed = self.v3_merchant().sign_request(req, now(), &wxpay::nonce_str().unwrap()).unwrap();
        signed.wechatpay_serial = serial.map(str::to_owned);
        self.v3_send(&signed).await
    }

    /// Any request, as given.
    pub async fn v3_raw(&self, method: &str, path_and_query: &str, body: &str, authorization: &str, serial: Option<&str>) -> Answer {
        let url = format!("{}{path_and_query}", self.sim.base_url());
        let mut req = self
            .https
            .request(method.parse().unwrap(), url)
            .header("authorization", authorization)
            .header("accept", "application/json")
            .header("content-type", "application/json");
        if let Some(s) = serial {
            req = req.header("wechatpay-serial", s);
        }
        if !body.is_empty() {
            req = req.body(body.to_owned());
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
        Answer { status, headers, body: r.bytes().await.unwrap().to_vec() }
    }

    /// Signs and sends a request with a raw body (`method`, `path_and_query`, `body`).
    pub async fn v3_signed_raw(&self, method: &str, path_and_query: &str, body: &str) -> Answer {
        let (ts, nonce) = (now(), wxpay::nonce_str().unwrap());
        let auth = self.v3_merchant().authorization(method, path_and_query, ts, &nonce, body).unwrap();
        self.v3_raw(method, path_and_query, body, &auth, None).await
    }
}

/// One notify as received: its headers and body.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn signature_headers(&self) -> SignatureHeaders {
        SignatureHeaders::from_pairs(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

type Reply = Arc<dyn Fn(&Received) -> u16 + Send + Sync>;

/// A merchant's HTTPS notify endpoint (`https://127.0.0.1:PORT/notify`, with the simulator's
/// server certificate): keeps every notify and answers what `reply` says.
pub struct TlsReceiver {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Received>>>,
}

pub async fn tls_receiver(sim: &Sim, reply: impl Fn(&Received) -> u16 + Send + Sync + 'static) -> TlsReceiver {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let state = sim.dir.path().join("state");
    let cert = CertificateDer::from_pem_file(state.join("server_cert.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_file(state.join("server_key.pem")).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let reply: Reply = Arc::new(reply);
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/notify",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (log, reply) = (log.clone(), reply.clone());
            async move {
                let headers = headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
                let r = Received { headers, body };
                let status = reply(&r);
                log.lock().unwrap().push(r);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://127.0.0.1:{}/notify", l.local_addr().unwrap().port());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = l.accept().await else { return };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    let svc = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(tls), svc).await;
                }
            });
        }
    });
    TlsReceiver { url, seen }
}

impl TlsReceiver {
    pub fn all(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (bounded) until `n` notifies arrived.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let all = self.all();
            if all.len() >= n {
                return all;
            }
            assert!(std::time::Instant::now() < deadline, "only {} of {n} notifies within {limit:?}", all.len());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Waits (bounded) until `cond` holds.
pub async fn wait_until(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
