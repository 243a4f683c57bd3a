//! v2 with WeChat: the API key (an `orderquery` of an order nobody placed: `签名错误` or
//! `ORDERNOTEXIST`), and the client certificate at the one call that needs it.

use wxpay::v2::{OrderQueryRequest, OrderQueryResponse, RefundRequest, RefundResponse, TradeRef};
use wxpay::Fen;

use crate::client_cert::ClientIdentity;
use crate::error::Error;
use crate::upstream::{secapi_client, RetryPolicy};
use crate::{Clock, Settings, Upstream};

use super::Finding;

/// An `out_trade_no` nobody placed.
fn made_up(prefix: &str) -> String {
    let nonce = wxpay::nonce_str().unwrap_or_default();
    format!("{prefix}{}", &nonce[..nonce.len().min(16)])
}

pub(super) async fn check(
    settings: &Settings,
    upstream: &Upstream,
    http: &reqwest::Client,
    identity: Option<&ClientIdentity>,
    clock: &Clock,
    out: &mut Vec<Finding>,
) {
    let Some(merchant) = &settings.v2 else { return };
    let query = OrderQueryRequest { trade: TradeRef::OutTradeNo(made_up("WXPAYDOCTOR")) };
    let key_ok = match upstream.pay::<OrderQueryRequest, OrderQueryResponse>(&query).await {
        Err(Error::Upstream { code, .. }) if code == "ORDERNOTEXIST" => {
            out.push(Finding::new("V2_KEY_OK"));
            true
        }
        Err(Error::Upstream { code, .. }) if code == "SIGNERROR" => {
            out.push(Finding::new("V2_KEY_REJECTED").with("mch_id", &settings.mch_id).with("sign_type", merchant.sign_type));
            false
        }
        Err(Error::UpstreamUnavailable(why)) => {
            out.push(Finding::new("WECHAT_UNREACHABLE").with("base", &settings.api_base).with("reason", why));
            return;
        }
        Err(e) => {
            out.push(Finding::new("V2_ANSWER_UNEXPECTED").with("reason", e));
            false
        }
        Ok(_) => {
            out.push(Finding::new("V2_ANSWER_UNEXPECTED").with("reason", "an order nobody placed was found"));
            false
        }
    };
    let Some(id) = identity else { return };
    // WeChat reads a refund's signature only after its front end took the certificate: with a
    // wrong key the answer cannot tell about the certificate.
    if !key_ok {
        return;
    }
    let policy = RetryPolicy { attempts: 1, ..settings.retry };
    let client = match secapi_client(settings.ca_file.as_deref(), &policy, id) {
        Ok(c) => c,
        Err(e) => return out.push(Finding::new("CERT_UNREADABLE").with("reason", e)),
    };
    let secapi = Upstream::new(settings.upstream(), http.clone(), clock.clone()).with_secapi(client);
    let refund = RefundRequest {
        trade: TradeRef::OutTradeNo(made_up("WXPAYDOCTOR")),
        out_refund_no: made_up("WXPAYDOCTORR"),
        total_fee: Fen::new(1),
        refund_fee: Fen::new(1),
        refund_desc: None,
        notify_url: None,
        refund_account: None,
    };
    out.push(match secapi.pay::<RefundRequest, RefundResponse>(&refund).await {
        // Refused at the door: nginx's page, before any XML was read.
        Err(Error::Upstream { code, message }) if code == "FAIL" && message.contains("client certificate") => {
            Finding::new("CERT_REFUSED").with("reason", message.split(':').next().unwrap_or_default())
        }
        Err(Error::UpstreamUnavailable(why)) => Finding::new("CERT_REFUSED").with("reason", why),
        // Any answer of WeChat's own (ORDERNOTEXIST for an order nobody placed) came through
        // the door the certificate opens.
        _ => Finding::new("CERT_OK").with("mch_id", &settings.mch_id).with("date", super::local::date(id.not_after)),
    });
}
