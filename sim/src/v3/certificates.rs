//! `GET /v3/certificates`: the platform certificates, each AES-256-GCM encrypted with the
//! APIv3 key; in `public-key` mode 404 `RESOURCE_NOT_EXISTS`, as WeChat answers merchants
//! that have no platform certificate (new merchants since 2024-10, as SDK users reported).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use wxpay::v3::EncryptedResource;

use super::reply::{ok, V3Error, V3Result};
use crate::context::Sim;
use crate::dates::rfc3339;

/// `GET /v3/certificates`.
pub(crate) async fn certificates(State(sim): State<Arc<Sim>>) -> V3Result {
    let Some(listed) = sim.v3.listed(sim.clock.now_secs()) else {
        return Err(V3Error::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_EXISTS",
            "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥",
        ));
    };
    let mut data = Vec::new();
    for c in listed {
        let nonce = wxpay::nonce_str().map_err(|_| V3Error::system())?;
        let encrypted = EncryptedResource::encrypt(&sim.v3.api_v3_key, c.pem.as_bytes(), &nonce[..12], "certificate", "certificate")
            .map_err(|_| V3Error::system())?;
        data.push(json!({
            "serial_no": c.serial,
            "effective_time": rfc3339(c.not_before as i64),
            "expire_time": rfc3339(c.not_after as i64),
            "encrypt_certificate": encrypted,
        }));
    }
    ok(json!({ "data": data }))
}
