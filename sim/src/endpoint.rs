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
        }
    }

    /// The endpoint of a URL path.
    pub fn from_path(path: &str) -> Option<Self> {
        Endpoint::ALL.into_iter().find(|e| e.path() == path)
    }
}
