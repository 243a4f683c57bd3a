//! The payment-notify scenarios, run on SQLite (tests/it/notify.rs) and on PostgreSQL with two
//! server instances (tests/it/postgres.rs). Copies are spread over every instance.

use reqwest::StatusCode;

use super::{is_fail_reply, is_success_reply, Harness};

/// Every case of this file, mounted as tests on one backend (see `mount_cases!`).
#[macro_export]
macro_rules! notify_cases {
    ($($attr:tt)*) => {
        $crate::mount_cases!(notify_cases [$($attr)*] :
            duplicate_notify_transitions_once,
            rejects_forged_sign_without_state_change,
            rejects_wrong_amount_without_state_change,
            rejects_wrong_mch_id_without_state_change,
            rejects_unknown_order_without_state_change,
            rejects_xxe_payload_without_state_change,
            rejects_oversized_body_without_state_change,
            genuine_notify_after_refusals_still_applies,
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
        let body = h.sandbox.signed_notify(&no).unwrap().into_bytes();
        let url = format!("{}/wxpay/notify", h.servers[i % h.servers.len()].url);
        let http = h.http.clone();
        tasks.spawn(async move {
            let r = http.post(url).body(body).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        });
    }
    let mut acknowledged = 0;
    while let Some(r) = super::bounded("50 notifies", tasks.join_next()).await {
        let (status, body) = r.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(is_success_reply(&body), "{body}");
        acknowledged += 1;
    }
    assert_eq!(acknowledged, 50);
    assert_eq!(h.stored_status(&no).await, "PAID");
    assert_eq!(h.paid_transitions(&no).await, 1, "exactly one NOTPAY → PAID");
    let o = h.state().db.orders().get(&no).await.unwrap().unwrap();
    assert_eq!(o.transaction_id, h.sandbox.order(&no).unwrap().transaction_id);
    // The raw notify is kept with the transition.
    let paid = h.audit(&no).await.into_iter().find(|a| a.action == "order.paid").unwrap();
    assert!(paid.detail.unwrap().contains(&format!("<out_trade_no><![CDATA[{no}]]></out_trade_no>")));
    assert_eq!(paid.actor, "wechat:notify");
}

pub async fn rejects_forged_sign_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let mut p = h.notify_params(&no);
    let other = wxpay::ApiKey::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    p.remove("sign");
    let forged = wxpay::sign(&p, &other, wxpay::SignType::Md5);
    p.insert("sign".into(), forged);
    for i in 0..h.servers.len() {
        let (status, body) = h.post_notify(i, wxpay::xml::encode(&p).unwrap().into_bytes()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(is_fail_reply(&body) && !body.contains("SIGNATURE_MISMATCH"), "{body}");
    }
    // A genuine notify with one field changed after signing is just as forged.
    let mut p = h.notify_params(&no);
    p.insert("total_fee".into(), "1".into());
    let (_, body) = h.post_notify(0, wxpay::xml::encode(&p).unwrap().into_bytes()).await;
    assert!(is_fail_reply(&body), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_wrong_amount_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let mut p = h.notify_params(&no);
    let fee: u64 = p["total_fee"].parse().unwrap();
    p.insert("total_fee".into(), (fee + 1).to_string());
    p.insert("cash_fee".into(), (fee + 1).to_string());
    let (status, body) = h.post_notify(h.servers.len() - 1, h.resign(p)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(is_fail_reply(&body) && !body.contains("total_fee"), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_wrong_mch_id_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let mut p = h.notify_params(&no);
    p.insert("mch_id".into(), "1900000109".into());
    let (status, body) = h.post_notify(0, h.resign(p)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(is_fail_reply(&body) && !body.contains("MCHID_MISMATCH"), "{body}");
    let mut p = h.notify_params(&no);
    p.insert("appid".into(), "wx0000000000000000".into());
    let (_, body) = h.post_notify(0, h.resign(p)).await;
    assert!(is_fail_reply(&body) && !body.contains("APPID_MISMATCH"), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_unknown_order_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let mut p = h.notify_params(&no);
    p.insert("out_trade_no".into(), "20990101000000UNKNOWN001".into());
    let (status, body) = h.post_notify(0, h.resign(p)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(is_fail_reply(&body) && !body.contains("unknown out_trade_no"), "{body}");
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
    assert!(is_fail_reply(&body) && !body.contains("DOCTYPE"), "{body}");
    assert!(!body.contains("root:"), "nothing of the file may leak: {body}");
    // Even a genuinely signed document is refused once it carries a DTD.
    let (_, body) = h.post_notify(0, format!("<!DOCTYPE xml>{genuine}").into_bytes()).await;
    assert!(is_fail_reply(&body), "{body}");
    assert_untouched(h, &no).await;
}

pub async fn rejects_oversized_body_without_state_change(h: &Harness) {
    let (_, no) = h.paid_without_notify().await;
    let genuine = h.sandbox.signed_notify(&no).unwrap();
    // A genuine notify padded with whitespace past the limit.
    let big = format!("{}{}", genuine, " ".repeat(1 << 20));
    let (status, body) = h.post_notify(0, big.into_bytes()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_fail_reply(&body), "{body}");
    // Without Content-Length (chunked), the limit still holds.
    if let Some(status) = post_chunked(h.url(), 64, 16 * 1024).await {
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE.as_u16());
    } // else the server closed while the client was still sending the megabyte.
    assert_untouched(h, &no).await;
}

/// POSTs `chunks` chunks of `len` spaces to `base`'s `/wxpay/notify` with `Transfer-Encoding:
/// chunked` and no Content-Length, written by hand on a TCP stream: → the status the server
/// answered, or `None` when it closed the connection before answering.
async fn post_chunked(base: &str, chunks: usize, len: usize) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.strip_prefix("http://").expect("the harness serves plain HTTP on loopback");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /wxpay/notify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
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
    let mut p = h.notify_params(&no);
    p.insert("total_fee".into(), "999999".into());
    let (_, body) = h.post_notify(0, h.resign(p)).await;
    assert!(is_fail_reply(&body));
    let (status, body) = h.post_notify(h.servers.len() - 1, h.sandbox.signed_notify(&no).unwrap().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(is_success_reply(&body));
    let v = h.wait_status(&token, &no, "PAID").await;
    assert_eq!(v["transaction_id"].as_str(), h.sandbox.order(&no).unwrap().transaction_id.as_deref());
    assert_eq!(h.paid_transitions(&no).await, 1);
}
