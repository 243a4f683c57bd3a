//! What WeChat's error codes mean for the call that got them: did it surely not happen, or may
//! it have happened? The one classification of codes in the workspace; [`Error::is_retryable`]
//! and the server's callers read it.
//!
//! A call whose outcome is [`CallOutcome::Unknown`] must not be treated as refused: query its
//! state first, and if WeChat does not know it, send *the same request* again (same
//! `out_trade_no` / `out_refund_no`, same amounts), so that WeChat makes it at most once.
//!
//! ```
//! use wxpay::codes::{outcome, Call, CallOutcome};
//! assert_eq!(outcome(Call::Refund, "NOTENOUGH"), CallOutcome::NotDone);
//! assert_eq!(outcome(Call::Refund, "SYSTEMERROR"), CallOutcome::Unknown);
//! // A code nobody listed yet: a refund only counts as not made when WeChat says so for sure.
//! assert_eq!(outcome(Call::Refund, "SOMETHING_NEW"), CallOutcome::Unknown);
//! assert_eq!(outcome(Call::UnifiedOrder, "OUT_TRADE_NO_USED"), CallOutcome::NotDone);
//! ```
//!
//! [`Error::is_retryable`]: crate::Error::is_retryable

/// A call of the Pay API v2 whose error answers are classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Call {
    /// `/pay/unifiedorder`.
    UnifiedOrder,
    /// `/secapi/pay/refund`.
    Refund,
}

/// What an error answer says about the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallOutcome {
    /// WeChat refused it for sure: nothing happened, and nothing will (until a person fixes the
    /// cause and it is asked again).
    NotDone,
    /// It may have happened: query first, and resend the same request only if WeChat does not
    /// know it.
    Unknown,
}

/// What `code` means for `call`: a v2 `err_code` (`result_code=FAIL`), or `FAIL` for
/// `return_code=FAIL` (WeChat did not process the message).
///
/// - [`Call::Refund`]: not done only on the codes WeChat documents as refusals (the message,
///   who we are, the merits: `NOTENOUGH`, `TRADE_OVERDUE`, …); anything else — `SYSTEMERROR`,
///   `BIZERR_NEED_RETRY`, `FREQUENCY_LIMITED`, `ERROR` (a catch-all whose text varies), and any
///   new code — is unknown, since money may move.
/// - [`Call::UnifiedOrder`]: unknown on the codes that ask for the same request again
///   ([`asks_for_same_request`]) and on `ORDERPAID` (the order exists and is paid: query it);
///   any other answer placed nothing that can be paid.
pub fn outcome(call: Call, code: &str) -> CallOutcome {
    use CallOutcome::{NotDone, Unknown};
    match call {
        Call::Refund => match code {
            // return_code=FAIL: WeChat did not process the message (format, signature, certificate).
            "FAIL"
            | "XML_FORMAT_ERROR"
            | "REQUIRE_POST_METHOD"
            | "POST_DATA_EMPTY"
            | "NOT_UTF8"
            | "SIGNERROR"
            | "LACK_PARAMS"
            | "PARAM_ERROR" => NotDone,
            // Who we are, or what we may do.
            "APPID_NOT_EXIST" | "MCHID_NOT_EXIST" | "APPID_MCHID_NOT_MATCH" | "NOAUTH" => NotDone,
            // Refused on the merits: balance too low, too late, the payer's account, the payment.
            "NOTENOUGH"
            | "TRADE_OVERDUE"
            | "USER_ACCOUNT_ABNORMAL"
            | "INVALID_TRANSACTIONID"
            | "ORDERNOTEXIST"
            | "TRADE_STATE_ERROR"
            | "INVALID_REQUEST" => NotDone,
            _ => Unknown,
        },
        Call::UnifiedOrder => {
            if asks_for_same_request(code) || code == "ORDERPAID" {
                Unknown
            } else {
                NotDone
            }
        }
    }
}

/// What a v3 error `code` means for `call` (the JSAPI prepay, or a refund), as [`outcome`] does
/// for v2.
///
/// - [`Call::Refund`]: not done only on the codes WeChat documents as refusals (the request, who
///   we are, the merits: `NOT_ENOUGH`, `USER_ACCOUNT_ABNORMAL`, …); anything else —
///   `SYSTEM_ERROR`, `FREQUENCY_LIMITED`, `UNKNOWN` (an answer that was not WeChat's JSON) and
///   any new code — is unknown, since money may move.
/// - [`Call::UnifiedOrder`]: unknown on the codes that ask for the same request again
///   ([`v3_asks_for_same_request`]), on `ORDERPAID` and `OUT_TRADE_NO_USED` (an order with
///   this number exists: query it) and on `UNKNOWN`; any other answer placed nothing that can
///   be paid.
pub fn v3_outcome(call: Call, code: &str) -> CallOutcome {
    use CallOutcome::{NotDone, Unknown};
    match call {
        Call::Refund => match code {
            "PARAM_ERROR" | "INVALID_REQUEST" | "SIGN_ERROR" | "NO_AUTH" | "APPID_MCHID_NOT_MATCH" | "MCH_NOT_EXISTS" => NotDone,
            "NOT_ENOUGH" | "USER_ACCOUNT_ABNORMAL" | "RESOURCE_NOT_EXISTS" | "ORDER_NOT_EXIST" => NotDone,
            _ => Unknown,
        },
        Call::UnifiedOrder => {
            if v3_asks_for_same_request(code) || matches!(code, "ORDERPAID" | "OUT_TRADE_NO_USED" | "UNKNOWN") {
                Unknown
            } else {
                NotDone
            }
        }
    }
}

/// Whether a v2 `err_code` asks for the same request to be sent again: `SYSTEMERROR`,
/// `BIZERR_NEED_RETRY`.
pub fn asks_for_same_request(code: &str) -> bool {
    matches!(code, "SYSTEMERROR" | "BIZERR_NEED_RETRY")
}

/// Whether a v3 error `code` asks for the same request to be sent again: `SYSTEM_ERROR`, and
/// `FREQUENCY_LIMITED` after slowing down.
pub fn v3_asks_for_same_request(code: &str) -> bool {
    matches!(code, "SYSTEM_ERROR" | "FREQUENCY_LIMITED")
}
