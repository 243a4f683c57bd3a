//! The v3 merchant: who signs, and with which key.

use crate::error::Result;
use crate::v3::jsapi::PaymentParams;
use crate::v3::keys::MerchantKey;
use crate::v3::request::{Request, SignedRequest};
use crate::v3::sign::{authorization_header, request_message, Signer};
use crate::v3::verify::KeySet;
use crate::validate;

/// Who we are to WeChat Pay v3: the mini-program's `appid`, the merchant's `mchid`, the serial
/// number of the merchant API certificate (商户API证书序列号, `serial_no` in the
/// `Authorization` header) and its private key. `Debug` shows the key as `***`.
///
/// The key is a [`MerchantKey`] unless another [`Signer`] holds it (an HSM, a KMS).
#[derive(Debug)]
pub struct Merchant<K = MerchantKey> {
    /// The mini-program's AppID (`wx…`).
    pub appid: String,
    /// The merchant number (商户号).
    pub mchid: String,
    /// The merchant API certificate's serial number, hex.
    pub serial_no: String,
    /// The merchant API private key, or what signs with it.
    pub key: K,
}

impl<K: Signer> Merchant<K> {
    /// A merchant; the identifiers are checked here, so a typo fails before the first request.
    ///
    /// # Errors
    /// [`Error::MissingField`](crate::Error::MissingField) or
    /// [`Error::InvalidField`](crate::Error::InvalidField) for `appid`, `mchid`, `serial_no`.
    pub fn new(appid: impl Into<String>, mchid: impl Into<String>, serial_no: impl Into<String>, key: K) -> Result<Self> {
        let m = Merchant { appid: appid.into(), mchid: mchid.into(), serial_no: serial_no.into(), key };
        validate::id("appid", &m.appid, 32)?;
        validate::token("mchid", &m.mchid, 32, |b| b.is_ascii_digit(), "digits")?;
        validate::token("serial_no", &m.serial_no, 64, |b| b.is_ascii_hexdigit(), "hex digits")?;
        Ok(m)
    }

    /// The `Authorization` header for one request; `timestamp` (seconds) and `nonce` are
    /// passed in, and `body` must be exactly what is sent.
    ///
    /// # Errors
    /// As [`request_message`](crate::v3::request_message), or
    /// the signer's error ([`Error::Random`](crate::Error::Random) for a [`MerchantKey`]).
    pub fn authorization(&self, method: &str, path_and_query: &str, timestamp: u64, nonce: &str, body: &str) -> Result<String> {
        let message = request_message(method, path_and_query, timestamp, nonce, body)?;
        let signature = self.key.sign(message.as_bytes())?;
        Ok(authorization_header(&self.mchid, &self.serial_no, timestamp, nonce, &signature))
    }

    /// A typed request, validated, serialised and signed. `Wechatpay-Serial` is set only when
    /// the request has encrypted fields (the key they were encrypted to); prefer
    /// [`Merchant::sign_request_with_keys`], which always names the key of the answer.
    ///
    /// # Errors
    /// The request's validation errors, or as [`Merchant::authorization`].
    pub fn sign_request<R: Request>(&self, request: &R, timestamp: u64, nonce: &str) -> Result<SignedRequest> {
        let serial = request.wechatpay_serial().map(str::to_owned);
        self.sign(request, timestamp, nonce, serial)
    }

    /// A typed request, validated, serialised and signed, with `Wechatpay-Serial`: the key its
    /// sensitive fields were encrypted to if it has any, else the key `keys` names at
    /// `timestamp` ([`KeySet::request_serial`]: the WeChat Pay public key if held, else the
    /// newest valid platform certificate).
    ///
    /// # Errors
    /// [`Error::NoWechatPayKey`](crate::Error::NoWechatPayKey), or as [`Merchant::sign_request`].
    pub fn sign_request_with_keys<R: Request>(&self, keys: &KeySet, request: &R, timestamp: u64, nonce: &str) -> Result<SignedRequest> {
        let serial = match request.wechatpay_serial() {
            Some(serial) => serial,
            None => keys.request_serial(timestamp)?,
        };
        self.sign(request, timestamp, nonce, Some(serial.to_owned()))
    }

    fn sign<R: Request>(&self, request: &R, timestamp: u64, nonce: &str, wechatpay_serial: Option<String>) -> Result<SignedRequest> {
        let path_and_query = request.path_and_query(&self.mchid)?;
        let body = request.body(&self.appid, &self.mchid)?;
        let method = R::METHOD.as_str();
        let authorization = self.authorization(method, &path_and_query, timestamp, nonce, &body)?;
        Ok(SignedRequest { method, path_and_query, body, authorization, wechatpay_serial, timestamp, nonce: nonce.to_owned() })
    }

    /// The `wx.requestPayment` parameters for a JSAPI `prepay_id`, signed with RSA.
    ///
    /// # Errors
    /// As [`PaymentParams::new`].
    pub fn payment_params(&self, prepay_id: &str, time_stamp: u64, nonce: &str) -> Result<PaymentParams> {
        PaymentParams::new(&self.appid, prepay_id, &self.key, time_stamp, nonce)
    }
}
