//! `wxpay::codes`: what an error code means for the call that got it, and which codes ask for
//! the same request again (`Error::is_retryable`).

use wxpay::codes::{asks_for_same_request, outcome, Call, CallOutcome};
use wxpay::Error;

#[test]
fn refund_is_not_done_only_on_documented_refusals() {
    for code in [
        "FAIL",
        "XML_FORMAT_ERROR",
        "REQUIRE_POST_METHOD",
        "POST_DATA_EMPTY",
        "NOT_UTF8",
        "SIGNERROR",
        "LACK_PARAMS",
        "PARAM_ERROR",
        "APPID_NOT_EXIST",
        "MCHID_NOT_EXIST",
        "APPID_MCHID_NOT_MATCH",
        "NOAUTH",
        "NOTENOUGH",
        "TRADE_OVERDUE",
        "USER_ACCOUNT_ABNORMAL",
        "INVALID_TRANSACTIONID",
        "ORDERNOTEXIST",
        "TRADE_STATE_ERROR",
        "INVALID_REQUEST",
    ] {
        assert_eq!(outcome(Call::Refund, code), CallOutcome::NotDone, "{code}");
    }
    for code in ["SYSTEMERROR", "BIZERR_NEED_RETRY", "FREQUENCY_LIMITED", "INVALID_REQ_TOO_MUCH", "ERROR", "BAD_RESPONSE", "NEW_CODE", ""] {
        assert_eq!(outcome(Call::Refund, code), CallOutcome::Unknown, "{code}");
    }
}

#[test]
fn unifiedorder_is_unknown_only_when_asked_again_or_paid() {
    for code in ["SYSTEMERROR", "BIZERR_NEED_RETRY", "ORDERPAID"] {
        assert_eq!(outcome(Call::UnifiedOrder, code), CallOutcome::Unknown, "{code}");
    }
    for code in ["ORDERCLOSED", "OUT_TRADE_NO_USED", "NOAUTH", "NOTENOUGH", "PARAM_ERROR", "SIGNERROR", "FAIL"] {
        assert_eq!(outcome(Call::UnifiedOrder, code), CallOutcome::NotDone, "{code}");
    }
}

#[test]
fn retryable_errors_are_the_codes_asking_for_the_same_request() {
    for code in ["SYSTEMERROR", "BIZERR_NEED_RETRY", "ORDERPAID", "FREQUENCY_LIMITED", "NOTENOUGH"] {
        let e = Error::Business { code: code.into(), message: String::new() };
        assert_eq!(e.is_retryable(), asks_for_same_request(code), "{code}");
    }
    assert!(asks_for_same_request("SYSTEMERROR") && !asks_for_same_request("ORDERPAID"));
}
