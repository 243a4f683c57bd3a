//! The trade bill (交易账单): one row per payment or refund of the day, and a summary that must
//! add up to them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::bill::fee::Fee;
use crate::v3::bill::table::{check, Row, Table};
use crate::Fen;

const SUMMARY_FIRST: &str = "总交易单数";

/// One amount column of a row.
type Amount = fn(&TradeBillRow) -> Option<Fen>;

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
        let rows = t.rows().map(|r| row(&r?)).collect::<Result<Vec<_>>>()?;
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
        let totals: [(&str, &str, Option<Fen>, Amount); 4] = [
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A SUCCESS-like layout, its columns in another order than ALL's.
    const HEADER: &str =
        "商户订单号,交易时间,公众账号ID,商户号,微信订单号,用户标识,交易类型,交易状态,货币种类,应结订单金额,商品名称,手续费,订单金额";

    fn line(out_trade_no: &str, yuan: &str, fee: &str) -> String {
        format!("`{out_trade_no},`2026-11-23 09:00:00,`wx2421b1c4370ec43b,`1900000109,`4200000001,`oUser,`JSAPI,`SUCCESS,`CNY,`{yuan},`咖啡,`{fee},`{yuan}")
    }

    fn bill(lines: &[String], summary: &str) -> String {
        format!("{HEADER}\n{}\n总交易单数,应结订单总金额,手续费总金额,订单总金额\n{summary}\n", lines.join("\n"))
    }

    fn field(e: &Error) -> &str {
        match e {
            Error::InvalidField { name, .. } | Error::MissingField { name } => name,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_trade_bill_is_read_by_column_name() {
        let b =
            TradeBill::parse(&bill(&[line("A1", "12.00", "0.07200"), line("A2", "0.01", "0.00000")], "`2,`12.01,`0.07200,`12.01")).unwrap();
        assert_eq!(b.rows[0].out_trade_no, "A1");
        assert_eq!(b.rows[0].settlement_total, Fen::new(1200));
        assert_eq!(b.rows[0].fee, Fee::new(7200));
        assert_eq!(b.rows[1].total, Some(Fen::new(1)));
        assert_eq!((b.rows[0].refund, b.rows[0].refund_id.as_deref(), b.rows[0].sub_mchid.as_deref()), (None, None, None));
        assert_eq!(b.summary.rows, 2);
        assert!(b.rows[0].extra.is_empty());
    }

    #[test]
    fn a_bom_before_the_header_is_skipped() {
        let text = format!("\u{FEFF}{}", bill(&[line("A1", "1.00", "0.00600")], "`1,`1.00,`0.00600,`1.00"));
        assert_eq!(TradeBill::parse(&text).unwrap().rows.len(), 1);
    }

    #[test]
    fn a_trade_bill_cut_before_its_summary_is_refused() {
        let text = format!("{HEADER}\n{}\n", line("A1", "1.00", "0.00600"));
        assert!(matches!(TradeBill::parse(&text), Err(Error::MissingField { .. })));
        let text = format!("{HEADER}\n{}\n总交易单数,应结订单总金额\n", line("A1", "1.00", "0.00600"));
        assert!(matches!(TradeBill::parse(&text), Err(Error::MissingField { .. })));
    }

    #[test]
    fn text_after_the_summary_is_refused() {
        let text = bill(&[line("A1", "1.00", "0.00600")], "`1,`1.00,`0.00600,`1.00") + "`2026-11-23 09:00:00,`x\n";
        assert_eq!(field(&TradeBill::parse(&text).unwrap_err()), "bill");
    }

    #[test]
    fn an_amount_that_is_not_yuan_with_two_decimals_is_refused_naming_column_and_line() {
        for bad in ["1.001", "1", "-1.00", "1.0", "1e2"] {
            let e = TradeBill::parse(&bill(&[line("A1", "1.00", "0.00600"), line("A2", bad, "0.00600")], "`2,`2.00,`0.01200,`2.00"))
                .unwrap_err();
            assert_eq!(field(&e), "应结订单金额 (line 3)", "{bad:?}");
        }
    }

    #[test]
    fn a_row_with_a_field_missing_is_refused() {
        let short = line("A1", "1.00", "0.00600").replace(",`咖啡", "");
        assert_eq!(field(&TradeBill::parse(&bill(&[short], "`1,`1.00,`0.00600,`1.00")).unwrap_err()), "bill line 2");
    }

    #[test]
    fn a_field_without_its_backquote_is_refused() {
        let bare = line("A1", "1.00", "0.00600")[1..].to_owned();
        assert_eq!(field(&TradeBill::parse(&bill(&[bare], "`1,`1.00,`0.00600,`1.00")).unwrap_err()), "bill line 2");
    }

    #[test]
    fn a_bill_without_a_required_column_is_refused() {
        let text = bill(&[line("A1", "1.00", "0.00600")], "`1,`1.00,`0.00600,`1.00").replacen("手续费", "服务费", 1);
        assert_eq!(TradeBill::parse(&text), Err(Error::missing("手续费")));
    }

    #[test]
    fn a_column_named_twice_is_refused() {
        let text = bill(&[line("A1", "1.00", "0.00600")], "`1,`1.00,`0.00600,`1.00").replacen("订单金额\n", "应结订单金额\n", 1);
        assert_eq!(field(&TradeBill::parse(&text).unwrap_err()), "bill header");
    }

    #[test]
    fn an_order_total_that_disagrees_with_the_rows_is_refused() {
        let e = TradeBill::parse(&bill(&[line("A1", "1.00", "0.00600")], "`1,`1.00,`0.00600,`1.01")).unwrap_err();
        assert_eq!(field(&e), "订单总金额");
        // In yuan, as the file prints it.
        assert!(e.to_string().ends_with("the summary says 1.01, the rows add up to 1.00"), "{e}");
    }

    #[test]
    fn a_refund_total_that_disagrees_with_the_rows_is_refused() {
        let header = format!("{HEADER},微信退款单号,退款金额");
        let row =
            |state: &str, id: &str, refund: &str| format!("{},`{id},`{refund}", line("A1", "1.00", "0.00600").replace("`SUCCESS", state));
        let text = format!(
            "{header}\n{}\n{}\n总交易单数,应结订单总金额,退款总金额\n`2,`2.00,`0.99\n",
            row("`SUCCESS", "0", "0.00"),
            row("`REFUND", "5030001", "1.00")
        );
        assert_eq!(field(&TradeBill::parse(&text).unwrap_err()), "退款总金额");
        let good = TradeBill::parse(&text.replace("`0.99", "`1.00")).unwrap();
        // A payment row's `0` refund id belongs to refund rows only.
        assert_eq!((good.rows[0].refund_id.as_deref(), good.rows[1].refund_id.as_deref()), (None, Some("5030001")));
        assert_eq!(good.summary.refund, Some(Fen::new(100)));
    }
}
