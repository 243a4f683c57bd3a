//! 查询订单: a payment as WeChat reports it, by query or in a `TRANSACTION.SUCCESS` notify.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::messages::{out_trade_no, segment};
use crate::v3::request::{Method, Request};
use crate::{validate, Fen};

/// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryByOutTradeNoRequest {
    /// The merchant's order number.
    pub out_trade_no: String,
}

impl Request for QueryByOutTradeNoRequest {
    type Response = Transaction;
    const METHOD: Method = Method::Get;
    fn path_and_query(&self, mchid: &str) -> Result<String> {
        out_trade_no(&self.out_trade_no)?;
        Ok(format!("/v3/pay/transactions/out-trade-no/{}?mchid={}", segment(&self.out_trade_no), segment(mchid)))
    }
}

/// `GET /v3/pay/transactions/id/{transaction_id}?mchid=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryByTransactionIdRequest {
    /// WeChat's order number.
    pub transaction_id: String,
}

impl Request for QueryByTransactionIdRequest {
    type Response = Transaction;
    const METHOD: Method = Method::Get;
    fn path_and_query(&self, mchid: &str) -> Result<String> {
        validate::token("transaction_id", &self.transaction_id, 32, |b| b.is_ascii_digit(), "digits")?;
        Ok(format!("/v3/pay/transactions/id/{}?mchid={}", self.transaction_id, segment(mchid)))
    }
}

crate::v3::messages::open_enum! {
    /// `trade_state`. Values WeChat may add later are kept as [`TradeState::Other`], never
    /// mistaken for a known one.
    TradeState {
        /// 支付成功.
        Success = "SUCCESS",
        /// 转入退款.
        Refund = "REFUND",
        /// 未支付.
        Notpay = "NOTPAY",
        /// 已关闭.
        Closed = "CLOSED",
        /// 已撤销 (付款码支付).
        Revoked = "REVOKED",
        /// 用户支付中 (付款码支付).
        Userpaying = "USERPAYING",
        /// 支付失败 (付款码支付).
        Payerror = "PAYERROR",
    }
}

/// `amount` of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionAmount {
    /// The order amount: compare it with the order ([`Transaction::check_amount`]).
    pub total: Fen,
    /// What the payer paid (after coupons); absent until paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<Fen>,
    /// `CNY`.
    #[serde(default)]
    pub currency: String,
    /// The payer's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// `payer` of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    /// The payer's `openid` under `appid`.
    pub openid: String,
}

/// A payment: the answer to a query, or the decrypted resource of a payment notify. Fields
/// WeChat omits before payment (`transaction_id`, `payer`, `success_time`, …) are optional.
/// Fields this crate does not model (`promotion_detail`, `scene_info`) are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// The mini-program's AppID.
    pub appid: String,
    /// The merchant number.
    pub mchid: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// WeChat's order number; absent before payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// `JSAPI` for mini-programs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
    /// The state: only [`TradeState::Success`] means paid.
    pub trade_state: TradeState,
    /// A description of the state.
    #[serde(default)]
    pub trade_state_desc: String,
    /// The payer's bank, e.g. `CMC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<String>,
    /// The merchant's `attach`, returned as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// When it was paid (RFC 3339, e.g. `2026-11-23T12:00:00+08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    /// Who paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
    /// How much.
    pub amount: TransactionAmount,
}

impl Transaction {
    /// `trade_state` is `SUCCESS`.
    pub fn is_success(&self) -> bool {
        self.trade_state == TradeState::Success
    }

    /// Checks `amount.total` against the order's amount before the order is marked paid.
    ///
    /// # Errors
    /// [`Error::AmountMismatch`].
    pub fn check_amount(&self, order_total: Fen) -> Result<()> {
        self.amount.total.check_matches(order_total)
    }

    /// Checks that the payment is for this mini-program and merchant.
    ///
    /// # Errors
    /// [`Error::AppIdMismatch`] or [`Error::MchIdMismatch`].
    pub fn check_identity(&self, appid: &str, mchid: &str) -> Result<()> {
        if self.appid != appid {
            return Err(Error::AppIdMismatch { expected: appid.to_owned(), actual: self.appid.chars().take(64).collect() });
        }
        if self.mchid != mchid {
            return Err(Error::MchIdMismatch { expected: mchid.to_owned(), actual: self.mchid.chars().take(64).collect() });
        }
        Ok(())
    }
}
