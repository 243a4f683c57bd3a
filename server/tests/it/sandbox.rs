//! The simulator speaks WeChat Pay v2: it checks signatures and fields and answers WeChat's
//! codes; its client verifies paySign; it retries notifies until SUCCESS. Driven directly with
//! the core crate, over verified TLS.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use common::Harness;
use reqwest::StatusCode;
use serde_json::Value;
use wxpay::{CloseOrder, Fen, Merchant, OrderQuery, Params, Request, SignType, TradeRef, UnifiedOrder};

async fn post(h: &Harness, path: &str, body: String) -> Params {
    let url = format!("{}{path}", h.sandbox.base_url());
    let text = common::bounded(path, h.wechat.post(url).body(body).send()).await.unwrap().text().await.unwrap();
    wxpay::xml::decode(text.as_bytes()).unwrap()
}

async fn call<R: Request>(h: &Harness, m: &Merchant, req: &R) -> Params {
    post(h, R::PATH, m.request_xml(req, &wxpay::nonce_str().unwrap()).unwrap()).await
}

fn err_code(p: &Params) -> &str {
    assert_eq!(p["return_code"], "SUCCESS", "{p:?}");
    assert_eq!(p["result_code"], "FAIL", "{p:?}");
    &p["err_code"]
}

fn order_for(h: &Harness, no: &str, fee: u64, notify_url: &str) -> UnifiedOrder {
    let (_, openid) = h.sandbox.issue_code(None);
    UnifiedOrder::new("Test", no, Fen::new(fee), "127.0.0.1", notify_url, openid)
}

#[tokio::test]
async fn sandbox_answers_a_bad_signature_return_code_fail_unsigned() {
    let h = Harness::start().await;
    let mut p =
        wxpay::xml::decode(h.merchant().request_xml(&order_for(&h, "SB1", 100, "https://x.example/n"), "abc").unwrap().as_bytes()).unwrap();
    p.insert("total_fee".into(), "1".into());
    let answer = post(&h, "/pay/unifiedorder", wxpay::xml::encode(&p).unwrap()).await;
    // As WeChat: return_code=FAIL, 签名错误, no result_code, no err_code, and unsigned.
    let fields: Vec<(&str, &str)> = answer.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(fields, [("return_code", "FAIL"), ("return_msg", "签名错误")]);
    assert_eq!(h.sandbox.order_count(), 0);
}

#[tokio::test]
async fn sandbox_checks_required_fields_and_identity() {
    let h = Harness::start().await;
    let m = h.merchant();
    let mut o = order_for(&h, "SB2", 100, "https://x.example/n");
    o.openid = "o-not-from-this-appid".into();
    assert_eq!(err_code(&call(&h, &m, &o).await), "PARAM_ERROR");
    let other = Merchant::new(m.appid.clone(), "1999999999", m.key.clone());
    assert_eq!(err_code(&call(&h, &other, &order_for(&h, "SB2", 100, "https://x.example/n")).await), "MCHID_NOT_EXIST");
    let other = Merchant::new("wx1111111111111111", m.mch_id.clone(), m.key.clone());
    assert_eq!(err_code(&call(&h, &other, &order_for(&h, "SB2", 100, "https://x.example/n")).await), "APPID_NOT_EXIST");
    // A field missing entirely (built by hand: the core would refuse to send it).
    let mut p = m.request_params(&order_for(&h, "SB2", 100, "https://x.example/n"), "abc").unwrap();
    p.remove("body");
    p.remove("sign");
    let sign = wxpay::sign(&p, &m.key, SignType::Md5);
    p.insert("sign".into(), sign);
    assert_eq!(err_code(&post(&h, "/pay/unifiedorder", wxpay::xml::encode(&p).unwrap()).await), "LACK_PARAMS");
    let fail = post(&h, "/pay/unifiedorder", "<xml><a>".into()).await;
    assert_eq!(fail["return_code"], "FAIL");
    assert!(fail["return_msg"].starts_with("XML_FORMAT_ERROR"));
    let r = h.wechat.get(format!("{}/pay/unifiedorder", h.sandbox.base_url())).send().await.unwrap().text().await.unwrap();
    assert!(r.contains("REQUIRE_POST_METHOD"), "{r}");
    assert_eq!(h.sandbox.order_count(), 0);
}

#[tokio::test]
async fn sandbox_is_idempotent_per_out_trade_no() {
    let h = Harness::start().await;
    let m = h.merchant();
    let o = order_for(&h, "SB3", 100, "https://x.example/n");
    let first: wxpay::UnifiedOrderResponse = m.parse_response(wxpay::xml::encode(&call(&h, &m, &o).await).unwrap().as_bytes()).unwrap();
    let again: wxpay::UnifiedOrderResponse = m.parse_response(wxpay::xml::encode(&call(&h, &m, &o).await).unwrap().as_bytes()).unwrap();
    assert_eq!(first.prepay_id, again.prepay_id, "same parameters, same prepay_id");
    let mut changed = o.clone();
    changed.total_fee = Fen::new(101);
    assert_eq!(err_code(&call(&h, &m, &changed).await), "OUT_TRADE_NO_USED");
    // Closing it, then ordering or closing again.
    assert_eq!(call(&h, &m, &CloseOrder { out_trade_no: "SB3".into() }).await["result_code"], "SUCCESS");
    assert_eq!(err_code(&call(&h, &m, &CloseOrder { out_trade_no: "SB3".into() }).await), "ORDERCLOSED");
    assert_eq!(err_code(&call(&h, &m, &o).await), "ORDERCLOSED");
    let q = call(&h, &m, &OrderQuery { trade: TradeRef::OutTradeNo("SB3".into()) }).await;
    assert_eq!(q["trade_state"], "CLOSED");
    assert_eq!(err_code(&call(&h, &m, &OrderQuery { trade: TradeRef::OutTradeNo("NOPE".into()) }).await), "ORDERNOTEXIST");
    assert_eq!(err_code(&call(&h, &m, &CloseOrder { out_trade_no: "NOPE".into() }).await), "ORDERNOTEXIST");
}

/// A notify receiver that answers FAIL `fails` times, then SUCCESS.
async fn receiver(fails: u32) -> (String, Arc<AtomicU32>) {
    use axum::routing::post;
    let seen = Arc::new(AtomicU32::new(0));
    let counter = seen.clone();
    let app = axum::Router::new().route(
        "/notify",
        post(move || {
            let counter = counter.clone();
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                wxpay::notify::reply(n >= fails, if n >= fails { "OK" } else { "busy" }).unwrap()
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, seen)
}

async fn request_payment(h: &Harness, params: &wxpay::PaymentParams) -> (StatusCode, Value) {
    let mut v = serde_json::to_value(params).unwrap();
    v.as_object_mut().unwrap().remove("appId");
    h.pay(&v).await
}

#[tokio::test]
async fn sandbox_retries_the_notify_until_success() {
    let h = Harness::start().await;
    let m = h.merchant().with_sign_type(SignType::HmacSha256);
    let (url, seen) = receiver(2).await;
    let answer = call(&h, &m, &order_for(&h, "SB4", 250, &url)).await;
    let prepay: wxpay::UnifiedOrderResponse = m.parse_response(wxpay::xml::encode(&answer).unwrap().as_bytes()).unwrap();
    let params = m.payment_params(&prepay.prepay_id, 1_700_000_000, "n0nce").unwrap();
    let (status, v) = request_payment(&h, &params).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let d = h.wait_acknowledged("SB4").await;
    assert_eq!(d.iter().map(|d| (d.attempt, d.acknowledged)).collect::<Vec<_>>(), [(1, false), (2, false), (3, true)]);
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    // Every copy is a valid HMAC-SHA256 notify without a sign_type field.
    for x in &d {
        let n = m.verify_payment_notify(x.body.as_bytes()).unwrap();
        assert_eq!((n.sign_type, n.total_fee, n.out_trade_no.as_str()), (SignType::HmacSha256, Fen::new(250), "SB4"));
        assert!(!x.body.contains("sign_type"));
    }
    // Paid now: a second payment and a new unifiedorder are refused.
    let (status, v) = request_payment(&h, &params).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(err_code(&call(&h, &m, &order_for(&h, "SB4", 250, &url)).await), "ORDERPAID");
    assert_eq!(err_code(&call(&h, &m, &CloseOrder { out_trade_no: "SB4".into() }).await), "ORDERPAID");
    let q = call(&h, &m, &OrderQuery { trade: TradeRef::OutTradeNo("SB4".into()) }).await;
    assert_eq!((q["trade_state"].as_str(), q["total_fee"].as_str()), ("SUCCESS", "250"));
}

#[tokio::test]
async fn sandbox_client_refuses_a_forged_pay_sign() {
    let h = Harness::start().await;
    let m = h.merchant();
    let answer = call(&h, &m, &order_for(&h, "SB5", 100, "https://x.example/n")).await;
    let prepay: wxpay::UnifiedOrderResponse = m.parse_response(wxpay::xml::encode(&answer).unwrap().as_bytes()).unwrap();
    let mut params = m.payment_params(&prepay.prepay_id, 1_700_000_000, "n0nce").unwrap();
    params.time_stamp = "1700000001".into();
    let (status, v) = request_payment(&h, &params).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["errMsg"], "requestPayment:fail 支付验证签名失败");
    let mut cancel = serde_json::to_value(m.payment_params(&prepay.prepay_id, 1_700_000_000, "n0nce").unwrap()).unwrap();
    cancel["cancel"] = true.into();
    let (_, v) = h.pay(&cancel).await;
    assert_eq!(v["errMsg"], "requestPayment:fail cancel");
    assert_eq!(h.sandbox.order("SB5").unwrap().trade_state, wxpay::TradeState::Notpay);
}

#[tokio::test]
async fn sandbox_jscode2session_checks_credentials() {
    let h = Harness::start().await;
    let c = h.sandbox.credentials();
    let (code, openid) = h.sandbox.issue_code(None);
    let url = format!("{}/sns/jscode2session", h.sandbox.base_url());
    let get = |appid: String, secret: String, code: String| {
        let q = [("appid", appid), ("secret", secret), ("js_code", code), ("grant_type", "authorization_code".into())];
        let req = h.wechat.get(&url).query(&q);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(get(c.appid.clone(), "wrongsecret0000000000".into(), code.clone()).await["errcode"], 40125);
    assert_eq!(get("wx0000000000000000".into(), c.app_secret.expose().into(), code.clone()).await["errcode"], 40013);
    let ok = get(c.appid.clone(), c.app_secret.expose().into(), code.clone()).await;
    assert_eq!(ok["openid"], openid.as_str());
    assert!(ok["session_key"].is_string());
    assert_eq!(get(c.appid.clone(), c.app_secret.expose().into(), code).await["errcode"], 40163);
}

#[tokio::test]
async fn sandbox_tls_is_verified_against_its_generated_ca() {
    let h = Harness::start().await;
    // Without the simulator's CA the certificate is refused: nothing turns verification off.
    let plain = reqwest::Client::builder().use_rustls_tls().build().unwrap();
    let err = plain.get(format!("{}/sandbox/orders/x", h.sandbox.base_url())).send().await.unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err}");
    let ok = h.wechat.get(format!("{}/sandbox/orders/x", h.sandbox.base_url())).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::NOT_FOUND);
}

/// A live database as the previous release's `serve` leaves it: the SQLite migrations before the
/// newest one, WAL, `meta.mode = 'live'` (unless `mode` is `None`).
async fn previous_release_database(file: &Path, mode: Option<&str>) {
    use sqlx::{ConnectOptions, Connection, Executor};
    let all = migrations();
    let mut names = listing(&all);
    names.pop();
    let older = file.with_extension("migrations");
    std::fs::create_dir(&older).unwrap();
    for n in &names {
        std::fs::copy(all.join(n), older.join(n)).unwrap();
    }
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(file).create_if_missing(true).connect().await.unwrap();
    conn.execute("PRAGMA journal_mode = WAL").await.unwrap();
    sqlx::migrate::Migrator::new(older.as_path()).await.unwrap().run(&mut conn).await.unwrap();
    if let Some(mode) = mode {
        sqlx::query("INSERT INTO meta (key, value) VALUES ('mode', $1)").bind(mode).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    std::fs::remove_dir_all(older).unwrap();
}

fn migrations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite")
}

fn listing(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    names
}

/// How many migrations `db` has had (read-only).
async fn applied_migrations(db: &Path) -> usize {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(db).read_only(true).connect().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    usize::try_from(n).unwrap()
}

/// `serve --sandbox` on `db` → its stderr once it has stopped (it must stop: refused).
fn serve_sandbox_on(db: &Path, tmp: &Path) -> String {
    let api = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wxpay-server"))
        .args(["serve", "--sandbox"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TMPDIR", tmp)
        .env("LISTEN", format!("127.0.0.1:{api}"))
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("WXPAY_RECONCILE_INTERVAL_SECS", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("serve --sandbox started on a live database");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("invalid setting DATABASE_URL") && err.contains("--sandbox-allow-live-database"), "{err}");
    err
}

#[test]
fn serve_sandbox_refuses_a_live_database_before_touching_it() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    std::fs::create_dir(&live).unwrap();
    let db = live.join("orders.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(previous_release_database(&db, Some("live")));
    let (bytes, files) = (std::fs::read(&db).unwrap(), listing(&live));
    serve_sandbox_on(&db, tmp.path());
    // Looked at before anything here opens it again (a read-only reader leaves -wal and -shm).
    let (bytes_after, files_after) = (std::fs::read(&db).unwrap(), listing(&live));
    let applied = rt.block_on(applied_migrations(&db));
    assert_eq!(applied, listing(&migrations()).len() - 1, "serve --sandbox migrated the live database before refusing it");
    assert!(bytes_after == bytes, "serve --sandbox changed the live database's file");
    assert_eq!(files_after, files, "serve --sandbox left files beside the live database");
}

#[test]
fn serve_sandbox_refuses_a_live_database_in_use_before_migrating_it() {
    use sqlx::{ConnectOptions, Connection, Executor};
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("orders.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(previous_release_database(&db, None));
    // A live server running on it: its mode row is still in the -wal file, not the main one.
    let conn = rt.block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(&db).connect().await.unwrap();
        conn.execute("PRAGMA wal_autocheckpoint = 0").await.unwrap();
        conn.execute("INSERT INTO meta (key, value) VALUES ('mode', 'live')").await.unwrap();
        conn
    });
    serve_sandbox_on(&db, tmp.path());
    assert_eq!(rt.block_on(applied_migrations(&db)), listing(&migrations()).len() - 1, "serve --sandbox migrated the live database");
    rt.block_on(conn.close()).unwrap();
}
