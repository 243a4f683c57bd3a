//! What every Pay API request must be before its endpoint reads it: readable XML, the common
//! fields, for this merchant, and signed (over every received field, with the declared sign
//! type, MD5 if none) — checked the way WeChat checks them. A signature that does not verify
//! is refused `return_code=FAIL`, unsigned, as WeChat does.

use wxpay::{Params, SignType};

use crate::answer::{sign_error, Answer};
use crate::context::Sim;

/// The declared sign type of a request (MD5 when none; `None` when it names no known type).
pub(crate) fn declared_sign_type(p: &Params) -> Option<SignType> {
    match p.get("sign_type").map(String::as_str) {
        None | Some("") => Some(SignType::Md5),
        Some(s) => s.parse().ok(),
    }
}

/// Whether a request's `sign` verifies under its declared sign type, as WeChat checks it.
pub(crate) fn signature_valid(sim: &Sim, p: &Params) -> bool {
    match (declared_sign_type(p), p.get("sign")) {
        (Some(st), Some(given)) => given.eq_ignore_ascii_case(&wxpay::sign(p, &sim.key, st)),
        _ => false,
    }
}

/// A required field, not empty.
pub(crate) fn require<'a>(p: &'a Params, name: &str) -> Result<&'a str, Answer> {
    p.get(name).map(String::as_str).filter(|v| !v.is_empty()).ok_or_else(|| Answer::Business("LACK_PARAMS", format!("缺少参数 {name}")))
}

/// An optional field, when not empty.
pub(crate) fn optional<'a>(p: &'a Params, name: &str) -> Option<&'a str> {
    p.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

impl Sim {
    /// What every Pay API call checks first (after the standing delay fault): the request's
    /// fields and sign type, or the answer refusing it and the sign type to sign that with.
    pub(crate) async fn check(&self, body: &[u8]) -> Result<(Params, SignType), (Answer, SignType)> {
        if let Some(delay) = self.faults.delay() {
            tokio::time::sleep(delay).await;
        }
        let md5 = SignType::Md5;
        if body.is_empty() {
            return Err((Answer::ReturnFail("POST_DATA_EMPTY: post数据为空".into()), md5));
        }
        let p = match wxpay::xml::decode(body) {
            Ok(p) => p,
            Err(wxpay::Error::NotUtf8 { .. }) => return Err((Answer::ReturnFail("NOT_UTF8: 编码格式错误".into()), md5)),
            Err(e) => return Err((Answer::ReturnFail(format!("XML_FORMAT_ERROR: XML格式错误 ({})", e.code())), md5)),
        };
        let Some(sign_type) = declared_sign_type(&p) else {
            return Err((Answer::Business("PARAM_ERROR", "sign_type参数错误".into()), md5));
        };
        for name in ["appid", "mch_id", "nonce_str", "sign"] {
            if p.get(name).is_none_or(String::is_empty) {
                return Err((Answer::Business("LACK_PARAMS", format!("缺少参数 {name}")), sign_type));
            }
        }
        if p["appid"] != self.creds.appid {
            return Err((Answer::Business("APPID_NOT_EXIST", "APPID不存在".into()), sign_type));
        }
        if p["mch_id"] != self.creds.mch_id {
            return Err((Answer::Business("MCHID_NOT_EXIST", "MCHID不存在".into()), sign_type));
        }
        if wxpay::validate::nonce_str(&p["nonce_str"]).is_err() {
            return Err((Answer::Business("PARAM_ERROR", "nonce_str参数错误".into()), sign_type));
        }
        if !signature_valid(self, &p) {
            return Err((sign_error(), sign_type));
        }
        Ok((p, sign_type))
    }
}
