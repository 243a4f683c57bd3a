//! API v3 bills: the requests (交易账单, 资金账单), the signed download, and the file opened
//! (checked by its SHA-1, gzip undone) and read into typed rows. The rules are the core's
//! (`wxpay::v3::bill`).

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wxpay::v3::{
    AccountType, BillResponse, FundFlowBill, FundFlowBillRequest, TarType, TradeBill, TradeBillRequest, TradeBillType, MAX_BILL_BYTES,
};

use super::convert::{from_js, required};
use super::error::Result;
use super::v3::{optional_js, seconds, KeySet, ResponseIn, V3Merchant};
use super::v3_results::camel_js;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TradeBillIn {
    #[serde(alias = "bill_date")]
    bill_date: Option<String>,
    #[serde(alias = "bill_type")]
    bill_type: Option<TradeBillType>,
    #[serde(alias = "tar_type")]
    tar_type: Option<TarType>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FundFlowBillIn {
    #[serde(alias = "bill_date")]
    bill_date: Option<String>,
    #[serde(alias = "account_type")]
    account_type: Option<AccountType>,
    #[serde(alias = "tar_type")]
    tar_type: Option<TarType>,
}

/// `{ hashType, hashValue, downloadUrl }`, as `KeySet#parseBillResponse` gave it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BillResponseIn {
    #[serde(alias = "hash_type")]
    hash_type: Option<String>,
    #[serde(alias = "hash_value")]
    hash_value: Option<String>,
    #[serde(alias = "download_url")]
    download_url: Option<String>,
}

impl BillResponseIn {
    fn read(value: JsValue) -> Result<BillResponse> {
        let b: BillResponseIn = from_js(value, "bill")?;
        Ok(BillResponse {
            hash_type: required(b.hash_type, "hashType")?,
            hash_value: required(b.hash_value, "hashValue")?,
            download_url: required(b.download_url, "downloadUrl")?,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OpenOptions {
    #[serde(alias = "tar_type")]
    tar_type: Option<TarType>,
    limit: Option<u32>,
}

/// The text of a downloaded bill, checked by its SHA-1 before anything is read.
fn open(bill: JsValue, bytes: &JsValue, options: JsValue) -> Result<String> {
    let bill = BillResponseIn::read(bill)?;
    let downloaded = super::js::bytes(bytes, "bytes")?.ok_or_else(|| super::error::argument("bytes", "must be a Uint8Array (Buffer)"))?;
    let o: OpenOptions = optional_js(options, "options")?;
    let limit = o.limit.map_or(MAX_BILL_BYTES, |l| l as usize);
    Ok(bill.open_with_limit(o.tar_type, &downloaded, limit)?)
}

#[wasm_bindgen(js_class = Merchant)]
impl V3Merchant {
    /// 申请交易账单: `GET /v3/bill/tradebill?bill_date=…` (`billType` `ALL` by default,
    /// `tarType: 'GZIP'` for a compressed file). Read the answer with `KeySet#parseBillResponse`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD` (not a calendar day), `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildTradeBill, unchecked_return_type = "SignedRequest")]
    pub fn build_trade_bill(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TradeBillInit")] bill: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let request = from_js::<TradeBillIn>(bill, "bill").and_then(|b| {
            let mut r = TradeBillRequest::new(required(b.bill_date, "billDate")?, b.bill_type.unwrap_or_default());
            r.tar_type = b.tar_type;
            Ok(r)
        });
        self.build(request, options)
    }

    /// 申请资金账单: `GET /v3/bill/fundflowbill?bill_date=…` (`accountType` `BASIC` by default).
    ///
    /// @throws {WxPayError} as `buildTradeBill`
    #[wasm_bindgen(js_name = buildFundFlowBill, unchecked_return_type = "SignedRequest")]
    pub fn build_fund_flow_bill(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FundFlowBillInit")] bill: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let request = from_js::<FundFlowBillIn>(bill, "bill").and_then(|b| {
            let mut r = FundFlowBillRequest::new(required(b.bill_date, "billDate")?, b.account_type.unwrap_or_default());
            r.tar_type = b.tar_type;
            Ok(r)
        });
        self.build(request, options)
    }

    /// The signed `GET` of a bill's `downloadUrl` (valid for 30 seconds). Its answer is the
    /// file, not signed: open it with `openTradeBill` / `openFundFlowBill`, which check its SHA-1.
    /// The URL must be on this merchant's `apiBase` (api.mch.weixin.qq.com unless another was
    /// given, such as wxpay-sim's): the signed request is sent nowhere else.
    ///
    /// @throws {WxPayError} `INVALID_FIELD` (a URL not on `apiBase`), `MISSING_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildBillDownload, unchecked_return_type = "SignedRequest")]
    pub fn build_bill_download(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BillResponse")] bill: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        self.build(BillResponseIn::read(bill).and_then(|b| Ok(b.download_request_on(&self.api_base)?)), options)
    }
}

#[wasm_bindgen]
impl KeySet {
    /// WeChat's answer to `buildTradeBill` or `buildFundFlowBill`: verified, then
    /// `{ hashType, hashValue, downloadUrl }`.
    ///
    /// @throws {WxPayError} `API_ERROR` (e.g. `NO_STATEMENT_EXIST` before about 09:00 of the next day), the codes of `verifySignature`, `MALFORMED_JSON`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = parseBillResponse, unchecked_return_type = "BillResponse")]
    pub fn parse_bill_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeChatResponse")] response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        let (status, headers, body) = ResponseIn::read(response)?;
        let now = seconds(now, "now")?;
        camel_js(&wxpay::v3::read_response::<TradeBillRequest>(&self.inner.borrow(), status, &headers, body.bytes(), now)?)
    }
}

/// A downloaded trade bill: its SHA-1 checked against `bill.hashValue` (of the text, after gzip
/// is undone when `options.tarType` is `'GZIP'`), then read into `{ rows, summary }`, amounts in
/// fen, the summary checked against the rows. Nothing is returned from a file that fails a check.
///
/// @throws {WxPayError} `BILL_HASH_MISMATCH`, `INVALID_GZIP`, `TOO_LARGE` (over `options.limit` bytes, default 256 MiB), `NOT_UTF8`, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = openTradeBill, unchecked_return_type = "TradeBill")]
pub fn open_trade_bill(
    #[wasm_bindgen(unchecked_param_type = "BillResponse")] bill: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "OpenBillOptions")] options: JsValue,
) -> Result<JsValue> {
    camel_js(&TradeBill::parse(&open(bill, bytes, options)?)?)
}

/// A downloaded fund flow bill, checked and read as `openTradeBill` does.
///
/// @throws {WxPayError} as `openTradeBill`
#[wasm_bindgen(js_name = openFundFlowBill, unchecked_return_type = "FundFlowBill")]
pub fn open_fund_flow_bill(
    #[wasm_bindgen(unchecked_param_type = "BillResponse")] bill: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "OpenBillOptions")] options: JsValue,
) -> Result<JsValue> {
    camel_js(&FundFlowBill::parse(&open(bill, bytes, options)?)?)
}
