//! `/secapi/pay/refund` (mutual TLS): apply for a refund. Success means *accepted*; the
//! outcome arrives by refund notify or refundquery.

use serde::{Deserialize, Serialize};

use super::message::{put, put_opt, Read, Request, Response, TradeRef};
use crate::error::{Error, Result};
use crate::{validate, Fen, Params};

/// A refund application. The same `out_refund_no` refunds once: resending it after a
/// timeout or `SYSTEMERROR` is safe and is the right thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// Which payment to refund.
    #[serde(flatten)]
    pub trade: TradeRef,
    /// The merchant's refund number: at most 64 of `0-9 a-z A-Z _ - | * @`.
    pub out_refund_no: String,
    /// The payment's total amount.
    pub total_fee: Fen,
    /// The amount to refund: at least 1 fen, at most `total_fee`.
    pub refund_fee: Fen,
    /// 退款原因, shown to the payer, at most 80 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_desc: Option<String>,
    /// Overrides the refund notify URL configured on the merchant platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    /// `REFUND_SOURCE_RECHARGE_FUNDS` to refund from the recharge balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_account: Option<String>,
}

impl Request for RefundRequest {
    const PATH: &'static str = "/secapi/pay/refund";

    fn write_fields(&self, out: &mut Params) -> Result<()> {
        self.trade.write(out)?;
        validate::out_refund_no(&self.out_refund_no)?;
        validate::positive("total_fee", self.total_fee)?;
        validate::positive("refund_fee", self.refund_fee)?;
        if self.refund_fee > self.total_fee {
            return Err(Error::invalid("refund_fee", format!("{} fen exceeds total_fee {} fen", self.refund_fee, self.total_fee)));
        }
        if let Some(d) = &self.refund_desc {
            if d.chars().count() > 80 {
                return Err(Error::invalid("refund_desc", "at most 80 characters"));
            }
            validate::optional_text("refund_desc", d, 80 * 4)?;
        }
        if let Some(u) = &self.notify_url {
            validate::notify_url(u).map_err(|e| match e {
                Error::InvalidField { reason, .. } => Error::invalid("notify_url", reason),
                other => other,
            })?;
        }
        put(out, "out_refund_no", &self.out_refund_no);
        put(out, "total_fee", &self.total_fee.to_string());
        put(out, "refund_fee", &self.refund_fee.to_string());
        put_opt(out, "refund_desc", self.refund_desc.as_ref());
        put_opt(out, "notify_url", self.notify_url.as_ref());
        put_opt(out, "refund_account", self.refund_account.as_ref());
        Ok(())
    }
}

/// WeChat accepted the refund application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundResponse {
    /// WeChat's transaction id of the payment.
    pub transaction_id: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// WeChat's refund id.
    pub refund_id: String,
    /// The amount applied for.
    pub refund_fee: Fen,
    /// The payment's total amount.
    pub total_fee: Fen,
    /// The payment's cash amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_fee: Option<Fen>,
}

impl Response for RefundResponse {
    fn from_params(p: &Params) -> Result<Self> {
        Ok(RefundResponse {
            transaction_id: p.string("transaction_id")?,
            out_trade_no: p.string("out_trade_no")?,
            out_refund_no: p.string("out_refund_no")?,
            refund_id: p.string("refund_id")?,
            refund_fee: p.fen("refund_fee")?,
            total_fee: p.fen("total_fee")?,
            cash_fee: p.opt_fen("cash_fee")?,
        })
    }
}
