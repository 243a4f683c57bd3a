//! 再次签名: the parameters of `wx.requestPayment`, signed with `paySign`.

use serde::{Deserialize, Serialize};

use super::sign::{sign_sorted, verify_sorted};
use super::{Merchant, SignType};
use crate::error::{Error, Result};
use crate::{validate, ApiKey};

/// What the mini-program passes to `wx.requestPayment` (plus `appId`, which is signed but not
/// passed). Serialises with WeChat's camelCase names; holds no secret.
///
/// ```
/// use wxpay::{ApiKey, Merchant};
/// let merchant = Merchant::new("wxd930ea5d5a258f4f", "10000100",
///     ApiKey::new("192006250b4c09247ec02edce69f6a2d")?);
/// let p = merchant.payment_params("wx2017033010242291fcfe0db70013231072", 1490840662,
///     "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")?;
/// assert_eq!(p.package, "prepay_id=wx2017033010242291fcfe0db70013231072");
/// assert_eq!(p.time_stamp, "1490840662");
/// assert!(p.verify(&merchant.key).is_ok());
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentParams {
    /// The mini-program's AppID (signed; `wx.requestPayment` does not take it).
    pub app_id: String,
    /// Seconds since the Unix epoch, as a string.
    pub time_stamp: String,
    /// A random string of at most 32 characters.
    pub nonce_str: String,
    /// `prepay_id=<id>`.
    pub package: String,
    /// `MD5` or `HMAC-SHA256`.
    pub sign_type: SignType,
    /// The signature over exactly the five fields above.
    pub pay_sign: String,
}

impl PaymentParams {
    /// Signs `appId, timeStamp, nonceStr, package, signType` for `prepay_id`.
    ///
    /// # Errors
    /// [`Error::MissingField`] for an empty `prepay_id`, [`Error::InvalidField`] for one that
    /// already starts with `prepay_id=` (a `package` passed back), or an invalid `nonce`.
    pub fn new(app_id: &str, prepay_id: &str, key: &ApiKey, sign_type: SignType, time_stamp: u64, nonce: &str) -> Result<Self> {
        validate::id("appId", app_id, 32)?;
        validate::prepay_id(prepay_id)?;
        validate::nonce_str(nonce)?;
        let mut p = PaymentParams {
            app_id: app_id.to_owned(),
            time_stamp: time_stamp.to_string(),
            nonce_str: nonce.to_owned(),
            package: format!("prepay_id={prepay_id}"),
            sign_type,
            pay_sign: String::new(),
        };
        p.pay_sign = sign_sorted(p.signed_pairs(), key, sign_type);
        Ok(p)
    }

    /// The five signed pairs, already in ASCII order (`appId` < `nonceStr` < `package` <
    /// `signType` < `timeStamp`).
    fn signed_pairs(&self) -> [(&str, &str); 5] {
        [
            ("appId", self.app_id.as_str()),
            ("nonceStr", self.nonce_str.as_str()),
            ("package", self.package.as_str()),
            ("signType", self.sign_type.as_str()),
            ("timeStamp", self.time_stamp.as_str()),
        ]
    }

    /// The `prepay_id` inside `package`.
    pub fn prepay_id(&self) -> Option<&str> {
        self.package.strip_prefix("prepay_id=")
    }

    /// Checks `paySign` the way the WeChat client does before it shows the payment sheet.
    ///
    /// # Errors
    /// [`Error::SignatureMismatch`], or [`Error::InvalidField`] for a malformed `package`.
    pub fn verify(&self, key: &ApiKey) -> Result<()> {
        if self.prepay_id().is_none_or(str::is_empty) {
            return Err(Error::invalid("package", "must be prepay_id=<id>"));
        }
        verify_sorted(self.signed_pairs(), &self.pay_sign, key, self.sign_type).map(|_| ())
    }
}

impl Merchant {
    /// The `wx.requestPayment` parameters for a `prepay_id`, signed with this merchant's sign
    /// type (which must be the one the order was placed with).
    ///
    /// # Errors
    /// As [`PaymentParams::new`].
    pub fn payment_params(&self, prepay_id: &str, time_stamp: u64, nonce: &str) -> Result<PaymentParams> {
        PaymentParams::new(&self.appid, prepay_id, &self.key, self.sign_type, time_stamp, nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepay_id_given_as_its_package_is_refused() {
        let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d".to_owned()).unwrap();
        let twice = PaymentParams::new(
            "wx2421b1c4370ec43b",
            "prepay_id=wx2017033010242291",
            &key,
            SignType::Md5,
            1_490_840_662,
            "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        );
        assert!(matches!(twice, Err(Error::InvalidField { ref name, .. }) if name == "prepay_id"), "{twice:?}");
        let once = PaymentParams::new(
            "wx2421b1c4370ec43b",
            "wx2017033010242291",
            &key,
            SignType::Md5,
            1_490_840_662,
            "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        );
        assert_eq!(once.unwrap().package, "prepay_id=wx2017033010242291");
    }
}
