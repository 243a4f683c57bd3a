//! Notifies as they go on the wire, in the harness's API version, so that a case is written once
//! and mounted per version: v2's signed XML at `/wxpay/notify`, v3's signed JSON (the resource
//! encrypted with the APIv3 key) with its `Wechatpay-*` headers at `/wxpay/v3/notify`.

use reqwest::StatusCode;
use wxpay_server::api::ApiVersion;

use super::{bounded, is_fail_reply, is_success_reply, Harness};

/// A notify: its headers (besides Content-Type) and body.
#[derive(Debug, Clone)]
pub struct Wire {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A field of a payment notify to change, the result signed again as WeChat would sign it (v2:
/// with the shared API key; v3: with the simulator's WeChat key, the resource encrypted again).
#[derive(Debug, Clone, Copy)]
pub enum Change {
    /// The amount paid.
    Total(u64),
    /// The merchant number.
    MchId(&'static str),
    /// The AppID.
    AppId(&'static str),
    /// The order number.
    OutTradeNo(&'static str),
}

impl Harness {
    /// The notify path of the harness's version.
    pub fn notify_path(&self) -> &'static str {
        match self.api {
            ApiVersion::V2 => "/wxpay/notify",
            ApiVersion::V3 => "/wxpay/v3/notify",
        }
    }

    /// The payment notify WeChat would send now for a paid order (freshly nonced and signed).
    pub fn genuine_notify(&self, no: &str) -> Wire {
        match self.api {
            ApiVersion::V2 => {
                Wire { headers: Vec::new(), body: self.sandbox.signed_notify(no).expect("paid in the simulator").into_bytes() }
            }
            ApiVersion::V3 => v3_wire(self.sandbox.signed_v3_notify(no).expect("paid in the simulator")),
        }
    }

    /// The payment notify with `change` made, signed again as WeChat would.
    pub fn altered_notify(&self, no: &str, change: Change) -> Wire {
        match self.api {
            ApiVersion::V2 => {
                let mut p = self.notify_params(no);
                match change {
                    Change::Total(t) => {
                        p.insert("total_fee".into(), t.to_string());
                        p.insert("cash_fee".into(), t.to_string());
                    }
                    Change::MchId(m) => drop(p.insert("mch_id".into(), m.into())),
                    Change::AppId(a) => drop(p.insert("appid".into(), a.into())),
                    Change::OutTradeNo(n) => drop(p.insert("out_trade_no".into(), n.into())),
                }
                Wire { headers: Vec::new(), body: self.resign(p) }
            }
            ApiVersion::V3 => {
                let mut r = self.sandbox.v3_payment_resource(no).expect("paid in the simulator");
                match change {
                    Change::Total(t) => {
                        r["amount"]["total"] = t.into();
                        r["amount"]["payer_total"] = t.into();
                    }
                    Change::MchId(m) => r["mchid"] = m.into(),
                    Change::AppId(a) => r["appid"] = a.into(),
                    Change::OutTradeNo(n) => r["out_trade_no"] = n.into(),
                }
                v3_wire(self.sandbox.signed_v3_notify_of("TRANSACTION.SUCCESS", r).expect("signed"))
            }
        }
    }

    /// The genuine notify with a signature that is not WeChat's (v2: signed with another key;
    /// v3: another signature of the right length).
    pub fn forged_notify(&self, no: &str) -> Wire {
        match self.api {
            ApiVersion::V2 => {
                let mut p = self.notify_params(no);
                let other = wxpay::ApiKey::new("0123456789abcdefghijklmnopqrstuv").unwrap();
                p.remove("sign");
                let forged = wxpay::sign(&p, &other, wxpay::SignType::Md5);
                p.insert("sign".into(), forged);
                Wire { headers: Vec::new(), body: wxpay::xml::encode(&p).unwrap().into_bytes() }
            }
            ApiVersion::V3 => {
                use base64::Engine as _;
                let mut w = self.genuine_notify(no);
                let other = base64::engine::general_purpose::STANDARD.encode([7u8; 256]);
                for (k, v) in &mut w.headers {
                    if k == "wechatpay-signature" {
                        *v = other.clone();
                    }
                }
                w
            }
        }
    }

    /// The genuine notify with one byte of its body changed after signing.
    pub fn tampered_notify(&self, no: &str) -> Wire {
        let mut w = self.genuine_notify(no);
        let text = String::from_utf8(w.body).unwrap();
        w.body = match self.api {
            ApiVersion::V2 => {
                let mut p = wxpay::xml::decode(text.as_bytes()).unwrap();
                p.insert("total_fee".into(), "1".into());
                wxpay::xml::encode(&p).unwrap().into_bytes()
            }
            // The summary is outside the ciphertext: only the signature covers it.
            ApiVersion::V3 => text.replacen("\"summary\":\"", "\"summary\":\"x", 1).into_bytes(),
        };
        w
    }

    /// The POST of a notify to an instance's `path`, ready to send (or to spawn).
    pub fn notify_request(&self, instance: usize, path: &str, w: &Wire) -> reqwest::RequestBuilder {
        let url = format!("{}{path}", self.servers[instance % self.servers.len()].url);
        let content_type = if self.api == ApiVersion::V3 { "application/json" } else { "text/xml" };
        let mut req = self.http.post(url).header("content-type", content_type).body(w.body.clone());
        for (k, v) in &w.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        req
    }

    /// POSTs a notify to an instance → (status, body).
    pub async fn send_notify(&self, instance: usize, w: &Wire) -> (StatusCode, String) {
        send(self.notify_request(instance, self.notify_path(), w)).await
    }

    /// Whether a reply acknowledges the notify (see [`acknowledges`]).
    pub fn acknowledged(&self, status: StatusCode, body: &str) -> bool {
        acknowledges(self.api, status, body)
    }

    /// Whether a reply refuses the notify (v2: FAIL; v3: a 4xx/5xx with `{"code":"FAIL"}`), saying
    /// nothing of why.
    pub fn refused(&self, status: StatusCode, body: &str) -> bool {
        match self.api {
            ApiVersion::V2 => is_fail_reply(body),
            ApiVersion::V3 => !status.is_success() && serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| v["code"] == "FAIL"),
        }
    }
}

impl Harness {
    /// The refund notify WeChat would send now for a finished refund.
    pub fn genuine_refund_notify(&self, out_refund_no: &str) -> Wire {
        match self.api {
            ApiVersion::V2 => Wire {
                headers: Vec::new(),
                body: self.sandbox.refund_notify(out_refund_no).expect("finished in the simulator").into_bytes(),
            },
            ApiVersion::V3 => v3_wire(self.sandbox.signed_v3_refund_notify(out_refund_no).expect("finished in the simulator")),
        }
    }

    /// The refund notify path (v2: `/wxpay/refund-notify`; v3: the one notify URL).
    pub fn refund_notify_path(&self) -> &'static str {
        match self.api {
            ApiVersion::V2 => "/wxpay/refund-notify",
            ApiVersion::V3 => "/wxpay/v3/notify",
        }
    }

    /// POSTs a refund notify to an instance → (status, body).
    pub async fn send_refund_notify(&self, instance: usize, w: &Wire) -> (StatusCode, String) {
        send(self.notify_request(instance, self.refund_notify_path(), w)).await
    }

    /// How many refund calls reached WeChat (v2: `secapi/pay/refund`; v3: the refunds endpoint).
    pub fn refund_calls(&self) -> usize {
        match self.api {
            ApiVersion::V2 => self.sandbox.calls("/secapi/pay/refund") as usize,
            ApiVersion::V3 => self.v3_calls(wxpay_sim::Endpoint::V3Refund),
        }
    }

    /// How many prepay calls reached WeChat (v2: unifiedorder; v3: the JSAPI prepay).
    pub fn prepay_calls(&self) -> usize {
        match self.api {
            ApiVersion::V2 => self.sandbox.calls("/pay/unifiedorder") as usize,
            ApiVersion::V3 => self.v3_calls(wxpay_sim::Endpoint::V3Jsapi),
        }
    }

    /// How many refund queries reached WeChat.
    pub fn refund_queries(&self) -> usize {
        match self.api {
            ApiVersion::V2 => self.sandbox.calls("/pay/refundquery") as usize,
            ApiVersion::V3 => self.v3_calls(wxpay_sim::Endpoint::V3RefundQuery),
        }
    }

    /// How many calls of a v3 endpoint the simulator journaled.
    pub fn v3_calls(&self, endpoint: wxpay_sim::Endpoint) -> usize {
        self.sandbox.journal().iter().filter(|c| c.endpoint == Some(endpoint)).count()
    }
}

/// Whether a reply to a notify of `api` acknowledges it (v2: 200 with SUCCESS; v3: 2xx).
pub fn acknowledges(api: ApiVersion, status: StatusCode, body: &str) -> bool {
    match api {
        ApiVersion::V2 => status == StatusCode::OK && is_success_reply(body),
        ApiVersion::V3 => status.is_success(),
    }
}

/// Sends a request → (status, body), bounded.
pub async fn send(req: reqwest::RequestBuilder) -> (StatusCode, String) {
    let resp = bounded("notify", req.send()).await.unwrap();
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

fn v3_wire(n: wxpay_sim::SignedV3Notify) -> Wire {
    Wire { headers: n.headers.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(), body: n.body.into_bytes() }
}
