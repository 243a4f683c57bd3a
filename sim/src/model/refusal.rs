//! Why the model refused an operation: the rule of WeChat's that said no. Each endpoint words
//! it in its own answer (closeorder and unifiedorder say "paid" differently), so this names
//! the rule and leaves the words to the handler.

/// A rule that refused an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No such order (by out_trade_no, transaction_id or prepay_id).
    OrderNotExist,
    /// The order is paid (or refunded).
    OrderPaid,
    /// The order is closed (or revoked).
    OrderClosed,
    /// The out_trade_no was placed with other parameters.
    OutTradeNoUsed,
    /// The prepay_id is older than two hours.
    PrepayExpired,
    /// The payment's sign type is not the order's.
    SignTypeMismatch,
    /// The order is past its time_expire.
    OrderExpired,
    /// A refund of an order that is not paid.
    NotPaid,
    /// A refund whose total_fee is not the order's.
    TotalFeeMismatch,
    /// The out_refund_no was asked with other amounts or for another order.
    RefundMismatch,
    /// The order already has 50 refunds.
    TooManyRefunds,
    /// The refunds that are not closed would exceed the payment.
    OverRefund {
        /// What is left to refund, in fen.
        refundable: u64,
    },
    /// No such refund.
    RefundNotExist,
    /// The refund already ended SUCCESS or REFUNDCLOSE.
    RefundFinished,
    /// The login code was used already.
    CodeUsed,
    /// The login code is unknown or expired.
    CodeInvalid,
}
