//! v3 bills (账单): the day's trade bill (交易账单, `GET /v3/bill/tradebill`) and fund flow bill
//! (资金账单, `GET /v3/bill/fundflowbill`).
//!
//! A bill comes in two steps. The request ([`TradeBillRequest`], [`FundFlowBillRequest`]) is an
//! ordinary signed v3 call whose verified answer is a [`BillResponse`]: `{hash_type: "SHA1",
//! hash_value, download_url}`. The file behind `download_url` (valid 30 s, fetched with a signed
//! `GET` too) comes back **unsigned**: the SHA-1 of the signed answer is its only integrity
//! check. [`BillResponse::open`] checks it before anything reads the file, then
//! [`TradeBill::parse`] or [`FundFlowBill::parse`] read the rows by column name and refuse a bill
//! whose summary lines do not add up to its rows.
//!
//! ```
//! use wxpay::v3::{BillResponse, TarType, TradeBill, TradeBillRequest, TradeBillType, Request};
//!
//! let request = TradeBillRequest::new("2026-11-23", TradeBillType::All).gzip();
//! assert_eq!(request.path_and_query("1900000109")?,
//!     "/v3/bill/tradebill?bill_date=2026-11-23&bill_type=ALL&tar_type=GZIP");
//! // Sign and send it, read the answer with `read_response::<TradeBillRequest>`, then sign and
//! // send `answer.download_request()?` and hand the bytes that come back over:
//! # let answer = BillResponse { hash_type: "SHA1".into(),
//! #     hash_value: "da39a3ee5e6b4b0d3255bfef95601890afd80709".into(), download_url: String::new() };
//! # let downloaded: &[u8] = b"";
//! // let text = answer.open(request.tar_type, &downloaded)?;
//! // let bill = TradeBill::parse(&text)?;
//! # assert!(answer.open(Some(TarType::Gzip), downloaded).is_err());
//! # Ok::<(), wxpay::Error>(())
//! ```

mod download;
mod fee;
mod fund_flow;
mod table;
mod trade;

pub use download::{BillDownloadRequest, MAX_BILL_BYTES};
pub use fee::Fee;
pub use fund_flow::{FlowDirection, FundFlowBill, FundFlowRow, FundFlowSummary};
pub use trade::{TradeBill, TradeBillRow, TradeBillSummary};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::request::{Method, Request};
use crate::validate;

/// Which rows a trade bill holds (`bill_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeBillType {
    /// Payments and refunds (WeChat's default).
    #[default]
    All,
    /// Payments only.
    Success,
    /// Refunds only.
    Refund,
}

impl TradeBillType {
    /// The `bill_type` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            TradeBillType::All => "ALL",
            TradeBillType::Success => "SUCCESS",
            TradeBillType::Refund => "REFUND",
        }
    }
}

/// Which account a fund flow bill covers (`account_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountType {
    /// 基本账户 (WeChat's default).
    #[default]
    Basic,
    /// 运营账户.
    Operation,
    /// 手续费账户.
    Fees,
}

impl AccountType {
    /// The `account_type` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountType::Basic => "BASIC",
            AccountType::Operation => "OPERATION",
            AccountType::Fees => "FEES",
        }
    }
}

/// How the file is packed (`tar_type`). Absent: plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TarType {
    /// A gzip file (`tar_type=GZIP`).
    Gzip,
}

impl TarType {
    /// The `tar_type` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            TarType::Gzip => "GZIP",
        }
    }
}

/// `GET /v3/bill/tradebill?bill_date=…&bill_type=…[&tar_type=GZIP]`: where to download the
/// trade bill of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeBillRequest {
    /// The day, `YYYY-MM-DD` (Beijing time). A bill exists from about 09:00 the next day.
    pub bill_date: String,
    /// Which rows.
    pub bill_type: TradeBillType,
    /// `Some(Gzip)` for a gzip file; `None` for plain text.
    pub tar_type: Option<TarType>,
}

impl TradeBillRequest {
    /// The bill of `bill_date` (`YYYY-MM-DD`), as plain text.
    pub fn new(bill_date: impl Into<String>, bill_type: TradeBillType) -> Self {
        TradeBillRequest { bill_date: bill_date.into(), bill_type, tar_type: None }
    }

    /// The same request, asking for a gzip file.
    #[must_use]
    pub fn gzip(mut self) -> Self {
        self.tar_type = Some(TarType::Gzip);
        self
    }
}

impl Request for TradeBillRequest {
    type Response = BillResponse;
    const METHOD: Method = Method::Get;
    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        bill_date(&self.bill_date)?;
        Ok(format!("/v3/bill/tradebill?bill_date={}&bill_type={}{}", self.bill_date, self.bill_type.as_str(), tar(self.tar_type)))
    }
}

/// `GET /v3/bill/fundflowbill?bill_date=…&account_type=…[&tar_type=GZIP]`: where to download
/// the fund flow bill of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundFlowBillRequest {
    /// The day, `YYYY-MM-DD` (Beijing time).
    pub bill_date: String,
    /// Which account.
    pub account_type: AccountType,
    /// `Some(Gzip)` for a gzip file; `None` for plain text.
    pub tar_type: Option<TarType>,
}

impl FundFlowBillRequest {
    /// The fund flow bill of `bill_date` (`YYYY-MM-DD`), as plain text.
    pub fn new(bill_date: impl Into<String>, account_type: AccountType) -> Self {
        FundFlowBillRequest { bill_date: bill_date.into(), account_type, tar_type: None }
    }

    /// The same request, asking for a gzip file.
    #[must_use]
    pub fn gzip(mut self) -> Self {
        self.tar_type = Some(TarType::Gzip);
        self
    }
}

impl Request for FundFlowBillRequest {
    type Response = BillResponse;
    const METHOD: Method = Method::Get;
    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        bill_date(&self.bill_date)?;
        Ok(format!("/v3/bill/fundflowbill?bill_date={}&account_type={}{}", self.bill_date, self.account_type.as_str(), tar(self.tar_type)))
    }
}

/// The (verified, signed) answer to a bill request: where the file is and the SHA-1 it must
/// have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillResponse {
    /// `SHA1`, the only algorithm WeChat uses.
    pub hash_type: String,
    /// The SHA-1 of the bill as text (of the decompressed file for a gzip one), in hex.
    pub hash_value: String,
    /// Where to `GET` the file (signed like any v3 request); valid for 30 seconds.
    pub download_url: String,
}

fn tar(t: Option<TarType>) -> String {
    t.map(|t| format!("&tar_type={}", t.as_str())).unwrap_or_default()
}

/// `YYYY-MM-DD`, a real calendar day.
fn bill_date(value: &str) -> Result<()> {
    let b = value.as_bytes();
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped || validate::timestamp14("bill_date", &format!("{}{}{}000000", &value[..4], &value[5..7], &value[8..])).is_err() {
        return Err(Error::invalid("bill_date", "must be a calendar day as YYYY-MM-DD"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trade_bill_request_has_the_documented_query() {
        let r = TradeBillRequest::new("2026-11-23", TradeBillType::Success);
        assert_eq!(r.path_and_query("1").unwrap(), "/v3/bill/tradebill?bill_date=2026-11-23&bill_type=SUCCESS");
        let r = TradeBillRequest::new("2024-02-29", TradeBillType::Refund).gzip();
        assert_eq!(r.path_and_query("1").unwrap(), "/v3/bill/tradebill?bill_date=2024-02-29&bill_type=REFUND&tar_type=GZIP");
        assert_eq!(TradeBillRequest::METHOD, Method::Get);
        assert_eq!(r.body("wx", "1").unwrap(), "");
    }

    #[test]
    fn fund_flow_bill_request_has_the_documented_query() {
        let r = FundFlowBillRequest::new("2026-11-23", AccountType::Fees).gzip();
        assert_eq!(r.path_and_query("1").unwrap(), "/v3/bill/fundflowbill?bill_date=2026-11-23&account_type=FEES&tar_type=GZIP");
        let r = FundFlowBillRequest::new("2026-11-23", AccountType::Basic);
        assert_eq!(r.path_and_query("1").unwrap(), "/v3/bill/fundflowbill?bill_date=2026-11-23&account_type=BASIC");
    }

    #[test]
    fn a_bill_date_that_is_not_a_calendar_day_is_refused() {
        for bad in [
            "20261123",
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-11-1",
            "2026/11/23",
            "2026-11-23 ",
            "２026-11-23",
            "",
            "1999-12-31",
        ] {
            let e = TradeBillRequest::new(bad, TradeBillType::All).path_and_query("1").unwrap_err();
            assert!(matches!(&e, Error::InvalidField { name, .. } if name == "bill_date"), "{bad:?}: {e}");
            assert!(FundFlowBillRequest::new(bad, AccountType::Basic).path_and_query("1").is_err(), "{bad:?}");
        }
    }
}
