//! JSAPI下单: `POST /v3/pay/transactions/jsapi`, the mini-program order that returns a
//! `prepay_id` (valid for 2 hours).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::messages::{notify_url, out_trade_no, CNY};
use crate::v3::request::{Method, Request};
use crate::{validate, Fen};

/// A JSAPI order for a mini-program user. `appid` and `mchid` come from the merchant.
///
/// ```
/// use wxpay::{v3::JsapiOrderRequest, Fen};
/// let order = JsapiOrderRequest::new("咖啡", "20261123000001", Fen::new(1200),
///     "https://shop.example.com/wxpay/v3/notify", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
/// # let _ = order;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsapiOrderRequest {
    /// 商品描述, at most 127 bytes.
    pub description: String,
    /// The merchant's order number: 6–32 of `0-9 a-z A-Z _ - *`.
    pub out_trade_no: String,
    /// Where WeChat POSTs the payment notify: HTTPS, no query string.
    pub notify_url: String,
    /// The amount, at least 1 fen.
    pub total: Fen,
    /// The payer's `openid` under the merchant's `appid`.
    pub openid: String,
    /// Returned unchanged in the query and the notify, at most 128 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// When the order stops being payable (RFC 3339, e.g. `2026-11-23T12:30:00+08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<String>,
    /// Coupon tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_tag: Option<String>,
}

impl JsapiOrderRequest {
    /// An order without the optional fields.
    pub fn new(
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        total: Fen,
        notify_url: impl Into<String>,
        openid: impl Into<String>,
    ) -> Self {
        JsapiOrderRequest {
            description: description.into(),
            out_trade_no: out_trade_no.into(),
            notify_url: notify_url.into(),
            total,
            openid: openid.into(),
            attach: None,
            time_expire: None,
            goods_tag: None,
        }
    }

    fn validate(&self) -> Result<()> {
        validate::text("description", &self.description, 127)?;
        out_trade_no(&self.out_trade_no)?;
        notify_url(&self.notify_url)?;
        validate::positive("amount.total", self.total)?;
        validate::id("payer.openid", &self.openid, 128)?;
        if let Some(a) = &self.attach {
            validate::optional_text("attach", a, 128)?;
        }
        if let Some(t) = &self.time_expire {
            rfc3339("time_expire", t)?;
        }
        if let Some(g) = &self.goods_tag {
            validate::optional_text("goods_tag", g, 32)?;
        }
        Ok(())
    }
}

/// `yyyy-MM-DDTHH:mm:ss+hh:mm`, the form WeChat's v3 times take.
fn rfc3339(name: &str, value: &str) -> Result<()> {
    let b = value.as_bytes();
    let digits = |r: core::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = b.len() == 25
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && matches!(b[19], b'+' | b'-')
        && digits(20..22)
        && b[22] == b':'
        && digits(23..25);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(name, "must be yyyy-MM-DDTHH:mm:ss+hh:mm"))
    }
}

#[derive(Serialize)]
struct Body<'a> {
    appid: &'a str,
    mchid: &'a str,
    description: &'a str,
    out_trade_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_expire: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attach: Option<&'a str>,
    notify_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    goods_tag: Option<&'a str>,
    amount: Amount<'a>,
    payer: Payer<'a>,
}

#[derive(Serialize)]
struct Amount<'a> {
    total: Fen,
    currency: &'a str,
}

#[derive(Serialize)]
struct Payer<'a> {
    openid: &'a str,
}

impl Request for JsapiOrderRequest {
    type Response = PrepayResponse;
    const METHOD: Method = Method::Post;

    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        Ok("/v3/pay/transactions/jsapi".to_owned())
    }

    fn body(&self, appid: &str, mchid: &str) -> Result<String> {
        self.validate()?;
        let body = Body {
            appid,
            mchid,
            description: &self.description,
            out_trade_no: &self.out_trade_no,
            time_expire: self.time_expire.as_deref(),
            attach: self.attach.as_deref().filter(|a| !a.is_empty()),
            notify_url: &self.notify_url,
            goods_tag: self.goods_tag.as_deref().filter(|g| !g.is_empty()),
            amount: Amount { total: self.total, currency: CNY },
            payer: Payer { openid: &self.openid },
        };
        Ok(serde_json::to_string(&body).expect("plain strings and integers serialise"))
    }
}

/// The answer to a JSAPI order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayResponse {
    /// For `wx.requestPayment`'s `package` (`prepay_id=…`), valid for 2 hours.
    pub prepay_id: String,
}
