//! What a notify from WeChat does to our state, once the HTTP layer has bounded and screened its
//! bytes (`http::notify`): the payment notify moves an order to PAID, the refund notify moves a
//! refund to its final state (or CHANGE). Each is verified by the core, checked against what we
//! stored, and applied with one conditional move; the answer says what to tell WeChat.
//!
//! API v2's notifies (signed XML; the refund's `req_info` encrypted with the API key) and v3's
//! (JSON signed by WeChat's key, the resource encrypted with the APIv3 key; [`v3`]) are verified
//! their own way, then applied by the same two functions.

use wxpay::acceptance::{Mismatch, PaymentReport, PaymentVerdict, RefundReport, RefundVerdict};
use wxpay::Fen;

use crate::acceptance;
use crate::db::orders::{PaidOutcome, PaidRecord};
use crate::db::refunds::{FinishOutcome, RefundResult, RefundState};
use crate::db::{Judge, PaymentApplied};
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
    /// One of WeChat's deliberate bad-signature probes (`WECHATPAY/SIGNTEST/`), refused: a
    /// merchant that accepted it would accept anything. Logged quietly.
    Probe,
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
    let Some(merchant) = v2_merchant(state) else { return Answer::Unavailable };
    let notify = match merchant.verify_payment_notify(bytes) {
        Ok(n) => n,
        Err(e) => return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code())),
    };
    if !notify.is_success() {
        // A failed payment changes nothing here; acknowledge so WeChat stops resending it.
        tracing::info!(out_trade_no = %notify.out_trade_no, err_code = ?notify.err_code, "payment notify reports a failed payment");
    }
    let raw = String::from_utf8_lossy(bytes);
    apply_payment(state, &PaymentReport::from(&notify), &notify.time_end, "wechat:notify", &raw).await
}

/// The v2 merchant, or `None` (logged) when the v2 settings are not given: a v2 notify then waits
/// (FAIL for now) until they are, rather than being lost.
fn v2_merchant(state: &AppState) -> Option<&wxpay::Merchant> {
    let m = state.settings.v2.as_ref();
    if m.is_none() {
        tracing::error!("an API v2 notify arrived, but WXPAY_API_KEY is not given: not applied (WeChat resends it)");
    }
    m
}

/// Applies a verified payment report: the core's acceptance rule against the stored order, then
/// the one conditional move to PAID, recorded with `detail`. The read, the rule and the write
/// are one transaction of the payment writer, shared with the payments that arrive beside it.
async fn apply_payment(state: &AppState, report: &PaymentReport<'_>, time_end: &str, actor: &str, detail: &str) -> Answer {
    let no = report.out_trade_no;
    let txn = report.transaction_id.unwrap_or_default();
    let record = PaidRecord {
        no: no.into(),
        transaction_id: txn.into(),
        time_end: time_end.into(),
        now: state.clock.now_ms(),
        actor: actor.into(),
        detail: detail.into(),
    };
    let owned = OwnedReport::of(report);
    let judge: Judge = Box::new(move |order| acceptance::payment(order, &owned.report()));
    match state.db.orders().judge_and_mark_paid(record, judge).await {
        Ok(PaymentApplied::Judged(PaymentVerdict::NothingToRecord | PaymentVerdict::AlreadyRecorded)) => Answer::Success,
        Ok(PaymentApplied::Judged(PaymentVerdict::Refuse(m))) => {
            tracing::error!(out_trade_no = %no, mismatch = m.code(), "payment notify does not belong to the order: {m}");
            refusal(m)
        }
        Ok(PaymentApplied::Paid(PaidOutcome::Applied { from, oversold })) => {
            crate::payments::log_paid(no, txn, from, oversold);
            Answer::Success
        }
        // Moved meanwhile by a duplicate or by orderquery: the same payment, or not.
        Ok(PaymentApplied::Paid(PaidOutcome::AlreadyPaid { same_transaction: true })) => Answer::Success,
        Ok(PaymentApplied::Paid(PaidOutcome::AlreadyPaid { same_transaction: false })) => refusal(Mismatch::OtherTransaction),
        Ok(PaymentApplied::Paid(PaidOutcome::NotFound)) => refusal(Mismatch::UnknownOrder),
        Ok(PaymentApplied::Judged(v @ PaymentVerdict::Record { .. })) => {
            tracing::error!(out_trade_no = %no, verdict = ?v, "the payment writer judged a payment to record and did not write it");
            Answer::Unavailable
        }
        Err(e) => {
            tracing::error!(out_trade_no = %no, error = %e, "could not record the payment");
            Answer::Unavailable
        }
    }
}

/// A payment report that owns its text, for the payment writer's rule.
struct OwnedReport {
    out_trade_no: String,
    paid: bool,
    transaction_id: Option<String>,
    total_fee: Option<Fen>,
    openid: Option<String>,
    sign_type: Option<wxpay::SignType>,
}

impl OwnedReport {
    fn of(r: &PaymentReport<'_>) -> OwnedReport {
        OwnedReport {
            out_trade_no: r.out_trade_no.into(),
            paid: r.paid,
            transaction_id: r.transaction_id.map(Into::into),
            total_fee: r.total_fee,
            openid: r.openid.map(Into::into),
            sign_type: r.sign_type,
        }
    }

    fn report(&self) -> PaymentReport<'_> {
        PaymentReport {
            out_trade_no: &self.out_trade_no,
            paid: self.paid,
            transaction_id: self.transaction_id.as_deref(),
            total_fee: self.total_fee,
            openid: self.openid.as_deref(),
            sign_type: self.sign_type,
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
    let Some(merchant) = v2_merchant(state) else { return Answer::Unavailable };
    let n = match merchant.decrypt_refund_notify(bytes) {
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
    let result = RefundResult {
        status: RefundState::reported(report.status),
        refund_id: &n.refund_id,
        settlement_refund_fee: n.settlement_refund_fee,
        success_time: n.success_time.as_deref(),
        recv_account: n.refund_recv_accout.as_deref(),
    };
    apply_refund(state, &report, &result, "wechat:refund-notify", &detail).await
}

/// Applies a verified refund report: the core's acceptance rule against the stored refund and
/// its order, then the one conditional move to the reported state (`result`), recorded with
/// `detail`; a refund we never started is recorded for a person.
async fn apply_refund(state: &AppState, report: &RefundReport<'_>, result: &RefundResult<'_>, actor: &str, detail: &str) -> Answer {
    let result = |status| RefundResult { status, ..*result };
    // A move another writer made between the read and the write is judged again, once.
    for _ in 0..2 {
        let stored = match stored_refund(state, report.out_refund_no).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "database error in refund notify");
                return Answer::Unavailable;
            }
        };
        let no = report.out_refund_no;
        let verdict = acceptance::refund(stored.as_ref().map(|(r, t)| (r, t.as_deref())), report);
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
                match state.db.refunds().record_outside(report, &result(status), now, actor, detail).await {
                    Ok(recorded) => {
                        tracing::warn!(out_refund_no = %no, out_trade_no = %report.out_trade_no, refund_fee = %report.refund_fee, status = status.as_str(), recorded,
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
                match state.db.refunds().finish(no, &result(status), now, actor, detail).await {
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

/// Applies an API v3 notify (payments and refunds alike, one URL): verified over the raw bytes
/// with WeChat's keys (the signature, `Wechatpay-Serial`'s key, the timestamp within five
/// minutes), then decrypted with the APIv3 key, then the appid and mchid checked, then applied as
/// v2's are. A probe (`WECHATPAY/SIGNTEST/`) is refused, quietly. A key the store does not hold
/// is handed to the core's rule for unknown serials (read the shared store again, or download
/// the certificates at most once an interval), then the notify is verified again.
pub async fn v3(state: &AppState, headers: &wxpay::v3::SignatureHeaders, bytes: &[u8]) -> Answer {
    let Ok(v3) = state.settings.v3() else {
        tracing::error!("an API v3 notify arrived, but the v3 settings are not given: not applied (WeChat resends it)");
        return Answer::Unavailable;
    };
    let open = |keys: &wxpay::v3::KeyStore| keys.key_set().open_notification(&v3.api_v3_key, headers, bytes, state.clock.now_secs() as u64);
    let Ok(keys) = state.upstream.v3_keys() else { return Answer::Unavailable };
    let opened = match open(&keys) {
        Err(wxpay::Error::UnknownSerial(_)) => match crate::wechat_keys::on_unknown_serial(state, &headers.serial).await {
            Ok(()) => match state.upstream.v3_keys() {
                Ok(keys) => open(&keys),
                Err(_) => return Answer::Unavailable,
            },
            Err(e) => {
                tracing::warn!(error = %e, "v3 notify signed by a key not held, and the key store could not be refreshed");
                return Answer::Unavailable;
            }
        },
        other => other,
    };
    let n = match opened {
        Ok(n) => n,
        Err(wxpay::Error::SignatureProbe) => return Answer::Probe,
        Err(e) => return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code())),
    };
    let (appid, mchid) = (&state.settings.appid, &state.settings.mch_id);
    match n.event {
        wxpay::v3::NotifyEvent::Payment(t) => {
            if let Err(e) = t.check_identity(appid, mchid) {
                return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code()));
            }
            if !t.is_success() {
                tracing::info!(out_trade_no = %t.out_trade_no, trade_state = %t.trade_state, "v3 payment notify reports no payment");
            }
            let detail = format!("v3 notify {} {}: {}", n.id, n.event_type, serde_json::to_string(&t).unwrap_or_default());
            let time_end = t.success_time.as_deref().map(crate::clock::beijing14_of_rfc3339).unwrap_or_default();
            apply_payment(state, &PaymentReport::from(&t), &time_end, "wechat:notify", &detail).await
        }
        wxpay::v3::NotifyEvent::Refund(r) => {
            if r.mchid != *mchid {
                return Answer::refused(Refusal::Invalid, "MCH_ID_MISMATCH: the refund notify is for another merchant");
            }
            let report = match RefundReport::from_v3_notice(&r) {
                Ok(report) => report,
                Err(e) => return Answer::refused(Refusal::Invalid, &format!("{}: {e}", e.code())),
            };
            let detail = format!("v3 notify {} {}: {}", n.id, n.event_type, serde_json::to_string(&r).unwrap_or_default());
            let success_time = r.success_time.as_deref().map(crate::clock::display_of_rfc3339);
            let result = RefundResult {
                status: RefundState::reported(report.status),
                refund_id: &r.refund_id,
                settlement_refund_fee: r.amount.settlement_refund,
                success_time: success_time.as_deref(),
                recv_account: r.user_received_account.as_deref(),
            };
            apply_refund(state, &report, &result, "wechat:refund-notify", &detail).await
        }
    }
}
