//! 小程序调起支付: the `wx.requestPayment` parameters of a v3 order, with `signType: "RSA"`.
//!
//! `paySign` is SHA256withRSA over four lines, `appId\ntimeStamp\nnonceStr\npackage\n`, where
//! `package` is `prepay_id=…`. (The APP flow signs the bare prepay_id instead: the most common
//! mistake when the two are mixed.)

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::keys::PublicKey;
use crate::v3::sign::Signer;
use crate::v3::BASE64;
use crate::validate;

/// Exactly the object `wx.requestPayment` takes: `timeStamp`, `nonceStr`, `package`,
/// `signType` (`RSA`) and `paySign`. `appId` is signed but not passed (the mini-program knows
/// it). Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentParams {
    /// Seconds since the Unix epoch, as a string.
    pub time_stamp: String,
    /// A random string of at most 32 characters.
    pub nonce_str: String,
    /// `prepay_id=<id>`.
    pub package: String,
    /// Always `RSA` in v3.
    pub sign_type: String,
    /// Base64 SHA256withRSA over `appId\ntimeStamp\nnonceStr\npackage\n`.
    pub pay_sign: String,
}

/// The four signed lines.
///
/// ```
/// // WeChat's example (小程序调起支付, 数据举例).
/// let m = wxpay::v3::pay_sign_message("wx8888888888888888", "1414561699",
///     "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "prepay_id=wx201410272009395522657a690389285100");
/// assert_eq!(m, "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n");
/// ```
pub fn pay_sign_message(app_id: &str, time_stamp: &str, nonce_str: &str, package: &str) -> String {
    format!("{app_id}\n{time_stamp}\n{nonce_str}\n{package}\n")
}

impl PaymentParams {
    /// Signs the parameters for `prepay_id` with the merchant key (usually a
    /// [`MerchantKey`](crate::v3::MerchantKey)).
    ///
    /// # Errors
    /// [`Error::MissingField`] / [`Error::InvalidField`] for an empty or malformed `appId`,
    /// `prepay_id` (one that already starts with `prepay_id=`, a `package` passed back, is
    /// refused) or nonce; [`Error::Random`].
    pub fn new(app_id: &str, prepay_id: &str, key: &impl Signer, time_stamp: u64, nonce: &str) -> Result<Self> {
        validate::id("appId", app_id, 32)?;
        validate::prepay_id(prepay_id)?;
        validate::nonce_str(nonce)?;
        let time_stamp = time_stamp.to_string();
        let package = format!("prepay_id={prepay_id}");
        let pay_sign = key.sign(pay_sign_message(app_id, &time_stamp, nonce, &package).as_bytes())?;
        Ok(PaymentParams { time_stamp, nonce_str: nonce.to_owned(), package, sign_type: "RSA".to_owned(), pay_sign })
    }

    /// The `prepay_id` inside `package`.
    pub fn prepay_id(&self) -> Option<&str> {
        self.package.strip_prefix("prepay_id=")
    }

    /// Checks `paySign` against the merchant's public key, as the WeChat client does.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a malformed `package` or `signType`, or
    /// [`Error::SignatureMismatch`].
    pub fn verify(&self, app_id: &str, key: &PublicKey) -> Result<()> {
        if self.prepay_id().is_none_or(str::is_empty) {
            return Err(Error::invalid("package", "must be prepay_id=<id>"));
        }
        if self.sign_type != "RSA" {
            return Err(Error::invalid("signType", "must be RSA in API v3"));
        }
        let sig = BASE64.decode(&self.pay_sign).map_err(|_| Error::SignatureMismatch)?;
        let message = pay_sign_message(app_id, &self.time_stamp, &self.nonce_str, &self.package);
        if key.verify(message.as_bytes(), &sig) {
            Ok(())
        } else {
            Err(Error::SignatureMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signs nothing: the checks before signing are under test.
    struct NoKey;

    impl Signer for NoKey {
        fn sign(&self, _message: &[u8]) -> Result<String> {
            Ok("c2lnbmF0dXJl".to_owned())
        }
    }

    #[test]
    fn a_prepay_id_given_as_its_package_is_refused() {
        let nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
        let twice =
            PaymentParams::new("wx8888888888888888", "prepay_id=wx201410272009395522657a690389285100", &NoKey, 1_414_561_699, nonce);
        assert!(matches!(twice, Err(Error::InvalidField { ref name, .. }) if name == "prepay_id"), "{twice:?}");
        let once = PaymentParams::new("wx8888888888888888", "wx201410272009395522657a690389285100", &NoKey, 1_414_561_699, nonce);
        assert_eq!(once.unwrap().package, "prepay_id=wx201410272009395522657a690389285100");
    }
}
