//! Verifying the merchant: the `Authorization` header of every v3 request, as WeChat checks
//! it. `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`:
//! the merchant's number, its certificate serial, a timestamp within 5 minutes, a nonce not
//! seen in that window, and SHA256withRSA under the merchant's key over
//! `METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nBODY\n`.

use base64::Engine as _;
use serde_json::json;
use wxpay::v3::AUTHORIZATION_SCHEME;

use super::reply::V3Error;
use crate::context::Sim;

/// The timestamp window, either side of the simulator's clock.
const WINDOW_SECS: i64 = 300;

/// How much of the body `sign_information.truncated_sign_message` shows.
const SHOWN_BODY_CHARS: usize = 10;

/// Why a request was refused, with what the journal keeps.
pub(crate) struct Refused {
    pub(crate) error: V3Error,
    /// `None`: no signature to check (no or unreadable header); `Some(false)`: it did not
    /// verify; `Some(true)`: it verified but something else was wrong.
    pub(crate) signature_valid: Option<bool>,
    /// When the signature did not verify: the message that should have been signed.
    pub(crate) expected_message: Option<String>,
}

fn refused(message: &str) -> Refused {
    Refused { error: V3Error::sign(message), signature_valid: None, expected_message: None }
}

/// The `key="value"` pairs of the header after the scheme.
fn fields(text: &str) -> Vec<(&str, &str)> {
    text.split(',')
        .filter_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            Some((k.trim(), v.trim().trim_matches('"')))
        })
        .collect()
}

/// Verifies a request. `path_and_query` as received, `body` byte for byte.
pub(crate) fn verify(sim: &Sim, method: &str, path_and_query: &str, authorization: Option<&str>, body: &[u8]) -> Result<(), Refused> {
    let Some(auth) = authorization else {
        return Err(refused("Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》"));
    };
    let Some(rest) = auth.strip_prefix(AUTHORIZATION_SCHEME).and_then(|r| r.strip_prefix(' ')) else {
        return Err(refused("错误的签名类型，请使用WECHATPAY2-SHA256-RSA2048"));
    };
    let f = fields(rest);
    let get = |name: &str| f.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).filter(|v| !v.is_empty());
    let (Some(mchid), Some(nonce), Some(timestamp), Some(serial), Some(signature)) =
        (get("mchid"), get("nonce_str"), get("timestamp"), get("serial_no"), get("signature"))
    else {
        return Err(refused("Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》"));
    };
    if mchid != sim.creds.mch_id {
        return Err(refused("商户号与签名使用的证书不匹配"));
    }
    if serial != sim.v3.mch_serial {
        return Err(refused("商户证书序列号有误。请使用签名私钥匹配的证书序列号"));
    }
    let Ok(ts) = timestamp.parse::<i64>() else { return Err(refused("Http头Authorization中的timestamp格式错误")) };
    let text = String::from_utf8_lossy(body);
    let expected = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{text}\n");
    let valid =
        base64::engine::general_purpose::STANDARD.decode(signature).is_ok_and(|sig| sim.v3.mch_public.verify(expected.as_bytes(), &sig));
    if !valid {
        let shown: String = text.chars().take(SHOWN_BODY_CHARS).collect();
        let truncated = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{shown}\n");
        let path = path_and_query.split('?').next().unwrap_or_default();
        let mut error = V3Error::sign("签名错误，请检查后再试");
        error.detail = Some(json!({
            "detail": { "issue": "sign not match" },
            "field": "signature",
            "location": "authorization",
            "sign_information": {
                "method": method,
                "sign_message_length": expected.len(),
                "truncated_sign_message": truncated,
                "url": path,
            },
        }));
        return Err(Refused { error, signature_valid: Some(false), expected_message: Some(expected) });
    }
    let ok_but = |message: &str| Refused { error: V3Error::sign(message), signature_valid: Some(true), expected_message: None };
    if (sim.clock.now_secs() - ts).abs() > WINDOW_SECS {
        return Err(ok_but("请求的时间戳已过期，请检查系统时间"));
    }
    if !sim.model.fresh_nonce(mchid, nonce) {
        return Err(ok_but("重复的请求：nonce_str已使用"));
    }
    Ok(())
}
