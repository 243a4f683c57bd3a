//! The refund logic shared by the HTTP handlers, the refund notify and the reconciler:
//! approving (the `secapi/pay/refund` call), rejecting, visiting a refund in flight
//! (refundquery, or the call again), and what each answer means.
//!
//! The refund call is always built from the stored refund (same `out_refund_no`, amounts,
//! reason and notify URL), so a retry — after a timeout, `SYSTEMERROR`, a restart or on
//! another instance — is the same request and WeChat makes one refund. Only the holder of the
//! refund's claim calls WeChat about it (see `db::claims`). Outcomes:
//! - accepted → PROCESSING (the result comes by notify or refundquery);
//! - refused for good ([`Verdict::NotRefunded`]) → back to REQUESTED with `last_error`, so it can
//!   be approved again later or rejected; likewise a refund that cannot even be encoded, if no
//!   request for it ever left;
//! - unknown ([`Verdict::Unknown`]) → stays APPROVED with `last_error`; the reconciler asks
//!   refundquery, and sends the same request again only if WeChat does not know the refund.
//!
//! A refund speaks its order's API: v2's `secapi/pay/refund` (with the client certificate) and
//! refundquery, or v3's refunds and refund query (no client certificate; its result comes by the
//! v3 notify, `REFUND.ABNORMAL` being v2's CHANGE).

use std::time::Duration;

use wxpay::acceptance::{RefundReport, RefundReportStatus, RefundVerdict};
use wxpay::codes::{Call, CallOutcome};
use wxpay::{Fen, RefundQuery, RefundQueryResponse, RefundRef, RefundResponse, TradeRef};

use crate::api::ApiVersion;
use crate::db::claims::Visit;
use crate::db::refunds::{FinishOutcome, Mover, NewRefund, Refund, RefundResult, RefundState, Requester};
use crate::db::Moved;
use crate::error::{Error, Result};
use crate::AppState;

/// The refund request of a stored refund (identical on every attempt but for the nonce).
pub fn refund_request(state: &AppState, r: &Refund) -> wxpay::Refund {
    wxpay::Refund {
        trade: TradeRef::OutTradeNo(r.out_trade_no.clone()),
        out_refund_no: r.out_refund_no.clone(),
        total_fee: r.total_fee,
        refund_fee: r.refund_fee,
        refund_desc: Some(r.reason.clone()).filter(|d| !d.is_empty()),
        notify_url: Some(state.settings.refund_notify_url()),
        refund_account: None,
    }
}

/// The v3 refund request of a stored refund (identical on every attempt but for the nonce).
pub fn refund_request_v3(state: &AppState, r: &Refund) -> wxpay::v3::RefundRequest {
    let mut q =
        wxpay::v3::RefundRequest::new(TradeRef::OutTradeNo(r.out_trade_no.clone()), r.out_refund_no.clone(), r.refund_fee, r.total_fee);
    q.reason = Some(r.reason.clone()).filter(|d| !d.is_empty());
    q.notify_url = Some(state.settings.v3_notify_url());
    q
}

/// `R` + `yyyyMMddHHmmss` + 10 random characters.
///
/// # Errors
/// The random source failed.
pub fn new_out_refund_no(now_secs: i64) -> Result<String> {
    Ok(format!("R{}{}", crate::clock::beijing14(now_secs), &wxpay::nonce_str()?[..10]))
}

/// How long a claim on a refund lasts: a visit makes at most two calls (refundquery, then the
/// refund call), each at most [`crate::Upstream::longest_call`], plus a margin. A holder stops
/// waiting for WeChat before its lease runs out, so a live holder is never taken over.
pub fn lease(state: &AppState) -> Duration {
    state.upstream.longest_call() * 2 + Duration::from_secs(30)
}

/// Not visited again before `now + backoff`: the reconciler's age threshold, doubled with every
/// consecutive failure, at most six hours.
pub fn backoff_ms(state: &AppState, failures_before: i64) -> i64 {
    let base = (state.settings.reconcile_after.as_millis() as i64).max(1_000);
    (base << failures_before.clamp(0, 20)).min(6 * 3600 * 1000)
}

/// What an error answer to the refund call means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// WeChat did not make the refund and will not: it may be asked again (after a person
    /// fixed the cause) or rejected.
    NotRefunded,
    /// WeChat may or may not have made it: ask refundquery, and resend the same request only if
    /// WeChat does not know it.
    Unknown,
}

/// What an error answer to the refund call in `api` means: WeChat's codes as the core classifies
/// them ([`wxpay::codes::outcome`], [`wxpay::codes::v3_outcome`]); network errors, timeouts and
/// anything from something in between are unknown. A refund only moves back on an answer that
/// says for sure nothing was refunded.
pub fn verdict(api: ApiVersion, e: &Error) -> Verdict {
    let outcome = match api {
        ApiVersion::V2 => wxpay::codes::outcome,
        ApiVersion::V3 => wxpay::codes::v3_outcome,
    };
    match e {
        Error::Upstream { code, .. } => match outcome(Call::Refund, code) {
            CallOutcome::NotDone => Verdict::NotRefunded,
            CallOutcome::Unknown => Verdict::Unknown,
        },
        _ => Verdict::Unknown,
    }
}

/// Approves a REQUESTED refund and makes the refund call. Of concurrent approvals only one
/// gets past the conditional update (which also claims the refund); the others get
/// [`Error::Conflict`].
///
/// # Errors
/// [`Error::NotFound`], [`Error::Conflict`], [`Error::Invalid`] (the refund cannot be encoded:
/// it is REQUESTED again), upstream errors (see the module docs).
pub async fn approve(state: &AppState, no: &str, actor: &str) -> Result<Refund> {
    let now = state.clock.now_ms();
    let until = now + lease(state).as_millis() as i64;
    let r = match state.db.refunds().approve(no, &state.instance, until, now, actor).await? {
        Moved::Applied(r) => r,
        Moved::ByOther { now: r } => {
            return Err(Error::Conflict(format!("refund is {}, only a REQUESTED refund can be approved", r.status.as_str())))
        }
        Moved::Missing => return Err(Error::NotFound("refund")),
    };
    tracing::info!(out_refund_no = %no, actor, "refund approved");
    // Detached: once the call may have left, its outcome is recorded even if the admin's
    // request goes away (a closed page, the request timeout).
    let (state, actor) = (state.clone(), actor.to_owned());
    tokio::spawn(async move { send_claimed(&state, &r, &actor).await })
        .await
        .map_err(|e| Error::Internal(format!("refund call task: {e}")))?
}

/// A payer asks for a refund of their PAID order: all that is left, or `refund_fee` (positive),
/// with `reason` (checked by the caller). Created REQUESTED for the merchant to review; the
/// amount is held from then on.
///
/// # Errors
/// [`Error::NotFound`] (no such order of theirs), [`Error::Conflict`] (not PAID, more than is
/// left), [`Error::Invalid`], database errors.
pub async fn request(state: &AppState, openid: &str, out_trade_no: &str, refund_fee: Option<Fen>, reason: &str) -> Result<Refund> {
    let now = state.clock.now_ms();
    let no = new_out_refund_no(now.div_euclid(1000))?;
    let actor = format!("user:{openid}");
    let by = Requester::Payer { openid };
    let new = NewRefund { out_refund_no: &no, out_trade_no, by, refund_fee, reason, key: None };
    let r = state.db.refunds().insert(&new, Some(state.settings.limits.pending_refund_requests), now, &actor).await?;
    tracing::info!(out_refund_no = %r.out_refund_no, %out_trade_no, refund_fee = %r.refund_fee, "refund requested");
    Ok(r)
}

/// What a merchant refund gave.
#[derive(Debug)]
pub enum MerchantRefund {
    /// Made now, and WeChat answered: accepted (PROCESSING) or already final.
    Made(Refund),
    /// Made now, but WeChat's answer is unknown (lost, timed out, SYSTEMERROR) or still awaited:
    /// the refund stays APPROVED and the reconciler finds out. Never to be made again.
    Pending(Refund),
    /// This Idempotency-Key already made this refund: it, as it is now.
    Existing(Refund),
}

impl MerchantRefund {
    /// The refund, whichever way.
    pub fn refund(self) -> Refund {
        match self {
            MerchantRefund::Made(r) | MerchantRefund::Pending(r) | MerchantRefund::Existing(r) => r,
        }
    }
}

/// A refund the merchant makes on its own initiative (full when `refund_fee` is `None`, else
/// partial), with `reason` (checked by the caller like a payer's): created APPROVED and claimed
/// in one transaction under the same limits as a payer's request, then sent exactly as an
/// approval sends it.
///
/// Once per `key` (the form submission's Idempotency-Key): the same key again, however the
/// first attempt ended, answers the refund it made ([`MerchantRefund::Existing`]) and never
/// mints a second `out_refund_no`. An unknown outcome is [`MerchantRefund::Pending`], not an
/// error: an error invites a retry, and the refund may have been made. The wait for WeChat is
/// bounded by `answer_within`; past it the call goes on detached and the refund is `Pending`.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Conflict`] (not PAID, more than is left), [`Error::HeldByRequests`],
/// [`Error::Invalid`] (also: this key was used for another refund), WeChat's definite refusal
/// (nothing refunded; the refund is REQUESTED again, to approve later or reject).
pub async fn merchant_refund(
    state: &AppState,
    out_trade_no: &str,
    refund_fee: Option<Fen>,
    reason: &str,
    key: Option<&str>,
    answer_within: Duration,
    actor: &str,
) -> Result<MerchantRefund> {
    if let Some(k) = key {
        if let Some(r) = state.db.refunds().by_key(out_trade_no, k).await? {
            return existing(r, refund_fee, reason);
        }
    }
    let now = state.clock.now_ms();
    let until = now + lease(state).as_millis() as i64;
    let no = new_out_refund_no(now.div_euclid(1000))?;
    let by = Requester::Merchant { owner: &state.instance, until };
    let new = NewRefund { out_refund_no: &no, out_trade_no, by, refund_fee, reason, key };
    let r = match state.db.refunds().insert(&new, None, now, actor).await {
        Ok(r) => r,
        // The same key raced in from another tab or instance: its refund is the answer.
        Err(e @ Error::Conflict(_)) => match key {
            Some(k) => match state.db.refunds().by_key(out_trade_no, k).await? {
                Some(r) => return existing(r, refund_fee, reason),
                None => return Err(e),
            },
            None => return Err(e),
        },
        Err(e) => return Err(e),
    };
    tracing::info!(out_refund_no = %no, %out_trade_no, refund_fee = %r.refund_fee, actor, "merchant refund created");
    let task = {
        let (state, actor, r) = (state.clone(), actor.to_owned(), r.clone());
        // Detached: once the call may have left, its outcome is recorded even if this request
        // goes away.
        tokio::spawn(async move { send_claimed(&state, &r, &actor).await })
    };
    let pending = || async { Ok(MerchantRefund::Pending(state.db.refunds().get(&no).await?.ok_or(Error::NotFound("refund"))?)) };
    match tokio::time::timeout(answer_within, task).await {
        Err(_) => pending().await,
        Ok(Err(e)) => Err(Error::Internal(format!("refund call task: {e}"))),
        Ok(Ok(Ok(r))) => Ok(MerchantRefund::Made(r)),
        Ok(Ok(Err(e))) if verdict(r.api, &e) == Verdict::Unknown && !matches!(e, Error::Invalid(_)) => pending().await,
        Ok(Ok(Err(e))) => Err(e),
    }
}

/// The refund a key made, if the request is the same one.
fn existing(r: Refund, refund_fee: Option<Fen>, reason: &str) -> Result<MerchantRefund> {
    if refund_fee.is_some_and(|f| f != r.refund_fee) || r.reason != reason {
        return Err(Error::Invalid("this Idempotency-Key was used for another refund".into()));
    }
    Ok(MerchantRefund::Existing(r))
}

/// Rejects every refund request of an order still waiting for the merchant (what blocks a
/// merchant refund, [`Error::HeldByRequests`]), with one reason for the payer. Returns those it
/// rejected; a request another person moved meanwhile is left as it is.
///
/// # Errors
/// Database errors.
pub async fn reject_pending(state: &AppState, out_trade_no: &str, actor: &str, reason: Option<&str>) -> Result<Vec<Refund>> {
    let mut rejected = Vec::new();
    for r in state.db.refunds().of_order(out_trade_no).await? {
        if r.status != RefundState::Requested {
            continue;
        }
        if let Moved::Applied(r) = state.db.refunds().reject(&r.out_refund_no, state.clock.now_ms(), actor, reason).await? {
            tracing::info!(out_refund_no = %r.out_refund_no, actor, "refund rejected (pending, in one step)");
            rejected.push(r);
        }
    }
    Ok(rejected)
}

/// Rejects a REQUESTED refund, with the merchant's reason for the payer if given (checked by
/// the caller).
///
/// # Errors
/// [`Error::NotFound`], [`Error::Conflict`], database errors.
pub async fn reject(state: &AppState, no: &str, actor: &str, reason: Option<&str>) -> Result<Refund> {
    match state.db.refunds().reject(no, state.clock.now_ms(), actor, reason).await? {
        Moved::Applied(r) => {
            tracing::info!(out_refund_no = %no, actor, "refund rejected");
            Ok(r)
        }
        Moved::ByOther { now: r } => {
            Err(Error::Conflict(format!("refund is {}, only a REQUESTED refund can be rejected", r.status.as_str())))
        }
        Moved::Missing => Err(Error::NotFound("refund")),
    }
}

/// Makes the refund call for an APPROVED refund if its claim can be had (now), and records the
/// outcome; otherwise answers the refund as it is.
///
/// # Errors
/// As [`approve`].
pub async fn send(state: &AppState, r: &Refund, actor: &str) -> Result<Refund> {
    let now = state.clock.now_ms();
    let claimed = match r.status {
        RefundState::Approved => {
            state.db.claims().refund(&r.out_refund_no, &state.instance, now + lease(state).as_millis() as i64, now).await?
        }
        _ => None,
    };
    let Some(r) = claimed else {
        return state.db.refunds().get(&r.out_refund_no).await?.ok_or(Error::NotFound("refund"));
    };
    if r.status != RefundState::Approved {
        let _ = state.db.claims().release(&r.out_refund_no, &state.instance, Visit::Unchanged { next: now }, now).await?;
        return Ok(r);
    }
    send_claimed(state, &r, actor).await
}

/// The refund call, by the holder of the refund's claim (this instance).
async fn send_claimed(state: &AppState, r: &Refund, actor: &str) -> Result<Refund> {
    let (no, owner) = (r.out_refund_no.as_str(), state.instance.as_str());
    let claimed_at = state.clock.now_ms();
    // Signed once: a retry within this call resends the same bytes.
    let prepared = match r.api {
        ApiVersion::V2 => state.upstream.prepare(&refund_request(state, r)).map(Prepared::V2),
        ApiVersion::V3 => state.upstream.sign_v3(&refund_request_v3(state, r)).map(Prepared::V3),
    };
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => return not_sendable(state, r, actor, &e).await,
    };
    // Stop waiting 10 s before the claim runs out (it may have been taken for a refundquery
    // first), so nobody takes over a live sender; with no time left, do not start.
    let left_ms = r.send_until.unwrap_or(claimed_at) - claimed_at - 10_000;
    if left_ms <= 0 {
        failed(state, r, "the claim ran out before the refund call could start", claimed_at).await?;
        return Err(Error::UpstreamUnavailable("no time left to call WeChat; the reconciler will try again".into()));
    }
    if !state.db.claims().mark_sent(no, owner, claimed_at).await? {
        tracing::info!(out_refund_no = %no, "refund no longer ours to send (moved on, or taken over)");
        return state.db.refunds().get(no).await?.ok_or(Error::NotFound("refund"));
    }
    let budget = Duration::from_millis(u64::try_from(left_ms).unwrap_or(0));
    let answer = match tokio::time::timeout(budget, prepared.send(state)).await {
        Ok(a) => a,
        Err(_) => Err(Error::UpstreamUnavailable("the refund call outlived its claim".into())),
    };
    let now = state.clock.now_ms();
    match answer {
        Ok(a) if a.out_refund_no == r.out_refund_no && a.refund_fee == r.refund_fee => {
            let detail = format!("refund: accepted, refund_id={} refund_fee={}", a.refund_id, a.refund_fee.get());
            match state.db.refunds().accepted(no, &a.refund_id, Mover::RefundAnswer, now, actor, &detail).await? {
                // The move ended the claim: the row it returns is the answer.
                Moved::Applied(r) => {
                    tracing::info!(out_refund_no = %no, refund_id = %a.refund_id, "refund accepted by WeChat");
                    Ok(r)
                }
                // A notify or refundquery already moved it on.
                _ => {
                    let _ = state.db.claims().release(no, owner, Visit::Unchanged { next: now }, now).await?;
                    tracing::info!(out_refund_no = %no, refund_id = %a.refund_id, "refund accepted by WeChat");
                    state.db.refunds().get(no).await?.ok_or(Error::NotFound("refund"))
                }
            }
        }
        Ok(a) => {
            let why = format!("BAD_RESPONSE: WeChat's answer names {} / {} fen", a.out_refund_no, a.refund_fee.get());
            tracing::error!(out_refund_no = %no, %why, "refund answer does not match the request");
            failed(state, r, &why, now).await?;
            Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: why })
        }
        Err(Error::Upstream { code, message })
            if verdict(r.api, &Error::Upstream { code: code.clone(), message: String::new() }) == Verdict::NotRefunded =>
        {
            let (code, message) = if code == "FAIL" && r.api == ApiVersion::V2 && !state.upstream.has_client_cert() {
                (
                    "CLIENT_CERT_REQUIRED".to_owned(),
                    format!(
                        "{message} (no merchant client certificate is configured: set WXPAY_CLIENT_CERT and WXPAY_CLIENT_KEY, or WXPAY_CLIENT_P12)"
                    ),
                )
            } else {
                (code, message)
            };
            let why = format!("{code}: {message}");
            tracing::warn!(out_refund_no = %no, %why, "WeChat refused the refund; it is REQUESTED again");
            state.db.refunds().call_failed(no, owner, Mover::RefundAnswer, &why, now, actor).await?;
            Err(Error::Upstream { code, message })
        }
        Err(e) => {
            tracing::warn!(out_refund_no = %no, error = %e, "refund call outcome unknown; stays APPROVED, refundquery will tell");
            failed(state, r, &e.to_string(), now).await?;
            Err(e)
        }
    }
}

/// A refund call signed once, in its refund's API.
enum Prepared {
    V2(crate::upstream::Prepared),
    V3(wxpay::v3::SignedRequest),
}

/// What WeChat's acceptance of a refund says, in either API.
struct Accepted {
    out_refund_no: String,
    refund_id: String,
    refund_fee: Fen,
}

impl Prepared {
    async fn send(&self, state: &AppState) -> Result<Accepted> {
        match self {
            Prepared::V2(p) => state.upstream.send::<RefundResponse>(p).await.map(|a| Accepted {
                out_refund_no: a.out_refund_no,
                refund_id: a.refund_id,
                refund_fee: a.refund_fee,
            }),
            Prepared::V3(signed) => state.upstream.send_read_v3::<wxpay::v3::RefundRequest>(signed).await.map(|a| Accepted {
                out_refund_no: a.out_refund_no,
                refund_id: a.refund_id,
                refund_fee: a.amount.refund,
            }),
        }
    }
}

/// The refund cannot be encoded (nothing was sent this time). Never sent before: a permanent
/// failure, back to REQUESTED where the merchant can reject it. Sent before (its content
/// cannot have changed, but a setting may have): it stays APPROVED and is surfaced, since only
/// WeChat's answer may move a sent refund back.
async fn not_sendable(state: &AppState, r: &Refund, actor: &str, e: &Error) -> Result<Refund> {
    let (no, now) = (r.out_refund_no.as_str(), state.clock.now_ms());
    let why = format!("NOT_SENDABLE: the refund cannot be sent to WeChat: {e}");
    tracing::error!(out_refund_no = %no, %why, "refund not sent");
    if r.sent_at.is_none() {
        state.db.refunds().call_failed(no, &state.instance, Mover::LocalFailure, &why, now, actor).await?;
        return Err(Error::Invalid(format!("{why}; it is REQUESTED again: reject it")));
    }
    failed(state, r, &why, now).await?;
    Err(Error::Internal(why))
}

/// Ends this instance's claim after a failed attempt, with back-off; logs once when the refund
/// starts needing a person.
async fn failed(state: &AppState, r: &Refund, why: &str, now: i64) -> Result<()> {
    let next = now + backoff_ms(state, r.failures);
    let visit = Visit::Failed { why, next };
    if let Some(n) = state.db.claims().release(&r.out_refund_no, &state.instance, visit, now).await? {
        if n == crate::db::SURFACE_AFTER_FAILURES {
            tracing::error!(out_refund_no = %r.out_refund_no, failures = n, last_error = why, "refund keeps failing; shown to the admin as needing action");
        }
    }
    Ok(())
}

/// Where an abnormal refund's money goes, as the merchant enters it. The card number and the
/// name are sent encrypted to WeChat's key, and are neither stored nor logged.
#[derive(Debug)]
pub enum AbnormalTarget {
    /// The payer's bank card: WeChat's bank code (`ICBC_DEBIT`…), the card number, the holder.
    UserBankCard {
        /// WeChat's bank code.
        bank_type: String,
        /// The card number.
        bank_account: wxpay::v3::SensitiveText,
        /// The card holder's real name.
        real_name: wxpay::v3::SensitiveText,
    },
    /// The merchant's own bank account.
    MerchantBankCard,
}

/// 发起异常退款: a v3 refund in CHANGE (`REFUND.ABNORMAL`, the payer's account could not take
/// the money) sent again to a bank card. WeChat processes it again and its refund notify (or the
/// query) ends it; until then it stays CHANGE, marked handled with what was done.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Conflict`] (not a v3 refund in CHANGE), [`Error::Invalid`]
/// (the card fields), upstream errors.
pub async fn apply_abnormal(state: &AppState, no: &str, target: AbnormalTarget, actor: &str) -> Result<Refund> {
    use wxpay::v3::AbnormalRefundRequest;
    let r = state.db.refunds().get(no).await?.ok_or(Error::NotFound("refund"))?;
    let refund_id = match (&r.api, r.status, &r.refund_id) {
        (ApiVersion::V3, RefundState::Change, Some(id)) => id.clone(),
        (ApiVersion::V2, ..) => {
            return Err(Error::Conflict("a v2 refund: its abnormal refund is made on the merchant platform (商户平台)".into()))
        }
        _ => return Err(Error::Conflict(format!("refund is {}: only a refund in CHANGE (退款异常) can be sent again", r.status.as_str()))),
    };
    let (request, kind) = match target {
        AbnormalTarget::UserBankCard { bank_type, bank_account, real_name } => {
            (AbnormalRefundRequest::user_bank_card(refund_id, no, bank_type, bank_account, real_name), "USER_BANK_CARD")
        }
        AbnormalTarget::MerchantBankCard => (AbnormalRefundRequest::merchant_bank_card(refund_id, no), "MERCHANT_BANK_CARD"),
    };
    request.validate().map_err(|e| Error::Invalid(e.to_string()))?;
    let keys = state.upstream.v3_keys()?;
    let encrypted = request.encrypt(keys.key_set(), state.clock.now_secs() as u64)?;
    let answer = state.upstream.call_v3(&encrypted).await?;
    let note = format!("abnormal refund sent again ({kind}); WeChat answered {}", answer.status);
    tracing::info!(out_refund_no = %no, kind, status = %answer.status, "abnormal refund sent again");
    state.db.refunds().handled_offline(no, &note, state.clock.now_ms(), actor).await
}

/// What a visit of the reconciler did to a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visited {
    /// Another instance holds it.
    Skipped,
    /// Nothing new.
    Unchanged,
    /// It moved to this state.
    Moved(RefundState),
}

/// A reconciler visit of a refund in flight (APPROVED, PROCESSING, CHANGE), under its claim:
/// never sent → the refund call; otherwise refundquery, applying what it says, and for an
/// APPROVED refund WeChat does not know, the same request again.
///
/// # Errors
/// Upstream or database errors (the failure is recorded on the refund, with back-off).
pub async fn visit(state: &AppState, no: &str, actor: &str) -> Result<Visited> {
    let now = state.clock.now_ms();
    let Some(r) = state.db.claims().refund(no, &state.instance, now + lease(state).as_millis() as i64, now).await? else {
        return Ok(Visited::Skipped);
    };
    if r.status == RefundState::Approved && r.sent_at.is_none() {
        return send_claimed(state, &r, actor)
            .await
            .map(|x| if x.status == r.status { Visited::Unchanged } else { Visited::Moved(x.status) });
    }
    match query(state, &r, actor).await {
        Ok(Queried::Moved(s)) => Ok(Visited::Moved(s)),
        Ok(Queried::Unchanged) => {
            let next = match r.status {
                // 退款异常 waits for a person: ask less and less often (a quarter of its age).
                RefundState::Change => now + ((now - r.updated_at) / 4).clamp(backoff_ms(state, 0), 6 * 3600 * 1000),
                _ => now + backoff_ms(state, 0),
            };
            state.db.claims().release(no, &state.instance, Visit::Unchanged { next }, now).await?;
            Ok(Visited::Unchanged)
        }
        Ok(Queried::NotAtWeChat) if r.status == RefundState::Approved => {
            send_claimed(state, &r, actor).await.map(|x| if x.status == r.status { Visited::Unchanged } else { Visited::Moved(x.status) })
        }
        Ok(Queried::NotAtWeChat) => {
            let why = format!("REFUNDNOTEXIST: WeChat does not know a refund it accepted (stored {})", r.status.as_str());
            failed(state, &r, &why, now).await?;
            Err(Error::Upstream { code: "REFUNDNOTEXIST".into(), message: why })
        }
        Err(e) => {
            failed(state, &r, &e.to_string(), now).await?;
            Err(e)
        }
    }
}

/// What refundquery said.
enum Queried {
    Moved(RefundState),
    Unchanged,
    NotAtWeChat,
}

/// What a refund query says, in either API.
struct RefundQueried {
    refund_id: String,
    status: RefundReportStatus,
    transaction_id: Option<String>,
    refund_fee: Fen,
    total_fee: Fen,
    out_trade_no: String,
    settlement_refund_fee: Option<Fen>,
    success_time: Option<String>,
    recv_account: Option<String>,
    detail: String,
}

/// Asks WeChat about a refund (refundquery in v2, the refund query in v3); `None`: WeChat does
/// not know it.
async fn ask(state: &AppState, r: &Refund) -> Result<Option<RefundQueried>> {
    let no = r.out_refund_no.as_str();
    match r.api {
        ApiVersion::V2 => {
            let q = RefundQuery { by: RefundRef::OutRefundNo(r.out_refund_no.clone()), offset: None };
            let answer = match state.upstream.pay::<_, RefundQueryResponse>(&q).await {
                Ok(a) => a,
                Err(Error::Upstream { code, .. }) if code == "REFUNDNOTEXIST" => return Ok(None),
                Err(e) => return Err(e),
            };
            let Some(item) = answer.find(no) else {
                return Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: "refundquery does not list the refund".into() });
            };
            let report = RefundReport::from_query(&answer, item);
            Ok(Some(RefundQueried {
                refund_id: item.refund_id.clone(),
                status: report.status,
                transaction_id: report.transaction_id.map(str::to_owned),
                refund_fee: report.refund_fee,
                total_fee: answer.total_fee,
                out_trade_no: answer.out_trade_no.clone(),
                settlement_refund_fee: None,
                success_time: item.refund_success_time.clone(),
                recv_account: item.refund_recv_accout.clone(),
                detail: format!("refundquery: refund_status={} refund_id={}", item.refund_status, item.refund_id),
            }))
        }
        ApiVersion::V3 => {
            let q = wxpay::v3::RefundQueryRequest { out_refund_no: r.out_refund_no.clone() };
            let a = match state.upstream.call_v3(&q).await {
                Ok(a) => a,
                Err(Error::Upstream { code, .. }) if code == "RESOURCE_NOT_EXISTS" => return Ok(None),
                Err(e) => return Err(e),
            };
            if a.out_refund_no != no {
                return Err(Error::Upstream {
                    code: "BAD_RESPONSE".into(),
                    message: "the refund query answers about another refund".into(),
                });
            }
            let report = RefundReport::from_v3_answer(&a)?;
            Ok(Some(RefundQueried {
                refund_id: a.refund_id.clone(),
                status: report.status,
                transaction_id: report.transaction_id.map(str::to_owned),
                refund_fee: a.amount.refund,
                total_fee: a.amount.total,
                out_trade_no: a.out_trade_no.clone(),
                settlement_refund_fee: a.amount.settlement_refund,
                success_time: a.success_time.as_deref().map(crate::clock::display_of_rfc3339),
                recv_account: a.user_received_account.clone(),
                detail: format!("refund query (v3): status={} refund_id={}", a.status, a.refund_id),
            }))
        }
    }
}

/// Asks WeChat about a refund and applies what it reports along the state machine.
async fn query(state: &AppState, r: &Refund, actor: &str) -> Result<Queried> {
    let no = r.out_refund_no.as_str();
    let Some(q) = ask(state, r).await? else { return Ok(Queried::NotAtWeChat) };
    let now = state.clock.now_ms();
    let report = RefundReport {
        out_refund_no: no,
        out_trade_no: &q.out_trade_no,
        refund_id: &q.refund_id,
        transaction_id: q.transaction_id.as_deref(),
        refund_fee: q.refund_fee,
        total_fee: Some(q.total_fee),
        status: q.status,
    };
    let txn = state.db.orders().get(&r.out_trade_no).await?.and_then(|o| o.transaction_id);
    let detail = q.detail.as_str();
    match crate::acceptance::refund(Some((r, txn.as_deref())), &report) {
        RefundVerdict::AlreadyRecorded | RefundVerdict::Stale => Ok(Queried::Unchanged),
        // Not reachable with a stored refund; a refund this visit holds is ours.
        RefundVerdict::RecordUnknown => Ok(Queried::Unchanged),
        RefundVerdict::Refuse(m) => {
            tracing::error!(out_refund_no = %no, mismatch = m.code(), "the refund query does not match the refund: {m}");
            Err(Error::Conflict(format!("WeChat's refund does not match ours ({})", m.code())))
        }
        RefundVerdict::Record(RefundReportStatus::Processing) => {
            let moved = state.db.refunds().accepted(no, &q.refund_id, Mover::Result, now, actor, detail).await?.applied();
            Ok(if moved { Queried::Moved(RefundState::Processing) } else { Queried::Unchanged })
        }
        RefundVerdict::Record(reported) => {
            let status = RefundState::reported(reported);
            let result = RefundResult {
                status,
                refund_id: &q.refund_id,
                settlement_refund_fee: q.settlement_refund_fee,
                success_time: q.success_time.as_deref(),
                recv_account: q.recv_account.as_deref(),
            };
            match state.db.refunds().finish(no, &result, now, actor, detail).await? {
                FinishOutcome::Applied { .. } => Ok(Queried::Moved(status)),
                // Moved meanwhile (a notify): the next visit judges what is stored then.
                FinishOutcome::Unmoved(_) => Ok(Queried::Unchanged),
                FinishOutcome::NotFound => Err(Error::NotFound("refund")),
            }
        }
    }
}
