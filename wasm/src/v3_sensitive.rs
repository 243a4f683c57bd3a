//! API v3's keys on requests: which WeChat key an answer is to be signed with
//! (`Wechatpay-Serial`), and sensitive fields encrypted to it (RSA-OAEP) or decrypted with the
//! merchant's key. The choice and the cryptography are the core's (`wxpay::v3`).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wxpay::v3::{AbnormalRefundFields, AbnormalRefundType, EncryptedAbnormalRefund, SensitiveText};
use wxpay::Error;

use super::convert::{from_js, required, to_js};
use super::error::Result;
use super::js;
use super::v3::{seconds, KeySet, V3Merchant};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EncryptedOut<'a> {
    wechatpay_serial: &'a str,
    ciphertext: String,
}

#[wasm_bindgen]
impl KeySet {
    /// The `Wechatpay-Serial` to send on a request (`options.wechatpaySerial` of the `build…`
    /// methods): WeChat signs its answer with the key it names. The WeChat Pay public key when
    /// the set has one (during the move from platform certificates, answers follow this header
    /// at once), else the newest platform certificate valid at `now`.
    ///
    /// @throws {WxPayError} `NO_WECHATPAY_KEY`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = requestSerial)]
    pub fn request_serial(&self, #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue) -> Result<String> {
        let now = seconds(now, "now")?;
        Ok(self.inner.borrow().request_serial(now)?.to_owned())
    }

    /// A sensitive field (敏感信息, e.g. a name or a bank account) encrypted with RSA-OAEP to the
    /// key `requestSerial` names; send the request with that `wechatpaySerial`.
    ///
    /// @throws {WxPayError} `NO_WECHATPAY_KEY`, `INVALID_FIELD` (too long for one RSA block), `INVALID_KEY`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = encryptSensitive, unchecked_return_type = "EncryptedField")]
    pub fn encrypt_sensitive(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        let text = SensitiveText::new(js::text(text, "text")?);
        let now = seconds(now, "now")?;
        let keys = self.inner.borrow();
        let encryptor = keys.field_encryptor(now)?;
        to_js(&EncryptedOut { wechatpay_serial: encryptor.serial(), ciphertext: encryptor.encrypt("text", &text)? })
    }
}

/// What `KeySet#encryptSensitive` gave.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EncryptedFieldIn {
    wechatpay_serial: Option<String>,
    ciphertext: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AbnormalRefundIn {
    #[serde(alias = "refund_id")]
    refund_id: Option<String>,
    #[serde(alias = "out_refund_no")]
    out_refund_no: Option<String>,
    #[serde(rename = "type")]
    kind: Option<AbnormalRefundType>,
    #[serde(alias = "bank_type")]
    bank_type: Option<String>,
    #[serde(alias = "bank_account")]
    bank_account: Option<EncryptedFieldIn>,
    #[serde(alias = "real_name")]
    real_name: Option<EncryptedFieldIn>,
    /// For `MERCHANT_BANK_CARD`, which encrypts nothing: `keys.requestSerial()`.
    wechatpay_serial: Option<String>,
}

impl AbnormalRefundIn {
    fn into_core(self) -> Result<EncryptedAbnormalRefund> {
        let mut serial = self.wechatpay_serial;
        let mut field = |name: &str, f: Option<EncryptedFieldIn>| -> Result<Option<String>> {
            let Some(f) = f else { return Ok(None) };
            let s = required(f.wechatpay_serial, &format!("{name}.wechatpaySerial"))?;
            if serial.as_ref().is_some_and(|t| *t != s) {
                return Err(
                    Error::invalid(name, "was encrypted to another key than the other field (encrypt both with the same KeySet)").into()
                );
            }
            serial = Some(s);
            Ok(Some(required(f.ciphertext, &format!("{name}.ciphertext"))?))
        };
        let bank_account = field("bankAccount", self.bank_account)?;
        let real_name = field("realName", self.real_name)?;
        let fields = AbnormalRefundFields {
            refund_id: required(self.refund_id, "refundId")?,
            out_refund_no: required(self.out_refund_no, "outRefundNo")?,
            kind: required(self.kind, "type")?,
            bank_type: self.bank_type,
        };
        // The core names a missing card field first, then a missing serial.
        Ok(EncryptedAbnormalRefund::from_ciphertexts(fields, bank_account, real_name, serial.unwrap_or_default())?)
    }
}

#[wasm_bindgen(js_class = Merchant)]
impl V3Merchant {
    /// 发起异常退款, for a refund in `ABNORMAL`: `POST /v3/refund/domestic/refunds/{refundId}/apply-abnormal-refund`.
    /// `bankAccount` and `realName` are what `keys.encryptSensitive(text)` gave (never the text:
    /// a plaintext is refused), and the request carries their key as `Wechatpay-Serial`. Read
    /// the answer with `KeySet#parseRefundResponse`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildAbnormalRefund, unchecked_return_type = "SignedRequest")]
    pub fn build_abnormal_refund(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AbnormalRefund")] refund: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        self.build(from_js::<AbnormalRefundIn>(refund, "refund").and_then(AbnormalRefundIn::into_core), options)
    }

    /// A sensitive field of WeChat's answer, decrypted with the merchant's private key. Only
    /// for answers already verified (`KeySet#parse…`): see the core's note on RSA decryption.
    /// A merchant made with `sign` instead of `privateKey` cannot decrypt.
    ///
    /// @throws {WxPayError} `OAEP_DECRYPT_FAILED`, `TRUNCATED_CIPHERTEXT`, `INVALID_FIELD` (not base64), `NOT_UTF8`, `MISSING_FIELD` (`privateKey`), `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = decryptSensitive)]
    pub fn decrypt_sensitive(&self, #[wasm_bindgen(unchecked_param_type = "string")] ciphertext: &JsValue) -> Result<String> {
        let ciphertext = js::text(ciphertext, "ciphertext")?;
        let key = self.private_key().ok_or_else(|| Error::missing("privateKey"))?;
        Ok(key.decrypt_sensitive(&ciphertext)?.expose().to_owned())
    }
}
