//! The simulator in-process on loopback, and clients that reach it as an SDK does: TLS
//! verified against its CA, with or without its merchant client certificate.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;
use wxpay::{ApiKey, Fen, Merchant, Params, Request, UnifiedOrder};
use wxpay_sim::{Clock, SimConfig, Simulator};

pub struct Sim {
    pub dir: TempDir,
    pub sim: Simulator,
    /// TLS verified against the simulator's CA, no client certificate.
    pub https: reqwest::Client,
    /// The same, with the merchant client certificate.
    pub mtls: reqwest::Client,
    /// Plain HTTP (the control API).
    pub http: reqwest::Client,
}

pub mod v3;

pub async fn start(time_scale: f64) -> Sim {
    start_with(time_scale, Clock::system(), |_| {}).await
}

/// As [`start`], with the simulator's clock and the configuration changed by `change`.
pub async fn start_with(time_scale: f64, clock: Clock, change: impl FnOnce(&mut SimConfig)) -> Sim {
    let dir = tempfile::tempdir().unwrap();
    // The simulator's template, made once for the binary (wxpay_sim::copy_template): its CA,
    // certificates and RSA keys of every key mode, about 0.8 s of key generation a start otherwise.
    wxpay_sim::copy_template(env!("CARGO_TARGET_TMPDIR").as_ref(), &dir.path().join("state")).await.expect("a copy of the template");
    start_in(dir, time_scale, clock, change).await
}

async fn start_in(dir: TempDir, time_scale: f64, clock: Clock, change: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut config = SimConfig::new(dir.path().join("state"));
    config.time_scale = time_scale;
    change(&mut config);
    let sim = Simulator::start(config, clock).await.expect("the simulator starts");
    let ca = reqwest::Certificate::from_pem(&std::fs::read(sim.ca_file()).unwrap()).unwrap();
    let base = || {
        reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca.clone())
            .timeout(Duration::from_secs(20))
    };
    let mut pem = std::fs::read(sim.client_cert_file()).unwrap();
    pem.extend(std::fs::read(sim.client_key_file()).unwrap());
    let mtls = base().identity(reqwest::Identity::from_pem(&pem).unwrap()).build().unwrap();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    Sim { https: base().build().unwrap(), mtls, http, sim, dir }
}

impl Sim {
    pub fn merchant(&self) -> Merchant {
        let c = self.sim.credentials();
        Merchant::new(c.appid.clone(), c.mch_id.clone(), ApiKey::new(c.api_key.expose()).unwrap())
    }

    /// POSTs XML to a WeChat path → the answer's fields.
    pub async fn post_xml(&self, client: &reqwest::Client, path: &str, body: String) -> Params {
        let text = client.post(format!("{}{path}", self.sim.base_url())).body(body).send().await.unwrap().text().await.unwrap();
        wxpay::xml::decode(text.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e:?}: {text}"))
    }

    pub async fn call<R: Request>(&self, req: &R) -> Params {
        let client = if R::PATH.starts_with("/secapi") { &self.mtls } else { &self.https };
        self.post_xml(client, R::PATH, self.merchant().request_xml(req, &wxpay::nonce_str().unwrap()).unwrap()).await
    }

    /// A JSAPI order for a fresh user, placed → prepay_id.
    pub async fn place(&self, no: &str, fee: u64, notify_url: &str) -> String {
        let (_, openid) = self.sim.issue_code(None);
        let answer = self.call(&UnifiedOrder::new("Test", no, Fen::new(fee), "127.0.0.1", notify_url, openid)).await;
        assert_eq!(answer["result_code"], "SUCCESS", "{answer:?}");
        answer["prepay_id"].clone()
    }

    /// A control API call → (status, JSON).
    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.sim.control_url()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn pay(&self, no: &str) -> Value {
        let (status, v) = self.control(reqwest::Method::POST, &format!("/orders/{no}/pay"), Some(serde_json::json!({}))).await;
        assert_eq!(status, 200, "{v}");
        v
    }
}

/// A merchant's notify endpoint: answers FAIL to the first `fails` notifies, then SUCCESS;
/// keeps every body with the instant it arrived.
pub struct Receiver {
    pub url: String,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<(std::time::Instant, String)>>>,
}

pub async fn receiver(fails: usize) -> Receiver {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<(std::time::Instant, String)>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/notify",
        axum::routing::post(move |body: String| {
            let log = log.clone();
            async move {
                let n = {
                    let mut l = log.lock().unwrap();
                    l.push((std::time::Instant::now(), body));
                    l.len()
                };
                wxpay::notify::reply(n > fails, if n > fails { "OK" } else { "busy" }).unwrap()
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    Receiver { url, seen }
}

impl Receiver {
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Waits (bounded) until `n` notifies arrived.
    pub async fn wait_for(&self, n: usize, limit: Duration) {
        let deadline = std::time::Instant::now() + limit;
        while self.count() < n {
            assert!(std::time::Instant::now() < deadline, "only {} of {n} notifies within {limit:?}", self.count());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
