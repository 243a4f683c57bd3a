//! The calls received: a count per API path, and the journal of the last ones in full.

use serde::Serialize;

use super::Model;
use crate::endpoint::Endpoint;

/// At most this many calls are kept in the journal (the oldest go first).
const JOURNAL_LIMIT: usize = 10_000;

/// One call received.
#[derive(Clone, Debug, Serialize)]
pub struct Call {
    /// Order of arrival (1, 2, …).
    pub seq: u64,
    /// When it arrived (ms).
    pub at_ms: i64,
    /// HTTP method.
    pub method: String,
    /// URL path.
    pub path: String,
    /// The endpoint, if the path is one of WeChat's.
    pub endpoint: Option<Endpoint>,
    /// Whether the connection presented a client certificate that verified against the CA.
    pub client_cert: bool,
    /// Whether the request's `sign` verified with its declared sign type (`None`: unreadable
    /// or unsigned, e.g. jscode2session).
    pub signature_valid: Option<bool>,
    /// The declared sign type (MD5 when none).
    pub sign_type: Option<String>,
    /// The HTTP status answered (0: the connection was dropped without an answer).
    pub http_status: u16,
    /// `SUCCESS`, the `err_code`, `FAIL: <return_msg>`, the jscode2session `errcode`, or
    /// `dropped`.
    pub outcome: String,
    /// The fault injected into this call, if any.
    pub fault: Option<String>,
    /// The request (the body, or the query string with `secret` masked), truncated.
    pub request: String,
    /// The answer, truncated.
    pub response: String,
    /// `v2` or `v3`.
    pub api: &'static str,
    /// v3, when the signature did not verify: the message that should have been signed
    /// (`METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY\n`; never a key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_message: Option<String>,
}

impl Model {
    /// Counts a call to `path` as its handler starts.
    pub(crate) fn count_call(&self, path: &'static str) {
        *self.ledger().calls.entry(path).or_default() += 1;
    }

    /// Calls received on `path`.
    pub(crate) fn call_count(&self, path: &str) -> u32 {
        self.ledger().calls.get(path).copied().unwrap_or(0)
    }

    /// Keeps a finished call in the journal.
    pub(crate) fn record_call(&self, call: Call) {
        let mut l = self.ledger();
        if l.journal.len() >= JOURNAL_LIMIT {
            l.journal.pop_front();
        }
        l.journal.push_back(call);
    }

    /// The journal's calls after `since` (a seq), on `endpoint`, oldest first.
    pub(crate) fn calls(&self, since: Option<u64>, endpoint: Option<Endpoint>) -> Vec<Call> {
        let l = self.ledger();
        l.journal
            .iter()
            .filter(|c| since.is_none_or(|s| c.seq > s))
            .filter(|c| endpoint.is_none_or(|e| c.endpoint == Some(e)))
            .cloned()
            .collect()
    }
}
