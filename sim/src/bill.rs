//! `/pay/downloadbill`: the day's bill (Beijing time) as WeChat's CSV-like text, so
//! reconciliation code can be tested. The layouts, from WeChat's documentation and the SDKs'
//! parsers: a header line of column names, one line per row whose every field starts with a
//! backquote, then a summary header and its line. Amounts in yuan with two decimals, fees with
//! five; lines end with CRLF. `tar_type=GZIP` answers the same text gzipped.
//!
//! Rows: a payment on the day it was paid (`交易状态` SUCCESS), a refund on the day it was
//! requested (`交易状态` REFUND, with its current `退款状态`). The fee is 0.6%, rounded to the fen.
//! Errors are `return_code=FAIL` with WeChat's `return_msg` and `error_code` (20001 for a bad
//! request, 20002 `No Bill Exist`, 20003 for a system error); unlike WeChat, today's bill is
//! served at once (WeChat makes it the next morning).

use std::io::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use wxpay::{Params, RefundStatus};

use crate::context::Sim;
use crate::dates::{dashed, day_of};
use crate::faults::ForceSystemError;
use crate::model::{Day, SimOrder};
use crate::request::signature_valid;

const ALL_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const SUCCESS_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注";
const REFUND_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const SUMMARY_HEADER: &str = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

/// The fee rate of an ordinary merchant, per mille, and as the bill prints it.
const FEE_PER_MILLE: i64 = 6;
const FEE_RATE: &str = "0.60%";

fn fail(msg: &str, code: &str) -> Response {
    let mut p = Params::new();
    p.insert("return_code".into(), "FAIL".into());
    p.insert("return_msg".into(), msg.into());
    p.insert("error_code".into(), code.into());
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], wxpay::xml::encode(&p).unwrap_or_default()).into_response()
}

/// Fen → yuan with two decimals.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

/// Fen → yuan with five decimals (fees).
fn yuan5(fen: i64) -> String {
    format!("{}000", yuan(fen))
}

/// 0.6% of `fen`, rounded half up to the fen.
fn fee(fen: i64) -> i64 {
    (fen * FEE_PER_MILLE + 500) / 1000
}

#[derive(Default)]
struct Totals {
    rows: u64,
    settled: i64,
    refunded: i64,
    fees: i64,
    ordered: i64,
    refund_asked: i64,
}

impl Totals {
    fn line(&self) -> String {
        line(&[
            self.rows.to_string(),
            yuan(self.settled),
            yuan(self.refunded),
            yuan(0),
            yuan5(self.fees),
            yuan(self.ordered),
            yuan(self.refund_asked),
        ])
    }
}

fn line(fields: &[String]) -> String {
    fields.iter().map(|f| format!("`{f}")).collect::<Vec<_>>().join(",")
}

/// The columns every layout starts with.
fn common(sim: &Sim, time: &str, o: &SimOrder, state: &str) -> Vec<String> {
    vec![
        time.to_owned(),
        sim.creds.appid.clone(),
        sim.creds.mch_id.clone(),
        "0".into(),
        String::new(),
        o.transaction_id.clone().unwrap_or_default(),
        o.out_trade_no.clone(),
        o.openid.clone(),
        "JSAPI".into(),
        state.to_owned(),
        "CMC".into(),
        "CNY".into(),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BillType {
    All,
    Success,
    Refund,
    RechargeRefund,
}

/// The bill of `date` (`yyyyMMdd`), or `None` when nothing happened that day.
pub(crate) fn bill(sim: &Sim, date: &str, kind: BillType) -> Option<String> {
    let Day { mut paid, mut refunded } = sim.model.day(date);
    if kind == BillType::Refund || kind == BillType::RechargeRefund {
        paid.clear();
    }
    if kind != BillType::All && kind != BillType::Refund {
        refunded.clear();
    }
    if paid.is_empty() && refunded.is_empty() {
        return None;
    }
    let header = match kind {
        BillType::All => ALL_HEADER,
        BillType::Success => SUCCESS_HEADER,
        BillType::Refund | BillType::RechargeRefund => REFUND_HEADER,
    };
    let mut lines = vec![header.to_owned()];
    let mut t = Totals::default();
    for o in &paid {
        let total = o.total_fee as i64;
        let mut f = common(sim, &dashed(o.paid_ms.unwrap_or_default().div_euclid(1000)), o, "SUCCESS");
        f.extend([yuan(total), yuan(0)]);
        if kind == BillType::All {
            f.extend(["0".into(), "0".into(), yuan(0), yuan(0), String::new(), String::new()]);
        }
        f.extend([o.body.clone(), o.attach.clone().unwrap_or_default(), yuan5(fee(total)), FEE_RATE.into(), yuan(total)]);
        if kind == BillType::All {
            f.push(yuan(0));
        }
        f.push(String::new());
        lines.push(line(&f));
        t.rows += 1;
        t.settled += total;
        t.fees += fee(total);
        t.ordered += total;
    }
    for (r, o) in &refunded {
        let amount = r.refund_fee as i64;
        let asked = dashed(r.requested_ms.div_euclid(1000));
        let mut f = common(sim, &asked, o, "REFUND");
        f.extend([yuan(0), yuan(0)]);
        if kind == BillType::Refund {
            f.extend([asked.clone(), r.success_time.clone().unwrap_or_default()]);
        }
        let status = r.refund_status.as_str().to_owned();
        f.extend([r.refund_id.clone(), r.out_refund_no.clone(), yuan(amount), yuan(0), "ORIGINAL".into(), status]);
        f.extend([
            o.body.clone(),
            o.attach.clone().unwrap_or_default(),
            yuan5(-fee(amount)),
            FEE_RATE.into(),
            yuan(0),
            yuan(amount),
            String::new(),
        ]);
        lines.push(line(&f));
        t.rows += 1;
        // 退款总金额 counts what was refunded; a closed refund returned nothing.
        if r.refund_status != RefundStatus::Refundclose {
            t.refunded += amount;
            t.fees -= fee(amount);
        }
        t.refund_asked += amount;
    }
    lines.push(SUMMARY_HEADER.to_owned());
    lines.push(t.line());
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    Some(text)
}

/// `/pay/downloadbill`.
pub(crate) async fn downloadbill(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.model.count_call("/pay/downloadbill");
    if body.is_empty() {
        return fail("empty post data", "20001");
    }
    let Ok(p) = wxpay::xml::decode(&body) else { return fail("data format error", "20001") };
    for name in ["appid", "mch_id", "nonce_str", "sign", "bill_date"] {
        if p.get(name).is_none_or(String::is_empty) {
            return fail("missing parameter", "20001");
        }
    }
    if p["appid"] != sim.creds.appid {
        return fail("invalid appid", "20001");
    }
    if p["mch_id"] != sim.creds.mch_id {
        return fail("invalid parameter", "20001");
    }
    if !signature_valid(&sim, &p) {
        return fail("sign error", "20001");
    }
    let kind = match p.get("bill_type").map(String::as_str).unwrap_or("") {
        "" | "ALL" => BillType::All,
        "SUCCESS" => BillType::Success,
        "REFUND" => BillType::Refund,
        "RECHARGE_REFUND" => BillType::RechargeRefund,
        _ => return fail("invalid bill_type", "20001"),
    };
    let gzip = match p.get("tar_type").map(String::as_str).unwrap_or("") {
        "" => false,
        "GZIP" => true,
        _ => return fail("invalid tar_type: Only GZIP supported", "20001"),
    };
    let date = &p["bill_date"];
    let today = day_of(sim.clock.now_ms());
    if date.len() != 8 || wxpay::time::parse_beijing14(&format!("{date}000000")).is_none() || date.as_str() > today.as_str() {
        return fail("invalid bill_date", "20001");
    }
    if sim.faults.take_systemerror(forced.is_some()) {
        return fail("system error", "20003");
    }
    let Some(text) = bill(&sim, date, kind) else { return fail("No Bill Exist", "20002") };
    if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        if enc.write_all(text.as_bytes()).is_err() {
            return fail("system error", "20003");
        }
        let Ok(bytes) = enc.finish() else { return fail("system error", "20003") };
        return ([(header::CONTENT_TYPE, "application/x-gzip")], bytes).into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_as_bills_do() {
        assert_eq!(yuan(600), "6.00");
        assert_eq!(yuan(1), "0.01");
        assert_eq!(yuan5(fee(600)), "0.04000");
        assert_eq!(yuan5(-fee(200)), "-0.01000");
        assert_eq!(yuan(0), "0.00");
    }
}
