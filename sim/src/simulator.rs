//! A running simulator and how it starts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use tokio::sync::watch;
use wxpay::{ApiKey, RefundStatus};

use crate::clock::Clock;
use crate::context::Sim;
use crate::credentials::{Credentials, Kept};
use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::model::{Call, Delivery, OrderKey, SimOrder, SimRefund};
use crate::wechat_keys::{Delays, KeyMode, MerchantSide, ReadyV3, WechatKeys, DEFAULT_SWITCHOVER_SECS};
use crate::{answer, bill, client, control, journal, login, notifier, pay, pki, refund, tls, v3};

/// How the simulator is started.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Who it plays WeChat for, adopted from the caller (e.g. an existing configuration's
    /// `WXPAY_*`); `None`: the generated ones kept in `dir`, else new generated ones.
    pub credentials: Option<Credentials>,
    /// Adopted credentials' API key and AppSecret appear on the ready line and in
    /// `credentials.json`. Off by default: they may be a live merchant's, and the simulator
    /// shows `***` and keeps only appid and mch_id. Generated ones always appear (throwaway
    /// test credentials an SDK under test must be given).
    pub print_adopted_secrets: bool,
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// The state directory: the CA, the certificates and the credentials are written there,
    /// and reused at the next start.
    pub dir: PathBuf,
    /// Notify retries and refund processing run this many times faster than WeChat's (1: real
    /// time; 1000: the 15 s first retry after 15 ms).
    pub time_scale: f64,
    /// jscode2session accepts codes it did not issue (one new openid per code), for real
    /// `wx.login()` codes from WeChat devtools.
    pub accept_any_code: bool,
    /// API v3: which keys WeChat has for the merchant (`--v3-keys`).
    pub v3_keys: KeyMode,
    /// API v3, `switchover` mode: notifies move from the platform certificate to the public
    /// key after this many of WeChat's seconds (divided by the time scale).
    pub v3_switchover_after_secs: u64,
}

impl SimConfig {
    /// Loopback on a free port, credentials kept in `dir` or generated, real time.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SimConfig {
            credentials: None,
            print_adopted_secrets: false,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            dir: dir.into(),
            time_scale: 1.0,
            accept_any_code: false,
            v3_keys: KeyMode::PublicKey,
            v3_switchover_after_secs: DEFAULT_SWITCHOVER_SECS,
        }
    }
}

/// What `wxpay-sim serve` prints when ready: everything an SDK under test needs. Holds the
/// simulator's throwaway API key and AppSecret, on purpose; adopted ones are [`WITHHELD`]
/// unless [`SimConfig::print_adopted_secrets`].
#[derive(Clone, Debug, Serialize)]
pub struct Ready {
    /// `https://127.0.0.1:PORT`: put it where the SDK has `https://api.mch.weixin.qq.com`.
    pub base_url: String,
    /// The CA certificate to trust.
    pub ca_file: PathBuf,
    /// The merchant client certificate (`apiclient_cert.pem`).
    pub client_cert: PathBuf,
    /// Its key (`apiclient_key.pem`).
    pub client_key: PathBuf,
    /// Both as PKCS#12 (`apiclient_cert.p12`, password: the mch_id).
    pub client_p12: PathBuf,
    /// AppID.
    pub appid: String,
    /// mch_id.
    pub mch_id: String,
    /// The v2 API key ([`WITHHELD`] if adopted and not to be printed).
    pub api_key: String,
    /// The AppSecret ([`WITHHELD`] if adopted and not to be printed).
    pub app_secret: String,
    /// The control API and page (plain HTTP on the same port).
    pub control_url: String,
    /// API v3: the merchant's key and serial, the APIv3 key, WeChat's keys.
    pub v3: ReadyV3,
}

/// What the ready line shows for a secret the simulator adopted and was not asked to print:
/// the key stays (a reader expecting it keeps parsing) and the value cannot be mistaken for one.
pub const WITHHELD: &str = "***";

/// A running simulator. Stops when dropped.
pub struct Simulator {
    base_url: String,
    control_url: String,
    pki: pki::Pki,
    sim: Arc<Sim>,
    adopted: bool,
    secrets_shown: bool,
    stop: watch::Sender<bool>,
    served: tokio::task::JoinHandle<()>,
}

impl Simulator {
    /// Prepares the state directory (CA, certificates, credentials), binds and starts serving.
    ///
    /// # Errors
    /// I/O (binding, the state directory), unusable credentials, certificate failures.
    pub async fn start(config: SimConfig, clock: Clock) -> Result<Simulator> {
        std::fs::create_dir_all(&config.dir).map_err(Error::file(&config.dir))?;
        // Absolute paths on the ready line, whatever the caller's working directory.
        let dir = std::fs::canonicalize(&config.dir).map_err(Error::file(&config.dir))?;
        let config = SimConfig { dir, ..config };
        let kept = Credentials::load(&config.dir)?;
        let (creds, adopted) = match (config.credentials.clone(), &kept) {
            (Some(c), _) => (c, true),
            (None, Some(Kept::Generated(c))) => (c.clone(), false),
            // Adopted ones are never played again without being adopted again.
            (None, Some(Kept::Adopted { .. }) | None) => (Credentials::generate(), false),
        };
        creds.check()?;
        let secrets_shown = !adopted || config.print_adopted_secrets;
        let pki = pki::prepare(&config.dir, &creds.mch_id, kept.as_ref().map(Kept::mch_id))?;
        creds.save(&config.dir, adopted, secrets_shown)?;
        if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
            return Err(Error::Setting { name: "--time-scale", reason: "a positive number".into() });
        }
        let listener = bind(&config).await?;
        let addr = listener.local_addr().map_err(|source| Error::Bind { addr: config.listen, source })?;
        let _ = std::fs::write(config.dir.join("port"), addr.port().to_string());
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let base_url = format!("https://{host}:{}", addr.port());
        let control_url = format!("http://{host}:{}/control", addr.port());
        let key = ApiKey::new(creds.api_key.expose()).map_err(|e| Error::Setting { name: "WXPAY_API_KEY", reason: e.code().to_owned() })?;
        // Notifies go to the merchant's notify_url as WeChat sends them: TLS verified against
        // the public roots (a loopback merchant is usually plain HTTP) and the simulator's own
        // CA (v3 requires an https:// notify_url: a merchant under test may serve one with a
        // certificate from that CA, e.g. the simulator's server_cert.pem).
        let ca = std::fs::read(&pki.ca_file).map_err(Error::file(&pki.ca_file))?;
        let ca = reqwest::Certificate::from_pem(&ca).map_err(|e| Error::Pki(e.to_string()))?;
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(ca)
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        let now_ms = clock.now_ms();
        let scaled_ms = |secs: u64| (secs as f64 * 1000.0 / config.time_scale) as i64;
        let delays = Delays {
            switch_after_ms: scaled_ms(config.v3_switchover_after_secs),
            takeover_after_ms: scaled_ms(crate::wechat_keys::TAKEOVER_SECS),
        };
        let merchant = MerchantSide {
            mch_id: &creds.mch_id,
            key_file: pki.client_key.clone(),
            key_pem: &pki.client_key_pem,
            serial: pki.mch_serial.clone(),
        };
        let keys = WechatKeys::prepare(&config.dir, config.v3_keys, merchant, now_ms, delays)?;
        let sim = Arc::new(Sim::new(creds, key, clock, config.time_scale, config.accept_any_code, http, keys));
        let (stop, stop_rx) = watch::channel(false);
        let served =
            tokio::spawn(tls::serve(listener, tls_router(sim.clone()), control::router(sim.clone()), pki.server_config.clone(), stop_rx));
        tracing::info!(%base_url, %control_url, ca = %pki.ca_file.display(), "WeChat Pay simulator listening");
        Ok(Simulator { base_url, control_url, pki, sim, adopted, secrets_shown, stop, served })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://127.0.0.1:PORT/control`.
    pub fn control_url(&self) -> &str {
        &self.control_url
    }

    /// The CA certificate file to trust.
    pub fn ca_file(&self) -> &Path {
        &self.pki.ca_file
    }

    /// Who it plays WeChat for.
    pub fn credentials(&self) -> &Credentials {
        &self.sim.creds
    }

    /// Whether [`Simulator::credentials`] were adopted from the caller (not generated).
    pub fn adopted(&self) -> bool {
        self.adopted
    }

    /// Whether the ready line and `credentials.json` carry the API key and AppSecret:
    /// generated ones, or adopted ones with [`SimConfig::print_adopted_secrets`].
    pub fn secrets_shown(&self) -> bool {
        self.secrets_shown
    }

    /// The merchant client certificate it issued (`apiclient_cert.pem`).
    pub fn client_cert_file(&self) -> &Path {
        &self.pki.client_cert
    }

    /// Its key (`apiclient_key.pem`).
    pub fn client_key_file(&self) -> &Path {
        &self.pki.client_key
    }

    /// Both as PKCS#12 (`apiclient_cert.p12`, password: the mch_id).
    pub fn client_p12_file(&self) -> &Path {
        &self.pki.client_p12
    }

    /// The ready line's contents.
    pub fn ready(&self) -> Ready {
        let c = &self.sim.creds;
        let shown = |s: &crate::Secret| if self.secrets_shown { s.expose().to_owned() } else { WITHHELD.to_owned() };
        Ready {
            base_url: self.base_url.clone(),
            ca_file: self.pki.ca_file.clone(),
            client_cert: self.pki.client_cert.clone(),
            client_key: self.pki.client_key.clone(),
            client_p12: self.pki.client_p12.clone(),
            appid: c.appid.clone(),
            mch_id: c.mch_id.clone(),
            api_key: shown(&c.api_key),
            app_secret: shown(&c.app_secret),
            control_url: self.control_url.clone(),
            v3: self.sim.v3.ready(self.sim.clock.now_ms()),
        }
    }

    /// The simulator's view of a refund.
    pub fn refund(&self, out_refund_no: &str) -> Option<SimRefund> {
        self.sim.model.refund_of(out_refund_no)
    }

    /// How many refunds the simulator holds.
    pub fn refund_count(&self) -> usize {
        self.sim.model.refund_count()
    }

    /// The refund notify WeChat would send now for a finished refund (tests replay it).
    pub fn refund_notify(&self, out_refund_no: &str) -> Option<String> {
        refund::refund_notify_xml(&self.sim, out_refund_no)
    }

    /// Finishes held refunds (see [`Faults::hold_refunds`]) with SUCCESS, without notifying.
    pub fn settle_held_refunds(&self) {
        self.sim.model.settle_held(RefundStatus::Success);
    }

    /// Finishes held refunds with `status` (e.g. CHANGE, 退款异常), without notifying.
    pub fn settle_held_refunds_as(&self, status: RefundStatus) {
        self.sim.model.settle_held(status);
    }

    /// Moves a refund to `status` as WeChat would after a person acted on the merchant
    /// platform (a CHANGE refund sent again to another account becomes SUCCESS), without
    /// notifying. Returns whether the refund exists.
    pub fn set_refund_status(&self, out_refund_no: &str, status: RefundStatus) -> bool {
        self.sim.model.set_refund_status(out_refund_no, status)
    }

    /// The most refund calls for one out_refund_no the simulator was handling at the same time
    /// (1 when no two calls for a refund ever overlapped; 0 when there was none).
    pub fn max_concurrent_refund_calls(&self) -> u32 {
        self.sim.model.max_concurrent_refund_calls()
    }

    /// The fault knobs and rules.
    pub fn faults(&self) -> &Faults {
        &self.sim.faults
    }

    /// Plays `wx.login()`: a fresh single-use code for `openid` (a new user if `None`).
    pub fn issue_code(&self, openid: Option<&str>) -> (String, String) {
        login::issue(&self.sim, openid)
    }

    /// The simulator's view of an order.
    pub fn order(&self, out_trade_no: &str) -> Option<SimOrder> {
        self.sim.model.order(OrderKey::OutTradeNo(out_trade_no))
    }

    /// How many orders the simulator holds.
    pub fn order_count(&self) -> usize {
        self.sim.model.order_count()
    }

    /// Notify attempts so far for an order (out_trade_no) or a refund (out_refund_no).
    pub fn deliveries(&self, key: &str) -> Vec<Delivery> {
        self.sim.model.deliveries(key)
    }

    /// Every notify attempt so far, oldest first.
    pub fn all_deliveries(&self) -> Vec<Delivery> {
        self.sim.model.all_deliveries()
    }

    /// Calls received per API path.
    pub fn calls(&self, path: &str) -> u32 {
        self.sim.model.call_count(path)
    }

    /// The journal: the last calls received (up to 10 000), oldest first.
    pub fn journal(&self) -> Vec<Call> {
        self.sim.model.calls(None, None)
    }

    /// The signed payment notify WeChat would send now for a paid order (tests replay it).
    pub fn signed_notify(&self, out_trade_no: &str) -> Option<String> {
        notifier::notify_xml(&self.sim, out_trade_no)
    }

    /// API v3: the resource of a paid order's `TRANSACTION.SUCCESS` notify, as WeChat describes
    /// the order now (tests alter it and sign it with [`Simulator::signed_v3_notify_of`]).
    pub fn v3_payment_resource(&self, out_trade_no: &str) -> Option<serde_json::Value> {
        v3::notify::payment_resource(&self.sim, out_trade_no)
    }

    /// API v3: the payment notify WeChat would send now for a paid order, encrypted and signed.
    pub fn signed_v3_notify(&self, out_trade_no: &str) -> Option<v3::notify::SignedV3Notify> {
        v3::notify::signed(&self.sim, "TRANSACTION.SUCCESS", self.v3_payment_resource(out_trade_no)?, false)
    }

    /// API v3: the refund notify (`REFUND.SUCCESS`, `.ABNORMAL`, `.CLOSED`) WeChat would send now
    /// for a finished refund.
    pub fn signed_v3_refund_notify(&self, out_refund_no: &str) -> Option<v3::notify::SignedV3Notify> {
        let (event_type, resource) = v3::notify::refund_resource(&self.sim, out_refund_no)?;
        v3::notify::signed(&self.sim, event_type, resource, false)
    }

    /// API v3: any resource as a notify of `event_type`, encrypted with the APIv3 key and signed
    /// by WeChat's key: a genuine signature over what a test made up.
    pub fn signed_v3_notify_of(&self, event_type: &'static str, resource: serde_json::Value) -> Option<v3::notify::SignedV3Notify> {
        v3::notify::signed(&self.sim, event_type, resource, false)
    }

    /// API v3: one of WeChat's signature probes (`WECHATPAY/SIGNTEST/…`) carrying `resource`.
    pub fn v3_probe_of(&self, resource: serde_json::Value) -> Option<v3::notify::SignedV3Notify> {
        v3::notify::signed(&self.sim, "TRANSACTION.SUCCESS", resource, true)
    }

    /// Stops accepting connections; requests in flight finish (also done on drop).
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops, and waits until the listener is closed.
    pub async fn shutdown(self) {
        self.stop();
        let mut me = self;
        let _ = (&mut me.served).await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds `config.listen`; when it leaves the port open (0), the port kept in the state
/// directory from the last start, if it is free.
async fn bind(config: &SimConfig) -> Result<tokio::net::TcpListener> {
    let err = |source| Error::Bind { addr: config.listen, source };
    if config.listen.port() == 0 {
        let kept = std::fs::read_to_string(config.dir.join("port")).ok().and_then(|p| p.trim().parse::<u16>().ok()).filter(|p| *p != 0);
        if let Some(port) = kept {
            let addr = SocketAddr::new(config.listen.ip(), port);
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => return Ok(l),
                Err(e) => tracing::warn!(%addr, error = %e, "the port kept in the state directory is taken; listening on another"),
            }
        }
    }
    tokio::net::TcpListener::bind(config.listen).await.map_err(err)
}

/// Everything served over TLS: WeChat's endpoints (through the journal and fault layer), the
/// simulated WeChat client, and the control API.
fn tls_router(sim: Arc<Sim>) -> Router {
    let wechat = Router::new()
        .route("/secapi/pay/refund", post(refund::refund).fallback(answer::require_post))
        .route("/pay/refundquery", post(refund::refundquery).fallback(answer::require_post))
        .route("/pay/unifiedorder", post(pay::unifiedorder).fallback(answer::require_post))
        .route("/pay/orderquery", post(pay::orderquery).fallback(answer::require_post))
        .route("/pay/closeorder", post(pay::closeorder).fallback(answer::require_post))
        .route("/pay/downloadbill", post(bill::downloadbill).fallback(answer::require_post))
        .route("/sns/jscode2session", get(login::jscode2session))
        .route_layer(axum::middleware::from_fn_with_state(sim.clone(), journal::layer));
    Router::new()
        .merge(wechat)
        .route("/sandbox/login", post(login::client_login))
        .route("/sandbox/requestPayment", post(client::request_payment))
        .route("/sandbox/v3/requestPayment", post(client::request_payment_v3))
        .route("/sandbox/orders/{out_trade_no}", get(control::show_order))
        .route("/sandbox/notifies/{out_trade_no}", get(control::show_deliveries))
        .route("/sandbox/faults", post(control::turn_knobs))
        .with_state(sim.clone())
        .merge(v3::router(sim.clone()))
        .merge(control::router(sim.clone()))
        .layer(axum::middleware::from_fn_with_state(sim, wechat_date))
}

/// Every answer's `Date` is WeChat's time: the simulator's clock, which a test moves (`POST
/// /control/clock`) to plant a skewed merchant clock. Hyper's own `Date` reads the system clock.
async fn wechat_date(
    axum::extract::State(sim): axum::extract::State<Arc<Sim>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(sim.clock.now_secs().max(0).unsigned_abs());
    if let Ok(value) = axum::http::HeaderValue::from_str(&httpdate::fmt_http_date(at)) {
        response.headers_mut().insert(axum::http::header::DATE, value);
    }
    response
}
