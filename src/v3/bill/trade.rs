//! The trade bill (交易账单): one row per payment or refund of the day, and a summary that must
//! add up to them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::bill::fee::Fee;
use crate::v3::bill::table::{check, Row, Table};
use crate::Fen;

const SUMMARY_FIRST: &str = "总交易单数";

/// Columns every layout (`ALL`, `SUCCESS`, `REFUND`) has.
const REQUIRED: &[&str] = &[
    "交易时间",
    "公众账号ID",
    "商户号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "货币种类",
    "应结订单金额",
    "商品名称",
    "手续费",
];
/// Columns some layouts have.
const OPTIONAL: &[&str] = &[
    "特约商户号",
    "设备号",
    "付款银行",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商户数据包",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];

/// One row of a trade bill: a payment (`trade_state` `SUCCESS`), a refund (`REFUND`), or
/// another state WeChat reports (`REVOKED`). Every field is as printed, its backquote removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeBillRow {
    /// 交易时间, `YYYY-MM-DD HH:mm:ss` Beijing time.
    pub trade_time: String,
    /// 公众账号ID (the appid).
    pub appid: String,
    /// 商户号.
    pub mchid: String,
    /// 特约商户号 (`0` for an ordinary merchant).
    pub sub_mchid: Option<String>,
    /// 设备号.
    pub device_info: Option<String>,
    /// 微信订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 用户标识 (the payer's openid).
    pub openid: String,
    /// 交易类型 (`JSAPI`, `NATIVE`, …).
    pub trade_type: String,
    /// 交易状态: `SUCCESS`, `REFUND`, `REVOKED`.
    pub trade_state: String,
    /// 付款银行.
    pub bank_type: Option<String>,
    /// 货币种类 (`CNY`).
    pub currency: String,
    /// 应结订单金额: what the payment settles (0 on a refund row).
    pub settlement_total: Fen,
    /// 代金券金额.
    pub coupon: Option<Fen>,
    /// 微信退款单号 (refund rows only; payment rows print `0`).
    pub refund_id: Option<String>,
    /// 商户退款单号 (refund rows only).
    pub out_refund_no: Option<String>,
    /// 退款金额, when the layout has it (0 on a payment row).
    pub refund: Option<Fen>,
    /// 充值券退款金额, when the layout has it.
    pub recharge_coupon_refund: Option<Fen>,
    /// 退款类型 (refund rows only).
    pub refund_type: Option<String>,
    /// 退款状态: `SUCCESS`, `PROCESSING`, `CHANGE`, … (refund rows only).
    pub refund_status: Option<String>,
    /// 商品名称 (the order's description).
    pub description: String,
    /// 商户数据包 (the order's `attach`).
    pub attach: Option<String>,
    /// 手续费 (negative on a refund row).
    pub fee: Fee,
    /// 费率, as printed (`0.60%`).
    pub fee_rate: Option<String>,
    /// 订单金额, when the layout has it.
    pub total: Option<Fen>,
    /// 申请退款金额, when the layout has it.
    pub refund_requested: Option<Fen>,
    /// 费率备注.
    pub fee_rate_note: Option<String>,
    /// Columns this crate does not know (WeChat adds some over time, e.g. the `REFUND`
    /// layout's 退款申请时间 and 退款成功时间), as (header name, value), in file order.
    pub extra: Vec<(String, String)>,
}

/// The trade bill's summary line. Every total is checked against the rows when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeBillSummary {
    /// 总交易单数.
    pub rows: u64,
    /// 应结订单总金额.
    pub settlement_total: Fen,
    /// 退款总金额.
    pub refund: Option<Fen>,
    /// 充值券退款总金额.
    pub recharge_coupon_refund: Option<Fen>,
    /// 手续费总金额.
    pub fee: Option<Fee>,
    /// 订单总金额.
    pub total: Option<Fen>,
    /// 申请退款总金额.
    pub refund_requested: Option<Fen>,
}

/// A day's trade bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeBill {
    /// The rows, as listed.
    pub rows: Vec<TradeBillRow>,
    /// The summary.
    pub summary: TradeBillSummary,
}

impl TradeBill {
    /// Reads a trade bill's text: the output of [`BillResponse::open`](super::BillResponse::open),
    /// whose hash has been checked. Columns are found by name; unknown ones land in
    /// [`TradeBillRow::extra`]. The summary must add up: the row count and every total that has
    /// a column (应结订单, 退款, 充值券退款, 手续费, 订单, 申请退款).
    ///
    /// # Errors
    /// [`Error::MissingField`] (a required column, the summary), [`Error::InvalidField`] naming
    /// the column and line (an amount that is not yuan with two decimals, a wrong number of
    /// fields) or the summary total that disagrees with the rows.
    pub fn parse(text: &str) -> Result<TradeBill> {
        let mut t = Table::read(text, SUMMARY_FIRST)?;
        t.columns(REQUIRED, OPTIONAL)?;
        let rows = t.rows().map(|r| row(&r)).collect::<Result<Vec<_>>>()?;
        let s = &t.summary;
        let summary = TradeBillSummary {
            rows: s.count(SUMMARY_FIRST)?,
            settlement_total: s.fen("应结订单总金额")?,
            refund: s.opt_fen("退款总金额")?,
            recharge_coupon_refund: s.opt_fen("充值券退款总金额")?,
            fee: s.opt_fee("手续费总金额")?,
            total: s.opt_fen("订单总金额")?,
            refund_requested: s.opt_fen("申请退款总金额")?,
        };
        if summary.rows != t.len() as u64 {
            return Err(Error::invalid(SUMMARY_FIRST, format!("the summary says {} rows, the bill has {}", summary.rows, t.len())));
        }
        let fen_sum =
            |f: fn(&TradeBillRow) -> Option<Fen>| rows.iter().try_fold(Fen::ZERO, |acc, r| acc.checked_add(f(r).unwrap_or(Fen::ZERO)));
        check("应结订单总金额", summary.settlement_total, fen_sum(|r| Some(r.settlement_total)))?;
        // A total is checked when the layout has the column it adds up (SUCCESS has no refund
        // columns, say).
        let totals: [(&str, &str, Option<Fen>, fn(&TradeBillRow) -> Option<Fen>); 4] = [
            ("退款总金额", "退款金额", summary.refund, |r| r.refund),
            ("充值券退款总金额", "充值券退款金额", summary.recharge_coupon_refund, |r| r.recharge_coupon_refund),
            ("订单总金额", "订单金额", summary.total, |r| r.total),
            ("申请退款总金额", "申请退款金额", summary.refund_requested, |r| r.refund_requested),
        ];
        for (name, column, total, f) in totals {
            if let (Some(total), true) = (total, t.has(column)) {
                check(name, total, fen_sum(f))?;
            }
        }
        if let Some(fee) = summary.fee {
            check("手续费总金额", fee, rows.iter().try_fold(Fee::ZERO, |acc, r| acc.checked_add(r.fee)))?;
        }
        Ok(TradeBill { rows, summary })
    }
}

fn row(r: &Row<'_, '_>) -> Result<TradeBillRow> {
    let trade_state = r.text("交易状态");
    // A payment row of the ALL layout prints `0` in the refund id columns: they belong to
    // refund rows only.
    let refund_only = |v: Option<String>| v.filter(|_| trade_state == "REFUND");
    Ok(TradeBillRow {
        trade_time: r.text("交易时间"),
        appid: r.text("公众账号ID"),
        mchid: r.text("商户号"),
        sub_mchid: r.opt("特约商户号"),
        device_info: r.opt("设备号"),
        transaction_id: r.text("微信订单号"),
        out_trade_no: r.text("商户订单号"),
        openid: r.text("用户标识"),
        trade_type: r.text("交易类型"),
        bank_type: r.opt("付款银行"),
        currency: r.text("货币种类"),
        settlement_total: r.fen("应结订单金额")?,
        coupon: r.opt_fen("代金券金额")?,
        refund_id: refund_only(r.opt("微信退款单号")),
        out_refund_no: refund_only(r.opt("商户退款单号")),
        refund: r.opt_fen("退款金额")?,
        recharge_coupon_refund: r.opt_fen("充值券退款金额")?,
        refund_type: refund_only(r.opt("退款类型")),
        refund_status: refund_only(r.opt("退款状态")),
        description: r.text("商品名称"),
        attach: r.opt("商户数据包"),
        fee: r.fee("手续费")?,
        fee_rate: r.opt("费率"),
        total: r.opt_fen("订单金额")?,
        refund_requested: r.opt_fen("申请退款金额")?,
        fee_rate_note: r.opt("费率备注"),
        extra: r.extra(),
        trade_state,
    })
}
