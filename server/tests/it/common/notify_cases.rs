//! The payment-notify scenarios, written once and mounted per backend and per API version: on
//! SQLite in v2 (tests/it/notify.rs) and v3 (tests/it/v3.rs), on PostgreSQL with two server
//! instances (tests/it/postgres.rs). Copies are spread over every instance. The notifies are
//! made by `common::wire` in the harness's version; a case about one version's wire only (XML's
//! DTDs, v3's probes and timestamps) is in that version's list.

use reqwest::StatusCode;

use super::wire::Change;
use super::Harness;

/// Every case of this file for both versions, mounted as tests on one backend (see
/// `mount_cases!`).
#[macro_export]
macro_rules! notify_cases {
    ($($attr:tt)*) => {
        $crate::mount_cases!(notify_cases [$($attr)*] :
            duplicate_notify_transitions_once,
            rejects_forged_sign_without_state_change,
            rejects_wrong_amount_without_state_change,
            rejects_wrong_mch_id_without_state_change,
            rejects_unknown_order_without_state_change,
            rejects_oversized_body_without_state_change,
            genuine_notify_after_refusals_still_applies,
        );
    };
}

/// The cases about v2's wire (XML) only.
#[macro_export]
macro_rules! notify_cases_v2 {
    ($($attr:tt)*) => {
        $crate::mount_cases!(notify_cases [$($attr)*] :
            rejects_xxe_payload_without_state_change,
        );
    };
}

/// The cases about v3's wire only.
#[macro_export]
macro_rules! notify_cases_v3 {
    ($($attr:tt)*) => {
        $crate::mount_cases!(notify_cases [$($attr)*] :
            refuses_signature_probe_without_state_change,
            rejects_stale_timestamp_without_state_change,
        );
    };
}

/// Asserts that a refused notify left the order NOTPAY with only its creation audit rows.
async fn assert_untouched(h: &Harness, no: &str) {
    assert_eq!(h.stored_status(no).await, "NOTPAY");
    let actions: Vec<String> = h.audit(no).await.into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["order.created", "order.prepaid"], "no audit row may be added by a refused notify");
    let o = h.state().db.orders().get(no).await.unwrap().unwrap();
    assert_eq!(o.transaction_id, None);
}

pub async fn duplicate_notify_transitions_once(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        // Each copy freshly nonced and signed, as WeChat's retries are.
        tasks.spawn(super::wire::send(h.notify_request(i, h.notify_path(), &h.genuine_notify(&no))));
    }
    let mut acknowledged = 0;
    while let Some(r) = super::bounded("50 notifies", tasks.join_next()).await {
        let (status, body) = r.unwrap();
        assert!(h.acknowledged(status, &body), "{status} {body}");
        acknowledged += 1;
    }
    assert_eq!(acknowledged, 50);
    assert_eq!(h.stored_status(&no).await, "PAID");
    assert_eq!(h.paid_transitions(&no).await, 1, "exactly one NOTPAY → PAID");
    let o = h.state().db.orders().get(&no).await.unwrap().unwrap();
    assert_eq!(o.transaction_id, h.sandbox.order(&no).unwrap().transaction_id);
    // The raw notify is kept with the transition.
    let paid = h.audit(&no).await.into_iter().find(|a| a.action == "order.paid").unwrap();
    let detail = paid.detail.unwrap();
    match h.api {
        wxpay_server::api::ApiVersion::V2 => {
            assert!(detail.contains(&format!("<out_trade_no><![CDATA[{no}]]></out_trade_no>")), "{detail}")
        }
        // v3's body is ciphertext: the decrypted resource is kept.
        wxpay_server::api::ApiVersion::V3 => assert!(detail.contains(&format!("\"out_trade_no\":\"{no}\"")), "{detail}"),
    }
    assert_eq!(paid.actor, "wechat:notify");
}

pub async fn rejects_forged_sign_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    for i in 0..h.servers.len() {
        let (status, body) = h.send_notify(i, &h.forged_notify(&no)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(h.refused(status, &body) && !body.contains("SIGNATURE_MISMATCH"), "{body}");
    }
    // A genuine notify with one field changed after signing is just as forged.
    let (status, body) = h.send_notify(0, &h.tampered_notify(&no)).await;
    assert!(h.refused(status, &body), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_wrong_amount_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let fee = h.sandbox.order(&no).unwrap().total_fee;
    let (status, body) = h.send_notify(h.servers.len() - 1, &h.altered_notify(&no, Change::Total(fee + 1))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h.refused(status, &body) && !body.contains("total_fee"), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_wrong_mch_id_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let (status, body) = h.send_notify(0, &h.altered_notify(&no, Change::MchId("1900000109"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h.refused(status, &body) && !body.contains("MCHID_MISMATCH"), "{body}");
    let (status, body) = h.send_notify(0, &h.altered_notify(&no, Change::AppId("wx0000000000000000"))).await;
    assert!(h.refused(status, &body) && !body.contains("APPID_MISMATCH"), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_unknown_order_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let (status, body) = h.send_notify(0, &h.altered_notify(&no, Change::OutTradeNo("20990101000000UNKNOWN001"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(h.refused(status, &body) && !body.contains("unknown out_trade_no"), "{body}");
    assert!(h.state().db.orders().get("20990101000000UNKNOWN001").await.unwrap().is_none());
    assert_untouched(h, &no).await;
}

pub async fn rejects_xxe_payload_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let genuine = h.sandbox.signed_notify(&no).unwrap();
    let xxe = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>{}",
        genuine.replacen("<bank_type><![CDATA[CMC]]></bank_type>", "<bank_type>&xxe;</bank_type>", 1)
    );
    let (status, body) = h.post_notify(0, xxe.into_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h.refused(status, &body) && !body.contains("DOCTYPE"), "{body}");
    assert!(!body.contains("root:"), "nothing of the file may leak: {body}");
    // Even a genuinely signed document is refused once it carries a DTD.
    let (status, body) = h.post_notify(0, format!("<!DOCTYPE xml>{genuine}").into_bytes()).await;
    assert!(h.refused(status, &body), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_oversized_body_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    // A genuine notify padded with whitespace past the limit.
    let mut big = h.genuine_notify(&no);
    big.body.extend(std::iter::repeat_n(b' ', 1 << 20));
    let (status, body) = h.send_notify(0, &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(h.refused(status, &body), "{body}");
    // Without Content-Length (chunked), the limit still holds.
    if let Some(status) = post_chunked(h.url(), h.notify_path(), 64, 16 * 1024).await {
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE.as_u16());
    } // else the server closed while the client was still sending the megabyte.
    assert_untouched(h, &no).await;
}

/// POSTs `chunks` chunks of `len` spaces to `base`'s `path` with `Transfer-Encoding: chunked`
/// and no Content-Length, written by hand on a TCP stream: → the status the server answered, or
/// `None` when it closed the connection before answering.
async fn post_chunked(base: &str, path: &str, chunks: usize, len: usize) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.strip_prefix("http://").expect("the harness serves plain HTTP on loopback");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let chunk = format!("{len:x}\r\n{}\r\n", " ".repeat(len));
    let mut sent = stream.write_all(head.as_bytes()).await;
    for _ in 0..chunks {
        if sent.is_err() {
            break;
        }
        sent = stream.write_all(chunk.as_bytes()).await;
    }
    if sent.is_ok() {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
    let mut answer = Vec::new();
    let _ = super::bounded("the answer to a chunked notify", stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    answer.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

pub async fn genuine_notify_after_refusals_still_applies(h: &Harness) {
    let (token, no) = h.paid_without_notify().await;
    let (status, body) = h.send_notify(0, &h.altered_notify(&no, Change::Total(999_999))).await;
    assert!(h.refused(status, &body), "{body}");
    let (status, body) = h.send_notify(h.servers.len() - 1, &h.genuine_notify(&no)).await;
    assert!(h.acknowledged(status, &body), "{status} {body}");
    let v = h.wait_status(&token, &no, "PAID").await;
    assert_eq!(v["transaction_id"].as_str(), h.sandbox.order(&no).unwrap().transaction_id.as_deref());
    assert_eq!(h.paid_transitions(&no).await, 1);
}

pub async fn refuses_signature_probe_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    // WeChat's probe: a notify like the genuine one, signed `WECHATPAY/SIGNTEST/…`.
    let probe = h.sandbox.v3_probe_of(h.sandbox.v3_payment_resource(&no).unwrap()).unwrap();
    let probe =
        super::wire::Wire { headers: probe.headers.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(), body: probe.body.into_bytes() };
    for i in 0..h.servers.len() {
        let (status, body) = h.send_notify(i, &probe).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(h.refused(status, &body), "{body}");
    }
    assert_untouched(h, &no).await;
}

pub async fn rejects_stale_timestamp_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let wire = h.genuine_notify(&no);
    // Replayed six minutes later: outside the five minutes WeChat's timestamps are trusted for.
    h.clock.advance(std::time::Duration::from_secs(360));
    let (status, body) = h.send_notify(0, &wire).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(h.refused(status, &body), "{body}");
    assert_untouched(h, &no).await;
}
