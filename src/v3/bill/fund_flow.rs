//! The fund flow bill (资金账单): every movement of one account's money that day, and a summary
//! of incomes and expenses that must add up to them.

use serde::{Deserialize, Serialize};

use crate::error::{quoted, Error, Result};
use crate::v3::bill::table::{check, Row, Table};
use crate::Fen;

const SUMMARY_FIRST: &str = "资金流水总笔数";

const REQUIRED: &[&str] =
    &["记账时间", "微信支付业务单号", "资金流水单号", "业务名称", "业务类型", "收支类型", "收支金额(元)", "账户结余(元)"];
const OPTIONAL: &[&str] = &["资金变更提交申请人", "备注", "业务凭证号"];

/// 收支类型: money in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlowDirection {
    /// 收入.
    #[serde(rename = "收入")]
    Income,
    /// 支出.
    #[serde(rename = "支出")]
    Expense,
}

/// One movement of money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundFlowRow {
    /// 记账时间, `YYYY-MM-DD HH:mm:ss` Beijing time.
    pub booked_at: String,
    /// 微信支付业务单号 (the transaction or refund id it belongs to).
    pub business_id: String,
    /// 资金流水单号.
    pub flow_id: String,
    /// 业务名称 (`交易`, `退款`, …).
    pub business_name: String,
    /// 业务类型.
    pub business_type: String,
    /// 收支类型.
    pub direction: FlowDirection,
    /// 收支金额(元), always positive: [`direction`](Self::direction) says which way.
    pub amount: Fen,
    /// 账户结余(元): the balance after it.
    pub balance: Fen,
    /// 资金变更提交申请人.
    pub applicant: Option<String>,
    /// 备注.
    pub memo: Option<String>,
    /// 业务凭证号 (the merchant's order or refund number).
    pub voucher_no: Option<String>,
    /// Columns this crate does not know, as (header name, value), in file order.
    pub extra: Vec<(String, String)>,
}

/// The fund flow bill's summary line, checked against the rows when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundFlowSummary {
    /// 资金流水总笔数.
    pub rows: u64,
    /// 收入笔数.
    pub income_rows: u64,
    /// 收入金额.
    pub income: Fen,
    /// 支出笔数.
    pub expense_rows: u64,
    /// 支出金额.
    pub expense: Fen,
}

/// A day's fund flow bill for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundFlowBill {
    /// The rows, as listed.
    pub rows: Vec<FundFlowRow>,
    /// The summary.
    pub summary: FundFlowSummary,
}

impl FundFlowBill {
    /// Reads a fund flow bill's text: the output of
    /// [`BillResponse::open`](super::BillResponse::open), whose hash has been checked. Columns
    /// are found by name (`收支金额（元）` with full-width parentheses reads as `收支金额(元)`);
    /// unknown ones land in [`FundFlowRow::extra`]. The five summary values must match the rows.
    ///
    /// # Errors
    /// [`Error::MissingField`] (a required column, the summary), [`Error::InvalidField`] naming
    /// the column and line, or the summary value that disagrees with the rows.
    pub fn parse(text: &str) -> Result<FundFlowBill> {
        let mut t = Table::read(text, SUMMARY_FIRST)?;
        t.columns(REQUIRED, OPTIONAL)?;
        let rows = t.rows().map(|r| row(&r?)).collect::<Result<Vec<_>>>()?;
        let s = &t.summary;
        let summary = FundFlowSummary {
            rows: s.count(SUMMARY_FIRST)?,
            income_rows: s.count("收入笔数")?,
            income: s.fen("收入金额")?,
            expense_rows: s.count("支出笔数")?,
            expense: s.fen("支出金额")?,
        };
        let of = |d: FlowDirection| rows.iter().filter(move |r| r.direction == d);
        let sum = |d| of(d).try_fold(Fen::ZERO, |acc, r| acc.checked_add(r.amount));
        check(SUMMARY_FIRST, summary.rows, Some(rows.len() as u64))?;
        check("收入笔数", summary.income_rows, Some(of(FlowDirection::Income).count() as u64))?;
        check("收入金额", summary.income, sum(FlowDirection::Income))?;
        check("支出笔数", summary.expense_rows, Some(of(FlowDirection::Expense).count() as u64))?;
        check("支出金额", summary.expense, sum(FlowDirection::Expense))?;
        Ok(FundFlowBill { rows, summary })
    }
}

fn row(r: &Row<'_, '_>) -> Result<FundFlowRow> {
    let direction = match r.text("收支类型").as_str() {
        "收入" => FlowDirection::Income,
        "支出" => FlowDirection::Expense,
        // The summary could not be checked with a third kind: refuse rather than guess.
        other => return Err(Error::invalid("收支类型", format!("neither 收入 nor 支出: {}", quoted(other)))),
    };
    Ok(FundFlowRow {
        booked_at: r.text("记账时间"),
        business_id: r.text("微信支付业务单号"),
        flow_id: r.text("资金流水单号"),
        business_name: r.text("业务名称"),
        business_type: r.text("业务类型"),
        direction,
        amount: r.fen("收支金额(元)")?,
        balance: r.fen("账户结余(元)")?,
        applicant: r.opt("资金变更提交申请人"),
        memo: r.opt("备注"),
        voucher_no: r.opt("业务凭证号"),
        extra: r.extra(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bill(header: &str, summary: &str) -> String {
        format!(
            "{header}\n\
             `2026-11-23 09:15:03,`4200000001,`4200000001,`交易,`交易,`收入,`12.00,`112.00,`system,`,`A1\n\
             `2026-11-23 09:15:03,`4200000001,`4200000101,`扣除交易手续费,`扣除交易手续费,`支出,`0.07,`111.93,`system,`,`A1\n\
             资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\n{summary}\n"
        )
    }

    const HEADER: &str =
        "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号";

    #[test]
    fn full_width_parentheses_in_the_header_read_as_ascii() {
        let header = HEADER.replace("(元)", "（元）");
        let b = FundFlowBill::parse(&bill(&header, "`2,`1,`12.00,`1,`0.07")).unwrap();
        assert_eq!((b.rows[0].direction, b.rows[0].amount, b.rows[1].balance), (FlowDirection::Income, Fen::new(1200), Fen::new(11193)));
        assert_eq!((b.rows[0].memo.as_deref(), b.rows[0].voucher_no.as_deref()), (None, Some("A1")));
    }

    #[test]
    fn a_direction_other_than_income_or_expense_is_refused() {
        let text = bill(HEADER, "`2,`1,`12.00,`1,`0.07").replacen("`支出", "`冻结", 1);
        assert!(matches!(FundFlowBill::parse(&text), Err(Error::InvalidField { name, .. }) if name == "收支类型"));
    }

    #[test]
    fn an_income_count_that_disagrees_with_the_rows_is_refused() {
        for (summary, name) in
            [("`2,`2,`12.00,`0,`0.07", "收入笔数"), ("`3,`1,`12.00,`1,`0.07", "资金流水总笔数"), ("`2,`1,`12.01,`1,`0.07", "收入金额")]
        {
            assert!(matches!(FundFlowBill::parse(&bill(HEADER, summary)), Err(Error::InvalidField { name: n, .. }) if n == name), "{name}");
        }
    }

    #[test]
    fn a_summary_count_that_is_not_an_integer_is_refused() {
        assert!(matches!(FundFlowBill::parse(&bill(HEADER, "`2.0,`1,`12.00,`1,`0.07")), Err(Error::InvalidField { .. })));
    }
}
