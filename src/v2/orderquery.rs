//! `/pay/orderquery`: the state of a payment.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::message::{Read, Request, Response, TradeRef};
use crate::error::{quoted, Error, Result};
use crate::{Fen, Params};

/// Asks for the state of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQueryRequest {
    /// Which payment.
    #[serde(flatten)]
    pub trade: TradeRef,
}

impl Request for OrderQueryRequest {
    const PATH: &'static str = "/pay/orderquery";
    fn write_fields(&self, out: &mut Params) -> Result<()> {
        self.trade.write(out)
    }
}

/// `trade_state` of a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeState {
    /// 支付成功.
    Success,
    /// 转入退款.
    Refund,
    /// 未支付.
    Notpay,
    /// 已关闭.
    Closed,
    /// 已撤销 (付款码支付).
    Revoked,
    /// 用户支付中.
    Userpaying,
    /// 支付失败.
    Payerror,
}

impl TradeState {
    /// The wire name, e.g. `NOTPAY`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TradeState::Success => "SUCCESS",
            TradeState::Refund => "REFUND",
            TradeState::Notpay => "NOTPAY",
            TradeState::Closed => "CLOSED",
            TradeState::Revoked => "REVOKED",
            TradeState::Userpaying => "USERPAYING",
            TradeState::Payerror => "PAYERROR",
        }
    }

    /// The payer paid: `SUCCESS`, or `REFUND` (paid, then refunded in part or in full).
    pub const fn is_paid(self) -> bool {
        matches!(self, TradeState::Success | TradeState::Refund)
    }
}

impl fmt::Display for TradeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TradeState {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "SUCCESS" => TradeState::Success,
            "REFUND" => TradeState::Refund,
            "NOTPAY" => TradeState::Notpay,
            "CLOSED" => TradeState::Closed,
            "REVOKED" => TradeState::Revoked,
            "USERPAYING" => TradeState::Userpaying,
            "PAYERROR" => TradeState::Payerror,
            other => return Err(Error::invalid("trade_state", format!("unknown value {}", quoted(other)))),
        })
    }
}

/// A successful orderquery answer. Fields that exist only once paid are optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderQueryResponse {
    /// The payment state.
    pub trade_state: TradeState,
    /// Human-readable state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state_desc: Option<String>,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// WeChat's transaction id (once paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Order amount (once paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_fee: Option<Fen>,
    /// Amount actually paid in cash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_fee: Option<Fen>,
    /// The payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// Payment time, `yyyyMMddHHmmss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_end: Option<String>,
    /// The `attach` given at ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// `JSAPI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
}

impl Response for OrderQueryResponse {
    fn from_params(p: &Params) -> Result<Self> {
        Ok(OrderQueryResponse {
            trade_state: p.req("trade_state")?.parse()?,
            trade_state_desc: p.opt_string("trade_state_desc"),
            out_trade_no: p.string("out_trade_no")?,
            transaction_id: p.opt_string("transaction_id"),
            total_fee: p.opt_fen("total_fee")?,
            cash_fee: p.opt_fen("cash_fee")?,
            openid: p.opt_string("openid"),
            time_end: p.opt_string("time_end"),
            attach: p.opt_string("attach"),
            trade_type: p.opt_string("trade_type"),
        })
    }
}
