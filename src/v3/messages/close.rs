//! 关闭订单: `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`, body `{mchid}`,
//! answered with 204 No Content.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::messages::{out_trade_no, segment};
use crate::v3::request::{Method, Request};

/// Closes an unpaid order so that it can no longer be paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseOrderRequest {
    /// The merchant's order number.
    pub out_trade_no: String,
}

impl Request for CloseOrderRequest {
    type Response = ();
    const METHOD: Method = Method::Post;

    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        out_trade_no(&self.out_trade_no)?;
        Ok(format!("/v3/pay/transactions/out-trade-no/{}/close", segment(&self.out_trade_no)))
    }

    fn body(&self, _appid: &str, mchid: &str) -> Result<String> {
        Ok(serde_json::json!({ "mchid": mchid }).to_string())
    }

    /// 204 has no body; a body here means WeChat answered something else.
    fn parse(body: &[u8]) -> Result<()> {
        if body.iter().all(u8::is_ascii_whitespace) {
            Ok(())
        } else {
            Err(Error::MalformedJson("close answers 204 with no body".to_owned()))
        }
    }
}
