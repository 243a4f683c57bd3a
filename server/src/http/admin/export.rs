//! `GET /admin/api/orders/export.csv?<the search's filters>`: the orders of the current filter as
//! CSV, streamed a page at a time (never the whole file in memory), newest first.
//!
//! For Excel: UTF-8 with a byte-order mark (without it Excel reads the Chinese as the local ANSI
//! code page), CRLF, RFC 4180 quoting by the `csv` crate. Amounts are yuan with two decimals,
//! written from integer fen (`元` in the header says so). 微信支付单号 (28 digits) starts with a
//! tab, so Excel keeps it as text instead of rounding it to 4.2E+27; a product name starting
//! with `= + - @` gets a leading `'` so Excel does not run it as a formula. Openids are masked.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use wxpay::Fen;

use super::mask;
use super::orders::{filter_from, SearchQuery};
use crate::clock::{beijing_day, beijing_display, day_compact};
use crate::db::search::{Cursor, OrderFilter, OrderRow};
use crate::error::{Error, Result};
use crate::AppState;

/// Rows fetched (and written) per step of the stream: the search's largest page.
const PAGE: i64 = crate::db::search::MAX_PAGE;

const BOM: &str = "\u{FEFF}";

const HEADER: [&str; 11] = [
    "商户订单号 out_trade_no",
    "微信支付单号 transaction_id",
    "付款人 openid (masked)",
    "商品 product",
    "数量 quantity",
    "金额(元) total CNY",
    "已退款(元) refunded CNY",
    "状态 status",
    "下单时间(北京) created",
    "支付时间(北京) paid",
    "异常 flags",
];

/// Fen as yuan with two decimals, by integer arithmetic.
fn yuan(fen: Fen) -> String {
    fen.yuan_string()
}

/// Free text Excel would run as a formula is kept as text.
fn not_a_formula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

fn record(o: &OrderRow) -> [String; 11] {
    let flags = [(o.paid_after_close, "paid_after_close"), (o.oversold, "oversold"), (o.handled.is_some(), "handled_offline")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, f)| *f)
        .collect::<Vec<_>>()
        .join(" ");
    [
        o.out_trade_no.clone(),
        o.transaction_id.as_deref().map(|t| format!("\t{t}")).unwrap_or_default(),
        mask::openid(&o.openid),
        not_a_formula(&o.product_name),
        o.quantity.to_string(),
        yuan(o.total_fee),
        yuan(o.refunded_fee),
        o.status.as_str().to_owned(),
        beijing_display(o.created_at),
        o.paid_at.map(beijing_display).unwrap_or_default(),
        flags,
    ]
}

/// One chunk of the file: the records of `rows` (after the BOM and header for the first).
fn chunk(first: bool, rows: &[OrderRow]) -> Result<Bytes> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::with_capacity(rows.len() * 160 + 256));
    if first {
        w.write_record(HEADER).map_err(|e| Error::Internal(format!("csv: {e}")))?;
    }
    for o in rows {
        w.write_record(record(o)).map_err(|e| Error::Internal(format!("csv: {e}")))?;
    }
    let mut bytes = w.into_inner().map_err(|e| Error::Internal(format!("csv: {e}")))?;
    if first {
        bytes.splice(0..0, BOM.bytes());
    }
    Ok(Bytes::from(bytes))
}

/// Where the stream is.
enum Step {
    Page { first: bool, after: Option<Cursor> },
    Done,
}

/// The export. Later pages start after the last row sent (keyset), so orders arriving during
/// the download (newer than the first row) are not in it, and no row comes twice or is skipped.
pub async fn orders_csv(State(state): State<AppState>, Query(q): Query<SearchQuery>) -> Result<Response> {
    let filter: OrderFilter = filter_from(&state, &q).await?;
    let name = format!("orders-{}.csv", day_compact(beijing_day(state.clock.now_ms())));
    let body = stream::unfold(Step::Page { first: true, after: None }, move |step| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let Step::Page { first, after } = step else { return None };
            let page = match state.db.orders().search(&filter, after.as_ref(), PAGE).await {
                Ok(p) => p,
                Err(e) => {
                    // The client sees a cut download, never a file that looks whole.
                    tracing::error!(error = %e, "CSV export failed midway");
                    return Some((Err(e), Step::Done));
                }
            };
            let next = match page.next {
                Some(c) => Step::Page { first: false, after: Some(c) },
                None => Step::Done,
            };
            Some((chunk(first, &page.orders), next))
        }
    });
    let mut r = Body::from_stream(body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_by_integer_arithmetic() {
        let y = |f| yuan(Fen::new(f));
        assert_eq!((y(0), y(1), y(1800), y(123_456_789)), ("0.00".into(), "0.01".into(), "18.00".into(), "1234567.89".into()));
    }

    #[test]
    fn formulas_stay_text() {
        assert_eq!(not_a_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(not_a_formula("拿铁 Latte"), "拿铁 Latte");
    }
}
