//! `/pay/closeorder`: stop an unpaid order from being paid.

use serde::{Deserialize, Serialize};

use super::message::{put, Request, Response};
use crate::error::Result;
use crate::{validate, Params};

/// Closes an unpaid order so it can no longer be paid (`ORDERPAID` if it already was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseOrderRequest {
    /// The merchant's order number.
    pub out_trade_no: String,
}

impl Request for CloseOrderRequest {
    const PATH: &'static str = "/pay/closeorder";
    fn write_fields(&self, out: &mut Params) -> Result<()> {
        validate::out_trade_no(&self.out_trade_no)?;
        put(out, "out_trade_no", &self.out_trade_no);
        Ok(())
    }
}

/// A successful closeorder answer (it carries nothing beyond success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseOrderResponse {}

impl Response for CloseOrderResponse {
    fn from_params(_: &Params) -> Result<Self> {
        Ok(CloseOrderResponse {})
    }
}
