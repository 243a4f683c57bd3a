//! 发起异常退款: `POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund`, for a
//! refund in `ABNORMAL` (the payer's account could not take the money). The money goes to the
//! payer's bank card (`USER_BANK_CARD`: bank, account and real name, the last two encrypted) or
//! to the merchant's (`MERCHANT_BANK_CARD`). The answer is the refund.
//!
//! The plaintext request cannot be sent: [`AbnormalRefundRequest::encrypt`] validates it and
//! encrypts its sensitive fields to WeChat's key, and the [`EncryptedAbnormalRefund`] it makes
//! is the [`Request`], carrying that key's serial for `Wechatpay-Serial`.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::messages::{segment, RefundResponse};
use crate::v3::request::{Method, Request};
use crate::v3::sensitive::{FieldEncryptor, SensitiveText};
use crate::v3::verify::KeySet;
use crate::validate;

/// Where the money of an abnormal refund goes (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AbnormalRefundType {
    /// `USER_BANK_CARD`: the payer's bank card; `bank_type`, `bank_account` and `real_name` are
    /// required.
    #[serde(rename = "USER_BANK_CARD")]
    UserBankCard,
    /// `MERCHANT_BANK_CARD`: the merchant's bank account; none of the card fields is sent.
    #[serde(rename = "MERCHANT_BANK_CARD")]
    MerchantBankCard,
}

impl AbnormalRefundType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AbnormalRefundType::UserBankCard => "USER_BANK_CARD",
            AbnormalRefundType::MerchantBankCard => "MERCHANT_BANK_CARD",
        }
    }
}

/// An abnormal refund, in plaintext. `Debug` shows the account and the name as `***`.
///
/// ```
/// use wxpay::v3::{AbnormalRefundRequest, KeySet};
/// # let wechat_pub_pem = include_str!("../../../tests/data/v3_test_wechatpay_public_key.pem");
/// let mut keys = KeySet::new();
/// keys.add_public_key("PUB_KEY_ID_0119000001202611230000000000000000", wechat_pub_pem)?;
/// let request = AbnormalRefundRequest::user_bank_card(
///     "50000408942026112307145868882", "R20261123000001", "ICBC_DEBIT", "6222021234567890123", "张三");
/// let encrypted = request.encrypt(&keys, 1_795_000_000)?;
/// assert_eq!(encrypted.serial(), "PUB_KEY_ID_0119000001202611230000000000000000");
/// // merchant.sign_request(&encrypted, …) then carries `Wechatpay-Serial: PUB_KEY_ID_…`.
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AbnormalRefundRequest {
    /// WeChat's refund number (`refund_id`, in the path).
    pub refund_id: String,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// Where the money goes.
    pub kind: AbnormalRefundType,
    /// The bank, e.g. `ICBC_DEBIT` (WeChat's bank codes); `USER_BANK_CARD` only.
    pub bank_type: Option<String>,
    /// The payer's card number; `USER_BANK_CARD` only. Sent encrypted.
    pub bank_account: Option<SensitiveText>,
    /// The card holder's real name; `USER_BANK_CARD` only. Sent encrypted.
    pub real_name: Option<SensitiveText>,
}

impl AbnormalRefundRequest {
    /// To the payer's bank card.
    pub fn user_bank_card(
        refund_id: impl Into<String>,
        out_refund_no: impl Into<String>,
        bank_type: impl Into<String>,
        bank_account: impl Into<SensitiveText>,
        real_name: impl Into<SensitiveText>,
    ) -> Self {
        AbnormalRefundRequest {
            refund_id: refund_id.into(),
            out_refund_no: out_refund_no.into(),
            kind: AbnormalRefundType::UserBankCard,
            bank_type: Some(bank_type.into()),
            bank_account: Some(bank_account.into()),
            real_name: Some(real_name.into()),
        }
    }

    /// To the merchant's bank account.
    pub fn merchant_bank_card(refund_id: impl Into<String>, out_refund_no: impl Into<String>) -> Self {
        AbnormalRefundRequest {
            refund_id: refund_id.into(),
            out_refund_no: out_refund_no.into(),
            kind: AbnormalRefundType::MerchantBankCard,
            bank_type: None,
            bank_account: None,
            real_name: None,
        }
    }

    /// Checks the fields; no error carries the account or the name.
    ///
    /// # Errors
    /// [`Error::MissingField`] for a card field `USER_BANK_CARD` needs, [`Error::InvalidField`]
    /// for a malformed one or a card field given with `MERCHANT_BANK_CARD`.
    pub fn validate(&self) -> Result<()> {
        validate::token("refund_id", &self.refund_id, 32, |b| b.is_ascii_digit(), "digits")?;
        validate::out_refund_no(&self.out_refund_no)?;
        let present = |v: Option<bool>| v.is_some_and(|empty| !empty);
        let (bank_type, bank_account, real_name) = (
            present(self.bank_type.as_ref().map(String::is_empty)),
            present(self.bank_account.as_ref().map(SensitiveText::is_empty)),
            present(self.real_name.as_ref().map(SensitiveText::is_empty)),
        );
        match self.kind {
            AbnormalRefundType::UserBankCard => {
                for (name, given) in [("bank_type", bank_type), ("bank_account", bank_account), ("real_name", real_name)] {
                    if !given {
                        return Err(Error::missing(name));
                    }
                }
                let bank_type = self.bank_type.as_deref().unwrap_or_default();
                validate::token("bank_type", bank_type, 32, |b| b.is_ascii_alphanumeric() || b == b'_', "0-9 A-Z _")?;
                let account = self.bank_account.as_ref().map(SensitiveText::expose).unwrap_or_default();
                if account.len() > 32 || !account.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid("bank_account", "a card number is at most 32 digits"));
                }
                let name = self.real_name.as_ref().map(SensitiveText::expose).unwrap_or_default();
                if name.chars().any(|c| !validate::is_plain_text_char(c)) {
                    return Err(Error::invalid("real_name", "control and invisible characters are not allowed"));
                }
            }
            AbnormalRefundType::MerchantBankCard => {
                for (name, given) in [("bank_type", bank_type), ("bank_account", bank_account), ("real_name", real_name)] {
                    if given {
                        return Err(Error::invalid(name, "only with USER_BANK_CARD (MERCHANT_BANK_CARD sends no card)"));
                    }
                }
            }
        }
        Ok(())
    }

    /// Validates, then encrypts `bank_account` and `real_name` to the key `keys` names at `now`
    /// ([`KeySet::field_encryptor`]).
    ///
    /// # Errors
    /// As [`AbnormalRefundRequest::validate`], [`KeySet::request_serial`] and
    /// [`FieldEncryptor::encrypt`].
    pub fn encrypt(&self, keys: &KeySet, now: u64) -> Result<EncryptedAbnormalRefund> {
        self.validate()?;
        self.seal(&keys.field_encryptor(now)?)
    }

    /// Validates, then encrypts to a key chosen by the caller.
    ///
    /// # Errors
    /// As [`AbnormalRefundRequest::encrypt`].
    pub fn encrypt_with(&self, encryptor: &FieldEncryptor<'_>) -> Result<EncryptedAbnormalRefund> {
        self.validate()?;
        self.seal(encryptor)
    }

    fn seal(&self, encryptor: &FieldEncryptor<'_>) -> Result<EncryptedAbnormalRefund> {
        let seal = |name: &str, field: &Option<SensitiveText>| field.as_ref().map(|t| encryptor.encrypt(name, t)).transpose();
        Ok(EncryptedAbnormalRefund {
            refund_id: self.refund_id.clone(),
            out_refund_no: self.out_refund_no.clone(),
            kind: self.kind,
            bank_type: self.bank_type.clone().filter(|b| !b.is_empty()),
            bank_account: seal("bank_account", &self.bank_account)?,
            real_name: seal("real_name", &self.real_name)?,
            wechatpay_serial: encryptor.serial().to_owned(),
        })
    }
}

/// The fields of an abnormal refund that are never encrypted ([`EncryptedAbnormalRefund::from_ciphertexts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbnormalRefundFields {
    /// WeChat's refund number (`refund_id`, in the path).
    pub refund_id: String,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// Where the money goes.
    pub kind: AbnormalRefundType,
    /// The bank, `USER_BANK_CARD` only.
    pub bank_type: Option<String>,
}

/// An abnormal refund with its sensitive fields encrypted: the [`Request`] to sign. It carries
/// the serial of the key they were encrypted to, which becomes the request's `Wechatpay-Serial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncryptedAbnormalRefund {
    #[serde(skip)]
    refund_id: String,
    out_refund_no: String,
    #[serde(rename = "type")]
    kind: AbnormalRefundType,
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    real_name: Option<String>,
    #[serde(skip)]
    wechatpay_serial: String,
}

impl EncryptedAbnormalRefund {
    /// An abnormal refund whose sensitive fields were encrypted elsewhere (by
    /// [`FieldEncryptor::encrypt`] in another call or process, as the JS package's
    /// `encryptSensitive` does): `bank_account` and `real_name` are the ciphertexts, and
    /// `wechatpay_serial` the key they were encrypted to. The same rules as
    /// [`AbnormalRefundRequest::validate`] for what goes with which `type`, and each ciphertext
    /// must be one RSA block (2048 to 4096 bits) in base64, so a plaintext given by mistake is
    /// refused rather than sent.
    ///
    /// # Errors
    /// [`Error::MissingField`], [`Error::InvalidField`]; no error carries a ciphertext.
    pub fn from_ciphertexts(
        request: AbnormalRefundFields,
        bank_account: Option<String>,
        real_name: Option<String>,
        wechatpay_serial: impl Into<String>,
    ) -> Result<Self> {
        let wechatpay_serial = wechatpay_serial.into();
        // The plaintext rules, with stand-ins for what is now encrypted.
        let stand_in = |v: &Option<String>| v.as_ref().filter(|c| !c.is_empty()).map(|_| SensitiveText::new("0"));
        AbnormalRefundRequest {
            refund_id: request.refund_id.clone(),
            out_refund_no: request.out_refund_no.clone(),
            kind: request.kind,
            bank_type: request.bank_type.clone(),
            bank_account: stand_in(&bank_account),
            real_name: stand_in(&real_name),
        }
        .validate()?;
        for (name, value) in [("bank_account", &bank_account), ("real_name", &real_name)] {
            if let Some(c) = value {
                let bytes = crate::v3::BASE64
                    .decode(c.trim())
                    .map_err(|_| Error::invalid(name, "must be the ciphertext (base64 of one RSA block)"))?;
                if !(256..=512).contains(&bytes.len()) {
                    return Err(Error::invalid(name, "must be the ciphertext (base64 of one RSA block), not the text"));
                }
            }
        }
        // Last, so that a missing card field is named before the key it would be encrypted to.
        if wechatpay_serial.is_empty() {
            return Err(Error::missing("wechatpay_serial"));
        }
        validate::token(
            "wechatpay_serial",
            &wechatpay_serial,
            64,
            |b| b.is_ascii_alphanumeric() || b == b'_',
            "a PUB_KEY_ID_… or a serial",
        )?;
        Ok(EncryptedAbnormalRefund {
            refund_id: request.refund_id,
            out_refund_no: request.out_refund_no,
            kind: request.kind,
            bank_type: request.bank_type.filter(|b| !b.is_empty()),
            bank_account,
            real_name,
            wechatpay_serial,
        })
    }

    /// The serial (or `PUB_KEY_ID_…`) of WeChat's key the fields were encrypted to.
    pub fn serial(&self) -> &str {
        &self.wechatpay_serial
    }

    /// `bank_account`, encrypted (base64).
    pub fn bank_account(&self) -> Option<&str> {
        self.bank_account.as_deref()
    }

    /// `real_name`, encrypted (base64).
    pub fn real_name(&self) -> Option<&str> {
        self.real_name.as_deref()
    }
}

impl Request for EncryptedAbnormalRefund {
    type Response = RefundResponse;
    const METHOD: Method = Method::Post;

    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        validate::token("refund_id", &self.refund_id, 32, |b| b.is_ascii_digit(), "digits")?;
        Ok(format!("/v3/refund/domestic/refunds/{}/apply-abnormal-refund", segment(&self.refund_id)))
    }

    fn body(&self, _appid: &str, _mchid: &str) -> Result<String> {
        Ok(serde_json::to_string(self).expect("plain strings serialise"))
    }

    fn wechatpay_serial(&self) -> Option<&str> {
        Some(&self.wechatpay_serial)
    }
}
