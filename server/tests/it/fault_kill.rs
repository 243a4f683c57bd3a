//! Fault test: `kill -9` the real server binary again and again while payment notifies stream
//! in, restart it on the same SQLite file and port, and check that every notify the server
//! acknowledged (HTTP 200 + SUCCESS) is PAID in the database, with its transaction_id and with
//! exactly one NOTPAY → PAID audit row: none lost, none doubled.
//!
//! The notifies are posted as WeChat would (signed with the API key, freshly nonced on every
//! attempt), from several concurrent senders; each is retried until it gets SUCCESS, and some
//! are delivered again after their SUCCESS (WeChat's duplicates). A killer sends SIGKILL when
//! the acknowledged count crosses pseudo-random thresholds (plus a few milliseconds of jitter),
//! so every kill lands in mid-stream whatever the machine's speed. Orders are seeded directly
//! through the library's `Db` (which runs the server's migrations); no simulator is needed.
//!
//! What the server must keep for this to pass, however notifies are committed (one by one, or
//! grouped): SUCCESS is answered only after the transaction holding that notify's NOTPAY → PAID
//! move (and its audit row) has committed durably; if a grouped commit fails, every notify in
//! the group is answered FAIL (WeChat retries); a duplicate, even within one group, is
//! acknowledged without a second move.
//!
//! Counts are printed (`--nocapture`): `fault_kill: sent=… acknowledged=… persisted_paid=… …`.
//! `WXPAY_FAULT_SEED` and `WXPAY_FAULT_KILL_ORDERS` override the seed and the order count.
//!
//! Run in both API versions: v2's signed XML at `/wxpay/notify`, and v3's JSON (the resource
//! AES-256-GCM encrypted with the APIv3 key, signed with a WeChat Pay key whose public half the
//! server is configured with: the core's test keys) at `/wxpay/v3/notify`, acknowledged by a 2xx.

use std::collections::HashMap;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Row;
use wxpay::v3::{ApiV3Key, EncryptedResource, MerchantKey};
use wxpay::{xml, ApiKey, SignType};
use wxpay_server::api::{ApiVersion, OrderApi};
use wxpay_server::Db;
use wxpay_sim::PaidNotify;

use crate::common::fixtures;

// Fixed test credentials (nothing here is a real secret).
const APPID: &str = "wxfa017c0de0000001";
const APP_SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const MCH_ID: &str = "1900000109";
const KEY: &str = "FaultKey0123456789abcdefABCDEF01";
const OPENID: &str = "oFaultKillOpenid00000000000";
const APIV3_KEY: &str = "FaultV3Key0123456789abcdefABCDEF";
const PUB_KEY_ID: &str = "PUB_KEY_ID_0119000001202611230000000000000000";
const MCH_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

/// The core's test keys (tests/data, made by the repository's script, nobody's real keys).
fn test_key(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(name)
}
const TOTAL_FEE: i64 = 100;

/// Kills per run.
const KILLS: usize = 6;
/// Concurrent senders.
const SENDERS: usize = 24;
/// The whole run must finish within this (else the test fails, naming where it was).
const DEADLINE: Duration = Duration::from_secs(90);

/// splitmix64: deterministic pseudo-random numbers from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn order_no(i: usize) -> String {
    format!("FK{i:012}")
}

fn transaction_id(i: usize) -> String {
    format!("4200000000{i:018}")
}

/// The payment notify WeChat sends for order `i`, signed, with a fresh nonce.
fn notify_body(key: &ApiKey, i: usize, nonce: u64) -> String {
    PaidNotify {
        appid: APPID,
        mch_id: MCH_ID,
        openid: OPENID,
        out_trade_no: &order_no(i),
        total_fee: TOTAL_FEE,
        transaction_id: &transaction_id(i),
        time_end: "20270115081500",
        attach: None,
        nonce_str: &format!("{nonce:032x}"),
    }
    .xml(key, SignType::Md5)
}

fn is_success_reply(body: &str) -> bool {
    xml::decode(body.as_bytes()).is_ok_and(|p| p.get("return_code").map(String::as_str) == Some("SUCCESS"))
}

/// How notifies are made and acknowledged in one API version.
#[derive(Clone)]
enum Wire {
    V2(ApiKey),
    V3 { wechat: Arc<MerchantKey>, api_v3_key: ApiV3Key },
}

impl Wire {
    fn of(api: ApiVersion) -> Wire {
        match api {
            ApiVersion::V2 => Wire::V2(ApiKey::new(KEY).unwrap()),
            ApiVersion::V3 => Wire::V3 {
                wechat: Arc::new(MerchantKey::from_pem(&std::fs::read_to_string(test_key("v3_test_wechatpay_key.pem")).unwrap()).unwrap()),
                api_v3_key: ApiV3Key::new(APIV3_KEY).unwrap(),
            },
        }
    }

    fn path(&self) -> &'static str {
        match self {
            Wire::V2(_) => "/wxpay/notify",
            Wire::V3 { .. } => "/wxpay/v3/notify",
        }
    }

    /// The POST of order `i`'s payment notify as WeChat sends it, freshly nonced (and, in v3,
    /// freshly encrypted and signed).
    fn request(&self, http: &reqwest::Client, url: &str, i: usize, nonce: u64) -> reqwest::RequestBuilder {
        match self {
            Wire::V2(key) => http.post(url).header("content-type", "text/xml").body(notify_body(key, i, nonce)),
            Wire::V3 { wechat, api_v3_key } => {
                let resource = serde_json::json!({
                    "appid": APPID, "mchid": MCH_ID, "out_trade_no": order_no(i), "transaction_id": transaction_id(i),
                    "trade_type": "JSAPI", "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "OTHERS",
                    "success_time": "2027-01-15T08:15:00+08:00", "payer": { "openid": OPENID },
                    "amount": { "total": TOTAL_FEE, "payer_total": TOTAL_FEE, "currency": "CNY", "payer_currency": "CNY" }
                });
                let nonce_text = format!("{nonce:032x}");
                let plain = serde_json::to_vec(&resource).unwrap();
                let encrypted = EncryptedResource::encrypt(api_v3_key, &plain, &nonce_text[..12], "transaction", "transaction").unwrap();
                let body = serde_json::json!({
                    "id": format!("fk-{i}-{nonce}"), "create_time": "2027-01-15T08:15:00+08:00", "resource_type": "encrypt-resource",
                    "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功", "resource": encrypted,
                })
                .to_string();
                let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string();
                let signature = wechat.sign(&wxpay::v3::response_message(&ts, &nonce_text, body.as_bytes())).unwrap();
                http.post(url)
                    .header("content-type", "application/json")
                    .header("wechatpay-serial", PUB_KEY_ID)
                    .header("wechatpay-timestamp", ts)
                    .header("wechatpay-nonce", nonce_text)
                    .header("wechatpay-signature", signature)
                    .body(body)
            }
        }
    }

    fn acknowledged(&self, status: reqwest::StatusCode, text: &str) -> bool {
        match self {
            Wire::V2(_) => status == reqwest::StatusCode::OK && is_success_reply(text),
            Wire::V3 { .. } => status.is_success(),
        }
    }
}

async fn seed_orders(url: &str, n: usize, api: ApiVersion) {
    let db = Db::connect(url).await.expect("database");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    for i in 0..n {
        let mut order = fixtures::unpaid_order(&order_no(i), OPENID, TOTAL_FEE, now);
        if api == ApiVersion::V3 {
            order.api = OrderApi::V3;
        }
        db.orders().insert(&order, "fault-test").await.expect("insert order");
    }
    db.close().await;
}

/// The server process; killed (SIGKILL) when dropped, so a failing test leaves nothing behind.
struct ServerProcess {
    child: Option<Child>,
}

impl ServerProcess {
    fn start(dir: &Path, port: u16, log: &Path, api: ApiVersion) -> ServerProcess {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_wxpay-server"));
        command.env_clear();
        if api == ApiVersion::V3 {
            // WeChat out of reach (a closed port): the start-up check is a warning, and the keys
            // are the configured public key.
            command
                .env("WXPAY_API_VERSION", "v3")
                .env("WXPAY_MCH_PRIVATE_KEY", test_key("v3_test_merchant_key.pem"))
                .env("WXPAY_MCH_SERIAL", MCH_SERIAL)
                .env("WXPAY_APIV3_KEY", APIV3_KEY)
                .env("WXPAY_PUBLIC_KEY", test_key("v3_test_wechatpay_public_key.pem"))
                .env("WXPAY_PUBLIC_KEY_ID", PUB_KEY_ID)
                .env("WXPAY_API_BASE", format!("https://127.0.0.1:{}", free_port()))
                .env("WXPAY_API_BACKUP_BASE", format!("https://127.0.0.1:{}", free_port()))
                .env("WXPAY_UPSTREAM_ATTEMPTS", "1");
        }
        let child = command
            .arg("serve")
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("WXPAY_APPID", APPID)
            .env("WXPAY_APP_SECRET", APP_SECRET)
            .env("WXPAY_MCH_ID", MCH_ID)
            .env("WXPAY_API_KEY", KEY)
            .env("WXPAY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("DATABASE_URL", db_url(dir))
            .env("LISTEN", format!("127.0.0.1:{port}"))
            // No reconciler: nothing but the notifies may change an order here.
            .env("WXPAY_RECONCILE_INTERVAL_SECS", "0")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        ServerProcess { child: Some(child) }
    }

    /// SIGKILL, then reap.
    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("SIGKILL");
            let status = c.wait().expect("reaped");
            assert!(status.code().is_none(), "the server had already exited: {status:?} (see its log)");
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn db_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("wxpay.db").display())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls `/healthz` until the server answers (bounded).
async fn wait_healthy(http: &reqwest::Client, port: u16, log: &Path) {
    let url = format!("http://127.0.0.1:{port}/healthz");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = http.get(&url).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server did not come up within 30 s; log:\n{}", tail(log));
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

#[derive(Default)]
struct Counts {
    /// HTTP requests started.
    sent: AtomicU64,
    /// Requests answered 200 + SUCCESS.
    success_replies: AtomicU64,
    /// Orders acknowledged at least once.
    acked_orders: AtomicUsize,
    /// Requests that were retries (after an error or a FAIL).
    retries: AtomicU64,
    /// Connection refused / reset / cut answers.
    transport_errors: AtomicU64,
    /// Answers other than 200 + SUCCESS (e.g. 500 FAIL while the database was busy).
    fail_replies: AtomicU64,
    /// Deliveries sent again after a SUCCESS (WeChat's duplicates).
    duplicates: AtomicU64,
    /// Orders whose notify was sent as two overlapping copies.
    concurrent_copies: AtomicU64,
}

/// Sends order `i`'s notify until it is acknowledged. Returns when it is.
async fn deliver(http: &reqwest::Client, url: &str, wire: &Wire, i: usize, nonce: &AtomicU64, counts: &Counts, start: Instant) {
    let mut first = true;
    loop {
        assert!(start.elapsed() < DEADLINE, "order {i} still not acknowledged after {DEADLINE:?}");
        if !first {
            counts.retries.fetch_add(1, Ordering::Relaxed);
        }
        first = false;
        counts.sent.fetch_add(1, Ordering::Relaxed);
        let answer = wire.request(http, url, i, nonce.fetch_add(1, Ordering::Relaxed)).send().await;
        match answer {
            Ok(r) => {
                let status = r.status();
                match r.text().await {
                    Ok(text) if wire.acknowledged(status, &text) => {
                        counts.success_replies.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    Ok(_) => {
                        counts.fail_replies.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        counts.transport_errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Err(_) => {
                counts.transport_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        // WeChat waits 15 s, 15 s, 30 s, …; compressed here.
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_kill9_during_notify_stream_loses_and_doubles_nothing() {
    kill9_during_notify_stream(ApiVersion::V2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_kill9_during_v3_notify_stream_loses_and_doubles_nothing() {
    kill9_during_notify_stream(ApiVersion::V3).await;
}

async fn kill9_during_notify_stream(api: ApiVersion) {
    let seed: u64 = std::env::var("WXPAY_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_0007);
    let n: usize = std::env::var("WXPAY_FAULT_KILL_ORDERS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().to_owned();
    let log = dir.join("server.log");
    seed_orders(&db_url(&dir), n, api).await;

    let port = free_port();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let mut server = ServerProcess::start(&dir, port, &log, api);
    wait_healthy(&http, port, &log).await;

    let wire = Wire::of(api);
    let url = format!("http://127.0.0.1:{port}{}", wire.path());
    let counts = Arc::new(Counts::default());
    let next = Arc::new(AtomicUsize::new(0));
    let nonce = Arc::new(AtomicU64::new(seed << 20));
    let acked: Arc<Mutex<Vec<bool>>> = Arc::new(Mutex::new(vec![false; n]));

    // The senders: each takes the next order, delivers it until SUCCESS, and now and then
    // delivers it once more (a duplicate, which must be acknowledged without a second move).
    let mut senders = tokio::task::JoinSet::new();
    for s in 0..SENDERS {
        let (http, wire, url, counts, next, nonce, acked) =
            (http.clone(), wire.clone(), url.clone(), counts.clone(), next.clone(), nonce.clone(), acked.clone());
        let mut rng = Rng(seed ^ (s as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
        senders.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return;
                }
                if rng.below(16) == 0 {
                    // Two copies at once (WeChat's duplicates can overlap; with a grouped
                    // commit they may land in the same group).
                    counts.concurrent_copies.fetch_add(1, Ordering::Relaxed);
                    tokio::join!(
                        deliver(&http, &url, &wire, i, &nonce, &counts, started),
                        deliver(&http, &url, &wire, i, &nonce, &counts, started)
                    );
                } else {
                    deliver(&http, &url, &wire, i, &nonce, &counts, started).await;
                }
                acked.lock().unwrap()[i] = true;
                counts.acked_orders.fetch_add(1, Ordering::Relaxed);
                if rng.below(8) == 0 {
                    counts.duplicates.fetch_add(1, Ordering::Relaxed);
                    deliver(&http, &url, &wire, i, &nonce, &counts, started).await;
                }
            }
        });
    }

    // The killer: SIGKILL when the acknowledged count crosses each threshold (spread over
    // 10–90 % of the orders), a few ms of jitter later; restart after a short pause during
    // which senders get connection refused.
    let mut rng = Rng(seed);
    let mut thresholds: Vec<usize> = (0..KILLS).map(|k| n * (10 + 80 * k / KILLS) / 100 + rng.below((n / 20) as u64) as usize).collect();
    thresholds.sort_unstable();
    let mut kills = 0;
    let mut kill_log = Vec::new();
    for t in thresholds {
        while counts.acked_orders.load(Ordering::Relaxed) < t {
            assert!(
                started.elapsed() < DEADLINE,
                "stuck at {} acknowledged before kill {kills}",
                counts.acked_orders.load(Ordering::Relaxed)
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.below(25))).await;
        let at = counts.acked_orders.load(Ordering::Relaxed);
        server.kill9();
        kills += 1;
        tokio::time::sleep(Duration::from_millis(rng.below(150))).await;
        server = ServerProcess::start(&dir, port, &log, api);
        wait_healthy(&http, port, &log).await;
        kill_log.push(at);
    }
    while let Some(r) = senders.join_next().await {
        r.expect("sender");
    }
    // One last kill with everything acknowledged: what was answered SUCCESS must be on disk.
    server.kill9();
    kills += 1;

    // The verdict, read from the file the killed server left behind.
    let db = Db::connect(&db_url(&dir)).await.expect("the database reopens after kill -9");
    let integrity: String = sqlx::query("PRAGMA integrity_check").fetch_one(db.pool()).await.unwrap().try_get(0).unwrap();
    assert_eq!(integrity, "ok");
    let rows = sqlx::query("SELECT out_trade_no, status, transaction_id FROM orders").fetch_all(db.pool()).await.unwrap();
    let mut stored: HashMap<String, (String, Option<String>)> = HashMap::new();
    for r in &rows {
        stored.insert(r.try_get("out_trade_no").unwrap(), (r.try_get("status").unwrap(), r.try_get("transaction_id").unwrap()));
    }
    let audit = sqlx::query("SELECT entity_id, from_status, to_status FROM audit_log WHERE entity = 'order' AND action = 'order.paid'")
        .fetch_all(db.pool())
        .await
        .unwrap();
    // order → its `order.paid` rows as (from_status, to_status).
    type Moves = Vec<(Option<String>, Option<String>)>;
    let mut paid_rows: HashMap<String, Moves> = HashMap::new();
    for r in &audit {
        paid_rows
            .entry(r.try_get("entity_id").unwrap())
            .or_default()
            .push((r.try_get("from_status").unwrap(), r.try_get("to_status").unwrap()));
    }
    db.close().await;

    let acked = acked.lock().unwrap().clone();
    let mut lost = Vec::new();
    let mut doubled = Vec::new();
    let mut wrong_txn = Vec::new();
    for (i, was_acked) in acked.iter().enumerate() {
        let no = order_no(i);
        let (status, txn) = stored.get(&no).cloned().unwrap_or_default();
        let moves = paid_rows.get(&no).map(Vec::as_slice).unwrap_or_default();
        if *was_acked && status != "PAID" {
            lost.push(format!("{no} acknowledged but {status}"));
        }
        if moves.len() > 1 {
            doubled.push(format!("{no}: {} order.paid rows", moves.len()));
        } else if status == "PAID" && (moves.len() != 1 || moves[0] != (Some("NOTPAY".into()), Some("PAID".into()))) {
            doubled.push(format!("{no}: PAID with audit {moves:?}"));
        }
        if status == "PAID" && txn.as_deref() != Some(transaction_id(i).as_str()) {
            wrong_txn.push(format!("{no}: transaction_id {txn:?}"));
        }
    }
    let persisted_paid = stored.values().filter(|(s, _)| s == "PAID").count();
    let c = &*counts;
    println!(
        "fault_kill ({api}): orders={n} sent={} acknowledged={} (orders={}, re-sent after SUCCESS={}, sent as 2 overlapping copies={}) persisted_paid={persisted_paid} \
         audit_paid_rows={} kills={kills} retries={} transport_errors={} fail_replies={} seed={seed:#x} seconds={:.1}",
        c.sent.load(Ordering::Relaxed),
        c.success_replies.load(Ordering::Relaxed),
        c.acked_orders.load(Ordering::Relaxed),
        c.duplicates.load(Ordering::Relaxed),
        c.concurrent_copies.load(Ordering::Relaxed),
        audit.len(),
        c.retries.load(Ordering::Relaxed),
        c.transport_errors.load(Ordering::Relaxed),
        c.fail_replies.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
    );
    println!("fault_kill ({api}): kills at acknowledged = {kill_log:?}");
    let _ = std::io::stdout().flush();
    assert!(lost.is_empty(), "{} acknowledged notifies lost, e.g. {:?}\nlog tail:\n{}", lost.len(), &lost[..lost.len().min(5)], tail(&log));
    assert!(
        doubled.is_empty(),
        "{} orders moved twice or without their audit row, e.g. {:?}",
        doubled.len(),
        &doubled[..doubled.len().min(5)]
    );
    assert!(wrong_txn.is_empty(), "{:?}", &wrong_txn[..wrong_txn.len().min(5)]);
    assert_eq!(c.acked_orders.load(Ordering::Relaxed), n, "every order was eventually acknowledged");
    assert_eq!(persisted_paid, n);
    assert_eq!(audit.len(), n, "exactly one order.paid row per order");
    assert_eq!(kills, KILLS + 1);
    assert!(c.transport_errors.load(Ordering::Relaxed) > 0, "the kills must have cut some deliveries");
}
