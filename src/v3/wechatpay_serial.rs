//! `Wechatpay-Serial` on requests: which of WeChat's keys the merchant names, so that WeChat
//! signs its *answer* with that key, and the key sensitive fields are encrypted to.
//!
//! The rule (the switchover from platform certificates to the WeChat Pay public key):
//!
//! | the key set holds | the request names |
//! | --- | --- |
//! | a WeChat Pay public key | its `PUB_KEY_ID_…` |
//! | platform certificates only | the newest valid one: the latest `not_before` among those valid at `now` (`not_before ≤ now ≤ not_after`) |
//! | both (a merchant moving from certificates to the public key) | the public key |
//! | nothing usable (empty, or only expired or not yet valid certificates) | [`Error::NoWechatPayKey`] |
//!
//! With both, the public key wins: WeChat's answers follow this header at once, while notifies
//! move to the public key on WeChat's own schedule (about 7 days), so [`KeySet::verify`] keeps
//! accepting both. Two public keys (a rotation) give the greatest id in byte order, so that the
//! choice is deterministic; keep one once the new key is in use. Ties between certificates of
//! the same `not_before` go to the greatest serial, for the same reason.

use crate::error::{Error, Result};
use crate::v3::keys::PublicKey;
use crate::v3::verify::{Key, KeySet};

impl KeySet {
    /// The value of a request's `Wechatpay-Serial` at `now` (Unix seconds), by the rule of the
    /// table above.
    ///
    /// ```
    /// # let wechat_pub_pem = include_str!("../../tests/data/v3_test_wechatpay_public_key.pem");
    /// let mut keys = wxpay::v3::KeySet::new();
    /// assert!(keys.request_serial(1_795_000_000).is_err());
    /// keys.add_public_key("PUB_KEY_ID_0119000001202611230000000000000000", wechat_pub_pem)?;
    /// assert_eq!(keys.request_serial(1_795_000_000)?, "PUB_KEY_ID_0119000001202611230000000000000000");
    /// # Ok::<(), wxpay::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NoWechatPayKey`] when the set is empty or no certificate is valid at `now`.
    pub fn request_serial(&self, now: u64) -> Result<&str> {
        self.request_key(now).map(|(serial, _)| serial)
    }

    /// The serial (or id) [`KeySet::request_serial`] names, with its key.
    pub(crate) fn request_key(&self, now: u64) -> Result<(&str, &PublicKey)> {
        if self.keys.is_empty() {
            return Err(Error::NoWechatPayKey("the key set is empty: add the WeChat Pay public key or download the platform certificates"));
        }
        // BTreeMap order: the last public key is the greatest id.
        let public_key = self.keys.iter().rev().find_map(|(id, k)| match k {
            Key::PublicKey(key) => Some((id.as_str(), key)),
            Key::Certificate(_) => None,
        });
        if let Some(found) = public_key {
            return Ok(found);
        }
        self.keys
            .iter()
            .filter_map(|(serial, k)| match k {
                Key::Certificate(c) if c.not_before <= now && now <= c.not_after => {
                    Some(((c.not_before, serial), (serial.as_str(), &c.key)))
                }
                _ => None,
            })
            .max_by(|(a, _), (b, _)| a.cmp(b))
            .map(|(_, found)| found)
            .ok_or(Error::NoWechatPayKey(
                "no platform certificate is valid now (expired or not yet valid): download them again, or add the WeChat Pay public key",
            ))
    }
}
