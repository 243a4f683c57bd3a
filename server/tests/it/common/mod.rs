//! The end-to-end harness: the simulator and one or more server instances on loopback,
//! sharing a SQLite file or a fresh PostgreSQL database, and a shifted-on-demand clock.
#![allow(dead_code)]

/// Mounts cases written once (`*_cases.rs`) as tests on one backend: each cases module lists its
/// cases once in a macro (`notify_cases!`, …) that calls this one, and each backend's test file
/// defines `async fn harness(tweak: fn(&mut Config)) -> Harness` and invokes that macro, with
/// `#[ignore = "…"]` where the backend needs a server (tests/it/postgres.rs). A case that needs a
/// setting changed names its tweak: `case = tweak_fn`.
#[macro_export]
macro_rules! mount_cases {
    (@tweak) => { |_: &mut wxpay_server::Config| {} };
    (@tweak $tweak:expr) => { $tweak };
    ($module:ident [$($attr:tt)*] :) => {};
    ($module:ident [$($attr:tt)*] : $case:ident $(= $tweak:expr)? $(, $($rest:tt)*)?) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $($attr)*
        async fn $case() {
            common::$module::$case(&harness($crate::mount_cases!(@tweak $($tweak)?)).await).await;
        }
        $crate::mount_cases!($module [$($attr)*] : $($($rest)*)?);
    };
}

#[macro_use]
pub mod admin_cases;
pub mod fixtures;
pub mod link;
#[macro_use]
pub mod notify_cases;
#[macro_use]
pub mod refund_cases;
#[macro_use]
pub mod stock_cases;
pub mod wire;

use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tempfile::TempDir;
use wxpay::{ApiKey, Merchant, Params};
use wxpay_server::api::ApiVersion;
use wxpay_server::db::AuditRow;
use wxpay_server::sandbox::sim_clock;
use wxpay_server::{AppState, Clock, Config};
use wxpay_sim::{SimConfig, Simulator};

pub use wxpay_server::sandbox::{server_config, server_config_v3};

/// The admin token every harness server is configured with.
pub const ADMIN_TOKEN: &str = "admin-token-for-tests-0123456789";

/// Every wait in the tests is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Fails the test instead of hanging.
pub async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, f).await.unwrap_or_else(|_| panic!("{what} did not finish within {LIMIT:?}"))
}

pub struct Server {
    pub url: String,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub struct Options {
    /// `None`: a SQLite file in the temp dir.
    pub database_url: Option<String>,
    pub instances: usize,
    /// Point the primary Pay base at a closed port.
    pub primary_down: bool,
    pub tweak: fn(&mut Config),
    /// Per instance: reach the simulator's Pay API through this link (both bases), so that
    /// failures can be injected on one instance only.
    pub links: Vec<Option<link::Link>>,
    /// The merchant's API: v2 (the simulator's API key and client certificate) or v3 alone (its
    /// RSA key, the APIv3 key, and WeChat's keys as `v3_keys` says).
    pub api: ApiVersion,
    /// The simulator's `--v3-keys`.
    pub v3_keys: wxpay_sim::KeyMode,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            database_url: None,
            instances: 1,
            primary_down: false,
            tweak: |_| {},
            links: Vec::new(),
            api: ApiVersion::V2,
            v3_keys: wxpay_sim::KeyMode::PublicKey,
        }
    }
}

pub struct Harness {
    /// The API the servers were started in.
    pub api: ApiVersion,
    pub dir: TempDir,
    pub clock: Clock,
    pub sandbox: Simulator,
    pub servers: Vec<Server>,
    pub http: reqwest::Client,
    pub wechat: reqwest::Client,
}

/// A fresh PostgreSQL database on the server of `base` (a `postgres://…/postgres` URL).
pub async fn fresh_postgres_db(base: &str) -> String {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let name = format!("wxpay_t_{}", wxpay::nonce_str().unwrap()[..12].to_ascii_lowercase());
    let mut conn = sqlx::AnyConnection::connect(base).await.expect("connect to PostgreSQL");
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
    let (head, _) = base.rsplit_once('/').expect("URL with a database");
    format!("{head}/{name}")
}

/// A simulator's state directory in `dir`, copied from the template made once per test process
/// (`wxpay_sim::copy_template`): the CA, the certificates and the RSA keys of every key mode
/// (about 0.8 s of key generation per simulator otherwise, in every one of some two hundred
/// tests). Each simulator still keeps its own state; they share throwaway test keys.
async fn sim_state(dir: &std::path::Path) {
    wxpay_sim::copy_template(env!("CARGO_TARGET_TMPDIR").as_ref(), dir).await.expect("a copy of the template");
}

/// A simulator alone (no server), from the template, on the system clock: its directory and
/// the simulator.
pub async fn simulator(v3_keys: wxpay_sim::KeyMode) -> (TempDir, Simulator) {
    let dir = tempfile::tempdir().unwrap();
    sim_state(&dir.path().join("sandbox")).await;
    let mut sc = SimConfig::new(dir.path().join("sandbox"));
    sc.v3_keys = v3_keys;
    let sim = Simulator::start(sc, wxpay_sim::Clock::system()).await.expect("the simulator starts");
    (dir, sim)
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(Options::default()).await
    }

    pub async fn start_with(opts: Options) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::system();
        sim_state(&dir.path().join("sandbox")).await;
        let mut sc = SimConfig::new(dir.path().join("sandbox"));
        sc.time_scale = 1000.0;
        sc.v3_keys = opts.v3_keys;
        let sandbox = Simulator::start(sc, sim_clock(&clock)).await.expect("sandbox starts");
        let database_url =
            opts.database_url.clone().unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.path().join("wxpay.db").display()));
        let mut servers = Vec::new();
        let dead = closed_port().await;
        let sim_addr: std::net::SocketAddr = sandbox.base_url().trim_start_matches("https://").parse().unwrap();
        for l in opts.links.iter().flatten() {
            l.set_target(sim_addr);
        }
        for i in 0..opts.instances.max(1) {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            // Every instance gets the same public URL (the first one), as behind a balancer.
            let public = servers.first().map(|s: &Server| s.url.clone()).unwrap_or_else(|| url.clone());
            let mut config = match opts.api {
                ApiVersion::V2 => server_config(&sandbox, &public),
                ApiVersion::V3 => server_config_v3(&sandbox, &public),
            };
            config.database_url = Some(database_url.clone());
            config.upstream_backoff_ms = Some(10);
            config.upstream_timeout_ms = Some(5_000);
            config.order_ttl_secs = Some(600);
            config.admin_token = Some(ADMIN_TOKEN.into());
            if opts.primary_down {
                config.api_base = Some(format!("https://127.0.0.1:{dead}"));
            }
            if let Some(Some(l)) = opts.links.get(i) {
                config.api_base = Some(l.url());
                config.api_backup_base = Some(l.url());
            }
            (opts.tweak)(&mut config);
            let settings = config.settings().expect("valid settings");
            let state = AppState::connect(settings, clock.clone(), None).await.expect("server state");
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(wxpay_server::serve(listener, state.clone(), async {
                let _ = rx.await;
            }));
            servers.push(Server { url, state, stop: Some(tx) });
        }
        let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
        let ca = std::fs::read(sandbox.ca_file()).unwrap();
        let wechat = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Harness { api: opts.api, dir, clock, sandbox, servers, http, wechat }
    }

    pub fn url(&self) -> &str {
        &self.servers[0].url
    }

    /// Stops every instance and starts as many again on the same database, in `api` (its
    /// settings as the harness makes them, then `tweak`): a restart after a configuration change.
    pub async fn restart(&mut self, api: ApiVersion, tweak: fn(&Simulator, &mut Config)) {
        let n = self.servers.len();
        let database_url = self.state().settings.database_url.clone();
        self.servers.clear();
        for _ in 0..n {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let public = self.servers.first().map(|s: &Server| s.url.clone()).unwrap_or_else(|| url.clone());
            let mut config = match api {
                ApiVersion::V2 => server_config(&self.sandbox, &public),
                ApiVersion::V3 => server_config_v3(&self.sandbox, &public),
            };
            config.database_url = Some(database_url.clone());
            config.upstream_backoff_ms = Some(10);
            config.upstream_timeout_ms = Some(5_000);
            config.order_ttl_secs = Some(600);
            config.admin_token = Some(ADMIN_TOKEN.into());
            tweak(&self.sandbox, &mut config);
            let settings = config.settings().expect("valid settings");
            let state = AppState::connect(settings, self.clock.clone(), None).await.expect("server state");
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(wxpay_server::serve(listener, state.clone(), async {
                let _ = rx.await;
            }));
            self.servers.push(Server { url, state, stop: Some(tx) });
        }
        self.api = api;
    }

    pub fn state(&self) -> &AppState {
        &self.servers[0].state
    }

    /// The merchant as WeChat knows it (same key as the server).
    pub fn merchant(&self) -> Merchant {
        let c = self.sandbox.credentials();
        Merchant::new(c.appid.clone(), c.mch_id.clone(), ApiKey::new(c.api_key.expose()).unwrap())
    }

    /// wx.login() + POST /api/login → (token, openid).
    pub async fn login(&self) -> (String, String) {
        let (code, openid) = self.sandbox.issue_code(None);
        let (status, v) = self.post_json("/api/login", None, json!({ "code": code })).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        (v["token"].as_str().unwrap().to_owned(), openid)
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = self.http.post(format!("{}{path}", self.url())).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = bounded(path, req.send()).await.expect("server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(format!("{}{path}", self.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = bounded(path, req.send()).await.expect("server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// POST /api/orders, expecting success.
    pub async fn order(&self, token: &str, product_id: i64, quantity: i64) -> Value {
        let (status, v) = self.post_json("/api/orders", Some(token), json!({ "product_id": product_id, "quantity": quantity })).await;
        assert!(status.is_success(), "{status} {v}");
        v
    }

    /// wx.requestPayment through the simulated client.
    pub async fn pay(&self, payment: &Value) -> (StatusCode, Value) {
        let url = format!("{}/sandbox/requestPayment", self.sandbox.base_url());
        let resp = bounded("requestPayment", self.wechat.post(url).json(payment).send()).await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }

    /// Polls the order detail until it has `status` (bounded).
    pub async fn wait_status(&self, token: &str, no: &str, status: &str) -> Value {
        for _ in 0..400 {
            let (_, v) = self.get_json(&format!("/api/orders/{no}"), Some(token)).await;
            if v["status"] == status {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("order {no} never became {status}");
    }

    /// Polls the database (not WeChat) until the order has `status` (bounded): proves the
    /// notify did it, not an orderquery.
    pub async fn wait_stored_status(&self, no: &str, status: &str) {
        for _ in 0..400 {
            if self.stored_status(no).await == status {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("order {no} never became {status} in the database");
    }

    /// Polls until the simulator has recorded an acknowledged notify delivery (bounded).
    pub async fn wait_acknowledged(&self, no: &str) -> Vec<wxpay_sim::Delivery> {
        for _ in 0..400 {
            let d = self.sandbox.deliveries(no);
            if d.iter().any(|d| d.acknowledged) {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no acknowledged notify for {no}: {:?}", self.sandbox.deliveries(no));
    }

    /// The stored status, read without asking WeChat.
    pub async fn stored_status(&self, no: &str) -> String {
        self.state().db.orders().get(no).await.unwrap().expect("order exists").status.as_str().to_owned()
    }

    pub async fn audit(&self, no: &str) -> Vec<AuditRow> {
        self.state().db.audit().of("order", no).await.unwrap()
    }

    /// The audit trail of an order its payer created and paid, PAID by the notify: created,
    /// prepaid, paid, nothing else.
    pub async fn assert_paid_by_notify(&self, no: &str, openid: &str) {
        let actions: Vec<(String, String)> = self.audit(no).await.into_iter().map(|a| (a.action, a.actor)).collect();
        let user = format!("user:{openid}");
        assert_eq!(
            actions,
            [
                ("order.created".to_owned(), user.clone()),
                ("order.prepaid".to_owned(), user),
                ("order.paid".to_owned(), "wechat:notify".to_owned())
            ]
        );
    }

    pub async fn paid_transitions(&self, no: &str) -> usize {
        self.audit(no).await.iter().filter(|a| a.action == "order.paid").count()
    }

    /// POSTs raw bytes to an instance's /wxpay/notify → (status, body).
    pub async fn post_notify(&self, instance: usize, body: Vec<u8>) -> (StatusCode, String) {
        let url = format!("{}/wxpay/notify", self.servers[instance].url);
        let resp = bounded("notify", self.http.post(url).header("content-type", "text/xml").body(body).send()).await.unwrap();
        let status = resp.status();
        (status, resp.text().await.unwrap())
    }

    /// An order that WeChat considers paid but whose notify was not delivered (the fault
    /// knob drops it), so tests can deliver notifies themselves. → (token, out_trade_no).
    pub async fn paid_without_notify(&self) -> (String, String) {
        self.sandbox.faults().drop_notifies.store(true, std::sync::atomic::Ordering::SeqCst);
        let (token, _) = self.login().await;
        let order = self.order(&token, 1, 1).await;
        let (status, v) = self.pay(&order["payment"]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let no = order["out_trade_no"].as_str().unwrap().to_owned();
        assert_eq!(self.stored_status(&no).await, "NOTPAY");
        (token, no)
    }

    /// The simulator's signed notify for a paid order, as fields.
    pub fn notify_params(&self, no: &str) -> Params {
        wxpay::xml::decode(self.sandbox.signed_notify(no).expect("paid in the simulator").as_bytes()).unwrap()
    }

    /// Re-signs fields with the merchant key (a genuine WeChat signature over altered fields).
    pub fn resign(&self, mut p: Params) -> Vec<u8> {
        p.remove("sign");
        let sign = wxpay::sign(&p, &self.merchant().key, wxpay::SignType::Md5);
        p.insert("sign".into(), sign);
        wxpay::xml::encode(&p).unwrap().into_bytes()
    }
}

impl Harness {
    /// A PAID order of 2 × product 1 (3600 fen) whose notify was delivered → (token, out_trade_no).
    pub async fn paid_order(&self) -> (String, String) {
        let (token, _) = self.login().await;
        let order = self.order(&token, 1, 2).await;
        let no = order["out_trade_no"].as_str().unwrap().to_owned();
        let (status, v) = self.pay(&order["payment"]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        self.wait_stored_status(&no, "PAID").await;
        (token, no)
    }

    /// POST /api/orders/{no}/refunds.
    pub async fn request_refund(&self, token: &str, no: &str, refund_fee: Option<i64>) -> (StatusCode, Value) {
        let mut body = json!({ "reason": "不想要了 changed my mind" });
        if let Some(f) = refund_fee {
            body["refund_fee"] = json!(f);
        }
        self.post_json(&format!("/api/orders/{no}/refunds"), Some(token), body).await
    }

    /// Requests a refund, expecting it to be created → out_refund_no.
    pub async fn requested_refund(&self, token: &str, no: &str, refund_fee: Option<i64>) -> String {
        let (status, v) = self.request_refund(token, no, refund_fee).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(v["status"], "REQUESTED", "{v}");
        v["out_refund_no"].as_str().unwrap().to_owned()
    }

    /// An admin POST on instance `i` → (status, body).
    pub async fn admin_post(&self, i: usize, path: &str) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.servers[i % self.servers.len()].url);
        let resp = bounded(path, self.http.post(url).bearer_auth(ADMIN_TOKEN).send()).await.expect("server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// An admin POST with a JSON body on instance `i` → (status, body).
    pub async fn admin_post_json(&self, i: usize, path: &str, body: Value) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.servers[i % self.servers.len()].url);
        let resp = bounded(path, self.http.post(url).bearer_auth(ADMIN_TOKEN).json(&body).send()).await.expect("server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// An admin GET → (status, body).
    pub async fn admin_get(&self, path: &str) -> (StatusCode, Value) {
        self.get_json(path, Some(ADMIN_TOKEN)).await
    }

    /// The stored refund status.
    pub async fn refund_status(&self, no: &str) -> String {
        self.state().db.refunds().get(no).await.unwrap().expect("refund exists").status.as_str().to_owned()
    }

    /// Polls the database until the refund has `status` (bounded).
    pub async fn wait_refund_status(&self, no: &str, status: &str) {
        for _ in 0..400 {
            if self.refund_status(no).await == status {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("refund {no} never became {status} (is {})", self.refund_status(no).await);
    }

    /// Polls the simulator until it has finished the refund (bounded).
    pub async fn wait_sim_refund_final(&self, no: &str) {
        for _ in 0..400 {
            if self.sandbox.refund(no).is_some_and(|r| r.refund_status.is_final()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the simulator never finished refund {no}");
    }

    /// Audit actions of a refund.
    pub async fn refund_actions(&self, no: &str) -> Vec<String> {
        self.state().db.audit().of("refund", no).await.unwrap().into_iter().map(|a| a.action).collect()
    }

    /// `orders.refunded_fee`, through the admin API.
    pub async fn refunded_fee(&self, out_trade_no: &str) -> i64 {
        let (status, v) = self.admin_get("/admin/api/orders").await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v.as_array().unwrap().iter().find(|o| o["out_trade_no"] == out_trade_no).expect("order listed")["refunded_fee"].as_i64().unwrap()
    }

    /// POSTs raw bytes to an instance's /wxpay/refund-notify → (status, body).
    pub async fn post_refund_notify(&self, instance: usize, body: Vec<u8>) -> (StatusCode, String) {
        let url = format!("{}/wxpay/refund-notify", self.servers[instance % self.servers.len()].url);
        let resp = bounded("refund notify", self.http.post(url).header("content-type", "text/xml").body(body).send()).await.unwrap();
        let status = resp.status();
        (status, resp.text().await.unwrap())
    }
}

impl Harness {
    /// Sets a product's stock through the admin API (`{"set": n}`).
    pub async fn set_stock(&self, product_id: i64, stock: i64) {
        let url = format!("{}/admin/api/products/{product_id}/stock", self.url());
        let resp = bounded("set stock", self.http.post(url).bearer_auth(ADMIN_TOKEN).json(&json!({ "set": stock })).send()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{}", resp.text().await.unwrap_or_default());
    }

    /// A product's `stock` as `GET /api/products` shows it.
    pub async fn stock(&self, product_id: i64) -> Option<i64> {
        let (status, v) = self.get_json("/api/products", None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let p = v.as_array().unwrap().iter().find(|p| p["id"] == product_id).expect("product listed").clone();
        assert!(p["stock"].is_i64() || p["stock"].is_null(), "{p}");
        p["stock"].as_i64()
    }

    /// POST /api/orders on instance `i`, with an Idempotency-Key if given → (status, body).
    pub async fn order_on(&self, i: usize, token: &str, product_id: i64, quantity: i64, key: Option<&str>) -> (StatusCode, Value) {
        let url = format!("{}/api/orders", self.servers[i % self.servers.len()].url);
        let mut req = self.http.post(url).bearer_auth(token).json(&json!({ "product_id": product_id, "quantity": quantity }));
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = bounded("POST /api/orders", req.send()).await.expect("server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// How many audit rows of `action` an order has.
    pub async fn audit_count(&self, no: &str, action: &str) -> usize {
        self.audit(no).await.iter().filter(|a| a.action == action).count()
    }
}

pub fn is_success_reply(body: &str) -> bool {
    wxpay::xml::decode(body.as_bytes()).is_ok_and(|p| p.get("return_code").map(String::as_str) == Some("SUCCESS"))
}

pub fn is_fail_reply(body: &str) -> bool {
    wxpay::xml::decode(body.as_bytes()).is_ok_and(|p| p.get("return_code").map(String::as_str) == Some("FAIL"))
}
