//! What every handler is given: who the simulator plays WeChat for, its clock and speed, the
//! fault model, and the state model it asks.

use wxpay::ApiKey;

use crate::clock::Clock;
use crate::credentials::Credentials;
use crate::faults::Faults;
use crate::model::Model;
use crate::wechat_keys::WechatKeys;

/// The simulator, as its handlers see it.
pub(crate) struct Sim {
    pub(crate) creds: Credentials,
    pub(crate) key: ApiKey,
    pub(crate) clock: Clock,
    pub(crate) faults: Faults,
    pub(crate) model: Model,
    /// Notify retries and refund processing go this many times faster than WeChat's.
    pub(crate) time_scale: f64,
    pub(crate) accept_any_code: bool,
    pub(crate) http: reqwest::Client,
    /// API v3: WeChat's keys and the merchant's.
    pub(crate) v3: WechatKeys,
}

impl Sim {
    pub(crate) fn new(
        creds: Credentials,
        key: ApiKey,
        clock: Clock,
        time_scale: f64,
        accept_any_code: bool,
        http: reqwest::Client,
        v3: WechatKeys,
    ) -> Self {
        let model = Model::new(clock.clone());
        Sim { creds, key, clock, faults: Faults::default(), model, time_scale, accept_any_code, http, v3 }
    }

    /// WeChat's `secs` seconds at this simulator's speed.
    pub(crate) fn scaled(&self, secs: f64) -> std::time::Duration {
        std::time::Duration::from_secs_f64((secs / self.time_scale).max(0.0))
    }
}
