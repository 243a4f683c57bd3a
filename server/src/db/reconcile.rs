//! Our side of a day's reconciliation with WeChat's bill: the payments WeChat timed on that
//! day (`time_end`, WeChat's own Beijing-time clock, so the same day the bill lists them on) and
//! the refunds we sent that day.

use sqlx::Row;

use super::refunds::{self, Refund};
use super::Db;
use crate::clock::{day_compact, day_start_ms};
use crate::error::Result;

/// A payment as we recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OurPayment {
    /// 商户订单号.
    pub out_trade_no: String,
    /// 微信支付单号.
    pub transaction_id: Option<String>,
    /// Fen.
    pub total_fee: wxpay::Fen,
    /// NOTPAY, PAID, CLOSED.
    pub status: String,
}

/// The refunds sent to WeChat that may be on a bill: every state but never sent.
const SENT_STATES: &str = "('APPROVED', 'PROCESSING', 'SUCCESS', 'CHANGE', 'CLOSED')";

/// Our side of a day's bill.
#[derive(Clone, Copy)]
pub struct Bill<'a> {
    pub(super) db: &'a Db,
}

impl Bill<'_> {
    /// Payments whose `time_end` falls on the Beijing-time day `day`, and refunds sent that day.
    ///
    /// # Errors
    /// Database errors.
    pub async fn day_ours(self, day: i64) -> Result<(Vec<OurPayment>, Vec<Refund>)> {
        let d = day_compact(day);
        let rows = sqlx::query(
            "SELECT out_trade_no, transaction_id, total_fee, status FROM orders WHERE time_end >= $1 AND time_end <= $2 \
             ORDER BY time_end, out_trade_no",
        )
        .bind(format!("{d}000000"))
        .bind(format!("{d}235959"))
        .fetch_all(self.db.pool())
        .await?;
        let payments = rows.iter().map(payment_from).collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(&format!(
            "SELECT {} FROM refunds WHERE sent_at >= $1 AND sent_at < $2 AND status IN {SENT_STATES} ORDER BY sent_at, out_refund_no",
            refunds::COLUMNS
        ))
        .bind(day_start_ms(day))
        .bind(day_start_ms(day + 1))
        .fetch_all(self.db.pool())
        .await?;
        let refunds = rows.iter().map(refunds::from_row).collect::<Result<Vec<_>>>()?;
        Ok((payments, refunds))
    }

    /// One order as a payment (any state), for a bill row not among the day's.
    ///
    /// # Errors
    /// Database errors.
    pub async fn payment(self, out_trade_no: &str) -> Result<Option<OurPayment>> {
        let row = sqlx::query("SELECT out_trade_no, transaction_id, total_fee, status FROM orders WHERE out_trade_no = $1")
            .bind(out_trade_no)
            .fetch_optional(self.db.pool())
            .await?;
        row.as_ref().map(payment_from).transpose()
    }
}

fn payment_from(r: &sqlx::any::AnyRow) -> Result<OurPayment> {
    Ok(OurPayment {
        out_trade_no: r.try_get("out_trade_no")?,
        transaction_id: r.try_get("transaction_id")?,
        total_fee: super::money::fen(r, "total_fee")?,
        status: r.try_get("status")?,
    })
}
