//! What a notify from WeChat does to our state, once the HTTP layer has bounded and screened its
//! bytes (`http::notify`): the payment notify moves an order to PAID, the refund notify moves a
//! refund to its final state (or CHANGE). Each is verified by the core, checked against what we
//! stored, and applied with one conditional move; the answer says what to tell WeChat.

use crate::db::orders::PaidOutcome;
use crate::db::refunds::{FinishOutcome, RefundResult, RefundState};
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

/// Applies a payment notify: the core's verification (XML shape, return_code, signature, appid,
/// mch_id, fields), then the order (exists, sign type, amount, payer), then the one conditional
/// move to PAID. [`Answer::Success`] only after that commit, or for an already-applied duplicate
/// or a failed payment (nothing to record).
pub async fn payment(state: &AppState, bytes: &[u8]) -> Answer {
    let merchant = &state.settings.merchant;
    let notify = match merchant.verify_payment_notify(bytes) {
        Ok(n) => n,
        Err(e) => return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code())),
    };
    let no = notify.out_trade_no.as_str();
    if !notify.is_success() {
        // A failed payment changes nothing here; acknowledge so WeChat stops resending it.
        tracing::info!(out_trade_no = %no, err_code = ?notify.err_code, "payment notify reports a failed payment");
        return Answer::Success;
    }
    let order = match state.db.order(no).await {
        Ok(Some(o)) => o,
        Ok(None) => return Answer::refused(Refusal::Unknown, "unknown out_trade_no"),
        Err(e) => {
            tracing::error!(error = %e, "database error in notify");
            return Answer::Unavailable;
        }
    };
    // Pinned to the order's sign type: an HMAC-SHA256 order's notify must be HMAC-SHA256 (the
    // core would accept MD5 by the signature's length), and an MD5 order's MD5.
    if notify.sign_type != order.sign_type {
        return Answer::refused(
            Refusal::Invalid,
            &format!("signed with {} but the order uses {}", notify.sign_type.as_str(), order.sign_type),
        );
    }
    if let Err(e) = notify.check_amount(order.total_fee) {
        tracing::error!(out_trade_no = %no, error = %e, "payment notify amount differs from the order");
        return Answer::refused(Refusal::Invalid, "total_fee does not match the order");
    }
    if notify.openid != order.openid {
        return Answer::refused(Refusal::Invalid, "openid does not match the order");
    }
    let raw = String::from_utf8_lossy(bytes);
    let now = state.clock.now_ms();
    match state.db.mark_paid(no, &notify.transaction_id, &notify.time_end, now, "wechat:notify", &raw).await {
        Ok(PaidOutcome::Applied { from, oversold }) => {
            crate::payments::log_paid(no, &notify.transaction_id, from, oversold);
            Answer::Success
        }
        Ok(PaidOutcome::AlreadyPaid { same_transaction: true }) => Answer::Success,
        Ok(PaidOutcome::AlreadyPaid { same_transaction: false }) => {
            tracing::error!(out_trade_no = %no, transaction_id = %notify.transaction_id, "second transaction for a paid order");
            Answer::refused(Refusal::Conflict, "order already paid by another transaction")
        }
        Ok(PaidOutcome::NotFound) => Answer::refused(Refusal::Unknown, "unknown out_trade_no"),
        Err(e) => {
            tracing::error!(out_trade_no = %no, error = %e, "could not record the payment");
            Answer::Unavailable
        }
    }
}

/// Applies a refund notify: the outer message (return_code, appid, mch_id), `req_info`
/// decrypted with the API key, the refund's order, amounts and ids, then the one conditional
/// move to the reported state. [`Answer::Success`] only after that commit, or for a duplicate
/// or a stale CHANGE.
pub async fn refund(state: &AppState, bytes: &[u8]) -> Answer {
    // return_code, appid and mch_id of the outer message, then req_info (a wrong key, a cut or
    // altered ciphertext all fail here).
    let n = match state.settings.merchant.decrypt_refund_notify(bytes) {
        Ok(n) => n,
        Err(e) => return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code())),
    };
    let no = n.out_refund_no.as_str();
    let r = match state.db.refund(no).await {
        Ok(Some(r)) => r,
        Ok(None) => return Answer::refused(Refusal::Unknown, "unknown out_refund_no"),
        Err(e) => {
            tracing::error!(error = %e, "database error in refund notify");
            return Answer::Unavailable;
        }
    };
    if r.out_trade_no != n.out_trade_no || r.refund_fee != n.refund_fee || r.total_fee != n.total_fee {
        tracing::error!(out_refund_no = %no, "refund notify differs from the refund (order or amounts)");
        return Answer::refused(Refusal::Invalid, "order or amounts do not match the refund");
    }
    // The ids we know must be the ones it names: WeChat's refund_id once it accepted the call,
    // and the payment's transaction_id.
    if r.refund_id.as_deref().is_some_and(|id| id != n.refund_id) {
        tracing::error!(out_refund_no = %no, ours = ?r.refund_id, notify = %n.refund_id, "refund notify names another refund_id");
        return Answer::refused(Refusal::Invalid, "refund_id does not match the refund");
    }
    match state.db.order(&r.out_trade_no).await {
        Ok(Some(o)) if o.transaction_id.as_deref().is_some_and(|t| t != n.transaction_id) => {
            tracing::error!(out_refund_no = %no, ours = ?o.transaction_id, notify = %n.transaction_id, "refund notify names another transaction_id");
            return Answer::refused(Refusal::Invalid, "transaction_id does not match the order");
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "database error in refund notify");
            return Answer::Unavailable;
        }
    }
    let status = match n.refund_status {
        wxpay::RefundNotifyStatus::Success => RefundState::Success,
        wxpay::RefundNotifyStatus::Change => RefundState::Change,
        wxpay::RefundNotifyStatus::Refundclose => RefundState::Closed,
    };
    let result = RefundResult {
        status,
        refund_id: &n.refund_id,
        settlement_refund_fee: n.settlement_refund_fee,
        success_time: n.success_time.as_deref(),
        recv_account: n.refund_recv_accout.as_deref(),
    };
    let detail = format!(
        "refund notify: refund_status={} refund_id={} refund_fee={} settlement_refund_fee={}; body: {}",
        status.as_str(),
        n.refund_id,
        n.refund_fee.get(),
        n.settlement_refund_fee.map(|f| f.get()).unwrap_or(0),
        String::from_utf8_lossy(bytes)
    );
    match state.db.finish_refund(no, &result, state.clock.now_ms(), "wechat:refund-notify", &detail).await {
        Ok(FinishOutcome::Applied { from }) => {
            tracing::info!(out_refund_no = %no, from = from.as_str(), to = status.as_str(), "refund finished");
            Answer::Success
        }
        // A duplicate of what is stored.
        Ok(FinishOutcome::Unmoved(s)) if s == status => Answer::Success,
        // A late CHANGE after the refund went on to its final state: stale, nothing to do.
        Ok(FinishOutcome::Unmoved(s)) if status == RefundState::Change && s.is_final() && s != RefundState::Rejected => {
            tracing::info!(out_refund_no = %no, stored = s.as_str(), "late CHANGE notify for a finished refund");
            Answer::Success
        }
        Ok(FinishOutcome::Unmoved(s)) if matches!(s, RefundState::Requested | RefundState::Rejected) => {
            tracing::error!(out_refund_no = %no, stored = s.as_str(), "refund notify for a refund never sent");
            Answer::refused(Refusal::Conflict, "refund was not sent")
        }
        Ok(FinishOutcome::Unmoved(s)) => {
            tracing::error!(out_refund_no = %no, stored = s.as_str(), reported = status.as_str(), "refund notify contradicts the stored result");
            Answer::refused(Refusal::Conflict, "refund already finished with another result")
        }
        Ok(FinishOutcome::NotFound) => Answer::refused(Refusal::Unknown, "unknown out_refund_no"),
        Err(e) => {
            tracing::error!(out_refund_no = %no, error = %e, "could not record the refund result");
            Answer::Unavailable
        }
    }
}
