//! Bills: `GET /v3/bill/tradebill` and `GET /v3/bill/fundflowbill` answer
//! `{hash_type: "SHA1", hash_value, download_url}`; the `download_url` serves the file (a signed
//! request, an unsigned answer) for 30 s of WeChat's time. The file starts with a UTF-8 BOM
//! (EF BB BF) as WeChat's do; the hash is over the file as served, BOM included (decompressed
//! when `tar_type=GZIP`). The trade bill is v2's downloadbill text (the same
//! layout); the fund-flow bill lists each payment's income, its fee and each refund.

use std::io::Write as _;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use sha1::{Digest, Sha1};

use super::reply::{ok, V3Error, V3Result};
use crate::bill::{bill, BillType};
use crate::context::Sim;
use crate::dates::dashed;
use crate::model::{BillFile, Day};

/// How long a download_url lives, in WeChat's milliseconds (not scaled).
const DOWNLOAD_TTL_MS: i64 = 30_000;

#[derive(Deserialize)]
pub(crate) struct BillQuery {
    bill_date: Option<String>,
    bill_type: Option<String>,
    account_type: Option<String>,
    tar_type: Option<String>,
    token: Option<String>,
}

/// `YYYY-MM-DD` → `yyyyMMdd`.
fn day(q: &BillQuery) -> Result<String, V3Error> {
    let d = q.bill_date.as_deref().filter(|d| !d.is_empty()).ok_or_else(|| V3Error::param("query", "bill_date", "缺少参数bill_date"))?;
    let b = d.as_bytes();
    let ok = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && d.bytes().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !ok {
        return Err(V3Error::param("query", d, "bill_date格式应为YYYY-MM-DD"));
    }
    Ok(d.replace('-', ""))
}

fn gzip(q: &BillQuery) -> Result<bool, V3Error> {
    match q.tar_type.as_deref() {
        None | Some("") => Ok(false),
        Some("GZIP") => Ok(true),
        Some(t) => Err(V3Error::param("query", t, "tar_type仅支持GZIP")),
    }
}

fn no_bill() -> V3Error {
    V3Error::new(StatusCode::BAD_REQUEST, "NO_STATEMENT_EXIST", "账单文件不存在")
}

/// WeChat's bills start with a UTF-8 byte order mark (SDKs strip it, some unconditionally).
const BOM: &str = "\u{FEFF}";

/// Keeps the file (the text after a BOM) under a fresh token → the answer with its hash (of
/// the file as served, inflated when gzip: BOM included) and download_url.
fn offer(sim: &Sim, headers: &HeaderMap, text: String, gzip: bool) -> V3Result {
    let text = format!("{BOM}{text}");
    let hash: String = Sha1::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let bytes = if gzip {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(text.as_bytes()).map_err(|_| V3Error::system())?;
        e.finish().map_err(|_| V3Error::system())?
    } else {
        text.into_bytes()
    };
    let token = crate::rsakey::random_hex(24);
    sim.model.keep_bill(token.clone(), BillFile { bytes, gzip, expires_ms: sim.clock.now_ms() + DOWNLOAD_TTL_MS });
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    ok(json!({ "hash_type": "SHA1", "hash_value": hash, "download_url": format!("https://{host}/v3/billdownload/file?token={token}") }))
}

/// `GET /v3/bill/tradebill?bill_date=&bill_type=&tar_type=`.
pub(crate) async fn tradebill(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<BillQuery>) -> V3Result {
    let date = day(&q)?;
    let kind = match q.bill_type.as_deref() {
        None | Some("") | Some("ALL") => BillType::All,
        Some("SUCCESS") => BillType::Success,
        Some("REFUND") => BillType::Refund,
        Some(t) => return Err(V3Error::param("query", t, "bill_type仅支持ALL、SUCCESS、REFUND")),
    };
    let gz = gzip(&q)?;
    let text = bill(&sim, &date, kind).ok_or_else(no_bill)?;
    offer(&sim, &headers, text, gz)
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// The fund-flow text of a day: each payment's income, its 0.6% fee, each refund.
fn fund_flow(day: &Day) -> Option<String> {
    let mut rows: Vec<(i64, String, String, &str, bool, i64)> = Vec::new();
    for o in &day.paid {
        let (at, txn) = (o.paid_ms.unwrap_or_default(), o.transaction_id.clone().unwrap_or_default());
        let fee = (o.total_fee as i64 * 6 + 500) / 1000;
        rows.push((at, txn.clone(), format!("{txn}01"), "交易", true, o.total_fee as i64));
        if fee > 0 {
            rows.push((at, txn.clone(), format!("{txn}02"), "扣除交易手续费", false, fee));
        }
    }
    for (r, _) in &day.refunded {
        rows.push((r.requested_ms, r.refund_id.clone(), format!("{}01", r.refund_id), "退款", false, r.refund_fee as i64));
    }
    if rows.is_empty() {
        return None;
    }
    rows.sort_by_key(|r| r.0);
    let mut lines = vec!["记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号".to_owned()];
    let (mut balance, mut income, mut income_n, mut expense, mut expense_n) = (0i64, 0i64, 0, 0i64, 0);
    for (at, business, flow, name, is_income, amount) in &rows {
        if *is_income {
            balance += amount;
            income += amount;
            income_n += 1;
        } else {
            balance -= amount;
            expense += amount;
            expense_n += 1;
        }
        let direction = if *is_income { "收入" } else { "支出" };
        let fields = [
            dashed(at.div_euclid(1000)),
            business.clone(),
            flow.clone(),
            (*name).to_owned(),
            (*name).to_owned(),
            direction.to_owned(),
            yuan(*amount),
            yuan(balance),
            "system".to_owned(),
            String::new(),
            business.clone(),
        ];
        lines.push(fields.iter().map(|f| format!("`{f}")).collect::<Vec<_>>().join(","));
    }
    lines.push("资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额".to_owned());
    lines.push(format!("`{},`{income_n},`{},`{expense_n},`{}", rows.len(), yuan(income), yuan(expense)));
    Some(lines.join("\r\n") + "\r\n")
}

/// `GET /v3/bill/fundflowbill?bill_date=&account_type=&tar_type=`.
pub(crate) async fn fundflowbill(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<BillQuery>) -> V3Result {
    let date = day(&q)?;
    match q.account_type.as_deref() {
        None | Some("") | Some("BASIC") => {}
        Some("OPERATION" | "FEES") => return Err(no_bill()),
        Some(t) => return Err(V3Error::param("query", t, "account_type仅支持BASIC、OPERATION、FEES")),
    }
    let gz = gzip(&q)?;
    let text = fund_flow(&sim.model.day(&date)).ok_or_else(no_bill)?;
    offer(&sim, &headers, text, gz)
}

/// `GET /v3/billdownload/file?token=`: the file, unsigned; an expired token is refused.
pub(crate) async fn download(State(sim): State<Arc<Sim>>, Query(q): Query<BillQuery>) -> V3Result {
    let token = q.token.as_deref().unwrap_or_default();
    let file = sim.model.bill_file(token).ok_or_else(|| V3Error::param("query", "token", "下载链接无效"))?;
    if file.expires_ms <= sim.clock.now_ms() {
        return Err(V3Error::invalid("下载链接已过期，请重新获取"));
    }
    let kind = if file.gzip { "application/x-gzip" } else { "text/plain; charset=utf-8" };
    Ok(([(header::CONTENT_TYPE, kind)], file.bytes).into_response())
}
