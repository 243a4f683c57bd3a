//! Reconciliation of one day: our rows against WeChat's bill (v2's `downloadbill`, or in v3 the
//! `tradebill`, its file checked against its SHA-1 before it is read), and the differences — a
//! row on one side only, another amount, another refund state.
//!
//! Rows are matched by their numbers (`out_trade_no`, `out_refund_no`), not by position or
//! time. Our side of day D is the payments WeChat timed on D (`time_end`) and the refunds we sent
//! on D; a bill row that is not among them is looked up by its number before being called
//! missing here, so a row we recorded on a neighbouring day is matched, not reported twice.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use wxpay::bill::{BillRow, BillType, DownloadBill};
use wxpay::Fen;

use crate::api::ApiVersion;
use crate::clock::day_compact;
use crate::db::money;
use crate::db::reconcile::OurPayment;
use crate::db::refunds::{Refund, RefundState};
use crate::error::{Error, Result};
use crate::AppState;

/// Which side lacks a row, or what differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// On WeChat's bill, not here.
    MissingHere,
    /// Here, not on WeChat's bill.
    MissingAtWechat,
    /// On both, with other amounts.
    Amount,
    /// On both, in other states.
    Status,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// What differs.
    pub kind: DiffKind,
    /// `payment` or `refund`.
    pub what: &'static str,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 商户退款单号 (refunds).
    pub out_refund_no: Option<String>,
    /// Our amount (fen), if we have the row.
    pub ours_fen: Option<Fen>,
    /// WeChat's amount (fen), if the bill has the row.
    pub wechat_fen: Option<Fen>,
    /// Our state.
    pub ours_status: Option<String>,
    /// WeChat's state.
    pub wechat_status: Option<String>,
    /// What it means, for a person.
    pub note: &'static str,
}

/// One side's count and sum (fen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Side {
    /// Payments.
    pub payments: i64,
    /// Their sum.
    pub paid_fen: Fen,
    /// Refunds.
    pub refunds: i64,
    /// Their sum.
    pub refund_fen: Fen,
}

/// A day's reconciliation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `yyyyMMdd` (Beijing time).
    pub bill_date: String,
    /// WeChat's refusal, if it gave no bill (`20002 No Bill Exist`: nothing that day, or not
    /// made yet). The comparison is then against an empty bill.
    pub bill_error: Option<String>,
    /// What the bill lists.
    pub wechat: Side,
    /// What we have for the day.
    pub ours: Side,
    /// Rows that agree.
    pub matched: i64,
    /// Rows that do not.
    pub differences: Vec<Difference>,
}

/// WeChat's name of our refund state, as bills and refundquery say it.
fn wechat_refund_status(s: RefundState) -> &'static str {
    match s {
        RefundState::Success => "SUCCESS",
        RefundState::Change => "CHANGE",
        RefundState::Closed => "REFUNDCLOSE",
        RefundState::Approved | RefundState::Processing => "PROCESSING",
        RefundState::Requested | RefundState::Rejected => "NOT_SENT",
    }
}

/// Downloads the bill of the Beijing-time day `day` and compares it with our rows.
///
/// # Errors
/// Upstream errors other than "no bill", database errors.
pub async fn day(state: &AppState, day: i64) -> Result<Report> {
    let bill_date = day_compact(day);
    let (rows, bill_error) = match state.settings.api_version {
        ApiVersion::V2 => {
            match state.upstream.download_bill(&DownloadBill { bill_date: bill_date.clone(), bill_type: BillType::All }).await {
                Ok(b) => (b.rows, None),
                Err(Error::Upstream { code, message }) if code == "20002" => (Vec::new(), Some(format!("{code} {message}"))),
                Err(e) => return Err(e),
            }
        }
        ApiVersion::V3 => match trade_bill(state, day).await {
            Ok(rows) => (rows, None),
            Err(Error::Upstream { code, message }) if code == "NO_STATEMENT_EXIST" => (Vec::new(), Some(format!("{code} {message}"))),
            Err(e) => return Err(e),
        },
    };
    let (payments, refunds) = state.db.bill().day_ours(day).await?;
    // Bill rows that are not among our day's: look them up by number.
    let day_payments: HashMap<&str, &OurPayment> = payments.iter().map(|p| (p.out_trade_no.as_str(), p)).collect();
    let day_refunds: HashMap<&str, &Refund> = refunds.iter().map(|r| (r.out_refund_no.as_str(), r)).collect();
    let mut other_payments = HashMap::new();
    let mut other_refunds = HashMap::new();
    for r in &rows {
        match r.out_refund_no.as_deref() {
            Some(no) if r.trade_state == "REFUND" && !day_refunds.contains_key(no) => {
                if let Some(x) = state.db.refunds().get(no).await? {
                    other_refunds.insert(no.to_owned(), x);
                }
            }
            _ if r.trade_state == "SUCCESS" && !day_payments.contains_key(r.out_trade_no.as_str()) => {
                if let Some(x) = state.db.bill().payment(&r.out_trade_no).await? {
                    other_payments.insert(r.out_trade_no.clone(), x);
                }
            }
            _ => {}
        }
    }
    let mut report = compare(&rows, &payments, &refunds, &other_payments, &other_refunds);
    report.bill_date = bill_date;
    report.bill_error = bill_error;
    Ok(report)
}

/// The v3 `tradebill` of `day`: asked for, its file downloaded (a signed GET on the base it is
/// on; the answer is the file, unsigned), its SHA-1 checked, then read; its rows as v2's bill
/// names them (`ABNORMAL` is `CHANGE`, `CLOSED` is `REFUNDCLOSE`).
async fn trade_bill(state: &AppState, day: i64) -> Result<Vec<BillRow>> {
    use wxpay::v3::{TradeBill, TradeBillRequest, TradeBillType};
    let bill = state.upstream.call_v3(&TradeBillRequest::new(crate::clock::day_name(day), TradeBillType::All)).await?;
    let settings = &state.settings;
    let download = bill
        .download_request_on(&settings.api_base)
        .or_else(|_| bill.download_request_on(&settings.api_backup_base))
        .map_err(|e| Error::Upstream { code: "BAD_RESPONSE".into(), message: e.to_string() })?;
    let answer = state.upstream.send_v3(&state.upstream.sign_v3(&download)?).await?;
    if answer.status != 200 {
        let e = wxpay::v3::api_error(answer.status, &answer.body);
        return Err(Error::Upstream { code: e.err_code().unwrap_or("BAD_RESPONSE").to_owned(), message: e.to_string() });
    }
    let bad = |e: wxpay::Error| Error::Upstream { code: "BAD_RESPONSE".into(), message: format!("the trade bill: {e}") };
    let text = bill.open(None, &answer.body).map_err(bad)?;
    let rows = TradeBill::parse(&text).map_err(bad)?.rows;
    Ok(rows
        .into_iter()
        .map(|r| BillRow {
            trade_time: r.trade_time,
            transaction_id: r.transaction_id,
            out_trade_no: r.out_trade_no,
            openid: r.openid,
            trade_state: r.trade_state,
            settlement_total_fee: r.settlement_total,
            total_fee: r.total,
            refund_id: r.refund_id,
            out_refund_no: r.out_refund_no,
            refund_fee: r.refund,
            refund_status: r.refund_status.map(|s| match s.as_str() {
                "ABNORMAL" => "CHANGE".to_owned(),
                "CLOSED" => "REFUNDCLOSE".to_owned(),
                _ => s,
            }),
            body: r.description,
            poundage: r.fee.yuan_string(),
        })
        .collect())
}

/// The comparison itself: `rows` of the bill against our day's `payments` and `refunds`, with
/// `other_*` the bill's rows we have on other days (looked up by number).
pub fn compare(
    rows: &[BillRow],
    payments: &[OurPayment],
    refunds: &[Refund],
    other_payments: &HashMap<String, OurPayment>,
    other_refunds: &HashMap<String, Refund>,
) -> Report {
    let mut differences = Vec::new();
    let mut matched = 0;
    let mut wechat = Side::default();
    let ours = Side {
        payments: payments.len() as i64,
        paid_fen: money::sum(payments.iter().map(|p| p.total_fee)),
        refunds: refunds.len() as i64,
        refund_fen: money::sum(refunds.iter().map(|r| r.refund_fee)),
    };
    let mut our_payments: BTreeMap<&str, &OurPayment> = payments.iter().map(|p| (p.out_trade_no.as_str(), p)).collect();
    let mut our_refunds: BTreeMap<&str, &Refund> = refunds.iter().map(|r| (r.out_refund_no.as_str(), r)).collect();
    for row in rows {
        let diff = |kind, what, note| Difference {
            kind,
            what,
            out_trade_no: row.out_trade_no.clone(),
            out_refund_no: None,
            ours_fen: None,
            wechat_fen: None,
            ours_status: None,
            wechat_status: None,
            note,
        };
        match (row.trade_state.as_str(), row.out_refund_no.as_deref()) {
            ("REFUND", Some(no)) => {
                let fee = row.refund_fee.unwrap_or(Fen::ZERO);
                let status = row.refund_status.clone().unwrap_or_default();
                wechat.refunds += 1;
                wechat.refund_fen = money::sum([wechat.refund_fen, fee]);
                let ours = our_refunds.remove(no).or_else(|| other_refunds.get(no));
                let mut d = diff(DiffKind::MissingHere, "refund", "WeChat has a refund we do not know: check the merchant platform");
                d.out_refund_no = Some(no.to_owned());
                d.wechat_fen = Some(fee);
                d.wechat_status = Some(status.clone());
                match ours {
                    None => differences.push(d),
                    Some(r) if r.refund_fee != fee => {
                        d.kind = DiffKind::Amount;
                        d.ours_fen = Some(r.refund_fee);
                        d.ours_status = Some(r.status.as_str().to_owned());
                        d.note = "the refund's amount differs";
                        differences.push(d);
                    }
                    Some(r) if wechat_refund_status(r.status) != status => {
                        d.kind = DiffKind::Status;
                        d.ours_fen = Some(r.refund_fee);
                        d.ours_status = Some(r.status.as_str().to_owned());
                        d.note = if r.status.is_final() {
                            "the refund ended otherwise here: check the merchant platform"
                        } else {
                            "WeChat's state is newer: re-query the refund"
                        };
                        differences.push(d);
                    }
                    Some(_) => matched += 1,
                }
            }
            ("SUCCESS", _) => {
                let fee = row.settlement_total_fee;
                wechat.payments += 1;
                wechat.paid_fen = money::sum([wechat.paid_fen, fee]);
                let ours = our_payments.remove(row.out_trade_no.as_str()).or_else(|| other_payments.get(&row.out_trade_no));
                let mut d = diff(DiffKind::MissingHere, "payment", "WeChat has a payment for an order we do not know");
                d.wechat_fen = Some(fee);
                d.wechat_status = Some("SUCCESS".into());
                match ours {
                    None => differences.push(d),
                    Some(p) => {
                        d.ours_fen = Some(p.total_fee);
                        d.ours_status = Some(p.status.clone());
                        if p.total_fee != fee {
                            d.kind = DiffKind::Amount;
                            d.note = "the payment's amount differs";
                            differences.push(d);
                        } else if p.status != "PAID" {
                            d.kind = DiffKind::Status;
                            d.note = "WeChat says paid, we do not: re-query the order";
                            differences.push(d);
                        } else {
                            matched += 1;
                        }
                    }
                }
            }
            // Rows of other kinds (revoked, recharge refunds) are not ours to compare.
            _ => {}
        }
    }
    for p in our_payments.into_values() {
        differences.push(Difference {
            kind: DiffKind::MissingAtWechat,
            what: "payment",
            out_trade_no: p.out_trade_no.clone(),
            out_refund_no: None,
            ours_fen: Some(p.total_fee),
            wechat_fen: None,
            ours_status: Some(p.status.clone()),
            wechat_status: None,
            note: "recorded paid here, not on WeChat's bill",
        });
    }
    for r in our_refunds.into_values() {
        differences.push(Difference {
            kind: DiffKind::MissingAtWechat,
            what: "refund",
            out_trade_no: r.out_trade_no.clone(),
            out_refund_no: Some(r.out_refund_no.clone()),
            ours_fen: Some(r.refund_fee),
            wechat_fen: None,
            ours_status: Some(r.status.as_str().to_owned()),
            wechat_status: None,
            note: "sent to WeChat that day, not on its bill: re-query the refund",
        });
    }
    Report { bill_date: String::new(), bill_error: None, wechat, ours, matched, differences }
}
