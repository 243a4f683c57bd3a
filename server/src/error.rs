//! The one error type of the server, and how it becomes an HTTP answer.
//!
//! Every answer is `{"error": {"code": "...", "message": "..."}}` with a stable `code`. The
//! detail goes to the log; the message is generic for anything internal.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Everything that can go wrong in the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is missing or malformed; start-up stops with this message.
    #[error("configuration: {0}")]
    Config(String),
    /// The request is malformed or refers to something invalid (422).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// No valid bearer token (401).
    #[error("not logged in or session expired")]
    Unauthorized,
    /// The thing does not exist, or is not the caller's (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state (409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The refund asks for more than is left because payers' requests still waiting for the
    /// merchant hold part of the order (409, `HELD_BY_REQUESTS`, with their `out_refund_no`s, so
    /// the merchant can reject them in one step).
    #[error("held by pending refund requests: {left} fen refundable")]
    HeldByRequests {
        /// What is refundable now.
        left: wxpay::Fen,
        /// The pending requests' out_refund_no.
        pending: Vec<String>,
    },
    /// Fewer units are left than the order asks for (409, `OUT_OF_STOCK`); nothing was stored
    /// and nothing sent to WeChat.
    #[error("out of stock: {available} left")]
    OutOfStock {
        /// Units left.
        available: i64,
    },
    /// WeChat answered with an error code (502). `code` is WeChat's `err_code` / `errcode`.
    #[error("WeChat error {code}: {message}")]
    Upstream {
        /// WeChat's code, e.g. `ORDERPAID`, `SIGNERROR`, `40029`.
        code: String,
        /// WeChat's description.
        message: String,
    },
    /// Too many requests of this kind from this client or overall (429).
    #[error("rate limited: {0}")]
    RateLimited(String),
    /// The request took longer than the server-side timeout (503).
    #[error("request timed out")]
    Timeout,
    /// WeChat could not be reached on either base, or kept answering `SYSTEMERROR` (503).
    #[error("WeChat unavailable: {0}")]
    UpstreamUnavailable(String),
    /// The database failed (500).
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed (start-up).
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The core refused something we built: a bug or a bad setting (500).
    #[error("wxpay: {0}")]
    Core(#[from] wxpay::Error),
    /// Anything else internal (500).
    #[error("internal: {0}")]
    Internal(String),
}

/// `Result` with the server's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

impl Error {
    /// The stable code of the JSON answer.
    pub fn code(&self) -> String {
        match self {
            Error::Config(_) => "CONFIG".into(),
            Error::Invalid(_) => "INVALID_REQUEST".into(),
            Error::Unauthorized => "UNAUTHORIZED".into(),
            Error::NotFound(_) => "NOT_FOUND".into(),
            Error::Conflict(_) => "CONFLICT".into(),
            Error::OutOfStock { .. } => "OUT_OF_STOCK".into(),
            Error::HeldByRequests { .. } => "HELD_BY_REQUESTS".into(),
            Error::Upstream { .. } => "UPSTREAM_ERROR".into(),
            Error::UpstreamUnavailable(_) => "UPSTREAM_UNAVAILABLE".into(),
            Error::RateLimited(_) => "RATE_LIMITED".into(),
            Error::Timeout => "TIMEOUT".into(),
            Error::Db(_) | Error::Migrate(_) | Error::Core(_) | Error::Internal(_) => "INTERNAL".into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) | Error::OutOfStock { .. } | Error::HeldByRequests { .. } => StatusCode::CONFLICT,
            Error::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Error::UpstreamUnavailable(_) | Error::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Error::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Database constraint violations become 409 (realworld's `on_constraint`).
    pub fn on_unique_violation(self, what: &str) -> Self {
        match &self {
            Error::Db(sqlx::Error::Database(e)) if e.is_unique_violation() => Error::Conflict(format!("{what} already exists")),
            _ => self,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Error::Invalid(m) | Error::Conflict(m) | Error::RateLimited(m) => m.clone(),
            Error::Timeout => "the request took too long; try again".into(),
            Error::Unauthorized => "not logged in or session expired".into(),
            Error::NotFound(what) => format!("{what} not found"),
            Error::OutOfStock { available: 0 } => "sold out".into(),
            Error::OutOfStock { available } => format!("only {available} left"),
            Error::HeldByRequests { left, pending } => format!(
                "{left} fen refundable: the payer's pending refund requests {} hold the rest; reject them first",
                pending.join(", ")
            ),
            // WeChat's codes are the useful part; its descriptions carry no secret.
            Error::Upstream { code, message } => format!("WeChat answered {code}: {message}"),
            Error::UpstreamUnavailable(_) => "WeChat Pay is unavailable, try again later".into(),
            _ => "internal error".into(),
        };
        if status.is_server_error() {
            tracing::error!(code = %self.code(), error = %self, "request failed");
        } else {
            tracing::info!(code = %self.code(), error = %self, "request refused");
        }
        let mut body = json!({ "error": { "code": self.code(), "message": message } });
        if let Error::Upstream { code, .. } = &self {
            body["error"]["upstream_code"] = json!(code);
        }
        if let Error::OutOfStock { available } = &self {
            body["error"]["available"] = json!(available);
        }
        if let Error::HeldByRequests { left, pending } = &self {
            body["error"]["refundable_fee"] = json!(left);
            body["error"]["pending"] = json!(pending);
        }
        (status, axum::Json(body)).into_response()
    }
}
