//! `/pay/refundquery`: the state of the refunds of a payment, with WeChat's indexed fields
//! (`out_refund_no_$n`, `refund_status_$n`, …).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::message::{put, Read, Request, Response};
use crate::error::{quoted, Error, Result};
use crate::{validate, Fen, Params};

/// WeChat keeps at most 50 refunds per payment; a larger count is not a real answer.
const MAX_REFUNDS: usize = 50;

/// Which refund(s) to look up. WeChat's precedence when several are known:
/// refund_id > out_refund_no > transaction_id > out_trade_no.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundRef {
    /// WeChat's refund id.
    RefundId(String),
    /// The merchant's refund number.
    OutRefundNo(String),
    /// All refunds of a payment, by WeChat's transaction id.
    TransactionId(String),
    /// All refunds of a payment, by the merchant's order number.
    OutTradeNo(String),
}

/// Asks for the state of refunds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundQueryRequest {
    /// Which refunds.
    #[serde(flatten)]
    pub by: RefundRef,
    /// Skip this many refunds (for payments with more than 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

impl Request for RefundQueryRequest {
    const PATH: &'static str = "/pay/refundquery";
    fn write_fields(&self, out: &mut Params) -> Result<()> {
        match &self.by {
            RefundRef::RefundId(v) => {
                validate::id("refund_id", v, 32)?;
                put(out, "refund_id", v);
            }
            RefundRef::OutRefundNo(v) => {
                validate::out_refund_no(v)?;
                put(out, "out_refund_no", v);
            }
            RefundRef::TransactionId(v) => {
                validate::id("transaction_id", v, 32)?;
                put(out, "transaction_id", v);
            }
            RefundRef::OutTradeNo(v) => {
                validate::out_trade_no(v)?;
                put(out, "out_trade_no", v);
            }
        }
        if let Some(o) = self.offset {
            put(out, "offset", &o.to_string());
        }
        Ok(())
    }
}

/// `refund_status_$n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundStatus {
    /// 退款成功.
    Success,
    /// 退款关闭.
    Refundclose,
    /// 退款处理中.
    Processing,
    /// 退款异常: the money could not be returned (e.g. the card was cancelled).
    Change,
}

impl RefundStatus {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Refundclose => "REFUNDCLOSE",
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Change => "CHANGE",
        }
    }

    /// `SUCCESS`, `REFUNDCLOSE` and `CHANGE` do not change any more.
    pub const fn is_final(self) -> bool {
        !matches!(self, RefundStatus::Processing)
    }
}

impl fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RefundStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "SUCCESS" => RefundStatus::Success,
            "REFUNDCLOSE" => RefundStatus::Refundclose,
            "PROCESSING" => RefundStatus::Processing,
            "CHANGE" => RefundStatus::Change,
            other => return Err(Error::invalid("refund_status", format!("unknown value {}", quoted(other)))),
        })
    }
}

/// One refund in a refundquery answer (the `_$n` fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundItem {
    /// `out_refund_no_$n`.
    pub out_refund_no: String,
    /// `refund_id_$n`.
    pub refund_id: String,
    /// `refund_fee_$n`.
    pub refund_fee: Fen,
    /// `refund_status_$n`.
    pub refund_status: RefundStatus,
    /// `refund_success_time_$n`, `yyyy-MM-dd HH:mm:ss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_success_time: Option<String>,
    /// `refund_recv_accout_$n` (sic: WeChat's spelling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_recv_accout: Option<String>,
    /// `refund_channel_$n`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_channel: Option<String>,
}

/// A successful refundquery answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundQueryResponse {
    /// WeChat's transaction id of the payment.
    pub transaction_id: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The payment's total amount.
    pub total_fee: Fen,
    /// The payment's cash amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_fee: Option<Fen>,
    /// All refunds of the payment, when the query was by payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_refund_count: Option<u32>,
    /// The refunds in this answer, `$n` = 0, 1, …
    pub refunds: Vec<RefundItem>,
}

impl RefundQueryResponse {
    /// The refund with this merchant refund number, if the answer lists it.
    pub fn find(&self, out_refund_no: &str) -> Option<&RefundItem> {
        self.refunds.iter().find(|r| r.out_refund_no == out_refund_no)
    }
}

impl Response for RefundQueryResponse {
    fn from_params(p: &Params) -> Result<Self> {
        let count: usize = p
            .req("refund_count")?
            .parse()
            .ok()
            .filter(|&n| n <= MAX_REFUNDS)
            .ok_or_else(|| Error::invalid("refund_count", format!("must be a number from 0 to {MAX_REFUNDS}")))?;
        let mut refunds = Vec::with_capacity(count);
        for n in 0..count {
            let f = |name: &str| format!("{name}_{n}");
            refunds.push(RefundItem {
                out_refund_no: p.string(&f("out_refund_no"))?,
                refund_id: p.string(&f("refund_id"))?,
                refund_fee: p.fen(&f("refund_fee"))?,
                refund_status: p.req(&f("refund_status"))?.parse()?,
                refund_success_time: p.opt_string(&f("refund_success_time")),
                refund_recv_accout: p.opt_string(&f("refund_recv_accout")),
                refund_channel: p.opt_string(&f("refund_channel")),
            });
        }
        Ok(RefundQueryResponse {
            transaction_id: p.string("transaction_id")?,
            out_trade_no: p.string("out_trade_no")?,
            total_fee: p.fen("total_fee")?,
            cash_fee: p.opt_fen("cash_fee")?,
            total_refund_count: p.opt("total_refund_count").and_then(|v| v.parse().ok()),
            refunds,
        })
    }
}
