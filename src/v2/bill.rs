//! `/pay/downloadbill`: the day's bill (对账单), to reconcile the merchant's records with WeChat's.
//!
//! The request is an ordinary signed message ([`DownloadBillRequest`]); the answer is not. A bill comes
//! back as WeChat's CSV-like text: a header line of column names, one line per row with every
//! field prefixed by a backquote, then a summary header (`总交易单数,…`) and its line. Amounts are
//! yuan with two decimals (fees with five). A refusal (`No Bill Exist`, a bad date, …) comes
//! back as an unsigned `<xml>` with `return_code=FAIL`, `return_msg` and `error_code`.
//! [`parse_answer`] tells the two apart and reads either.
//!
//! Rows are read by column name, not position, so the three layouts (`ALL` with 27 columns,
//! `SUCCESS` with 20, `REFUND` with 29) read alike. A bill whose summary does not add up to its
//! rows (a cut download) is refused rather than half-read. Neither the bill nor its refusal is
//! signed: it is only as trustworthy as the TLS connection it came over.

use serde::{Deserialize, Serialize};

use super::message::{put, Request};
use crate::bill_text::{fields, yuan};
use crate::error::{quoted, Error, Result};
use crate::{time, Fen, Params};

/// Which rows a bill holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillType {
    /// Payments and refunds.
    #[default]
    All,
    /// Payments only.
    Success,
    /// Refunds only.
    Refund,
    /// Refunds of recharge coupons.
    RechargeRefund,
}

impl BillType {
    /// The `bill_type` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            BillType::All => "ALL",
            BillType::Success => "SUCCESS",
            BillType::Refund => "REFUND",
            BillType::RechargeRefund => "RECHARGE_REFUND",
        }
    }
}

/// Asks for the bill of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadBillRequest {
    /// `yyyyMMdd`, Beijing time.
    pub bill_date: String,
    /// Which rows.
    pub bill_type: BillType,
}

impl Request for DownloadBillRequest {
    const PATH: &'static str = "/pay/downloadbill";
    fn write_fields(&self, out: &mut Params) -> Result<()> {
        let d = &self.bill_date;
        if d.len() != 8 || time::parse_beijing14(&format!("{d}000000")).is_none() {
            return Err(Error::invalid("bill_date", "must be a day as yyyyMMdd"));
        }
        put(out, "bill_date", d);
        put(out, "bill_type", self.bill_type.as_str());
        Ok(())
    }
}

/// One row of a bill: a payment (`trade_state` SUCCESS) or a refund (`REFUND`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRow {
    /// 交易时间 (`yyyy-MM-dd HH:mm:ss`, Beijing time).
    pub trade_time: String,
    /// 微信订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 用户标识 (the payer's openid).
    pub openid: String,
    /// 交易状态: `SUCCESS` for a payment, `REFUND` for a refund (others are WeChat's).
    pub trade_state: String,
    /// 应结订单金额: what the payment settles (0 on a refund row).
    pub settlement_total_fee: Fen,
    /// 订单金额, when the layout has it.
    pub total_fee: Option<Fen>,
    /// 微信退款单号 (refund rows).
    pub refund_id: Option<String>,
    /// 商户退款单号 (refund rows).
    pub out_refund_no: Option<String>,
    /// 退款金额 (refund rows).
    pub refund_fee: Option<Fen>,
    /// 退款状态: `SUCCESS`, `PROCESSING`, `CHANGE`, `REFUNDCLOSE` (refund rows).
    pub refund_status: Option<String>,
    /// 商品名称.
    pub body: String,
    /// 手续费, as printed (yuan, five decimals, negative on a refund).
    pub poundage: String,
}

/// The bill's last line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillSummary {
    /// 总交易单数.
    pub rows: u64,
    /// 应结订单总金额.
    pub settlement_total_fee: Fen,
    /// 退款总金额.
    pub refund_fee: Fen,
}

/// A day's bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    /// The rows, as listed.
    pub rows: Vec<BillRow>,
    /// The summary line.
    pub summary: BillSummary,
}

const SUMMARY_FIRST: &str = "总交易单数";

/// Reads downloadbill's answer: the bill, or WeChat's refusal as [`Error::Business`] with its
/// `error_code` (`20002` and `No Bill Exist` when nothing happened that day, or the bill is not
/// made yet).
///
/// # Errors
/// [`Error::Business`] for a refusal; [`Error::NotUtf8`], [`Error::MissingField`] or
/// [`Error::InvalidField`] for a bill that cannot be read whole.
pub fn parse_answer(body: &[u8]) -> Result<Bill> {
    let text = core::str::from_utf8(body).map_err(|e| Error::NotUtf8 { offset: e.valid_up_to() })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim_start().starts_with("<xml") {
        let p = super::xml::decode(text.trim().as_bytes())?;
        let get = |k: &str| p.get(k).cloned().unwrap_or_default();
        if get("return_code") == "FAIL" {
            let code = Some(get("error_code")).filter(|c| !c.is_empty()).unwrap_or_else(|| "FAIL".into());
            return Err(Error::Business { code, message: get("return_msg") });
        }
        return Err(Error::invalid("downloadbill", "an XML answer that is not a refusal"));
    }
    parse(text)
}

/// Reads a bill's text (see the module docs).
///
/// # Errors
/// [`Error::MissingField`] or [`Error::InvalidField`] naming the line or column.
pub fn parse(text: &str) -> Result<Bill> {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().ok_or_else(|| Error::missing("bill header"))?.split(',').collect();
    let col = |name: &'static str| header.iter().position(|h| *h == name);
    let need = |name: &'static str| col(name).ok_or_else(|| Error::missing(name));
    let at = Columns {
        trade_time: need("交易时间")?,
        transaction_id: need("微信订单号")?,
        out_trade_no: need("商户订单号")?,
        openid: need("用户标识")?,
        trade_state: need("交易状态")?,
        settlement_total_fee: need("应结订单金额")?,
        total_fee: col("订单金额"),
        refund_id: col("微信退款单号"),
        out_refund_no: col("商户退款单号"),
        refund_fee: col("退款金额"),
        refund_status: col("退款状态"),
        body: need("商品名称")?,
        poundage: need("手续费")?,
    };
    let mut rows = Vec::new();
    let mut summary = None;
    let mut n = 1;
    while let Some(line) = lines.next() {
        n += 1;
        if line.starts_with(SUMMARY_FIRST) {
            let names: Vec<&str> = line.split(',').collect();
            let values = fields(lines.next().ok_or_else(|| Error::missing("bill summary line"))?, names.len(), n + 1)?;
            let get = |name: &'static str| names.iter().position(|h| *h == name).map(|i| values[i]).ok_or_else(|| Error::missing(name));
            let count = get(SUMMARY_FIRST)?;
            summary = Some(BillSummary {
                rows: count.parse().map_err(|_| Error::invalid(SUMMARY_FIRST, format!("not a count: {}", quoted(count))))?,
                settlement_total_fee: yuan("应结订单总金额", get("应结订单总金额")?)?,
                refund_fee: yuan("退款总金额", get("退款总金额")?)?,
            });
            if let Some(extra) = lines.next() {
                return Err(Error::invalid(
                    "bill",
                    format!("text after the summary: {}", quoted(&extra.chars().take(40).collect::<String>())),
                ));
            }
            break;
        }
        rows.push(at.row(&fields(line, header.len(), n)?)?);
    }
    let summary = summary.ok_or_else(|| Error::missing("bill summary (总交易单数): the bill is cut"))?;
    if summary.rows != rows.len() as u64 {
        return Err(Error::invalid(SUMMARY_FIRST, format!("says {} rows, the bill has {}", summary.rows, rows.len())));
    }
    let settled = rows.iter().try_fold(Fen::ZERO, |acc, r| acc.checked_add(r.settlement_total_fee));
    if settled != Some(summary.settlement_total_fee) {
        return Err(Error::invalid("应结订单总金额", "does not equal the sum of the rows"));
    }
    Ok(Bill { rows, summary })
}

/// Where each column is in this bill's layout.
struct Columns {
    trade_time: usize,
    transaction_id: usize,
    out_trade_no: usize,
    openid: usize,
    trade_state: usize,
    settlement_total_fee: usize,
    total_fee: Option<usize>,
    refund_id: Option<usize>,
    out_refund_no: Option<usize>,
    refund_fee: Option<usize>,
    refund_status: Option<usize>,
    body: usize,
    poundage: usize,
}

impl Columns {
    fn row(&self, f: &[&str]) -> Result<BillRow> {
        let text = |i: usize| f[i].to_owned();
        let opt = |i: Option<usize>| i.map(|i| f[i]).filter(|v| !v.is_empty()).map(str::to_owned);
        let opt_yuan = |name: &str, i: Option<usize>| i.map(|i| f[i]).filter(|v| !v.is_empty()).map(|v| yuan(name, v)).transpose();
        let refund_fee = opt_yuan("退款金额", self.refund_fee)?;
        let is_refund = f[self.trade_state] == "REFUND";
        Ok(BillRow {
            trade_time: text(self.trade_time),
            transaction_id: text(self.transaction_id),
            out_trade_no: text(self.out_trade_no),
            openid: text(self.openid),
            trade_state: text(self.trade_state),
            settlement_total_fee: yuan("应结订单金额", f[self.settlement_total_fee])?,
            total_fee: opt_yuan("订单金额", self.total_fee)?,
            // A payment row of the ALL layout carries `0` in the refund id columns and 0.00 as
            // its refund: they belong to refund rows only.
            refund_id: opt(self.refund_id).filter(|_| is_refund),
            out_refund_no: opt(self.out_refund_no).filter(|_| is_refund),
            refund_fee: refund_fee.filter(|_| is_refund),
            refund_status: opt(self.refund_status).filter(|_| is_refund),
            body: text(self.body),
            poundage: text(self.poundage),
        })
    }
}

/// The name before requests had one rule (`…Request`): kept for one release.
#[doc(hidden)]
pub use DownloadBillRequest as DownloadBill;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_checks_the_day() {
        let mut p = Params::new();
        assert!(DownloadBillRequest { bill_date: "20261124".into(), bill_type: BillType::All }.write_fields(&mut p).is_ok());
        assert_eq!((p["bill_date"].as_str(), p["bill_type"].as_str()), ("20261124", "ALL"));
        for bad in ["2026-11-24", "20260230", "2026112", ""] {
            assert!(
                DownloadBillRequest { bill_date: bad.into(), bill_type: BillType::All }.write_fields(&mut Params::new()).is_err(),
                "{bad:?}"
            );
        }
    }
}
