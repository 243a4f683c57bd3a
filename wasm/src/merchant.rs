//! The v2 `Merchant` class's requests and answers (export group `api`): the calls of the
//! functions `buildUnifiedOrder(order, merchant)`, `parseUnifiedOrderResponse(xml, merchant)`,
//! … as methods of a merchant configured once, `merchant.buildUnifiedOrder(order)`, the shape
//! of `wxpay/v3`'s `Merchant`. The functions stay as the package's first shape.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wxpay::v2::{CloseOrderResponse, OrderQueryResponse, RefundQueryResponse, RefundResponse, Response, UnifiedOrderResponse};

use super::api::{build_with, close_order_in, order_query_in, parse_with, refund_in, refund_query_in, unified_order_in};
use super::error::Result;
use super::notify::JsMerchant;

#[wasm_bindgen(js_class = Merchant)]
impl JsMerchant {
    /// The signed XML body for `POST /pay/unifiedorder` (a JSAPI order); see the function
    /// `buildUnifiedOrder`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = buildUnifiedOrder)]
    pub fn build_unified_order(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedOrderRequest")] order: JsValue,
        #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
    ) -> Result<String> {
        build_with(&self.inner, unified_order_in(order), nonce_str)
    }

    /// Checks and reads WeChat's answer to unifiedorder; see `parseUnifiedOrderResponse`.
    ///
    /// @throws {WxPayError} `SIGNATURE_MISMATCH`, `RETURN_FAIL`, `BUSINESS_ERROR`, XML codes, `MISSING_FIELD`, `INVALID_FIELD`
    #[wasm_bindgen(js_name = parseUnifiedOrderResponse, unchecked_return_type = "UnifiedOrderResponse")]
    pub fn parse_unified_order_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    ) -> Result<JsValue> {
        self.parse::<UnifiedOrderResponse>(xml)
    }

    /// The signed XML body for `POST /pay/orderquery`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = buildOrderQuery)]
    pub fn build_order_query(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OrderQueryRequest")] query: JsValue,
        #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
    ) -> Result<String> {
        build_with(&self.inner, order_query_in(query), nonce_str)
    }

    /// Checks and reads WeChat's answer to orderquery.
    ///
    /// @throws {WxPayError} as `parseUnifiedOrderResponse`
    #[wasm_bindgen(js_name = parseOrderQueryResponse, unchecked_return_type = "OrderQueryResponse")]
    pub fn parse_order_query_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    ) -> Result<JsValue> {
        self.parse::<OrderQueryResponse>(xml)
    }

    /// The signed XML body for `POST /pay/closeorder`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = buildCloseOrder)]
    pub fn build_close_order(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CloseOrderRequest")] close: JsValue,
        #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
    ) -> Result<String> {
        build_with(&self.inner, close_order_in(close), nonce_str)
    }

    /// Checks WeChat's answer to closeorder.
    ///
    /// @throws {WxPayError} as `parseUnifiedOrderResponse`
    #[wasm_bindgen(js_name = parseCloseOrderResponse, unchecked_return_type = "CloseOrderResponse")]
    pub fn parse_close_order_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    ) -> Result<JsValue> {
        self.parse::<CloseOrderResponse>(xml)
    }

    /// The signed XML body for `POST /secapi/pay/refund` (sent over mutual TLS).
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = buildRefund)]
    pub fn build_refund(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RefundRequest")] refund: JsValue,
        #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
    ) -> Result<String> {
        build_with(&self.inner, refund_in(refund), nonce_str)
    }

    /// Checks and reads WeChat's answer to refund: *accepted*, not yet refunded.
    ///
    /// @throws {WxPayError} as `parseUnifiedOrderResponse`
    #[wasm_bindgen(js_name = parseRefundResponse, unchecked_return_type = "RefundResponse")]
    pub fn parse_refund_response(&self, #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue) -> Result<JsValue> {
        self.parse::<RefundResponse>(xml)
    }

    /// The signed XML body for `POST /pay/refundquery`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = buildRefundQuery)]
    pub fn build_refund_query(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RefundQueryRequest")] query: JsValue,
        #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
    ) -> Result<String> {
        build_with(&self.inner, refund_query_in(query), nonce_str)
    }

    /// Checks and reads WeChat's answer to refundquery, with the `_$n` fields as `refunds[n]`.
    ///
    /// @throws {WxPayError} as `parseUnifiedOrderResponse`
    #[wasm_bindgen(js_name = parseRefundQueryResponse, unchecked_return_type = "RefundQueryResponse")]
    pub fn parse_refund_query_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    ) -> Result<JsValue> {
        self.parse::<RefundQueryResponse>(xml)
    }
}

impl JsMerchant {
    fn parse<R: Response + Serialize>(&self, xml: &JsValue) -> Result<JsValue> {
        parse_with::<R>(&self.inner, xml)
    }
}
