//! API v3's keys on requests: which WeChat key an answer is to be signed with
//! (`Wechatpay-Serial`), and sensitive fields encrypted to it (RSA-OAEP) or decrypted with the
//! merchant's key. The choice and the cryptography are the core's (`wxpay::v3`).

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wxpay::v3::SensitiveText;
use wxpay::Error;

use super::convert::to_js;
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

#[wasm_bindgen(js_class = Merchant)]
impl V3Merchant {
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
