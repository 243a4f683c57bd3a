//! A WeChat Pay v2 simulator: the Pay API (`/pay/unifiedorder`, `/pay/orderquery`,
//! `/pay/closeorder`), login (`/sns/jscode2session`), and the WeChat client itself
//! (`/sandbox/login` plays `wx.login()`, `/sandbox/requestPayment` plays `wx.requestPayment`
//! and then delivers the signed payment notify on WeChat's retry schedule).
//!
//! It checks what WeChat checks — every signature and required field — and answers with
//! WeChat's error codes. HTTPS on loopback with a CA generated at start. Faults can be
//! injected: `SYSTEMERROR` (a rate, or the next N calls), delays, dropped connections (the
//! call processed, the answer never sent), duplicate notifies.
//!
//! Refunds: `/secapi/pay/refund` (only with the merchant client certificate the simulator
//! issues at start, written as `apiclient_cert.pem`, `apiclient_key.pem` and
//! `apiclient_cert.p12` with the mch_id as password), processed asynchronously, then the refund
//! notify with `req_info` encrypted as WeChat does; `/pay/refundquery`.
//!
//! Runs as `wxpay-server sandbox`, or in-process through [`Sandbox::start`].

mod client;
mod login;
mod notifier;
mod pay;
mod refund;
pub mod tls;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use tokio::sync::watch;
use wxpay::{ApiKey, SignType, TradeState};

use crate::clock::Clock;
use crate::config::Config;
use crate::secret::{ApiKeyText, AppSecret};

pub use notifier::{Delivery, PaidNotify, NOTIFY_SCHEDULE_SECS};
pub use refund::SimRefund;

/// The merchant and mini-program the simulator plays WeChat for.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// AppID.
    pub appid: String,
    /// AppSecret.
    pub app_secret: AppSecret,
    /// mch_id.
    pub mch_id: String,
    /// The API key as text (handed to the server's settings).
    pub api_key: ApiKeyText,
}

impl Credentials {
    /// Fresh random credentials of the right shapes.
    pub fn generate() -> Self {
        let r = || wxpay::nonce_str().expect("random source");
        let hex: String = r().bytes().chain(r().bytes()).map(|b| format!("{:x}", b % 16)).collect();
        let digits: String = r().bytes().map(|b| char::from(b'0' + b % 10)).take(9).collect();
        Credentials {
            appid: format!("wx{}", &hex[..16]),
            app_secret: AppSecret::new(&hex[16..48]),
            mch_id: format!("1{digits}"),
            api_key: ApiKeyText::new(r()),
        }
    }

    /// The server settings that point at a simulator at `base_url` trusting `ca_file`.
    pub fn server_config(&self, base_url: &str, ca_file: &Path, public_url: &str) -> Config {
        Config {
            appid: Some(self.appid.clone()),
            app_secret: Some(self.app_secret.expose().to_owned()),
            mch_id: Some(self.mch_id.clone()),
            api_key: Some(self.api_key.expose().to_owned()),
            public_url: Some(public_url.to_owned()),
            api_base: Some(base_url.to_owned()),
            api_backup_base: Some(base_url.to_owned()),
            wechat_api_base: Some(base_url.to_owned()),
            ca_file: Some(ca_file.display().to_string()),
            ..Config::default()
        }
    }
}

/// How the simulator is started.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Who it plays WeChat for.
    pub credentials: Credentials,
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// Where `ca.pem` is written.
    pub dir: PathBuf,
    /// Multiplies the notify retry schedule (1.0 real, 0.001 for tests).
    pub notify_time_scale: f64,
    /// jscode2session accepts codes it did not issue (one openid per code), for use with real
    /// `wx.login()` codes from WeChat devtools.
    pub accept_any_code: bool,
}

impl SandboxConfig {
    /// Loopback on a free port, random credentials, real notify schedule.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SandboxConfig {
            credentials: Credentials::generate(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            dir: dir.into(),
            notify_time_scale: 1.0,
            accept_any_code: false,
        }
    }
}

/// Fault knobs, changeable while running (also by `POST /sandbox/faults`).
#[derive(Debug, Default)]
pub struct Faults {
    /// Per-mille of Pay API calls answered `SYSTEMERROR`.
    pub systemerror_permille: AtomicU32,
    /// The next N Pay API calls answer `SYSTEMERROR` (unifiedorder after storing the order,
    /// as when WeChat processed it but the answer failed).
    pub systemerror_next: AtomicU32,
    /// Delay before each Pay API answer, in ms.
    pub delay_ms: AtomicU64,
    /// Extra concurrent copies of every notify delivery.
    pub duplicate_notifies: AtomicU32,
    /// Payments are made but no notify is sent (a lost notify: orderquery must find it).
    /// Applies to refund notifies too (refundquery must find those).
    pub drop_notifies: std::sync::atomic::AtomicBool,
    /// Refunds stay PROCESSING (until turned off again) instead of succeeding.
    pub hold_refunds: std::sync::atomic::AtomicBool,
    /// The next N Pay API calls are processed (an order or refund is stored as usual), then
    /// their connection is dropped without an answer: the caller cannot know the outcome.
    pub drop_connections_next: AtomicU32,
    /// The next N Pay API calls are answered HTTP 403 with an HTML page, unprocessed, as a
    /// proxy in front of WeChat would.
    pub http_status_next: AtomicU32,
    /// Fields of successful orderquery answers replaced (`Some`) or left out (`None`), as a
    /// faulty or forged answer would carry them (signed all the same).
    pub orderquery_fields: Mutex<HashMap<String, Option<String>>>,
    /// orderquery and closeorder of these out_trade_no answer `SYSTEMERROR` (a row that fails
    /// for ever, for the reconciler's fairness tests).
    pub failing_orders: Mutex<HashSet<String>>,
}

impl Faults {
    fn take_systemerror(&self) -> bool {
        if self.systemerror_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
            return true;
        }
        let rate = self.systemerror_permille.load(Ordering::Relaxed);
        rate > 0 && random_u32() % 1000 < rate
    }

    fn order_fails(&self, out_trade_no: &str) -> bool {
        lock(&self.failing_orders).contains(out_trade_no)
    }

    fn take_drop_connection(&self) -> bool {
        self.drop_connections_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
    }
}

/// The `drop_connections_next` fault, around the Pay API handlers: the call is processed, then
/// its connection is cut instead of answered.
async fn drop_connection_fault(
    axum::extract::State(sim): axum::extract::State<Arc<Sim>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if sim.faults.http_status_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        use axum::response::IntoResponse as _;
        let page = "<html><body><h1>403 Forbidden</h1>proxy</body></html>";
        return (axum::http::StatusCode::FORBIDDEN, [(axum::http::header::CONTENT_TYPE, "text/html")], page).into_response();
    }
    let cut = req.extensions().get::<tls::CutConnection>().cloned();
    let answer = next.run(req).await;
    if let Some(cut) = cut {
        if sim.faults.take_drop_connection() {
            cut.0.notify_one();
            // The connection task drops this future with the connection.
            std::future::pending::<()>().await;
        }
    }
    answer
}

fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("random source");
    u32::from_le_bytes(b)
}

/// An order as the simulator (WeChat) knows it.
#[derive(Clone, Debug, Serialize)]
pub struct SimOrder {
    /// Merchant order number.
    pub out_trade_no: String,
    /// The parameters of the first unifiedorder (minus nonce and sign), for OUT_TRADE_NO_USED.
    #[serde(skip)]
    fingerprint: String,
    /// Current prepay_id.
    pub prepay_id: String,
    /// When it stops being valid (ms).
    pub prepay_expires_ms: i64,
    /// WeChat's trade state.
    pub trade_state: TradeState,
    /// Amount.
    pub total_fee: u64,
    /// Payer.
    pub openid: String,
    /// Where notifies go.
    pub notify_url: String,
    /// The order's sign type (notifies are signed with it).
    pub sign_type: SignType,
    /// Echoed attach.
    pub attach: Option<String>,
    /// time_expire as ms, if given.
    pub time_expire_ms: Option<i64>,
    /// Once paid.
    pub transaction_id: Option<String>,
    /// Once paid.
    pub time_end: Option<String>,
    /// How many unifiedorder calls named this out_trade_no.
    pub unifiedorder_calls: u32,
}

struct Code {
    openid: String,
    issued_ms: i64,
    used: bool,
}

/// Shared simulator state.
pub(crate) struct Sim {
    creds: Credentials,
    key: ApiKey,
    clock: Clock,
    faults: Faults,
    notify_time_scale: f64,
    accept_any_code: bool,
    http: reqwest::Client,
    orders: Mutex<HashMap<String, SimOrder>>,
    codes: Mutex<HashMap<String, Code>>,
    openids: Mutex<HashSet<String>>,
    deliveries: Mutex<HashMap<String, Vec<Delivery>>>,
    refunds: Mutex<HashMap<String, SimRefund>>,
    /// Refund calls being handled per out_refund_no, and the most seen at once.
    refund_calls_in_flight: Mutex<HashMap<String, (u32, u32)>>,
    calls: Mutex<HashMap<&'static str, u32>>,
    seq: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not wedge the simulator.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sim {
    fn count(&self, path: &'static str) {
        *lock(&self.calls).entry(path).or_default() += 1;
    }

    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// A running simulator. Stops when dropped.
pub struct Sandbox {
    base_url: String,
    ca_file: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
    client_p12: PathBuf,
    sim: Arc<Sim>,
    stop: watch::Sender<bool>,
}

impl Sandbox {
    /// Generates the CA (written to `config.dir/ca.pem`), binds and starts serving.
    ///
    /// # Errors
    /// I/O errors (binding, writing the CA) or certificate generation failures.
    pub async fn start(config: SandboxConfig, clock: Clock) -> std::io::Result<Sandbox> {
        let pki = tls::generate(&config.credentials.mch_id).map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&config.dir)?;
        let ca_file = config.dir.join("ca.pem");
        std::fs::write(&ca_file, &pki.ca_pem)?;
        let client_cert = config.dir.join("apiclient_cert.pem");
        std::fs::write(&client_cert, &pki.client_cert_pem)?;
        let client_key = config.dir.join("apiclient_key.pem");
        write_private(&client_key, pki.client_key_pem.as_bytes())?;
        let client_p12 = config.dir.join("apiclient_cert.p12");
        let p12 = tls::client_p12(&pki, &config.credentials.mch_id).map_err(std::io::Error::other)?;
        write_private(&client_p12, &p12)?;
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let host = if addr.ip().is_loopback() && addr.is_ipv4() { "127.0.0.1".to_owned() } else { addr.ip().to_string() };
        let base_url = format!("https://{host}:{}", addr.port());
        let key = ApiKey::new(config.credentials.api_key.expose()).map_err(std::io::Error::other)?;
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(std::io::Error::other)?;
        let sim = Arc::new(Sim {
            creds: config.credentials,
            key,
            clock,
            faults: Faults::default(),
            notify_time_scale: config.notify_time_scale,
            accept_any_code: config.accept_any_code,
            http,
            orders: Mutex::default(),
            codes: Mutex::default(),
            openids: Mutex::default(),
            deliveries: Mutex::default(),
            refunds: Mutex::default(),
            refund_calls_in_flight: Mutex::default(),
            calls: Mutex::default(),
            seq: AtomicU64::new(0),
        });
        let (stop, stop_rx) = watch::channel(false);
        tokio::spawn(tls::serve(listener, router(sim.clone()), pki.server_config, stop_rx));
        tracing::info!(%base_url, ca = %ca_file.display(), "WeChat Pay simulator listening");
        Ok(Sandbox { base_url, ca_file, client_cert, client_key, client_p12, sim, stop })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The CA certificate file to trust.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// Who it plays WeChat for.
    pub fn credentials(&self) -> &Credentials {
        &self.sim.creds
    }

    /// Server settings wired to this simulator (call `public_url` back for notifies), with the
    /// merchant client certificate as PEM files.
    pub fn server_config(&self, public_url: &str) -> Config {
        Config {
            client_cert: Some(self.client_cert.display().to_string()),
            client_key: Some(self.client_key.display().to_string()),
            ..self.sim.creds.server_config(&self.base_url, &self.ca_file, public_url)
        }
    }

    /// The merchant client certificate it issued (`apiclient_cert.pem`).
    pub fn client_cert_file(&self) -> &Path {
        &self.client_cert
    }

    /// Its key (`apiclient_key.pem`).
    pub fn client_key_file(&self) -> &Path {
        &self.client_key
    }

    /// Both as PKCS#12 (`apiclient_cert.p12`, password: the mch_id).
    pub fn client_p12_file(&self) -> &Path {
        &self.client_p12
    }

    /// The simulator's view of a refund.
    pub fn refund(&self, out_refund_no: &str) -> Option<SimRefund> {
        lock(&self.sim.refunds).get(out_refund_no).cloned()
    }

    /// How many refunds the simulator holds.
    pub fn refund_count(&self) -> usize {
        lock(&self.sim.refunds).len()
    }

    /// The refund notify WeChat would send now for a finished refund (tests replay it).
    pub fn refund_notify(&self, out_refund_no: &str) -> Option<String> {
        refund::refund_notify_xml(&self.sim, out_refund_no)
    }

    /// Finishes held refunds (see [`Faults::hold_refunds`]) with SUCCESS, without notifying.
    pub fn settle_held_refunds(&self) {
        refund::settle_held(&self.sim, wxpay::RefundStatus::Success);
    }

    /// Finishes held refunds with `status` (e.g. CHANGE, 退款异常), without notifying.
    pub fn settle_held_refunds_as(&self, status: wxpay::RefundStatus) {
        refund::settle_held(&self.sim, status);
    }

    /// Moves a refund to `status` as WeChat would after a person acted on the merchant
    /// platform (a CHANGE refund sent again to another account becomes SUCCESS), without
    /// notifying. Returns whether the refund exists.
    pub fn set_refund_status(&self, out_refund_no: &str, status: wxpay::RefundStatus) -> bool {
        refund::set_status(&self.sim, out_refund_no, status)
    }

    /// The most refund calls for one out_refund_no the simulator was handling at the same time
    /// (1 when no two calls for a refund ever overlapped; 0 when there was none).
    pub fn max_concurrent_refund_calls(&self) -> u32 {
        lock(&self.sim.refund_calls_in_flight).values().map(|&(_, max)| max).max().unwrap_or(0)
    }

    /// The fault knobs.
    pub fn faults(&self) -> &Faults {
        &self.sim.faults
    }

    /// Plays `wx.login()`: a fresh single-use code for `openid` (a new user if `None`).
    pub fn issue_code(&self, openid: Option<&str>) -> (String, String) {
        login::issue(&self.sim, openid)
    }

    /// The simulator's view of an order.
    pub fn order(&self, out_trade_no: &str) -> Option<SimOrder> {
        lock(&self.sim.orders).get(out_trade_no).cloned()
    }

    /// How many orders the simulator holds.
    pub fn order_count(&self) -> usize {
        lock(&self.sim.orders).len()
    }

    /// Notify deliveries so far for an order.
    pub fn deliveries(&self, out_trade_no: &str) -> Vec<Delivery> {
        lock(&self.sim.deliveries).get(out_trade_no).cloned().unwrap_or_default()
    }

    /// Calls received per API path.
    pub fn calls(&self, path: &str) -> u32 {
        lock(&self.sim.calls).get(path).copied().unwrap_or(0)
    }

    /// The signed payment notify WeChat would send now for a paid order (tests replay it).
    pub fn signed_notify(&self, out_trade_no: &str) -> Option<String> {
        notifier::notify_xml(&self.sim, out_trade_no)
    }

    /// Stops serving (also done on drop).
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(bytes)
}

fn router(sim: Arc<Sim>) -> Router {
    let pay_api = Router::new()
        .route("/secapi/pay/refund", post(refund::refund).fallback(pay::require_post))
        .route("/pay/refundquery", post(refund::refundquery).fallback(pay::require_post))
        .route("/pay/unifiedorder", post(pay::unifiedorder).fallback(pay::require_post))
        .route("/pay/orderquery", post(pay::orderquery).fallback(pay::require_post))
        .route("/pay/closeorder", post(pay::closeorder).fallback(pay::require_post))
        .route_layer(axum::middleware::from_fn_with_state(sim.clone(), drop_connection_fault));
    Router::new()
        .merge(pay_api)
        .route("/sns/jscode2session", get(login::jscode2session))
        .route("/sandbox/login", post(login::client_login))
        .route("/sandbox/requestPayment", post(client::request_payment))
        .route("/sandbox/orders/{out_trade_no}", get(client::show_order))
        .route("/sandbox/notifies/{out_trade_no}", get(client::show_deliveries))
        .route("/sandbox/faults", post(client::set_faults))
        .with_state(sim)
}
