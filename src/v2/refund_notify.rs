//! 退款结果通知: the refund notify, whose payload `req_info` is encrypted rather than signed.
//!
//! `req_info` = base64(AES-256-ECB(key = lowercase hex MD5 of the API key, PKCS#7(`<root>…</root>`))).
//! ECB is WeChat's choice, not ours; we only decrypt it.

use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes256;
use base64::Engine as _;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use super::message::{check_return_code, Read};
use super::{xml, Merchant};
use crate::error::{quoted, Error, Result};
use crate::{ApiKey, Fen, Params};

const BLOCK: usize = 16;

/// Standard alphabet; missing `=` padding is tolerated so that a truncated `req_info` is
/// reported as truncated, not as bad base64.
const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// `refund_status` in a refund notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundNotifyStatus {
    /// 退款成功.
    Success,
    /// 退款异常: the money could not be returned.
    Change,
    /// 退款关闭.
    Refundclose,
}

/// A decrypted refund notify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundNotify {
    /// Our appid (checked on the outer message).
    #[serde(rename = "appId")]
    pub appid: String,
    /// Our mch_id (checked on the outer message).
    pub mch_id: String,
    /// WeChat's transaction id of the payment.
    pub transaction_id: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// WeChat's refund id.
    pub refund_id: String,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// The payment's total amount.
    pub total_fee: Fen,
    /// The payment amount after merchant coupons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_total_fee: Option<Fen>,
    /// The amount applied for.
    pub refund_fee: Fen,
    /// The amount actually refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_refund_fee: Option<Fen>,
    /// The final state.
    pub refund_status: RefundNotifyStatus,
    /// `yyyy-MM-dd HH:mm:ss`, when successful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    /// Where the money went, e.g. `支付用户零钱` (sic: WeChat's spelling of the field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_recv_accout: Option<String>,
    /// Which merchant balance paid the refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_account: Option<String>,
    /// `API` or `VENDOR_PLATFORM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_request_source: Option<String>,
}

impl RefundNotify {
    fn from_params(outer: &Params, p: &Params) -> Result<Self> {
        let refund_status = match p.req("refund_status")? {
            "SUCCESS" => RefundNotifyStatus::Success,
            "CHANGE" => RefundNotifyStatus::Change,
            "REFUNDCLOSE" => RefundNotifyStatus::Refundclose,
            other => return Err(Error::invalid("refund_status", format!("unknown value {}", quoted(other)))),
        };
        Ok(RefundNotify {
            appid: outer.string("appid")?,
            mch_id: outer.string("mch_id")?,
            transaction_id: p.string("transaction_id")?,
            out_trade_no: p.string("out_trade_no")?,
            refund_id: p.string("refund_id")?,
            out_refund_no: p.string("out_refund_no")?,
            total_fee: p.fen("total_fee")?,
            settlement_total_fee: p.opt_fen("settlement_total_fee")?,
            refund_fee: p.fen("refund_fee")?,
            settlement_refund_fee: p.opt_fen("settlement_refund_fee")?,
            refund_status,
            success_time: p.opt_string("success_time"),
            refund_recv_accout: p.opt_string("refund_recv_accout"),
            refund_account: p.opt_string("refund_account"),
            refund_request_source: p.opt_string("refund_request_source"),
        })
    }
}

fn cipher(key: &ApiKey) -> Aes256 {
    // The AES key is the 32 ASCII characters of the lowercase hex digest, not the 16 raw bytes.
    let digest = Md5::digest(key.as_bytes());
    let mut hex = [0u8; 32];
    for (i, b) in digest.iter().enumerate() {
        hex[2 * i] = b"0123456789abcdef"[usize::from(b >> 4)];
        hex[2 * i + 1] = b"0123456789abcdef"[usize::from(b & 0xf)];
    }
    Aes256::new(GenericArray::from_slice(&hex))
}

/// Decrypts `req_info` into the fields of its `<root>` document.
///
/// Errors are distinct so a caller can tell a misconfigured key from a damaged message:
/// ECB lets us decrypt the first block alone, and under the right key it is the start of
/// `<root>`.
///
/// # Errors
/// [`Error::InvalidBase64`], [`Error::TruncatedCiphertext`], [`Error::DecryptKeyMismatch`],
/// [`Error::BadPadding`], or an XML error for the inner document.
pub fn decrypt_req_info(req_info: &str, key: &ApiKey) -> Result<Params> {
    let compact: String = req_info.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut data = LENIENT.decode(&compact).map_err(|e| match e {
        // A lone trailing symbol is what a cut-off string leaves behind.
        base64::DecodeError::InvalidLength(_) => Error::TruncatedCiphertext { len: compact.len() * 3 / 4 },
        _ => Error::InvalidBase64,
    })?;
    if data.is_empty() || data.len() % BLOCK != 0 {
        return Err(Error::TruncatedCiphertext { len: data.len() });
    }
    let aes = cipher(key);
    for block in data.chunks_exact_mut(BLOCK) {
        aes.decrypt_block(GenericArray::from_mut_slice(block));
    }
    let head = data.iter().position(|b| !b.is_ascii_whitespace()).map_or(&[][..], |i| &data[i..]);
    if !(head.starts_with(b"<root") || head.starts_with(b"<?xml")) {
        return Err(Error::DecryptKeyMismatch);
    }
    let pad = usize::from(*data.last().expect("non-empty"));
    if pad == 0 || pad > BLOCK || !data[data.len() - pad..].iter().all(|&b| usize::from(b) == pad) {
        return Err(Error::BadPadding);
    }
    data.truncate(data.len() - pad);
    xml::Decoder::new().root("root").decode(&data)
}

/// Encrypts fields as WeChat does for `req_info` (for simulators and tests).
///
/// # Errors
/// [`Error::Unencodable`] for fields XML cannot carry.
pub fn encrypt_req_info(inner: &Params, key: &ApiKey) -> Result<String> {
    let mut data = xml::encode_pairs("root", inner.iter().map(|(k, v)| (k.as_str(), v.as_str())))?.into_bytes();
    let pad = BLOCK - data.len() % BLOCK;
    data.resize(data.len() + pad, pad as u8);
    let aes = cipher(key);
    for block in data.chunks_exact_mut(BLOCK) {
        aes.encrypt_block(GenericArray::from_mut_slice(block));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(data))
}

impl Merchant {
    /// Decrypts and checks a refund notify body: `return_code`, then `appid` / `mch_id` of the
    /// outer message, then `req_info`.
    ///
    /// # Errors
    /// XML errors, [`Error::ReturnFail`], [`Error::AppIdMismatch`], [`Error::MchIdMismatch`],
    /// the errors of [`decrypt_req_info`], or a field error.
    ///
    /// ```
    /// use wxpay::{refund_notify::encrypt_req_info, xml, ApiKey, Merchant, Params};
    /// let merchant = Merchant::new("wx2421b1c4370ec43b", "10000100",
    ///     ApiKey::new("192006250b4c09247ec02edce69f6a2d")?);
    /// let inner: Params = [("out_refund_no", "R1"), ("out_trade_no", "A1"), ("refund_id", "5000"),
    ///     ("transaction_id", "4200"), ("total_fee", "100"), ("refund_fee", "100"),
    ///     ("refund_status", "SUCCESS"), ("success_time", "2026-11-23 12:00:00")]
    ///     .into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    /// let outer: Params = [("return_code", "SUCCESS"), ("appid", "wx2421b1c4370ec43b"),
    ///     ("mch_id", "10000100"), ("nonce_str", "abc")]
    ///     .into_iter().map(|(k, v)| (k.to_owned(), v.to_owned()))
    ///     .chain([("req_info".to_owned(), encrypt_req_info(&inner, &merchant.key)?)]).collect();
    ///
    /// let refund = merchant.decrypt_refund_notify(xml::encode(&outer)?.as_bytes())?;
    /// assert_eq!(refund.out_refund_no, "R1");
    /// assert_eq!(refund.refund_fee.get(), 100);
    /// # Ok::<(), wxpay::Error>(())
    /// ```
    pub fn decrypt_refund_notify(&self, body: &[u8]) -> Result<RefundNotify> {
        let outer = xml::decode(body)?;
        check_return_code(&outer)?;
        self.check_identity(&outer, true)?;
        let inner = decrypt_req_info(outer.req("req_info")?, &self.key)?;
        RefundNotify::from_params(&outer, &inner)
    }
}
