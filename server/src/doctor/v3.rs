//! v3 with WeChat: the certificate download (does WeChat take our signature, and which line it
//! saw otherwise; does the APIv3 key decrypt it), then a query of an order nobody placed whose
//! answer must verify under WeChat's configured key.

use wxpay::v3::{
    DownloadCertificatesRequest, KeyStore, QueryByOutTradeNoRequest, Refresh, SignDiagnosis, SignInformation, SignLine, SignedRequest,
};

use crate::error::Error;
use crate::upstream::V3Answer;
use crate::{Clock, Settings, Upstream};

use super::Finding;

pub(super) async fn check(settings: &Settings, upstream: &Upstream, clock: &Clock, out: &mut Vec<Finding>) {
    let Some(v3) = &settings.v3 else { return };
    let serial = v3.merchant.serial_no.as_str();
    let now = clock.now_secs().max(0) as u64;
    let mut store = KeyStore::new();
    if let Some(pk) = &v3.public_key {
        // Read already by the settings: it parses.
        let _ = store.add_public_key(&pk.id, &pk.pem);
    }
    let Some((signed, answer)) = exchange(settings, upstream, &store, &DownloadCertificatesRequest, out).await else { return };
    if answer.status == 401 {
        return refused(&signed, &answer, serial, &settings.mch_id, out);
    }
    out.push(Finding::new("V3_SIGN_OK").with("serial", serial));
    out.push(match store.ingest_certificates(&v3.api_v3_key, answer.status, &answer.headers, &answer.body, now) {
        Ok(Refresh::NoCertificates { .. }) => Finding::new("V3_APIV3_KEY_UNCHECKED"),
        Ok(_) => Finding::new("V3_APIV3_KEY_OK"),
        Err(wxpay::Error::AeadTagMismatch) => Finding::new("V3_APIV3_KEY_WRONG"),
        Err(wxpay::Error::ApiError { code, message, .. }) => {
            Finding::new("V3_ANSWER_UNEXPECTED").with("reason", format!("{code}: {message}"))
        }
        Err(_) => Finding::new("V3_ANSWER_UNVERIFIED").with("key", key_name(&answer)),
    });
    if store.key_set().serials().next().is_none() {
        return;
    }
    let query = QueryByOutTradeNoRequest { out_trade_no: format!("WXPAYDOCTOR{}", &wxpay::nonce_str().unwrap_or_default()[..16]) };
    let Some((_, answer)) = exchange(settings, upstream, &store, &query, out).await else { return };
    out.push(match store.verify(&answer.headers, &answer.body, now) {
        Ok(()) => Finding::new("V3_ANSWER_OK").with("key", key_name(&answer)),
        Err(_) => Finding::new("V3_ANSWER_UNVERIFIED").with("key", key_name(&answer)),
    });
}

/// `2 (path)`: a line of the signed message by its number and name, as both doctors print it.
fn line_name(line: SignLine) -> String {
    let n = match line {
        SignLine::Method => 1,
        SignLine::Path => 2,
        SignLine::Timestamp => 3,
        SignLine::Nonce => 4,
        SignLine::Body => 5,
    };
    format!("{n} ({line})")
}

/// The key an answer says it is signed with.
fn key_name(answer: &V3Answer) -> String {
    if answer.headers.serial.is_empty() {
        "(no Wechatpay-Serial)".to_owned()
    } else {
        answer.headers.serial.clone()
    }
}

/// One signed request and WeChat's answer, unread; or a finding and `None`.
async fn exchange<R: wxpay::v3::Request>(
    settings: &Settings,
    upstream: &Upstream,
    store: &KeyStore,
    request: &R,
    out: &mut Vec<Finding>,
) -> Option<(SignedRequest, V3Answer)> {
    let signed = match upstream.sign_v3_with(store, request) {
        Ok(s) => s,
        Err(e) => {
            out.push(Finding::new("SETTING_INVALID").with("setting", "WXPAY_MCH_PRIVATE_KEY").with("reason", e));
            return None;
        }
    };
    match upstream.send_v3(&signed).await {
        Ok(answer) => Some((signed, answer)),
        Err(Error::UpstreamUnavailable(why)) => {
            out.push(Finding::new("WECHAT_UNREACHABLE").with("base", &settings.api_base).with("reason", why));
            None
        }
        Err(e) => {
            out.push(Finding::new("V3_ANSWER_UNEXPECTED").with("reason", e));
            None
        }
    }
}

/// WeChat refused the request (401): which setting its message and sign information point at.
fn refused(signed: &SignedRequest, answer: &V3Answer, serial: &str, mch_id: &str, out: &mut Vec<Finding>) {
    let e = wxpay::v3::api_error(answer.status, &answer.body);
    if let Some(info) = SignInformation::from_error(&e) {
        return out.push(match info.diagnose(signed) {
            SignDiagnosis::SameMessage => Finding::new("V3_KEY_NOT_SERIAL").with("serial", serial),
            SignDiagnosis::LineDiffers { line, expected, signed, .. } => Finding::new("V3_SIGN_MESSAGE_DIFFERS")
                .with("line", line_name(line))
                .with("ours", format!("{signed:?}"))
                .with("theirs", format!("{expected:?}")),
            SignDiagnosis::LengthDiffers { expected, signed } => Finding::new("V3_SIGN_MESSAGE_DIFFERS")
                .with("line", line_name(SignLine::Body))
                .with("ours", format!("{signed} bytes"))
                .with("theirs", format!("{expected} bytes")),
        });
    }
    let message = match &e {
        wxpay::Error::ApiError { message, .. } => message.clone(),
        other => other.to_string(),
    };
    if message.contains("序列号") || message.to_ascii_lowercase().contains("serial") {
        out.push(Finding::new("V3_SERIAL_REJECTED").with("serial", serial).with("message", message));
    } else if message.contains("商户号") {
        out.push(Finding::new("V3_MCHID_REJECTED").with("mch_id", mch_id).with("message", message));
    } else {
        out.push(Finding::new("V3_SIGN_REFUSED").with("message", message));
    }
}
