//! Reports: daily totals in Beijing time (and the rows each day adds up), and a day's
//! reconciliation against WeChat's bill.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::clock::{beijing_day, day_name, parse_day};
use crate::db::money;
use crate::db::totals::{DayRows, DayTotals, MAX_DAYS};
use crate::error::{Error, Result};
use crate::reconcile::Report;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

fn parse(v: Option<&str>, name: &str) -> Result<Option<i64>> {
    v.filter(|s| !s.is_empty())
        .map(|s| parse_day(s).ok_or_else(|| Error::Invalid(format!("{name} must be a day as yyyy-MM-dd"))))
        .transpose()
}

/// Totals of a range of days.
#[derive(Serialize)]
pub struct Totals {
    from: String,
    to: String,
    /// Newest first, every day of the range.
    days: Vec<DayTotals>,
    /// The range's sum.
    total: DayTotals,
}

/// `GET /admin/api/totals?from=yyyy-MM-dd&to=yyyy-MM-dd` (default: the last 7 days, today
/// included; at most 366 days).
pub async fn totals(State(state): State<AppState>, Query(r): Query<Range>) -> Result<Json<Totals>> {
    let today = beijing_day(state.clock.now_ms());
    let last = parse(r.to.as_deref(), "to")?.unwrap_or(today);
    let first = parse(r.from.as_deref(), "from")?.unwrap_or(last - 6);
    if first > last || last - first >= MAX_DAYS {
        return Err(Error::Invalid(format!("from must not be after to, and the range at most {MAX_DAYS} days")));
    }
    let days = state.db.totals().daily(first, last).await?;
    let mut total = DayTotals { day: format!("{}..{}", day_name(first), day_name(last)), ..Default::default() };
    for d in &days {
        total.paid_count += d.paid_count;
        total.paid_fen = money::sum([total.paid_fen, d.paid_fen]);
        total.refund_count += d.refund_count;
        total.refunded_fen = money::sum([total.refunded_fen, d.refunded_fen]);
        total.net_fen += d.net_fen;
    }
    Ok(Json(Totals { from: day_name(first), to: day_name(last), days, total }))
}

/// `GET /admin/api/totals/{yyyy-MM-dd}`: the payments and refunds that day's totals add up.
pub async fn day_rows(State(state): State<AppState>, Path(day): Path<String>) -> Result<Json<DayRows>> {
    let d = parse(Some(&day), "day")?.ok_or_else(|| Error::Invalid("day must be a day as yyyy-MM-dd".into()))?;
    Ok(Json(state.db.totals().day_rows(d).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileQuery {
    day: String,
}

/// `GET /admin/api/reconcile?day=yyyy-MM-dd`: our rows against WeChat's bill of that day.
pub async fn reconcile(State(state): State<AppState>, Query(q): Query<ReconcileQuery>) -> Result<Json<Report>> {
    let d = parse(Some(&q.day), "day")?.ok_or_else(|| Error::Invalid("day must be a day as yyyy-MM-dd".into()))?;
    if d > beijing_day(state.clock.now_ms()) {
        return Err(Error::Invalid("there is no bill of a day still to come".into()));
    }
    Ok(Json(crate::reconcile::day(&state, d).await?))
}
