//! Orders in the back office: the newest, a search (paged by keyset), and one order's whole
//! story — the order, its payment, its refunds and every audit row about them, the raw WeChat
//! message one request away.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::mask;
use super::views::{OrderLineView, OrderView, RefundView};
use crate::clock::{day_start_ms, parse_day};
use crate::db::audit::AuditRow;
use crate::db::orders::OrderStatus;
use crate::db::refunds::RefundTotals;
use crate::db::search::{Cursor, OrderFilter};
use crate::error::{Error, Result};
use crate::AppState;
use wxpay::Fen;

/// `GET /admin/api/orders`: the newest 100.
pub async fn recent(State(state): State<AppState>) -> Result<Json<Vec<OrderLineView>>> {
    Ok(Json(state.db.orders().recent().await?.into_iter().map(OrderLineView::from).collect()))
}

/// The search's query string (also the CSV export's).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// One term: an order number, a transaction_id, a refund number or an openid.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub out_trade_no: Option<String>,
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub openid: Option<String>,
    /// Orders of the payer of this order.
    #[serde(default)]
    pub same_payer_as: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// First day (`yyyy-MM-dd`, Beijing time) of creation, inclusive.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day, inclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// The `next` of the previous page.
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn given(v: &Option<String>, name: &str) -> Result<Option<String>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.len() > 64 || !s.bytes().all(|b| b.is_ascii_graphic()) => {
            Err(Error::Invalid(format!("{name} must be at most 64 printable ASCII characters")))
        }
        Some(s) => Ok(Some(s.to_owned())),
    }
}

fn day(v: &Option<String>, name: &str) -> Result<Option<i64>> {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_day(s).ok_or_else(|| Error::Invalid(format!("{name} must be a day as yyyy-MM-dd"))))
        .transpose()
}

/// The filter a query string asks for (`q` resolved to the kind of number it is).
///
/// # Errors
/// [`Error::Invalid`] for a malformed value, database errors.
pub async fn filter_from(state: &AppState, q: &SearchQuery) -> Result<OrderFilter> {
    let mut f = match given(&q.q, "q")? {
        Some(term) => state.db.orders().resolve_term(&term).await?,
        None => OrderFilter::default(),
    };
    f.out_trade_no = given(&q.out_trade_no, "out_trade_no")?.or(f.out_trade_no);
    f.transaction_id = given(&q.transaction_id, "transaction_id")?.or(f.transaction_id);
    f.openid = given(&q.openid, "openid")?.or(f.openid);
    f.same_payer_as = given(&q.same_payer_as, "same_payer_as")?;
    f.status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(OrderStatus::parse(s).map_err(|_| Error::Invalid("status must be NOTPAY, PAID or CLOSED".into()))?),
    };
    let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            return Err(Error::Invalid("from must not be after to".into()));
        }
    }
    f.created_from = from.map(day_start_ms);
    f.created_before = to.map(|d| day_start_ms(d + 1));
    Ok(f)
}

/// A page of results.
#[derive(Serialize)]
pub struct SearchPage {
    orders: Vec<OrderView>,
    /// Pass as `after` for the next page; `null`: this was the last.
    next: Option<String>,
}

/// `GET /admin/api/orders/search?q=…&status=…&from=…&to=…&after=…&limit=…`: newest first.
pub async fn search(State(state): State<AppState>, Query(q): Query<SearchQuery>) -> Result<Json<SearchPage>> {
    let f = filter_from(&state, &q).await?;
    let after = q.after.as_deref().filter(|s| !s.is_empty()).map(Cursor::decode).transpose()?;
    let page = state.db.orders().search(&f, after.as_ref(), q.limit.unwrap_or(50)).await?;
    Ok(Json(SearchPage { orders: page.orders.into_iter().map(OrderView::from).collect(), next: page.next.map(|c| c.encode()) }))
}

/// One line of an order's story.
#[derive(Serialize)]
pub struct StoryRow {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    from_status: Option<String>,
    to_status: Option<String>,
    /// The detail without the raw message (masked).
    summary: String,
    /// A raw WeChat message is kept: `GET /admin/api/audit/{id}` shows it.
    has_raw: bool,
}

/// Where a detail's raw WeChat message starts, if it holds one.
fn raw_start(detail: &str) -> Option<usize> {
    detail.find("<xml>")
}

fn story_row(a: AuditRow, known: &[&str]) -> StoryRow {
    let detail = a.detail.unwrap_or_default();
    let (summary, has_raw) = match raw_start(&detail) {
        None => (detail.clone(), false),
        Some(0) => {
            // A payment notify as received: say what it reported.
            let p = wxpay::xml::decode(detail.as_bytes()).unwrap_or_default();
            let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
            (
                format!(
                    "payment notify: transaction_id={} total_fee={} time_end={}",
                    get("transaction_id"),
                    get("total_fee"),
                    get("time_end")
                ),
                true,
            )
        }
        Some(i) => (detail[..i].trim_end().trim_end_matches("body:").trim_end().trim_end_matches(';').to_owned(), true),
    };
    StoryRow {
        id: a.id,
        at: a.at,
        actor: mask::actor(&a.actor),
        action: a.action,
        entity: a.entity,
        entity_id: a.entity_id,
        from_status: a.from_status,
        to_status: a.to_status,
        summary: mask::text(&summary, known),
        has_raw,
    }
}

/// An order's page.
#[derive(Serialize)]
pub struct Detail {
    order: OrderView,
    /// What a new refund may still ask for (fen): the total less the refunds holding an amount.
    refundable_fee: Fen,
    /// Oldest first.
    refunds: Vec<RefundView>,
    /// Every audit row about the order and its refunds, oldest first.
    story: Vec<StoryRow>,
}

/// `GET /admin/api/orders/{no}`.
pub async fn detail(State(state): State<AppState>, Path(no): Path<String>) -> Result<Json<Detail>> {
    let order = state.db.orders().row(&no).await?.ok_or(Error::NotFound("order"))?;
    let refunds = state.db.refunds().of_order(&no).await?;
    let totals = RefundTotals::of(order.total_fee, order.status == OrderStatus::Paid, &refunds);
    let known = [order.openid.as_str()];
    let story = state.db.audit().story_of_order(&no).await?.into_iter().map(|a| story_row(a, &known)).collect();
    Ok(Json(Detail {
        refundable_fee: totals.refundable,
        refunds: refunds.into_iter().map(RefundView::from).collect(),
        story,
        order: OrderView::from(order),
    }))
}

/// One audit row's raw message.
#[derive(Serialize)]
pub struct Raw {
    id: i64,
    action: String,
    actor: String,
    /// The stored detail, openids masked (no secret is ever stored in it: notifies carry none,
    /// and `req_info` stays encrypted).
    raw: String,
}

/// `GET /admin/api/audit/{id}`.
pub async fn audit_raw(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Raw>> {
    let a = state.db.audit().row(id).await?.ok_or(Error::NotFound("audit row"))?;
    let owner = match a.entity.as_str() {
        "order" => state.db.orders().get(&a.entity_id).await?.map(|o| o.openid),
        "refund" => state.db.refunds().get(&a.entity_id).await?.map(|r| r.openid),
        _ => None,
    };
    let known: Vec<&str> = owner.iter().map(String::as_str).collect();
    Ok(Json(Raw { id: a.id, raw: mask::text(a.detail.as_deref().unwrap_or(""), &known), actor: mask::actor(&a.actor), action: a.action }))
}
