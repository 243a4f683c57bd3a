//! The Pay API's answers as WeChat writes them: `return_code=FAIL` (unsigned) when the message
//! cannot be read at all or its signature does not verify, otherwise a signed answer with
//! `result_code` and, on failure, `err_code`; and the HTML page WeChat's front end (nginx)
//! answers a certificate-only path called without the merchant client certificate.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use wxpay::{Params, SignType};

use crate::context::Sim;
use crate::model::Refusal;

/// An answer about to be written.
pub(crate) enum Answer {
    /// `return_code=FAIL` (unsigned): unreadable, or the signature does not verify.
    ReturnFail(String),
    /// `result_code=FAIL` with an `err_code` (signed).
    Business(&'static str, String),
    /// `result_code=FAIL` with an `err_code` chosen by a fault rule (signed).
    Injected(String, String),
    /// Success with these extra fields (signed).
    Ok(Params),
}

/// What WeChat's v2 API answers a request whose `sign` does not verify: `return_code=FAIL` with
/// this `return_msg`, unsigned, without `result_code` or `err_code` (WeChat cannot sign for a
/// merchant whose key it just failed to match). The words are WeChat's documented `签名错误`;
/// some answers captured since 2024 add `，请检查后再试`, so clients match the prefix.
pub(crate) const SIGN_ERROR_MSG: &str = "签名错误";

/// The signature refusal (see [`SIGN_ERROR_MSG`]).
pub(crate) fn sign_error() -> Answer {
    Answer::ReturnFail(SIGN_ERROR_MSG.into())
}

/// The page WeChat's front end answers a `/secapi/` call that presented no client certificate:
/// HTTP 400, nginx's own page, before any XML is read.
pub(crate) const NO_CERTIFICATE_PAGE: &str = "<html>\r\n\
<head><title>400 No required SSL certificate was sent</title></head>\r\n\
<body bgcolor=\"white\">\r\n\
<center><h1>400 Bad Request</h1></center>\r\n\
<center>No required SSL certificate was sent</center>\r\n\
<hr><center>nginx</center>\r\n\
</body>\r\n\
</html>\r\n";

/// [`NO_CERTIFICATE_PAGE`] as the front end sends it.
pub(crate) fn no_client_certificate() -> Response {
    (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/html")], NO_CERTIFICATE_PAGE).into_response()
}

/// `SYSTEMERROR`, as every endpoint words it.
pub(crate) fn system_error() -> Answer {
    Answer::Business("SYSTEMERROR", "系统超时".into())
}

/// A parameter WeChat refuses.
pub(crate) fn param_error(what: impl Into<String>) -> Answer {
    Answer::Business("PARAM_ERROR", what.into())
}

/// The model's refusal in WeChat's words (an endpoint that words one differently says so
/// itself: closeorder does).
pub(crate) fn refused(r: Refusal) -> Answer {
    let business = |code, des: &str| Answer::Business(code, des.to_owned());
    match r {
        Refusal::OrderNotExist => business("ORDERNOTEXIST", "此交易订单号不存在"),
        Refusal::OrderPaid => business("ORDERPAID", "该订单已支付"),
        Refusal::OrderClosed => business("ORDERCLOSED", "该订单已关闭"),
        Refusal::OutTradeNoUsed => business("OUT_TRADE_NO_USED", "商户订单号重复"),
        Refusal::NotPaid => business("TRADE_STATE_ERROR", "订单状态错误，未支付的订单不能退款"),
        Refusal::TotalFeeMismatch => param_error("total_fee与订单金额不一致"),
        Refusal::RefundMismatch => business("INVALID_REQUEST", "订单金额或退款金额与之前请求不一致，请核实后再试"),
        Refusal::TooManyRefunds => business("INVALID_REQUEST", "退款次数超过限制(50)"),
        Refusal::OverRefund { refundable } => {
            Answer::Business("INVALID_REQUEST", format!("累计退款金额大于支付金额 (refundable {refundable} fen)"))
        }
        Refusal::RefundNotExist => business("REFUNDNOTEXIST", "退款订单查询失败"),
        // The payment sheet's, the control page's and login's refusals: no Pay API call meets
        // them, so one reaching here is the simulator's own fault.
        Refusal::PrepayExpired
        | Refusal::SignTypeMismatch
        | Refusal::OrderExpired
        | Refusal::RefundFinished
        | Refusal::CodeUsed
        | Refusal::CodeInvalid => system_error(),
    }
}

fn xml_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

impl Sim {
    /// Writes an answer, signed with the request's sign type like WeChat does.
    pub(crate) fn answer(&self, a: Answer, sign_type: SignType) -> Response {
        let mut p = Params::new();
        let mut put = |k: &str, v: &str| {
            p.insert(k.to_owned(), v.to_owned());
        };
        match a {
            Answer::ReturnFail(msg) => {
                put("return_code", "FAIL");
                put("return_msg", &msg);
                return xml_response(wxpay::xml::encode(&p).unwrap_or_default());
            }
            Answer::Business(code, des) => {
                put("result_code", "FAIL");
                put("err_code", code);
                put("err_code_des", &des);
            }
            Answer::Injected(code, des) => {
                put("result_code", "FAIL");
                put("err_code", &code);
                put("err_code_des", &des);
            }
            Answer::Ok(fields) => {
                put("result_code", "SUCCESS");
                p.extend(fields);
            }
        }
        p.insert("return_code".into(), "SUCCESS".into());
        p.insert("return_msg".into(), "OK".into());
        p.insert("appid".into(), self.creds.appid.clone());
        p.insert("mch_id".into(), self.creds.mch_id.clone());
        p.insert("nonce_str".into(), wxpay::nonce_str().unwrap_or_default());
        let sign = wxpay::sign(&p, &self.key, sign_type);
        p.insert("sign".into(), sign);
        xml_response(wxpay::xml::encode(&p).unwrap_or_default())
    }
}

/// Any method but POST on a Pay path.
pub(crate) async fn require_post() -> Response {
    xml_response(
        "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[REQUIRE_POST_METHOD: 请使用post方法]]></return_msg></xml>"
            .into(),
    )
}
