//! The refund state machine: where a refund can be ([`RefundState`]) and [`EDGES`], the one
//! list of allowed moves and who makes each (the table in `server/README.md`, checked against it
//! by a test). `refunds.rs` makes the moves, each through the transition engine.

use serde::Serialize;

use crate::error::{Error, Result};

/// Where a refund is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundState {
    /// Asked for by the payer; waits for the merchant.
    Requested,
    /// Approved; the refund call is being made (or will be retried).
    Approved,
    /// WeChat accepted it; the result comes by notify or refundquery.
    Processing,
    /// Refunded.
    Success,
    /// 退款异常: WeChat could not return the money; a person must act on the merchant platform.
    /// Not final: the amount stays held and refundquery keeps asking.
    Change,
    /// Closed by WeChat.
    Closed,
    /// Refused by the merchant.
    Rejected,
}

impl RefundState {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefundState::Requested => "REQUESTED",
            RefundState::Approved => "APPROVED",
            RefundState::Processing => "PROCESSING",
            RefundState::Success => "SUCCESS",
            RefundState::Change => "CHANGE",
            RefundState::Closed => "CLOSED",
            RefundState::Rejected => "REJECTED",
        }
    }

    /// Parses a stored or query-string name.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an unknown name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "REQUESTED" => RefundState::Requested,
            "APPROVED" => RefundState::Approved,
            "PROCESSING" => RefundState::Processing,
            "SUCCESS" => RefundState::Success,
            "CHANGE" => RefundState::Change,
            "CLOSED" => RefundState::Closed,
            "REJECTED" => RefundState::Rejected,
            other => return Err(Error::Invalid(format!("unknown refund status {other:?}"))),
        })
    }

    /// The state a report (notify or refundquery, as the acceptance rule reads it) moves a
    /// refund to (`PROCESSING` is ours too).
    pub const fn reported(s: wxpay::acceptance::RefundReportStatus) -> Self {
        use wxpay::acceptance::RefundReportStatus as R;
        match s {
            R::Processing => RefundState::Processing,
            R::Success => RefundState::Success,
            R::Change => RefundState::Change,
            R::Closed => RefundState::Closed,
        }
    }

    /// Nothing moves it any more.
    pub const fn is_final(self) -> bool {
        matches!(self, RefundState::Success | RefundState::Closed | RefundState::Rejected)
    }

    /// Its amount counts against the order's total (it cannot be asked for again).
    pub const fn holds_amount(self) -> bool {
        !matches!(self, RefundState::Closed | RefundState::Rejected)
    }
}

/// Who moves a refund along an edge (or creates it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// The payer, asking for a refund of their order.
    Payer,
    /// The merchant, on the admin page.
    Merchant,
    /// WeChat's answer to the refund call (accepted, or refused for good).
    RefundAnswer,
    /// The sender, before anything was sent: the refund cannot be encoded.
    LocalFailure,
    /// WeChat's refund notify or a refundquery answer.
    Result,
}

/// One allowed move.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// From; `None`: the refund is created in `to`.
    pub from: Option<RefundState>,
    /// To.
    pub to: RefundState,
    /// Who may make it.
    pub by: &'static [Mover],
}

const fn edge(from: RefundState, to: RefundState, by: &'static [Mover]) -> Edge {
    Edge { from: Some(from), to, by }
}

const fn created(to: RefundState, by: &'static [Mover]) -> Edge {
    Edge { from: None, to, by }
}

/// Every allowed move of a refund, and nothing else, starting with how one is created: REQUESTED
/// by its payer, APPROVED by the merchant refunding on its own initiative (claimed to be sent at
/// once, as an approval is), or as WeChat reports it when it reports a refund this server never
/// started (made by hand on 商户平台: recorded, `outside`). `server/README.md` shows this table; a
/// test keeps the two equal.
pub const EDGES: [Edge; 17] = {
    use Mover::*;
    use RefundState::*;
    [
        created(Requested, &[Payer]),
        created(Approved, &[Merchant]),
        created(Success, &[Result]),
        created(Change, &[Result]),
        created(Closed, &[Result]),
        edge(Requested, Approved, &[Merchant]),
        edge(Requested, Rejected, &[Merchant]),
        edge(Approved, Processing, &[RefundAnswer, Result]),
        edge(Approved, Requested, &[RefundAnswer, LocalFailure]),
        edge(Approved, Success, &[Result]),
        edge(Approved, Change, &[Result]),
        edge(Approved, Closed, &[Result]),
        edge(Processing, Success, &[Result]),
        edge(Processing, Change, &[Result]),
        edge(Processing, Closed, &[Result]),
        edge(Change, Success, &[Result]),
        edge(Change, Closed, &[Result]),
    ]
};

/// Whether `by` may move a refund `from` → `to`.
pub fn allowed(from: RefundState, to: RefundState, by: Mover) -> bool {
    from != to && EDGES.iter().any(|e| e.from == Some(from) && e.to == to && e.by.contains(&by))
}

/// Whether `by` may create a refund in state `to`.
pub fn creatable(to: RefundState, by: Mover) -> bool {
    EDGES.iter().any(|e| e.from.is_none() && e.to == to && e.by.contains(&by))
}

/// The states a result (notify or refundquery) may move to `to` from.
pub(crate) fn result_sources(to: RefundState) -> impl Iterator<Item = RefundState> {
    EDGES.iter().filter(move |e| e.to == to && e.from != Some(to) && e.by.contains(&Mover::Result)).filter_map(|e| e.from)
}

/// Every state, for lists built from [`RefundState::holds_amount`].
const ALL: [RefundState; 7] = [
    RefundState::Requested,
    RefundState::Approved,
    RefundState::Processing,
    RefundState::Success,
    RefundState::Change,
    RefundState::Closed,
    RefundState::Rejected,
];

/// `('REQUESTED', …)`: the states whose amount counts against the order's total.
pub(crate) fn holding_sql() -> String {
    let names: Vec<String> = ALL.iter().filter(|s| s.holds_amount()).map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The state machine table of `server/README.md` lists exactly [`EDGES`].
    #[test]
    fn readme_table_matches_the_edges() {
        let readme = include_str!("../../README.md");
        let start = readme.find("<!-- refund-edges -->").expect("the README marks its refund state table");
        let end = start + readme[start..].find("<!-- /refund-edges -->").expect("end marker");
        let mut documented: Vec<(String, String)> = readme[start..end]
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
                (cells[1].to_owned(), cells[2].to_owned())
            })
            .collect();
        let mut coded: Vec<(String, String)> =
            EDGES.iter().map(|e| (e.from.map_or("(new)", RefundState::as_str).to_owned(), e.to.as_str().to_owned())).collect();
        documented.sort();
        coded.sort();
        assert_eq!(documented, coded);
    }

    #[test]
    fn only_listed_moves_are_allowed() {
        assert!(allowed(RefundState::Change, RefundState::Success, Mover::Result));
        assert!(!allowed(RefundState::Success, RefundState::Change, Mover::Result));
        assert!(!allowed(RefundState::Processing, RefundState::Requested, Mover::RefundAnswer), "a refund WeChat accepted never goes back");
        assert!(!allowed(RefundState::Approved, RefundState::Rejected, Mover::Merchant), "a sent refund cannot be rejected");
        assert!(allowed(RefundState::Approved, RefundState::Requested, Mover::LocalFailure));
        assert!(creatable(RefundState::Requested, Mover::Payer) && creatable(RefundState::Approved, Mover::Merchant));
        assert!(!creatable(RefundState::Approved, Mover::Payer), "a payer's refund waits for the merchant");
        assert!(!creatable(RefundState::Success, Mover::Merchant), "nothing we start is created already refunded");
        assert!(creatable(RefundState::Success, Mover::Result), "a refund made on 商户平台 is recorded as WeChat reports it");
        assert_eq!(holding_sql(), "('REQUESTED', 'APPROVED', 'PROCESSING', 'SUCCESS', 'CHANGE')");
        assert_eq!(
            result_sources(RefundState::Success).collect::<Vec<_>>(),
            [RefundState::Approved, RefundState::Processing, RefundState::Change]
        );
    }
}
