//! `wxpay-server demo [v2|v3]`: the simulator and the server on SQLite in a temporary directory,
//! and a purchase walked step by step — login → products → order → pay → notify → PAID — then a
//! refund — request → merchant approval → refund call → refund notify → SUCCESS — printing what
//! is sent and received: v2's XML (the refund call with the client certificate), or v3's signed
//! requests and the notifies decrypted with the APIv3 key. Secrets are masked (and none travels
//! in a message anyway).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use wxpay_sim::{SimConfig, Simulator};

use crate::api::ApiVersion;
use crate::sandbox::{server_config, server_config_v3, sim_clock};
use crate::upstream::{Exchange, Observer};
use crate::{AppState, Clock};

/// Where the demo writes its lines.
pub type Printer = Arc<dyn Fn(&str) + Send + Sync>;

fn mask(s: &str) -> String {
    let head: String = s.chars().take(4).collect();
    format!("{head}…(masked)")
}

fn show_exchange(print: &Printer, x: &Exchange) {
    // A v3 request line carries its headers (Authorization, Wechatpay-Serial) on the next lines.
    print(&format!("    → {}", x.request_line.replace('\n', "\n      ")));
    if let Some(b) = &x.request_body {
        print(&format!("      {b}"));
    }
    match &x.response {
        Ok(r) => print(&format!("    ← {r}")),
        Err(e) => print(&format!("    ← transport error: {e}")),
    }
}

async fn json_of(resp: reqwest::Response) -> Result<Value> {
    let status = resp.status();
    let v: Value = resp.json().await.map_err(|e| Error::Internal(format!("bad JSON: {e}")))?;
    if !status.is_success() {
        return Err(Error::Internal(format!("HTTP {status}: {v}")));
    }
    Ok(v)
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

/// A notify as the simulator delivered it, and, in v3, its resource decrypted with the APIv3 key
/// (the server verified its signature before it did the same).
fn show_notify(print: &Printer, body: &str, api_v3_key: Option<&wxpay::v3::ApiV3Key>) {
    print(&format!("    → {body}"));
    if let Some(key) = api_v3_key {
        match wxpay::v3::Notification::parse_unverified(body.as_bytes()).and_then(|n| n.resource.decrypt_text(key)) {
            Ok(plain) => print(&format!("      resource decrypted (AES-256-GCM, APIv3 key): {plain}")),
            Err(e) => print(&format!("      resource not decrypted: {e}")),
        }
    }
}

/// Runs the demo in `api`. Returns an error unless the order ends PAID and the refund SUCCESS.
///
/// # Errors
/// Any failed step.
pub async fn run(print: Printer, api: ApiVersion) -> Result<()> {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().map_err(internal)?;
    let clock = Clock::system();
    let mut sc = SimConfig::new(dir.path().join("sandbox"));
    sc.time_scale = 100.0;
    let sandbox = Simulator::start(sc, sim_clock(&clock)).await.map_err(internal)?;
    let creds = sandbox.credentials();
    print(&format!("== 0. Start: WeChat Pay simulator + wxpay-server (SQLite in a temp dir), API {api}"));
    print(&format!("    simulator {} (CA {})", sandbox.base_url(), sandbox.ca_file().display()));
    match api {
        ApiVersion::V2 => {
            print(&format!("    appid={} mch_id={} api_key={} app_secret={}", creds.appid, creds.mch_id, creds.api_key, creds.app_secret))
        }
        ApiVersion::V3 => {
            let v3 = sandbox.ready().v3;
            print(&format!(
                "    appid={} mch_id={} app_secret={} mch_serial={} apiv3_key={} wechatpay_public_key_id={}",
                creds.appid,
                creds.mch_id,
                creds.app_secret,
                v3.mch_serial,
                mask(&v3.apiv3_key),
                v3.wechatpay_public_key_id.unwrap_or_default()
            ));
            print(&format!("    merchant private key {} (apiclient_key.pem; never printed)", v3.mch_private_key.display()));
        }
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(internal)?;
    let server = format!("http://{}", listener.local_addr().map_err(internal)?);
    let mut config = match api {
        ApiVersion::V2 => server_config(&sandbox, &server),
        ApiVersion::V3 => server_config_v3(&sandbox, &server),
    };
    config.database_url = Some(format!("sqlite://{}?mode=rwc", dir.path().join("wxpay.db").display()));
    let admin_token = format!("demo-admin-{}", wxpay::nonce_str()?);
    config.admin_token = Some(admin_token.clone());
    let settings = config.settings()?;
    let p = print.clone();
    let observer: Observer = Arc::new(move |x: &Exchange| show_exchange(&p, x));
    let state = AppState::connect(settings, clock, Some(observer)).await?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(crate::serve(listener, state.clone(), async {
        let _ = stop_rx.await;
    }));
    let api_v3_key = state.settings.v3.as_ref().map(|v| v.api_v3_key.clone());
    let notify_url = match api {
        ApiVersion::V2 => state.settings.notify_url(),
        ApiVersion::V3 => state.settings.v3_notify_url(),
    };
    print(&format!("    server {server}, notify_url {notify_url}; {}", state.settings.versions_line()));

    let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().map_err(internal)?;
    let ca = std::fs::read(sandbox.ca_file()).map_err(internal)?;
    let wechat_client = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).map_err(internal)?)
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(internal)?;

    print("\n== 1. wx.login() in the mini-program (played by the simulator)");
    let login =
        json_of(wechat_client.post(format!("{}/sandbox/login", sandbox.base_url())).json(&json!({})).send().await.map_err(internal)?)
            .await?;
    let code = login["code"].as_str().unwrap_or_default().to_owned();
    print(&format!("    code = {code}"));

    print("\n== 2. POST /api/login {code}  (server → jscode2session)");
    let v = json_of(http.post(format!("{server}/api/login")).json(&json!({ "code": code })).send().await.map_err(internal)?).await?;
    let token = v["token"].as_str().unwrap_or_default().to_owned();
    print(&format!("    ← token={} expires_in={}  (openid and session_key stay on the server)", mask(&token), v["expires_in"]));

    print("\n== 3. GET /api/products");
    let products = json_of(http.get(format!("{server}/api/products")).send().await.map_err(internal)?).await?;
    print(&format!("    ← {products}"));
    let product_id = products[0]["id"].as_i64().ok_or_else(|| internal("no products"))?;

    let prepay = if api == ApiVersion::V3 { "JSAPI prepay, signed SHA256withRSA" } else { "unifiedorder" };
    print(&format!("\n== 4. POST /api/orders {{product_id: {product_id}, quantity: 2}}  (server → {prepay})"));
    let order = json_of(
        http.post(format!("{server}/api/orders"))
            .bearer_auth(&token)
            .json(&json!({ "product_id": product_id, "quantity": 2 }))
            .send()
            .await
            .map_err(internal)?,
    )
    .await?;
    let no = order["out_trade_no"].as_str().unwrap_or_default().to_owned();
    print(&format!("    ← out_trade_no={no} total_fee={} status={}", order["total_fee"], order["status"]));
    print(&format!("      payment = {}", order["payment"]));

    print("\n== 5. wx.requestPayment(payment)  (the WeChat client checks paySign, the user pays)");
    let paid = json_of(
        wechat_client
            .post(format!("{}/sandbox/requestPayment", sandbox.base_url()))
            .json(&order["payment"])
            .send()
            .await
            .map_err(internal)?,
    )
    .await?;
    print(&format!("    ← {paid}"));

    print(match api {
        ApiVersion::V2 => "\n== 6. WeChat → POST /wxpay/notify (signed XML), server answers",
        ApiVersion::V3 => "\n== 6. WeChat → POST /wxpay/v3/notify (signed JSON; verified, then decrypted), server answers",
    });
    let mut delivered = None;
    for _ in 0..200 {
        if let Some(d) = sandbox.deliveries(&no).into_iter().find(|d| d.acknowledged) {
            delivered = Some(d);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let d = delivered.ok_or_else(|| internal("the notify was not acknowledged within 10 s"))?;
    show_notify(&print, &d.body, api_v3_key.as_ref());
    print(&format!("    ← HTTP {} {}", d.status.unwrap_or(0), d.reply));

    print(&format!("\n== 7. GET /api/orders/{no}"));
    let v = json_of(http.get(format!("{server}/api/orders/{no}")).bearer_auth(&token).send().await.map_err(internal)?).await?;
    print(&format!("    ← status={} transaction_id={} total_fee={}", v["status"], v["transaction_id"], v["total_fee"]));
    print("\n   audit trail:");
    for a in state.db.audit().of("order", &no).await? {
        print(&format!(
            "    {} {:<14} {:>7} → {:<7} by {}",
            a.at,
            a.action,
            a.from_status.unwrap_or_default(),
            a.to_status.unwrap_or_default(),
            a.actor
        ));
    }
    if v["status"] != "PAID" {
        return Err(internal(format!("order ended {}", v["status"])));
    }

    print(&format!("\n== 8. POST /api/orders/{no}/refunds {{reason}}  (the payer asks; default: the full amount)"));
    let r = json_of(
        http.post(format!("{server}/api/orders/{no}/refunds"))
            .bearer_auth(&token)
            .json(&json!({ "reason": "demo: 不想要了" }))
            .send()
            .await
            .map_err(internal)?,
    )
    .await?;
    let rno = r["out_refund_no"].as_str().unwrap_or_default().to_owned();
    print(&format!("    ← out_refund_no={rno} refund_fee={} status={}", r["refund_fee"], r["status"]));

    let call = match api {
        ApiVersion::V2 => "secapi/pay/refund with the client certificate",
        ApiVersion::V3 => "v3 refunds, signed SHA256withRSA, no client certificate",
    };
    print(&format!("\n== 9. POST /admin/api/refunds/{rno}/approve  (Bearer ADMIN_TOKEN; server → {call})"));
    let a =
        json_of(http.post(format!("{server}/admin/api/refunds/{rno}/approve")).bearer_auth(&admin_token).send().await.map_err(internal)?)
            .await?;
    print(&format!("    ← status={} refund_id={}", a["status"], a["refund_id"]));

    print(match api {
        ApiVersion::V2 => "\n== 10. WeChat → POST /wxpay/refund-notify (req_info: AES-256-ECB with MD5 of the API key), server answers",
        ApiVersion::V3 => "\n== 10. WeChat → POST /wxpay/v3/notify (REFUND.SUCCESS; verified, then decrypted), server answers",
    });
    let mut delivered = None;
    for _ in 0..200 {
        if let Some(d) = sandbox.deliveries(&rno).into_iter().find(|d| d.acknowledged) {
            delivered = Some(d);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let d = delivered.ok_or_else(|| internal("the refund notify was not acknowledged within 10 s"))?;
    show_notify(&print, &d.body, api_v3_key.as_ref());
    if let Some(req_info) = wxpay::xml::decode(d.body.as_bytes()).ok().and_then(|p| p.get("req_info").cloned()) {
        let inner = wxpay::refund_notify::decrypt_req_info(&req_info, &state.settings.v2()?.key)?;
        let root = wxpay::xml::encode_pairs("root", inner.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        print(&format!("      req_info decrypted: {root}"));
    }
    print(&format!("    ← HTTP {} {}", d.status.unwrap_or(0), d.reply));

    print(&format!("\n== 11. GET /api/orders/{no}/refunds"));
    let list = json_of(http.get(format!("{server}/api/orders/{no}/refunds")).bearer_auth(&token).send().await.map_err(internal)?).await?;
    let refund_status = list[0]["status"].clone();
    print(&format!("    ← out_refund_no={} refund_fee={} status={}", list[0]["out_refund_no"], list[0]["refund_fee"], refund_status));
    print("\n   audit trail:");
    for a in state.db.audit().of("refund", &rno).await? {
        print(&format!(
            "    {} {:<18} {:>10} → {:<10} by {}",
            a.at,
            a.action,
            a.from_status.unwrap_or_default(),
            a.to_status.unwrap_or_default(),
            a.actor
        ));
    }
    let _ = stop_tx.send(());
    let _ = serving.await;
    state.db.close().await;
    if refund_status != "SUCCESS" {
        return Err(internal(format!("refund ended {refund_status}")));
    }
    print(&format!("\nDone (API {api}): order {no} is PAID, and refund {rno} is SUCCESS ({} ms).", started.elapsed().as_millis()));
    Ok(())
}
