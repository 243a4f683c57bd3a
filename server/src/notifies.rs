//! What a notify from WeChat does to our state, once the HTTP layer has bounded and screened its
//! bytes (`http::notify`): the payment notify moves an order to PAID, the refund notify moves a
//! refund to its final state (or CHANGE). Each is verified by the core, checked against what we
//! stored, and applied with one conditional move; the answer says what to tell WeChat.

use wxpay::acceptance::{Mismatch, PaymentReport, PaymentVerdict, RefundReport, RefundVerdict};
use wxpay::Fen;

use crate::acceptance;
use crate::db::orders::PaidOutcome;
use crate::db::refunds::{FinishOutcome, RefundResult, RefundState};
use crate::error::Error;
use crate::AppState;

/// What to tell WeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// SUCCESS: recorded and committed, already recorded, or nothing to record.
    Success,
    /// FAIL for good: nothing changed (WeChat resends; the reason goes to the log).
    Refused {
        /// Which kind of refusal.
        kind: Refusal,
        /// Why, for the log (never for the network).
        reason: String,
    },
    /// FAIL for now: the state could not be read or written (WeChat resends later).
    Unavailable,
}

/// The kinds of refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The message does not verify or does not match what we stored.
    Invalid,
    /// No such order or refund.
    Unknown,
    /// It contradicts what is recorded (another transaction, another result).
    Conflict,
}

impl Answer {
    fn refused(kind: Refusal, reason: &str) -> Answer {
        Answer::Refused { kind, reason: reason.to_owned() }
    }
}

/// The kind of refusal a mismatch is.
fn refusal(m: Mismatch) -> Answer {
    let kind = match m {
        Mismatch::UnknownOrder => Refusal::Unknown,
        Mismatch::OtherTransaction | Mismatch::Conflict { .. } | Mismatch::NotSent => Refusal::Conflict,
        _ => Refusal::Invalid,
    };
    Answer::Refused { kind, reason: format!("{}: {m}", m.code()) }
}

/// Applies a payment notify: the core's verification (XML shape, return_code, signature, appid,
/// mch_id, fields), then the core's acceptance rule against the stored order (sign type,
/// amount, payer, transaction), then the one conditional move to PAID. [`Answer::Success`]
/// only after that commit, or for an already-applied duplicate or a failed payment (nothing to
/// record).
pub async fn payment(state: &AppState, bytes: &[u8]) -> Answer {
    let merchant = &state.settings.merchant;
    let notify = match merchant.verify_payment_notify(bytes) {
        Ok(n) => n,
        Err(e) => return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code())),
    };
    let no = notify.out_trade_no.as_str();
    let order = match state.db.orders().get(no).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "database error in notify");
            return Answer::Unavailable;
        }
    };
    match acceptance::payment(order.as_ref(), &PaymentReport::from(&notify)) {
        PaymentVerdict::NothingToRecord => {
            // A failed payment changes nothing here; acknowledge so WeChat stops resending it.
            tracing::info!(out_trade_no = %no, err_code = ?notify.err_code, "payment notify reports a failed payment");
            Answer::Success
        }
        PaymentVerdict::AlreadyRecorded => Answer::Success,
        PaymentVerdict::Refuse(m) => {
            tracing::error!(out_trade_no = %no, mismatch = m.code(), "payment notify does not belong to the order: {m}");
            refusal(m)
        }
        PaymentVerdict::Record { .. } => {
            let raw = String::from_utf8_lossy(bytes);
            let now = state.clock.now_ms();
            match state.db.orders().mark_paid(no, &notify.transaction_id, &notify.time_end, now, "wechat:notify", &raw).await {
                Ok(PaidOutcome::Applied { from, oversold }) => {
                    crate::payments::log_paid(no, &notify.transaction_id, from, oversold);
                    Answer::Success
                }
                // Moved meanwhile by a duplicate or by orderquery: the same payment, or not.
                Ok(PaidOutcome::AlreadyPaid { same_transaction: true }) => Answer::Success,
                Ok(PaidOutcome::AlreadyPaid { same_transaction: false }) => refusal(Mismatch::OtherTransaction),
                Ok(PaidOutcome::NotFound) => refusal(Mismatch::UnknownOrder),
                Err(e) => {
                    tracing::error!(out_trade_no = %no, error = %e, "could not record the payment");
                    Answer::Unavailable
                }
            }
        }
    }
}

/// Applies a refund notify: the outer message (return_code, appid, mch_id), `req_info`
/// decrypted with the API key, then the core's acceptance rule against the stored refund and
/// its order (amounts, ids, where the refund is), then the one conditional move to the reported
/// state. A refund we never started (made by hand on 商户平台) is recorded for a person.
/// [`Answer::Success`] only after that commit, or for a duplicate or a stale report.
pub async fn refund(state: &AppState, bytes: &[u8]) -> Answer {
    // return_code, appid and mch_id of the outer message, then req_info (a wrong key, a cut or
    // altered ciphertext all fail here).
    let n = match state.settings.merchant.decrypt_refund_notify(bytes) {
        Ok(n) => n,
        Err(e) => return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code())),
    };
    let report = RefundReport::from(&n);
    let detail = format!(
        "refund notify: refund_status={} refund_id={} refund_fee={} settlement_refund_fee={}; body: {}",
        RefundState::reported(report.status).as_str(),
        n.refund_id,
        n.refund_fee,
        n.settlement_refund_fee.unwrap_or(Fen::ZERO),
        String::from_utf8_lossy(bytes)
    );
    let result = |status| RefundResult {
        status,
        refund_id: &n.refund_id,
        settlement_refund_fee: n.settlement_refund_fee,
        success_time: n.success_time.as_deref(),
        recv_account: n.refund_recv_accout.as_deref(),
    };
    // A move another writer made between the read and the write is judged again, once.
    for _ in 0..2 {
        let stored = match stored_refund(state, &n.out_refund_no).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "database error in refund notify");
                return Answer::Unavailable;
            }
        };
        let no = n.out_refund_no.as_str();
        let verdict = acceptance::refund(stored.as_ref().map(|(r, t)| (r, t.as_deref())), &report);
        let now = state.clock.now_ms();
        match verdict {
            RefundVerdict::AlreadyRecorded => return Answer::Success,
            RefundVerdict::Stale => {
                tracing::info!(out_refund_no = %no, reported = report.status.as_str(), "late refund notify for a refund that went on");
                return Answer::Success;
            }
            RefundVerdict::Refuse(m) => {
                tracing::error!(out_refund_no = %no, mismatch = m.code(), "refund notify does not belong to the refund: {m}");
                return refusal(m);
            }
            RefundVerdict::RecordUnknown => {
                let status = RefundState::reported(report.status);
                match state.db.refunds().record_outside(&report, &result(status), now, "wechat:refund-notify", &detail).await {
                    Ok(recorded) => {
                        tracing::warn!(out_refund_no = %no, out_trade_no = %n.out_trade_no, refund_fee = %n.refund_fee, status = status.as_str(), recorded,
                            "refund notify for a refund this server did not start (made on 商户平台?): recorded for a person");
                        return Answer::Success;
                    }
                    // Recorded meanwhile by a duplicate: judged again.
                    Err(Error::Conflict(_)) => continue,
                    Err(e) => {
                        tracing::error!(out_refund_no = %no, error = %e, "could not record the refund");
                        return Answer::Unavailable;
                    }
                }
            }
            RefundVerdict::Record(reported) => {
                let status = RefundState::reported(reported);
                match state.db.refunds().finish(no, &result(status), now, "wechat:refund-notify", &detail).await {
                    Ok(FinishOutcome::Applied { from }) => {
                        tracing::info!(out_refund_no = %no, from = from.as_str(), to = status.as_str(), "refund finished");
                        return Answer::Success;
                    }
                    Ok(FinishOutcome::Unmoved(_) | FinishOutcome::NotFound) => continue,
                    Err(e) => {
                        tracing::error!(out_refund_no = %no, error = %e, "could not record the refund result");
                        return Answer::Unavailable;
                    }
                }
            }
        }
    }
    Answer::Unavailable
}

/// The refund and its order's transaction id, if we have the refund.
async fn stored_refund(state: &AppState, no: &str) -> crate::Result<Option<(crate::db::refunds::Refund, Option<String>)>> {
    let Some(r) = state.db.refunds().get(no).await? else { return Ok(None) };
    let txn = state.db.orders().get(&r.out_trade_no).await?.and_then(|o| o.transaction_id);
    Ok(Some((r, txn)))
}
