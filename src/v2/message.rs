//! The request/response envelope shared by every API call: common fields, signing, and the
//! three outcomes of a response (`return_code=FAIL`, `result_code=FAIL`, success).

use serde::{Deserialize, Serialize};

use crate::error::{quoted, Error, Result};
use crate::{validate, Fen, Params};

/// A typed WeChat Pay request. The merchant adds `appid`, `mch_id`, `nonce_str`, `sign_type`
/// and `sign`; the request contributes its own fields, validated.
pub trait Request {
    /// The API path, e.g. `/pay/unifiedorder`.
    const PATH: &'static str;

    /// Validates the request and writes its own fields into `out`.
    ///
    /// # Errors
    /// [`Error::MissingField`] / [`Error::InvalidField`] for what WeChat would refuse.
    fn write_fields(&self, out: &mut Params) -> Result<()>;
}

/// A typed successful response, read from fields already checked for signature, identity and
/// `result_code`.
pub trait Response: Sized {
    /// Reads the typed fields.
    ///
    /// # Errors
    /// [`Error::MissingField`] / [`Error::InvalidField`] when WeChat's answer lacks a field.
    fn from_params(params: &Params) -> Result<Self>;
}

/// Which payment a query, close or refund is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeRef {
    /// WeChat's `transaction_id` (preferred by WeChat when both are known).
    TransactionId(String),
    /// The merchant's `out_trade_no`.
    OutTradeNo(String),
}

impl TradeRef {
    pub(crate) fn write(&self, out: &mut Params) -> Result<()> {
        match self {
            TradeRef::TransactionId(id) => {
                validate::id("transaction_id", id, 32)?;
                put(out, "transaction_id", id);
            }
            TradeRef::OutTradeNo(no) => {
                validate::out_trade_no(no)?;
                put(out, "out_trade_no", no);
            }
        }
        Ok(())
    }
}

pub(crate) fn put(out: &mut Params, name: &str, value: &str) {
    // 安全规范: empty values are not signed, so they are not sent either.
    if !value.is_empty() {
        out.insert(name.to_owned(), value.to_owned());
    }
}

pub(crate) fn put_opt(out: &mut Params, name: &str, value: Option<&String>) {
    if let Some(v) = value {
        put(out, name, v);
    }
}

/// Typed reads of a received message; an empty value counts as absent.
pub(crate) trait Read {
    fn opt(&self, name: &str) -> Option<&str>;
    fn req(&self, name: &str) -> Result<&str> {
        self.opt(name).ok_or_else(|| Error::missing(name))
    }
    fn string(&self, name: &str) -> Result<String> {
        self.req(name).map(str::to_owned)
    }
    fn opt_string(&self, name: &str) -> Option<String> {
        self.opt(name).map(str::to_owned)
    }
    fn fen(&self, name: &str) -> Result<Fen> {
        Fen::parse_field(name, self.req(name)?)
    }
    fn opt_fen(&self, name: &str) -> Result<Option<Fen>> {
        self.opt(name).map(|v| Fen::parse_field(name, v)).transpose()
    }
}

impl Read for Params {
    fn opt(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// `return_code`: `FAIL` means WeChat did not process the message at all.
pub(crate) fn check_return_code(params: &Params) -> Result<()> {
    match params.req("return_code")? {
        "SUCCESS" => Ok(()),
        _ => Err(Error::ReturnFail { message: params.opt_string("return_msg").unwrap_or_default() }),
    }
}

/// `result_code`: `FAIL` is a business refusal with `err_code` / `err_code_des`.
pub(crate) fn check_result_code(params: &Params) -> Result<()> {
    match params.req("result_code")? {
        "SUCCESS" => Ok(()),
        "FAIL" => Err(Error::Business {
            code: params.opt_string("err_code").unwrap_or_else(|| "UNKNOWN".into()),
            message: params.opt_string("err_code_des").unwrap_or_default(),
        }),
        other => Err(Error::invalid("result_code", format!("unknown value {}", quoted(other)))),
    }
}
