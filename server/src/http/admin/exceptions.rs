//! The exceptions queue and its actions: re-query WeChat (through the reconciler's own visit of
//! the row, under its claim), mark handled offline with a note (no money state changes: see
//! `db::exceptions`), or refund (a merchant refund, `POST /admin/api/orders/{no}/refunds`).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::views::{OrderView, RefundView};
use super::{checked_text, MERCHANT};
use crate::back_office;
use crate::db::refunds::{Refund, RefundState};
use crate::db::search::OrderRow;
use crate::error::{Error, Result};
use crate::http::ApiJson;
use crate::refunds::Visited;
use crate::AppState;

/// A person asks WeChat about one row at most this often (any instance): WeChat's query APIs
/// are rate limited, and a second click adds nothing.
const REQUERY_EVERY_MS: i64 = 2_000;

/// Notes are kept here, never sent to WeChat.
const MAX_NOTE_BYTES: usize = 200;

/// What kind of exception a row is, and what a person can do about it.
#[derive(Serialize)]
pub struct Item<T> {
    /// `refund_change`, `refund_failing`, `paid_after_close`, `oversold`, `order_failing`.
    kind: &'static str,
    /// The fitting actions: `requery`, `handled`, `refund`.
    actions: &'static [&'static str],
    #[serde(flatten)]
    row: T,
}

/// `GET /admin/api/attention`.
#[derive(Serialize)]
pub struct Queue {
    refunds: Vec<Item<RefundView>>,
    orders: Vec<Item<OrderView>>,
}

fn refund_item(r: Refund) -> Item<RefundView> {
    let (kind, actions): (_, &'static [&'static str]) = match r.status {
        // 退款异常 in v3: send it again to a bank card (发起异常退款).
        RefundState::Change if r.api == crate::api::ApiVersion::V3 => ("refund_change", &["requery", "abnormal_refund", "handled"]),
        // 退款异常: act on the merchant platform, then ask WeChat again, or note it was handled.
        RefundState::Change => ("refund_change", &["requery", "handled"]),
        _ => ("refund_failing", &["requery"]),
    };
    Item { kind, actions, row: RefundView::from(r) }
}

fn order_item(o: OrderRow) -> Item<OrderView> {
    let (kind, actions): (_, &'static [&'static str]) = if o.oversold {
        ("oversold", &["refund", "handled"])
    } else if o.paid_after_close {
        ("paid_after_close", &["refund", "handled"])
    } else {
        ("order_failing", &["requery"])
    };
    Item { kind, actions, row: OrderView::from(o) }
}

/// `GET /admin/api/attention`: the queue, refunds and orders.
pub async fn queue(State(state): State<AppState>) -> Result<Json<Queue>> {
    let q = state.db.exceptions().queue().await?;
    Ok(Json(Queue { refunds: q.refunds.into_iter().map(refund_item).collect(), orders: q.orders.into_iter().map(order_item).collect() }))
}

fn too_soon(checked_at: Option<i64>, now: i64) -> Result<()> {
    match checked_at {
        Some(t) if now - t < REQUERY_EVERY_MS => {
            Err(Error::RateLimited("WeChat was asked about it a moment ago; try again in a few seconds".into()))
        }
        _ => Ok(()),
    }
}

/// `POST /admin/api/refunds/{no}/requery`: the reconciler's visit of a refund in flight, now —
/// refundquery under the refund's claim (or, never sent, the refund call), its answer applied
/// along the state machine. `409` when another instance holds the claim or it is not in flight.
pub async fn requery_refund(State(state): State<AppState>, Path(no): Path<String>) -> Result<Json<RefundView>> {
    let r = state.db.refunds().get(&no).await?.ok_or(Error::NotFound("refund"))?;
    if !matches!(r.status, RefundState::Approved | RefundState::Processing | RefundState::Change) {
        return Err(Error::Conflict(format!("refund is {}: there is nothing to ask WeChat", r.status.as_str())));
    }
    too_soon(r.checked_at, state.clock.now_ms())?;
    match crate::refunds::visit(&state, &no, MERCHANT).await? {
        Visited::Skipped => Err(Error::Conflict("the refund is being sent or checked right now; look again in a moment".into())),
        Visited::Unchanged | Visited::Moved(_) => {
            Ok(Json(RefundView::from(state.db.refunds().get(&no).await?.ok_or(Error::NotFound("refund"))?)))
        }
    }
}

/// `POST /admin/api/orders/{no}/requery`: the reconciler's visit of an unpaid order, now —
/// orderquery (closeorder once expired), taking the order's turn as any poller does.
pub async fn requery_order(State(state): State<AppState>, Path(no): Path<String>) -> Result<Json<OrderView>> {
    back_office::requery_order(&state, &no, REQUERY_EVERY_MS, MERCHANT).await?;
    Ok(Json(OrderView::from(state.db.orders().row(&no).await?.ok_or(Error::NotFound("order"))?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    note: String,
}

/// `POST /admin/api/refunds/{no}/handled` `{"note": "…"}`: a CHANGE refund dealt with offline.
pub async fn refund_handled(State(state): State<AppState>, Path(no): Path<String>, ApiJson(n): ApiJson<Note>) -> Result<Json<RefundView>> {
    let note = checked_text("note", &n.note, MAX_NOTE_BYTES)?;
    Ok(Json(RefundView::from(back_office::refund_handled(&state, &no, note, MERCHANT).await?)))
}

/// The body of `POST /admin/api/refunds/{no}/abnormal-refund`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Abnormal {
    /// `USER_BANK_CARD` or `MERCHANT_BANK_CARD`.
    #[serde(rename = "type")]
    kind: String,
    bank_type: Option<String>,
    bank_account: Option<String>,
    real_name: Option<String>,
}

/// `POST /admin/api/refunds/{no}/abnormal-refund` `{"type": "USER_BANK_CARD", "bank_type",
/// "bank_account", "real_name"}` or `{"type": "MERCHANT_BANK_CARD"}`: a v3 refund in CHANGE sent
/// again to a bank card, the card's number and holder encrypted to WeChat's key.
pub async fn abnormal_refund(
    State(state): State<AppState>,
    Path(no): Path<String>,
    ApiJson(a): ApiJson<Abnormal>,
) -> Result<Json<RefundView>> {
    let target = match a.kind.as_str() {
        "USER_BANK_CARD" => {
            let need = |v: Option<String>, name: &str| {
                v.filter(|s| !s.trim().is_empty()).ok_or_else(|| Error::Invalid(format!("{name} is required for USER_BANK_CARD")))
            };
            crate::refunds::AbnormalTarget::UserBankCard {
                bank_type: need(a.bank_type, "bank_type")?,
                bank_account: wxpay::v3::SensitiveText::new(need(a.bank_account, "bank_account")?),
                real_name: wxpay::v3::SensitiveText::new(need(a.real_name, "real_name")?),
            }
        }
        "MERCHANT_BANK_CARD" if a.bank_type.is_none() && a.bank_account.is_none() && a.real_name.is_none() => {
            crate::refunds::AbnormalTarget::MerchantBankCard
        }
        "MERCHANT_BANK_CARD" => return Err(Error::Invalid("MERCHANT_BANK_CARD takes no card fields".into())),
        _ => return Err(Error::Invalid("type must be USER_BANK_CARD or MERCHANT_BANK_CARD".into())),
    };
    Ok(Json(RefundView::from(crate::refunds::apply_abnormal(&state, &no, target, MERCHANT).await?)))
}

/// `POST /admin/api/orders/{no}/handled` `{"note": "…"}`: an order paid after close dealt with
/// offline (shipped, settled).
pub async fn order_handled(State(state): State<AppState>, Path(no): Path<String>, ApiJson(n): ApiJson<Note>) -> Result<Json<OrderView>> {
    let note = checked_text("note", &n.note, MAX_NOTE_BYTES)?;
    Ok(Json(OrderView::from(back_office::order_handled(&state, &no, note, MERCHANT).await?)))
}
