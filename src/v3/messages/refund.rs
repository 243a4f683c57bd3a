//! 退款: `POST /v3/refund/domestic/refunds`, its query, and the refund notify's resource.
//!
//! Refunds are asynchronous: the answer to the request is usually `PROCESSING`; the final state
//! comes from the refund notify or a query. `ABNORMAL` (the money could not be returned, e.g. a
//! closed bank card) needs a person.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::messages::{notify_url, out_trade_no, segment, CNY};
use crate::v3::request::{Method, Request};
use crate::{validate, Fen, TradeRef};

/// A refund request. Refunding more than was paid, or in total more than the order, is
/// refused locally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// Which payment (WeChat prefers `transaction_id` when both are known).
    pub trade: TradeRef,
    /// The merchant's refund number: 1–64 of `0-9 a-z A-Z _ - | * @`. Retrying with the same
    /// number never refunds twice.
    pub out_refund_no: String,
    /// The amount to refund, at least 1 fen.
    pub refund: Fen,
    /// The order's total.
    pub total: Fen,
    /// Shown to the payer, at most 80 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where WeChat POSTs the refund notify (else the merchant platform's setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
}

impl RefundRequest {
    /// A refund of `refund` out of an order of `total`.
    pub fn new(trade: TradeRef, out_refund_no: impl Into<String>, refund: Fen, total: Fen) -> Self {
        RefundRequest { trade, out_refund_no: out_refund_no.into(), refund, total, reason: None, notify_url: None }
    }

    fn validate(&self) -> Result<()> {
        match &self.trade {
            TradeRef::TransactionId(id) => validate::token("transaction_id", id, 32, |b| b.is_ascii_digit(), "digits")?,
            TradeRef::OutTradeNo(no) => out_trade_no(no)?,
        }
        validate::out_refund_no(&self.out_refund_no)?;
        validate::positive("amount.refund", self.refund)?;
        validate::positive("amount.total", self.total)?;
        if self.refund > self.total {
            return Err(Error::invalid("amount.refund", "exceeds amount.total"));
        }
        if let Some(r) = &self.reason {
            validate::optional_text("reason", r, 80)?;
        }
        if let Some(u) = &self.notify_url {
            notify_url(u)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    transaction_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    out_trade_no: Option<&'a str>,
    out_refund_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_url: Option<&'a str>,
    amount: BodyAmount<'a>,
}

#[derive(Serialize)]
struct BodyAmount<'a> {
    refund: Fen,
    total: Fen,
    currency: &'a str,
}

impl Request for RefundRequest {
    type Response = RefundResponse;
    const METHOD: Method = Method::Post;

    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        Ok("/v3/refund/domestic/refunds".to_owned())
    }

    fn body(&self, _appid: &str, _mchid: &str) -> Result<String> {
        self.validate()?;
        let (transaction_id, out_trade_no) = match &self.trade {
            TradeRef::TransactionId(id) => (Some(id.as_str()), None),
            TradeRef::OutTradeNo(no) => (None, Some(no.as_str())),
        };
        let body = Body {
            transaction_id,
            out_trade_no,
            out_refund_no: &self.out_refund_no,
            reason: self.reason.as_deref().filter(|r| !r.is_empty()),
            notify_url: self.notify_url.as_deref(),
            amount: BodyAmount { refund: self.refund, total: self.total, currency: CNY },
        };
        Ok(serde_json::to_string(&body).expect("plain strings and integers serialise"))
    }
}

/// 查询单笔退款: `GET /v3/refund/domestic/refunds/{out_refund_no}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundQueryRequest {
    /// The merchant's refund number.
    pub out_refund_no: String,
}

impl Request for RefundQueryRequest {
    type Response = RefundResponse;
    const METHOD: Method = Method::Get;
    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        validate::out_refund_no(&self.out_refund_no)?;
        Ok(format!("/v3/refund/domestic/refunds/{}", segment(&self.out_refund_no)))
    }
}

crate::v3::messages::open_enum! {
    /// `status` / `refund_status`. Values WeChat may add later are kept as
    /// [`RefundStatus::Other`].
    RefundStatus {
        /// 退款成功.
        Success = "SUCCESS",
        /// 退款关闭.
        Closed = "CLOSED",
        /// 退款处理中.
        Processing = "PROCESSING",
        /// 退款异常: the money could not be returned; a person must act.
        Abnormal = "ABNORMAL",
    }
}

/// `amount` of a refund: the answer, the query and the notify (which carries only `total`,
/// `refund`, `payer_total` and `payer_refund`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAmount {
    /// The order's total.
    pub total: Fen,
    /// The amount refunded.
    pub refund: Fen,
    /// What the payer paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<Fen>,
    /// What goes back to the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_refund: Option<Fen>,
    /// The refund after merchant coupons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_refund: Option<Fen>,
    /// The order after merchant coupons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_total: Option<Fen>,
    /// The coupon part of the refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_refund: Option<Fen>,
    /// `CNY` (absent from the notify).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub currency: String,
}

/// A refund: the answer to [`RefundRequest`] and [`RefundQueryRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundResponse {
    /// WeChat's refund number.
    pub refund_id: String,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// WeChat's order number.
    pub transaction_id: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// `ORIGINAL`, `BALANCE`, `OTHER_BALANCE`, `OTHER_BANKCARD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Where the money goes, e.g. `支付用户零钱`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_received_account: Option<String>,
    /// When it succeeded (RFC 3339); absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// The state.
    pub status: RefundStatus,
    /// The funds account debited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funds_account: Option<String>,
    /// The amounts.
    pub amount: RefundAmount,
}

/// The decrypted resource of a refund notify (`REFUND.SUCCESS`, `REFUND.ABNORMAL`,
/// `REFUND.CLOSED`). Note `refund_status` here where the query says `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundNotice {
    /// The merchant number.
    pub mchid: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// WeChat's order number.
    pub transaction_id: String,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// WeChat's refund number.
    pub refund_id: String,
    /// The final state.
    pub refund_status: RefundStatus,
    /// When it succeeded (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    /// Where the money went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_received_account: Option<String>,
    /// The amounts.
    pub amount: RefundAmount,
}
