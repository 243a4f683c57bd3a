//! Entry points for measuring: the v2 notify path (`V2`), the v3 operations (`V3`), or both.
//! Errors cross as their stable `code()`; results as JSON text.
#[cfg(feature = "v2")]
use wasm_bindgen::prelude::*;

#[cfg(feature = "v2")]
#[wasm_bindgen]
pub struct V2(wxpay::Merchant);
#[cfg(feature = "v2")]
#[wasm_bindgen]
impl V2 {
    #[wasm_bindgen(constructor)]
    pub fn new(appid: &str, mch_id: &str, key: &str) -> Result<V2, JsError> {
        Ok(V2(wxpay::Merchant::new(appid, mch_id, wxpay::ApiKey::new(key).map_err(|e| JsError::new(e.code()))?)))
    }
    #[wasm_bindgen(js_name = verifyPaymentNotify)]
    pub fn verify_payment_notify(&self, xml: &[u8]) -> Result<String, JsError> {
        self.0.verify_payment_notify(xml).map(|n| n.out_trade_no).map_err(|e| JsError::new(e.code()))
    }
}

#[cfg(feature = "v3")]
mod v3 {
    use wasm_bindgen::prelude::*;
    use wxpay::v3::{ApiV3Key, JsapiOrder, KeySet, Merchant, MerchantKey, SignatureHeaders};
    fn err(e: wxpay::Error) -> JsError { JsError::new(e.code()) }

    #[wasm_bindgen]
    pub struct V3 { merchant: Merchant, keys: KeySet, key: ApiV3Key }
    #[wasm_bindgen]
    impl V3 {
        #[wasm_bindgen(constructor)]
        pub fn new(appid: &str, mchid: &str, serial: &str, key_pem: &str, pub_id: &str, pub_pem: &str, cert_pem: &str, api_v3_key: &str) -> Result<V3, JsError> {
            let mut keys = KeySet::new();
            keys.add_public_key(pub_id, pub_pem).map_err(err)?;
            keys.add_certificate_pem(cert_pem).map_err(err)?;
            Ok(V3 { merchant: Merchant::new(appid, mchid, serial, MerchantKey::from_pem(key_pem).map_err(err)?).map_err(err)?, keys, key: ApiV3Key::new(api_v3_key).map_err(err)? })
        }
        #[wasm_bindgen(js_name = buildAuthorization)]
        pub fn build_authorization(&self, method: &str, path: &str, ts: u64, nonce: &str, body: &str) -> Result<String, JsError> {
            self.merchant.authorization(method, path, ts, nonce, body).map_err(err)
        }
        #[wasm_bindgen(js_name = jsapiOrder)]
        pub fn jsapi_order(&self, order_json: &str, ts: u64, nonce: &str) -> Result<String, JsError> {
            let order: JsapiOrder = serde_json::from_str(order_json).map_err(|e| JsError::new(&e.to_string()))?;
            let r = self.merchant.sign_request(&order, ts, nonce).map_err(err)?;
            Ok(r.authorization)
        }
        #[wasm_bindgen(js_name = paymentParams)]
        pub fn payment_params(&self, prepay_id: &str, ts: u64, nonce: &str) -> Result<String, JsError> {
            Ok(serde_json::to_string(&self.merchant.payment_params(prepay_id, ts, nonce).map_err(err)?).unwrap())
        }
        #[wasm_bindgen(js_name = openNotification)]
        pub fn open_notification(&self, ts: &str, nonce: &str, sig: &str, serial: &str, body: &[u8], now: u64) -> Result<String, JsError> {
            let h = SignatureHeaders { timestamp: ts.into(), nonce: nonce.into(), signature: sig.into(), serial: serial.into() };
            Ok(serde_json::to_string(&self.keys.open_notification(&self.key, &h, body, now).map_err(err)?).unwrap())
        }
        #[wasm_bindgen(js_name = verifySignature)]
        pub fn verify_signature(&self, ts: &str, nonce: &str, sig: &str, serial: &str, body: &[u8], now: u64) -> Result<(), JsError> {
            let h = SignatureHeaders { timestamp: ts.into(), nonce: nonce.into(), signature: sig.into(), serial: serial.into() };
            self.keys.verify(&h, body, now).map_err(err)
        }
    }
}
