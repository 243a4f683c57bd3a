//! `/pay/unifiedorder` with `trade_type=JSAPI`: the mini-program order.

use serde::{Deserialize, Serialize};

use super::message::{put, put_opt, Read, Request, Response};
use crate::error::Result;
use crate::{validate, Fen, Params};

/// A JSAPI order for a mini-program payer.
///
/// ```
/// use wxpay::v2::{Merchant, UnifiedOrderRequest};
/// use wxpay::{ApiKey, Fen};
/// let merchant = Merchant::new("wxd930ea5d5a258f4f", "10000100",
///     ApiKey::new("192006250b4c09247ec02edce69f6a2d")?);
/// let order = UnifiedOrderRequest::new("Coffee", "20261123000001", Fen::new(1200),
///     "203.0.113.7", "https://shop.example.com/wxpay/notify", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
/// let xml = merchant.request_xml(&order, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")?;
/// assert!(xml.starts_with("<xml>") && xml.contains("<total_fee>1200</total_fee>"));
/// assert!(xml.contains("<trade_type><![CDATA[JSAPI]]></trade_type>"));
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnifiedOrderRequest {
    /// 商品描述, at most 128 bytes.
    pub body: String,
    /// The merchant's order number: at most 32 of `0-9 a-z A-Z _ - | *`.
    pub out_trade_no: String,
    /// Amount in fen, at least 1.
    pub total_fee: Fen,
    /// The payer's IP.
    pub spbill_create_ip: String,
    /// Where WeChat POSTs the payment notify (no query string).
    pub notify_url: String,
    /// The payer's openid for this appid (the field is `openid`, not `open_id`).
    pub openid: String,
    /// Echoed back in orderquery and the notify, at most 127 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// `yyyyMMddHHmmss`, Beijing time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_start: Option<String>,
    /// `yyyyMMddHHmmss`, Beijing time; keep it more than a minute after `time_start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<String>,
    /// 商品详情 (JSON text), at most 6000 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// 订单优惠标记.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_tag: Option<String>,
    /// Currency, `CNY` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_type: Option<String>,
    /// `no_credit` to refuse credit cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_pay: Option<String>,
    /// 设备号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_info: Option<String>,
}

impl UnifiedOrderRequest {
    /// An order with the required fields and no optional ones.
    pub fn new(
        body: impl Into<String>,
        out_trade_no: impl Into<String>,
        total_fee: Fen,
        spbill_create_ip: impl Into<String>,
        notify_url: impl Into<String>,
        openid: impl Into<String>,
    ) -> Self {
        UnifiedOrderRequest {
            body: body.into(),
            out_trade_no: out_trade_no.into(),
            total_fee,
            spbill_create_ip: spbill_create_ip.into(),
            notify_url: notify_url.into(),
            openid: openid.into(),
            attach: None,
            time_start: None,
            time_expire: None,
            detail: None,
            goods_tag: None,
            fee_type: None,
            limit_pay: None,
            device_info: None,
        }
    }
}

impl Request for UnifiedOrderRequest {
    const PATH: &'static str = "/pay/unifiedorder";

    fn write_fields(&self, out: &mut Params) -> Result<()> {
        validate::text("body", &self.body, 128)?;
        validate::out_trade_no(&self.out_trade_no)?;
        validate::positive("total_fee", self.total_fee)?;
        validate::ip(&self.spbill_create_ip)?;
        validate::notify_url(&self.notify_url)?;
        validate::id("openid", &self.openid, 128)?;
        if let Some(a) = &self.attach {
            validate::optional_text("attach", a, 127)?;
        }
        if let Some(d) = &self.detail {
            validate::optional_text("detail", d, 6000)?;
        }
        for (name, v) in [("goods_tag", &self.goods_tag), ("device_info", &self.device_info)] {
            if let Some(v) = v {
                validate::optional_text(name, v, 32)?;
            }
        }
        if let Some(f) = self.fee_type.as_deref().filter(|f| *f != "CNY") {
            return Err(crate::Error::invalid("fee_type", format!("only CNY is supported, got {}", crate::error::quoted(f))));
        }
        if let Some(l) = self.limit_pay.as_deref().filter(|l| *l != "no_credit") {
            return Err(crate::Error::invalid("limit_pay", format!("only no_credit is allowed, got {}", crate::error::quoted(l))));
        }
        let start = self.time_start.as_deref().filter(|s| !s.is_empty());
        let expire = self.time_expire.as_deref().filter(|s| !s.is_empty());
        if let Some(s) = start {
            validate::timestamp14("time_start", s)?;
        }
        if let Some(e) = expire {
            validate::timestamp14("time_expire", e)?;
        }
        if let (Some(s), Some(e)) = (start, expire) {
            // Same-width digit strings order like the times they spell.
            if e <= s {
                return Err(crate::Error::invalid("time_expire", "must be after time_start"));
            }
        }
        put(out, "body", &self.body);
        put(out, "out_trade_no", &self.out_trade_no);
        put(out, "total_fee", &self.total_fee.to_string());
        put(out, "spbill_create_ip", &self.spbill_create_ip);
        put(out, "notify_url", &self.notify_url);
        put(out, "trade_type", "JSAPI");
        put(out, "openid", &self.openid);
        put_opt(out, "attach", self.attach.as_ref());
        put_opt(out, "time_start", self.time_start.as_ref());
        put_opt(out, "time_expire", self.time_expire.as_ref());
        put_opt(out, "detail", self.detail.as_ref());
        put_opt(out, "goods_tag", self.goods_tag.as_ref());
        put_opt(out, "fee_type", self.fee_type.as_ref());
        put_opt(out, "limit_pay", self.limit_pay.as_ref());
        put_opt(out, "device_info", self.device_info.as_ref());
        Ok(())
    }
}

/// A successful unifiedorder answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnifiedOrderResponse {
    /// 预支付交易会话标识, valid for two hours.
    pub prepay_id: String,
    /// `JSAPI`.
    pub trade_type: String,
    /// Present for NATIVE orders only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_url: Option<String>,
}

impl Response for UnifiedOrderResponse {
    fn from_params(p: &Params) -> Result<Self> {
        Ok(UnifiedOrderResponse {
            prepay_id: p.string("prepay_id")?,
            trade_type: p.string("trade_type")?,
            code_url: p.opt_string("code_url"),
        })
    }
}
