//! WeChat's endpoints, as faults, the call journal and the control page name them.

use serde::{Deserialize, Serialize};

/// The endpoints faults and the call journal name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Endpoint {
    /// `/sns/jscode2session`.
    Jscode2session,
    /// `/pay/unifiedorder`.
    Unifiedorder,
    /// `/pay/orderquery`.
    Orderquery,
    /// `/pay/closeorder`.
    Closeorder,
    /// `/secapi/pay/refund`.
    Refund,
    /// `/pay/refundquery`.
    Refundquery,
    /// `/pay/downloadbill`.
    Downloadbill,
    /// v3 `POST /v3/pay/transactions/jsapi`.
    #[serde(rename = "v3_jsapi")]
    V3Jsapi,
    /// v3 `GET /v3/pay/transactions/id/{transaction_id}` and `…/out-trade-no/{out_trade_no}`.
    #[serde(rename = "v3_query")]
    V3Query,
    /// v3 `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`.
    #[serde(rename = "v3_close")]
    V3Close,
    /// v3 `POST /v3/refund/domestic/refunds`.
    #[serde(rename = "v3_refund")]
    V3Refund,
    /// v3 `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    #[serde(rename = "v3_refund_query")]
    V3RefundQuery,
    /// v3 `POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund`.
    #[serde(rename = "v3_abnormal_refund")]
    V3AbnormalRefund,
    /// v3 `GET /v3/certificates`.
    #[serde(rename = "v3_certificates")]
    V3Certificates,
    /// v3 `GET /v3/bill/tradebill`.
    #[serde(rename = "v3_tradebill")]
    V3Tradebill,
    /// v3 `GET /v3/bill/fundflowbill`.
    #[serde(rename = "v3_fundflowbill")]
    V3Fundflowbill,
    /// v3 `GET /v3/billdownload/file` (the `download_url`).
    #[serde(rename = "v3_billdownload")]
    V3Billdownload,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 7] = [
        Endpoint::Jscode2session,
        Endpoint::Unifiedorder,
        Endpoint::Orderquery,
        Endpoint::Closeorder,
        Endpoint::Refund,
        Endpoint::Refundquery,
        Endpoint::Downloadbill,
    ];

    /// The URL path.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Jscode2session => "/sns/jscode2session",
            Endpoint::Unifiedorder => "/pay/unifiedorder",
            Endpoint::Orderquery => "/pay/orderquery",
            Endpoint::Closeorder => "/pay/closeorder",
            Endpoint::Refund => "/secapi/pay/refund",
            Endpoint::Refundquery => "/pay/refundquery",
            Endpoint::Downloadbill => "/pay/downloadbill",
            Endpoint::V3Jsapi => "/v3/pay/transactions/jsapi",
            Endpoint::V3Query => "/v3/pay/transactions/out-trade-no/{out_trade_no}",
            Endpoint::V3Close => "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            Endpoint::V3Refund => "/v3/refund/domestic/refunds",
            Endpoint::V3RefundQuery => "/v3/refund/domestic/refunds/{out_refund_no}",
            Endpoint::V3AbnormalRefund => "/v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund",
            Endpoint::V3Certificates => "/v3/certificates",
            Endpoint::V3Tradebill => "/v3/bill/tradebill",
            Endpoint::V3Fundflowbill => "/v3/bill/fundflowbill",
            Endpoint::V3Billdownload => "/v3/billdownload/file",
        }
    }

    /// The endpoint of a URL path.
    pub fn from_path(path: &str) -> Option<Self> {
        Endpoint::ALL.into_iter().find(|e| e.path() == path)
    }

    /// Every v3 endpoint.
    pub const V3: [Endpoint; 10] = [
        Endpoint::V3Jsapi,
        Endpoint::V3Query,
        Endpoint::V3Close,
        Endpoint::V3Refund,
        Endpoint::V3RefundQuery,
        Endpoint::V3AbnormalRefund,
        Endpoint::V3Certificates,
        Endpoint::V3Tradebill,
        Endpoint::V3Fundflowbill,
        Endpoint::V3Billdownload,
    ];

    /// The v3 endpoint of a method and URL path (paths with parameters included).
    pub fn from_v3(method: &str, path: &str) -> Option<Self> {
        let post = method == "POST";
        Some(match path {
            "/v3/pay/transactions/jsapi" if post => Endpoint::V3Jsapi,
            "/v3/refund/domestic/refunds" if post => Endpoint::V3Refund,
            "/v3/certificates" => Endpoint::V3Certificates,
            "/v3/bill/tradebill" => Endpoint::V3Tradebill,
            "/v3/bill/fundflowbill" => Endpoint::V3Fundflowbill,
            "/v3/billdownload/file" => Endpoint::V3Billdownload,
            p if p.starts_with("/v3/pay/transactions/") && p.ends_with("/close") => Endpoint::V3Close,
            p if p.starts_with("/v3/pay/transactions/") => Endpoint::V3Query,
            p if p.starts_with("/v3/refund/domestic/refunds/") && p.ends_with("/apply-abnormal-refund") => Endpoint::V3AbnormalRefund,
            p if p.starts_with("/v3/refund/domestic/refunds/") => Endpoint::V3RefundQuery,
            _ => return None,
        })
    }
}
