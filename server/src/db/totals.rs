//! Daily totals in Beijing time (UTC+8, no daylight saving): paid, refunded and net per day.
//!
//! A payment counts on the day we recorded it (`paid_at`), a refund on the day it reached
//! SUCCESS (`finished_at`): what came in and what went back, as this server knows it. Days are
//! cut at 00:00 Beijing time (16:00 UTC) by integer arithmetic in SQL, the same on SQLite and
//! PostgreSQL; [`Totals::day_rows`] lists the rows a day's totals are the sum of.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use super::{money, Db};
use crate::clock::{day_name, day_start_ms, BEIJING_OFFSET_MS, DAY_MS};
use crate::error::Result;
use wxpay::Fen;

/// At most this many days in one request.
pub const MAX_DAYS: i64 = 366;

/// At most this many rows of each kind in [`Totals::day_rows`].
pub const MAX_DAY_ROWS: i64 = 2000;

/// One day's totals (fen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayTotals {
    /// `yyyy-MM-dd`, Beijing time.
    pub day: String,
    /// Payments recorded that day.
    pub paid_count: i64,
    /// Their sum.
    pub paid_fen: Fen,
    /// Refunds that reached SUCCESS that day.
    pub refund_count: i64,
    /// Their sum.
    pub refunded_fen: Fen,
    /// `paid_fen - refunded_fen`, in fen: negative on a day whose refunds exceed its payments.
    pub net_fen: i64,
}

/// A payment counted in a day's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaidRow {
    /// 商户订单号.
    pub out_trade_no: String,
    /// 微信支付单号.
    pub transaction_id: Option<String>,
    /// The payment.
    pub total_fee: Fen,
    /// When recorded (Unix ms).
    pub paid_at: i64,
}

/// A refund counted in a day's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundedRow {
    /// 商户退款单号.
    pub out_refund_no: String,
    /// Its order.
    pub out_trade_no: String,
    /// The refund.
    pub refund_fee: Fen,
    /// When it reached SUCCESS (Unix ms).
    pub finished_at: i64,
}

/// The rows one day's totals add up.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DayRows {
    /// Payments, oldest first.
    pub payments: Vec<PaidRow>,
    /// SUCCESS refunds, oldest first.
    pub refunds: Vec<RefundedRow>,
    /// More than [`MAX_DAY_ROWS`] of a kind: the lists are cut (the totals are not).
    pub truncated: bool,
}

/// Daily totals.
#[derive(Clone, Copy)]
pub struct Totals<'a> {
    pub(super) db: &'a Db,
}

impl Totals<'_> {
    /// Totals of the Beijing-time days `first..=last` (day numbers, see
    /// [`crate::clock::beijing_day`]), newest first, every day listed (zeros included).
    ///
    /// # Errors
    /// Database errors.
    pub async fn daily(self, first: i64, last: i64) -> Result<Vec<DayTotals>> {
        let (from, to) = (day_start_ms(first), day_start_ms(last + 1));
        let mut days: BTreeMap<i64, DayTotals> =
            (first..=last).map(|d| (d, DayTotals { day: day_name(d), ..Default::default() })).collect();
        let bucket = |col: &str| format!("({col} + {BEIJING_OFFSET_MS}) / {DAY_MS}");
        let paid = sqlx::query(&format!(
            "SELECT {b} AS bj_day, COUNT(*) AS n, CAST(SUM(total_fee) AS BIGINT) AS fen FROM orders \
             WHERE paid_at >= $1 AND paid_at < $2 GROUP BY {b}",
            b = bucket("paid_at")
        ))
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        for r in paid {
            if let Some(d) = days.get_mut(&r.try_get::<i64, _>("bj_day")?) {
                d.paid_count = r.try_get("n")?;
                d.paid_fen = money::fen(&r, "fen")?;
            }
        }
        let refunded = sqlx::query(&format!(
            "SELECT {b} AS bj_day, COUNT(*) AS n, CAST(SUM(refund_fee) AS BIGINT) AS fen FROM refunds \
             WHERE status = 'SUCCESS' AND finished_at >= $1 AND finished_at < $2 GROUP BY {b}",
            b = bucket("finished_at")
        ))
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        for r in refunded {
            if let Some(d) = days.get_mut(&r.try_get::<i64, _>("bj_day")?) {
                d.refund_count = r.try_get("n")?;
                d.refunded_fen = money::fen(&r, "fen")?;
            }
        }
        Ok(days
            .into_values()
            .rev()
            .map(|mut d| {
                d.net_fen =
                    (i128::from(d.paid_fen.get()) - i128::from(d.refunded_fen.get())).clamp(i64::MIN.into(), i64::MAX.into()) as i64;
                d
            })
            .collect())
    }

    /// The payments and SUCCESS refunds one Beijing-time day's totals are made of.
    ///
    /// # Errors
    /// Database errors.
    pub async fn day_rows(self, day: i64) -> Result<DayRows> {
        let (from, to) = (day_start_ms(day), day_start_ms(day + 1));
        let rows = sqlx::query(
            "SELECT out_trade_no, transaction_id, total_fee, paid_at FROM orders WHERE paid_at >= $1 AND paid_at < $2 \
             ORDER BY paid_at, out_trade_no LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(MAX_DAY_ROWS + 1)
        .fetch_all(self.db.pool())
        .await?;
        let mut payments = rows
            .iter()
            .map(|r| {
                Ok(PaidRow {
                    out_trade_no: r.try_get("out_trade_no")?,
                    transaction_id: r.try_get("transaction_id")?,
                    total_fee: money::fen(r, "total_fee")?,
                    paid_at: r.try_get("paid_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT out_refund_no, out_trade_no, refund_fee, finished_at FROM refunds WHERE status = 'SUCCESS' \
             AND finished_at >= $1 AND finished_at < $2 ORDER BY finished_at, out_refund_no LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(MAX_DAY_ROWS + 1)
        .fetch_all(self.db.pool())
        .await?;
        let mut refunds = rows
            .iter()
            .map(|r| {
                Ok(RefundedRow {
                    out_refund_no: r.try_get("out_refund_no")?,
                    out_trade_no: r.try_get("out_trade_no")?,
                    refund_fee: money::fen(r, "refund_fee")?,
                    finished_at: r.try_get("finished_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let truncated = payments.len() as i64 > MAX_DAY_ROWS || refunds.len() as i64 > MAX_DAY_ROWS;
        payments.truncate(MAX_DAY_ROWS as usize);
        refunds.truncate(MAX_DAY_ROWS as usize);
        Ok(DayRows { payments, refunds, truncated })
    }
}
